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
	"github.com/github-billing-exporter/github-billing-exporter/config"
	"github.com/github-billing-exporter/github-billing-exporter/githubapi"
	"github.com/github-billing-exporter/github-billing-exporter/internal/clients"
	"github.com/github-billing-exporter/github-billing-exporter/internal/demo"
)

// runBackfill is the backfill command: the flags are checked before the
// configuration is read and before any request, then backfill.Run writes
// the days with the exporter's own clients.
func runBackfill(f *flags, stdout, stderr io.Writer) int {
	if f.demo && !f.backfill.MaxRequestsPerHourGiven {
		// The demo's API is simulated on loopback and has no limit to
		// keep to.
		f.backfill.MaxRequestsPerHour = 0
	}
	plan, err := backfill.NewPlan(*f.backfill, f.now())
	if err != nil {
		fmt.Fprintln(stderr, "github-billing-exporter backfill:", err)
		return 2
	}
	var cfg *config.Resolved
	if f.demo {
		api, err := demo.StartOn(f.demoAPIAddress, f.now)
		if err != nil {
			fmt.Fprintln(stderr, "github-billing-exporter backfill: cannot start the demo GitHub API:", err)
			return 1
		}
		defer api.Close()
		// The demo's four accounts take 19 requests a day: 13 months are
		// more than the 5,000 an hour the fake counts down like GitHub.
		// A real backfill stops there and continues on a rerun; the demo
		// lifts the limit.
		api.SetRateLimitRemaining(1 << 40)
		cfg = api.Config()
	} else if cfg, err = config.Load(f.configFile); err != nil {
		fmt.Fprintln(stderr, "github-billing-exporter backfill:", err)
		return 1
	}
	counter := &backfill.Counter{}
	targets, err := clients.BuildTargets(cfg, githubapi.Options{Observer: counter, MaxResponseBytes: f.maxResponseBytes, Logger: clients.NewLogger(f.log, stderr), Now: f.now}, nil)
	if err != nil {
		fmt.Fprintln(stderr, "github-billing-exporter backfill:", err)
		return 1
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	terminal := false
	if file, ok := stderr.(*os.File); ok {
		st, err := file.Stat()
		terminal = err == nil && st.Mode()&os.ModeCharDevice != 0
	}
	err = backfill.Run(ctx, backfill.Config{
		Plan: plan, Targets: targets, Options: f.options, Counter: counter,
		Stdout: stdout, Stderr: stderr, Terminal: terminal, Now: f.now,
	})
	switch {
	case err == nil:
		return 0
	case errors.Is(err, githubapi.ErrRateLimited):
		fmt.Fprintln(stderr, "github-billing-exporter backfill:", err)
		return backfill.ExitRateLimited
	default:
		fmt.Fprintln(stderr, "github-billing-exporter backfill:", err)
		return 1
	}
}
