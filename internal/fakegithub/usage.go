package fakegithub

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/github-billing-exporter/github-billing-exporter/githubapi"
)

// UsageData holds an account's detailed usage report.
type UsageData struct {
	// UsageItems are the rows of GET {scope}/settings/billing/usage by cost
	// center id; "" holds the usage that belongs to no cost center, which is
	// all of it for organizations and users. Dates are "YYYY-MM-DD…" strings.
	UsageItems map[string][]githubapi.UsageItem
	// RefusedCostCenters are cost center ids the usage report answers 400
	// for, as GitHub may for a deleted cost center.
	RefusedCostCenters []string
}

func (s *Server) usageRoutes() {
	for _, p := range platformPrefixes {
		s.mux.HandleFunc("GET "+p.prefix+"/settings/billing/usage", s.usage(p.scope))
	}
}

// usage answers like GitHub's detailed usage report: the rows of one cost
// center (enterprise: without cost_center_id only the usage in none), of the
// month asked for, or, without a month, of the whole year summed per month
// and dated the 1st.
func (s *Server) usage(scope githubapi.Scope) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		p := s.platform(w, r, scope)
		if p == nil {
			return
		}
		q := r.URL.Query()
		var year, month, day int
		for _, param := range []struct {
			name     string
			min, max int
			v        *int
		}{{"year", 2000, 9999, &year}, {"month", 1, 12, &month}, {"day", 1, 31, &day}} {
			raw := q.Get(param.name)
			if raw == "" {
				continue
			}
			v, err := strconv.Atoi(raw)
			if err != nil || v < param.min || v > param.max {
				WriteError(w, http.StatusBadRequest, fmt.Sprintf("Invalid value for %s: %q", param.name, raw))
				return
			}
			*param.v = v
		}
		costCenter := ""
		if scope == githubapi.ScopeEnterprise {
			costCenter = q.Get("cost_center_id")
		}
		if costCenter != "" && slices.Contains(p.RefusedCostCenters, costCenter) {
			WriteError(w, http.StatusBadRequest, fmt.Sprintf("Invalid cost center id: %s", costCenter))
			return
		}
		rows := p.UsageItems[costCenter]
		if year == 0 {
			// GitHub's default is the current year; the fake takes the year of
			// its newest row, so tests do not depend on the clock.
			year = newestUsageYear(rows, s.clock())
		}
		out := []githubapi.UsageItem{}
		for _, it := range rows {
			y, m, d, ok := usageDate(it.Date)
			if !ok || y != year || month != 0 && m != month || day != 0 && d != day {
				continue
			}
			out = append(out, it)
		}
		if month == 0 {
			out = usageByMonth(out)
		}
		WriteJSON(w, map[string]any{"usageItems": out})
	}
}

// usageDate reads the YYYY-MM-DD at the start of a row's date.
func usageDate(date string) (year, month, day int, ok bool) {
	t, err := time.Parse(time.DateOnly, date[:min(len(date), len(time.DateOnly))])
	if err != nil {
		return 0, 0, 0, false
	}
	return t.Year(), int(t.Month()), t.Day(), true
}

func newestUsageYear(rows []githubapi.UsageItem, now func() time.Time) int {
	newest := 0
	for _, it := range rows {
		if y, _, _, ok := usageDate(it.Date); ok && y > newest {
			newest = y
		}
	}
	if newest == 0 {
		newest = now().UTC().Year()
	}
	return newest
}

// usageByMonth sums rows per month, product, SKU, organization and
// repository into rows dated the 1st of the month, as GitHub answers a
// query without month.
func usageByMonth(rows []githubapi.UsageItem) []githubapi.UsageItem {
	type key struct {
		month                                  string
		product, sku, unit, organization, repo string
	}
	index := map[key]int{}
	var out []githubapi.UsageItem
	for _, it := range rows {
		k := key{it.Date[:7], it.Product, it.SKU, it.UnitType, it.OrganizationName, it.RepositoryName}
		i, ok := index[k]
		if !ok {
			i = len(out)
			index[k] = i
			first := it
			first.Date = it.Date[:7] + "-01T00:00:00Z"
			first.Quantity, first.GrossAmount, first.DiscountAmount, first.NetAmount = 0, 0, 0, 0
			out = append(out, first)
		}
		out[i].Quantity += it.Quantity
		out[i].GrossAmount += it.GrossAmount
		out[i].DiscountAmount += it.DiscountAmount
		out[i].NetAmount += it.NetAmount
	}
	if out == nil {
		out = []githubapi.UsageItem{}
	}
	return out
}
