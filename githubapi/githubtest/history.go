package githubtest

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
		objRoundSummary(&out[i])
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
		objRoundSummary(&out[i].UsageSummaryItem)
	}
	return out
}

// The demo's history: the same generators as the current month (the usage
// rows of addDemoUsage, the reports of addDemoObjects), with each past month
// scaled by DemoHistoryScale and one day of DemoSpikeMonth's Actions usage
// DemoSpikeFactor times an ordinary day's. GitHub keeps the summaries for
// 24 months; the demo has data for as long.

// DemoSpikeDay is the day of the demo's spend spike: the 17th of the month
// two months before now's.
func DemoSpikeDay(now time.Time) time.Time {
	now = now.UTC()
	return time.Date(now.Year(), now.Month()-2, 17, 0, 0, 0, 0, time.UTC)
}

// DemoSpikeFactor is how many ordinary days of Actions and Packages usage
// the spike day has.
const DemoSpikeFactor = 25

// DemoHistoryScale is the demo's usage in the month k months before now's,
// relative to now's month: it grows over the year and wobbles month to
// month. k = 0 is 1.
func DemoHistoryScale(k int) float64 {
	return (1 + 0.08*math.Sin(1.3*float64(k))) / (1 + 0.04*float64(k))
}

// demoHistoryMonths is how many months back the demo has data.
const demoHistoryMonths = githubapi.HistoryMonths

// demoHistory is the demo's History as of now: every day before today.
func demoHistory(now time.Time) *History {
	now = now.UTC()
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	monthStart := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
	oldest := monthStart.AddDate(0, -demoHistoryMonths, 0)
	return &History{Month: now, Day: func(a githubapi.Account, day time.Time) *DayData {
		if !day.Before(today) || day.Before(oldest) {
			return nil
		}
		return demoDay(a, day, monthStart)
	}}
}

// demoMonthsBack is how many calendar months day's month is before
// monthStart's.
func demoMonthsBack(day, monthStart time.Time) int {
	return (monthStart.Year()-day.Year())*12 + int(monthStart.Month()) - int(day.Month())
}

// demoDay is one account's answers for one day before today.
func demoDay(a githubapi.Account, day, monthStart time.Time) *DayData {
	k := demoMonthsBack(day, monthStart)
	scale := DemoHistoryScale(k)
	spike := day.Equal(DemoSpikeDay(monthStart))
	dd := &DayData{UsageItems: map[string][]githubapi.UsageItem{}}
	orgRows := func(name string) []githubapi.UsageItem {
		for _, org := range demoUsageOrgs {
			if org.name == name {
				return demoHistoryOrgRows(org, day, scale, spike)
			}
		}
		return nil
	}
	switch a.Scope {
	case githubapi.ScopeEnterprise:
		if a.Name != DemoEnterprise {
			return nil
		}
		dd.UsageItems["cc-platform-0001"] = orgRows(DemoOrgWeb)
		dd.UsageItems["cc-datasci-0002"] = orgRows(DemoOrgData)
		dd.UsageItems[""] = orgRows("acme-labs")
	case githubapi.ScopeOrganization:
		dd.UsageItems[""] = orgRows(a.Name)
	case githubapi.ScopeUser:
		if a.Name != DemoUser {
			return nil
		}
		dd.UsageItems[""] = demoHistoryUserRows(day, scale)
	}
	dd.Summary, dd.PremiumRequests, dd.AICredits = demoHistoryReports(a, day, monthStart, scale)
	return dd
}

// demoHistoryOrgRows are an organization's /usage rows of one whole day,
// as addDemoUsage writes them for the days of the current month, scaled.
func demoHistoryOrgRows(org demoUsageOrg, day time.Time, scale float64, spike bool) []githubapi.UsageItem {
	daysInMonth := float64(time.Date(day.Year(), day.Month()+1, 0, 0, 0, 0, 0, time.UTC).Day())
	date := day.Format(time.RFC3339)
	var rows []githubapi.UsageItem
	for _, line := range org.lines {
		if org.name == DemoOrgData && line == demoActionsLinux && day.Day() >= demoCaseChangeDay {
			line.product = "actions"
		}
		factor := scale
		if spike && org.name == DemoOrgWeb {
			factor *= DemoSpikeFactor
		}
		for _, repo := range org.repositories {
			q := line.daily * factor * demoJitter(date, line.sku, repo)
			rows = append(rows, demoUsageRow(date, line, q, org.name, repo))
		}
	}
	licences := []struct {
		line     demoUsageLine
		quantity float64
	}{
		{demoCopilot, org.copilotSeats / daysInMonth},
		{demoPremium, org.premiumRequests * scale * demoJitter(date, "premium", org.name)},
		{demoGHAS, org.committers / daysInMonth},
	}
	for _, l := range licences {
		rows = append(rows, demoUsageRow(date, l.line, l.quantity, org.name, ""))
	}
	return rows
}

// demoHistoryUserRows are the demo user's /usage rows of one whole day.
func demoHistoryUserRows(day time.Time, scale float64) []githubapi.UsageItem {
	daysInMonth := float64(time.Date(day.Year(), day.Month()+1, 0, 0, 0, 0, 0, time.UTC).Day())
	date := day.Format(time.RFC3339)
	personal := demoUsageLine{"Actions", "Actions Linux", "minutes", 0.008, 24, 1, true}
	var rows []githubapi.UsageItem
	for _, repo := range []string{"octocat/hello-world", "octocat/dotfiles"} {
		rows = append(rows, demoUsageRow(date, personal, personal.daily*scale*demoJitter(date, "user", repo), "", repo))
	}
	return append(rows, demoUsageRow(date, demoUsageLine{"Copilot", "copilot_pro", "user-months", 10, 0, 0, false}, 1/daysInMonth, "", ""))
}

// demoHistoryFraction is how much of its month's usage the demo's reports
// count by the end of day (the live demo's MonthFraction at that moment),
// with the spike day counting DemoSpikeFactor days.
func demoHistoryFraction(day time.Time, spikeDay time.Time) float64 {
	days := float64(time.Date(day.Year(), day.Month()+1, 0, 0, 0, 0, 0, time.UTC).Day())
	d := float64(day.Day())
	if day.Year() == spikeDay.Year() && day.Month() == spikeDay.Month() {
		extra := float64(DemoSpikeFactor - 1)
		if day.Day() >= spikeDay.Day() {
			d += extra
		}
		return d / (days + extra)
	}
	return d / days
}

// demoHistoryReports are one day's summary, premium-request and AI-credit
// rows: the month to date at the end of the day minus the month to date at
// the end of the day before, from addDemoObjects' generator with the
// month's usage scaled. Summed over days 1…D they give what the live demo
// serves at the end of day D.
func demoHistoryReports(a githubapi.Account, day, monthStart time.Time, scale float64) ([]githubapi.UsageSummaryItem, []githubapi.ModelUsageItem, []githubapi.ModelUsageItem) {
	spikeDay := DemoSpikeDay(monthStart)
	s1, p1, c1 := demoHistoryAt(a, day, scale, demoHistoryFraction(day, spikeDay))
	if s1 == nil || day.Day() == 1 {
		return s1, p1, c1
	}
	s0, p0, c0 := demoHistoryAt(a, day, scale, demoHistoryFraction(day.AddDate(0, 0, -1), spikeDay))
	for i := range s1 {
		s1[i].BillingAmounts = historyDiff(s1[i].BillingAmounts, s0[i].BillingAmounts)
	}
	for i := range p1 {
		p1[i].BillingAmounts = historyDiff(p1[i].BillingAmounts, p0[i].BillingAmounts)
	}
	for i := range c1 {
		c1[i].BillingAmounts = historyDiff(c1[i].BillingAmounts, c0[i].BillingAmounts)
	}
	return s1, p1, c1
}

// historyDiff is a − b, rounded as the reports are.
func historyDiff(a, b githubapi.BillingAmounts) githubapi.BillingAmounts {
	t := githubapi.UsageSummaryItem{BillingAmounts: githubapi.BillingAmounts{
		GrossQuantity: a.GrossQuantity - b.GrossQuantity, GrossAmount: a.GrossAmount - b.GrossAmount,
		DiscountQuantity: a.DiscountQuantity - b.DiscountQuantity, DiscountAmount: a.DiscountAmount - b.DiscountAmount,
		NetQuantity: a.NetQuantity - b.NetQuantity, NetAmount: a.NetAmount - b.NetAmount,
	}}
	objRoundSummary(&t)
	return t.BillingAmounts
}

// demoHistoryAt is an account's month-to-date reports at fraction f of
// day's month, as addDemoObjects builds them, with usage scaled.
func demoHistoryAt(a githubapi.Account, day time.Time, scale, f float64) ([]githubapi.UsageSummaryItem, []githubapi.ModelUsageItem, []githubapi.ModelUsageItem) {
	period := githubapi.SummaryTimePeriod{Year: day.Year(), Month: int(day.Month()), Day: day.Day()}
	org := func(p objOrgProfile) (*githubapi.UsageSummary, *githubapi.ModelUsageReport, *githubapi.ModelUsageReport) {
		return objReports(period, historyScaleSKUs(p.skus, scale), historyScaleUses(p.premium, scale), p.premiumIncluded,
			historyScaleUses(p.aiCredits, scale), p.aiIncluded, "copilot", "copilot_ai_credit", "credits", f)
	}
	switch a.Scope {
	case githubapi.ScopeEnterprise:
		var ss []*githubapi.UsageSummary
		var ps, cs []*githubapi.ModelUsageReport
		for _, p := range objOrgProfiles {
			s, pr, c := org(p)
			ss, ps, cs = append(ss, s), append(ps, pr), append(cs, c)
		}
		return objSumSummary(period, ss...).UsageItems, objSumModels(period, ps...).UsageItems, objSumModels(period, cs...).UsageItems
	case githubapi.ScopeOrganization:
		for _, p := range objOrgProfiles {
			if p.name == a.Name {
				s, pr, c := org(p)
				return s.UsageItems, pr.UsageItems, c.UsageItems
			}
		}
	case githubapi.ScopeUser:
		s, pr, c := objReports(period, historyScaleSKUs(objUserSKUs, scale), historyScaleUses(objUserPremium, scale), 300,
			historyScaleUses(objUserAICredits, scale), 7000, "Copilot AI Credits", "AI Credit", "ai-credits", f)
		return s.UsageItems, pr.UsageItems, c.UsageItems
	}
	return nil, nil, nil
}

// historyScaleSKUs scales the usage of SKUs; licences (billed for the
// month) keep their count.
func historyScaleSKUs(skus []objSKU, scale float64) []objSKU {
	out := make([]objSKU, len(skus))
	for i, s := range skus {
		if s.unit != "user-months" && s.unit != "committers" {
			s.monthQuantity *= scale
		}
		out[i] = s
	}
	return out
}

func historyScaleUses(uses []objModelUse, scale float64) []objModelUse {
	out := make([]objModelUse, len(uses))
	for i, u := range uses {
		u.monthQuantity *= scale
		out[i] = u
	}
	return out
}

// SetRateLimitRemaining sets how many requests the answers' rate-limit
// headers say are left; each request takes one, and the answer that takes
// the last says 0, after which a client stops until the reset (the next full
// hour). The next request starts again from 4,999. A value above 5,000
// keeps a long benchmark off the limit.
func (s *Server) SetRateLimitRemaining(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.remaining = n
}

// BenchHistory is a dataset for measuring a backfill: the enterprise
// "bench-corp" with costCenters cost centers and orgs organizations
// (org-01, …), each with the demo's daily rows and reports of acme-web or
// acme-data (alternately) for the 24 months before now, the enterprise's
// usage split over the cost centers by organization.
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
	demo := demoHistory(now)
	monthStart := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
	profile := func(i int) demoUsageOrg {
		o := demoUsageOrgs[i%2]
		o.name = names[i]
		return o
	}
	d.History = &History{Month: now, Day: func(a githubapi.Account, day time.Time) *DayData {
		if demo.Day(a, day) == nil && a.Scope != githubapi.ScopeOrganization && a.Scope != githubapi.ScopeEnterprise {
			return nil
		}
		if !day.Before(time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)) || day.Before(monthStart.AddDate(0, -demoHistoryMonths, 0)) {
			return nil
		}
		scale := DemoHistoryScale(demoMonthsBack(day, monthStart))
		spike := day.Equal(DemoSpikeDay(monthStart))
		dd := &DayData{UsageItems: map[string][]githubapi.UsageItem{}}
		switch a.Scope {
		case githubapi.ScopeEnterprise:
			for i := range names {
				cc := ""
				if costCenters > 0 {
					cc = ent.Platform.CostCenters[i*costCenters/orgs].ID
				}
				dd.UsageItems[cc] = append(dd.UsageItems[cc], demoHistoryOrgRows(profile(i), day, scale, spike)...)
			}
			dd.Summary, dd.PremiumRequests, dd.AICredits = demoHistoryReports(githubapi.Account{Scope: githubapi.ScopeEnterprise, Name: DemoEnterprise}, day, monthStart, scale)
		case githubapi.ScopeOrganization:
			for i, n := range names {
				if n == a.Name {
					dd.UsageItems[""] = demoHistoryOrgRows(profile(i), day, scale, spike)
					dd.Summary, dd.PremiumRequests, dd.AICredits = demoHistoryReports(githubapi.Account{Scope: githubapi.ScopeOrganization, Name: objOrgProfiles[i%2].name}, day, monthStart, scale)
				}
			}
		default:
			return nil
		}
		return dd
	}}
	return d
}
