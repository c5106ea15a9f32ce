package cache

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/github-billing-exporter/github-billing-exporter/collector"
	"github.com/github-billing-exporter/github-billing-exporter/githubapi"
	"github.com/github-billing-exporter/github-billing-exporter/internal/demo"
	"github.com/github-billing-exporter/github-billing-exporter/internal/fakegithub"
	"github.com/github-billing-exporter/github-billing-exporter/internal/fakegithub/fakegithubtest"
	"github.com/github-billing-exporter/github-billing-exporter/internal/testutil/roundtest"
)

// engineFixture is an exporter reading a fake GitHub.
type engineFixture struct {
	fake     *fakegithub.Server
	held     *heldAnswers // the client's transport
	exporter *Cache
}

// engineTestNow is the engine tests' clock and the day of their demo data.
var engineTestNow = time.Date(2026, 11, 15, 0, 0, 0, 0, time.UTC)

func newEngineFixture(tb testing.TB, d *fakegithub.Dataset, cfg Config, s Settings) *engineFixture {
	tb.Helper()
	if cfg.Now == nil {
		cfg.Now = func() time.Time { return engineTestNow }
	}
	fake := fakegithubtest.Start(tb, d)
	held := newHeldAnswers(nil)
	client := fakegithubtest.Client(tb, fake, githubapi.Options{Credential: "test", HTTPClient: &http.Client{Transport: held}})
	exp, err := New(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(exp.Close)
	var targets []collector.Target
	for _, a := range d.Accounts() {
		targets = append(targets, collector.Target{Account: a, Client: client})
	}
	exp.Apply(s, targets)
	return &engineFixture{fake: fake, held: held, exporter: exp}
}

// gather runs one scrape bounded by ctx.
func (f *engineFixture) gather(tb testing.TB, ctx context.Context) []*dto.MetricFamily {
	tb.Helper()
	reg := f.exporter.Scrape(ctx, nil)
	mfs, err := reg.Gather()
	if err != nil {
		tb.Fatal(err)
	}
	return mfs
}

func countSeries(mfs []*dto.MetricFamily) int {
	n := 0
	for _, mf := range mfs {
		n += len(mf.Metric)
	}
	return n
}

var legacyCollectors = []string{"actions", "packages", "shared_storage", "advanced_security"}

func TestHundredConcurrentColdScrapesShareOneRefresh(t *testing.T) {
	d := demo.Dataset(engineTestNow)
	f := newEngineFixture(t, d, Config{Collectors: legacyCollectors, Concurrency: 4},
		Settings{RefreshInterval: time.Hour, RefreshTimeout: time.Minute, MaxAge: 3 * time.Hour})
	ctx := holdUntilAllWait(t, f.held, 100)

	var wg sync.WaitGroup
	series := make([]int, 100)
	for i := range series {
		wg.Go(func() {
			series[i] = countSeries(f.gather(t, ctx))
		})
	}
	wg.Wait()
	for i, n := range series {
		if n != series[0] {
			t.Fatalf("scrape %d saw %d series, scrape 0 saw %d", i, n, series[0])
		}
	}
	// Every endpoint of every account was asked once, as the collectors
	// declare it (roundtest.Round). By hand: the enterprise's 3 legacy
	// endpoints and its Advanced Security report of 230 repositories, three
	// pages of 100 on the one path; 3 + 1 for each of the two
	// organizations; 3 for the user: 6 + 8 + 3 = 17.
	want := roundtest.Round(d, roundtest.Factories(legacyCollectors...), collector.Options{})
	if n := want["/enterprises/acme-corp/settings/billing/advanced-security"]; n != 3 {
		t.Errorf("the declarations make %d Advanced Security requests for the enterprise, want 3", n)
	}
	if n := roundtest.Sum(want); n != 17 {
		t.Errorf("the declarations make %d requests, want 17", n)
	}
	expectRequests(t, f.fake.RequestCounts(), want)
	if got := f.fake.TotalRequests(); got != 17 {
		t.Errorf("%d requests in all, want 17", got)
	}
}

// expectHandWorked checks the requests of roundtest.HandWorked's paths:
// the declarations (hand) make n of them, as worked out by hand, and the
// fake GitHub's counts (got) on those paths are what they declare.
func expectHandWorked(t *testing.T, got, hand map[string]int, n int) {
	t.Helper()
	if sum := roundtest.Sum(hand); sum != n {
		t.Errorf("the declarations make %d requests, want %d", sum, n)
	}
	mine := roundtest.Within(got, hand)
	expectRequests(t, mine, hand)
	if sum := roundtest.Sum(mine); sum != n {
		t.Errorf("%d requests of their paths, want %d", sum, n)
	}
}

// expectRequests compares the requests a fake GitHub counted, by path, with
// the ones wanted (a path with a {name} in it counts every path it matches).
func expectRequests(t *testing.T, got, want map[string]int) {
	t.Helper()
	got = roundtest.Fold(got, want)
	for path, n := range want {
		if got[path] != n {
			t.Errorf("%s: %d requests, want %d", path, got[path], n)
		}
	}
	for path, n := range got {
		if _, ok := want[path]; !ok {
			t.Errorf("%s: %d requests, want none", path, n)
		}
	}
}

// manyOrgs is a dataset of n organizations with the demo organization's data.
func manyOrgs(n int, retired bool) *fakegithub.Dataset {
	company := demo.Dataset(engineTestNow)
	d := fakegithub.NewDataset()
	for i := range n {
		org := *company.Organizations[demo.OrgWeb]
		org.LegacyRetired = retired
		d.Organizations[fmt.Sprintf("org-%03d", i)] = &org
	}
	return d
}

// defaultCollectors are the collectors on by default.
func defaultCollectors() []string {
	return collector.DefaultNames()
}

// BenchmarkColdRefresh200Orgs refreshes 200 organizations with the default
// collectors through a fake GitHub that answers after 100 ms, with 4
// refreshes at once. The ideal is requests ÷ concurrency × latency.
func BenchmarkColdRefresh200Orgs(b *testing.B) {
	orgs, latency, concurrency := 200, 100*time.Millisecond, 4
	if testing.Short() {
		orgs = 8
	}
	for b.Loop() {
		b.StopTimer()
		f := newEngineFixture(b, manyOrgs(orgs, false), Config{Collectors: defaultCollectors(), Concurrency: concurrency},
			Settings{RefreshInterval: time.Hour, RefreshTimeout: 10 * time.Minute, MaxAge: 3 * time.Hour})
		f.fake.SetLatency(latency)
		b.StartTimer()
		start := time.Now()
		f.gather(b, context.Background())
		elapsed := time.Since(start)
		b.StopTimer()
		requests := f.fake.TotalRequests()
		ideal := time.Duration(float64(requests) / float64(concurrency) * float64(latency))
		b.ReportMetric(float64(requests), "requests")
		b.ReportMetric(elapsed.Seconds(), "refresh-s")
		b.ReportMetric(ideal.Seconds(), "ideal-s")
		b.ReportMetric(elapsed.Seconds()/ideal.Seconds(), "ratio-to-ideal")
		f.exporter.Close()
		f.fake.Close()
		b.StartTimer()
	}
}

// BenchmarkWarmScrape10kSeries scrapes a cache of about 10,000 series
// (Advanced Security per repository for an organization with 10,000
// repositories) and checks that no request reaches GitHub.
func BenchmarkWarmScrape10kSeries(b *testing.B) {
	d := fakegithub.NewDataset()
	repos := make([]githubapi.AdvancedSecurityRepository, 10000)
	for i := range repos {
		repos[i] = githubapi.AdvancedSecurityRepository{Name: fmt.Sprintf("big/repo-%05d", i), AdvancedSecurityCommitters: float64(i % 7)}
	}
	d.Organizations["big"] = &fakegithub.AccountData{AdvancedSecurity: &githubapi.AdvancedSecurityCommitters{
		TotalAdvancedSecurityCommitters: 500, TotalCount: 10000, Repositories: repos,
	}}
	f := newEngineFixture(b, d, Config{Collectors: []string{"advanced_security"}, Options: collector.Options{AdvancedSecurityByRepository: true}},
		Settings{RefreshInterval: time.Hour, RefreshTimeout: time.Minute, MaxAge: 3 * time.Hour})
	if n := countSeries(f.gather(b, context.Background())); n < 10000 {
		b.Fatalf("cache holds %d series, want at least 10,000", n)
	}
	before := f.fake.TotalRequests()
	// The whole answer as Prometheus gets it: gather, encode, write.
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := f.exporter.Scrape(r.Context(), nil).WriteTo(w, FormatText, nil); err != nil {
			b.Error(err)
		}
	})
	req := httptest.NewRequest(http.MethodGet, "/metrics", nil)
	b.ResetTimer()
	for b.Loop() {
		rec := httptest.NewRecorder()
		handler.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("scrape answered %d", rec.Code)
		}
	}
	b.StopTimer()
	if got := f.fake.TotalRequests() - before; got != 0 {
		b.Fatalf("warm scrapes made %d requests to GitHub, want 0", got)
	}
}

// A refresh waiting for a free slot has not started talking to GitHub: its
// timeout starts when it gets the slot. Six organizations at concurrency 1
// with 200 ms answers take 1.2 s in all, longer than the 500 ms each
// refresh may take; every one of them still works. The timeouts run on a
// clock the test moves by 200 ms before it releases each answer.
func TestQueuedRefreshesDoNotTimeOutInTheQueue(t *testing.T) {
	f := newEngineFixture(t, manyOrgs(6, false), Config{Collectors: []string{"actions"}, Concurrency: 1},
		Settings{RefreshInterval: time.Hour, RefreshTimeout: 500 * time.Millisecond, MaxAge: 3 * time.Hour})
	timers := useTestTimers(f.exporter)
	arrived := f.held.hold()
	scraped := make(chan *Snapshot)
	go func() { scraped <- f.exporter.Scrape(context.Background(), nil) }()
	var snap *Snapshot
	for snap == nil {
		select {
		case answer := <-arrived:
			timers.Advance(200 * time.Millisecond)
			close(answer)
		case snap = <-scraped:
		case <-time.After(time.Minute):
			t.Fatal("no answer and no scrape in a minute")
		}
	}
	mfs, err := snap.Gather()
	if err != nil {
		t.Fatal(err)
	}
	ok := 0
	for _, mf := range mfs {
		if mf.GetName() != "github_billing_scrape_collector_success" {
			continue
		}
		for _, m := range mf.Metric {
			if m.GetGauge().GetValue() == 1 {
				ok++
			}
		}
	}
	if ok != 6 {
		t.Errorf("%d of 6 refreshes worked, want all 6", ok)
	}
	if got := f.fake.Requests("/orgs/org-005/settings/billing/actions"); got != 1 {
		t.Errorf("org-005 was asked %d times, want 1", got)
	}
}

// Refreshes waiting for their turn wait in a queue, not each on a goroutine
// of its own: 100 organizations due at once at concurrency 2 add a few
// goroutines (2 workers and the connections to the fake), not 100 or more.
// The scrape gives up after 50 ms, while 100 × 20 ms / 2 = 1 s of refreshes
// are still queued, and the goroutines are counted then.
func TestQueuedRefreshesWaitWithoutAGoroutineEach(t *testing.T) {
	f := newEngineFixture(t, manyOrgs(100, false), Config{Collectors: []string{"actions"}, Concurrency: 2},
		Settings{RefreshInterval: time.Hour, RefreshTimeout: time.Minute, MaxAge: 3 * time.Hour})
	f.fake.SetLatency(20 * time.Millisecond)
	before := runtime.NumGoroutine()
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	f.exporter.Scrape(ctx, nil)
	if added := runtime.NumGoroutine() - before; added >= 30 {
		t.Errorf("%d goroutines added while 100 refreshes are due at concurrency 2, want fewer than 30", added)
	}
	// And every refresh runs in the end: one request per organization.
	// The fake answers the rest at once.
	f.fake.SetLatency(0)
	f.exporter.Scrape(context.Background(), nil)
	if got := f.fake.Requests("/orgs/org-099/settings/billing/actions"); got != 1 {
		t.Errorf("org-099 was asked %d times, want 1", got)
	}
}

// 100 concurrent scrapes of a cold cache with every default collector make
// one request per endpoint and account, and the pages a list has: what the
// collectors declare, and for those of roundtest.HandWorked counted by hand
// from the demo dataset (13 enterprise budgets on one page of 100, 230
// enterprise GHAS repositories at 100 a page, two active cost centers and a
// deleted one, one cost-center list shared by usage and cost_centers).
func TestHundredConcurrentColdScrapesDefaultCollectors(t *testing.T) {
	d := demo.Dataset(engineTestNow)
	f := newEngineFixture(t, d, Config{Collectors: defaultCollectors(), Concurrency: 4},
		Settings{RefreshInterval: time.Hour, RefreshTimeout: time.Minute, MaxAge: 3 * time.Hour})
	ctx := holdUntilAllWait(t, f.held, 100)

	var wg sync.WaitGroup
	for range 100 {
		wg.Go(func() {
			f.gather(t, ctx)
		})
	}
	wg.Wait()

	// One round of every default collector as the collectors declare it
	// (roundtest.Round).
	want := roundtest.Round(d, roundtest.Defaults(), collector.Options{})
	expectRequests(t, f.fake.RequestCounts(), want)
	if got, n := f.fake.TotalRequests(), roundtest.Sum(want); got != n {
		t.Errorf("%d requests in all, want %d as the collectors declare", got, n)
	}
	// The collectors of roundtest.HandWorked, by hand:
	// the enterprise 3 legacy + 16 (the cost-center list, usage for
	// none and the 3 cost centers, 2 summaries, 3 GHAS pages, one each of
	// premium requests, AI credits, budgets, reports, seat total,
	// licences) + 2 seat pages for the AI-credit pool (64 + 45 + 6 = 115
	// seat rows at 100 a page; the pool shares the AI credits' answer),
	// each organization 3 legacy + 7 (GHAS, usage, summary, premium
	// requests, AI credits, budgets, Copilot; the pool shares Copilot's
	// and the AI credits' answers), the user 3 legacy + 4:
	// 21 + 2×10 + 7 = 48.
	hand := roundtest.Round(d, roundtest.Factories(roundtest.HandWorked...), collector.Options{})
	for path, n := range map[string]int{
		"/enterprises/acme-corp/settings/billing/usage":            4,
		"/enterprises/acme-corp/settings/billing/usage/summary":    2,
		"/enterprises/acme-corp/settings/billing/cost-centers":     1,
		"/enterprises/acme-corp/copilot/billing/seats":             1 + 2,
		"/enterprises/acme-corp/settings/billing/ai_credit/usage":  1,
		"/organizations/acme-web/settings/billing/ai_credit/usage": 1,
		"/orgs/acme-web/copilot/billing":                           1,
	} {
		if hand[path] != n {
			t.Errorf("the declarations make %d requests of %s, want %d", hand[path], path, n)
		}
	}
	expectHandWorked(t, f.fake.RequestCounts(), hand, 48)
}

// With every option that adds requests, a cold round of every default
// collector asks what the collectors declare for those options. By hand
// from the demo dataset, for the collectors of roundtest.HandWorked: the
// 48 requests of the default collectors; usage reads the budget list that
// budgets reads in the same round (no more); the enterprise's one multi-user
// budget has 4 users, one page of user states (+1); the copilot collector
// reads the 2 pages of the enterprise's 115 Copilot seat rows, which the
// AI-credit pool reads anyway, instead of the one seat total (-1): 48.
func TestColdRoundWithEveryOptionIsAsDeclared(t *testing.T) {
	d := demo.Dataset(engineTestNow)
	o := collector.Options{AdvancedSecurityByRepository: true, UsageByRepository: true, BudgetConsumption: true, BudgetUserStates: true, CopilotByPlan: true}
	f := newEngineFixture(t, d, Config{Collectors: defaultCollectors(), Options: o, Concurrency: 4},
		Settings{RefreshInterval: time.Hour, RefreshTimeout: time.Minute, MaxAge: 3 * time.Hour})
	f.gather(t, context.Background())
	want := roundtest.Round(d, roundtest.Defaults(), o)
	expectRequests(t, f.fake.RequestCounts(), want)
	if got, n := f.fake.TotalRequests(), roundtest.Sum(want); got != n {
		t.Errorf("%d requests in all, want %d as the collectors declare", got, n)
	}
	hand := roundtest.Round(d, roundtest.Factories(roundtest.HandWorked...), o)
	expectHandWorked(t, f.fake.RequestCounts(), hand, 48)
}

// A scrape of many accounts whose refreshes outlast its timeout is answered
// inside the timeout: the wait for refreshes ends early by twice what the
// last answer took to write, and the write then copies bytes.
func TestScrapeOfManyAccountsAnsweredWithinItsTimeout(t *testing.T) {
	var clock atomic.Pointer[time.Time]
	now := engineTestNow
	clock.Store(&now)
	f := newEngineFixture(t, manyOrgs(100, false), Config{Collectors: defaultCollectors(), Concurrency: 4, Now: func() time.Time { return *clock.Load() }},
		Settings{RefreshInterval: time.Hour, RefreshTimeout: 10 * time.Minute, MaxAge: 3 * time.Hour})
	f.fake.SetRateLimitRemaining(1 << 40)
	var warm bytes.Buffer
	if err := f.exporter.Scrape(context.Background(), nil).WriteTo(&warm, FormatText, nil); err != nil {
		t.Fatal(err)
	}
	if f.exporter.lastWrite.Load() <= 0 {
		t.Fatal("the scrape did not note how long its answer took to write")
	}
	// Every entry is due and no refresh ends within the scrape. A write
	// taken to last half a second leaves a second of the two and a half
	// for it (less than half of them, the most a scrape keeps to write).
	// The deadline is real: the scrape waits for it, and the write fits.
	later := now.Add(2 * time.Hour)
	clock.Store(&later)
	f.fake.SetLatency(time.Hour)
	f.exporter.lastWrite.Store(int64(500 * time.Millisecond))
	timeout := 2500 * time.Millisecond
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	deadline, _ := ctx.Deadline()
	snap := f.exporter.Scrape(ctx, nil)
	if left := time.Until(deadline); left < 500*time.Millisecond {
		t.Errorf("the scrape waited for refreshes until %v before its deadline; want about a second left to write", left)
	}
	var body bytes.Buffer
	if err := snap.WriteTo(&body, FormatText, nil); err != nil {
		t.Fatal(err)
	}
	if ctx.Err() != nil {
		t.Errorf("the answer was written after the scrape's %v timeout", timeout)
	}
	// The answer is the cached data of every account, as before: the same
	// billing series with the same values, and as many series in all (the
	// collectors' health, such as a refresh's duration, may move).
	late, before := parseText(t, body.Bytes()), parseText(t, warm.Bytes())
	if got, want := countSeries(late), countSeries(before); got != want {
		t.Errorf("the late scrape wrote %d series, the warm one %d", got, want)
	}
	expectSameSeries(t, "the late scrape", withoutHealth(exporterTestSeries(late)), withoutHealth(exporterTestSeries(before)))
}

// The first scrape has no answer written before to go by: its wait for
// refreshes that outlast it still ends a tenth of its time before the
// deadline, and 20 µs more for each of its entries, so that the answer has
// room to be written. The deadlines run on a clock the test moves.
func TestFirstScrapeLeavesRoomToWrite(t *testing.T) {
	f := newEngineFixture(t, manyOrgs(3, false), Config{Collectors: defaultCollectors(), Concurrency: 4, Now: func() time.Time { return engineTestNow }},
		Settings{RefreshInterval: time.Hour, RefreshTimeout: 10 * time.Minute, MaxAge: 3 * time.Hour})
	timers := useTestTimers(f.exporter)
	f.fake.SetLatency(time.Hour)
	if f.exporter.lastWrite.Load() != 0 {
		t.Fatal("an answer was written before the first scrape")
	}
	// Four seconds: the wait ends 0.4 s before the deadline, and 20 µs more
	// for each of the 3 organizations' entries, one per default collector
	// that applies to an organization (actions, packages, shared_storage,
	// advanced_security, usage, usage_summary, premium_requests,
	// ai_credits, budgets, copilot, ai_credit_pool: 11): 33 × 20 µs =
	// 0.66 ms.
	ctx, cancel := timers.WithDeadline(context.Background(), timers.Now().Add(4*time.Second))
	defer cancel()
	deadline, _ := ctx.Deadline()
	scraped := make(chan struct{})
	go func() {
		defer close(scraped)
		f.exporter.Scrape(ctx, nil)
	}()
	// The only deadline before the scrape's is the end of its wait (the
	// refreshes have 10 minutes): the clock moves there, and the scrape,
	// whose refreshes GitHub answers in an hour, answers then.
	timers.Advance(timers.awaitDeadline(t, deadline).Sub(timers.Now()))
	select {
	case <-scraped:
	case <-time.After(time.Minute):
		t.Fatal("the scrape did not answer in a minute once its wait had ended")
	}
	want := 400*time.Millisecond + 660*time.Microsecond
	if left := deadline.Sub(timers.Now()); left < 200*time.Millisecond || left != want {
		t.Errorf("the first scrape waited for refreshes until %v before its deadline; want %v left to write", left, want)
	}
}

func parseText(t *testing.T, b []byte) []*dto.MetricFamily {
	t.Helper()
	parser := expfmt.NewTextParser(model.UTF8Validation)
	mfs, err := parser.TextToMetricFamilies(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	out := make([]*dto.MetricFamily, 0, len(mfs))
	for _, mf := range mfs {
		out = append(out, mf)
	}
	return out
}
