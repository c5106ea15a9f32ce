package demo

import (
	"fmt"
	"hash/fnv"
	"math"
	"strings"
	"time"

	"github.com/github-billing-exporter/github-billing-exporter/githubapi"
	"github.com/github-billing-exporter/github-billing-exporter/internal/fakegithub"
)

// The demo's billing-platform data: cost centers, usage reports, budgets,
// report exports, Copilot and licences, every figure from the demo month's
// rows (month.go).

// addDemoPlatform adds the demo's billing-platform data.
func addDemoPlatform(d *fakegithub.Dataset, now time.Time, rows *demoRows) {
	for _, a := range []*fakegithub.AccountData{d.Enterprises[Enterprise], d.Organizations[OrgWeb], d.Organizations[OrgData], d.Users[User]} {
		a.Platform = &fakegithub.PlatformData{}
	}
	d.Enterprises[Enterprise].Platform.CostCenters = []githubapi.CostCenter{
		{ID: "cc-platform-0001", Name: "Platform", State: "active", Resources: []githubapi.CostCenterResource{{Type: "Org", Name: OrgWeb}},
			// Capped by its own AI-credit pool, as in GitHub's example.
			AICreditPoolEnabled: new(true),
			AICreditPoolState:   &githubapi.AICreditPoolState{TargetAmount: new(21000.0), CurrentAmount: new(math.Round(18500*monthFraction(now)*10) / 10)}},
		{ID: "cc-datasci-0002", Name: "Data Science", State: "active", Resources: []githubapi.CostCenterResource{{Type: "Org", Name: OrgData}, {Type: "User", Name: "dev-07"}, {Type: "Team", Name: "data-science"}},
			AICreditPoolEnabled: new(false)},
		{ID: "cc-legacy-0003", Name: "Legacy Tools", State: "deleted", Resources: []githubapi.CostCenterResource{}},
	}
	addDemoUsage(d, rows)
	addDemoObjects(d, now, rows)
}

// addDemoUsage fills the demo's usage reports from the demo month's rows:
// the enterprise's by cost center (acme-labs is in none), each
// organization's and the user's.
func addDemoUsage(d *fakegithub.Dataset, rows *demoRows) {
	e := map[string][]githubapi.UsageItem{}
	for _, o := range demoOrgs {
		e[o.costCenter] = append(e[o.costCenter], demoItems(rows.orgs[o.name])...)
	}
	d.Enterprises[Enterprise].Platform.UsageItems = e
	d.Organizations[OrgWeb].Platform.UsageItems = map[string][]githubapi.UsageItem{"": demoItems(rows.orgs[OrgWeb])}
	d.Organizations[OrgData].Platform.UsageItems = map[string][]githubapi.UsageItem{"": demoItems(rows.orgs[OrgData])}
	d.Users[User].Platform.UsageItems = map[string][]githubapi.UsageItem{"": demoItems(rows.user)}
}

// demoJitter is a stable factor in [0.6, 1.4) per date and series, so
// daily figures vary without randomness.
func demoJitter(parts ...string) float64 {
	h := fnv.New32a()
	h.Write([]byte(strings.Join(parts, "\x00"))) //nolint:errcheck // never fails
	return 0.6 + 0.8*float64(h.Sum32()%1000)/1000
}

func objRound(x float64, places int) float64 {
	p := math.Pow(10, float64(places))
	return math.Round(x*p) / p
}

// BudgetAlertID is the demo budget that is 85% consumed whatever the
// day of the month, so a "budget at 80%" alert always has something to fire
// on: the $100 budget of budgetAlertRepository for 4-core runners, which
// the repository's monthly retraining on the 1st takes $85.00 of.
const BudgetAlertID = "7c1e5a4e-85a0-4b8e-9d1f-acme00000001"

// objBudget is a budget as the demo's owners set it: amounts a little above
// what a month of the demo's usage costs, so that only the alert budget is
// nearly consumed.
func objBudget(id, scope, entity, budgetType string, skus []string, amount float64, prevent bool) githubapi.Budget {
	b := githubapi.Budget{
		ID: id, Type: budgetType, Amount: amount, PreventFurtherUsage: prevent,
		Scope: scope, EntityName: entity,
		Alerting: githubapi.BudgetAlerting{WillAlert: true, AlertRecipients: []string{"billing-manager"}},
	}
	if len(skus) == 1 && budgetType == "SkuPricing" {
		b.ProductSKU = githubapi.StringOrList(skus) // GitHub's schema: one string
	} else {
		b.ProductSKUs = githubapi.StringOrList(skus) // GitHub's examples: a list
	}
	return b
}

func objEnterpriseBudgets() []githubapi.Budget {
	id := func(n int) string { return fmt.Sprintf("7c1e5a4e-85a0-4b8e-9d1f-acme%08d", n) }
	return []githubapi.Budget{
		objBudget(BudgetAlertID, "repository", budgetAlertRepository, "SkuPricing", []string{"actions_linux_4_core"}, 100, true),
		objBudget(id(2), "enterprise", "", "ProductPricing", []string{"packages"}, 100, false),
		// Copilot Business licences: GitHub counts this budget_amount in
		// licences, not dollars (114 Copilot users of 130).
		objBudget(id(3), "enterprise", "", "SkuPricing", []string{"copilot_for_business"}, 130, false),
		objBudget(id(4), "enterprise", "", "ProductPricing", []string{"actions"}, 1200, true),
		objBudget(id(5), "enterprise", "", "BundlePricing", []string{"ai_credits"}, 1500, false),
		objBudget(id(6), "cost_center", "Platform", "ProductPricing", []string{"actions"}, 400, false),
		objBudget(id(7), "cost_center", "Data Science", "ProductPricing", []string{"actions", "packages"}, 250, true),
		objBudget(id(8), "organization", OrgWeb, "SkuPricing", []string{"actions_linux"}, 250, false),
		objBudget(id(9), "organization", OrgData, "ProductPricing", []string{"packages"}, 60, false),
		objBudget(id(10), "repository", OrgWeb+"/storefront", "SkuPricing", []string{"actions_linux"}, 60, true),
		// The product copilot mixes licences and AI credits: its unit is
		// unknown, and the exporter shows no amount for it.
		objBudget(id(11), "organization", OrgLabs, "ProductPricing", []string{"copilot"}, 250, false),
		objBudget(id(12), "multi_user_customer", "", "BundlePricing", []string{"ai_credits"}, 50, true),
		// Codespaces is not in use yet.
		objBudget(id(13), "enterprise", "", "ProductPricing", []string{"codespaces"}, 200, true),
		objBudget(userBudgetID, "user", "dev-07", "BundlePricing", []string{"ai_credits"}, 40, true),
	}
}

func objOrgBudgets(orgIndex int, org, repo string, actions, ai, repoLinux float64) []githubapi.Budget {
	id := func(n int) string { return fmt.Sprintf("3f9b2d7a-%04d-4c55-8e0b-%012d", orgIndex, n) }
	return []githubapi.Budget{
		objBudget(id(1), "organization", org, "ProductPricing", []string{"actions"}, actions, false),
		objBudget(id(2), "organization", org, "BundlePricing", []string{"ai_credits"}, ai, false),
		objBudget(id(3), "repository", repo, "SkuPricing", []string{"actions_linux"}, repoLinux, true),
	}
}

// objBudgetsSpent sets the consumption of the user budgets from the rows
// they cover. GitHub sends consumed_amount only for user budgets (its
// schema: "for a user-scoped budget, or for a multi-user budget when
// filtering by user"), so the fake sends it for no other budget: the
// exporter computes those from the usage report, as it must against GitHub.
func objBudgetsSpent(budgets []githubapi.Budget, rows []demoRow) {
	costCenters := map[string]string{OrgWeb: "Platform", OrgData: "Data Science"}
	for i := range budgets {
		if budgets[i].Scope != "user" {
			continue
		}
		if usd, ok := demoBudgetSpend(budgets[i], rows, costCenters); ok {
			budgets[i].ConsumedAmount = new(usd)
		}
	}
}

// userBudgetID is the demo's user budget, the one kind GitHub sends
// consumed_amount for.
const userBudgetID = "7c1e5a4e-85a0-4b8e-9d1f-acme00000014"

// detailedMonthToDate dates x an hour ago, or at midnight when that is
// earlier, and leaves its download links to the fake GitHub, which serves
// the detailed rows from a host of its own.
func detailedMonthToDate(x githubapi.UsageReportExport, now time.Time) githubapi.UsageReportExport {
	created := now.Add(-time.Hour)
	if midnight := now.Truncate(24 * time.Hour); created.Before(midnight) {
		created = midnight
	}
	x.CreatedAt = created.Format(time.RFC3339)
	x.DownloadURLs = nil
	return x
}

// lastFinishedDay is yesterday, or the 1st on the 1st.
func lastFinishedDay(now, monthStart time.Time) time.Time {
	if y := now.Truncate(24*time.Hour).AddDate(0, 0, -1); y.After(monthStart) {
		return y
	}
	return monthStart
}

func objReportExports(now time.Time) []githubapi.UsageReportExport {
	now = now.UTC().Truncate(time.Minute)
	monthStart := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
	prevStart := monthStart.AddDate(0, -1, 0)
	day := func(t time.Time) string { return t.Format(time.DateOnly) }
	export := func(n int, reportType, status string, start, end time.Time, age time.Duration) githubapi.UsageReportExport {
		x := githubapi.UsageReportExport{
			ID:         fmt.Sprintf("e5a0c3b1-7d2f-4f6a-9b1e-%012d", n),
			ReportType: reportType, Status: status, StartDate: day(start), EndDate: day(end),
			CreatedAt: now.Add(-age).Format(time.RFC3339), Actor: "billing-bot",
		}
		if status == "completed" {
			x.DownloadURLs = []string{fmt.Sprintf("https://github.com/enterprises/%s/metered_exports/%d", Enterprise, 4100+n)}
		}
		return x
	}
	return []githubapi.UsageReportExport{
		lastMonthDetailed(export(1, "detailed", "completed", prevStart, monthStart.AddDate(0, 0, -1), 0), monthStart),
		// An administrator's export of the month's finished days, made
		// within the hour (at midnight at the earliest): the usage_detail
		// view reads it. On the 1st it is of the 1st so far.
		detailedMonthToDate(export(2, "detailed", "completed", monthStart, lastFinishedDay(now, monthStart), 0), now),
		export(3, "summarized", "completed", monthStart, now, 3*time.Hour),
		export(4, "premium_request", "completed", prevStart, monthStart.AddDate(0, 0, -1), 50*time.Hour),
		export(5, "ai_credit", "processing", monthStart, now, 10*time.Minute),
		export(6, "detailed", "processing", monthStart, now, 5*time.Minute),
		export(7, "summarized", "failed", prevStart, monthStart.AddDate(0, 0, -1), 30*time.Hour),
	}
}

// objSeats assigns Copilot to logins dev-FROM … dev-(FROM+n-1) plus extra.
func objSeats(org, team, plan string, from, n int, extra []string, active int, now time.Time) []githubapi.CopilotSeat {
	logins := make([]string, 0, n+len(extra))
	for i := from; i < from+n; i++ {
		logins = append(logins, fmt.Sprintf("dev-%02d", i))
	}
	logins = append(logins, extra...)
	out := make([]githubapi.CopilotSeat, 0, len(logins))
	now = now.UTC().Truncate(time.Minute)
	for i, login := range logins {
		seat := githubapi.CopilotSeat{
			CreatedAt:    "2026-01-12T09:00:00Z",
			UpdatedAt:    "2026-01-12T09:00:00Z",
			PlanType:     plan,
			Assignee:     &githubapi.CopilotAssignee{Login: login, ID: int64(100000 + from + i), Type: "User"},
			Organization: &githubapi.CopilotOrg{Login: org},
		}
		if team != "" {
			seat.AssigningTeam = &githubapi.CopilotTeam{Slug: team, Name: team}
		}
		if i < active {
			at := now.Add(-time.Duration(1+i%47) * time.Hour).Format(time.RFC3339)
			editor := "vscode/1.106.0/copilot/1.380.0"
			seat.LastActivityAt, seat.LastActivityEditor = &at, &editor
		}
		out = append(out, seat)
	}
	return out
}

// addDemoObjects gives the demo accounts their billing-platform objects.
func addDemoObjects(d *fakegithub.Dataset, now time.Time, rows *demoRows) {
	now = now.UTC()
	f := monthFraction(now)
	period := githubapi.SummaryTimePeriod{Year: now.Year(), Month: int(now.Month())}

	for i, org := range []struct {
		name, repo             string
		actions, ai, repoLinux float64
	}{
		{OrgWeb, OrgWeb + "/checkout-api", 400, 1000, 60},
		{OrgData, OrgData + "/etl-pipelines", 200, 450, 25},
	} {
		o := d.Organizations[org.name].Platform
		o.UsageSummary, o.PremiumRequestUsage, o.AICreditUsage = demoReports(period, rows.orgs[org.name])
		o.Budgets = objOrgBudgets(i+1, org.name, org.repo, org.actions, org.ai, org.repoLinux)
		objBudgetsSpent(o.Budgets, rows.orgs[org.name])
	}
	e := d.Enterprises[Enterprise].Platform
	e.UsageSummary, e.PremiumRequestUsage, e.AICreditUsage = demoReports(period, rows.enterprise())
	e.Budgets = objEnterpriseBudgets()
	objBudgetsSpent(e.Budgets, rows.enterprise())
	for i := range e.Budgets {
		if e.Budgets[i].Scope == "user" && e.Budgets[i].ConsumedAmount == nil {
			// The demo's rows name no user: dev-07's share of the AI
			// credits, as GitHub would send it.
			e.Budgets[i].ConsumedAmount = new(objRound(18*f, 2))
		}
		if e.Budgets[i].ID == "7c1e5a4e-85a0-4b8e-9d1f-acme00000013" {
			// The Codespaces trial budget ends with the year (expires_at,
			// which GitHub's newer descriptions add).
			expires := time.Date(now.Year(), time.December, 31, 23, 59, 59, 0, time.UTC).Format(time.RFC3339)
			e.Budgets[i].ExpiresAt = &expires
		}
	}
	// The multi-user AI-credit budget: each user against 50 USD.
	e.BudgetUserStates = map[string][]githubapi.BudgetUserState{"7c1e5a4e-85a0-4b8e-9d1f-acme00000012": {
		{User: "dev-01", ConsumedAmount: objRound(31*f, 2), TargetAmount: 50},
		{User: "dev-02", ConsumedAmount: objRound(12.5*f, 2), TargetAmount: 50},
		{User: "dev-07", ConsumedAmount: objRound(18*f, 2), TargetAmount: 40, OverrideBudgetID: userBudgetID},
		{User: "dev-11", ConsumedAmount: 0, TargetAmount: 50},
		// A user who left: GitHub no longer has the record, and sends
		// the entry without user.
		{ConsumedAmount: objRound(4*f, 2), TargetAmount: 50},
	}}
	// The 114 Copilot users and ten more members hold enterprise licences.
	e.Licenses = &githubapi.ConsumedLicenses{TotalSeatsConsumed: 124, TotalSeatsPurchased: 130}
	e.ReportExports = objReportExports(now)
	e.DetailedUsage = demoDetailedUsage(rows)

	u := d.Users[User].Platform
	u.UsageSummary, u.PremiumRequestUsage, u.AICreditUsage = demoReports(period, rows.user)

	// Seats used in the cycle grow through the month; acme-data leaves most
	// of its seats unused.
	webActive := int(math.Round(20 + 38*f))
	dataActive := int(math.Round(8 + 10*f))
	d.Organizations[OrgWeb].Platform.CopilotBilling = &githubapi.CopilotBilling{
		SeatBreakdown: githubapi.CopilotSeatBreakdown{
			Total: 64, AddedThisCycle: 5, PendingInvitation: 2, PendingCancellation: 1,
			ActiveThisCycle: float64(webActive), InactiveThisCycle: float64(64 - webActive),
		},
		PublicCodeSuggestions: "block", IDEChat: "enabled", PlatformChat: "enabled", CLI: "enabled",
		SeatManagementSetting: "assign_selected", PlanType: "business",
	}
	d.Organizations[OrgData].Platform.CopilotBilling = &githubapi.CopilotBilling{
		SeatBreakdown: githubapi.CopilotSeatBreakdown{
			Total: 45, AddedThisCycle: 12, PendingInvitation: 3, PendingCancellation: 4,
			ActiveThisCycle: float64(dataActive), InactiveThisCycle: float64(45 - dataActive),
		},
		PublicCodeSuggestions: "allow", IDEChat: "enabled", PlatformChat: "disabled", CLI: "unconfigured",
		SeatManagementSetting: "assign_all", PlanType: "business",
	}
	// dev-07 holds a seat from both organizations, and acme-labs has seats
	// of its own: the enterprise list has 115 rows for 114 users. dev-07 is
	// billed once, to the Data Science cost center it belongs to.
	webSeats := objSeats(OrgWeb, "", "business", 0, 64, nil, webActive, now)
	dataSeats := objSeats(OrgData, "data-science", "business", 64, 44, []string{"dev-07"}, dataActive, now)
	labsSeats := objSeats(OrgLabs, "", "business", 108, 6, nil, 4, now)
	d.Organizations[OrgWeb].Platform.CopilotSeats = webSeats
	d.Organizations[OrgData].Platform.CopilotSeats = dataSeats
	e.CopilotSeats = append(append(append([]githubapi.CopilotSeat{}, webSeats...), dataSeats...), labsSeats...)

	// The user filter of ai_credit/usage: each organization's credits split
	// among its seat holders (dev-07 under acme-data, which is billed for
	// them), and the cost_center_id filter of the enterprise.
	holders := map[string][]string{}
	for org, seats := range map[string][]githubapi.CopilotSeat{OrgWeb: webSeats, OrgData: dataSeats, OrgLabs: labsSeats} {
		for _, seat := range seats {
			if org == OrgWeb && seat.Assignee.Login == "dev-07" {
				continue
			}
			holders[org] = append(holders[org], seat.Assignee.Login)
		}
	}
	perOrg, entUsers := demoAIUsers(rows, holders)
	d.Organizations[OrgWeb].Platform.AICreditUsageByUser = perOrg[OrgWeb]
	d.Organizations[OrgData].Platform.AICreditUsageByUser = perOrg[OrgData]
	e.AICreditUsageByUser = entUsers
	e.AICreditUsageByCostCenter = demoAICostCenters(rows)
}
