package server

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/github-billing-exporter/github-billing-exporter/collector"
	"github.com/github-billing-exporter/github-billing-exporter/internal/cache"
	"github.com/github-billing-exporter/github-billing-exporter/internal/demo"
	"github.com/github-billing-exporter/github-billing-exporter/internal/fakegithub"
	"github.com/github-billing-exporter/github-billing-exporter/internal/fakegithub/fakegithubtest"
)

// metricsReports are an enterprise's usage-metrics reports for 2,000 users
// in two files a day, each user with 1 AI credit a day, in 20 teams of 100
// (user-NNNN in team-NN, NN = NNNN ÷ 100). GitHub publishes a day four days
// after it began (three full UTC days after it ended), on clock now. A
// day's files are made the first time they are asked for and served from
// memory after.
func metricsReports(now func() time.Time) func(report, day string) [][]byte {
	var mu sync.Mutex
	made := map[[2]string][][]byte{}
	return func(report, day string) [][]byte {
		d, err := time.Parse(time.DateOnly, day)
		if err != nil || now().Before(d.AddDate(0, 0, 4)) {
			return nil
		}
		mu.Lock()
		defer mu.Unlock()
		if files, ok := made[[2]string{report, day}]; ok {
			return files
		}
		files := make([][]byte, 2)
		for i := range 2000 {
			f := &files[i/1000]
			switch report {
			case "users-1-day":
				*f = fmt.Appendf(*f, `{"user_id":%d,"user_login":"user-%04d","day":%q,"enterprise_id":"1","ai_credits_used":1}`+"\n", i+1, i, day)
			case "user-teams-1-day":
				*f = fmt.Appendf(*f, `{"user_id":%d,"user_login":"user-%04d","day":%q,"enterprise_id":"1","team_id":%d,"slug":"team-%02d"}`+"\n", i+1, i, day, 500+i/100, i/100)
			}
		}
		made[[2]string{report, day}] = files
		return files
	}
}

// gatherValues are the samples of a family by the value of one label.
func gatherValues(t *testing.T, exp *cache.Cache, family, label string) map[string]float64 {
	t.Helper()
	mfs, err := exp.Scrape(context.Background(), nil).Gather()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]float64{}
	for _, mf := range mfs {
		if mf.GetName() != family {
			continue
		}
		for _, m := range mf.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == label {
					out[l.GetValue()] = m.GetGauge().GetValue()
				}
			}
		}
	}
	return out
}

// The usage-metrics view on an enterprise of 2,000 Copilot users, beside
// the default collectors, scraped by two Prometheus servers every five
// minutes for two simulated days from the 15th, 09:00 UTC: every user is
// in the first refresh's answer, and after it the view asks GitHub's API at
// most 10 times an hour.
func TestAPIBudgetCopilotMetricsTwoSimulatedDays(t *testing.T) {
	t.Parallel() // it keeps the CPU busy beside the tests that mostly wait
	t0 := time.Date(2026, 11, 15, 9, 0, 0, 0, time.UTC)
	d := budgetDataset(t0)
	d.Organizations = map[string]*fakegithub.AccountData{}
	ent := *d.Enterprises[demo.Enterprise]
	pd := *ent.Platform
	var simNow atomic.Pointer[simClock]
	pd.CopilotMetricsSource = metricsReports(func() time.Time {
		if c := simNow.Load(); c != nil {
			return c.Now()
		}
		return t0
	})
	ent.Platform = &pd
	d.Enterprises[demo.Enterprise] = &ent
	fake := fakegithubtest.Start(t, d)
	exp, clock := startSimulated(t, simConfig(t, fake.URL, 0), t0, collector.CopilotMetrics)
	simNow.Store(clock)
	fake.SetClock(clock.Now)

	prefix := "/enterprises/" + demo.Enterprise + "/copilot/metrics/reports/"
	viewRequests := func() int { return fake.Requests(prefix+"users-1-day") + fake.Requests(prefix+"user-teams-1-day") }
	var perHour []int
	before := 0
	for tick := time.Duration(0); tick < 48*time.Hour; tick += 5 * time.Minute {
		clock.Set(t0.Add(tick))
		scrapeTwice(t, exp, fake)
		if tick == 0 {
			// The first refresh: the 1st to the 11th have data (the 11th
			// was published on the 15th), 1 credit a day: 11 per user,
			// every one of the 2,000; 100 × 11 = 1,100 per team.
			users := gatherValues(t, exp, "github_billing_copilot_metrics_user_ai_credits", "user")
			if len(users) != 2000 || users["user-0000"] != 11 || users["user-1999"] != 11 {
				t.Errorf("after the first refresh: %d users, user-0000 %v, user-1999 %v; want 2,000 users of 11", len(users), users["user-0000"], users["user-1999"])
			}
			teams := gatherValues(t, exp, "github_billing_copilot_metrics_team_ai_credits", "team")
			if len(teams) != 20 || teams["team-00"] != 1100 || teams["team-19"] != 1100 {
				t.Errorf("after the first refresh: teams %v, want 20 of 1,100", teams)
			}
		}
		if next := tick + 5*time.Minute; next%time.Hour == 0 {
			perHour = append(perHour, viewRequests()-before)
			before = viewRequests()
		}
	}
	t.Logf("two simulated days, 2,000 users: the view's API requests per hour %v (%d in all); %d file downloads", perHour, viewRequests(), fake.FileRequests())
	// By hand, a refresh every 6h from 09:00 on the 15th. The first reads
	// the 1st to the 14th: 14 users links, and the user-teams links of the
	// 11 days with data: 25. The next ones read the last four complete
	// days (the 11th to the 14th on the 15th, the 12th to the 15th on the
	// 16th, the 13th to the 16th on the 17th) of which one has data: 4 + 1
	// = 5; the days before have data and are not asked again. Seven more
	// refreshes in 48 hours: 25 + 7 × 5 = 60.
	if got := viewRequests(); got != 60 {
		t.Errorf("%d requests of the view in two days, want 60", got)
	}
	if perHour[0] != 25 {
		t.Errorf("first hour: %d requests of the view, want 25", perHour[0])
	}
	for h, n := range perHour[1:] {
		if n > 10 {
			t.Errorf("hour %d: %d requests of the view, want at most 10", h+2, n)
		}
	}
	// Each day with data read: 2 users files + 2 teams files. The first
	// refresh: 11 days = 44; each later one the one day with data = 4:
	// 44 + 7 × 4 = 72. None carried a credential.
	if fake.FileRequests() != 72 || fake.FileRequestsWithCredentials() != 0 {
		t.Errorf("%d file downloads, %d with Authorization or a cookie; want 72 and 0", fake.FileRequests(), fake.FileRequestsWithCredentials())
	}
	// At the end (the 17th, 08:55) the 1st to the 13th have data: 13 each.
	users := gatherValues(t, exp, "github_billing_copilot_metrics_user_ai_credits", "user")
	if len(users) != 2000 || users["user-1234"] != 13 {
		t.Errorf("at the end: %d users, user-1234 %v; want 2,000 of 13", len(users), users["user-1234"])
	}
}
