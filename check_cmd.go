package main

import (
	"context"
	"fmt"
	"io"
	"os/signal"
	"syscall"
	"time"

	"github.com/alecthomas/kingpin/v2"

	"github.com/github-billing-exporter/github-billing-exporter/backfill"
	"github.com/github-billing-exporter/github-billing-exporter/config"
	"github.com/github-billing-exporter/github-billing-exporter/githubapi"
	"github.com/github-billing-exporter/github-billing-exporter/internal/check"
	"github.com/github-billing-exporter/github-billing-exporter/internal/clients"
	"github.com/github-billing-exporter/github-billing-exporter/internal/demo"
)

// checkFlags are the check command's own flags.
type checkFlags struct {
	output      string
	timeout     time.Duration
	concurrency int
}

// addCheckCommand declares the check command (internal/check).
func addCheckCommand(app *kingpin.Application) *checkFlags {
	f := &checkFlags{}
	cmd := app.Command("check", "Ask GitHub, once per account and enabled collector, whether each collector can work, and print a table saying what to grant or turn off. Reads the same --config.file (or --demo) and --collector.* flags as serving. Exits 0 when every enabled collector works, 1 when one cannot, 2 on bad flags or configuration.")
	cmd.Flag("output", "Output format: text (an aligned table) or json.").Default("text").StringVar(&f.output)
	cmd.Flag("timeout", "How long each request may take.").Default("30s").DurationVar(&f.timeout)
	cmd.Flag("concurrency", "Requests to GitHub in flight at once.").Default("4").IntVar(&f.concurrency)
	return f
}

// runCheck is the check command: the flags and the configuration are
// checked before any request (exit 2), then each account's enabled
// collectors are probed and the table printed (exit 1 when one cannot
// work).
func runCheck(f *flags, stdout, stderr io.Writer) int {
	c := f.check
	if c.output != "text" && c.output != "json" {
		fmt.Fprintf(stderr, "github-billing-exporter check: --output=%s: must be text or json\n", c.output)
		return 2
	}
	if c.timeout <= 0 {
		fmt.Fprintf(stderr, "github-billing-exporter check: --timeout=%s must be positive\n", c.timeout)
		return 2
	}
	if c.concurrency < 1 {
		fmt.Fprintf(stderr, "github-billing-exporter check: --concurrency=%d must be at least 1\n", c.concurrency)
		return 2
	}
	var cfg *config.Resolved
	if f.demo {
		api, err := demo.Start(f.now)
		if err != nil {
			fmt.Fprintln(stderr, "github-billing-exporter check: cannot start the demo GitHub API:", err)
			return 1
		}
		defer api.Close()
		cfg = api.Config()
	} else {
		var err error
		if cfg, err = config.Load(f.configFile); err != nil {
			fmt.Fprintln(stderr, "github-billing-exporter check:", err)
			return 2
		}
	}
	counter := &backfill.Counter{}
	// No conditional requests: each probe is sent as is, and its body is
	// never read.
	targets, err := clients.BuildTargets(cfg, githubapi.Options{Observer: counter, MaxResponseBytes: f.maxResponseBytes, Logger: clients.NewLogger(f.log, stderr), Now: f.now, ETagCacheBytes: -1}, nil)
	if err != nil {
		fmt.Fprintln(stderr, "github-billing-exporter check:", err)
		return 2
	}
	servers := map[githubapi.Account]githubapi.Server{}
	for _, t := range cfg.Targets {
		servers[t.Account] = cfg.Credentials[t.Credential].Server
	}
	checkCfg := check.Config{Targets: targets, Collectors: f.enabledCollectors(), Explicit: f.explicit, Options: f.collectorOptions(), Servers: servers, Concurrency: c.concurrency, Timeout: c.timeout, Now: f.now}
	probes := check.Plan(checkCfg)
	plan := stdout
	if c.output == "json" {
		plan = stderr
	}
	check.WritePlan(plan, probes, len(targets))

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	rows := check.Run(ctx, checkCfg, probes)
	if c.output == "json" {
		err = check.WriteJSON(stdout, rows, len(probes), counter.Requests())
	} else {
		err = check.WriteTable(stdout, rows, counter.Requests())
	}
	if err != nil {
		fmt.Fprintln(stderr, "github-billing-exporter check:", err)
		return 1
	}
	for _, r := range rows {
		if !r.OK() {
			return 1
		}
	}
	return 0
}
