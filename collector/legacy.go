package collector

import (
	"context"
	"fmt"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/github-billing-exporter/github-billing-exporter/githubapi"
)

// GitHub reports minutes and decimal gigabytes; Prometheus wants base units.
const (
	secondsPerMinute = 60
	bytesPerGigabyte = 1e9
	secondsPerDay    = 86400
)

var (
	actionsUsed         = newDesc("actions_used_seconds", "Actions run time used in the billing cycle (total_minutes_used).")
	actionsPaidUsed     = newDesc("actions_paid_used_seconds", "Actions run time beyond the included minutes (total_paid_minutes_used).")
	actionsIncluded     = newDesc("actions_included_seconds", "Actions run time included in the plan (included_minutes).")
	actionsRunnerUsed   = newDesc("actions_runner_used_seconds", "Actions run time used by runner type (minutes_used_breakdown).", "runner")
	packagesBandwidth   = newDesc("packages_bandwidth_used_bytes", "Packages data transfer used in the billing cycle.")
	packagesPaid        = newDesc("packages_paid_bandwidth_used_bytes", "Packages data transfer beyond the included amount.")
	packagesIncluded    = newDesc("packages_included_bandwidth_bytes", "Packages data transfer included in the plan.")
	storageEstimated    = newDesc("shared_storage_estimated_bytes", "Estimated shared storage (Actions and Packages) for the month.")
	storageEstimatedPay = newDesc("shared_storage_estimated_paid_bytes", "Estimated paid shared storage for the month.")
	cycleRemaining      = newDesc("cycle_remaining_seconds", "Time left in the billing cycle (days_left_in_billing_cycle).")
)

type actionsCollector struct{}

func newActionsCollector(Options) Collector { return actionsCollector{} }

func (actionsCollector) Update(ctx context.Context, c *githubapi.Client, a githubapi.Account) ([]prometheus.Metric, error) {
	b, err := c.ActionsBilling(ctx, a)
	if err != nil {
		return nil, fmt.Errorf("fetch Actions billing for %s: %w", a, err)
	}
	m := newMetricSet(a)
	m.gauge(actionsUsed, b.TotalMinutesUsed*secondsPerMinute)
	m.gauge(actionsPaidUsed, b.TotalPaidMinutesUsed*secondsPerMinute)
	m.gauge(actionsIncluded, b.IncludedMinutes*secondsPerMinute)
	for runner, minutes := range b.MinutesUsedBreakdown {
		if runner != "total" { // a sum GitHub adds, not a runner
			m.gauge(actionsRunnerUsed, minutes*secondsPerMinute, runner)
		}
	}
	return m.metrics(), nil
}

type packagesCollector struct{}

func newPackagesCollector(Options) Collector { return packagesCollector{} }

func (packagesCollector) Update(ctx context.Context, c *githubapi.Client, a githubapi.Account) ([]prometheus.Metric, error) {
	b, err := c.PackagesBilling(ctx, a)
	if err != nil {
		return nil, fmt.Errorf("fetch Packages billing for %s: %w", a, err)
	}
	m := newMetricSet(a)
	m.gauge(packagesBandwidth, b.TotalGigabytesBandwidthUsed*bytesPerGigabyte)
	m.gauge(packagesPaid, b.TotalPaidGigabytesBandwidthUsed*bytesPerGigabyte)
	m.gauge(packagesIncluded, b.IncludedGigabytesBandwidth*bytesPerGigabyte)
	return m.metrics(), nil
}

type sharedStorageCollector struct{}

func newSharedStorageCollector(Options) Collector { return sharedStorageCollector{} }

func (sharedStorageCollector) Update(ctx context.Context, c *githubapi.Client, a githubapi.Account) ([]prometheus.Metric, error) {
	b, err := c.SharedStorageBilling(ctx, a)
	if err != nil {
		return nil, fmt.Errorf("fetch shared storage billing for %s: %w", a, err)
	}
	m := newMetricSet(a)
	m.gauge(storageEstimated, b.EstimatedStorageForMonth*bytesPerGigabyte)
	m.gauge(storageEstimatedPay, b.EstimatedPaidStorageForMonth*bytesPerGigabyte)
	m.gauge(cycleRemaining, b.DaysLeftInBillingCycle*secondsPerDay)
	return m.metrics(), nil
}
