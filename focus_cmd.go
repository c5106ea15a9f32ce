package main

import (
	"context"
	"fmt"
	"io"

	"github.com/prometheus/common/version"

	"github.com/github-billing-exporter/github-billing-exporter/backfill"
	"github.com/github-billing-exporter/github-billing-exporter/collector"
	"github.com/github-billing-exporter/github-billing-exporter/focus"
)

// runFocus is the focus command: the flags are checked before the
// configuration is read and before any request, then focus.Run writes the
// FOCUS dataset with the exporter's own clients.
func runFocus(f *flags, stdout, stderr io.Writer) int {
	demoUnpaced(f, &f.focus.Pacing)
	plan, err := focus.NewPlan(*f.focus, f.now())
	if err != nil {
		fmt.Fprintln(stderr, "github-billing-exporter focus:", err)
		return 2
	}
	return runHistory(f, "focus", stderr, func(ctx context.Context, targets []collector.Target, counter *backfill.Counter) error {
		return focus.Run(ctx, focus.Config{
			Plan: plan, Targets: targets, Counter: counter,
			Stdout: stdout, Stderr: stderr, Terminal: isTerminal(stderr), Now: f.now,
			Version: version.Version,
		})
	})
}
