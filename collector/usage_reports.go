package collector

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/github-billing-exporter/github-billing-exporter/githubapi"
)

var (
	reportExports = newDesc("usage_report_exports", "Usage report exports the enterprise has, by type and status.", "report_type", "status")
	reportLatest  = newDesc("usage_report_export_latest_completed_timestamp_seconds", "When the newest completed usage report export of the type was created (created_at).", "report_type")
)

type usageReportsCollector struct{}

func newUsageReportsCollector(Options) Collector { return usageReportsCollector{} }

func (usageReportsCollector) Update(ctx context.Context, client *githubapi.Client, a githubapi.Account) ([]prometheus.Metric, error) {
	exports, err := client.UsageReportExports(ctx, a)
	if err != nil {
		return nil, fmt.Errorf("fetch usage report exports for %s: %w", a, err)
	}
	type countKey struct{ reportType, status string }
	counts := map[countKey]float64{}
	latest := map[string]time.Time{}
	for _, x := range exports {
		counts[countKey{x.ReportType, x.Status}]++
		if !strings.EqualFold(x.Status, "completed") {
			continue
		}
		// A completed export without a readable created_at still counts
		// above; it just cannot be the newest.
		if t, ok := x.Created(); ok && t.After(latest[x.ReportType]) {
			latest[x.ReportType] = t
		}
	}

	m := newMetricSet(a)
	countKeys := make([]countKey, 0, len(counts))
	for k := range counts {
		countKeys = append(countKeys, k)
	}
	slices.SortFunc(countKeys, func(x, y countKey) int {
		return cmp.Or(cmp.Compare(x.reportType, y.reportType), cmp.Compare(x.status, y.status))
	})
	for _, k := range countKeys {
		m.gauge(reportExports, counts[k], k.reportType, k.status)
	}
	types := make([]string, 0, len(latest))
	for t := range latest {
		types = append(types, t)
	}
	slices.Sort(types)
	for _, t := range types {
		m.gauge(reportLatest, float64(latest[t].UnixNano())/1e9, t)
	}
	return m.metrics, nil
}
