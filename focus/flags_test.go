package focus_test

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/github-billing-exporter/github-billing-exporter/backfill"
	"github.com/github-billing-exporter/github-billing-exporter/focus"
)

// The default range is the last full settled month; a month flag covers
// the month, a day flag the day; {period} in --output names the range.
func TestNewPlanRanges(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "focus-{period}.csv")
	for _, c := range []struct {
		now            time.Time
		from, to       string
		wantFrom, want string // first and last day
		file           string
	}{
		// 2 December, --settle=1: 30 November is settled, so November is
		// the last full month.
		{testNow, "", "", "2026-11-01", "2026-11-30", "focus-2026-11.csv"},
		// 1 December: 29 November is the last settled day; October is the
		// last full month.
		{time.Date(2026, 12, 1, 0, 30, 0, 0, time.UTC), "", "", "2026-10-01", "2026-10-31", "focus-2026-10.csv"},
		{testNow, "2026-09", "2026-11", "2026-09-01", "2026-11-30", "focus-2026-09_2026-11.csv"},
		{testNow, "2026-11-03", "", "2026-11-03", "2026-11-03", "focus-2026-11-03_2026-11-03.csv"},
		{testNow, "2026-11-03", "2026-11-09", "2026-11-03", "2026-11-09", "focus-2026-11-03_2026-11-09.csv"},
		// The current month so far, up to the last settled day.
		{time.Date(2026, 12, 20, 9, 0, 0, 0, time.UTC), "2026-12", "", "2026-12-01", "2026-12-18", "focus-2026-12-01_2026-12-18.csv"},
		{time.Date(2026, 12, 20, 9, 0, 0, 0, time.UTC), "2026-11", "2026-12", "2026-11-01", "2026-12-18", "focus-2026-11-01_2026-12-18.csv"},
	} {
		p, err := focus.NewPlan(focus.Flags{From: c.from, To: c.to, Format: focus.FormatCSV, Output: out, Pacing: backfill.Pacing{Settle: 1}}, c.now)
		if err != nil {
			t.Errorf("%s %q %q: %v", c.now, c.from, c.to, err)
			continue
		}
		if got := p.From.Format(time.DateOnly); got != c.wantFrom {
			t.Errorf("%s %q %q: from %s, want %s", c.now, c.from, c.to, got, c.wantFrom)
		}
		if got := p.To.Format(time.DateOnly); got != c.want {
			t.Errorf("%s %q %q: to %s, want %s", c.now, c.from, c.to, got, c.want)
		}
		if got := filepath.Base(p.Output); got != c.file {
			t.Errorf("%s %q %q: output %s, want %s", c.now, c.from, c.to, got, c.file)
		}
	}
}
