package githubapi

import "time"

// Period is the window a billing report is asked for: the calendar month
// Year-Month, or, when Day is not 0, that one day of it. The live
// collectors ask for the month to date; the backfill asks for past days one
// at a time (API.md §14).
type Period struct {
	Year  int
	Month time.Month
	Day   int
}

// HistoryMonths is how far back GitHub keeps the days of the summary, premium-request and
// AI-credit reports: the past 24 months (/usage states no limit).
const HistoryMonths = 24

// DayPeriod is the calendar day of t, in t's location (the backfill's days
// are UTC midnights).
func DayPeriod(t time.Time) Period {
	return Period{Year: t.Year(), Month: t.Month(), Day: t.Day()}
}

// timePeriod is the timePeriod an answer for p says it covers.
func (p Period) timePeriod() SummaryTimePeriod {
	return SummaryTimePeriod{Year: p.Year, Month: int(p.Month), Day: p.Day}
}

// String is the period as a date: 2026-03 or 2026-03-05.
func (p Period) String() string { return p.timePeriod().String() }
