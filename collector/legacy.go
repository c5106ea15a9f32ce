package collector

import (
	"context"
	"fmt"
	"math"

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
	var u units
	m.gauge(actionsUsed, u.convert("total_minutes_used", b.TotalMinutesUsed, secondsPerMinute))
	m.gauge(actionsPaidUsed, u.convert("total_paid_minutes_used", b.TotalPaidMinutesUsed, secondsPerMinute))
	m.gauge(actionsIncluded, u.convert("included_minutes", b.IncludedMinutes, secondsPerMinute))
	for runner, minutes := range b.MinutesUsedBreakdown {
		if runner != "total" { // a sum GitHub adds, not a runner
			m.gauge(actionsRunnerUsed, u.convert("minutes_used_breakdown", minutes, secondsPerMinute), runner)
		}
	}
	if u.err != nil {
		return nil, fmt.Errorf("convert Actions billing for %s: %w", a, u.err)
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
	var u units
	m.gauge(packagesBandwidth, u.convert("total_gigabytes_bandwidth_used", b.TotalGigabytesBandwidthUsed, bytesPerGigabyte))
	m.gauge(packagesPaid, u.convert("total_paid_gigabytes_bandwidth_used", b.TotalPaidGigabytesBandwidthUsed, bytesPerGigabyte))
	m.gauge(packagesIncluded, u.convert("included_gigabytes_bandwidth", b.IncludedGigabytesBandwidth, bytesPerGigabyte))
	if u.err != nil {
		return nil, fmt.Errorf("convert Packages billing for %s: %w", a, u.err)
	}
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
	var u units
	m.gauge(storageEstimated, u.convert("estimated_storage_for_month", b.EstimatedStorageForMonth, bytesPerGigabyte))
	m.gauge(storageEstimatedPay, u.convert("estimated_paid_storage_for_month", b.EstimatedPaidStorageForMonth, bytesPerGigabyte))
	m.gauge(cycleRemaining, u.convert("days_left_in_billing_cycle", b.DaysLeftInBillingCycle, secondsPerDay))
	if u.err != nil {
		return nil, fmt.Errorf("convert shared storage billing for %s: %w", a, u.err)
	}
	return m.metrics(), nil
}

// units converts GitHub's figures (minutes, gigabytes, days) to base units
// and remembers the first that does not fit a float64 once converted: a
// gauge of ±Inf is no figure anyone can use.
type units struct{ err error }

func (u *units) convert(field string, v, factor float64) float64 {
	x := v * factor
	if math.IsInf(x, 0) && u.err == nil {
		u.err = fmt.Errorf("%s = %g is out of range once converted to base units", field, v)
	}
	return x
}
