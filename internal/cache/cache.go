// Package cache is the exporter's cache of billing metrics, between the
// collectors and HTTP: one entry per account and collector, refreshed when a
// scrape finds it older than the refresh interval, and kept as the bytes a
// scrape writes (encode.go). The collectors (package collector) say what a
// refresh reads and which samples it returns; the cache decides when a
// refresh runs, how many run at once, what a scrape waits for, and how the
// answer is written. The server asks it for a Snapshot per scrape.
package cache

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"runtime/debug"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/github-billing-exporter/github-billing-exporter/collector"
	"github.com/github-billing-exporter/github-billing-exporter/githubapi"
)

const namespace = collector.Namespace

// largeRefresh is the series count from which a refresh returns its
// garbage's memory to the system when it ends.
const largeRefresh = 100_000

// retiredPause is how long a collector leaves an endpoint alone after GitHub
// answered 410 Gone.
const retiredPause = 24 * time.Hour

// refreshStep is how often a scrape refreshes the collector's data for the
// account: its refresh interval, or a slice of it for a collector that
// spreads one round over RoundSlices refreshes.
func refreshStep(t collector.Target, f collector.Factory, s Settings) time.Duration {
	return t.RefreshInterval(f, s.RefreshInterval) / time.Duration(max(1, f.RoundSlices))
}

// maxAge is how long the collector's data for the account is served: max_age,
// or three of the collector's own refresh intervals when it refreshes less
// often than refresh_interval, so that data is never dropped before its next
// refresh is due.
func maxAge(t collector.Target, f collector.Factory, s Settings) time.Duration {
	iv := t.RefreshInterval(f, s.RefreshInterval)
	if iv > s.RefreshInterval {
		return max(s.MaxAge, 3*iv)
	}
	return s.MaxAge
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

// Config is what New needs.
type Config struct {
	Logger *slog.Logger
	// Collectors are the names of the enabled collectors.
	Collectors []string
	// Explicit are the collectors the command line names (--collector.NAME
	// or --no-collector.NAME), whose flag overrides a server's default.
	Explicit map[string]bool
	Options  collector.Options
	// Concurrency bounds the refreshes that talk to GitHub at once.
	Concurrency int
	// Now is the exporter's one clock (nil: time.Now): the cache's ages,
	// the month every month-to-date collector asks for, and, through Now,
	// the clients' rate-limit waits.
	Now func() time.Time
}

// Cache keeps an entry per account and collector and refreshes it when a
// scrape finds it older than the refresh interval. Concurrent scrapes share
// one refresh; a refresh that outlasts a scrape finishes in the background
// while the scrape answers with the last good data.
type Cache struct {
	logger     *slog.Logger
	collectors []namedCollector
	explicit   map[string]bool
	now        func() time.Time
	// timers measure a scrape's wait for refreshes and a refresh's
	// timeout in real time, whatever now says (realTimers; tests move
	// their own).
	timers timers
	// concurrency bounds the refreshes that run at once: each runs on one
	// of at most this many workers, which take them from queue in the
	// order scrapes asked. A goroutine per waiting refresh would cost a
	// stack each: with 50,000 entries due at once, more than the cache.
	concurrency int
	queueMu     sync.Mutex
	queue       []queuedRefresh
	workers     int

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu       sync.RWMutex
	settings Settings
	targets  []collector.Target
	cache    map[cacheKey]*entry
	// jobs are every account's collectors, in the order a scrape writes
	// their data, built by Apply; healthOrder is their order in the health
	// families (by account, collector, scope).
	jobs        []*job
	healthOrder []int

	// lastWrite is how long the last scrape took to write its answer
	// (nanoseconds): a scrape stops waiting for refreshes early enough to
	// write its answer inside its timeout.
	lastWrite atomic.Int64

	// running holds the refresh under way for each account and collector,
	// closed when it ends. It lives here rather than in the cache entry,
	// which a reload that removes the account drops: the account added
	// back while its refresh still runs gets no second refresh alongside
	// (collectors keep per-account state that two would share).
	runMu   sync.Mutex
	running map[cacheKey]chan struct{}
}

type namedCollector struct {
	collector.Factory
	collector collector.Collector
}

type cacheKey struct {
	account   githubapi.Account
	collector string
}

// entry is one collector's cached result for one account.
type entry struct {
	mu        sync.Mutex
	families  []encodedFamily // last good data, encoded
	series    int             // how many series families holds
	fetched   time.Time       // when families were fetched
	attempted time.Time       // when the last refresh ended
	ok        bool            // whether the last refresh worked
	duration  time.Duration   // how long the last refresh took
	retiredAt time.Time       // when GitHub last answered 410
	warned    bool            // the retirement was logged
	err       error           // why the last refresh failed; nil when it worked
	health    *health         // the health a scrape served last, encoded
}

// serving says what a scrape serves for the entry after a failed refresh:
// the last good data while it is there, or nothing.
func (ent *entry) serving() string {
	if ent.fetched.IsZero() {
		return "no data to serve yet"
	}
	return "serving the last good data"
}

// New builds a cache with the named collectors enabled.
func New(cfg Config) (*Cache, error) {
	e := &Cache{
		logger:   cfg.Logger,
		explicit: cfg.Explicit,
		now:      cfg.Now,
		timers:   realTimers{},
		cache:    map[cacheKey]*entry{},
	}
	if e.logger == nil {
		e.logger = slog.New(slog.DiscardHandler)
	}
	if e.now == nil {
		e.now = time.Now
	}
	e.concurrency = max(1, cfg.Concurrency)
	e.running = map[cacheKey]chan struct{}{}
	for _, name := range cfg.Collectors {
		f, ok := collector.Lookup(name)
		if !ok {
			return nil, fmt.Errorf("unknown collector %q", name)
		}
		e.collectors = append(e.collectors, namedCollector{Factory: f, collector: f.New(cfg.Options, e.now)})
	}
	e.ctx, e.cancel = context.WithCancel(context.Background())
	return e, nil
}

// Apply sets the accounts and refresh settings; it is called at start and on
// every configuration reload. Cached data of accounts that are gone, and of
// collectors an account turns off, is dropped; the rest is kept. A refresh still running for
// a removed account ends in the background, and fills the account's entry
// if a later reload has added the account back.
func (e *Cache) Apply(s Settings, targets []collector.Target) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.settings, e.targets = s, targets
	e.buildJobs()
	keep := make(map[cacheKey]bool, len(e.jobs))
	for _, j := range e.jobs {
		keep[j.key()] = true
	}
	for k := range e.cache {
		if !keep[k] {
			delete(e.cache, k)
		}
	}
}

// Off lists the enabled collectors that do not run for the account t, by
// reason (collector.Target.Off).
func (e *Cache) Off(t collector.Target) map[string][]string {
	fs := make([]collector.Factory, len(e.collectors))
	for i, c := range e.collectors {
		fs[i] = c.Factory
	}
	return t.Off(fs, e.explicit)
}

// Targets returns the configured accounts.
func (e *Cache) Targets() []collector.Target {
	e.mu.RLock()
	defer e.mu.RUnlock()
	return append([]collector.Target(nil), e.targets...)
}

// Now reads the cache's clock (Config.Now). The server gives it to the
// GitHub clients, so that one clock moves the month, the cache and the
// rate-limit waits.
func (e *Cache) Now() time.Time { return e.now() }

// Close stops background refreshes and waits for them.
func (e *Cache) Close() {
	e.cancel()
	e.wg.Wait()
}

// job is one collector for one account within a scrape.
type job struct {
	target    collector.Target
	collector namedCollector
	entry     *entry
}

// Scrape takes one scrape's view of the cache: it refreshes what is older
// than the refresh interval, waits for those refreshes until ctx ends, less
// the time the answer takes to write, and returns what the cache then
// holds. include selects accounts; nil means all.
func (e *Cache) Scrape(ctx context.Context, include func(githubapi.Account) bool) *Snapshot {
	jobs, order, settings := e.plan(include)
	var waits []<-chan struct{}
	for _, j := range jobs {
		if done := e.ensureFresh(*j, settings); done != nil {
			waits = append(waits, done)
		}
	}
	if len(waits) > 0 {
		wait, cancel := e.waitContext(ctx, len(jobs))
		for _, done := range waits {
			select {
			case <-done:
			case <-wait.Done():
				// Answer with what the cache holds; the refreshes go on.
			}
		}
		cancel()
	}
	now := e.now()
	snap := &Snapshot{writes: &e.lastWrite, cached: make([][]encodedFamily, 0, len(jobs)), health: make([]*health, len(jobs))}
	for i, j := range jobs {
		fams, h := j.entry.snapshot(*j, now, settings)
		if len(fams) > 0 {
			snap.cached = append(snap.cached, fams)
		}
		snap.health[order[i]] = h
	}
	return snap
}

// waitContext is ctx, ended earlier by twice the time the last answer took
// to write, and by at least a tenth of what is left, at most half of it, so
// that the wait for refreshes and the write of the answer together fit in
// the scrape's timeout. The first scrape has no last answer to go by, and
// its answer may be everything the refreshes of its entries brought: it
// keeps firstWritePerEntry more for each of them.
func (e *Cache) waitContext(ctx context.Context, entries int) (context.Context, context.CancelFunc) {
	deadline, ok := ctx.Deadline()
	if !ok {
		return ctx, func() {}
	}
	left := deadline.Sub(e.timers.Now())
	last := time.Duration(e.lastWrite.Load())
	floor := left / 10
	if last == 0 {
		floor += time.Duration(entries) * firstWritePerEntry
	}
	reserve := min(max(2*last, floor), left/2)
	return e.timers.WithDeadline(ctx, deadline.Add(-reserve))
}

// timers are the clock of the cache's deadlines: a scrape's, which its
// context carries, and a refresh's.
type timers interface {
	Now() time.Time
	// WithDeadline is ctx, ended at d at the latest.
	WithDeadline(ctx context.Context, d time.Time) (context.Context, context.CancelFunc)
}

// realTimers are the wall clock and context.WithDeadline.
type realTimers struct{}

func (realTimers) Now() time.Time { return time.Now() }

func (realTimers) WithDeadline(ctx context.Context, d time.Time) (context.Context, context.CancelFunc) {
	return context.WithDeadline(ctx, d)
}

// firstWritePerEntry is what the first scrape keeps to write each entry's
// data: at 5,000 organizations with the default collectors (50,000 entries,
// 170 MB of text, about 3.4 KB an entry) the answer took 0.4 s to write on a
// quiet machine and over 1 s on a loaded one; 20 µs an entry keeps 1 s more.
const firstWritePerEntry = 20 * time.Microsecond

// Snapshot is one scrape's answer: the encoded data of each cache entry as it
// was when the scrape read it (a refresh that ends later replaces the entry's
// data as a whole, so a scrape sees all old or all new), and the health of
// each collector, in the order the health families list it.
type Snapshot struct {
	cached [][]encodedFamily
	health []*health
	writes *atomic.Int64 // where WriteTo notes how long it took
}

// WriteTo writes the snapshot in format, merged with extra families (the
// exporter's own registry), each family once.
func (s *Snapshot) WriteTo(w io.Writer, format Format, extra []*dto.MetricFamily) error {
	start := time.Now()
	fw := newFamilyWriter(format)
	for _, fams := range s.cached {
		fw.addCached(fams)
	}
	fw.addHealth(s.health)
	if err := fw.addGathered(extra); err != nil {
		return err
	}
	err := fw.writeTo(w)
	if s.writes != nil {
		s.writes.Store(int64(time.Since(start)))
	}
	return err
}

// Gather returns the snapshot as protobuf families, for the formats the cache
// does not hold. It makes a Snapshot a prometheus.Gatherer.
func (s *Snapshot) Gather() ([]*dto.MetricFamily, error) {
	reg := prometheus.NewRegistry()
	reg.MustRegister(metricSlice(healthMetrics(s.health)))
	var cached []*dto.MetricFamily
	for _, fams := range s.cached {
		mfs, err := parseCached(fams)
		if err != nil {
			return nil, err
		}
		cached = append(cached, mfs...)
	}
	return prometheus.Gatherers{reg, prometheus.GathererFunc(func() ([]*dto.MetricFamily, error) { return cached, nil })}.Gather()
}

// plan lists the jobs of a scrape, creating cache entries on first sight,
// and the place of each in the health families' order.
func (e *Cache) plan(include func(githubapi.Account) bool) ([]*job, []int, Settings) {
	e.mu.Lock()
	defer e.mu.Unlock()
	jobs := make([]*job, 0, len(e.jobs))
	place := make([]int, len(e.jobs)) // 1 + index in jobs; 0 when left out
	var account githubapi.Account
	included := false
	for i, j := range e.jobs {
		if include != nil {
			// An account's jobs are next to each other: ask once.
			if i == 0 || j.target.Account != account {
				account, included = j.target.Account, include(j.target.Account)
			}
			if !included {
				continue
			}
		}
		if j.entry == nil {
			k := j.key()
			if j.entry = e.cache[k]; j.entry == nil {
				j.entry = &entry{}
				e.cache[k] = j.entry
			}
		}
		jobs = append(jobs, j)
		place[i] = len(jobs)
	}
	order := make([]int, len(jobs)) // the health position of each of jobs
	pos := 0
	for _, i := range e.healthOrder {
		if place[i] > 0 {
			order[place[i]-1] = pos
			pos++
		}
	}
	return jobs, order, e.settings
}

// buildJobs lists every account's collectors, taking the cache entries
// there are; a scrape creates the others when it first includes them.
func (e *Cache) buildJobs() {
	e.jobs = nil
	for _, t := range e.targets {
		for _, c := range e.collectors {
			if !c.AppliesTo(t.Account.Scope) || !t.Runs(c.Factory, e.explicit[c.Name]) {
				continue
			}
			j := &job{target: t, collector: c}
			j.entry = e.cache[j.key()]
			e.jobs = append(e.jobs, j)
		}
	}
	e.healthOrder = make([]int, len(e.jobs))
	for i := range e.healthOrder {
		e.healthOrder[i] = i
	}
	slices.SortStableFunc(e.healthOrder, func(a, b int) int {
		x, y := e.jobs[a], e.jobs[b]
		return cmp.Or(cmp.Compare(x.target.Account.Name, y.target.Account.Name), cmp.Compare(x.collector.Name, y.collector.Name),
			cmp.Compare(x.target.Account.Scope, y.target.Account.Scope))
	})
}

// ensureFresh starts a refresh when the entry is due and none is running
// for the account and collector, and returns a channel closed when the
// running refresh ends, or nil when the cache is fresh.
func (e *Cache) ensureFresh(j job, s Settings) <-chan struct{} {
	ent := j.entry
	ent.mu.Lock()
	defer ent.mu.Unlock()
	k := j.key()
	e.runMu.Lock()
	defer e.runMu.Unlock()
	if done, ok := e.running[k]; ok {
		return done
	}
	now := e.now()
	if !ent.retiredAt.IsZero() && now.Sub(ent.retiredAt) < retiredPause {
		return nil
	}
	if !ent.attempted.IsZero() && now.Sub(ent.attempted) < refreshStep(j.target, j.collector.Factory, s) {
		return nil
	}
	done := make(chan struct{})
	e.running[k] = done
	e.enqueue(queuedRefresh{j, s, done})
	return done
}

// queuedRefresh is a refresh waiting for a worker; done closes when it ends.
type queuedRefresh struct {
	job      job
	settings Settings
	done     chan struct{}
}

// enqueue queues a refresh, and starts a worker when fewer than
// concurrency run.
func (e *Cache) enqueue(q queuedRefresh) {
	e.queueMu.Lock()
	defer e.queueMu.Unlock()
	e.queue = append(e.queue, q)
	if e.workers < e.concurrency {
		e.workers++
		e.wg.Add(1)
		go e.work()
	}
}

// work runs queued refreshes until the queue is empty.
func (e *Cache) work() {
	defer e.wg.Done()
	for {
		e.queueMu.Lock()
		if len(e.queue) == 0 {
			e.queue = nil
			e.workers--
			e.queueMu.Unlock()
			return
		}
		q := e.queue[0]
		e.queue[0] = queuedRefresh{}
		e.queue = e.queue[1:]
		e.queueMu.Unlock()
		e.refresh(q.job, q.settings, q.done)
	}
}

func (j job) key() cacheKey { return cacheKey{j.target.Account, j.collector.Name} }

// finished ends the account and collector's running refresh: a scrape may
// start the next one.
func (e *Cache) finished(k cacheKey, done chan struct{}) {
	e.runMu.Lock()
	defer e.runMu.Unlock()
	delete(e.running, k)
	close(done)
}

// refresh runs one collector for one account on a worker, detached from the
// scrape that asked for it, and stores the outcome.
func (e *Cache) refresh(j job, s Settings, done chan struct{}) {
	// The timeout starts once a worker runs the refresh: a refresh queued
	// behind others (200 organizations at concurrency 4) has not started
	// talking to GitHub yet, and must not fail for the queue's length.
	var metrics []prometheus.Metric
	var err error
	start := e.now()
	if err = e.ctx.Err(); err != nil {
		err = fmt.Errorf("waiting for a free connection to GitHub: %w", err)
	} else {
		ctx, cancel := e.timers.WithDeadline(e.ctx, e.timers.Now().Add(s.RefreshTimeout))
		metrics, err = safeUpdate(ctx, j)
		cancel()
	}
	// Encoded once here, so that scrapes until the next refresh copy bytes.
	var families []encodedFamily
	var series int
	if err == nil {
		var problem error
		families, series, problem, err = encodeMetrics(metrics)
		if problem != nil {
			// As the registry did at every scrape: serve the consistent
			// part, and say what was left out.
			e.logger.Error("collector returned inconsistent metrics; serving the rest", "collector", j.collector.Name, "scope", j.target.Account.Scope, "account", j.target.Account.Name, "err", problem)
		}
		if series >= largeRefresh {
			// The refresh's samples and the report's aggregate, several
			// times the size of the encoded cache, are garbage now. Hand
			// their memory back to the system at once rather than keep it
			// resident until the scavenger gets to it.
			debug.FreeOSMemory()
		}
	}
	end := e.now()

	// The outcome goes to the account's entry as the cache holds it now:
	// a reload may have removed the account (the outcome is dropped) and
	// added it back (a new entry, which this refresh fills).
	k := j.key()
	e.mu.RLock()
	ent := e.cache[k]
	e.mu.RUnlock()
	if ent == nil {
		e.finished(k, done)
		return
	}
	ent.mu.Lock()
	defer ent.mu.Unlock()
	defer e.finished(k, done)
	ent.attempted, ent.duration, ent.err = end, end.Sub(start), nil
	logger := e.logger.With("collector", j.collector.Name, "scope", j.target.Account.Scope, "account", j.target.Account.Name)
	switch {
	case err == nil:
		ent.families, ent.series, ent.fetched, ent.ok = families, series, end, true
		ent.retiredAt, ent.warned = time.Time{}, false
		logger.Debug("refreshed", "series", series, "duration", ent.duration)
	case errors.Is(err, githubapi.ErrRetired):
		// Not a failure: GitHub moved this data to the billing platform.
		ent.families, ent.series, ent.fetched, ent.ok = nil, 0, time.Time{}, true
		ent.retiredAt = end
		if !ent.warned {
			ent.warned = true
			logger.Warn("GitHub retired this endpoint (410 Gone); its data is in the usage collector's metrics now. Not calling it again for 24h.", "err", err)
		}
	case errors.As(err, new(*collector.OnceError)):
		// An answer that will not change by asking again (an account
		// that GitHub refuses a filter): say so once, then quietly.
		ent.ok, ent.err = false, err
		if !ent.warned {
			ent.warned = true
			logger.Warn("refresh failed; logged once for this collector and account", "err", err)
		} else {
			logger.Debug("refresh failed", "err", err)
		}
	case errors.Is(err, githubapi.ErrRateLimited):
		// The client logged the limit once when it began.
		ent.ok, ent.err = false, err
		logger.Debug("refresh skipped while rate limited; "+ent.serving(), "err", err)
	default:
		ent.ok, ent.err = false, err
		logger.Error("refresh failed; "+ent.serving(), "err", err, "reason", githubapi.Reason(err))
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

// snapshot returns the entry's data, when fresh, and the collector's own
// metrics, encoded again only when a value changed since the last scrape.
func (ent *entry) snapshot(j job, now time.Time, s Settings) ([]encodedFamily, *health) {
	ent.mu.Lock()
	defer ent.mu.Unlock()
	retired := !ent.retiredAt.IsZero()
	fresh := !ent.fetched.IsZero() && now.Sub(ent.fetched) <= maxAge(j.target, j.collector.Factory, s)
	var fams []encodedFamily
	if fresh {
		fams = ent.families
	}
	v := healthValues{
		interval:  j.target.RefreshInterval(j.collector.Factory, s.RefreshInterval).Seconds(),
		attempted: !ent.attempted.IsZero(),
		fetched:   !ent.fetched.IsZero(),
	}
	if ent.ok && (fresh || retired) {
		v.success = 1
	}
	if v.attempted {
		v.duration = ent.duration.Seconds()
	}
	if v.fetched {
		v.lastSuccess = float64(ent.fetched.UnixNano()) / 1e9
	}
	if retired {
		v.retired = 1
	}
	labels := [3]string{j.collector.Name, string(j.target.Account.Scope), j.target.Account.Name}
	if h := ent.health; h == nil || h.values != v || h.labels != labels {
		ent.health = newHealth(labels, v)
	}
	return fams, ent.health
}

// EntryStatus is the state of one collector for one account, for people
// (the landing page).
type EntryStatus struct {
	Account     githubapi.Account
	Collector   string
	OK          bool      // the last refresh worked
	Retired     bool      // GitHub answered 410 Gone
	LastSuccess time.Time // when the served data was fetched; zero before the first success
	Attempted   time.Time // when the last refresh ended; zero before the first
	Series      int
	Err         error // why the last refresh failed; nil when it worked or GitHub retired the endpoint
}

// Status lists every cache entry, by account and collector.
func (e *Cache) Status() []EntryStatus {
	e.mu.RLock()
	out := make([]EntryStatus, 0, len(e.cache))
	for k, ent := range e.cache {
		ent.mu.Lock()
		out = append(out, EntryStatus{Account: k.account, Collector: k.collector, OK: ent.ok, Retired: !ent.retiredAt.IsZero(),
			LastSuccess: ent.fetched, Attempted: ent.attempted, Series: ent.series, Err: ent.err})
		ent.mu.Unlock()
	}
	e.mu.RUnlock()
	slices.SortFunc(out, func(a, b EntryStatus) int {
		return cmp.Or(cmp.Compare(a.Account.Scope, b.Account.Scope), cmp.Compare(a.Account.Name, b.Account.Name), cmp.Compare(a.Collector, b.Collector))
	})
	return out
}
