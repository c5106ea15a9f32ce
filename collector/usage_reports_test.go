package collector

import (
	"testing"

	"github.com/github-billing-exporter/github-billing-exporter/githubapi"
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
