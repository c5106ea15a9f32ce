package collector

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/github-billing-exporter/github-billing-exporter/githubapi"
)

// retiredPause is how long a collector leaves an endpoint alone after GitHub
// answered 410 Gone.
const retiredPause = 24 * time.Hour

var (
	collectorSuccess = prometheus.NewDesc(namespace+"_scrape_collector_success",
		"1 when the last refresh of the collector for the account worked.", []string{"collector", "scope", "account"}, nil)
	collectorDuration = prometheus.NewDesc(namespace+"_scrape_collector_duration_seconds",
		"How long the last refresh of the collector for the account took.", []string{"collector", "scope", "account"}, nil)
	collectorLastSuccess = prometheus.NewDesc(namespace+"_collector_last_success_timestamp_seconds",
		"When the data served for the collector and account was fetched.", []string{"collector", "scope", "account"}, nil)
	collectorRefreshInterval = prometheus.NewDesc(namespace+"_collector_refresh_interval_seconds",
		"How old the collector's data may get before a scrape refreshes it (refresh_interval), for alerts on stale data.", []string{"collector", "scope", "account"}, nil)
	endpointRetired = prometheus.NewDesc(namespace+"_endpoint_retired",
		"1 when GitHub answered 410 Gone: the endpoint is retired for the account.", []string{"collector", "scope", "account"}, nil)
)

// Target is one account and the client that reads it.
type Target struct {
	Account githubapi.Account
	Client  *githubapi.Client
}

// Settings are the refresh settings, which a configuration reload may change.
type Settings struct {
	// RefreshInterval is how old data may get before a scrape refreshes it.
	RefreshInterval time.Duration
	// RefreshTimeout bounds one refresh, which may outlast the scrape that
	// started it.
	RefreshTimeout time.Duration
	// MaxAge drops data older than this instead of serving it.
	MaxAge time.Duration
}

// Config is what NewExporter needs.
type Config struct {
	Logger *slog.Logger
	// Collectors are the names of the enabled collectors.
	Collectors []string
	Options    Options
	// Concurrency bounds the refreshes that talk to GitHub at once.
	Concurrency int
	Now         func() time.Time
	// KeepMetrics also keeps each refresh's samples as Go objects, so that
	// the registry path (ScrapeCollector) serves them as the exporter did
	// before it cached encoded bytes. For the equivalence tests and the
	// baseline benchmark only: it costs the memory the bytes save.
	KeepMetrics bool
}

// Exporter keeps a cache per account and collector and refreshes it when a
// scrape finds it older than the refresh interval. Concurrent scrapes share
// one refresh; a refresh that outlasts a scrape finishes in the background
// while the scrape answers with the last good data.
type Exporter struct {
	logger     *slog.Logger
	collectors []namedCollector
	now        func() time.Time
	sem        chan struct{}
	keep       bool

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu       sync.RWMutex
	settings Settings
	targets  []Target
	cache    map[cacheKey]*entry
}

type namedCollector struct {
	Factory
	collector Collector
}

type cacheKey struct {
	account   githubapi.Account
	collector string
}

// entry is one collector's cached result for one account.
type entry struct {
	mu        sync.Mutex
	data      *encoded            // last good data, encoded; never changed, only replaced
	kept      []prometheus.Metric // the same as Go objects, with KeepMetrics only
	fetched   time.Time           // when data was fetched
	attempted time.Time           // when the last refresh ended
	ok        bool                // whether the last refresh worked
	duration  time.Duration       // how long the last refresh took
	retiredAt time.Time           // when GitHub last answered 410
	warned    bool                // the retirement was logged
	inflight  chan struct{}       // closed when the running refresh ends
}

// NewExporter builds an exporter with the named collectors enabled.
func NewExporter(cfg Config) (*Exporter, error) {
	e := &Exporter{
		logger: cfg.Logger,
		now:    cfg.Now,
		cache:  map[cacheKey]*entry{},
		keep:   cfg.KeepMetrics,
	}
	if e.logger == nil {
		e.logger = slog.New(slog.DiscardHandler)
	}
	if e.now == nil {
		e.now = time.Now
	}
	e.sem = make(chan struct{}, max(1, cfg.Concurrency))
	for _, name := range cfg.Collectors {
		f, ok := lookup(name)
		if !ok {
			return nil, fmt.Errorf("unknown collector %q", name)
		}
		e.collectors = append(e.collectors, namedCollector{Factory: f, collector: f.new(cfg.Options)})
	}
	e.ctx, e.cancel = context.WithCancel(context.Background())
	return e, nil
}

// Apply sets the accounts and refresh settings; it is called at start and on
// every configuration reload. Cached data of accounts that are gone is
// dropped; accounts that stay keep their cache.
func (e *Exporter) Apply(s Settings, targets []Target) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.settings, e.targets = s, targets
	keep := map[githubapi.Account]bool{}
	for _, t := range targets {
		keep[t.Account] = true
	}
	for k := range e.cache {
		if !keep[k.account] {
			delete(e.cache, k)
		}
	}
}

// Targets returns the configured accounts.
func (e *Exporter) Targets() []Target {
	e.mu.RLock()
	defer e.mu.RUnlock()
	return append([]Target(nil), e.targets...)
}

// Close stops background refreshes and waits for them.
func (e *Exporter) Close() {
	e.cancel()
	e.wg.Wait()
}

// job is one collector for one account within a scrape.
type job struct {
	target    Target
	collector namedCollector
	entry     *entry
}

// Scrape refreshes what is older than the refresh interval, waits for those
// refreshes until ctx ends, and returns what the cache then holds. include
// selects accounts; nil means all.
func (e *Exporter) Scrape(ctx context.Context, include func(githubapi.Account) bool) *Snapshot {
	jobs, settings := e.plan(include)
	var waits []<-chan struct{}
	for _, j := range jobs {
		if done := e.ensureFresh(j, settings); done != nil {
			waits = append(waits, done)
		}
	}
	for _, done := range waits {
		select {
		case <-done:
		case <-ctx.Done():
			// Answer with what the cache holds; the refreshes go on.
		}
	}
	snap := &Snapshot{now: e.now(), settings: settings, items: make([]snapshotItem, len(jobs))}
	for i, j := range jobs {
		snap.items[i] = j.entry.snapshot(j, snap.now, settings)
	}
	return snap
}

// Snapshot is what the cache held for one scrape: per job, the encoded data
// of one refresh, whole (a refresh that ends meanwhile replaces the entry's
// data, never changes it), and the state the health metrics report.
type Snapshot struct {
	now      time.Time
	settings Settings
	items    []snapshotItem
}

type snapshotItem struct {
	labels    []string // collector, scope, account
	data      *encoded // nil when there is none or it is older than max_age
	kept      []prometheus.Metric
	attempted time.Time
	fetched   time.Time
	ok        bool
	duration  time.Duration
	retired   bool
}

// WriteTo writes the cached families of the snapshot, each once with its
// samples from every account, in text format 0.0.4 or (om) as OpenMetrics
// 1.0 without the closing "# EOF", which belongs after the health metrics
// and the exporter's own.
func (s *Snapshot) WriteTo(w io.Writer, om bool) error {
	encs := make([]*encoded, len(s.items))
	for i := range s.items {
		encs[i] = s.items[i].data
	}
	return writeFamilies(w, encs, om)
}

// Health is the per-scrape metrics of the snapshot's jobs: success,
// duration, last success, refresh interval, retired.
func (s *Snapshot) Health() prometheus.Collector { return healthCollector{s} }

// Collector is the whole snapshot, data and health, as metrics for a
// registry: the path for formats that cannot come from the bytes
// (protobuf). The data is parsed back from the bytes, or, with KeepMetrics,
// the collectors' own samples.
func (s *Snapshot) Collector() prometheus.Collector { return registryCollector{s} }

type healthCollector struct{ s *Snapshot }

func (healthCollector) Describe(chan<- *prometheus.Desc) {}

func (h healthCollector) Collect(ch chan<- prometheus.Metric) {
	for i := range h.s.items {
		h.s.items[i].health(ch, h.s.settings)
	}
}

type registryCollector struct{ s *Snapshot }

func (registryCollector) Describe(chan<- *prometheus.Desc) {}

func (r registryCollector) Collect(ch chan<- prometheus.Metric) {
	for i := range r.s.items {
		it := &r.s.items[i]
		switch {
		case it.kept != nil:
			for _, m := range it.kept {
				ch <- m
			}
		case it.data != nil:
			metrics, err := it.data.decode()
			if err != nil {
				ch <- prometheus.NewInvalidMetric(collectorSuccess, err)
			}
			for _, m := range metrics {
				ch <- m
			}
		}
		it.health(ch, r.s.settings)
	}
}

// ScrapeCollector returns a prometheus.Collector for one scrape through the
// registry (see Scrape and Snapshot.Collector).
func (e *Exporter) ScrapeCollector(ctx context.Context, include func(githubapi.Account) bool) prometheus.Collector {
	return &scrape{exporter: e, ctx: ctx, include: include}
}

type scrape struct {
	exporter *Exporter
	ctx      context.Context
	include  func(githubapi.Account) bool
}

// Describe sends nothing: the metrics depend on what GitHub answers, so the
// collector is unchecked.
func (s *scrape) Describe(chan<- *prometheus.Desc) {}

func (s *scrape) Collect(ch chan<- prometheus.Metric) {
	s.exporter.Scrape(s.ctx, s.include).Collector().Collect(ch)
}

// plan lists the jobs of a scrape, creating cache entries on first sight.
func (e *Exporter) plan(include func(githubapi.Account) bool) ([]job, Settings) {
	e.mu.Lock()
	defer e.mu.Unlock()
	var jobs []job
	for _, t := range e.targets {
		if include != nil && !include(t.Account) {
			continue
		}
		for _, c := range e.collectors {
			if !c.AppliesTo(t.Account.Scope) {
				continue
			}
			k := cacheKey{t.Account, c.Name}
			ent := e.cache[k]
			if ent == nil {
				ent = &entry{}
				e.cache[k] = ent
			}
			jobs = append(jobs, job{target: t, collector: c, entry: ent})
		}
	}
	return jobs, e.settings
}

// ensureFresh starts a refresh when the entry is due and none is running,
// and returns a channel closed when the running refresh ends, or nil when the
// cache is fresh.
func (e *Exporter) ensureFresh(j job, s Settings) <-chan struct{} {
	ent := j.entry
	ent.mu.Lock()
	defer ent.mu.Unlock()
	if ent.inflight != nil {
		return ent.inflight
	}
	now := e.now()
	if !ent.retiredAt.IsZero() && now.Sub(ent.retiredAt) < retiredPause {
		return nil
	}
	if !ent.attempted.IsZero() && now.Sub(ent.attempted) < s.RefreshInterval {
		return nil
	}
	ent.inflight = make(chan struct{})
	e.wg.Add(1)
	go e.refresh(j, s, ent.inflight)
	return ent.inflight
}

// refresh runs one collector for one account, detached from the scrape that
// asked for it, and stores the outcome.
func (e *Exporter) refresh(j job, s Settings, done chan struct{}) {
	defer e.wg.Done()

	// The timeout starts once the refresh holds a slot: a refresh queued
	// behind others (200 organizations at concurrency 4) has not started
	// talking to GitHub yet, and must not fail for the queue's length.
	var metrics []prometheus.Metric
	var err error
	start := e.now()
	select {
	case e.sem <- struct{}{}:
		start = e.now()
		ctx, cancel := context.WithTimeout(e.ctx, s.RefreshTimeout)
		metrics, err = safeUpdate(ctx, j)
		cancel()
		<-e.sem
	case <-e.ctx.Done():
		err = fmt.Errorf("waiting for a free connection to GitHub: %w", e.ctx.Err())
	}
	end := e.now()
	var data *encoded
	if err == nil {
		// Encode outside the entry's lock: a scrape meanwhile serves the
		// old data whole.
		var encErr error
		data, encErr = encode(metrics)
		if encErr != nil {
			e.logger.Error("some samples could not be encoded", "collector", j.collector.Name, "scope", j.target.Account.Scope, "account", j.target.Account.Name, "err", encErr)
		}
		if !e.keep {
			metrics = nil
		}
	}

	ent := j.entry
	ent.mu.Lock()
	defer ent.mu.Unlock()
	defer close(done)
	ent.inflight = nil
	ent.attempted, ent.duration = end, end.Sub(start)
	logger := e.logger.With("collector", j.collector.Name, "scope", j.target.Account.Scope, "account", j.target.Account.Name)
	switch {
	case err == nil:
		ent.data, ent.kept, ent.fetched, ent.ok = data, metrics, end, true
		ent.retiredAt, ent.warned = time.Time{}, false
		logger.Debug("refreshed", "series", data.series, "duration", ent.duration)
	case errors.Is(err, githubapi.ErrRetired):
		// Not a failure: GitHub moved this data to the billing platform.
		ent.data, ent.kept, ent.fetched, ent.ok = nil, nil, time.Time{}, true
		ent.retiredAt = end
		if !ent.warned {
			ent.warned = true
			logger.Warn("GitHub retired this endpoint (410 Gone); its data is in the usage collector's metrics now. Not calling it again for 24h.", "err", err)
		}
	case errors.Is(err, githubapi.ErrRateLimited):
		// The client logged the limit once when it began.
		ent.ok = false
		logger.Debug("refresh skipped while rate limited; serving the last good data", "err", err)
	default:
		ent.ok = false
		logger.Error("refresh failed; serving the last good data", "err", err)
	}
}

// safeUpdate runs a collector, turning a panic into an error so that one bad
// answer cannot take the exporter down.
func safeUpdate(ctx context.Context, j job) (metrics []prometheus.Metric, err error) {
	defer func() {
		if r := recover(); r != nil {
			metrics, err = nil, fmt.Errorf("collector %s panicked for %s: %v", j.collector.Name, j.target.Account, r)
		}
	}()
	return j.collector.collector.Update(ctx, j.target.Client, j.target.Account)
}

// snapshot copies what a scrape serves of the entry.
func (ent *entry) snapshot(j job, now time.Time, s Settings) snapshotItem {
	ent.mu.Lock()
	defer ent.mu.Unlock()
	it := snapshotItem{
		labels:    []string{j.collector.Name, string(j.target.Account.Scope), j.target.Account.Name},
		attempted: ent.attempted, fetched: ent.fetched, ok: ent.ok, duration: ent.duration,
		retired: !ent.retiredAt.IsZero(),
	}
	if !ent.fetched.IsZero() && now.Sub(ent.fetched) <= s.MaxAge {
		it.data, it.kept = ent.data, ent.kept
	}
	return it
}

// health sends the collector's own metrics for the job.
func (it *snapshotItem) health(ch chan<- prometheus.Metric, s Settings) {
	fresh := it.data != nil
	success := 0.0
	if it.ok && (fresh || it.retired) {
		success = 1
	}
	ch <- prometheus.MustNewConstMetric(collectorSuccess, prometheus.GaugeValue, success, it.labels...)
	if !it.attempted.IsZero() {
		ch <- prometheus.MustNewConstMetric(collectorDuration, prometheus.GaugeValue, it.duration.Seconds(), it.labels...)
	}
	if !it.fetched.IsZero() {
		ch <- prometheus.MustNewConstMetric(collectorLastSuccess, prometheus.GaugeValue, float64(it.fetched.UnixNano())/1e9, it.labels...)
	}
	ch <- prometheus.MustNewConstMetric(collectorRefreshInterval, prometheus.GaugeValue, s.RefreshInterval.Seconds(), it.labels...)
	retiredValue := 0.0
	if it.retired {
		retiredValue = 1
	}
	ch <- prometheus.MustNewConstMetric(endpointRetired, prometheus.GaugeValue, retiredValue, it.labels...)
}
