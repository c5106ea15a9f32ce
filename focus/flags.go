// Package focus writes GitHub's charges as a FOCUS 1.2 dataset (the FinOps
// Foundation's cost and usage format), as CSV or Parquet: the
// `github-billing-exporter focus` command. For each account and month of a
// range it reads the usage report, every cost center of an enterprise
// included, and writes one FOCUS row per charge the report states (a
// partly discounted charge as two rows, as FOCUS asks). Its pacing, resume
// and progress line are the backfill command's (backfill/).
package focus

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/alecthomas/kingpin/v2"

	"github.com/github-billing-exporter/github-billing-exporter/backfill"
)

// Formats are the output formats.
const (
	FormatCSV     = "csv"
	FormatParquet = "parquet"
)

// Flags are the focus command's settings.
type Flags struct {
	From, To string
	Format   string
	Output   string
	backfill.Pacing
}

// AddCommand declares the focus command and its flags on app.
func AddCommand(app *kingpin.Application) (*kingpin.CmdClause, *Flags) {
	f := &Flags{}
	cmd := app.Command("focus", "Write GitHub's charges of a range of months (or days) as a FOCUS 1.2 dataset (FinOps cost and usage format), CSV or Parquet, one row per charge of the usage report. Reads the same --config.file (or --demo); an organization whose rows its configured enterprise already holds is written once, under the enterprise.")
	cmd.Flag("from", "First month (YYYY-MM) or day (YYYY-MM-DD) to write. Default: the last full month.").StringVar(&f.From)
	cmd.Flag("to", "Last month (YYYY-MM) or day (YYYY-MM-DD) to write. Default: the month of --from, or the last full month; at most the last settled day.").StringVar(&f.To)
	cmd.Flag("format", "Output format: csv or parquet.").Default(FormatCSV).EnumVar(&f.Format, FormatCSV, FormatParquet)
	cmd.Flag("output", `File to write, "-" for stdout. {period} in it becomes the range written (2026-11 for a month, 2026-09_2026-11 for months, 2026-11-03_2026-11-09 for days), so a monthly job writes a file a month. A rerun with the same file continues after the last complete account and month.`).
		Default("-").StringVar(&f.Output)
	backfill.AddPaceFlags(cmd, &f.Pacing)
	return cmd, f
}

// Plan is a checked focus run.
type Plan struct {
	From, To time.Time // first and last day, 00:00 UTC
	Format   string
	Output   string
	// MaxRequestsPerHour paces requests; 0 does not.
	MaxRequestsPerHour int
}

// period names the plan's range: 2026-11 for a month, 2026-09_2026-11
// for whole months, else the first and last days.
func (p Plan) period() string {
	if p.From.Day() == 1 && p.To.AddDate(0, 0, 1).Day() == 1 {
		if p.From.Year() == p.To.Year() && p.From.Month() == p.To.Month() {
			return p.From.Format("2006-01")
		}
		return p.From.Format("2006-01") + "_" + p.To.Format("2006-01")
	}
	return p.From.Format(time.DateOnly) + "_" + p.To.Format(time.DateOnly)
}

// months are the calendar months the plan reaches, first days.
func (p Plan) months() []time.Time {
	var out []time.Time
	for m := time.Date(p.From.Year(), p.From.Month(), 1, 0, 0, 0, 0, time.UTC); !m.After(p.To); m = m.AddDate(0, 1, 0) {
		out = append(out, m)
	}
	return out
}

// NewPlan checks the flags against the clock, before any request.
func NewPlan(f Flags, now time.Time) (Plan, error) {
	if err := f.Check(); err != nil {
		return Plan{}, err
	}
	switch f.Format {
	case FormatCSV, FormatParquet:
	case "":
		f.Format = FormatCSV
	default:
		return Plan{}, fmt.Errorf("--format=%q: want csv or parquet", f.Format)
	}
	today, last := f.SettledDays(now)
	p := Plan{Format: f.Format, Output: f.Output, MaxRequestsPerHour: f.MaxRequestsPerHour}
	// The last full month that is settled.
	lastMonth := time.Date(last.Year(), last.Month(), 1, 0, 0, 0, 0, time.UTC)
	if last.AddDate(0, 0, 1).Day() != 1 {
		lastMonth = lastMonth.AddDate(0, -1, 0)
	}
	var err error
	var fromMonth bool
	if f.From == "" {
		p.From = lastMonth
		fromMonth = true
	} else if p.From, fromMonth, err = backfill.ParseDay("--from", f.From, false); err != nil {
		return Plan{}, err
	}
	toFlag := f.To
	switch {
	case toFlag != "":
		var month bool
		if p.To, month, err = backfill.ParseDay("--to", toFlag, true); err != nil {
			return Plan{}, err
		}
		if month && p.To.After(last) && p.To.Year() == last.Year() && p.To.Month() == last.Month() {
			p.To = last // the month so far
		}
	case fromMonth:
		p.To = p.From.AddDate(0, 1, -1)
		toFlag = p.From.Format("2006-01")
		if p.To.After(last) && p.From.Year() == last.Year() && p.From.Month() == last.Month() {
			p.To = last // the month so far
		}
	default:
		p.To = p.From
		toFlag = f.From
	}
	if p.To.After(last) {
		return Plan{}, f.Unsettled(toFlag, today, last)
	}
	if p.From.After(p.To) {
		return Plan{}, fmt.Errorf("--from=%s is after --to=%s", p.From.Format(time.DateOnly), p.To.Format(time.DateOnly))
	}
	if p.Output == "" {
		return Plan{}, errors.New(`--output: name a file, or "-" for stdout`)
	}
	p.Output = strings.ReplaceAll(p.Output, "{period}", p.period())
	if err := backfill.CheckOutput(p.Output); err != nil {
		return Plan{}, err
	}
	return p, nil
}
