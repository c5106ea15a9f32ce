package githubtest

import (
	"fmt"
	"hash/fnv"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
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
			year = newestUsageYear(rows)
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

func newestUsageYear(rows []githubapi.UsageItem) int {
	newest := 0
	for _, it := range rows {
		if y, _, _, ok := usageDate(it.Date); ok && y > newest {
			newest = y
		}
	}
	if newest == 0 {
		newest = time.Now().UTC().Year()
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

// demoUsageLine is one product and SKU that some repositories of the demo
// use every day.
type demoUsageLine struct {
	product, sku, unit string
	price              float64
	// daily is the quantity one repository uses on an average day.
	daily float64
	// discount is the share of the gross amount that included usage covers.
	discount float64
	// perRepository lines have a row per repository; the others (licences)
	// have one row per organization with no repository.
	perRepository bool
}

var (
	demoActionsLinux   = demoUsageLine{"Actions", "actions_linux", "minutes", 0.008, 310, 0.35, true}
	demoActionsWindows = demoUsageLine{"Actions", "actions_windows", "minutes", 0.016, 42, 0.35, true}
	demoActionsMacOS   = demoUsageLine{"Actions", "actions_macos", "minutes", 0.08, 9.5, 0.35, true}
	demoActionsStorage = demoUsageLine{"Actions", "actions_storage", "GigabyteHours", 0.00033602, 96, 0.5, true}
	demoPackagesXfer   = demoUsageLine{"Packages", "packages_data_transfer", "gigabytes", 0.5, 0.8, 0.4, true}
	demoPackagesStore  = demoUsageLine{"Packages", "packages_storage", "GigabyteHours", 0.00033602, 140, 0.5, true}
	demoCopilot        = demoUsageLine{"Copilot", "copilot_business", "user-months", 19, 0, 0, false}
	demoPremium        = demoUsageLine{"Copilot", "copilot_premium_request", "requests", 0.04, 0, 0, false}
	demoGHAS           = demoUsageLine{"GitHub Advanced Security", "advanced_security", "committers", 49, 0, 0, false}
)

// demoUsageOrg is one organization's share of the demo usage.
type demoUsageOrg struct {
	name         string
	repositories []string
	lines        []demoUsageLine
	// copilotSeats, premiumRequests (per day) and committers size the
	// licence rows.
	copilotSeats, premiumRequests, committers float64
}

var demoUsageOrgs = []demoUsageOrg{
	{
		name:         DemoOrgWeb,
		repositories: []string{"acme-web/storefront", "acme-web/checkout-api", "acme-web/design-system", "acme-web/mobile-app"},
		lines: []demoUsageLine{demoActionsLinux, demoActionsWindows, demoActionsMacOS, demoActionsStorage,
			demoPackagesXfer, demoPackagesStore},
		copilotSeats: 38, premiumRequests: 260, committers: 16,
	},
	{
		name:         DemoOrgData,
		repositories: []string{"acme-data/etl-pipelines", "acme-data/ml-models", "acme-data/warehouse"},
		lines:        []demoUsageLine{demoActionsLinux, demoActionsStorage, demoPackagesStore, demoPackagesXfer},
		copilotSeats: 14, premiumRequests: 120, committers: 9,
	},
	{
		// An organization of the enterprise in no cost center.
		name:         "acme-labs",
		repositories: []string{"acme-labs/prototypes", "acme-labs/hackweek"},
		lines:        []demoUsageLine{demoActionsLinux, demoActionsMacOS},
		copilotSeats: 6, premiumRequests: 40, committers: 3,
	},
}

// demoCaseChangeDay is the day of the month from which the demo's Linux
// runner rows of acme-data say "actions", as GitHub's casing drifted once
// within a month.
const demoCaseChangeDay = 15

// addDemoUsage fills the demo's usage reports: daily rows from the 1st of
// now's month to today, today's only partly used, so month-to-date figures
// grow through the month.
func addDemoUsage(d *Dataset, now time.Time) {
	now = now.UTC()
	monthStart := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
	daysInMonth := float64(monthStart.AddDate(0, 1, -1).Day())
	todayShare := float64(now.Sub(time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC))) / float64(24*time.Hour)
	// Never zero, as MonthFraction: the first scrape of a month shows data.
	todayShare = math.Max(todayShare, 1.0/24)

	orgRows := map[string][]githubapi.UsageItem{}
	for _, org := range demoUsageOrgs {
		var rows []githubapi.UsageItem
		for day := 1; day <= now.Day(); day++ {
			share := 1.0
			if day == now.Day() {
				share = todayShare
			}
			date := time.Date(now.Year(), now.Month(), day, 0, 0, 0, 0, time.UTC).Format(time.RFC3339)
			for _, line := range org.lines {
				if org.name == DemoOrgData && line == demoActionsLinux && day >= demoCaseChangeDay {
					line.product = "actions"
				}
				for _, repo := range org.repositories {
					q := line.daily * share * demoJitter(date, line.sku, repo)
					rows = append(rows, demoUsageRow(date, line, q, org.name, repo))
				}
			}
			// Licences accrue by the day: a month's seats over the month.
			licences := []struct {
				line     demoUsageLine
				quantity float64
			}{
				{demoCopilot, org.copilotSeats / daysInMonth},
				{demoPremium, org.premiumRequests * demoJitter(date, "premium", org.name)},
				{demoGHAS, org.committers / daysInMonth},
			}
			for _, l := range licences {
				rows = append(rows, demoUsageRow(date, l.line, l.quantity*share, org.name, ""))
			}
		}
		orgRows[org.name] = rows
	}

	d.Enterprises[DemoEnterprise].Platform.UsageItems = map[string][]githubapi.UsageItem{
		"cc-platform-0001": orgRows[DemoOrgWeb],
		"cc-datasci-0002":  orgRows[DemoOrgData],
		"":                 orgRows["acme-labs"],
	}
	d.Organizations[DemoOrgWeb].Platform.UsageItems = map[string][]githubapi.UsageItem{"": orgRows[DemoOrgWeb]}
	d.Organizations[DemoOrgData].Platform.UsageItems = map[string][]githubapi.UsageItem{"": orgRows[DemoOrgData]}

	// The user's personal account: GitHub's user reports name no
	// organization and, here, use the older "Actions Linux" SKU style.
	personal := demoUsageLine{"Actions", "Actions Linux", "minutes", 0.008, 24, 1, true}
	var userRows []githubapi.UsageItem
	for day := 1; day <= now.Day(); day++ {
		share := 1.0
		if day == now.Day() {
			share = todayShare
		}
		date := time.Date(now.Year(), now.Month(), day, 0, 0, 0, 0, time.UTC).Format(time.RFC3339)
		for _, repo := range []string{"octocat/hello-world", "octocat/dotfiles"} {
			userRows = append(userRows, demoUsageRow(date, personal, personal.daily*share*demoJitter(date, "user", repo), "", repo))
		}
		userRows = append(userRows, demoUsageRow(date, demoUsageLine{"Copilot", "copilot_pro", "user-months", 10, 0, 0, false}, share/daysInMonth, "", ""))
	}
	d.Users[DemoUser].Platform.UsageItems = map[string][]githubapi.UsageItem{"": userRows}
}

// demoUsageRow prices quantity, rounding as GitHub's reports do: quantities
// to thousandths, amounts to ten-thousandths of a dollar.
func demoUsageRow(date string, line demoUsageLine, quantity float64, org, repo string) githubapi.UsageItem {
	quantity = math.Round(quantity*1000) / 1000
	gross := math.Round(quantity*line.price*1e4) / 1e4
	discount := math.Round(gross*line.discount*1e4) / 1e4
	return githubapi.UsageItem{
		Date:             date,
		Product:          line.product,
		SKU:              line.sku,
		Quantity:         quantity,
		UnitType:         line.unit,
		PricePerUnit:     line.price,
		GrossAmount:      gross,
		DiscountAmount:   discount,
		NetAmount:        math.Round((gross-discount)*1e4) / 1e4,
		OrganizationName: org,
		RepositoryName:   repo,
	}
}

// demoJitter is a stable factor in [0.6, 1.4) per date and series, so
// daily figures vary without randomness.
func demoJitter(parts ...string) float64 {
	h := fnv.New32a()
	h.Write([]byte(strings.Join(parts, "\x00"))) //nolint:errcheck // never fails
	return 0.6 + 0.8*float64(h.Sum32()%1000)/1000
}
