package cache

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	promtestutil "github.com/prometheus/client_golang/prometheus/testutil"
	dto "github.com/prometheus/client_model/go"

	"github.com/github-billing-exporter/github-billing-exporter/collector"
	"github.com/github-billing-exporter/github-billing-exporter/githubapi"
	"github.com/github-billing-exporter/github-billing-exporter/internal/fakegithub"
	"github.com/github-billing-exporter/github-billing-exporter/internal/fakegithub/fakegithubtest"
	"github.com/github-billing-exporter/github-billing-exporter/internal/testutil"
)

const exporterTestToken = "ghp_exporterTestSENTINEL42"

// exporterTestClock is a clock the test moves by hand.
type exporterTestClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *exporterTestClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *exporterTestClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// exporterTestLog is a log sink safe for the refresh goroutines.
type exporterTestLog struct{ testutil.SyncBuffer }

// lines returns the log lines that contain every one of subs.
func (l *exporterTestLog) lines(subs ...string) []string {
	var out []string
	for line := range strings.SplitSeq(l.String(), "\n") {
		ok := line != ""
		for _, s := range subs {
			ok = ok && strings.Contains(line, s)
		}
		if ok {
			out = append(out, line)
		}
	}
	return out
}

var exporterTestT0 = time.Date(2026, 11, 10, 12, 0, 0, 0, time.UTC)

// exporterTestDataset: an enterprise and two organizations with legacy data
// and committers, and a user whose legacy endpoints are retired.
func exporterTestDataset() *fakegithub.Dataset {
	d := fakegithub.NewDataset()
	account := func(minutes, gb float64) *fakegithub.AccountData {
		return &fakegithub.AccountData{
			Actions: &githubapi.ActionsBilling{TotalMinutesUsed: minutes, IncludedMinutes: 3000,
				MinutesUsedBreakdown: map[string]float64{"UBUNTU": minutes}},
			Packages:      &githubapi.PackagesBilling{TotalGigabytesBandwidthUsed: gb, IncludedGigabytesBandwidth: 10},
			SharedStorage: &githubapi.SharedStorageBilling{DaysLeftInBillingCycle: 20, EstimatedStorageForMonth: gb},
			AdvancedSecurity: &githubapi.AdvancedSecurityCommitters{TotalAdvancedSecurityCommitters: 2, TotalCount: 1,
				Repositories: []githubapi.AdvancedSecurityRepository{{Name: "r", AdvancedSecurityCommitters: 2}}},
		}
	}
	d.Enterprises["acme"] = account(1000, 5)
	d.Organizations["acme-web"] = account(305, 2)
	d.Organizations["acme-data"] = account(10, 1)
	d.Users["octocat"] = &fakegithub.AccountData{LegacyRetired: true}
	return d
}

type exporterTestFixture struct {
	fake   *fakegithub.Server
	held   *heldAnswers // the client's transport, under the token's
	client *githubapi.Client
	exp    *Cache
	clock  *exporterTestClock
	log    *exporterTestLog
}

var exporterTestSettings = Settings{RefreshInterval: 10 * time.Minute, RefreshTimeout: 30 * time.Second, MaxAge: time.Hour}

// newExporterTestFixture serves d from the fake GitHub (token required) and
// points an exporter with the named collectors at every account of d.
func newExporterTestFixture(t *testing.T, d *fakegithub.Dataset, collectors []string, o collector.Options) *exporterTestFixture {
	t.Helper()
	fake := fakegithubtest.Start(t, d)
	fake.RequireToken(exporterTestToken)
	clock := &exporterTestClock{now: exporterTestT0}
	held := newHeldAnswers(nil)
	client := fakegithubtest.Client(t, fake, githubapi.Options{
		Credential: "test",
		HTTPClient: &http.Client{Transport: &githubapi.TokenTransport{Token: exporterTestToken, Base: held}},
		// Tests that make GitHub fail with a 5xx or a dropped connection
		// retry with millisecond backoffs.
		Retries: testutil.FastRetries,
		// The exporter's clock, as the server gives its clients: the
		// answers the collectors of one round share last a minute of it.
		Now: clock.Now,
	})
	f := &exporterTestFixture{fake: fake, held: held, client: client, clock: clock, log: &exporterTestLog{}}
	var err error
	f.exp, err = New(Config{
		Logger:      slog.New(slog.NewTextHandler(f.log, nil)),
		Collectors:  collectors,
		Options:     o,
		Concurrency: 4,
		Now:         f.clock.Now,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(f.exp.Close)
	f.exp.Apply(exporterTestSettings, f.targets(d.Accounts()...))
	t.Cleanup(func() {
		if strings.Contains(f.log.String(), exporterTestToken) {
			t.Errorf("the log shows the token:\n%s", f.log)
		}
	})
	return f
}

func (f *exporterTestFixture) targets(accounts ...githubapi.Account) []collector.Target {
	var out []collector.Target
	for _, a := range accounts {
		out = append(out, collector.Target{Account: a, Client: f.client})
	}
	return out
}

// scrape gathers one scrape bounded by ctx into a map from
// name{label="value",…} (labels sorted) to value.
func (f *exporterTestFixture) scrape(t *testing.T, ctx context.Context) map[string]float64 {
	t.Helper()
	reg := f.exp.Scrape(ctx, nil)
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatalf("Gather: %v", err)
	}
	return exporterTestSeries(mfs)
}

func exporterTestSeries(mfs []*dto.MetricFamily) map[string]float64 {
	out := map[string]float64{}
	for _, mf := range mfs {
		for _, m := range mf.GetMetric() {
			var labels []string
			for _, lp := range m.GetLabel() {
				labels = append(labels, lp.GetName()+"="+strconv.Quote(lp.GetValue()))
			}
			sort.Strings(labels)
			var v float64
			switch {
			case m.Gauge != nil:
				v = m.GetGauge().GetValue()
			case m.Counter != nil:
				v = m.GetCounter().GetValue()
			}
			out[mf.GetName()+"{"+strings.Join(labels, ",")+"}"] = v
		}
	}
	return out
}

// key builds a series key; label pairs are given as name, value, … .
func key(name string, pairs ...string) string {
	var labels []string
	for i := 0; i+1 < len(pairs); i += 2 {
		labels = append(labels, fmt.Sprintf("%s=%q", pairs[i], pairs[i+1]))
	}
	sort.Strings(labels)
	return name + "{" + strings.Join(labels, ",") + "}"
}

func exporterMetricKey(metric, collector, scope, account string) string {
	return key("github_billing_"+metric, "collector", collector, "scope", scope, "account", account)
}

func dataKey(metric, scope, account string, pairs ...string) string {
	return key("github_billing_"+metric, append([]string{"scope", scope, "account", account}, pairs...)...)
}

func expectValue(t *testing.T, series map[string]float64, k string, want float64) {
	t.Helper()
	got, ok := series[k]
	if !ok {
		t.Errorf("missing %s", k)
		return
	}
	if got != want {
		t.Errorf("%s = %v, want %v", k, got, want)
	}
}

func expectAbsent(t *testing.T, series map[string]float64, k string) {
	t.Helper()
	if v, ok := series[k]; ok {
		t.Errorf("%s = %v, want no such series", k, v)
	}
}

// A 410 marks the endpoint retired, is no failure, is logged once, and the
// endpoint is left alone for 24 hours.
func TestExporterRetiredEndpoint(t *testing.T) {
	f := newExporterTestFixture(t, exporterTestDataset(), []string{"actions"}, collector.Options{})
	ctx := context.Background()
	retiredPath := "/users/octocat/settings/billing/actions"
	livePath := "/orgs/acme-web/settings/billing/actions"
	retiredKey := exporterMetricKey("endpoint_retired", "actions", "user", "octocat")
	successKey := exporterMetricKey("scrape_collector_success", "actions", "user", "octocat")

	check := func(step string, wantRetiredCalls, wantLiveCalls int) {
		t.Helper()
		s := f.scrape(t, ctx)
		expectValue(t, s, retiredKey, 1)
		expectValue(t, s, successKey, 1)
		expectValue(t, s, exporterMetricKey("endpoint_retired", "actions", "organization", "acme-web"), 0)
		expectValue(t, s, exporterMetricKey("scrape_collector_success", "actions", "organization", "acme-web"), 1)
		expectAbsent(t, s, dataKey("actions_used_seconds", "user", "octocat"))
		expectAbsent(t, s, exporterMetricKey("collector_last_success_timestamp_seconds", "actions", "user", "octocat"))
		if n := f.fake.Requests(retiredPath); n != wantRetiredCalls {
			t.Errorf("%s: %d requests to the retired endpoint, want %d", step, n, wantRetiredCalls)
		}
		if n := f.fake.Requests(livePath); n != wantLiveCalls {
			t.Errorf("%s: %d requests to the live endpoint, want %d", step, n, wantLiveCalls)
		}
		if warns := f.log.lines("level=WARN"); len(warns) != 1 {
			t.Errorf("%s: %d warnings, want exactly one:\n%s", step, len(warns), f.log)
		}
	}

	check("first scrape", 1, 1)
	check("second scrape, cache fresh", 1, 1)
	f.clock.Advance(11 * time.Minute)
	check("after the refresh interval", 1, 2)
	f.clock.Advance(12 * time.Hour)
	check("after 12h", 1, 3)
	f.clock.Advance(11*time.Hour + 48*time.Minute) // 23h59m after the 410
	check("just under 24h", 1, 4)
	f.clock.Advance(2 * time.Minute)
	check("after 24h", 2, 4) // the live endpoint was refreshed 2m ago

	warn := f.log.lines("level=WARN")
	if len(warn) == 1 {
		for _, want := range []string{"410", "usage", "account=octocat", "collector=actions"} {
			if !strings.Contains(warn[0], want) {
				t.Errorf("warning %q does not contain %q", warn[0], want)
			}
		}
	}
	if errs := f.log.lines("level=ERROR"); len(errs) != 0 {
		t.Errorf("a 410 was logged as an error: %q", errs)
	}

	// The endpoint answers again: data comes back and retired goes to 0.
	f.fake.Update(func(d *fakegithub.Dataset) {
		d.Users["octocat"] = &fakegithub.AccountData{Actions: &githubapi.ActionsBilling{TotalMinutesUsed: 2, MinutesUsedBreakdown: map[string]float64{}}}
	})
	f.clock.Advance(24*time.Hour + time.Minute)
	s := f.scrape(t, ctx)
	expectValue(t, s, retiredKey, 0)
	expectValue(t, s, successKey, 1)
	expectValue(t, s, dataKey("actions_used_seconds", "user", "octocat"), 120)
}

// A failing refresh keeps serving the last good data with success 0 and logs
// the account, the endpoint and GitHub's message.
func TestExporterFailingRefreshKeepsLastGoodData(t *testing.T) {
	f := newExporterTestFixture(t, exporterTestDataset(), []string{"actions", "packages"}, collector.Options{})
	ctx := context.Background()
	used := dataKey("actions_used_seconds", "organization", "acme-web")
	success := exporterMetricKey("scrape_collector_success", "actions", "organization", "acme-web")
	lastSuccess := exporterMetricKey("collector_last_success_timestamp_seconds", "actions", "organization", "acme-web")
	t0 := float64(exporterTestT0.Unix())

	s := f.scrape(t, ctx)
	expectValue(t, s, used, 18300)
	expectValue(t, s, success, 1)
	expectValue(t, s, lastSuccess, t0)

	path := "/orgs/acme-web/settings/billing/actions"
	f.fake.Override(path, func(w http.ResponseWriter, _ *http.Request) {
		fakegithub.WriteError(w, http.StatusInternalServerError, "Something went wrong: boom-8472")
	})
	f.clock.Advance(11 * time.Minute)
	s = f.scrape(t, ctx)
	expectValue(t, s, used, 18300)
	expectValue(t, s, dataKey("actions_runner_used_seconds", "organization", "acme-web", "runner", "UBUNTU"), 18300)
	expectValue(t, s, success, 0)
	expectValue(t, s, lastSuccess, t0)
	// Everything else is untouched.
	expectValue(t, s, exporterMetricKey("scrape_collector_success", "packages", "organization", "acme-web"), 1)
	expectValue(t, s, exporterMetricKey("scrape_collector_success", "actions", "enterprise", "acme"), 1)
	expectValue(t, s, dataKey("packages_bandwidth_used_bytes", "organization", "acme-web"), 2e9)
	expectValue(t, s, dataKey("actions_used_seconds", "enterprise", "acme"), 60000)
	if f.fake.Requests(path) < 2 {
		t.Errorf("%d requests to %s, want a second (failing) one", f.fake.Requests(path), path)
	}

	errs := f.log.lines("level=ERROR")
	if len(errs) != 1 {
		t.Fatalf("%d error lines, want 1:\n%s", len(errs), f.log)
	}
	for _, want := range []string{"acme-web", "collector=actions", path, "500", "boom-8472"} {
		if !strings.Contains(errs[0], want) {
			t.Errorf("error line %q does not contain %q", errs[0], want)
		}
	}

	// GitHub recovers.
	f.fake.Override(path, nil)
	f.fake.Update(func(d *fakegithub.Dataset) { d.Organizations["acme-web"].Actions.TotalMinutesUsed = 400 })
	f.clock.Advance(11 * time.Minute)
	s = f.scrape(t, ctx)
	expectValue(t, s, used, 24000)
	expectValue(t, s, success, 1)
	expectValue(t, s, lastSuccess, t0+22*60)
}

// A refresh that fails before any has worked says there is nothing to
// serve, never that it serves the last good data; once data has been
// fetched, a failure says it is served. Each line names the failure's class,
// and the cache's status holds the error.
func TestFailingRefreshSaysWhetherThereIsDataToServe(t *testing.T) {
	f := newExporterTestFixture(t, exporterTestDataset(), []string{"actions"}, collector.Options{})
	path := "/orgs/acme-web/settings/billing/actions"
	f.fake.Override(path, func(w http.ResponseWriter, _ *http.Request) {
		fakegithub.WriteError(w, http.StatusForbidden, "Resource not accessible by personal access token")
	})
	f.scrape(t, context.Background())
	errs := f.log.lines("level=ERROR")
	if len(errs) != 1 {
		t.Fatalf("%d error lines, want 1:\n%s", len(errs), f.log)
	}
	for _, want := range []string{"acme-web", "no data to serve yet", `reason="missing permission"`} {
		if !strings.Contains(errs[0], want) {
			t.Errorf("error line %q does not contain %q", errs[0], want)
		}
	}
	if strings.Contains(f.log.String(), "serving the last good data") {
		t.Errorf("the log claims last good data that never was:\n%s", f.log)
	}
	var web EntryStatus
	for _, st := range f.exp.Status() {
		if st.Account.Name == "acme-web" {
			web = st
		}
	}
	if web.OK || !errors.Is(web.Err, githubapi.ErrForbidden) || !web.LastSuccess.IsZero() {
		t.Errorf("acme-web's status = %+v, want failing with a 403 and no success", web)
	}

	// It works, then fails again: now the last good data is served.
	f.fake.Override(path, nil)
	f.clock.Advance(11 * time.Minute)
	f.scrape(t, context.Background())
	f.fake.Override(path, func(w http.ResponseWriter, _ *http.Request) {
		fakegithub.WriteError(w, http.StatusNotFound, "Not Found")
	})
	f.clock.Advance(11 * time.Minute)
	f.scrape(t, context.Background())
	errs = f.log.lines("level=ERROR")
	if len(errs) != 2 || !strings.Contains(errs[1], "serving the last good data") || !strings.Contains(errs[1], `reason="not found"`) {
		t.Errorf("after a success the failure line should say the last good data is served, with its reason:\n%s", f.log)
	}
}

// Malformed JSON and a dropped connection fail only their collector for their
// account; every other series is served.
func TestExporterMalformedAndDroppedConnection(t *testing.T) {
	f := newExporterTestFixture(t, exporterTestDataset(), []string{"actions", "packages", "shared_storage", "advanced_security"}, collector.Options{})
	f.fake.Override("/orgs/acme-web/settings/billing/actions", fakegithubtest.ServeString(`{"total_minutes_used": 305, "minutes_used_breakdown": {`))
	f.fake.Override("/enterprises/acme/settings/billing/packages", func(w http.ResponseWriter, _ *http.Request) {
		conn, _, err := http.NewResponseController(w).Hijack()
		if err == nil {
			conn.Close()
		}
	})
	s := f.scrape(t, context.Background())

	expectValue(t, s, exporterMetricKey("scrape_collector_success", "actions", "organization", "acme-web"), 0)
	expectValue(t, s, exporterMetricKey("scrape_collector_success", "packages", "enterprise", "acme"), 0)
	expectAbsent(t, s, dataKey("actions_used_seconds", "organization", "acme-web"))
	expectAbsent(t, s, dataKey("packages_bandwidth_used_bytes", "enterprise", "acme"))

	// Every other collector of every account worked.
	healthy := 0
	for k, v := range s {
		if strings.HasPrefix(k, "github_billing_scrape_collector_success{") {
			failed := k == exporterMetricKey("scrape_collector_success", "actions", "organization", "acme-web") ||
				k == exporterMetricKey("scrape_collector_success", "packages", "enterprise", "acme")
			if !failed && v != 1 {
				t.Errorf("%s = %v, want 1", k, v)
			}
			if !failed {
				healthy++
			}
		}
	}
	// enterprise 4 + two orgs × 4 + user 3 collectors, less the two failures.
	if healthy != 4+8+3-2 {
		t.Errorf("%d healthy collectors, want 13", healthy)
	}
	expectValue(t, s, dataKey("actions_used_seconds", "enterprise", "acme"), 60000)
	expectValue(t, s, dataKey("actions_used_seconds", "organization", "acme-data"), 600)
	expectValue(t, s, dataKey("packages_bandwidth_used_bytes", "organization", "acme-web"), 2e9)
	expectValue(t, s, dataKey("shared_storage_estimated_bytes", "organization", "acme-web"), 2e9)
	expectValue(t, s, dataKey("advanced_security_committers", "enterprise", "acme", "product", ""), 2)
	expectValue(t, s, exporterMetricKey("endpoint_retired", "packages", "user", "octocat"), 1)

	if lines := f.log.lines("level=ERROR", "account=acme-web", "collector=actions"); len(lines) != 1 || !strings.Contains(lines[0], "decode") {
		t.Errorf("error lines for acme-web actions: %q", lines)
	}
	if lines := f.log.lines("level=ERROR", "account=acme", "collector=packages"); len(lines) != 1 || !strings.Contains(lines[0], "/enterprises/acme/settings/billing/packages") {
		t.Errorf("error lines for acme packages: %q", lines)
	}
}

// Data older than MaxAge is dropped instead of served as current.
func TestExporterMaxAgeDropsOldData(t *testing.T) {
	f := newExporterTestFixture(t, exporterTestDataset(), []string{"shared_storage"}, collector.Options{})
	ctx := context.Background()
	estimated := dataKey("shared_storage_estimated_bytes", "organization", "acme-web")
	success := exporterMetricKey("scrape_collector_success", "shared_storage", "organization", "acme-web")
	lastSuccess := exporterMetricKey("collector_last_success_timestamp_seconds", "shared_storage", "organization", "acme-web")

	s := f.scrape(t, ctx)
	expectValue(t, s, estimated, 2e9)
	f.fake.Override("/orgs/acme-web/settings/billing/shared-storage", fakegithubtest.ServeString(`{"days_left_in_billing_cycle": `))

	f.clock.Advance(59 * time.Minute) // MaxAge is 1h
	s = f.scrape(t, ctx)
	expectValue(t, s, estimated, 2e9)
	expectValue(t, s, success, 0)

	f.clock.Advance(2 * time.Minute)
	s = f.scrape(t, ctx)
	expectAbsent(t, s, estimated)
	expectAbsent(t, s, dataKey("cycle_remaining_seconds", "organization", "acme-web"))
	expectValue(t, s, success, 0)
	expectValue(t, s, lastSuccess, float64(exporterTestT0.Unix()))
	// Other accounts refreshed fine and keep their data.
	expectValue(t, s, dataKey("shared_storage_estimated_bytes", "organization", "acme-data"), 1e9)
}

// exporterTestConcurrentScrapes starts n scrapes of a cold cache at once and
// checks that every endpoint of every account was called exactly once.
func exporterTestConcurrentScrapes(t *testing.T, n int) {
	f := newExporterTestFixture(t, exporterTestDataset(), []string{"actions", "packages", "shared_storage", "advanced_security"}, collector.Options{})
	// GitHub's answers wait for every scrape: the scrapes certainly overlap.
	ctx := holdUntilAllWait(t, f.held, n)

	start := make(chan struct{})
	results := make([]map[string]float64, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			<-start
			results[i] = f.scrape(t, ctx)
		})
	}
	close(start)
	wg.Wait()

	paths := []string{}
	for _, prefix := range []string{"/enterprises/acme", "/orgs/acme-web", "/orgs/acme-data"} {
		for _, area := range []string{"actions", "packages", "shared-storage", "advanced-security"} {
			paths = append(paths, prefix+"/settings/billing/"+area)
		}
	}
	for _, area := range []string{"actions", "packages", "shared-storage"} {
		paths = append(paths, "/users/octocat/settings/billing/"+area)
	}
	for _, p := range paths {
		if got := f.fake.Requests(p); got != 1 {
			t.Errorf("%d requests to %s, want 1", got, p)
		}
	}
	if got := f.fake.TotalRequests(); got != len(paths) {
		t.Errorf("%d requests in all, want %d", got, len(paths))
	}
	for i, s := range results {
		if v, ok := s[dataKey("actions_used_seconds", "organization", "acme-web")]; !ok || v != 18300 {
			t.Errorf("scrape %d: actions_used_seconds for acme-web = %v (present %v), want 18300", i, v, ok)
		}
		if v := s[dataKey("advanced_security_committers", "enterprise", "acme", "product", "")]; v != 2 {
			t.Errorf("scrape %d: advanced_security_committers for acme = %v, want 2", i, v)
		}
	}
}

func TestExporterTwoConcurrentColdScrapesOneRequestEach(t *testing.T) {
	exporterTestConcurrentScrapes(t, 2)
}

func TestExporterFiftyConcurrentColdScrapesOneRequestEach(t *testing.T) {
	exporterTestConcurrentScrapes(t, 50)
}

// A refresh slower than the scrape: the scrape answers in time with the old
// data, and the refresh finishes in the background. GitHub's answer to the
// refresh is held until a scrape joins it.
func TestExporterStaleWhileRevalidate(t *testing.T) {
	f := newExporterTestFixture(t, exporterTestDataset(), []string{"actions"}, collector.Options{})
	used := dataKey("actions_used_seconds", "organization", "acme-web")
	path := "/orgs/acme-web/settings/billing/actions"

	s := f.scrape(t, context.Background())
	expectValue(t, s, used, 18300)

	f.fake.Update(func(d *fakegithub.Dataset) { d.Organizations["acme-web"].Actions.TotalMinutesUsed = 400 })
	joining := holdUntilAllWait(t, f.held, 1)
	f.clock.Advance(11 * time.Minute)

	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	began := time.Now()
	s = f.scrape(t, ctx)
	if took := time.Since(began); took >= 1500*time.Millisecond {
		t.Errorf("scrape took %v, want about its timeout of 100ms, while GitHub's answer waits", took)
	}
	expectValue(t, s, used, 18300)
	expectValue(t, s, exporterMetricKey("scrape_collector_success", "actions", "organization", "acme-web"), 1)
	if n := f.fake.Requests(path); n != 2 {
		t.Errorf("%d requests, want 2 (the refresh started)", n)
	}

	// An unbounded scrape joins the refresh that is still running; GitHub
	// answers once it waits.
	s = f.scrape(t, joining)
	expectValue(t, s, used, 24000)
	if n := f.fake.Requests(path); n != 2 {
		t.Errorf("%d requests, want 2 (the second scrape shares the refresh)", n)
	}
}

// A cold cache and a scrape shorter than GitHub: the answer comes in time,
// without data and with success 0.
func TestExporterColdScrapeTimeout(t *testing.T) {
	f := newExporterTestFixture(t, exporterTestDataset(), []string{"packages"}, collector.Options{})
	f.fake.SetLatency(2 * time.Second)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	began := time.Now()
	s := f.scrape(t, ctx)
	if took := time.Since(began); took >= 1500*time.Millisecond {
		t.Errorf("scrape took %v", took)
	}
	expectAbsent(t, s, dataKey("packages_bandwidth_used_bytes", "organization", "acme-web"))
	expectValue(t, s, exporterMetricKey("scrape_collector_success", "packages", "organization", "acme-web"), 0)
}

// Apply drops the series of a removed account and adds a new one.
func TestExporterApply(t *testing.T) {
	d := exporterTestDataset()
	f := newExporterTestFixture(t, d, []string{"packages"}, collector.Options{})
	web := githubapi.Account{Scope: githubapi.ScopeOrganization, Name: "acme-web"}
	data := githubapi.Account{Scope: githubapi.ScopeOrganization, Name: "acme-data"}
	ctx := context.Background()

	f.exp.Apply(exporterTestSettings, f.targets(web))
	s := f.scrape(t, ctx)
	expectValue(t, s, dataKey("packages_bandwidth_used_bytes", "organization", "acme-web"), 2e9)
	expectAbsent(t, s, dataKey("packages_bandwidth_used_bytes", "organization", "acme-data"))
	if len(f.exp.Targets()) != 1 {
		t.Errorf("Targets() = %v", f.exp.Targets())
	}

	f.exp.Apply(exporterTestSettings, f.targets(data))
	s = f.scrape(t, ctx)
	expectValue(t, s, dataKey("packages_bandwidth_used_bytes", "organization", "acme-data"), 1e9)
	for k := range s {
		if strings.Contains(k, `account="acme-web"`) {
			t.Errorf("series of the removed account: %s", k)
		}
	}
	if n := f.fake.Requests("/orgs/acme-data/settings/billing/packages"); n != 1 {
		t.Errorf("%d requests for the added account, want 1", n)
	}

	// An account that stays keeps its cache: no new request.
	f.exp.Apply(exporterTestSettings, f.targets(data, web))
	s = f.scrape(t, ctx)
	expectValue(t, s, dataKey("packages_bandwidth_used_bytes", "organization", "acme-data"), 1e9)
	expectValue(t, s, dataKey("packages_bandwidth_used_bytes", "organization", "acme-web"), 2e9)
	if n := f.fake.Requests("/orgs/acme-data/settings/billing/packages"); n != 1 {
		t.Errorf("%d requests for the kept account, want still 1", n)
	}
}

// A disabled collector makes no request and no series.
func TestExporterDisabledCollectorMakesNoRequest(t *testing.T) {
	f := newExporterTestFixture(t, exporterTestDataset(), []string{"packages"}, collector.Options{})
	s := f.scrape(t, context.Background())
	for _, prefix := range []string{"/enterprises/acme", "/orgs/acme-web", "/orgs/acme-data", "/users/octocat"} {
		for _, area := range []string{"actions", "shared-storage", "advanced-security"} {
			if n := f.fake.Requests(prefix + "/settings/billing/" + area); n != 0 {
				t.Errorf("%d requests to %s/settings/billing/%s", n, prefix, area)
			}
		}
		if n := f.fake.Requests(prefix + "/settings/billing/packages"); n != 1 {
			t.Errorf("%d requests to %s/settings/billing/packages, want 1", n, prefix)
		}
	}
	for k := range s {
		if strings.Contains(k, `collector="actions"`) || strings.HasPrefix(k, "github_billing_actions_") {
			t.Errorf("series of a disabled collector: %s", k)
		}
	}
	// advanced_security does not apply to users even when enabled.
	g := newExporterTestFixture(t, exporterTestDataset(), []string{"advanced_security"}, collector.Options{})
	s = g.scrape(t, context.Background())
	expectAbsent(t, s, exporterMetricKey("scrape_collector_success", "advanced_security", "user", "octocat"))
	expectValue(t, s, exporterMetricKey("scrape_collector_success", "advanced_security", "organization", "acme-web"), 1)
}

// The exporter's own metrics for a healthy refresh, and the whole scrape
// lints clean.
func TestExporterOwnMetricsAndLint(t *testing.T) {
	f := newExporterTestFixture(t, exporterTestDataset(), []string{"actions", "packages", "shared_storage", "advanced_security"}, collector.Options{AdvancedSecurityByRepository: true})
	s := f.scrape(t, context.Background())
	expectValue(t, s, exporterMetricKey("scrape_collector_success", "advanced_security", "enterprise", "acme"), 1)
	expectValue(t, s, exporterMetricKey("endpoint_retired", "advanced_security", "enterprise", "acme"), 0)
	expectValue(t, s, exporterMetricKey("collector_last_success_timestamp_seconds", "advanced_security", "enterprise", "acme"), float64(exporterTestT0.Unix()))
	expectValue(t, s, exporterMetricKey("collector_refresh_interval_seconds", "advanced_security", "enterprise", "acme"), exporterTestSettings.RefreshInterval.Seconds())
	if d, ok := s[exporterMetricKey("scrape_collector_duration_seconds", "advanced_security", "enterprise", "acme")]; !ok || d < 0 {
		t.Errorf("scrape_collector_duration_seconds = %v (present %v)", d, ok)
	}
	expectValue(t, s, dataKey("advanced_security_repository_committers", "enterprise", "acme", "product", "", "repository", "r"), 2)

	expectGatherLintClean(t, f.exp.Scrape(context.Background(), nil))
}

// include selects accounts for one scrape.
func TestExporterScrapeInclude(t *testing.T) {
	f := newExporterTestFixture(t, exporterTestDataset(), []string{"packages"}, collector.Options{})
	reg := f.exp.Scrape(context.Background(), func(a githubapi.Account) bool { return a.Name == "acme-data" })
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for k := range exporterTestSeries(mfs) {
		if !strings.Contains(k, `account="acme-data"`) {
			t.Errorf("series of an account not included: %s", k)
		}
	}
	if n := f.fake.TotalRequests(); n != 1 {
		t.Errorf("%d requests, want 1", n)
	}
}

// expectGatherLintClean reports every lint problem of the gathered metrics.
func expectGatherLintClean(tb testing.TB, g prometheus.Gatherer) {
	tb.Helper()
	problems, err := promtestutil.GatherAndLint(g)
	if err != nil {
		tb.Fatal(err)
	}
	for _, p := range problems {
		tb.Errorf("lint: %s: %s", p.Metric, p.Text)
	}
}

// A cache asked for a collector the table does not have refuses to start.
func TestNewRefusesAnUnknownCollector(t *testing.T) {
	if _, err := New(Config{Collectors: []string{"no_such_collector"}}); err == nil {
		t.Error("New accepted an unknown collector")
	}
}
