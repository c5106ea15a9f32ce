package collector

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"

	"github.com/github-billing-exporter/github-billing-exporter/githubapi"
	"github.com/github-billing-exporter/github-billing-exporter/internal/demo"
	"github.com/github-billing-exporter/github-billing-exporter/internal/fakegithub"
	"github.com/github-billing-exporter/github-billing-exporter/internal/fakegithub/fakegithubtest"
)

const (
	platformTestReportExports = "# HELP github_billing_usage_report_exports Usage report exports the enterprise has, by type and status.\n# TYPE github_billing_usage_report_exports gauge\n"
	platformTestReportLatest  = "# HELP github_billing_usage_report_export_latest_completed_timestamp_seconds When the newest completed usage report export of the type was created (created_at).\n# TYPE github_billing_usage_report_export_latest_completed_timestamp_seconds gauge\n"
)

func TestUsageReportsCollectorOnTheExample(t *testing.T) {
	srv := fakegithubtest.Start(t, nil)
	client := fakegithubtest.Client(t, srv, githubapi.Options{})
	srv.Override("/enterprises/acme/settings/billing/reports", fakegithubtest.ServeFile(examplesDir+"enterprise-usage-reports-list.json"))
	got := update(t, usageReportsCollector{}, client, githubapi.Account{Scope: githubapi.ScopeEnterprise, Name: "acme"})
	// 2024-01-15T10:30:00Z: 19737 days after 1970-01-01 (1705276800) + 10.5 h.
	want := platformTestReportLatest +
		`github_billing_usage_report_export_latest_completed_timestamp_seconds{account="acme",report_type="detailed",scope="enterprise"} 1705314600
` + platformTestReportExports +
		`github_billing_usage_report_exports{account="acme",report_type="detailed",scope="enterprise",status="completed"} 1
github_billing_usage_report_exports{account="acme",report_type="premium_request",scope="enterprise",status="processing"} 1
github_billing_usage_report_exports{account="acme",report_type="summarized",scope="enterprise",status="processing"} 1
`
	expectExposition(t, got, want)
}

func TestUsageReportsCollectorCountsAndPicksTheNewestCompleted(t *testing.T) {
	srv := fakegithubtest.Start(t, nil)
	client := fakegithubtest.Client(t, srv, githubapi.Options{})
	srv.Override("/enterprises/acme/settings/billing/reports", fakegithubtest.ServeString(`{"usage_report_exports": [
		{"id": "1", "start_date": "2026-03-01", "end_date": "2026-03-31", "report_type": "detailed", "status": "completed", "created_at": "2026-03-01T00:00:00Z"},
		{"id": "2", "start_date": "2026-03-01", "end_date": "2026-03-31", "report_type": "detailed", "status": "completed", "created_at": "2026-03-02T06:00:00+02:00"},
		{"id": "3", "start_date": "2026-03-01", "end_date": "2026-03-31", "report_type": "detailed", "status": "completed"},
		{"id": "4", "start_date": "2026-03-01", "end_date": "2026-03-31", "report_type": "detailed", "status": "failed", "created_at": "2026-03-09T00:00:00Z"},
		{"id": "5", "start_date": "2026-03-01", "end_date": "2026-03-31", "report_type": "ai_credit", "status": "processing", "created_at": "2026-03-09T00:00:00Z"},
		{"id": "6", "start_date": "2026-03-01", "end_date": "2026-03-31", "report_type": "ai_credit", "status": "processing", "created_at": "2026-03-10T00:00:00Z"}
	]}`))
	got := update(t, usageReportsCollector{}, client, githubapi.Account{Scope: githubapi.ScopeEnterprise, Name: "acme"})
	// Newest completed detailed export: 2026-03-02T04:00:00Z =
	// 2026-03-01 (1772323200) + 28 h = 1772424000. The failed one is newer
	// but not completed; the one without created_at only counts.
	want := platformTestReportLatest +
		`github_billing_usage_report_export_latest_completed_timestamp_seconds{account="acme",report_type="detailed",scope="enterprise"} 1772424000
` + platformTestReportExports +
		`github_billing_usage_report_exports{account="acme",report_type="ai_credit",scope="enterprise",status="processing"} 2
github_billing_usage_report_exports{account="acme",report_type="detailed",scope="enterprise",status="completed"} 3
github_billing_usage_report_exports{account="acme",report_type="detailed",scope="enterprise",status="failed"} 1
`
	expectExposition(t, got, want)
}

// TestPlatformCollectorsOneForbiddenOthersServed runs the billing-platform
// collectors through the Exporter against the demo enterprise with one
// endpoint answering 403: that collector fails and says why, the others
// serve their data.
func TestPlatformCollectorsOneForbiddenOthersServed(t *testing.T) {
	now := time.Date(2026, 11, 15, 12, 0, 0, 0, time.UTC)
	srv := fakegithubtest.Start(t, demo.Dataset(now))
	ent := demo.Enterprise
	srv.Override("/enterprises/"+ent+"/settings/billing/reports", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("X-Accepted-GitHub-Permissions", "enterprise_administration=write")
		fakegithub.WriteError(w, http.StatusForbidden, "Resource not accessible by personal access token")
	})
	client := fakegithubtest.Client(t, srv, githubapi.Options{})

	var logs bytes.Buffer
	collectors := []string{"usage_summary", "premium_requests", "ai_credits", "cost_centers", "budgets", "usage_reports", "copilot"}
	e, err := NewExporter(Config{
		Logger:      slog.New(slog.NewTextHandler(&logs, nil)),
		Collectors:  collectors,
		Concurrency: 2,
		Now:         func() time.Time { return now },
	})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	e.Apply(Settings{RefreshInterval: time.Minute, RefreshTimeout: 30 * time.Second, MaxAge: time.Hour},
		[]Target{{Account: githubapi.Account{Scope: githubapi.ScopeEnterprise, Name: ent}, Client: client}})

	reg := e.Scrape(context.Background(), nil)
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]*dto.MetricFamily{}
	for _, f := range families {
		byName[f.GetName()] = f
	}

	success := map[string]float64{}
	for _, m := range byName["github_billing_scrape_collector_success"].GetMetric() {
		for _, l := range m.GetLabel() {
			if l.GetName() == "collector" {
				success[l.GetValue()] = m.GetGauge().GetValue()
			}
		}
	}
	for _, name := range collectors {
		want := 1.0
		if name == "usage_reports" {
			want = 0
		}
		if got, ok := success[name]; !ok || got != want {
			t.Errorf("success of %s = %v (present %v), want %v", name, got, ok, want)
		}
	}

	// The others' series are there: 14 demo budgets on one page (only the
	// user budget carries consumed_amount; the usage collector, not run
	// here, computes the others), 3 cost centers, 11 summary SKUs (Actions'
	// 5, Packages' 2, Copilot seats and AI credits, Advanced Security's 2),
	// no premium requests (Copilot is billed in AI credits since June 2026;
	// only the user's legacy plan has premium requests), 4 AI-credit models,
	// and one seat count.
	count := func(name string) int { return len(byName["github_billing_"+name].GetMetric()) }
	for name, want := range map[string]int{
		"budget_amount_usd":               14,
		"budget_prevent_further_usage":    14,
		"budget_consumed_amount_usd":      1,
		"cost_center_info":                3,
		"copilot_seats":                   1,
		"usage_report_exports":            0,
		"usage_summarized_net_amount_usd": 11,
		"premium_request_gross_quantity":  0,
		"ai_credit_gross_quantity":        4,
	} {
		if got := count(name); got != want {
			t.Errorf("%s: %d series, want %d", name, got, want)
		}
	}
	// 114 distinct Copilot users: 64 in acme-web, 44 + dev-07 in acme-data,
	// 6 in acme-labs.
	if seats := byName["github_billing_copilot_seats"].GetMetric(); len(seats) == 1 && seats[0].GetGauge().GetValue() != 114 {
		t.Errorf("enterprise Copilot seats %v, want 114", seats[0].GetGauge().GetValue())
	}

	log := logs.String()
	for _, want := range []string{"collector=usage_reports", "/enterprises/" + ent + "/settings/billing/reports", "403",
		"Resource not accessible by personal access token", "enterprise_administration=write"} {
		if !strings.Contains(log, want) {
			t.Errorf("log does not mention %q:\n%s", want, log)
		}
	}
	if n := strings.Count(log, "level=ERROR"); n != 1 {
		t.Errorf("%d error lines, want 1:\n%s", n, log)
	}
}
