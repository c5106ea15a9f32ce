package collector

import (
	"context"
	"fmt"
	"strings"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/github-billing-exporter/github-billing-exporter/githubapi"
)

var (
	reportExports = NewDesc("usage_report_exports", "Usage report exports the enterprise has, by type and status.", "report_type", "status")
	reportLatest  = NewDesc("usage_report_export_latest_completed_timestamp_seconds", "When the newest completed usage report export of the type was created (created_at).", "report_type")
)

type usageReportsCollector struct{}

func newUsageReportsCollector(Options) Collector { return usageReportsCollector{} }

func (usageReportsCollector) Update(ctx context.Context, client *githubapi.Client, a githubapi.Account) ([]prometheus.Metric, error) {
	exports, err := client.UsageReportExports(ctx, a)
	if err != nil {
		return nil, fmt.Errorf("fetch usage report exports for %s: %w", a, err)
	}
	m := newMetricSet(a)
	for _, x := range exports {
		m.add(reportExports, 1, x.ReportType, x.Status)
		// A completed export without a readable created_at still counts
		// above; it just cannot be the newest.
		if t, ok := x.Created(); ok && strings.EqualFold(x.Status, "completed") {
			m.maximum(reportLatest, float64(t.UnixNano())/1e9, x.ReportType)
		}
	}
	return m.metrics(), nil
}
