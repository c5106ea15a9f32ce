package demo

import (
	"math"
	"sync"
	"time"

	"github.com/github-billing-exporter/github-billing-exporter/githubapi"
	"github.com/github-billing-exporter/github-billing-exporter/internal/fakegithub"
)

// The demo's history: each past month is the current month's generator
// (newDemoRows, month.go) run to the month's end, with the repositories'
// and models' use scaled by historyScale, and one day, spikeDay,
// spikeFactor times an ordinary day's. Every report of a day derives
// from that day's rows, as the current month's do. The days of the current
// month before today are the current month's own rows. GitHub keeps the
// summaries for 24 months; the demo has data for as long.

// spikeDay is the day of the demo's spend spike: the 17th of the month
// two months before now's.
func spikeDay(now time.Time) time.Time {
	now = now.UTC()
	return time.Date(now.Year(), now.Month()-2, 17, 0, 0, 0, 0, time.UTC)
}

// spikeFactor is how many ordinary days of repository and model use
// the spike day has.
const spikeFactor = 25

// historyScale is the demo's use in the month k months before now's,
// relative to now's month: it grows over the year and wobbles month to
// month. k = 0 is 1.
func historyScale(k int) float64 {
	return (1 + 0.08*math.Sin(1.3*float64(k))) / (1 + 0.04*float64(k))
}

// demoHistoryMonths is how many months back the demo has data.
const demoHistoryMonths = githubapi.HistoryMonths

// demoMonthsBack is how many calendar months day's month is before
// monthStart's.
func demoMonthsBack(day, monthStart time.Time) int {
	return (monthStart.Year()-day.Year())*12 + int(monthStart.Month()) - int(day.Month())
}

// demoHistoryRows is the demo's rows of day's whole month (up to today in
// the current month), as of now.
func demoHistoryRows(now, day time.Time) *demoRows {
	now = now.UTC()
	monthStart := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
	k := demoMonthsBack(day, monthStart)
	if k == 0 {
		return newDemoRows(now)
	}
	spike := spikeDay(now)
	scale := historyScale(k)
	end := time.Date(day.Year(), day.Month()+1, 0, 23, 0, 0, 0, time.UTC) // the whole last day
	return newDemoRowsScaled(end, func(d int) float64 {
		if day.Year() == spike.Year() && day.Month() == spike.Month() && d == spike.Day() {
			return scale * spikeFactor
		}
		return scale
	})
}

// historyMonths are the demo's rows of each month as of now, each month
// worked out once: a day's answer takes its whole month, and a backfill or
// focus run asks for every day of a month, each account and report apart.
type historyMonths struct {
	now  time.Time
	mu   sync.Mutex
	rows map[time.Time]*demoRows // by the month's first day
}

// of is the rows of day's whole month, as demoHistoryRows works them out.
// They are only read once kept.
func (h *historyMonths) of(day time.Time) *demoRows {
	month := time.Date(day.Year(), day.Month(), 1, 0, 0, 0, 0, time.UTC)
	h.mu.Lock()
	defer h.mu.Unlock()
	m, ok := h.rows[month]
	if !ok {
		m = demoHistoryRows(h.now, day)
		h.rows[month] = m
	}
	return m
}

// demoHistory is the demo's history as of now: every day before today.
func demoHistory(now time.Time) *fakegithub.History {
	now = now.UTC()
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	oldest := time.Date(now.Year(), now.Month()-demoHistoryMonths, 1, 0, 0, 0, 0, time.UTC)
	months := &historyMonths{now: now, rows: map[time.Time]*demoRows{}}
	return &fakegithub.History{Month: now, Day: func(a githubapi.Account, day time.Time) *fakegithub.DayData {
		if !day.Before(today) || day.Before(oldest) {
			return nil
		}
		return demoDay(months.of(day), a, day)
	}}
}

// demoOn keeps the rows of one date.
func demoOn(rows []demoRow, date string) []demoRow {
	var out []demoRow
	for _, r := range rows {
		if r.date == date {
			out = append(out, r)
		}
	}
	return out
}

// demoDay is one account's answers for one day, from its month's rows.
func demoDay(m *demoRows, a githubapi.Account, day time.Time) *fakegithub.DayData {
	date := day.Format(time.RFC3339)
	dd := &fakegithub.DayData{UsageItems: map[string][]githubapi.UsageItem{}}
	var all []demoRow
	switch {
	case a.Scope == githubapi.ScopeEnterprise && a.Name == Enterprise:
		for _, o := range demoOrgs {
			rows := demoOn(m.orgs[o.name], date)
			dd.UsageItems[o.costCenter] = append(dd.UsageItems[o.costCenter], demoItems(rows)...)
			all = append(all, rows...)
		}
	case a.Scope == githubapi.ScopeOrganization && (a.Name == OrgWeb || a.Name == OrgData):
		all = demoOn(m.orgs[a.Name], date)
		dd.UsageItems[""] = demoItems(all)
	case a.Scope == githubapi.ScopeUser && a.Name == User:
		all = demoOn(m.user, date)
		dd.UsageItems[""] = demoItems(all)
	default:
		return nil
	}
	period := githubapi.SummaryTimePeriod{Year: day.Year(), Month: int(day.Month()), Day: day.Day()}
	s, p, c := demoReports(period, all)
	dd.Summary, dd.PremiumRequests, dd.AICredits = s.UsageItems, p.UsageItems, c.UsageItems
	return dd
}

// Copy is an organization whose usage is a copy of one of the demo's
// organizations under another name: the demo's organization Like modulo
// their number (acme-web, acme-data, acme-labs), in the cost center with id
// CostCenter ("" for none).
type Copy struct {
	Name, CostCenter string
	Like             int
}

// CopiesHistory is the History of an enterprise whose organizations are
// copies: each copy's rows are its demo organization's of the demo's
// history as of now (24 months before today), renamed; the enterprise's
// usage report holds them all, by cost center, and each copy answers as an
// organization of its own. Its reports of a day derive from that day's rows,
// as the demo's do.
func CopiesHistory(now time.Time, enterprise string, copies []Copy) *fakegithub.History {
	now = now.UTC()
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	oldest := time.Date(now.Year(), now.Month()-demoHistoryMonths, 1, 0, 0, 0, 0, time.UTC)
	orgRows := func(m *demoRows, c Copy, date string) []demoRow {
		rows := demoOn(m.orgs[demoOrgs[c.Like%len(demoOrgs)].name], date)
		for j := range rows {
			rows[j].org = c.Name
		}
		return rows
	}
	months := &historyMonths{now: now, rows: map[time.Time]*demoRows{}}
	return &fakegithub.History{Month: now, Day: func(a githubapi.Account, day time.Time) *fakegithub.DayData {
		if !day.Before(today) || day.Before(oldest) {
			return nil
		}
		m := months.of(day)
		date := day.Format(time.RFC3339)
		dd := &fakegithub.DayData{UsageItems: map[string][]githubapi.UsageItem{}}
		var all []demoRow
		for _, c := range copies {
			if a.Scope == githubapi.ScopeEnterprise && a.Name == enterprise {
				rows := orgRows(m, c, date)
				dd.UsageItems[c.CostCenter] = append(dd.UsageItems[c.CostCenter], demoItems(rows)...)
				all = append(all, rows...)
			} else if a.Scope == githubapi.ScopeOrganization && a.Name == c.Name {
				all = orgRows(m, c, date)
				dd.UsageItems[""] = demoItems(all)
			}
		}
		if all == nil {
			return nil
		}
		period := githubapi.SummaryTimePeriod{Year: day.Year(), Month: int(day.Month()), Day: day.Day()}
		s, p, c := demoReports(period, all)
		dd.Summary, dd.PremiumRequests, dd.AICredits = s.UsageItems, p.UsageItems, c.UsageItems
		return dd
	}}
}
