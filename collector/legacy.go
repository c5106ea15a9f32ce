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
	actionsUsed         = NewDesc("actions_used_seconds", "Actions run time used in the billing cycle (total_minutes_used).")
	actionsPaidUsed     = NewDesc("actions_paid_used_seconds", "Actions run time beyond the included minutes (total_paid_minutes_used).")
	actionsIncluded     = NewDesc("actions_included_seconds", "Actions run time included in the plan (included_minutes).")
	actionsRunnerUsed   = NewDesc("actions_runner_used_seconds", "Actions run time used by runner type (minutes_used_breakdown).", "runner")
	packagesBandwidth   = NewDesc("packages_bandwidth_used_bytes", "Packages data transfer used in the billing cycle.")
	packagesPaid        = NewDesc("packages_paid_bandwidth_used_bytes", "Packages data transfer beyond the included amount.")
	packagesIncluded    = NewDesc("packages_included_bandwidth_bytes", "Packages data transfer included in the plan.")
	storageEstimated    = NewDesc("shared_storage_estimated_bytes", "Estimated shared storage (Actions and Packages) for the month.")
	storageEstimatedPay = NewDesc("shared_storage_estimated_paid_bytes", "Estimated paid shared storage for the month.")
	cycleRemaining      = NewDesc("cycle_remaining_seconds", "Time left in the billing cycle (days_left_in_billing_cycle).")
)

// legacyCollector reads one of the retired per-product endpoints and
// exports its figures in base units. A figure that does not fit a float64
// once converted fails the collector: a gauge of ±Inf is no figure anyone
// can use.
type legacyCollector[T any] struct {
	what   string // the answer, in errors
	fetch  func(*githubapi.Client, context.Context, githubapi.Account) (*T, error)
	export func(b *T, m *legacyMetrics)
}

func (l legacyCollector[T]) Update(ctx context.Context, c *githubapi.Client, a githubapi.Account) ([]prometheus.Metric, error) {
	b, err := l.fetch(c, ctx, a)
	if err != nil {
		return nil, fmt.Errorf("fetch %s for %s: %w", l.what, a, err)
	}
	m := &legacyMetrics{set: newMetricSet(a)}
	l.export(b, m)
	if m.err != nil {
		return nil, fmt.Errorf("convert %s for %s: %w", l.what, a, m.err)
	}
	return m.set.metrics(), nil
}

// legacyMetrics converts GitHub's figures (minutes, gigabytes, days) to base
// units and remembers the first that overflows.
type legacyMetrics struct {
	set *metricSet
	err error
}

// add adds GitHub's field, v times factor, to desc.
func (m *legacyMetrics) add(desc *Desc, field string, v, factor float64, labels ...string) {
	x := v * factor
	if math.IsInf(x, 0) && m.err == nil {
		m.err = fmt.Errorf("%s = %g is out of range once converted to base units", field, v)
	}
	m.set.add(desc, x, labels...)
}

func newActionsCollector(Options) Collector {
	return legacyCollector[githubapi.ActionsBilling]{what: "Actions billing", fetch: (*githubapi.Client).ActionsBilling,
		export: func(b *githubapi.ActionsBilling, m *legacyMetrics) {
			m.add(actionsUsed, "total_minutes_used", b.TotalMinutesUsed, secondsPerMinute)
			m.add(actionsPaidUsed, "total_paid_minutes_used", b.TotalPaidMinutesUsed, secondsPerMinute)
			m.add(actionsIncluded, "included_minutes", b.IncludedMinutes, secondsPerMinute)
			for runner, minutes := range b.MinutesUsedBreakdown {
				if runner != "total" { // a sum GitHub adds, not a runner
					m.add(actionsRunnerUsed, "minutes_used_breakdown", minutes, secondsPerMinute, runner)
				}
			}
		}}
}

func newPackagesCollector(Options) Collector {
	return legacyCollector[githubapi.PackagesBilling]{what: "Packages billing", fetch: (*githubapi.Client).PackagesBilling,
		export: func(b *githubapi.PackagesBilling, m *legacyMetrics) {
			m.add(packagesBandwidth, "total_gigabytes_bandwidth_used", b.TotalGigabytesBandwidthUsed, bytesPerGigabyte)
			m.add(packagesPaid, "total_paid_gigabytes_bandwidth_used", b.TotalPaidGigabytesBandwidthUsed, bytesPerGigabyte)
			m.add(packagesIncluded, "included_gigabytes_bandwidth", b.IncludedGigabytesBandwidth, bytesPerGigabyte)
		}}
}

func newSharedStorageCollector(Options) Collector {
	return legacyCollector[githubapi.SharedStorageBilling]{what: "shared storage billing", fetch: (*githubapi.Client).SharedStorageBilling,
		export: func(b *githubapi.SharedStorageBilling, m *legacyMetrics) {
			m.add(storageEstimated, "estimated_storage_for_month", b.EstimatedStorageForMonth, bytesPerGigabyte)
			m.add(storageEstimatedPay, "estimated_paid_storage_for_month", b.EstimatedPaidStorageForMonth, bytesPerGigabyte)
			m.add(cycleRemaining, "days_left_in_billing_cycle", b.DaysLeftInBillingCycle, secondsPerDay)
		}}
}
