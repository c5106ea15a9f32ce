package cache

import (
	"bytes"
	"context"
	"io"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"

	"github.com/github-billing-exporter/github-billing-exporter/collector"
	"github.com/github-billing-exporter/github-billing-exporter/githubapi"
)

// The health lines a scrape copies are the lines a registry writes for the
// same metrics, in both formats: label order, escaping, sorting across
// accounts and collectors, numbers, and families left out.
func TestHealthLinesMatchTheRegistry(t *testing.T) {
	now := time.Date(2026, 11, 10, 12, 0, 0, 0, time.UTC)
	e, err := New(Config{Collectors: []string{"usage", "actions", "budgets"}, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	accounts := []githubapi.Account{
		{Scope: githubapi.ScopeOrganization, Name: `zeta "quoted"`},
		{Scope: githubapi.ScopeEnterprise, Name: "acme"},
		{Scope: githubapi.ScopeOrganization, Name: "acme"},
		{Scope: githubapi.ScopeUser, Name: `back\slash`},
		{Scope: githubapi.ScopeOrganization, Name: "ünïcødé\nline"},
	}
	var targets []collector.Target
	for _, a := range accounts {
		targets = append(targets, collector.Target{Account: a, RefreshIntervals: map[string]time.Duration{"budgets": 90 * time.Minute}})
	}
	e.Apply(Settings{RefreshInterval: time.Hour, RefreshTimeout: time.Minute, MaxAge: 2 * time.Hour}, targets)
	// Every state an entry can be in: never attempted (a refresh under
	// way), worked, failed after working, failed always, retired, and data
	// older than max_age.
	states := []entry{
		{},
		{ok: true, fetched: now.Add(-time.Minute), attempted: now.Add(-time.Minute), duration: 1500 * time.Millisecond},
		{ok: false, fetched: now.Add(-90 * time.Minute), attempted: now.Add(-time.Minute), duration: 2 * time.Second},
		{ok: false, attempted: now.Add(-time.Minute), duration: 250 * time.Microsecond},
		{ok: true, retiredAt: now.Add(-time.Hour), attempted: now.Add(-time.Hour), duration: time.Second / 3},
		{ok: true, fetched: now.Add(-3 * time.Hour), attempted: now.Add(-3 * time.Hour), duration: 12 * time.Second},
	}
	i := 0
	for _, a := range accounts {
		for _, c := range e.collectors {
			if c.AppliesTo(a.Scope) {
				st := &states[i%len(states)]
				e.cache[cacheKey{a, c.Name}] = &entry{ok: st.ok, fetched: st.fetched, attempted: st.attempted, duration: st.duration, retiredAt: st.retiredAt}
				i++
			}
		}
	}
	// A refresh of the never-attempted entries would start: keep them
	// running so that the scrape serves the entries as set above.
	held := map[cacheKey]chan struct{}{}
	e.runMu.Lock()
	for k, ent := range e.cache {
		if ent.attempted.IsZero() {
			held[k] = make(chan struct{})
			e.running[k] = held[k]
		}
	}
	e.runMu.Unlock()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	snap := e.Scrape(ctx, nil)

	reg := prometheus.NewRegistry()
	reg.MustRegister(metricSlice(healthMetrics(snap.health)))
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, format := range []Format{FormatText, FormatOpenMetrics} {
		var want, got bytes.Buffer
		for _, mf := range mfs {
			encode := expfmt.MetricFamilyToText
			if format == FormatOpenMetrics {
				encode = func(w io.Writer, mf *dto.MetricFamily) (int, error) { return expfmt.MetricFamilyToOpenMetrics(w, mf) }
			}
			if _, err := encode(&want, mf); err != nil {
				t.Fatal(err)
			}
		}
		if format == FormatOpenMetrics {
			want.WriteString("# EOF\n")
		}
		if err := snap.WriteTo(&got, format, nil); err != nil {
			t.Fatal(err)
		}
		if got.String() != want.String() {
			t.Errorf("format %d: the cache wrote\n%s\nthe registry\n%s", format, got.String(), want.String())
		}
	}
	// The registry's families are the old path's: every entry's success,
	// and no family left empty.
	if len(mfs) != healthFamilyCount || len(mfs[len(mfs)-1].Metric) != i {
		t.Errorf("%d families, the last with %d series; want %d and %d", len(mfs), len(mfs[len(mfs)-1].Metric), healthFamilyCount, i)
	}
	// Only the refreshes held above end here: the stale entries' real
	// refreshes end, and close their own channels, by themselves.
	e.runMu.Lock()
	for k, done := range held {
		close(done)
		delete(e.running, k)
	}
	e.runMu.Unlock()
}
