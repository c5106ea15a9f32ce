package collector

import (
	"bytes"
	"context"
	"encoding/csv"
	"math"
	"net/http"
	"os"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/github-billing-exporter/github-billing-exporter/githubapi"
	"github.com/github-billing-exporter/github-billing-exporter/internal/fakegithub"
	"github.com/github-billing-exporter/github-billing-exporter/internal/fakegithub/fakegithubtest"
)

var detailAcme = githubapi.Account{Scope: githubapi.ScopeEnterprise, Name: "acme"}

// detailRowsFromCSV reads the constructed detailed export (API.md §15.6)
// into the fake's rows.
func detailRowsFromCSV(t *testing.T) []fakegithub.DetailedUsageRow {
	t.Helper()
	data, err := os.ReadFile("../githubapi/testdata/exports/usage-report-detailed.constructed.csv")
	if err != nil {
		t.Fatal(err)
	}
	records, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	num := func(s string) float64 {
		v, err := strconv.ParseFloat(s, 64)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	var rows []fakegithub.DetailedUsageRow
	for _, r := range records[1:] {
		rows = append(rows, fakegithub.DetailedUsageRow{Date: r[0], Product: r[1], SKU: r[2], Quantity: num(r[3]), UnitType: r[4],
			PricePerUnit: num(r[5]), Gross: num(r[6]), Discount: num(r[7]), Net: num(r[8]), Username: r[9], Organization: r[10],
			Repository: r[11], WorkflowPath: r[12], CostCenter: r[13]})
	}
	return rows
}

// detailDataset is the enterprise acme with the constructed export's ten
// rows (2026-11-03 and 04) and the /usage rows of the same usage, summed
// per repository, SKU and day as /usage sums them, plus a row of 11-05,
// a day the export does not cover.
func detailDataset(t *testing.T) *fakegithub.Dataset {
	d := fakegithub.NewDataset()
	item := func(date, product, sku string, q, gross, discount, net float64, org, repo string) githubapi.UsageItem {
		return githubapi.UsageItem{Date: date, Product: product, SKU: sku, Quantity: q, UnitType: "minutes",
			GrossAmount: gross, DiscountAmount: discount, NetAmount: net, OrganizationName: org, RepositoryName: repo}
	}
	usage := []githubapi.UsageItem{
		item("2026-11-03", "actions", "actions_linux", 550, 3.3, 3.3, 0, "octo-platform", "octo-platform/api"),
		item("2026-11-03", "actions", "actions_linux_4_core", 95.5, 1.146, 0, 1.146, "octo-platform", "octo-platform/api"),
		item("2026-11-03", "actions", "actions_macos", 30, 1.86, 0, 1.86, "octo-mobile", "octo-mobile/ios-app"),
		item("2026-11-03", "copilot", "copilot_ai_credit", 1234.5, 12.345, 12.345, 0, "octo-platform", ""),
		item("2026-11-04", "actions", "actions_linux", 220, 1.32, 0.42, 0.9, "octo-platform", "octo-platform/web"),
		item("2026-11-04", "actions", "actions_linux", 60, 0.36, 0.36, 0, "octo-mobile", "octo-mobile/oss-sdk"),
		item("2026-11-04", "actions", "actions_windows", 45, 0.45, 0, 0.45, "octo-labs", "octo-labs/experiments"),
		item("2026-11-04", "copilot", "copilot_ai_credit", 88.25, 0.8825, 0.8825, 0, "octo-platform", ""),
		item("2026-11-04", "copilot", "copilot_ai_credit", 300, 3, 1.2, 1.8, "octo-labs", ""),
		item("2026-11-05", "actions", "actions_linux", 100, 5, 0, 5, "octo-platform", "octo-platform/api"),
	}
	d.Enterprises["acme"] = &fakegithub.AccountData{Platform: &fakegithub.PlatformData{
		UsageData: fakegithub.UsageData{UsageItems: map[string][]githubapi.UsageItem{"": usage}},
		BillingObjects: fakegithub.BillingObjects{ReportExports: []githubapi.UsageReportExport{},
			DetailedUsage: detailRowsFromCSV(t)},
	}}
	return d
}

// detailClock is a clock the test moves.
type detailClock struct{ t time.Time }

func (c *detailClock) now() time.Time { return c.t }

func newDetailFixture(t *testing.T, o Options) (*fakegithub.Server, *githubapi.Client, *usageDetailCollector, *detailClock) {
	clock := &detailClock{t: time.Date(2026, time.November, 5, 12, 0, 0, 0, time.UTC)}
	srv := fakegithubtest.Start(t, detailDataset(t))
	srv.SetClock(clock.now)
	srv.RequireToken("ghp_detailtesttoken000000000000000000")
	client := fakegithubtest.Client(t, srv, githubapi.Options{HTTPClient: &http.Client{Transport: &githubapi.TokenTransport{Token: "ghp_detailtesttoken000000000000000000"}}, Now: clock.now})
	o.now = clock.now
	return srv, client, newUsageDetailCollector(o).(*usageDetailCollector), clock
}

// detailValues are the samples by name and label values (after scope and
// account), "name{v1,v2,…}".
func detailValues(t *testing.T, metrics []prometheus.Metric) map[string]float64 {
	t.Helper()
	out := map[string]float64{}
	for _, m := range metrics {
		s := m.(*Sample)
		out[s.Family().Name()+"{"+strings.Join(s.LabelValues()[2:], ",")+"}"] = s.Value()
	}
	return out
}

func expectValues(t *testing.T, got map[string]float64, want map[string]float64) {
	t.Helper()
	for k, v := range want {
		g, ok := got[k]
		if !ok {
			t.Errorf("no %s", k)
			continue
		}
		if math.Abs(g-v) > 1e-9 {
			t.Errorf("%s = %v, want %v", k, g, v)
		}
	}
}

// The view asks for an export of the 1st to yesterday, polls it at the
// next refresh, downloads its three parts without the token, and sums
// them per workflow and per user; the top 3 workflows and the top 2 users
// keep their series.
func TestUsageDetailCreatesPollsAndSums(t *testing.T) {
	srv, client, c, clock := newDetailFixture(t, Options{UsageDetailTopWorkflows: 3, UsageDetailTopUsers: 2})
	ctx := context.Background()
	if _, err := c.Update(ctx, client, detailAcme); err == nil || !strings.Contains(err.Error(), "processing") {
		t.Fatalf("first refresh: %v, want the export processing", err)
	}
	// The list and the POST.
	if n := srv.Requests("/enterprises/acme/settings/billing/reports"); n != 2 {
		t.Errorf("%d requests to the export list, want 2 (list, create)", n)
	}
	// Before the poll's back-off (1 minute): no request.
	clock.t = clock.t.Add(30 * time.Second)
	if _, err := c.Update(ctx, client, detailAcme); err == nil {
		t.Fatal("no error while the export processes")
	}
	if n := srv.TotalRequests(); n != 2 {
		t.Errorf("%d requests, want still 2", n)
	}
	clock.t = clock.t.Add(time.Minute)
	metrics, err := c.Update(ctx, client, detailAcme)
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range srv.DownloadHeaders() {
		if h.Get("Authorization") != "" || h.Get("Cookie") != "" {
			t.Errorf("a download carried a credential: %v", h)
		}
	}
	if n := len(srv.DownloadHeaders()); n != 3 {
		t.Errorf("%d downloads, want the 3 parts", n)
	}
	got := detailValues(t, metrics)
	// Workflows by net (hand sums of the CSV's rows): ios-app release
	// 1.86, octo-labs Copilot 1.8 (row 10), api deploy 1.146 kept; the
	// rest folded per repository. api ci.yml: 412+138 = 550 min,
	// 2.472+0.828 = 3.3 gross and discount, net 0.
	expectValues(t, got, map[string]float64{
		"github_billing_usage_workflow_net_amount_usd{octo-mobile,octo-mobile/ios-app,.github/workflows/release.yml,actions,actions_macos,minutes}":           1.86,
		"github_billing_usage_workflow_net_amount_usd{octo-labs,,,copilot,copilot_ai_credit,ai-credits}":                                                      1.8,
		"github_billing_usage_workflow_quantity{octo-platform,octo-platform/api,.github/workflows/deploy, \"prod\".yml,actions,actions_linux_4_core,minutes}": 95.5,
		"github_billing_usage_workflow_quantity{octo-platform,octo-platform/api,__other__,actions,actions_linux,minutes}":                                     550,
		"github_billing_usage_workflow_gross_amount_usd{octo-platform,octo-platform/api,__other__,actions,actions_linux,minutes}":                             3.3,
		"github_billing_usage_workflow_discount_amount_usd{octo-platform,octo-platform/api,__other__,actions,actions_linux,minutes}":                          3.3,
		// Rows 5 and 9: 1234.5 + 88.25 credits, 12.345 + 0.8825 USD.
		"github_billing_usage_workflow_quantity{octo-platform,,__other__,copilot,copilot_ai_credit,ai-credits}":                   1322.75,
		"github_billing_usage_workflow_gross_amount_usd{octo-platform,,__other__,copilot,copilot_ai_credit,ai-credits}":           13.2275,
		"github_billing_usage_workflow_net_amount_usd{octo-platform,octo-platform/web,__other__,actions,actions_linux,minutes}":   0.9,
		"github_billing_usage_workflow_net_amount_usd{octo-labs,octo-labs/experiments,__other__,actions,actions_windows,minutes}": 0.45,
		// Users by net: codertocat 0.45 + 1.8 = 2.25, octocat 1.86 kept;
		// mona (0.9) and hubot (1.146) summed.
		"github_billing_usage_user_net_amount_usd{codertocat,copilot,copilot_ai_credit,ai-credits}": 1.8,
		"github_billing_usage_user_quantity{octocat,actions,actions_linux,minutes}":                 60,
		// mona 412 + 220, hubot 138 minutes; gross 2.472 + 1.32 + 0.828.
		"github_billing_usage_user_quantity{__other__,actions,actions_linux,minutes}":              770,
		"github_billing_usage_user_gross_amount_usd{__other__,actions,actions_linux,minutes}":      4.62,
		"github_billing_usage_user_discount_amount_usd{__other__,actions,actions_linux,minutes}":   3.72,
		"github_billing_usage_user_net_amount_usd{__other__,actions,actions_linux,minutes}":        0.9,
		"github_billing_usage_user_net_amount_usd{__other__,actions,actions_linux_4_core,minutes}": 1.146,
		// /usage of 11-01 to 11-04 equals the export: actions 1.146 +
		// 1.86 + 0.9 + 0.45 = 4.356, copilot 1.8; 11-05 is left out.
		"github_billing_usage_detail_reconciliation_difference_usd{actions}": 0,
		"github_billing_usage_detail_reconciliation_difference_usd{copilot}": 0,
		// 2026-11-04T00:00:00Z.
		"github_billing_usage_detail_last_day_timestamp_seconds{}": 1793750400,
	})
	for _, name := range []string{"workflow", "user"} {
		var net, gross float64
		for k, v := range got {
			if strings.HasPrefix(k, "github_billing_usage_"+name+"_net_amount_usd{") {
				net += v
			}
			if strings.HasPrefix(k, "github_billing_usage_"+name+"_gross_amount_usd{") {
				gross += v
			}
		}
		// The account's /usage for the 3rd and 4th: net 4.356 + 1.8 =
		// 6.156; gross 3.3 + 1.146 + 1.86 + 12.345 + 1.32 + 0.36 + 0.45 +
		// 3.8825 = 24.6635.
		if math.Abs(net-6.156) > 1e-9 || math.Abs(gross-24.6635) > 1e-9 {
			t.Errorf("sum over %ss: net %v gross %v, want 6.156 and 24.6635", name, net, gross)
		}
	}
	// Three workflows kept, folded ones never kept twice.
	kept := map[string]bool{}
	for k := range got {
		if rest, ok := strings.CutPrefix(k, "github_billing_usage_workflow_net_amount_usd{"); ok && !strings.Contains(rest, OtherUser) {
			kept[rest] = true
		}
	}
	if len(kept) != 3 {
		keys := make([]string, 0, len(kept))
		for k := range kept {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		t.Errorf("%d workflow series kept, want 3: %v", len(kept), keys)
	}

	// The next refresh, the same day: nothing asked, the same data.
	before := srv.TotalRequests()
	again, err := c.Update(ctx, client, detailAcme)
	if err != nil || len(again) != len(metrics) {
		t.Errorf("second refresh: %d series, %v", len(again), err)
	}
	if n := srv.TotalRequests(); n != before {
		t.Errorf("%d requests on a refresh with nothing to do", n-before)
	}
}

// A completed export someone made after the last day ended is read, not a
// new one asked for; one made during that day is not.
func TestUsageDetailReusesACompletedExport(t *testing.T) {
	srv, client, c, _ := newDetailFixture(t, Options{})
	srv.Update(func(d *fakegithub.Dataset) {
		d.Enterprises["acme"].Platform.ReportExports = []githubapi.UsageReportExport{
			{ID: "early", ReportType: "detailed", Status: "completed", StartDate: "2026-11-01", EndDate: "2026-11-04", CreatedAt: "2026-11-04T23:00:00Z"},
			{ID: "admin", ReportType: "detailed", Status: "completed", StartDate: "2026-10-15", EndDate: "2026-11-05", CreatedAt: "2026-11-05T08:00:00Z"},
		}
	})
	metrics, err := c.Update(context.Background(), client, detailAcme)
	if err != nil {
		t.Fatal(err)
	}
	if n := srv.Requests("/enterprises/acme/settings/billing/reports"); n != 1 {
		t.Errorf("%d requests to the export list, want the list alone", n)
	}
	got := detailValues(t, metrics)
	expectValues(t, got, map[string]float64{
		"github_billing_usage_user_net_amount_usd{codertocat,copilot,copilot_ai_credit,ai-credits}": 1.8,
	})
}

// Another export in progress: the view waits and asks for nothing.
func TestUsageDetailWaitsForAnotherExport(t *testing.T) {
	srv, client, c, _ := newDetailFixture(t, Options{})
	srv.Update(func(d *fakegithub.Dataset) {
		d.Enterprises["acme"].Platform.ReportExports = []githubapi.UsageReportExport{
			{ID: "ai", ReportType: "ai_credit", Status: "processing", StartDate: "2026-11-01", EndDate: "2026-11-05"},
		}
	})
	_, err := c.Update(context.Background(), client, detailAcme)
	if err == nil || !strings.Contains(err.Error(), "waiting for export ai") {
		t.Errorf("error %v, want a wait for export ai", err)
	}
	if n := srv.Requests("/enterprises/acme/settings/billing/reports"); n != 1 {
		t.Errorf("%d requests to the export list, want the list alone (no POST)", n)
	}
}

// A failed export, one that stays processing, a part cut short and a
// header that changes columns: each is an error, the last good data
// stays (the cache serves it), and nothing is counted twice.
func TestUsageDetailFailures(t *testing.T) {
	ctx := context.Background()
	t.Run("failed", func(t *testing.T) {
		srv, client, c, clock := newDetailFixture(t, Options{})
		srv.SetExportOutcome(githubapi.ExportFailed)
		c.Update(ctx, client, detailAcme) //nolint:errcheck // processing
		clock.t = clock.t.Add(2 * time.Minute)
		if _, err := c.Update(ctx, client, detailAcme); err == nil || !strings.Contains(err.Error(), "failed") {
			t.Errorf("error %v, want the export failed", err)
		}
		// No new export before a refresh interval has passed.
		clock.t = clock.t.Add(time.Hour + time.Minute)
		c.Update(ctx, client, detailAcme) //nolint:errcheck // an error
		if n := srv.Requests("/enterprises/acme/settings/billing/reports"); n != 3 {
			t.Errorf("%d list/create requests, want 3 (list, create, list)", n)
		}
	})
	t.Run("stuck", func(t *testing.T) {
		srv, client, c, clock := newDetailFixture(t, Options{})
		srv.SetExportOutcome(githubapi.ExportProcessing)
		c.Update(ctx, client, detailAcme) //nolint:errcheck // processing
		clock.t = clock.t.Add(7 * time.Hour)
		if _, err := c.Update(ctx, client, detailAcme); err == nil || !strings.Contains(err.Error(), "stuck") {
			t.Errorf("error %v, want the export stuck", err)
		}
	})
	for _, c := range []struct {
		name, want string
		filter     func(part int, body []byte) []byte
	}{
		{"part cut short", "cut short", func(part int, body []byte) []byte {
			if part == 2 {
				// Into the last row's workflow path: too few fields.
				return body[:len(body)-40]
			}
			return body
		}},
		{"header changes", "header changed", func(part int, body []byte) []byte {
			if part == 3 {
				return bytes.Replace(body, []byte("username,organization"), []byte("organization,username"), 1)
			}
			return body
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			srv, client, col, clock := newDetailFixture(t, Options{})
			col.Update(ctx, client, detailAcme) //nolint:errcheck // processing
			clock.t = clock.t.Add(2 * time.Minute)
			good, err := col.Update(ctx, client, detailAcme)
			if err != nil {
				t.Fatal(err)
			}
			// The next day: a new export, whose parts break.
			srv.SetPartFilter(c.filter)
			clock.t = clock.t.Add(24 * time.Hour)
			// While the new export processes, the last one's data is
			// served as a success: waiting is no failure.
			if waiting, err := col.Update(ctx, client, detailAcme); err != nil || len(waiting) != len(good) {
				t.Errorf("while the next export processes: %d series, %v; want the last good %d", len(waiting), err, len(good))
			}
			clock.t = clock.t.Add(2 * time.Minute)
			if _, err := col.Update(ctx, client, detailAcme); err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %v, want %q", err, c.want)
			}
			// Mended: the same export is read again from its first part,
			// and its figures are the same as the good export's.
			srv.SetPartFilter(nil)
			clock.t = clock.t.Add(15 * time.Minute)
			again, err := col.Update(ctx, client, detailAcme)
			if err != nil {
				t.Fatal(err)
			}
			g, a := detailValues(t, good), detailValues(t, again)
			for k, v := range g {
				switch k {
				case "github_billing_usage_detail_last_day_timestamp_seconds{}":
					continue
				case "github_billing_usage_detail_reconciliation_difference_usd{actions}":
					// /usage has 11-05's row (net 5), the export none:
					// 4.356 - 9.356.
					v = -5
				}
				if math.Abs(a[k]-v) > 1e-9 {
					t.Errorf("%s = %v after the retry, want %v (counted once)", k, a[k], v)
				}
			}
		})
	}
}

// The range is the 1st to yesterday, the 1st alone on the 1st.
func TestDetailRange(t *testing.T) {
	for _, c := range []struct {
		now      time.Time
		from, to string
	}{
		{time.Date(2026, 11, 5, 12, 0, 0, 0, time.UTC), "2026-11-01", "2026-11-04"},
		{time.Date(2026, 11, 1, 3, 0, 0, 0, time.UTC), "2026-11-01", "2026-11-01"},
		{time.Date(2026, 12, 31, 23, 59, 0, 0, time.UTC), "2026-12-01", "2026-12-30"},
	} {
		if _, from, to := detailRange(c.now); from != c.from || to != c.to {
			t.Errorf("%v: %s to %s, want %s to %s", c.now, from, to, c.from, c.to)
		}
	}
}

// On the 1st the view covers the 1st so far: an export of the 1st made
// that day is reused; made the day before, it is not.
func TestUsageDetailReusesTodaysExportOnTheFirst(t *testing.T) {
	now := time.Date(2026, 11, 1, 3, 0, 0, 0, time.UTC)
	exports := []githubapi.UsageReportExport{
		{ID: "yesterday", ReportType: "detailed", Status: "completed", StartDate: "2026-11-01", EndDate: "2026-11-01", CreatedAt: "2026-10-31T23:00:00Z", DownloadURLs: []string{"https://github.com/x"}},
		{ID: "today", ReportType: "detailed", Status: "completed", StartDate: "2026-11-01", EndDate: "2026-11-01", CreatedAt: "2026-11-01T01:00:00Z", DownloadURLs: []string{"https://github.com/y"}},
	}
	if x := reusable(exports, now, "2026-11-01", "2026-11-01"); x == nil || x.ID != "today" {
		t.Errorf("reused %v, want today's", x)
	}
	// On the 2nd, today's export of the 1st is of a day not over then.
	if x := reusable(exports, now.Add(24*time.Hour), "2026-11-01", "2026-11-01"); x != nil {
		t.Errorf("reused %s on the 2nd, want none", x.ID)
	}
}
