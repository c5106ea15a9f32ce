package check

import (
	"testing"
	"time"

	"github.com/github-billing-exporter/github-billing-exporter/collector"
	"github.com/github-billing-exporter/github-billing-exporter/githubapi"
)

// The usage-metrics view's probe asks its users report for one day, five
// days back (2026-12-07 - 5 = 2026-12-02), with no paging: the endpoint
// requires day.
func TestProbeOfCopilotMetricsAsksForADay(t *testing.T) {
	f, _ := collector.Lookup(collector.CopilotMetrics)
	call, ok := probeCall(f, githubapi.ScopeOrganization, collector.Options{})
	if !ok || call.Endpoint != "/copilot/metrics/reports/users-1-day" {
		t.Fatalf("probe %+v, %v", call, ok)
	}
	q := query(call, time.Date(2026, 12, 7, 1, 0, 0, 0, time.UTC))
	if q.Encode() != "day=2026-12-02" {
		t.Errorf("query %q, want day=2026-12-02", q.Encode())
	}
}
