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
