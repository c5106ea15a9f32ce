// Package server is the exporter's HTTP side: the handlers of /metrics,
// /probe, /-/reload and the landing page, and the checks made when a
// configuration is loaded. It takes its GitHub clients from internal/clients
// at each load.
package server

import (
	"cmp"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	versioncollector "github.com/prometheus/client_golang/prometheus/collectors/version"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/version"
	"github.com/prometheus/exporter-toolkit/web"

	"github.com/github-billing-exporter/github-billing-exporter/collector"
	"github.com/github-billing-exporter/github-billing-exporter/config"
	"github.com/github-billing-exporter/github-billing-exporter/githubapi"
	"github.com/github-billing-exporter/github-billing-exporter/internal/cache"
	"github.com/github-billing-exporter/github-billing-exporter/internal/clients"
)

// Config is what the server is built from: the exporter it serves, where
// its configuration comes from, and the command line's serving settings.
type Config struct {
	Demo     bool // the data comes from the built-in simulated API
	Logger   *slog.Logger
	Exporter *cache.Cache
	// Source loads the configuration, at start and at each reload.
	Source           func() (*config.Resolved, error)
	TelemetryPath    string
	MaxRequests      int           // concurrent scrapes; 0: no limit
	DisableExporter  bool          // leave out the process, Go and promhttp metrics
	ProbeOnly        bool          // serve account metrics on /probe only
	ScrapeTimeout    time.Duration // without Prometheus's timeout header
	TimeoutOffset    time.Duration // taken off Prometheus's timeout
	MaxResponseBytes int64
	// MaxScrapeTimeout caps how long any scrape waits for refreshes,
	// whatever its timeout header asks (zero: DefaultMaxScrapeTimeout).
	MaxScrapeTimeout time.Duration
	// BudgetShares are, by collector name, the collectors on whose
	// declared API-budget check (collector.BudgetCheck) runs at each load,
	// each with the share of a credential's hourly limit it may spend.
	BudgetShares map[string]float64
	// IncludedAICredits receives the configuration's included AI credits
	// per Copilot plan when a load is put in force (nil: not kept); the
	// AI-credit pool collector reads them.
	IncludedAICredits *collector.IncludedAICredits
	// BudgetCheckTimeout bounds one collector's API-budget check of a
	// load, all accounts together (zero: budgetCheckTimeout).
	BudgetCheckTimeout time.Duration
	// Retries reach every GitHub client (zero: the client's defaults);
	// tests shorten the backoff. The clients' clock is the exporter's
	// (cache.Config.Now): one clock for the month, the cache and the
	// rate-limit waits.
	Retries githubapi.RetryPolicy
	// WriteTimeout bounds how long writing one answer may take once its
	// wait for data is over (zero: answerWriteTimeout): a client that
	// does not read cannot hold a --web.max-requests slot for longer.
	WriteTimeout time.Duration
	// Authenticated says whether the web configuration makes callers
	// authenticate (basic auth or verified client certificates), asked at
	// each request as the toolkit re-reads that file; nil means no.
	Authenticated func() bool
}

// answerWriteTimeout is the default time to write one answer. The largest
// (a scrape of hundreds of thousands of series, tens of MB) takes well under
// a second to a Prometheus that reads it.
const answerWriteTimeout = time.Minute

// Server holds what the HTTP handlers share: the exporter, the registry of
// the exporter's own metrics and the running configuration.
type Server struct {
	conf      Config // fixed at New: the limits and handlers are built from it
	telemetry *collector.Telemetry
	self      *prometheus.Registry
	inflight  chan struct{}

	reloadMu      sync.Mutex
	ready         atomic.Bool // a configuration is in force
	reloadOK      prometheus.Gauge
	reloadSuccess prometheus.Gauge
	landing       atomic.Pointer[http.Handler]

	// ctx ends at Close: a load under way gives up its GitHub requests.
	ctx  context.Context
	stop context.CancelFunc
}

// New builds the server of c; Reload then loads its first configuration.
// Until then the server answers, but /-/ready and the landing page say 503
// and no account is scraped.
func New(c Config) *Server {
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	s := &Server{conf: c, telemetry: collector.NewTelemetry(), self: prometheus.NewRegistry()}
	s.ctx, s.stop = context.WithCancel(context.Background())
	s.reloadOK = prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "github_billing_config_last_reload_successful",
		Help: "1 when the last configuration load worked.",
	})
	s.reloadSuccess = prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "github_billing_config_last_reload_success_timestamp_seconds",
		Help: "When the configuration was last loaded successfully.",
	})
	s.self.MustRegister(s.telemetry, s.reloadOK, s.reloadSuccess, versioncollector.NewCollector("github_billing_exporter"))
	if !c.DisableExporter {
		s.self.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	}
	if c.MaxRequests > 0 {
		s.inflight = make(chan struct{}, c.MaxRequests)
	}
	return s
}

// Reload loads the configuration and applies it. On error the running
// configuration stays, the failure is logged (once a configuration has been
// loaded; the first load's caller reports its own error) and the reload
// gauge says 0.
//
// A load may ask GitHub (a collector's API-budget check, such as the
// per-user AI-credit view's): it is bounded (BudgetCheckTimeout) and given
// up when Close is called.
func (s *Server) Reload() error {
	s.reloadMu.Lock()
	defer s.reloadMu.Unlock()
	cfg, err := s.conf.Source()
	var targets []collector.Target
	if err == nil {
		targets, err = clients.BuildTargets(cfg, githubapi.Options{
			Observer:         s.telemetry,
			MaxResponseBytes: s.conf.MaxResponseBytes,
			Logger:           s.conf.Logger,
			Retries:          s.conf.Retries,
			Now:              s.conf.Exporter.Now,
		}, s.conf.Exporter.Targets())
	}
	settings := cache.Settings{}
	if err == nil {
		settings = cache.Settings{RefreshInterval: cfg.RefreshInterval, RefreshTimeout: cfg.RefreshTimeout, MaxAge: cfg.MaxAge}
		err = s.checkBudgets(s.ctx, cfg, targets, settings)
	}
	var landing http.Handler
	var off map[githubapi.Account]string
	if err == nil {
		off = s.collectorsOff(targets)
		landing, err = s.landingPage(cfg, off)
	}
	if err != nil {
		// Log before the gauge says 0, so whoever sees the gauge can
		// already find the reason in the log.
		if s.ready.Load() {
			s.conf.Logger.Error("configuration reload failed; keeping the running configuration", "err", err)
		}
		s.reloadOK.Set(0)
		return err
	}
	for _, w := range cfg.Warnings {
		s.conf.Logger.Warn(w)
	}
	s.logCollectorsOff(cfg, off)
	if s.conf.IncludedAICredits != nil {
		s.conf.IncludedAICredits.Set(cfg.IncludedAICredits)
	}
	s.conf.Exporter.Apply(settings, targets)
	names := map[string]bool{}
	for name := range cfg.Credentials {
		names[name] = true
	}
	s.telemetry.RetainCredentials(names)
	s.landing.Store(&landing)
	s.ready.Store(true)
	s.reloadOK.Set(1)
	s.reloadSuccess.Set(float64(s.conf.Exporter.Now().UnixNano()) / 1e9) // the exporter's clock, as its refresh timestamps
	s.conf.Logger.Info("configuration loaded", "file", cfg.File, "accounts", len(cfg.Targets), "credentials", len(cfg.Credentials), "refresh_interval", cfg.RefreshInterval)
	return nil
}

// Close is for a stopping process: a load under way gives up at once rather
// than wait for GitHub, and later loads fail.
func (s *Server) Close() { s.stop() }

// Handler routes the server's endpoints: the metrics, /probe, /-/reload,
// the health and readiness checks and the landing page.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	var metrics http.Handler = http.HandlerFunc(s.serveMetrics)
	if !s.conf.DisableExporter {
		metrics = promhttp.InstrumentMetricHandler(s.self, metrics)
	}
	mux.Handle(s.conf.TelemetryPath, metrics)
	mux.HandleFunc("/-/healthy", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprintln(w, "Healthy") })
	mux.HandleFunc("/-/ready", func(w http.ResponseWriter, _ *http.Request) {
		if !s.ready.Load() {
			http.Error(w, "Not ready: loading the configuration", http.StatusServiceUnavailable)
			return
		}
		fmt.Fprintln(w, "Ready")
	})
	mux.HandleFunc("/-/reload", s.serveReload)
	mux.HandleFunc("/probe", s.serveProbe)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" {
			http.NotFound(w, r)
			return
		}
		landing := s.landing.Load()
		if landing == nil {
			http.Error(w, "Loading the configuration", http.StatusServiceUnavailable)
			return
		}
		(*landing).ServeHTTP(w, r)
	})
	return s.recoverPanics(s.boundWrites(mux))
}

// boundWrites gives every answer a write deadline: the longest a scrape may
// wait for data (its timeout) and then writeTimeout to write it. A client
// that stops reading gets its connection closed at the deadline, and the
// request's slot of --web.max-requests is free again.
func (s *Server) boundWrites(next http.Handler) http.Handler {
	write := cmp.Or(s.conf.WriteTimeout, answerWriteTimeout)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := s.scrapeContext(r)
		deadline, _ := ctx.Deadline()
		cancel()
		// An error means the connection cannot take deadlines (a test's
		// recorder); the answer then has no write deadline.
		_ = http.NewResponseController(w).SetWriteDeadline(deadline.Add(write))
		next.ServeHTTP(w, r)
	})
}

// recoverPanics answers 500 when a handler panics and logs the panic without
// the request's headers, which may carry basic-auth credentials.
func (s *Server) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if err, ok := v.(error); ok && errors.Is(err, http.ErrAbortHandler) {
					panic(v)
				}
				s.conf.Logger.Error("panic while serving a request", "path", r.URL.Path, "panic", fmt.Sprint(v))
				http.Error(w, "internal error", http.StatusInternalServerError)
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// DefaultMaxScrapeTimeout is the default of --scrape.max-timeout, the longest
// a scrape waits for refreshes. Prometheus's scrape_timeout cannot exceed
// its scrape_interval, so two minutes is generous; a client that asks for
// longer would hold a --web.max-requests slot for as long.
const DefaultMaxScrapeTimeout = 2 * time.Minute

// headerCeiling bounds the header's seconds before they become a
// time.Duration, which a huge value (Inf, 1e300) would overflow.
const headerCeiling = 24 * time.Hour

// scrapeContext bounds a scrape by Prometheus's timeout header, less an
// offset so the answer arrives before Prometheus gives up, and never longer
// than the operator's cap (MaxScrapeTimeout), whatever the header asks.
func (s *Server) scrapeContext(r *http.Request) (context.Context, context.CancelFunc) {
	timeout := s.conf.ScrapeTimeout
	if v := r.Header.Get("X-Prometheus-Scrape-Timeout-Seconds"); v != "" {
		// A value that is not a positive number is ignored.
		if secs, err := strconv.ParseFloat(v, 64); err == nil && secs > 0 {
			timeout = time.Duration(min(secs, headerCeiling.Seconds()) * float64(time.Second))
			if timeout > s.conf.TimeoutOffset {
				timeout -= s.conf.TimeoutOffset
			}
		}
	}
	return context.WithTimeout(r.Context(), min(timeout, cmp.Or(s.conf.MaxScrapeTimeout, DefaultMaxScrapeTimeout)))
}

func (s *Server) serveMetrics(w http.ResponseWriter, r *http.Request) {
	include := func(githubapi.Account) bool { return !s.conf.ProbeOnly }
	s.serveScrape(w, r, include, ownMetrics{s.self})
}

// serveScrape answers one scrape of the accounts include selects (nil: all),
// bounded by the scrape timeout and by --web.max-requests. extra gatherers
// add the exporter's own metrics.
func (s *Server) serveScrape(w http.ResponseWriter, r *http.Request, include func(githubapi.Account) bool, extra ...prometheus.Gatherer) {
	if s.inflight != nil {
		select {
		case s.inflight <- struct{}{}:
			defer func() { <-s.inflight }()
		default:
			http.Error(w, fmt.Sprintf("Limit of concurrent requests reached (%d), try again later.", s.conf.MaxRequests), http.StatusServiceUnavailable)
			return
		}
	}
	ctx, cancel := s.scrapeContext(r)
	defer cancel()
	snap := s.conf.Exporter.Scrape(ctx, include)
	// The wait for data is over: writing the answer gets writeTimeout.
	_ = http.NewResponseController(w).SetWriteDeadline(time.Now().Add(cmp.Or(s.conf.WriteTimeout, answerWriteTimeout)))
	format := expfmt.NegotiateAccept(r.Header, expfmt.DefaultOpenMetricsAcceptedFormats()...)
	var cached cache.Format
	switch format.FormatType() {
	case expfmt.TypeTextPlain:
		cached = cache.FormatText
	case expfmt.TypeOpenMetrics:
		cached = cache.FormatOpenMetrics
	default:
		// Protobuf is not cached: it goes through the registry, with the
		// cached data parsed back into families.
		promhttp.HandlerFor(append(prometheus.Gatherers{snap}, extra...), promhttp.HandlerOpts{
			ErrorLog:      slog.NewLogLogger(s.conf.Logger.Handler(), slog.LevelError),
			ErrorHandling: promhttp.ContinueOnError,
		}).ServeHTTP(w, r)
		return
	}
	s.writeCached(w, r, snap, format, cached, extra)
}

// writeCached answers a text or OpenMetrics scrape from the cache's bytes,
// gzipped when the scraper accepts it.
func (s *Server) writeCached(w http.ResponseWriter, r *http.Request, snap *cache.Snapshot, format expfmt.Format, cached cache.Format, extra []prometheus.Gatherer) {
	var own []*dto.MetricFamily
	if len(extra) > 0 {
		var err error
		own, err = prometheus.Gatherers(extra).Gather()
		if err != nil {
			// As promhttp's ContinueOnError: serve what was gathered.
			s.conf.Logger.Error("gathering the exporter's own metrics", "err", err)
		}
	}
	w.Header().Set("Content-Type", string(format))
	var out io.Writer = w
	if acceptsGzip(r.Header.Get("Accept-Encoding")) {
		w.Header().Set("Content-Encoding", "gzip")
		w.Header().Add("Vary", "Accept-Encoding")
		gz := gzipWriters.Get().(*gzip.Writer)
		gz.Reset(w)
		defer func() {
			if err := gz.Close(); err != nil {
				s.conf.Logger.Debug("writing the scrape answer", "err", err)
			}
			gz.Reset(io.Discard)
			gzipWriters.Put(gz)
		}()
		out = gz
	}
	if err := snap.WriteTo(out, cached, own); err != nil {
		// The status line has gone out: all that is left is to say so once.
		s.conf.Logger.Debug("writing the scrape answer", "err", err)
	}
}

var gzipWriters = sync.Pool{New: func() any {
	gz, _ := gzip.NewWriterLevel(io.Discard, gzip.BestSpeed)
	return gz
}}

// acceptsGzip reads an Accept-Encoding header: gzip listed without q=0.
func acceptsGzip(header string) bool {
	for part := range strings.SplitSeq(header, ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if !strings.EqualFold(strings.TrimSpace(name), "gzip") {
			continue
		}
		for param := range strings.SplitSeq(params, ";") {
			key, value, _ := strings.Cut(strings.TrimSpace(param), "=")
			if strings.EqualFold(strings.TrimSpace(key), "q") {
				q, err := strconv.ParseFloat(strings.TrimSpace(value), 64)
				return err == nil && q > 0
			}
		}
		return true
	}
	return false
}

// serveProbe serves one account's metrics, so that Prometheus can spread
// accounts over several exporters (hashmod sharding). The credentials stay
// in the exporter's configuration; the exporter's own metrics stay on
// /metrics.
func (s *Server) serveProbe(w http.ResponseWriter, r *http.Request) {
	target := r.URL.Query().Get("target")
	if target == "" {
		http.Error(w, "target parameter is missing: /probe?target=ACCOUNT (or SCOPE/ACCOUNT)", http.StatusBadRequest)
		return
	}
	scope, name, scoped := strings.Cut(target, "/")
	if !scoped {
		scope, name = "", target
	}
	var matches []githubapi.Account
	for _, t := range s.conf.Exporter.Targets() {
		if strings.EqualFold(t.Account.Name, name) && (scope == "" || string(t.Account.Scope) == scope) {
			matches = append(matches, t.Account)
		}
	}
	switch len(matches) {
	case 0:
		http.Error(w, fmt.Sprintf("unknown target %q: not a configured account", target), http.StatusBadRequest)
		return
	case 1:
	default:
		http.Error(w, fmt.Sprintf("target %q names accounts of several scopes; use SCOPE/ACCOUNT, e.g. %s/%s", target, matches[0].Scope, matches[0].Name), http.StatusBadRequest)
		return
	}
	account := matches[0]
	s.serveScrape(w, r, func(a githubapi.Account) bool { return a == account })
}

func (s *Server) serveReload(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "This endpoint requires a POST request.", http.StatusMethodNotAllowed)
		return
	}
	if err := s.Reload(); err != nil {
		// reload logged the error. It names files, lines and keys of the
		// configuration, which only an authenticated caller is told.
		msg := "failed to reload config; the exporter's log says why"
		if s.conf.Authenticated != nil && s.conf.Authenticated() {
			msg = "failed to reload config: " + err.Error()
		}
		http.Error(w, msg, http.StatusInternalServerError)
		return
	}
	fmt.Fprintln(w, "configuration reloaded")
}

// landingPage is the page a person sees at /: what this exporter is (the
// demo or not, its version), links to its endpoints, and each configured
// account with the state of its collectors. The page is rendered once a
// load; only the accounts table is written anew at each request.
func (s *Server) landingPage(cfg *config.Resolved, off map[githubapi.Account]string) (http.Handler, error) {
	targets := append([]config.Target(nil), cfg.Targets...)
	sort.SliceStable(targets, func(i, j int) bool { return targets[i].Account.Scope < targets[j].Account.Scope })
	description := "Prometheus exporter for GitHub billing: Actions minutes, Packages, storage, Advanced Security and the billing platform's per-SKU costs."
	if s.conf.Demo {
		description = "Demo mode: every figure comes from a simulated GitHub billing API on loopback, not from GitHub. " + description
	}
	const marker = "<!-- accounts -->"
	page, err := web.NewLandingPage(web.LandingConfig{
		Name:        "GitHub Billing Exporter",
		Description: description,
		Version:     version.Info(),
		Profiling:   "false", // no pprof handlers are served
		Links: []web.LandingLinks{
			{Address: s.conf.TelemetryPath, Text: "Metrics"},
			{Address: "/-/healthy", Text: "Health"},
			{Address: "/-/ready", Text: "Ready"},
		},
		ExtraHTML: marker,
	})
	if err != nil {
		return nil, err
	}
	rendered := &pageWriter{header: http.Header{}}
	page.ServeHTTP(rendered, &http.Request{Method: http.MethodGet, URL: &url.URL{Path: "/"}})
	head, tail, ok := strings.Cut(rendered.String(), marker)
	if !ok {
		return nil, errors.New("landing page: no place for the accounts table")
	}
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=UTF-8")
		// A client that went away is nothing to report.
		_, _ = io.WriteString(w, head+s.accountsHTML(targets, off)+tail)
	}), nil
}

// pageWriter keeps the body of a page rendered once.
type pageWriter struct {
	strings.Builder
	header http.Header
}

func (w *pageWriter) Header() http.Header { return w.header }
func (w *pageWriter) WriteHeader(int)     {}

// accountsHTML is the accounts table: one row per account and collector,
// with the last refresh's outcome and when the served data was fetched, and
// a row naming the collectors off for the account (off) and why.
func (s *Server) accountsHTML(targets []config.Target, off map[githubapi.Account]string) string {
	byAccount := map[githubapi.Account][]cache.EntryStatus{}
	if s.conf.Exporter != nil {
		for _, st := range s.conf.Exporter.Status() {
			byAccount[st.Account] = append(byAccount[st.Account], st)
		}
	}
	var b strings.Builder
	b.WriteString("<h2>Accounts</h2>\n")
	b.WriteString(statusSummary(byAccount, targets))
	b.WriteString("<table><tr><th>scope</th><th>account</th><th>credential</th><th>collector</th><th>status</th><th>last worked</th><th>series</th></tr>\n")
	for _, t := range targets {
		probe := "/probe?target=" + url.QueryEscape(string(t.Account.Scope)+"/"+t.Account.Name)
		lead := fmt.Sprintf("<td>%s</td><td><a href=\"%s\">%s</a></td><td>%s</td>",
			html.EscapeString(string(t.Account.Scope)), html.EscapeString(probe), html.EscapeString(t.Account.Name), html.EscapeString(t.Credential))
		entries := byAccount[t.Account]
		if off[t.Account] != "" {
			fmt.Fprintf(&b, "<tr>%s<td colspan=\"4\">off: %s</td></tr>\n", lead, html.EscapeString(off[t.Account]))
		}
		if len(entries) == 0 {
			fmt.Fprintf(&b, "<tr>%s<td colspan=\"4\">not scraped yet</td></tr>\n", lead)
			continue
		}
		for _, st := range entries {
			status := entryState(st)
			fetched := "never"
			if !st.LastSuccess.IsZero() {
				fetched = st.LastSuccess.UTC().Format(time.RFC3339)
			}
			fmt.Fprintf(&b, "<tr>%s<td>%s</td><td>%s</td><td>%s</td><td>%d</td></tr>\n", lead,
				html.EscapeString(st.Collector), html.EscapeString(status), fetched, st.Series)
		}
	}
	b.WriteString("</table>")
	return b.String()
}

// entryState is an entry's state as the landing page shows it: ok,
// refreshing, retired (410), or failing with the class of its failure.
func entryState(st cache.EntryStatus) string {
	switch {
	case st.Attempted.IsZero():
		return "refreshing"
	case st.Retired:
		return "retired (410)"
	case st.OK:
		return "ok"
	case st.Err != nil:
		return "failing: " + githubapi.Reason(st.Err)
	}
	return "failing"
}

// statusSummary is the line above the accounts table: how many of the
// configured accounts' collectors work, and why the others do not, so that
// a partial total is never taken for a whole one.
func statusSummary(byAccount map[githubapi.Account][]cache.EntryStatus, targets []config.Target) string {
	counts := map[string]int{}
	total, failing := 0, 0
	for _, t := range targets {
		for _, st := range byAccount[t.Account] {
			total++
			state := entryState(st)
			counts[state]++
			if strings.HasPrefix(state, "failing") {
				failing++
			}
		}
	}
	if total == 0 {
		return "<p>No collector has refreshed yet.</p>\n"
	}
	states := make([]string, 0, len(counts))
	for state := range counts {
		states = append(states, state)
	}
	slices.Sort(states)
	parts := make([]string, 0, len(states))
	for _, state := range states {
		parts = append(parts, fmt.Sprintf("%d %s", counts[state], state))
	}
	verdict := "No collector is failing."
	if failing > 0 {
		verdict = fmt.Sprintf("%d of %d collectors are failing: totals that sum over accounts leave their data out.", failing, total)
	}
	return fmt.Sprintf("<p class=\"summary\"><strong>%s</strong> %s.</p>\n", html.EscapeString(verdict), html.EscapeString(strings.Join(parts, ", ")))
}

// collectorsOff describes, per account, the enabled collectors that do not
// run for it and why (the server's default or the configuration's
// collectors block); accounts where all run are left out.
func (s *Server) collectorsOff(targets []collector.Target) map[githubapi.Account]string {
	out := map[githubapi.Account]string{}
	for _, t := range targets {
		if off := s.conf.Exporter.Off(t); len(off) > 0 {
			out[t.Account] = collector.DescribeOff(off)
		}
	}
	return out
}

// logCollectorsOff logs, once a load, each set of collectors that is off
// for some accounts, with the accounts and how to turn one back on.
func (s *Server) logCollectorsOff(cfg *config.Resolved, off map[githubapi.Account]string) {
	var groups []string
	accounts := map[string][]string{}
	for _, t := range cfg.Targets {
		what := off[t.Account]
		if what == "" {
			continue
		}
		if _, seen := accounts[what]; !seen {
			groups = append(groups, what)
		}
		accounts[what] = append(accounts[what], string(t.Account.Scope)+"/"+t.Account.Name)
	}
	for _, what := range groups {
		s.conf.Logger.Info("collectors off for these accounts", "accounts", strings.Join(accounts[what], ","), "off", what,
			"turn_on", "collectors: {NAME: {enabled: true}} in the account's or the top-level collectors block, or --collector.NAME on the command line for a server's default")
	}
}
