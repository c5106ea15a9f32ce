package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/github-billing-exporter/github-billing-exporter/backfill"
	"github.com/github-billing-exporter/github-billing-exporter/collector"
	"github.com/github-billing-exporter/github-billing-exporter/config"
	"github.com/github-billing-exporter/github-billing-exporter/githubapi"
	"github.com/github-billing-exporter/github-billing-exporter/internal/clients"
	"github.com/github-billing-exporter/github-billing-exporter/internal/demo"
)

// runBackfill is the backfill command: the flags are checked before the
// configuration is read and before any request, then backfill.Run writes
// the days with the exporter's own clients.
func runBackfill(f *flags, stdout, stderr io.Writer) int {
	demoUnpaced(f, &f.backfill.Pacing)
	plan, err := backfill.NewPlan(*f.backfill, f.now())
	if err != nil {
		fmt.Fprintln(stderr, "github-billing-exporter backfill:", err)
		return 2
	}
	return runHistory(f, "backfill", stderr, func(ctx context.Context, targets []collector.Target, counter *backfill.Counter) error {
		return backfill.Run(ctx, backfill.Config{
			Plan: plan, Targets: targets, Options: f.options, Counter: counter,
			Stdout: stdout, Stderr: stderr, Terminal: isTerminal(stderr), Now: f.now,
		})
	})
}

// demoUnpaced lifts the pacing of a command that reads GitHub's history
// when it runs on --demo and --max-requests-per-hour was not given: the
// demo's API is simulated on loopback and has no limit to keep to.
func demoUnpaced(f *flags, p *backfill.Pacing) {
	if f.demo && !p.MaxRequestsPerHourGiven {
		p.MaxRequestsPerHour = 0
	}
}

// runHistory runs a command that reads GitHub's history (backfill, focus),
// its plan checked: run gets the accounts and their clients, whose
// requests counter counts, and a context that SIGINT or SIGTERM ends; its
// error becomes the exit status.
func runHistory(f *flags, command string, stderr io.Writer, run func(ctx context.Context, targets []collector.Target, counter *backfill.Counter) error) int {
	counter := &backfill.Counter{}
	targets, closeAPI, code := commandTargets(f, command, counter, stderr)
	if code != 0 {
		return code
	}
	defer closeAPI()
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	return commandExit(command, run(ctx, targets, counter), stderr)
}

// commandTargets is the accounts and clients of a command that reads
// GitHub's history (backfill, focus): the demo's, started on loopback, with
// --demo, else the configuration's. closeAPI stops the demo; code is the
// exit status when it is not 0.
func commandTargets(f *flags, command string, counter *backfill.Counter, stderr io.Writer) (targets []collector.Target, closeAPI func(), code int) {
	closeAPI = func() {}
	var cfg *config.Resolved
	var err error
	if f.demo {
		api, err := demo.StartOn(f.demoAPIAddress, f.now)
		if err != nil {
			fmt.Fprintf(stderr, "github-billing-exporter %s: cannot start the demo GitHub API: %v\n", command, err)
			return nil, nil, 1
		}
		closeAPI = api.Close
		// The demo's four accounts take 19 requests a day: 13 months are
		// more than the 5,000 an hour the fake counts down like GitHub.
		// A real backfill stops there and continues on a rerun; the demo
		// lifts the limit.
		api.SetRateLimitRemaining(1 << 40)
		cfg = api.Config()
	} else if cfg, err = config.Load(f.configFile); err != nil {
		fmt.Fprintf(stderr, "github-billing-exporter %s: %v\n", command, err)
		return nil, nil, 1
	}
	targets, err = clients.BuildTargets(cfg, githubapi.Options{Observer: counter, MaxResponseBytes: f.maxResponseBytes, Logger: clients.NewLogger(f.log, stderr), Now: f.now}, nil)
	if err != nil {
		closeAPI()
		fmt.Fprintf(stderr, "github-billing-exporter %s: %v\n", command, err)
		return nil, nil, 1
	}
	return targets, closeAPI, 0
}

// isTerminal says whether w is a terminal, where a progress line is drawn.
func isTerminal(w io.Writer) bool {
	file, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := file.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// commandExit is the exit status of a command that stopped with err: 0
// when nil, backfill.ExitRateLimited at GitHub's rate limit (a rerun
// continues), else 1.
func commandExit(command string, err error, stderr io.Writer) int {
	switch {
	case err == nil:
		return 0
	case errors.Is(err, githubapi.ErrRateLimited):
		fmt.Fprintf(stderr, "github-billing-exporter %s: %v\n", command, err)
		return backfill.ExitRateLimited
	default:
		fmt.Fprintf(stderr, "github-billing-exporter %s: %v\n", command, err)
		return 1
	}
}
