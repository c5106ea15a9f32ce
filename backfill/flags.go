// Package backfill writes the billing history GitHub keeps as OpenMetrics
// with timestamps, for `promtool tsdb create-blocks-from openmetrics`: the
// `github-billing-exporter backfill` command. For each day of a range it asks
// GitHub for that day's usage, adds it to the month to date with the live
// collectors' own aggregation, and writes the month to date at the end of the
// day, so that the series are the ones the exporter serves live.
package backfill

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/alecthomas/kingpin/v2"

	"github.com/github-billing-exporter/github-billing-exporter/collector"
	"github.com/github-billing-exporter/github-billing-exporter/githubapi"
)

// defaultMaxRequestsPerHour is a fifth of GitHub's 5,000 requests an hour,
// so the exporter (and anything else on the credential) keeps the rest.
const defaultMaxRequestsPerHour = 1000

// defaultMonths is how many full months the default range covers.
const defaultMonths = 13

// Flags are the backfill command's settings.
type Flags struct {
	From, To   string
	Collectors string
	Output     string
	Pacing
	Concurrency int
}

// AddCommand declares the backfill command and its flags on app.
func AddCommand(app *kingpin.Application) (*kingpin.CmdClause, *Flags) {
	f := &Flags{}
	cmd := app.Command("backfill", "Write the billing history GitHub keeps as OpenMetrics with timestamps (month to date at the end of each day), for promtool tsdb create-blocks-from openmetrics. Reads the same --config.file (or --demo).")
	cmd.Flag("from", "First day (YYYY-MM-DD) or month (YYYY-MM) to write. Default: the first day of the month 13 full months back.").StringVar(&f.From)
	cmd.Flag("to", "Last day (YYYY-MM-DD) or month (YYYY-MM) to write. Default, and at most: the last settled day (today and --settle days before it are left out).").StringVar(&f.To)
	cmd.Flag("collectors", "Comma-separated collectors to backfill; only these have history at GitHub. usage_detail, opt-in, is backfilled only when named.").
		Default(strings.Join(DefaultCollectors(), ",")).StringVar(&f.Collectors)
	cmd.Flag("output", `OpenMetrics file to write, "-" for stdout. A rerun with the same file continues after the last complete day.`).
		Default("-").StringVar(&f.Output)
	AddPaceFlags(cmd, &f.Pacing)
	cmd.Flag("concurrency", "Requests to GitHub in flight at once.").Default("2").IntVar(&f.Concurrency)
	return cmd, f
}

// Plan is a checked backfill: what to write and where.
type Plan struct {
	From, To   time.Time // first and last day, 00:00 UTC
	Collectors []string
	Output     string
	Settle     int
	// MaxRequestsPerHour paces requests; 0 does not.
	MaxRequestsPerHour int
	Concurrency        int
}

// dayCount is how many days the plan writes.
func (p Plan) dayCount() int { return int(p.To.Sub(p.From)/(24*time.Hour)) + 1 }

// NewPlan checks the flags against the clock, before any request: a range
// that is empty, reaches past the last settled day or further back than
// GitHub keeps, an unknown collector or an output that cannot be written is
// an error that says what to change.
func NewPlan(f Flags, now time.Time) (Plan, error) {
	if err := f.Check(); err != nil {
		return Plan{}, err
	}
	if f.Concurrency < 1 {
		return Plan{}, fmt.Errorf("--concurrency=%d: must be 1 or more", f.Concurrency)
	}
	today, last := f.SettledDays(now)
	p := Plan{Output: f.Output, Settle: f.Settle, MaxRequestsPerHour: f.MaxRequestsPerHour, Concurrency: f.Concurrency}

	for c := range strings.SplitSeq(f.Collectors, ",") {
		c = strings.TrimSpace(c)
		if c == "" {
			continue
		}
		if !slices.Contains(collector.HistoryCollectors(), c) {
			return Plan{}, fmt.Errorf("--collectors: %q has no history at GitHub; choose from %s", c, strings.Join(collector.HistoryCollectors(), ", "))
		}
		if !slices.Contains(p.Collectors, c) {
			p.Collectors = append(p.Collectors, c)
		}
	}
	if len(p.Collectors) == 0 {
		return Plan{}, errors.New("--collectors: name at least one of " + strings.Join(collector.HistoryCollectors(), ", "))
	}

	var err error
	if f.From == "" {
		p.From = time.Date(last.Year(), last.Month()+1-defaultMonths, 1, 0, 0, 0, 0, time.UTC)
		if last.AddDate(0, 0, 1).Day() != 1 {
			// last is inside a month: the 13 full months end before it.
			p.From = time.Date(last.Year(), last.Month()-defaultMonths, 1, 0, 0, 0, 0, time.UTC)
		}
	} else if p.From, _, err = parseDay("--from", f.From, false); err != nil {
		return Plan{}, err
	}
	if f.To == "" {
		p.To = last
	} else {
		var month bool
		if p.To, month, err = parseDay("--to", f.To, true); err != nil {
			return Plan{}, err
		}
		if p.To.After(last) {
			if !month || p.To.Year() != last.Year() || p.To.Month() != last.Month() {
				return Plan{}, f.Unsettled(f.To, today, last)
			}
			p.To = last // the month so far
		}
	}
	if p.From.After(p.To) {
		return Plan{}, fmt.Errorf("--from=%s is after --to=%s", p.From.Format(time.DateOnly), p.To.Format(time.DateOnly))
	}
	// The summary, premium-request and AI-credit reports go back 24 months
	// (API.md §14; collector.HistoryLimited); /usage states no limit.
	oldest := time.Date(today.Year(), today.Month()-githubapi.HistoryMonths, 1, 0, 0, 0, 0, time.UTC)
	if p.From.Before(oldest) && slices.ContainsFunc(p.Collectors, collector.HistoryLimited) {
		var further []string
		for _, name := range collector.HistoryCollectors() {
			if !collector.HistoryLimited(name) {
				further = append(further, name)
			}
		}
		return Plan{}, fmt.Errorf("--from=%s is older than GitHub keeps: the summary, premium-request and AI-credit reports go back %d months, to %s (only --collectors=%s reaches further)",
			p.From.Format(time.DateOnly), githubapi.HistoryMonths, oldest.Format(time.DateOnly), strings.Join(further, ","))
	}
	if err := checkOutput(p.Output); err != nil {
		return Plan{}, err
	}
	return p, nil
}

// parseDay reads YYYY-MM-DD, or YYYY-MM as the first day of the month (or
// its last day, for --to).
func parseDay(flag, v string, end bool) (time.Time, bool, error) {
	if t, err := time.Parse(time.DateOnly, v); err == nil {
		return t, false, nil
	}
	t, err := time.Parse("2006-01", v)
	if err != nil {
		return time.Time{}, false, fmt.Errorf("%s=%q: want a day (2026-03-17) or a month (2026-03)", flag, v)
	}
	if end {
		t = t.AddDate(0, 1, -1)
	}
	return t, true, nil
}

// checkOutput makes sure the output can be written (and, when it exists,
// read for a resume) before any request is made.
func checkOutput(path string) error {
	if path == "-" {
		return nil
	}
	if path == "" {
		return errors.New(`--output: name a file, or "-" for stdout`)
	}
	dir := filepath.Dir(path)
	if st, err := os.Stat(dir); err != nil {
		return fmt.Errorf("--output=%s: directory %s: %w", path, dir, errors.Unwrap(err))
	} else if !st.IsDir() {
		return fmt.Errorf("--output=%s: %s is not a directory", path, dir)
	}
	if st, err := os.Stat(path); err == nil {
		if !st.Mode().IsRegular() {
			return fmt.Errorf("--output=%s: not a regular file", path)
		}
		f, err := os.OpenFile(path, os.O_RDWR, 0)
		if err != nil {
			return fmt.Errorf("--output=%s: cannot be read and written (needed to continue a backfill): %w", path, errors.Unwrap(err))
		}
		f.Close()
	}
	// The work directory is made next to the output: the directory must be
	// writable.
	probe, err := os.CreateTemp(dir, ".backfill-probe-*")
	if err != nil {
		return fmt.Errorf("--output=%s: cannot write in %s: %w", path, dir, errors.Unwrap(err))
	}
	probe.Close()
	os.Remove(probe.Name())
	return nil
}

// DefaultCollectors are the collectors with history that are enabled by
// default: an opt-in one (usage_detail, which asks GitHub for an export a
// month) is backfilled only when named.
func DefaultCollectors() []string {
	var names []string
	for _, name := range collector.HistoryCollectors() {
		if f, ok := collector.Lookup(name); ok && f.DefaultEnabled {
			names = append(names, name)
		}
	}
	return names
}
