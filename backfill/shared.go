package backfill

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/alecthomas/kingpin/v2"
)

// The pieces of the backfill the focus command (focus/) shares: the pace
// of requests, the day and month flags, the output check and the progress
// line.

// Paced makes every request sent under ctx wait its turn, perHour an hour
// (none when perHour is 0), one at a time.
func Paced(ctx context.Context, perHour int) context.Context { return paced(ctx, perHour) }

// ParseDay reads a flag's YYYY-MM-DD, or YYYY-MM as the first day of the
// month (or its last day when end is set); month says which it was.
func ParseDay(flag, v string, end bool) (day time.Time, month bool, err error) {
	return parseDay(flag, v, end)
}

// CheckOutput makes sure an output file ("-" for stdout) can be written,
// and read back to continue, before any request is made.
func CheckOutput(path string) error { return checkOutput(path) }

// Progress is the status line of a long run on a terminal.
type Progress struct{ p *progress }

// NewProgress draws on w, when terminal, the progress of total units of
// work (named unit, such as "months") that take requests requests.
func NewProgress(w io.Writer, terminal bool, unit string, total, requests int, now func() time.Time) Progress {
	p := newProgress(w, terminal, total, requests, now)
	p.unit = unit
	return Progress{p}
}

// Update counts one more unit done, requests having been made so far.
func (p Progress) Update(requests int) { p.p.update(requests) }

// Done ends the status line.
func (p Progress) Done() { p.p.done() }

// Pacing is the --settle and --max-requests-per-hour flags of a command
// that reads GitHub's history (backfill, focus).
type Pacing struct {
	// Settle is how many days before today are left out.
	Settle int
	// MaxRequestsPerHour paces the requests; 0 does not.
	MaxRequestsPerHour int
	// MaxRequestsPerHourGiven says --max-requests-per-hour was on the
	// command line, not its default.
	MaxRequestsPerHourGiven bool
}

// AddPaceFlags declares --settle and --max-requests-per-hour on cmd.
func AddPaceFlags(cmd *kingpin.CmdClause, p *Pacing) {
	cmd.Flag("settle", "Days before today to leave out, as GitHub restates recent days for a while. Today is always left out.").
		Default("1").IntVar(&p.Settle)
	cmd.Flag("max-requests-per-hour", "Pace the requests to GitHub to at most this many an hour, one at a time (0: no pacing). GitHub allows 5,000 an hour per credential. With --demo, whose API is simulated, there is no pacing unless this is given.").
		Default(fmt.Sprint(defaultMaxRequestsPerHour)).IsSetByUser(&p.MaxRequestsPerHourGiven).IntVar(&p.MaxRequestsPerHour)
}

// SettledDays are now's day (UTC) and the last settled day: today and the
// Settle days before it are left out.
func (p Pacing) SettledDays(now time.Time) (today, last time.Time) {
	now = now.UTC()
	today = time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	return today, today.AddDate(0, 0, -1-p.Settle)
}

// Unsettled is the error of a --to (as given) after the last settled day.
func (p Pacing) Unsettled(to string, today, last time.Time) error {
	return fmt.Errorf("--to=%s is after the last settled day %s: today (%s) and the %d day(s) before it (--settle) are left out because GitHub still restates them",
		to, last.Format(time.DateOnly), today.Format(time.DateOnly), p.Settle)
}

// PaceTime is how long the pace of perHour requests an hour (more than 0)
// takes to send requests, to the minute: the first goes at once, each
// other waits its turn.
func PaceTime(requests, perHour int) time.Duration {
	return (time.Duration(float64(max(requests-1, 0)) / float64(perHour) * float64(time.Hour))).Round(time.Minute)
}

// Check refuses a negative --settle or --max-requests-per-hour.
func (p Pacing) Check() error {
	if p.Settle < 0 {
		return fmt.Errorf("--settle=%d: must be 0 or more days", p.Settle)
	}
	if p.MaxRequestsPerHour < 0 {
		return fmt.Errorf("--max-requests-per-hour=%d: must be 0 (no pacing) or more", p.MaxRequestsPerHour)
	}
	return nil
}
