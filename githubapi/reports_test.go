package githubapi_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/github-billing-exporter/github-billing-exporter/githubapi"
	"github.com/github-billing-exporter/github-billing-exporter/internal/fakegithub/fakegithubtest"
)

func TestUsageReportExportsDecodeTheExample(t *testing.T) {
	srv := fakegithubtest.Start(t, nil)
	client := fakegithubtest.Client(t, srv, githubapi.Options{})
	srv.Override("/enterprises/acme/settings/billing/reports", fakegithubtest.ServeFile(examplesDir+"enterprise-usage-reports-list.json"))
	got, err := client.UsageReportExports(context.Background(), githubapi.Account{Scope: githubapi.ScopeEnterprise, Name: "acme"})
	if err != nil {
		t.Fatal(err)
	}
	want := []githubapi.UsageReportExport{
		{
			ID: "a1b2c3d4-e5f6-7890-abcd-ef1234567890", ReportType: "detailed", StartDate: "2024-01-01", EndDate: "2024-01-31",
			Status: "completed", DownloadURLs: []string{"https://github.com/enterprises/github/metered_exports/1234"},
			CreatedAt: "2024-01-15T10:30:00Z", Actor: "monalisa",
		},
		{
			ID: "b2c3d4e5-f6a7-8901-bcde-f12345678901", ReportType: "summarized", StartDate: "2024-01-01", EndDate: "2024-01-31",
			Status: "processing", CreatedAt: "2024-01-14T09:00:00Z", Actor: "monalisa",
		},
		{
			ID: "c3d4e5f6-a7b8-9012-cdef-123456789012", ReportType: "premium_request", StartDate: "2024-01-01", EndDate: "2024-01-31",
			Status: "processing", CreatedAt: "2024-01-13T08:00:00Z", Actor: "octocat",
		},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v\nwant %+v", got, want)
	}
	created, ok := got[0].Created()
	if !ok || !created.Equal(time.Date(2024, time.January, 15, 10, 30, 0, 0, time.UTC)) {
		t.Errorf("Created() = %v, %v", created, ok)
	}
	if _, ok := (githubapi.UsageReportExport{CreatedAt: "yesterday"}).Created(); ok {
		t.Error("an unreadable created_at parsed")
	}
}

func TestUsageReportExportsAreEnterpriseOnly(t *testing.T) {
	srv := fakegithubtest.Start(t, nil)
	client := fakegithubtest.Client(t, srv, githubapi.Options{})
	if _, err := client.UsageReportExports(context.Background(), githubapi.Account{Scope: githubapi.ScopeOrganization, Name: "acme-web"}); err == nil {
		t.Error("no error for an organization")
	}
	if n := srv.TotalRequests(); n != 0 {
		t.Errorf("%d requests for an organization", n)
	}
}
