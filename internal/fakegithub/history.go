package fakegithub

import (
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/github-billing-exporter/github-billing-exporter/githubapi"
)

// History answers the billing platform's reports for one day (year, month
// and day) and for past months, as GitHub does for the backfill command
// (API.md §14). The dataset's own reports (UsageData, BillingObjects) keep
// answering the current month without day.
type History struct {
	// Month is the dataset's current month: requests for it without day
	// go to the dataset's own reports, everything else to Day.
	Month time.Time
	// Day returns an account's answers for one UTC day; nil answers no
	// rows, as GitHub does for a day without usage.
	Day func(a githubapi.Account, day time.Time) *DayData
}

// DayData is what one account used on one day.
type DayData struct {
	// UsageItems are the day's /usage rows by cost center id, "" for the
	// usage in none (all of it for organizations and users).
	UsageItems      map[string][]githubapi.UsageItem
	Summary         []githubapi.UsageSummaryItem
	PremiumRequests []githubapi.ModelUsageItem
	AICredits       []githubapi.ModelUsageItem
}

// historyEndpoints are the reports that take a day.
var historyEndpoints = []string{
	"/settings/billing/usage",
	"/settings/billing/usage/summary",
	"/settings/billing/premium_request/usage",
	"/settings/billing/ai_credit/usage",
}

// historyHandler returns the handler for r when the dataset's History
// answers it, or nil.
func (s *Server) historyHandler(r *http.Request) http.Handler {
	if r.Method != http.MethodGet {
		return nil
	}
	a, suffix, ok := historyPath(r.URL.Path)
	if !ok {
		return nil
	}
	q := r.URL.Query()
	year, errY := strconv.Atoi(q.Get("year"))
	month, errM := strconv.Atoi(q.Get("month"))
	if errY != nil || errM != nil || month < 1 || month > 12 || year < 2000 || year > 9999 {
		return nil // the dataset's handlers answer (and refuse) these
	}
	d := s.dataset()
	if d.History == nil || d.History.Day == nil {
		return nil
	}
	start := time.Date(year, time.Month(month), 1, 0, 0, 0, 0, time.UTC)
	current := time.Date(d.History.Month.Year(), d.History.Month.Month(), 1, 0, 0, 0, 0, time.UTC)
	days := []time.Time{}
	if raw := q.Get("day"); raw != "" {
		day, err := strconv.Atoi(raw)
		if err != nil || day < 1 || day > start.AddDate(0, 1, -1).Day() {
			return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				WriteError(w, http.StatusBadRequest, "Invalid value for day: "+strconv.Quote(raw))
			})
		}
		days = append(days, start.AddDate(0, 0, day-1))
	} else {
		if !start.Before(current) {
			return nil
		}
		for t := start; t.Month() == start.Month(); t = t.AddDate(0, 0, 1) {
			days = append(days, t)
		}
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		data := d.Account(a.Scope, a.Name)
		if data == nil || data.Platform == nil {
			WriteError(w, http.StatusNotFound, "Not Found")
			return
		}
		var answers []*DayData
		for _, day := range days {
			if dd := d.History.Day(a, day); dd != nil {
				answers = append(answers, dd)
			}
		}
		period := map[string]any{"year": year, "month": month}
		if len(days) == 1 && q.Get("day") != "" {
			period["day"] = days[0].Day()
		}
		switch suffix {
		case "/settings/billing/usage":
			cc := ""
			if a.Scope == githubapi.ScopeEnterprise {
				cc = q.Get("cost_center_id")
			}
			rows := []githubapi.UsageItem{}
			for _, dd := range answers {
				rows = append(rows, dd.UsageItems[cc]...)
			}
			WriteJSON(w, map[string]any{"usageItems": rows})
		case "/settings/billing/usage/summary":
			var items []githubapi.UsageSummaryItem
			for _, dd := range answers {
				items = append(items, dd.Summary...)
			}
			WriteJSON(w, map[string]any{"timePeriod": period, string(a.Scope): a.Name, "usageItems": historySumSummary(items)})
		default:
			var items []githubapi.ModelUsageItem
			for _, dd := range answers {
				if suffix == "/settings/billing/ai_credit/usage" {
					items = append(items, dd.AICredits...)
				} else {
					items = append(items, dd.PremiumRequests...)
				}
			}
			WriteJSON(w, map[string]any{"timePeriod": period, string(a.Scope): a.Name, "usageItems": historySumModels(items)})
		}
	})
}

// historyPath reads the account and report of a billing-platform path.
func historyPath(path string) (githubapi.Account, string, bool) {
	for _, p := range []struct {
		prefix string
		scope  githubapi.Scope
	}{{"/enterprises/", githubapi.ScopeEnterprise}, {"/organizations/", githubapi.ScopeOrganization}, {"/users/", githubapi.ScopeUser}} {
		rest, ok := strings.CutPrefix(path, p.prefix)
		if !ok {
			continue
		}
		name, suffix, ok := strings.Cut(rest, "/")
		if !ok || name == "" {
			return githubapi.Account{}, "", false
		}
		for _, e := range historyEndpoints {
			if "/"+suffix == e {
				return githubapi.Account{Scope: p.scope, Name: name}, e, true
			}
		}
	}
	return githubapi.Account{}, "", false
}

// historySumSummary adds rows up per product, SKU and unit, in the order
// they first appear, rounding as GitHub's reports do.
func historySumSummary(items []githubapi.UsageSummaryItem) []githubapi.UsageSummaryItem {
	out := []githubapi.UsageSummaryItem{}
	index := map[[3]string]int{}
	for _, it := range items {
		k := [3]string{it.Product, it.SKU, it.UnitType}
		i, ok := index[k]
		if !ok {
			index[k] = len(out)
			out = append(out, it)
			continue
		}
		out[i].Add(it.BillingAmounts)
		historyRound(&out[i].BillingAmounts)
	}
	return out
}

// historySumModels adds model rows up per product, SKU, unit and model.
func historySumModels(items []githubapi.ModelUsageItem) []githubapi.ModelUsageItem {
	out := []githubapi.ModelUsageItem{}
	index := map[[4]string]int{}
	for _, it := range items {
		k := [4]string{it.Product, it.SKU, it.UnitType, it.Model}
		i, ok := index[k]
		if !ok {
			index[k] = len(out)
			out = append(out, it)
			continue
		}
		out[i].Add(it.BillingAmounts)
		historyRound(&out[i].BillingAmounts)
	}
	return out
}

// historyRound rounds a sum of days as GitHub's reports round: quantities
// to thousandths, amounts to ten-thousandths of a dollar.
func historyRound(b *githubapi.BillingAmounts) {
	r := func(x, p float64) float64 { return math.Round(x*p) / p }
	b.GrossQuantity, b.DiscountQuantity, b.NetQuantity = r(b.GrossQuantity, 1e3), r(b.DiscountQuantity, 1e3), r(b.NetQuantity, 1e3)
	b.GrossAmount, b.DiscountAmount, b.NetAmount = r(b.GrossAmount, 1e4), r(b.DiscountAmount, 1e4), r(b.NetAmount, 1e4)
}

// The demo's history: each past month is the current month's generator
// (newDemoRows, demomonth.go) run to the month's end, with the repositories'
// and models' use scaled by DemoHistoryScale, and one day, DemoSpikeDay,
// DemoSpikeFactor times an ordinary day's. Every report of a day derives
// from that day's rows, as the current month's do. The days of the current
// month before today are the current month's own rows. GitHub keeps the
// summaries for 24 months; the demo has data for as long.

// DemoSpikeDay is the day of the demo's spend spike: the 17th of the month
// two months before now's.
func DemoSpikeDay(now time.Time) time.Time {
	now = now.UTC()
	return time.Date(now.Year(), now.Month()-2, 17, 0, 0, 0, 0, time.UTC)
}

// DemoSpikeFactor is how many ordinary days of repository and model use
// the spike day has.
const DemoSpikeFactor = 25

// DemoHistoryScale is the demo's use in the month k months before now's,
// relative to now's month: it grows over the year and wobbles month to
// month. k = 0 is 1.
func DemoHistoryScale(k int) float64 {
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
	spike := DemoSpikeDay(now)
	scale := DemoHistoryScale(k)
	end := time.Date(day.Year(), day.Month()+1, 0, 23, 0, 0, 0, time.UTC) // the whole last day
	return newDemoRowsScaled(end, func(d int) float64 {
		if day.Year() == spike.Year() && day.Month() == spike.Month() && d == spike.Day() {
			return scale * DemoSpikeFactor
		}
		return scale
	})
}

// demoHistory is the demo's History as of now: every day before today.
func demoHistory(now time.Time) *History {
	now = now.UTC()
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	oldest := time.Date(now.Year(), now.Month()-demoHistoryMonths, 1, 0, 0, 0, 0, time.UTC)
	return &History{Month: now, Day: func(a githubapi.Account, day time.Time) *DayData {
		if !day.Before(today) || day.Before(oldest) {
			return nil
		}
		return demoDay(demoHistoryRows(now, day), a, day)
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
func demoDay(m *demoRows, a githubapi.Account, day time.Time) *DayData {
	date := day.Format(time.RFC3339)
	dd := &DayData{UsageItems: map[string][]githubapi.UsageItem{}}
	var all []demoRow
	switch {
	case a.Scope == githubapi.ScopeEnterprise && a.Name == DemoEnterprise:
		for _, o := range demoOrgs {
			rows := demoOn(m.orgs[o.name], date)
			dd.UsageItems[o.costCenter] = append(dd.UsageItems[o.costCenter], demoItems(rows)...)
			all = append(all, rows...)
		}
	case a.Scope == githubapi.ScopeOrganization && (a.Name == DemoOrgWeb || a.Name == DemoOrgData):
		all = demoOn(m.orgs[a.Name], date)
		dd.UsageItems[""] = demoItems(all)
	case a.Scope == githubapi.ScopeUser && a.Name == DemoUser:
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

// SetRateLimitRemaining sets how many requests the answers' rate-limit
// headers say are left; each request takes one, and the answer that takes
// the last says 0, after which a client stops until the reset (the next full
// hour). The next request is refused with 403, as GitHub refuses it; the
// one after it starts again from 4,999. A value above 5,000
// keeps a long benchmark off the limit.
func (s *Server) SetRateLimitRemaining(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.remaining = n
}

// BenchHistory is a dataset for measuring a backfill: the enterprise
// "bench-corp" with costCenters cost centers and orgs organizations
// (org-01, …), each with the rows of one of the demo's organizations (in
// turn) for the 24 months before now, the enterprise's usage split over the
// cost centers by organization.
func BenchHistory(now time.Time, orgs, costCenters int) *Dataset {
	now = now.UTC()
	d := NewDataset()
	ent := &AccountData{Platform: &PlatformData{}}
	d.Enterprises["bench-corp"] = ent
	for c := range costCenters {
		ent.Platform.CostCenters = append(ent.Platform.CostCenters, githubapi.CostCenter{
			ID: "cc-" + strconv.Itoa(c+1), Name: "Cost center " + strconv.Itoa(c+1), State: "active"})
	}
	names := make([]string, orgs)
	for i := range names {
		names[i] = "org-" + strconv.Itoa(100 + i + 1)[1:]
		d.Organizations[names[i]] = &AccountData{Platform: &PlatformData{}}
	}
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	oldest := time.Date(now.Year(), now.Month()-demoHistoryMonths, 1, 0, 0, 0, 0, time.UTC)
	orgRows := func(m *demoRows, i int, date string) []demoRow {
		rows := demoOn(m.orgs[demoOrgs[i%len(demoOrgs)].name], date)
		for j := range rows {
			rows[j].org = names[i]
		}
		return rows
	}
	d.History = &History{Month: now, Day: func(a githubapi.Account, day time.Time) *DayData {
		if !day.Before(today) || day.Before(oldest) {
			return nil
		}
		m := demoHistoryRows(now, day)
		date := day.Format(time.RFC3339)
		dd := &DayData{UsageItems: map[string][]githubapi.UsageItem{}}
		var all []demoRow
		for i, n := range names {
			if a.Scope == githubapi.ScopeEnterprise && a.Name == "bench-corp" {
				cc := ""
				if costCenters > 0 {
					cc = ent.Platform.CostCenters[i*costCenters/orgs].ID
				}
				rows := orgRows(m, i, date)
				dd.UsageItems[cc] = append(dd.UsageItems[cc], demoItems(rows)...)
				all = append(all, rows...)
			} else if a.Scope == githubapi.ScopeOrganization && a.Name == n {
				all = orgRows(m, i, date)
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
	return d
}
