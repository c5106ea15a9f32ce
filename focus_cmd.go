package main

import (
	"context"
	"fmt"
	"io"
	"os/signal"
	"syscall"

	"github.com/prometheus/common/version"

	"github.com/github-billing-exporter/github-billing-exporter/backfill"
	"github.com/github-billing-exporter/github-billing-exporter/focus"
)

// runFocus is the focus command: the flags are checked before the
// configuration is read and before any request, then focus.Run writes the
// FOCUS dataset with the exporter's own clients.
func runFocus(f *flags, stdout, stderr io.Writer) int {
	if f.demo && !f.focus.MaxRequestsPerHourGiven {
		// The demo's API is simulated on loopback and has no limit to
		// keep to.
		f.focus.MaxRequestsPerHour = 0
	}
	plan, err := focus.NewPlan(*f.focus, f.now())
	if err != nil {
		fmt.Fprintln(stderr, "github-billing-exporter focus:", err)
		return 2
	}
	counter := &backfill.Counter{}
	targets, closeAPI, code := commandTargets(f, "focus", counter, stderr)
	if code != 0 {
		return code
	}
	defer closeAPI()
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	err = focus.Run(ctx, focus.Config{
		Plan: plan, Targets: targets, Counter: counter,
		Stdout: stdout, Stderr: stderr, Terminal: isTerminal(stderr), Now: f.now,
		Version: version.Version,
	})
	return commandExit("focus", err, stderr)
}
