package backfill

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/github-billing-exporter/github-billing-exporter/collector"
	"github.com/github-billing-exporter/github-billing-exporter/githubapi"
	"github.com/github-billing-exporter/github-billing-exporter/internal/fakegithub"
	"github.com/github-billing-exporter/github-billing-exporter/internal/fakegithub/fakegithubtest"
	"github.com/github-billing-exporter/github-billing-exporter/internal/testutil"
)

const detailToken = "ghp_backfilldetail00000000000000000000"

// The workflow paths of the detailed fixture; build's has a comma and
// quotes, which the CSV quotes.
const (
	detailBuild  = `.github/workflows/build, "fast".yml`
	detailDeploy = ".github/workflows/deploy.yml"
	detailLint   = ".github/workflows/lint.yml"
)

// detailFixture is the enterprise ent with a detailed export's rows for
// November 2026, served in three parts:
//   - build (octo/api), by mona, every day d = 1…30: d minutes, gross and
//     net 0.5·d; and on the 15th by octocat: 6 minutes, gross and net 3;
//   - deploy (octo/web), by hubot, every even day: 4 minutes, gross 1,
//     discount 0.25, net 0.75;
//   - lint (octo/web), by octocat, on the 1st only: 2 minutes, gross and
//     net 0.125.
//
// Month totals by net: build 0.5·465 + 3 = 235.5, deploy 15 · 0.75 =
// 11.25, lint 0.125; mona 232.5, hubot 11.25, octocat 0.125 + 3 = 3.125.
// With the top 2 workflows and users, lint and octocat are "__other__",
// though on the 1st alone they are the second of each.
func detailFixture() *fakegithub.Dataset {
	row := func(day int, path, repo, user string, q, gross, discount, net float64) fakegithub.DetailedUsageRow {
		return fakegithub.DetailedUsageRow{Date: time.Date(2026, time.November, day, 0, 0, 0, 0, time.UTC).Format(time.DateOnly),
			Product: "actions", SKU: "actions_linux", Quantity: q, UnitType: "minutes", PricePerUnit: 0.008,
			Gross: gross, Discount: discount, Net: net, Username: user, Organization: "octo", Repository: repo, WorkflowPath: path}
	}
	var rows []fakegithub.DetailedUsageRow
	for d := 1; d <= 30; d++ {
		rows = append(rows, row(d, detailBuild, "octo/api", "mona", float64(d), 0.5*float64(d), 0, 0.5*float64(d)))
		if d%2 == 0 {
			rows = append(rows, row(d, detailDeploy, "octo/web", "hubot", 4, 1, 0.25, 0.75))
		}
	}
	rows = append(rows, row(1, detailLint, "octo/web", "octocat", 2, 0.125, 0, 0.125), row(15, detailBuild, "octo/api", "octocat", 6, 3, 0, 3))
	d := fakegithub.NewDataset()
	d.Enterprises["ent"] = &fakegithub.AccountData{Platform: &fakegithub.PlatformData{
		BillingObjects: fakegithub.BillingObjects{ReportExports: []githubapi.UsageReportExport{}, DetailedUsage: rows},
	}}
	return d
}

func startDetailFake(t *testing.T) *fakegithub.Server {
	return startDetailFakeOf(t, detailFixture())
}

func startDetailFakeOf(t *testing.T, d *fakegithub.Dataset) *fakegithub.Server {
	fake := fakegithubtest.Start(t, d)
	fake.SetClock(func() time.Time { return testNow })
	fake.RequireToken(detailToken)
	return fake
}

// backfillDetail backfills usage_detail of ent (or f.Collectors), top 2
// workflows and users, one request at a time.
func backfillDetail(t *testing.T, fake *fakegithub.Server, f Flags) (string, error) {
	t.Helper()
	if f.Collectors == "" {
		f.Collectors = collector.UsageDetail
	}
	f.Concurrency, f.Settle = 1, 1
	plan, err := NewPlan(f, testNow)
	if err != nil {
		t.Fatal(err)
	}
	counter := &Counter{}
	client := fakegithubtest.Client(t, fake, githubapi.Options{Observer: counter,
		HTTPClient: &http.Client{Transport: &githubapi.TokenTransport{Token: detailToken}},
		Retries:    githubapi.RetryPolicy{Max: 1, Base: time.Millisecond, Cap: time.Millisecond}})
	var stderr, stdout bytes.Buffer
	err = Run(context.Background(), Config{
		Plan: plan, Targets: []collector.Target{{Account: testEnterprise, Client: client}},
		Options: collector.Options{UsageDetailTopWorkflows: 2, UsageDetailTopUsers: 2},
		Counter: counter, Stdout: &stdout, Stderr: &stderr, Now: func() time.Time { return testNow },
	})
	return stderr.String(), err
}

func detailWorkflow(name, repo, path string) string {
	return "github_billing_usage_workflow_" + name + `{account="ent",organization="octo",product="actions",repository="` + repo +
		`",scope="enterprise",sku="actions_linux",unit_type="minutes",workflow_path="` + strings.ReplaceAll(path, `"`, `\"`) + `"}`
}

func detailUser(name, user string) string {
	return "github_billing_usage_user_" + name + `{account="ent",product="actions",scope="enterprise",sku="actions_linux",unit_type="minutes",user="` + user + `"}`
}

// A backfill of November from one detailed export writes, for each day D,
// the sums of the rows dated 1…D, with lint and octocat in "__other__" on
// every day (the top 2 ranked on the month). It asks GitHub for one export,
// downloads its three parts without the token, and a second run of the
// month reuses that export.
func TestBackfillUsageDetailMonthToDate(t *testing.T) {
	t.Parallel()
	fake := startDetailFake(t)
	out := filepath.Join(t.TempDir(), "detail.om")
	if stderr, err := backfillDetail(t, fake, Flags{From: "2026-11", To: "2026-11", Output: out}); err != nil {
		t.Fatalf("backfill: %v\n%s", err, stderr)
	}
	samples := readSamples(t, out)
	day := func(d int) time.Time { return time.Date(2026, time.November, d, 0, 0, 0, 0, time.UTC) }
	other := collector.OtherUser
	for _, c := range []struct {
		series string
		day    int
		want   float64
		sum    string
	}{
		{detailWorkflow("quantity", "octo/api", detailBuild), 12, 78, "1+2+…+12 = 12·13/2"},
		{detailWorkflow("net_amount_usd", "octo/api", detailBuild), 12, 39, "0.5·78"},
		{detailWorkflow("gross_amount_usd", "octo/api", detailBuild), 12, 39, "0.5·78"},
		{detailWorkflow("discount_amount_usd", "octo/api", detailBuild), 12, 0, "no discount"},
		{detailWorkflow("quantity", "octo/api", detailBuild), 14, 105, "14·15/2, octocat's row is on the 15th"},
		{detailWorkflow("quantity", "octo/api", detailBuild), 15, 126, "15·16/2 = 120, + octocat's 6"},
		{detailWorkflow("net_amount_usd", "octo/api", detailBuild), 15, 63, "0.5·120 + 3"},
		{detailWorkflow("net_amount_usd", "octo/api", detailBuild), 30, 235.5, "0.5·465 + 3"},
		{detailWorkflow("quantity", "octo/web", detailDeploy), 12, 24, "6 even days (2…12) · 4"},
		{detailWorkflow("discount_amount_usd", "octo/web", detailDeploy), 12, 1.5, "6 · 0.25"},
		{detailWorkflow("net_amount_usd", "octo/web", detailDeploy), 12, 4.5, "6 · 0.75"},
		{detailWorkflow("net_amount_usd", "octo/web", detailDeploy), 13, 4.5, "no row on the 13th"},
		{detailWorkflow("net_amount_usd", "octo/web", other), 1, 0.125, "lint, past the top 2 of the month"},
		{detailWorkflow("quantity", "octo/web", other), 30, 2, "lint's one row"},
		{detailUser("quantity", "mona"), 12, 78, "build's rows by mona, 1…12"},
		{detailUser("net_amount_usd", "mona"), 15, 60, "0.5·120; the 15th's row of 3 is octocat's"},
		{detailUser("net_amount_usd", "hubot"), 12, 4.5, "6 · 0.75"},
		{detailUser("net_amount_usd", other), 1, 0.125, "octocat's lint row"},
		{detailUser("net_amount_usd", other), 14, 0.125, "octocat's lint row"},
		{detailUser("net_amount_usd", other), 15, 3.125, "0.125 + 3"},
		{detailUser("quantity", other), 30, 8, "2 + 6"},
	} {
		if got := sampleValue(t, samples, c.series, day(c.day)); got != c.want {
			t.Errorf("%s at the end of 2026-11-%02d = %v, want %v (%s)", c.series, c.day, got, c.want, c.sum)
		}
	}
	// Every day of November has build's sample; deploy's starts on the
	// 2nd, its first row; lint and octocat never stand alone.
	if n := len(samples[detailWorkflow("net_amount_usd", "octo/api", detailBuild)]); n != 30 {
		t.Errorf("build has %d samples, want 30", n)
	}
	if n := len(samples[detailWorkflow("net_amount_usd", "octo/web", detailDeploy)]); n != 29 {
		t.Errorf("deploy has %d samples, want 29 (the 2nd to the 30th)", n)
	}
	for series := range samples {
		if strings.Contains(series, detailLint) || strings.Contains(series, `user="octocat"`) {
			t.Errorf("%s stands alone: it is past the top 2 of the month", series)
		}
	}
	// One export asked for, polled once, its three parts downloaded
	// without a credential.
	if n := fake.Requests("/enterprises/ent/settings/billing/reports"); n != 2 {
		t.Errorf("%d requests to the export list, want 2 (the list, one POST)", n)
	}
	downloads := fake.DownloadHeaders()
	if len(downloads) != fakegithub.DefaultExportParts {
		t.Errorf("%d downloads, want %d parts", len(downloads), fakegithub.DefaultExportParts)
	}
	for _, h := range downloads {
		if h.Get("Authorization") != "" || h.Get("Cookie") != "" {
			t.Errorf("a download carried a credential: %v", h)
		}
	}
	// A second run reuses the completed export: the list, no POST.
	again := filepath.Join(t.TempDir(), "again.om")
	if stderr, err := backfillDetail(t, fake, Flags{From: "2026-11-10", To: "2026-11-12", Output: again}); err != nil {
		t.Fatalf("second backfill: %v\n%s", err, stderr)
	}
	if n := fake.Requests("/enterprises/ent/settings/billing/reports"); n != 3 {
		t.Errorf("%d requests to the export list after the second run, want 3 (no second POST)", n)
	}
	if got := sampleValue(t, readSamples(t, again), detailWorkflow("quantity", "octo/api", detailBuild), day(12)); got != 78 {
		t.Errorf("second run: build's minutes to the 12th = %v, want 78", got)
	}
}

// The usage_detail history imports with promtool, every sample of it.
func TestBackfillUsageDetailImportsWithPromtool(t *testing.T) {
	t.Parallel()
	promtool := testutil.RequireTool(t, testutil.ToolPromtool)
	fake := startDetailFake(t)
	dir := t.TempDir()
	out := filepath.Join(dir, "detail.om")
	if stderr, err := backfillDetail(t, fake, Flags{From: "2026-11", To: "2026-11", Output: out}); err != nil {
		t.Fatalf("backfill: %v\n%s", err, stderr)
	}
	body, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	samples := checkGrouping(t, string(body))
	// Per day: build and the web "__other__" 4 samples each; deploy 4
	// from the 2nd; users mona and "__other__" 4 each, hubot 4 from the
	// 2nd; the last-day gauge 1. 30·(4+4+4+4+1) + 29·(4+4) = 510 + 232.
	if samples != 742 {
		t.Errorf("the output has %d samples, want 742", samples)
	}
	imported, report := promtoolImport(t, promtool, out, filepath.Join(dir, "blocks"))
	if imported != samples {
		t.Errorf("promtool imported %d samples, the file has %d\n%s", imported, samples, report)
	}
}

// A backfill of usage and usage_detail stopped by the rate limit in the
// middle of November, rerun, writes the same file as one never stopped,
// and the rerun reuses the export the first run asked for.
func TestBackfillUsageDetailResumedEqualsUninterrupted(t *testing.T) {
	t.Parallel()
	// ent's usage history of fixture(), with the detailed export's rows.
	dataset := func() *fakegithub.Dataset {
		d := fixture()
		d.Enterprises["ent"].Platform.ReportExports = []githubapi.UsageReportExport{}
		d.Enterprises["ent"].Platform.DetailedUsage = detailFixture().Enterprises["ent"].Platform.DetailedUsage
		return d
	}
	dir := t.TempDir()
	flags := Flags{From: "2026-11-01", To: "2026-11-20", Collectors: "usage," + collector.UsageDetail, Output: filepath.Join(dir, "whole.om")}
	if stderr, err := backfillDetail(t, startDetailFakeOf(t, dataset()), flags); err != nil {
		t.Fatalf("uninterrupted backfill: %v\n%s", err, stderr)
	}
	want, err := os.ReadFile(flags.Output)
	if err != nil {
		t.Fatal(err)
	}

	fake := startDetailFakeOf(t, dataset())
	flags.Output = filepath.Join(dir, "resumed.om")
	// The cost-center list; on the 1st the usage report twice (Team A,
	// none) and the export list, its POST and its poll; then 2 a day:
	// 1 + 5 + 4 · 2 = 14 requests for the 1st to the 5th, and the 15th
	// is the first of the 6th.
	fake.SetRateLimitRemaining(15)
	stderr, err := backfillDetail(t, fake, flags)
	if !errors.Is(err, githubapi.ErrRateLimited) || !strings.Contains(err.Error(), "every day up to 2026-11-05 is kept") {
		t.Fatalf("backfill against an exhausted rate limit: %v, want stopped at the 6th\n%s", err, stderr)
	}
	fake.SetRateLimitRemaining(5000)
	if stderr, err := backfillDetail(t, fake, flags); err != nil || !strings.Contains(stderr, "continuing after 2026-11-05") {
		t.Fatalf("resumed backfill: %v\n%s", err, stderr)
	}
	got, err := os.ReadFile(flags.Output)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("resumed output (%d bytes) differs from the uninterrupted one (%d bytes)", len(got), len(want))
	}
	// Both runs listed the exports; the first alone asked for one.
	if n := fake.Requests("/enterprises/ent/settings/billing/reports"); n != 3 {
		t.Errorf("%d requests to the export list, want 3 (list and POST, then the list)", n)
	}
	// mona's minutes to the 20th: 20·21/2 = 210.
	if v := sampleValue(t, readSamples(t, flags.Output), detailUser("quantity", "mona"), time.Date(2026, time.November, 20, 0, 0, 0, 0, time.UTC)); v != 210 {
		t.Errorf("mona's minutes to the 20th = %v, want 210", v)
	}
}
