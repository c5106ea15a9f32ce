// Command github-billing-exporter exports GitHub billing data to Prometheus.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime/debug"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/alecthomas/kingpin/v2"
	"github.com/prometheus/common/promslog"
	promslogflag "github.com/prometheus/common/promslog/flag"
	"github.com/prometheus/common/version"
	"github.com/prometheus/exporter-toolkit/web"
	"github.com/prometheus/exporter-toolkit/web/kingpinflag"

	"github.com/github-billing-exporter/github-billing-exporter/backfill"
	"github.com/github-billing-exporter/github-billing-exporter/collector"
	"github.com/github-billing-exporter/github-billing-exporter/config"
	"github.com/github-billing-exporter/github-billing-exporter/focus"
	"github.com/github-billing-exporter/github-billing-exporter/githubapi"
	"github.com/github-billing-exporter/github-billing-exporter/internal/cache"
	"github.com/github-billing-exporter/github-billing-exporter/internal/clients"
	"github.com/github-billing-exporter/github-billing-exporter/internal/demo"
	"github.com/github-billing-exporter/github-billing-exporter/internal/server"
)

const defaultListenAddress = ":9786"

// demoListenAddress is where --demo listens without --web.listen-address.
const demoListenAddress = "127.0.0.1:9786"

func main() {
	fillVersion()
	if percent, ok := defaultGCPercent(os.LookupEnv); ok {
		debug.SetGCPercent(percent)
	}
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// fillVersion names a build that make did not stamp (go run, go install)
// by its module version from the build information, else "dev", so that the
// landing page and --version never show an empty version. (The revision
// comes from the build information already.)
func fillVersion() {
	if version.Version == "" {
		version.Version = strings.TrimPrefix(githubapi.UserAgent(""), "github-billing-exporter/")
	}
}

// gcPercent is the garbage collector's target the exporter runs with: the
// heap may grow by half of what the last collection kept before the next,
// rather than Go's default of all of it. The cache is most of what a
// collection keeps and a refresh's garbage most of the rest, so resident
// memory peaks near 1.5 times the cache rather than twice it
// (docs/performance.md, "Memory").
const gcPercent = 50

// defaultGCPercent is gcPercent, unless the environment sets GOGC or
// GOMEMLIMIT: then the user's setting governs alone.
func defaultGCPercent(lookupEnv func(string) (string, bool)) (int, bool) {
	for _, name := range []string{"GOGC", "GOMEMLIMIT"} {
		if _, set := lookupEnv(name); set {
			return 0, false
		}
	}
	return gcPercent, true
}

// flags are the parsed command line.
type flags struct {
	configFile       string
	configCheck      bool
	demo             bool
	demoAPIAddress   string
	telemetryPath    string
	maxRequests      int
	disableExporter  bool
	probeOnly        bool
	concurrency      int
	scrapeTimeout    time.Duration
	timeoutOffset    time.Duration
	maxScrapeTimeout time.Duration
	maxResponseBytes int64
	aiCreditsShare   float64
	collectors       map[string]*bool
	// explicit are the collectors named on the command line, whose flag
	// overrides a server's default.
	explicit map[string]bool
	options  collector.Options
	web      *web.FlagConfig
	log      promslog.Config
	// command is "backfill", "focus" or "check" for those commands, "" to
	// serve.
	command  string
	backfill *backfill.Flags
	focus    *focus.Flags
	check    *checkFlags
	// now is the process's one clock: the exporter's, the demo's, the
	// GitHub clients' and the backfill's (time.Now; tests set their own).
	now func() time.Time
}

func parseFlags(args []string, stdout, stderr io.Writer) (*flags, error) {
	app, f, finish := newApp(stdout, stderr)
	cmd, err := app.Parse(args)
	if err != nil {
		return nil, err
	}
	if cmd == "backfill" || cmd == "focus" || cmd == "check" {
		f.command = cmd
	}
	finish()
	if err := checkTelemetryPath(f.telemetryPath); err != nil {
		return nil, err
	}
	if err := demo.CheckAPIAddress(f.demoAPIAddress); err != nil {
		return nil, fmt.Errorf("--demo.api-listen-address: %w", err)
	}
	if err := checkScrapeTimeouts(f.scrapeTimeout, f.timeoutOffset); err != nil {
		return nil, err
	}
	if err := checkMaxScrapeTimeout(f); err != nil {
		return nil, err
	}
	return f, nil
}

// checkScrapeTimeouts refuses a --scrape.timeout that would end every
// scrape without Prometheus's header at once, and a negative
// --scrape.timeout-offset, which would be added to Prometheus's timeout and
// answer after Prometheus gave up. An offset at least --scrape.timeout is
// taken: the offset applies to Prometheus's header only, the timeout where
// there is none.
func checkScrapeTimeouts(timeout, offset time.Duration) error {
	if timeout <= 0 {
		return fmt.Errorf("--scrape.timeout %s must be positive", timeout)
	}
	if offset < 0 {
		return fmt.Errorf("--scrape.timeout-offset %s must not be negative: it is taken off Prometheus's scrape timeout", offset)
	}
	return nil
}

// checkMaxScrapeTimeout refuses a --scrape.max-timeout that is not positive
// or that is shorter than --scrape.timeout, which it would silently cut.
func checkMaxScrapeTimeout(f *flags) error {
	if f.maxScrapeTimeout <= 0 {
		return fmt.Errorf("--scrape.max-timeout %s must be positive", f.maxScrapeTimeout)
	}
	if f.scrapeTimeout > f.maxScrapeTimeout {
		return fmt.Errorf("--scrape.timeout %s is longer than --scrape.max-timeout %s, which caps every scrape's wait", f.scrapeTimeout, f.maxScrapeTimeout)
	}
	return nil
}

// reservedPaths are the exporter's own endpoints besides the metrics.
var reservedPaths = []string{"/", "/-/healthy", "/-/ready", "/-/reload", "/probe"}

// checkTelemetryPath refuses a --web.telemetry-path that the HTTP server
// could not route: one without a leading "/", with a character a route
// pattern treats specially, or the path of another endpoint.
func checkTelemetryPath(path string) error {
	if !strings.HasPrefix(path, "/") || strings.ContainsAny(path, "{} \t\n") {
		return fmt.Errorf("--web.telemetry-path %q must be a path starting with \"/\", without spaces or braces", path)
	}
	if slices.Contains(reservedPaths, path) {
		return fmt.Errorf("--web.telemetry-path %q is already the path of another endpoint (%s)", path, strings.Join(reservedPaths, ", "))
	}
	return nil
}

// newApp declares every flag; finish applies --collector.disable-defaults
// after parsing.
func newApp(stdout, stderr io.Writer) (app *kingpin.Application, f *flags, finish func()) {
	app = kingpin.New("github-billing-exporter", "Prometheus exporter for GitHub billing: Actions minutes, Packages, storage, Advanced Security and the billing platform's per-SKU costs.")
	app.UsageWriter(stdout)
	app.ErrorWriter(stderr)
	app.HelpFlag.Short('h')
	app.Version(version.Print("github-billing-exporter"))
	f = &flags{collectors: map[string]*bool{}, now: time.Now}
	// The server sets the configuration's included AI credits at each load.
	f.options.IncludedAICredits = &collector.IncludedAICredits{}
	app.Flag("config.file", "Configuration file.").Default("github-billing-exporter.yml").StringVar(&f.configFile)
	app.Flag("config.check", "Validate the configuration file and exit.").BoolVar(&f.configCheck)
	app.Flag("demo", "Serve a simulated GitHub billing API on loopback and export it; needs no configuration file and no token. Listens on 127.0.0.1:9786 unless --web.listen-address is given.").BoolVar(&f.demo)
	app.Flag("demo.api-listen-address", "Where --demo's simulated GitHub API listens (host:port, loopback only; port 0 picks a free one). A fixed port lets a configuration file of your own point api_url at it, with the token the exporter logs at start.").Default(demo.DefaultAPIAddress).StringVar(&f.demoAPIAddress)
	app.Flag("web.telemetry-path", "Path under which to expose metrics.").Default("/metrics").StringVar(&f.telemetryPath)
	app.Flag("web.max-requests", "Maximum number of parallel scrape requests. 0 disables the limit.").Default("40").IntVar(&f.maxRequests)
	app.Flag("web.disable-exporter-metrics", "Exclude the process, Go runtime and promhttp metrics from /metrics.").BoolVar(&f.disableExporter)
	app.Flag("web.probe-only", "Serve account metrics only on /probe?target=ACCOUNT; /metrics then holds only the exporter's own metrics (for sharding across replicas).").BoolVar(&f.probeOnly)
	app.Flag("refresh.concurrency", "Maximum number of refreshes talking to GitHub at once, across all accounts.").Default("4").IntVar(&f.concurrency)
	app.Flag("scrape.timeout", "How long a scrape waits for refreshes when Prometheus sends no X-Prometheus-Scrape-Timeout-Seconds header.").Default("10s").DurationVar(&f.scrapeTimeout)
	app.Flag("scrape.timeout-offset", "Subtracted from Prometheus's scrape timeout so the answer arrives in time.").Default("500ms").DurationVar(&f.timeoutOffset)
	app.Flag("scrape.max-timeout", "The longest a scrape waits for refreshes, whatever X-Prometheus-Scrape-Timeout-Seconds asks: a waiting scrape holds a --web.max-requests slot. Prometheus's scrape_timeout cannot exceed its scrape_interval, so the default suits intervals up to 2m.").Default("2m").DurationVar(&f.maxScrapeTimeout)
	app.Flag("github.max-response-bytes", "Largest usage report accepted (streamed); other answers are also capped at 32 MiB.").Default(fmt.Sprint(githubapi.DefaultMaxResponseBytes)).Int64Var(&f.maxResponseBytes)

	disableDefaults := app.Flag("collector.disable-defaults", "Disable every collector that is not explicitly enabled.").Bool()
	explicit := map[string]bool{}
	f.explicit = explicit
	for _, c := range collector.Collectors() {
		state := "disabled"
		if c.DefaultEnabled {
			state = "enabled"
		}
		name := c.Name
		f.collectors[name] = app.Flag(c.FlagName(), fmt.Sprintf("%s (default: %s)", c.Help, state)).
			Default(fmt.Sprint(c.DefaultEnabled)).
			Action(func(*kingpin.ParseContext) error { explicit[name] = true; return nil }).
			Bool()
	}
	app.Flag("collector.advanced_security.by-repository", "Export Advanced Security committers per repository.").BoolVar(&f.options.AdvancedSecurityByRepository)
	app.Flag("collector.usage.by-repository", "Split usage metrics by repository (an enterprise can have tens of thousands).").BoolVar(&f.options.UsageByRepository)
	app.Flag("collector.budgets.user-states", "Export the per-user states of multi-user budgets (one request per 100 users of each such budget, a series per user).").BoolVar(&f.options.BudgetUserStates)
	app.Flag("collector.ai_credits.by-user.max-users", "Users per account the per-user AI-credit view keeps, by net spend; the rest are summed into user=\"__other__\".").Default(fmt.Sprint(collector.DefaultAICreditUserLimit)).IntVar(&f.options.AICreditUserLimit)
	app.Flag("collector.usage_detail.top-workflows", "Workflows per enterprise the usage_detail view keeps, by net amount; the rest are summed into workflow_path=\"__other__\" per repository.").Default(fmt.Sprint(collector.DefaultUsageDetailTop)).IntVar(&f.options.UsageDetailTopWorkflows)
	app.Flag("collector.usage_detail.top-users", "Users per enterprise the usage_detail view keeps, by net amount; the rest are summed into user=\"__other__\".").Default(fmt.Sprint(collector.DefaultUsageDetailTop)).IntVar(&f.options.UsageDetailTopUsers)
	app.Flag("collector.ai_credits.by-user.max-budget-share", "Refuse to start when the per-user AI-credit view alone would spend more than this share of a credential's 5,000 requests an hour.").Default("0.2").Float64Var(&f.aiCreditsShare)
	app.Flag("collector.copilot.by-plan", "Export the enterprise's Copilot seats per plan type (reads every page of the seat list, 100 seats a request).").BoolVar(&f.options.CopilotByPlan)

	f.web = kingpinflag.AddFlags(app, defaultListenAddress)
	listenGiven := false
	app.GetFlag("web.listen-address").IsSetByUser(&listenGiven)
	promslogflag.AddFlags(app, &f.log)
	// Serving is the default command; backfill (backfill/) writes history,
	// focus (focus/) writes the charges as a FOCUS dataset, check
	// (check_cmd.go) asks GitHub whether each collector can work.
	app.Command("serve", "Serve the metrics (the default).").Default().Hidden()
	_, f.backfill = backfill.AddCommand(app)
	_, f.focus = focus.AddCommand(app)
	f.check = addCheckCommand(app)
	finish = func() {
		// The demo makes up its data and needs no token, but it still
		// listens on loopback only unless told where to listen.
		if f.demo && !listenGiven {
			*f.web.WebListenAddresses = []string{demoListenAddress}
		}
		if *disableDefaults {
			for name, enabled := range f.collectors {
				if !explicit[name] {
					*enabled = false
				}
			}
		}
	}
	return app, f, finish
}

// run is the whole process: signals first, so that a SIGHUP while the
// configuration loads is a queued reload rather than the end of the
// process, then the flags, then the command.
func run(args []string, stdout, stderr io.Writer) int { return runAt(time.Now, args, stdout, stderr) }

// runAt is run on the clock now, which tests set: the one clock of the
// exporter, the demo, the GitHub clients and the backfill.
func runAt(now func() time.Time, args []string, stdout, stderr io.Writer) int {
	signals := make(chan os.Signal, 4)
	signal.Notify(signals, syscall.SIGHUP, syscall.SIGINT, syscall.SIGTERM)
	defer signal.Stop(signals)

	f, err := parseFlags(args, stdout, stderr)
	if err != nil {
		fmt.Fprintln(stderr, "github-billing-exporter:", err)
		return 2
	}
	f.now = now
	switch {
	case f.command == "backfill":
		return runBackfill(f, stdout, stderr)
	case f.command == "focus":
		return runFocus(f, stdout, stderr)
	case f.command == "check":
		return runCheck(f, stdout, stderr)
	case f.configCheck:
		return checkConfig(f, stdout, stderr)
	}
	return serve(f, clients.NewLogger(f.log, stderr), signals)
}

// checkConfig is --config.check: load the configuration and build its
// clients, as a start would, and say what it holds.
func checkConfig(f *flags, stdout, stderr io.Writer) int {
	cfg, err := config.Load(f.configFile)
	if err != nil {
		fmt.Fprintln(stderr, "configuration is invalid:", err)
		return 1
	}
	// A TLS certificate or an App key that does not load makes the
	// configuration invalid too.
	if _, err := clients.BuildTargets(cfg, githubapi.Options{}, nil); err != nil {
		fmt.Fprintln(stderr, "configuration is invalid:", err)
		return 1
	}
	for _, w := range cfg.Warnings {
		fmt.Fprintln(stderr, "warning:", w)
	}
	fmt.Fprintf(stdout, "%s is valid: %d account(s), %d credential(s)\n", f.configFile, len(cfg.Targets), len(cfg.Credentials))
	return 0
}

// serve runs the exporter until SIGINT or SIGTERM; SIGHUP reloads the
// configuration, including one that came while it started.
func serve(f *flags, logger *slog.Logger, signals <-chan os.Signal) int {
	logger.Info("starting github-billing-exporter", "version", version.Info(), "build_context", version.BuildContext())
	source := func() (*config.Resolved, error) { return config.Load(f.configFile) }
	if f.demo {
		api, err := demo.StartOn(f.demoAPIAddress, f.now)
		if err != nil {
			logger.Error("cannot start the demo GitHub API", "err", err)
			return 1
		}
		defer api.Close()
		// The demo token guards made-up data on loopback; it is logged so
		// that a configuration of one's own can read the simulated API.
		logger.Info("demo mode: serving a simulated GitHub billing API; no configuration file or token is read", "api_url", api.URL, "api_token", demo.Token)
		source = func() (*config.Resolved, error) { return api.Config(), nil }
	}
	exporter, err := newExporter(f, logger)
	if err != nil {
		logger.Error("cannot build the exporter", "err", err)
		return 1
	}
	defer exporter.Close()

	srv := server.New(server.Config{
		Demo:              f.demo,
		Logger:            logger,
		Exporter:          exporter,
		Source:            source,
		TelemetryPath:     f.telemetryPath,
		MaxRequests:       f.maxRequests,
		DisableExporter:   f.disableExporter,
		ProbeOnly:         f.probeOnly,
		ScrapeTimeout:     f.scrapeTimeout,
		TimeoutOffset:     f.timeoutOffset,
		MaxScrapeTimeout:  f.maxScrapeTimeout,
		MaxResponseBytes:  f.maxResponseBytes,
		BudgetShares:      f.budgetShares(),
		IncludedAICredits: f.options.IncludedAICredits,
		Authenticated:     func() bool { return server.WebConfigAuthenticates(*f.web.WebConfigFile) },
	})
	defer srv.Close()
	return serveUntilStopped(f, srv, logger, signals)
}

// budgetShares are the collectors on whose API-budget check runs at each
// load, with the share of a credential's hourly limit each may spend: the
// per-user AI-credit view, the one collector that declares a check.
func (f *flags) budgetShares() map[string]float64 {
	if !*f.collectors[collector.AICreditsByUser] {
		return nil
	}
	return map[string]float64{collector.AICreditsByUser: f.aiCreditsShare}
}

// serveUntilStopped listens, loads the first configuration and serves until
// SIGINT or SIGTERM or a first load that fails; SIGHUP reloads.
func serveUntilStopped(f *flags, srv *server.Server, logger *slog.Logger, signals <-chan os.Signal) int {
	// Listen before the first load: a load may ask GitHub (the per-user
	// AI-credit view's API-budget check), and neither the liveness probe
	// nor a stop signal may wait for GitHub. /-/ready answers 503 until the
	// configuration is in force.
	stopping, stop := context.WithCancel(context.Background())
	defer stop()
	httpServer := server.NewHTTPServer(srv.Handler(), logger)
	// A stop ends the requests under way too: a scrape waiting for
	// refreshes answers from the cache at once.
	httpServer.BaseContext = func(net.Listener) context.Context { return stopping }
	serveErr := make(chan error, 1)
	go func() { serveErr <- web.ListenAndServe(httpServer, f.web, logger) }()
	loaded, reloads := startReloader(stopping, srv)
	shutdown := func() {
		stop()
		srv.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		httpServer.Shutdown(ctx) //nolint:errcheck // exiting anyway
		cancel()
	}
	for {
		select {
		case err := <-serveErr:
			if err != nil && !errors.Is(err, http.ErrServerClosed) {
				logger.Error("cannot serve", "err", err)
				return 1
			}
			return 0
		case err := <-loaded:
			if err != nil {
				logger.Error("cannot load the configuration", "err", err)
				shutdown()
				return 1
			}
		case sig := <-signals:
			if sig == syscall.SIGHUP {
				// One reload waits while another runs; more SIGHUPs
				// meanwhile are the same request.
				select {
				case reloads <- struct{}{}:
				default:
				}
				continue
			}
			logger.Info("shutting down", "signal", sig.String())
			shutdown()
			return 0
		}
	}
}

// startReloader loads the configuration in the background, away from the
// loop that handles signals: first at start (its outcome on first), then
// once per request on reloads, until ctx ends. A reload that fails logs why
// and keeps the running configuration.
func startReloader(ctx context.Context, srv *server.Server) (first <-chan error, reloads chan<- struct{}) {
	loaded := make(chan error, 1)
	requests := make(chan struct{}, 1)
	go func() {
		err := srv.Reload()
		loaded <- err
		if err != nil {
			return
		}
		for {
			select {
			case <-ctx.Done():
				return
			case <-requests:
				srv.Reload() //nolint:errcheck // reload logs its own failure and keeps the running configuration
			}
		}
	}()
	return loaded, requests
}

// enabledCollectors are the collectors the flags turn on, in the table's
// order.
func (f *flags) enabledCollectors() []collector.Factory {
	var out []collector.Factory
	for _, c := range collector.Collectors() {
		if *f.collectors[c.Name] {
			out = append(out, c)
		}
	}
	return out
}

// collectorOptions are the collectors' options of the flags: with the
// budgets collector on, the usage collector sums budget consumption while
// it reads the report, for the budgets collector's budgets.
func (f *flags) collectorOptions() collector.Options {
	o := f.options
	o.BudgetConsumption = *f.collectors["budgets"]
	return o
}

// newExporter builds the exporter with the collectors the flags enable.
func newExporter(f *flags, logger *slog.Logger) (*cache.Cache, error) {
	var enabled []string
	for _, c := range f.enabledCollectors() {
		enabled = append(enabled, c.Name)
	}
	opts := f.collectorOptions()
	opts.Logger = logger
	exporter, err := cache.New(cache.Config{
		Logger:      logger,
		Collectors:  enabled,
		Explicit:    f.explicit,
		Options:     opts,
		Concurrency: f.concurrency,
		Now:         f.now,
	})
	if err == nil {
		logger.Info("enabled collectors", "collectors", fmt.Sprint(enabled))
	}
	return exporter, err
}
