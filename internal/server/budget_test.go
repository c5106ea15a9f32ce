package server

import (
	"context"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/github-billing-exporter/github-billing-exporter/collector"
	"github.com/github-billing-exporter/github-billing-exporter/config"
	"github.com/github-billing-exporter/github-billing-exporter/githubapi"
	"github.com/github-billing-exporter/github-billing-exporter/internal/cache"
	"github.com/github-billing-exporter/github-billing-exporter/internal/clients"
	"github.com/github-billing-exporter/github-billing-exporter/internal/demo"
	"github.com/github-billing-exporter/github-billing-exporter/internal/fakegithub"
	"github.com/github-billing-exporter/github-billing-exporter/internal/fakegithub/fakegithubtest"
	"github.com/github-billing-exporter/github-billing-exporter/internal/testutil/roundtest"
)

// simClock is the exporter's clock in a simulated hour.
type simClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *simClock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *simClock) Set(t time.Time) { c.mu.Lock(); defer c.mu.Unlock(); c.now = t }

// budgetDataset is one enterprise with two active cost centers and ten
// organizations, on GitHub's hosted service (legacy endpoints answer 410).
func budgetDataset(t0 time.Time) *fakegithub.Dataset {
	company := demo.Dataset(t0)
	d := fakegithub.NewDataset()
	ent := *company.Enterprises[demo.Enterprise]
	ent.LegacyRetired = true
	d.Enterprises[demo.Enterprise] = &ent
	for i := 1; i <= 10; i++ {
		org := *company.Organizations[demo.OrgWeb]
		org.LegacyRetired = true
		d.Organizations[fmt.Sprintf("org-%02d", i)] = &org
	}
	return d
}

// simConfig is the configuration of the simulations: GitHub at apiURL,
// demo.Enterprise, and the organizations org-01 to org-NN of budgetDataset
// (orgs of them).
func simConfig(t testing.TB, apiURL string, orgs int) *config.Resolved {
	t.Helper()
	yaml := fmt.Sprintf("github: {api_url: %q, token: sim}\nenterprises: [{name: %s}]\n", apiURL, demo.Enterprise)
	if orgs > 0 {
		yaml += "organizations:\n"
	}
	for i := 1; i <= orgs; i++ {
		yaml += fmt.Sprintf("  - name: org-%02d\n", i)
	}
	cfg, err := config.Parse("budget.yml", []byte(yaml), func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// startSimulated runs the default collectors and extra ones on cfg, with
// the clients and the collectors on a clock the test moves from t0.
func startSimulated(t testing.TB, cfg *config.Resolved, t0 time.Time, extra ...string) (*cache.Cache, *simClock) {
	t.Helper()
	enabled := append(slices.Clone(extra), collector.DefaultNames()...)
	clock := &simClock{now: t0}
	exp, err := cache.New(cache.Config{Collectors: enabled, Concurrency: 4, Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(exp.Close)
	targets, err := clients.BuildTargets(cfg, githubapi.Options{Now: clock.Now}, nil)
	if err != nil {
		t.Fatal(err)
	}
	exp.Apply(cache.Settings{RefreshInterval: cfg.RefreshInterval, RefreshTimeout: cfg.RefreshTimeout, MaxAge: cfg.MaxAge}, targets)
	return exp, clock
}

// scrapeTwice is one scrape interval: two Prometheus servers scrape at once,
// each answered in the text format as the /metrics handler answers them.
// When the interval's refreshes asked GitHub, so the cache holds new data, a
// third scrape gathers the families, which checks them (one family per
// name, one series per label set); the scrapes between serve the same data
// again.
func scrapeTwice(t testing.TB, exp *cache.Cache, fake *fakegithub.Server) {
	before := fake.TotalRequests()
	var wg sync.WaitGroup
	for range 2 {
		wg.Go(func() {
			if err := exp.Scrape(context.Background(), nil).WriteTo(io.Discard, cache.FormatText, nil); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if fake.TotalRequests() != before {
		if _, err := exp.Scrape(context.Background(), nil).Gather(); err != nil {
			t.Error(err)
		}
	}
}

// simulateHour scrapes the exporter every 15 s for one simulated hour from
// two Prometheus servers at once, with the default configuration and
// collectors, and returns the requests GitHub received and the dataset it
// served.
func simulateHour(t testing.TB) (requests int, refreshInterval time.Duration, d *fakegithub.Dataset) {
	t0 := time.Date(2026, 11, 15, 9, 0, 0, 0, time.UTC)
	d = budgetDataset(t0)
	fake := fakegithubtest.Start(t, d)
	cfg := simConfig(t, fake.URL, 10)
	exp, clock := startSimulated(t, cfg, t0)

	for tick := time.Duration(0); tick < time.Hour; tick += 15 * time.Second {
		clock.Set(t0.Add(tick))
		scrapeTwice(t, exp, fake)
	}
	if testing.Verbose() {
		counts := fake.RequestCounts()
		paths := make([]string, 0, len(counts))
		for p := range counts {
			if !strings.Contains(p, "/org-") || strings.Contains(p, "/org-01/") {
				paths = append(paths, p)
			}
		}
		sort.Strings(paths)
		for _, p := range paths {
			t.Logf("%3d %s", counts[p], p)
		}
	}
	return fake.TotalRequests(), cfg.RefreshInterval, d
}

func TestAPIBudgetOneSimulatedHour(t *testing.T) {
	requests, interval, d := simulateHour(t)
	t.Logf("one simulated hour, 1 enterprise (2 cost centers) + 10 organizations, default collectors, refresh_interval %s, two scrapers every 15s: %d requests (%.1f%% of 5,000)",
		interval, requests, float64(requests)/50)
	if requests >= 250 {
		t.Fatalf("%d requests in an hour, want under 250 (5%% of GitHub's 5,000/hour)", requests)
	}
	// The rounds in the hour (at 0 and 30 minutes), not 480 although 480
	// scrapes came, as the collectors declare a round, and the legacy calls
	// once: they answer 410.
	live, legacy := roundtest.Totals(d, roundtest.Defaults(), collector.Options{})
	want := int(time.Hour/interval)*live + legacy
	if requests != want {
		t.Errorf("%d requests in the simulated hour, want %d as the collectors declare (docs/api-budget.md)", requests, want)
	}
	// The collectors of roundtest.HandWorked as they declare the hour.
	handLive, handLegacy := roundtest.Totals(d, roundtest.Factories(roundtest.HandWorked...), collector.Options{})
	handWant := int(time.Hour/interval)*handLive + handLegacy
	// By hand from the demo data: a round is 16 requests for the
	// enterprise (one cost-center list shared by usage and cost_centers, 4
	// usage calls: none, two active cost centers and a deleted one, 1
	// summary for usage's reconciliation, 1 budget page of 100 shared by
	// budgets and usage, 1 seat total, 1 licence page, 3 GHAS pages,
	// summary, premium requests, AI credits, report exports, and the 2
	// pages of the 115 seat rows that the AI-credit pool counts, 18 in
	// all) and 7 per organization (the pool shares Copilot's and the AI
	// credits' answers); two rounds; and 3 legacy calls per account.
	if hand := 2*(18+10*7) + 3*11; handWant != hand {
		t.Errorf("the declarations make %d requests in the hour, want %d", handWant, hand)
	}
}

// BenchmarkAPIRequestsPerHour reports the same count as a benchmark metric.
func BenchmarkAPIRequestsPerHour(b *testing.B) {
	for b.Loop() {
		requests, _, _ := simulateHour(b)
		b.ReportMetric(float64(requests), "requests/hour")
		b.ReportMetric(float64(requests)/50, "%-of-5000")
	}
}

// The per-user AI-credit view at its default 6h on one enterprise with two
// active cost centers (and a deleted one) and 2,000 Copilot seat holders,
// beside the default collectors, scraped by two Prometheus servers every
// 15 s for six simulated hours: the view's whole round, every hour of it
// under 10% of the hourly limit.
func TestAPIBudgetAICreditsByUserSixSimulatedHours(t *testing.T) {
	t.Parallel() // it keeps the CPU busy beside the tests that mostly wait
	t0 := time.Date(2026, 11, 15, 9, 0, 0, 0, time.UTC)
	d := budgetDataset(t0)
	ent := *d.Enterprises[demo.Enterprise]
	pd := *ent.Platform
	pd.CopilotSeats = nil
	for i := range 2000 {
		pd.CopilotSeats = append(pd.CopilotSeats, githubapi.CopilotSeat{CreatedAt: "2026-01-12T09:00:00Z", PlanType: "business",
			Assignee: &githubapi.CopilotAssignee{Login: fmt.Sprintf("user-%04d", i), ID: int64(i + 1), Type: "User"}})
	}
	ent.Platform = &pd
	d.Enterprises[demo.Enterprise] = &ent
	d.Organizations = map[string]*fakegithub.AccountData{}
	fake := fakegithubtest.Start(t, d)
	cfg := simConfig(t, fake.URL, 0)
	exp, clock := startSimulated(t, cfg, t0, collector.AICreditsByUser)
	// The paths of the collectors of roundtest.HandWorked and the view, whose
	// requests the figures by hand count.
	handPaths := roundtest.Round(d, roundtest.Factories(append(slices.Clone(roundtest.HandWorked), collector.AICreditsByUser)...), collector.Options{})
	var perHour, handPerHour []int
	before, handBefore := 0, 0
	for tick := time.Duration(0); tick < 6*time.Hour; tick += 15 * time.Second {
		clock.Set(t0.Add(tick))
		scrapeTwice(t, exp, fake)
		if next := tick + 15*time.Second; next%time.Hour == 0 {
			total := fake.TotalRequests()
			perHour = append(perHour, total-before)
			before = total
			hand := roundtest.Sum(roundtest.Within(fake.RequestCounts(), handPaths))
			handPerHour = append(handPerHour, hand-handBefore)
			handBefore = hand
		}
	}
	total := fake.TotalRequests()
	seats := fake.Requests("/enterprises/" + demo.Enterprise + "/copilot/billing/seats")
	t.Logf("six simulated hours, 1 enterprise (2 cost centers + 1 deleted), 2,000 seat holders, default collectors + the per-user view at 6h: %d requests, %.1f an hour (%.1f%% of 5,000); per hour %v",
		total, float64(total)/6, float64(total)/6/50, perHour)
	// As the collectors declare it: 12 rounds of the default collectors
	// (6h at 30m), the first of them with the view's round, which reads
	// usage's cost-center list; the legacy calls once.
	defaults := roundtest.Defaults()
	first, legacy := roundtest.Totals(d, slices.Concat(defaults, roundtest.Factories(collector.AICreditsByUser)), collector.Options{})
	later, _ := roundtest.Totals(d, defaults, collector.Options{})
	rounds := int(6 * time.Hour / cfg.RefreshInterval)
	if want := first + (rounds-1)*later + legacy; total != want {
		t.Errorf("%d requests in six hours, want %d as the collectors declare", total, want)
	}
	seatsPath := "/enterprises/" + demo.Enterprise + "/copilot/billing/seats"
	wantSeats := rounds*roundtest.Round(d, defaults, collector.Options{})[seatsPath] +
		roundtest.Round(d, roundtest.Factories(collector.AICreditsByUser), collector.Options{})[seatsPath]
	if seats != wantSeats {
		t.Errorf("%d seat-list requests, want %d as the collectors declare", seats, wantSeats)
	}
	// By hand, the requests of the paths of roundtest.HandWorked and the
	// view: the enterprise's 16 default requests a round and the AI-
	// credit pool's 20 seat pages of 100 (it shares the AI credits'
	// answer), 36 a round, 2 rounds an hour for 6 hours = 432, + 3 legacy
	// calls that answer 410 once. The view's round is spread over six
	// refreshes an hour apart: its own 20 seat pages at its start, 2,000
	// user calls in slices of 334, 333, 333, 334, 333, 333, one unfiltered
	// call a refresh (6), and at the start 3 cost centers (two active, one
	// deleted) + none (4); the cost-center list is the one usage read in
	// the same round. So 432 + 3 + 20 + 2,000 + 6 + 4 = 2,465, and per
	// hour 36×2 + 3 + 20 + 334 + 1 + 4 = 434 in the first, 72 + 333 + 1 =
	// 406 or 72 + 334 + 1 = 407 after.
	if want := 432 + 3 + 20 + 2000 + 6 + 4; handBefore != want {
		t.Errorf("%d requests in six hours, want %d", handBefore, want)
	}
	if want := []int{434, 406, 406, 407, 406, 406}; !slices.Equal(handPerHour, want) {
		t.Errorf("requests per hour %v, want %v", handPerHour, want)
	}
	if seats != 12+12*20+20 || wantSeats != 12+12*20+20 {
		t.Errorf("%d seat-list requests (the declarations: %d), want 12 seat totals (copilot) + 12×20 pages (the pool) + 20 pages (the view)", seats, wantSeats)
	}
	for h, n := range perHour {
		if n >= 500 {
			t.Errorf("hour %d: %d requests, want under 10%% of 5,000", h+1, n)
		}
	}
}
