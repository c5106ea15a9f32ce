package collector

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/common/expfmt"

	"github.com/github-billing-exporter/github-billing-exporter/githubapi"
	"github.com/github-billing-exporter/github-billing-exporter/internal/fakegithub"
	"github.com/github-billing-exporter/github-billing-exporter/internal/fakegithub/fakegithubtest"
)

const copilotMetricsFiles = "../githubapi/testdata/copilot-metrics/"

// copilotMetricsFactory is the view's row of the table.
func copilotMetricsFactory() Factory {
	f, ok := Lookup(CopilotMetrics)
	if !ok {
		panic("no " + CopilotMetrics)
	}
	return f
}

// exposition is the text format of u, sorted as a registry sorts it.
func exposition(t *testing.T, u updated) string {
	t.Helper()
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(u)
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, mf := range mfs {
		if _, err := expfmt.MetricFamilyToText(&b, mf); err != nil {
			t.Fatal(err)
		}
	}
	return b.String()
}

func readMetricsFile(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(copilotMetricsFiles + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// metricsDataset is an enterprise acme and an organization web. acme's
// 2026-12-02 is the constructed users file and a second file, a JSON array
// with one more line of mona's (7.63 credits); its teams are the
// constructed user-teams file. web's 2026-12-03 has one line of mona's
// with 5 credits. No other day has data.
func metricsDataset(t *testing.T) *fakegithub.Dataset {
	d := fakegithub.NewDataset()
	d.Enterprises["acme"] = &fakegithub.AccountData{Platform: &fakegithub.PlatformData{}}
	d.Organizations["web"] = &fakegithub.AccountData{Platform: &fakegithub.PlatformData{}}
	d.Enterprises["acme"].Platform.CopilotMetricsReports = map[string]map[string][][]byte{
		"users-1-day": {"2026-12-02": {
			readMetricsFile(t, "copilot-metrics-users-1-day.constructed.ndjson"),
			[]byte(`[{"user_id":583231,"user_login":"mona","day":"2026-12-02","enterprise_id":"4821","ai_credits_used":7.63}]`),
		}},
		"user-teams-1-day": {"2026-12-02": {readMetricsFile(t, "copilot-metrics-user-teams-1-day.constructed.ndjson")}},
	}
	d.Organizations["web"].Platform.CopilotMetricsReports = map[string]map[string][][]byte{
		"users-1-day": {"2026-12-03": {[]byte(`{"user_id":583231,"user_login":"mona","day":"2026-12-03","organization_id":"77","ai_credits_used":5}` + "\n")}},
	}
	return d
}

var (
	acme = githubapi.Account{Scope: githubapi.ScopeEnterprise, Name: "acme"}
	web  = githubapi.Account{Scope: githubapi.ScopeOrganization, Name: "web"}
)

func TestCopilotMetricsOnTheConstructedFiles(t *testing.T) {
	srv := fakegithubtest.Start(t, metricsDataset(t))
	srv.RequireToken("api-token")
	client := fakegithubtest.Client(t, srv, githubapi.Options{HTTPClient: &http.Client{Transport: &githubapi.TokenTransport{Token: "api-token"}}})
	now := time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC)
	c := copilotMetricsFactory().New(Options{}, func() time.Time { return now })
	u := update(t, c, client, acme, web)
	// acme, 2026-12-02: mona 412.37 (file 1) + 7.63 (file 2) = 420; hubot
	// 96.4; octocat 0; codertocat's line lacks ai_credits_used: no series,
	// one user without. Teams: platform-engineering = mona 420 + hubot
	// 96.4 = 516.4; sre = mona 420 (mona counts in both); mobile =
	// octocat 0. The last day with data is 2026-12-02: 1,796,169,600
	// (2026-12-02T00:00:00Z; `date -ud 2026-12-02 +%s`).
	// web, 2026-12-03: mona 5, its own report, never added to acme's; no
	// teams; last day 2026-12-03 = 1,796,169,600 + 86,400 = 1,796,256,000.
	expectExposition(t, u, `
# HELP github_billing_copilot_metrics_last_day_timestamp_seconds Start (00:00 UTC) of the last day the usage-metrics month to date includes.
# TYPE github_billing_copilot_metrics_last_day_timestamp_seconds gauge
github_billing_copilot_metrics_last_day_timestamp_seconds{account="acme",scope="enterprise"} 1.7961696e+09
github_billing_copilot_metrics_last_day_timestamp_seconds{account="web",scope="organization"} 1.796256e+09
# HELP github_billing_copilot_metrics_team_ai_credits AI credits the team's members used this month to date, from the usage-metrics reports (user-teams-1-day joined to users-1-day per day; a user in two teams counts in both; teams under 5 seated users are left out by GitHub): a usage signal, not the bill.
# TYPE github_billing_copilot_metrics_team_ai_credits gauge
github_billing_copilot_metrics_team_ai_credits{account="acme",scope="enterprise",team="mobile"} 0
github_billing_copilot_metrics_team_ai_credits{account="acme",scope="enterprise",team="platform-engineering"} 516.4
github_billing_copilot_metrics_team_ai_credits{account="acme",scope="enterprise",team="sre"} 420
# HELP github_billing_copilot_metrics_user_ai_credits AI credits the user used this month to date, from the Copilot usage-metrics reports (sum of ai_credits_used over the month's days with data, 3-4 days behind): a usage signal, not the bill; never add it to the billed series.
# TYPE github_billing_copilot_metrics_user_ai_credits gauge
github_billing_copilot_metrics_user_ai_credits{account="acme",scope="enterprise",user="hubot"} 96.4
github_billing_copilot_metrics_user_ai_credits{account="acme",scope="enterprise",user="mona"} 420
github_billing_copilot_metrics_user_ai_credits{account="acme",scope="enterprise",user="octocat"} 0
github_billing_copilot_metrics_user_ai_credits{account="web",scope="organization",user="mona"} 5
# HELP github_billing_copilot_metrics_users_without_credits Users whose usage-metrics records this month lack ai_credits_used: unknown, so they have no user series (nor their teams a team series).
# TYPE github_billing_copilot_metrics_users_without_credits gauge
github_billing_copilot_metrics_users_without_credits{account="acme",scope="enterprise"} 1
github_billing_copilot_metrics_users_without_credits{account="web",scope="organization"} 0
`)
	// The complete days are the 1st to the 4th. acme: 4 users-report
	// links, and the user-teams links of the one day with data (12-02); its
	// files: 2 users + 1 teams. web: 4 users links + 1 user-teams link
	// (12-03, 204: no teams), 1 file. No file request carried a credential.
	expectPathRequests(t, srv, map[string]int{
		"/enterprises/acme/copilot/metrics/reports/users-1-day":      4,
		"/enterprises/acme/copilot/metrics/reports/user-teams-1-day": 1,
		"/orgs/web/copilot/metrics/reports/users-1-day":              4,
		"/orgs/web/copilot/metrics/reports/user-teams-1-day":         1,
	})
	if srv.FileRequests() != 4 || srv.FileRequestsWithCredentials() != 0 {
		t.Errorf("%d file requests, %d with Authorization or a cookie; want 4 and 0", srv.FileRequests(), srv.FileRequestsWithCredentials())
	}
}

// The first refresh of a month reads every complete day; the next ones
// only the last four complete days, with fresh links each time, and keep
// the older days.
func TestCopilotMetricsRereadsTheLastFourDays(t *testing.T) {
	srv := fakegithubtest.Start(t, metricsDataset(t))
	client := fakegithubtest.Client(t, srv, githubapi.Options{})
	now := time.Date(2026, 12, 10, 12, 0, 0, 0, time.UTC)
	srv.SetClock(func() time.Time { return now })
	c := copilotMetricsFactory().New(Options{}, func() time.Time { return now })
	path := "/enterprises/acme/copilot/metrics/reports/users-1-day"
	update(t, c, client, acme)
	// The 1st to the 9th.
	if got := srv.Requests(path); got != 9 {
		t.Fatalf("first refresh: %d requests, want 9", got)
	}
	// Six hours later: the last four complete days again, the 6th to
	// the 9th (4), and the three before while they have no data, the 3rd
	// to the 5th (3): 9 + 7 = 16. The 2nd has data and the 1st is more
	// than seven days back: not asked again. The signed links of the first
	// refresh expired an hour after they were made; each download uses new
	// ones.
	now = now.Add(6 * time.Hour)
	update(t, c, client, acme)
	if got := srv.Requests(path); got != 16 {
		t.Errorf("second refresh: %d requests in all, want 16", got)
	}
	// The 5th comes late, four days after it ended, with 10 credits of
	// hubot's. The next day: the 7th to the 10th (4) and the 4th to the 6th
	// (3): 16 + 7 = 23, and the 5th is in the month: hubot 96.4 + 10 =
	// 106.4.
	srv.Update(func(d *fakegithub.Dataset) {
		d.Enterprises["acme"].Platform.CopilotMetricsReports["users-1-day"]["2026-12-05"] = [][]byte{
			[]byte(`{"user_id":108271,"user_login":"hubot","day":"2026-12-05","ai_credits_used":10}`),
		}
	})
	now = now.Add(18 * time.Hour)
	u := update(t, c, client, acme)
	if got := srv.Requests(path); got != 23 {
		t.Errorf("third refresh: %d requests in all, want 23", got)
	}
	// 12-02, read at the first refresh only, is still in the month: mona 420.
	for _, want := range []string{`user="mona"} 420`, `user="hubot"} 106.4`} {
		if !strings.Contains(exposition(t, u), want+"\n") {
			t.Errorf("want %s in\n%s", want, exposition(t, u))
		}
	}
	// 12-02's two users files and one teams file were downloaded once,
	// 12-05's one users file once (it has no teams file).
	if srv.FileRequests() != 4 {
		t.Errorf("%d file requests, want 4", srv.FileRequests())
	}
}

// A day that fails fails the refresh, never a partial month; the days read
// before it are kept, and the next refresh asks for the rest.
func TestCopilotMetricsFailingDayFailsTheRefresh(t *testing.T) {
	srv := fakegithubtest.Start(t, metricsDataset(t))
	client := fakegithubtest.Client(t, srv, githubapi.Options{})
	now := time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC)
	c := copilotMetricsFactory().New(Options{}, func() time.Time { return now })
	teams := "/enterprises/acme/copilot/metrics/reports/user-teams-1-day"
	srv.Override(teams, func(w http.ResponseWriter, _ *http.Request) {
		fakegithub.WriteError(w, http.StatusInternalServerError, "boom")
	})
	_, err := c.Update(context.Background(), client, acme)
	if err == nil || !strings.Contains(err.Error(), "2026-12-02") {
		t.Fatalf("err %v, want the failure of 2026-12-02", err)
	}
	srv.Override(teams, nil)
	u := update(t, c, client, acme)
	if !strings.Contains(exposition(t, u), `team="sre"} 420`) {
		t.Errorf("after the failure:\n%s", exposition(t, u))
	}
}

// A record of another day than the one asked is refused.
func TestCopilotMetricsRefusesARecordOfAnotherDay(t *testing.T) {
	d := metricsDataset(t)
	d.Organizations["web"].Platform.CopilotMetricsReports["users-1-day"]["2026-12-01"] = [][]byte{
		[]byte(`{"user_id":1,"user_login":"octocat","day":"2026-11-30","ai_credits_used":3}`),
	}
	srv := fakegithubtest.Start(t, d)
	client := fakegithubtest.Client(t, srv, githubapi.Options{})
	c := copilotMetricsFactory().New(Options{}, func() time.Time { return time.Date(2026, 12, 5, 0, 0, 0, 0, time.UTC) })
	if _, err := c.Update(context.Background(), client, web); err == nil || !strings.Contains(err.Error(), "2026-11-30") {
		t.Errorf("err %v, want the record of 2026-11-30 refused", err)
	}
}

// A few hundred users in two files: each user's day is the sum of their
// lines across the files.
func TestCopilotMetricsManyUsersInTwoFiles(t *testing.T) {
	var first, second strings.Builder
	for i := range 300 {
		fmt.Fprintf(&first, `{"user_id":%d,"user_login":"user-%03d","day":"2026-12-01","organization_id":"77","ai_credits_used":1,"totals_by_ide":[{"ide":"vscode"}]}`+"\n", 1000+i, i)
		fmt.Fprintf(&second, `{"user_id":%d,"user_login":"user-%03d","day":"2026-12-01","organization_id":"77","ai_credits_used":%g}`+"\n", 1000+i, i, float64(i)*0.25)
	}
	d := fakegithub.NewDataset()
	d.Organizations["big"] = &fakegithub.AccountData{Platform: &fakegithub.PlatformData{}}
	d.Organizations["big"].Platform.CopilotMetricsReports = map[string]map[string][][]byte{
		"users-1-day": {"2026-12-01": {[]byte(first.String()), []byte(second.String())}},
	}
	srv := fakegithubtest.Start(t, d)
	client := fakegithubtest.Client(t, srv, githubapi.Options{})
	c := copilotMetricsFactory().New(Options{}, func() time.Time { return time.Date(2026, 12, 2, 8, 0, 0, 0, time.UTC) })
	out := exposition(t, update(t, c, client, githubapi.Account{Scope: githubapi.ScopeOrganization, Name: "big"}))
	// user i: 1 + i × 0.25; user-000 = 1, user-001 = 1.25, user-150 =
	// 1 + 37.5 = 38.5, user-299 = 1 + 74.75 = 75.75.
	for _, want := range []string{`user="user-000"} 1`, `user="user-001"} 1.25`, `user="user-150"} 38.5`, `user="user-299"} 75.75`} {
		if !strings.Contains(out, want+"\n") {
			t.Errorf("want %s", want)
		}
	}
	if n := strings.Count(out, "github_billing_copilot_metrics_user_ai_credits{"); n != 300 {
		t.Errorf("%d user series, want 300", n)
	}
}

// A refresh reads the clock once: one that starts a second before the
// year's last midnight reads December's days into December, even when the
// clock has passed into January by the time the month is looked up. The
// next refresh, on January 10th, starts January afresh: December's 2nd
// (mona's 420 credits) is no day of January, and January has no data.
func TestCopilotMetricsRefreshReadsTheClockOnce(t *testing.T) {
	srv := fakegithubtest.Start(t, metricsDataset(t))
	client := fakegithubtest.Client(t, srv, githubapi.Options{})
	calls := 0
	clock := func() time.Time {
		calls++
		if calls == 1 {
			return time.Date(2026, 12, 31, 23, 59, 59, 0, time.UTC)
		}
		return time.Date(2027, 1, 10, 12, 0, 0, 0, time.UTC)
	}
	c := copilotMetricsFactory().New(Options{}, clock)
	if out := exposition(t, update(t, c, client, acme)); !strings.Contains(out, `user="mona"} 420`+"\n") {
		t.Errorf("December: want mona's 420 in\n%s", out)
	}
	if out := exposition(t, update(t, c, client, acme)); strings.Contains(out, `user="mona"`) {
		t.Errorf("January 10th: December's 2nd counted in January:\n%s", out)
	}
}
