package collector

import (
	"context"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/github-billing-exporter/github-billing-exporter/githubapi"
	"github.com/github-billing-exporter/github-billing-exporter/internal/fakegithub"
)

// recordSleeps makes c's waits between polls return at once, recording
// them; then runs after each.
func recordSleeps(c *usageDetailCollector, then func(n int)) *[]time.Duration {
	var waits []time.Duration
	c.sleep = func(_ context.Context, d time.Duration) error {
		waits = append(waits, d)
		if then != nil {
			then(len(waits))
		}
		return nil
	}
	return &waits
}

func novemberDay(d int) time.Time { return time.Date(2026, time.November, d, 0, 0, 0, 0, time.UTC) }

// The month of the history is the 1st to the last day the run adds (the
// 4th here); the export of it is asked for once, at the first day added,
// and each day's month to date sums the rows dated up to it.
func TestUsageDetailHistorySumsTheMonthToEachDay(t *testing.T) {
	srv, client, c, _ := newDetailFixture(t, Options{})
	waits := recordSleeps(c, nil)
	m := c.startMonth(detailAcme).(*detailMonth)
	m.setLastDay(novemberDay(4))
	ctx := context.Background()
	for _, c := range []struct {
		day  int
		want map[string]float64
	}{
		// The 3rd: api ci.yml 412 + 138 = 550 minutes; mona 412.
		{3, map[string]float64{
			"github_billing_usage_workflow_quantity{octo-platform,octo-platform/api,.github/workflows/ci.yml,actions,actions_linux,minutes}": 550,
			"github_billing_usage_user_quantity{mona,actions,actions_linux,minutes}":                                                         412,
			"github_billing_usage_user_net_amount_usd{hubot,actions,actions_linux_4_core,minutes}":                                           1.146,
			"github_billing_usage_detail_last_day_timestamp_seconds{}":                                                                       1793664000, // 2026-11-03T00:00:00Z
		}},
		// The 4th: api ci.yml has no row that day, still 550; mona
		// 412 + 220 = 632, gross 2.472 + 1.32 = 3.792, net 0 + 0.9.
		{4, map[string]float64{
			"github_billing_usage_workflow_quantity{octo-platform,octo-platform/api,.github/workflows/ci.yml,actions,actions_linux,minutes}": 550,
			"github_billing_usage_user_quantity{mona,actions,actions_linux,minutes}":                                                         632,
			"github_billing_usage_user_gross_amount_usd{mona,actions,actions_linux,minutes}":                                                 3.792,
			"github_billing_usage_user_net_amount_usd{mona,actions,actions_linux,minutes}":                                                   0.9,
			"github_billing_usage_detail_last_day_timestamp_seconds{}":                                                                       1793750400,
		}},
	} {
		if err := m.addDay(ctx, client, novemberDay(c.day), nil); err != nil {
			t.Fatalf("day %d: %v", c.day, err)
		}
		got := detailValues(t, m.metrics())
		expectValues(t, got, c.want)
		// The 4th's rows are not in the 3rd's month to date.
		if _, ok := got["github_billing_usage_user_quantity{codertocat,actions,actions_windows,minutes}"]; ok != (c.day == 4) {
			t.Errorf("day %d: codertocat's row of the 4th present: %v", c.day, ok)
		}
	}
	// The list, one POST; one GET of the export, at once, and no wait.
	if n := srv.Requests("/enterprises/acme/settings/billing/reports"); n != 2 {
		t.Errorf("%d requests to the export list, want 2", n)
	}
	if len(*waits) != 0 {
		t.Errorf("waited %v, want no wait: the export was done at its first poll", *waits)
	}
	exports, err := client.UsageReportExports(ctx, detailAcme)
	if err != nil || len(exports) != 1 || exports[0].StartDate != "2026-11-01" || exports[0].EndDate != "2026-11-04" {
		t.Errorf("exports %+v (%v), want one of 2026-11-01 to 2026-11-04", exports, err)
	}
}

// An export that stays processing is polled with a doubling wait (1, 2,
// 4, 8, 16 minutes, then 30) until six hours have gone by: 1+2+4+8+16 =
// 31, + 11·30 = 361 minutes, 16 waits; the day then fails, and nothing
// more is asked for.
func TestUsageDetailHistoryPollsWithBackOffAndGivesUp(t *testing.T) {
	srv, client, c, _ := newDetailFixture(t, Options{})
	srv.SetExportOutcome(githubapi.ExportProcessing)
	waits := recordSleeps(c, nil)
	m := c.startMonth(detailAcme).(*detailMonth)
	m.setLastDay(novemberDay(4))
	err := m.addDay(context.Background(), client, novemberDay(1), nil)
	if err == nil || !strings.Contains(err.Error(), "stuck") {
		t.Fatalf("addDay: %v, want stuck", err)
	}
	want := []time.Duration{1, 2, 4, 8, 16, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30}
	for i := range want {
		want[i] *= time.Minute
	}
	if !slices.Equal(*waits, want) {
		t.Errorf("waits %v, want %v", *waits, want)
	}
	if n := srv.Requests("/enterprises/acme/settings/billing/reports"); n != 2 {
		t.Errorf("%d requests to the export list, want 2 (list, one POST)", n)
	}
	// One poll at once and one after each wait.
	if n := srv.Requests("/enterprises/acme/settings/billing/reports/0c5e7a2d-4b1f-4e8a-9c3d-000000000001"); n != 17 {
		t.Errorf("%d polls, want 17", n)
	}
	if m.metrics() != nil {
		t.Error("a month not read has samples")
	}
}

// A failed export fails the day, and says so.
func TestUsageDetailHistoryFailedExport(t *testing.T) {
	srv, client, c, _ := newDetailFixture(t, Options{})
	srv.SetExportOutcome(githubapi.ExportFailed)
	recordSleeps(c, nil)
	m := c.startMonth(detailAcme).(*detailMonth)
	err := m.addDay(context.Background(), client, novemberDay(1), nil)
	if err == nil || !strings.Contains(err.Error(), "failed") {
		t.Fatalf("addDay: %v, want the export failed", err)
	}
}

// Another export in progress (GitHub builds one at a time): the month
// waits, lists again, and asks for its own once the other is done.
func TestUsageDetailHistoryWaitsForAnotherExport(t *testing.T) {
	srv, client, c, _ := newDetailFixture(t, Options{})
	srv.Update(func(d *fakegithub.Dataset) {
		d.Enterprises["acme"].Platform.ReportExports = []githubapi.UsageReportExport{
			{ID: "theirs", ReportType: "summarized", Status: "processing", StartDate: "2026-01-01", EndDate: "2026-10-31", CreatedAt: "2026-11-05T08:00:00Z", Actor: "admin"},
		}
	})
	waits := recordSleeps(c, func(int) {
		srv.Update(func(d *fakegithub.Dataset) { d.Enterprises["acme"].Platform.ReportExports[0].Status = "completed" })
	})
	m := c.startMonth(detailAcme).(*detailMonth)
	m.setLastDay(novemberDay(4))
	if err := m.addDay(context.Background(), client, novemberDay(4), nil); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(*waits, []time.Duration{time.Minute}) {
		t.Errorf("waits %v, want one of a minute", *waits)
	}
	// List, list again, POST.
	if n := srv.Requests("/enterprises/acme/settings/billing/reports"); n != 3 {
		t.Errorf("%d requests to the export list, want 3", n)
	}
	// codertocat's Windows minutes of the 4th: 45.
	expectValues(t, detailValues(t, m.metrics()), map[string]float64{
		"github_billing_usage_user_quantity{codertocat,actions,actions_windows,minutes}": 45,
	})
}

// Past the top N, the history sums workflows under workflow_path and
// users under user "__other__", and every family's sum over its series is
// the same as with nothing folded.
func TestUsageDetailHistoryFoldsPastTheTop(t *testing.T) {
	read := func(o Options) map[string]float64 {
		_, client, c, _ := newDetailFixture(t, o)
		recordSleeps(c, nil)
		m := c.startMonth(detailAcme).(*detailMonth)
		m.setLastDay(novemberDay(4))
		if err := m.addDay(context.Background(), client, novemberDay(4), nil); err != nil {
			t.Fatal(err)
		}
		return detailValues(t, m.metrics())
	}
	totals := func(values map[string]float64) (map[string]float64, map[string]bool) {
		sums, other := map[string]float64{}, map[string]bool{}
		for k, v := range values {
			name, labels, _ := strings.Cut(strings.TrimSuffix(k, "}"), "{")
			sums[name] += v
			l := strings.Split(labels, ",")
			switch {
			case strings.HasPrefix(name, "github_billing_usage_workflow_") && len(l) == 6:
				other[name] = other[name] || l[2] == OtherUser
			case strings.HasPrefix(name, "github_billing_usage_user_") && len(l) == 4:
				other[name] = other[name] || l[0] == OtherUser
			}
		}
		return sums, other
	}
	whole, wholeOther := totals(read(Options{}))
	folded, foldedOther := totals(read(Options{UsageDetailTopWorkflows: 1, UsageDetailTopUsers: 1}))
	for _, name := range []string{"github_billing_usage_workflow_quantity", "github_billing_usage_workflow_net_amount_usd",
		"github_billing_usage_user_quantity", "github_billing_usage_user_gross_amount_usd"} {
		if wholeOther[name] {
			t.Errorf("%s: __other__ with nothing past the top", name)
		}
		if !foldedOther[name] {
			t.Errorf("%s: no __other__ series with a top of 1", name)
		}
		if math.Abs(whole[name]-folded[name]) > 1e-9 {
			t.Errorf("%s: sum %v folded, %v whole", name, folded[name], whole[name])
		}
	}
}
