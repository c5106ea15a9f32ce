package fakegithub

import (
	"fmt"
	"maps"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/github-billing-exporter/github-billing-exporter/githubapi"
)

// BillingObjects holds an account's usage summary, premium-request and
// AI-credit reports, budgets, report exports and Copilot billing. A nil field
// makes its endpoint answer 404, as GitHub does where a feature is off.
type BillingObjects struct {
	// UsageSummary answers /usage/summary for the month of its TimePeriod;
	// other months get no rows.
	UsageSummary        *githubapi.UsageSummary
	PremiumRequestUsage *githubapi.ModelUsageReport
	AICreditUsage       *githubapi.ModelUsageReport
	// AICreditUsageByUser answers ai_credit/usage?user=LOGIN with the
	// rows of that login (keys in lower case; a login not listed has no
	// rows). AICreditUserFilterForbidden makes the user filter answer 403,
	// as GitHub answers an organization that belongs to an enterprise.
	AICreditUsageByUser         map[string][]githubapi.ModelUsageItem
	AICreditUserFilterForbidden bool
	// AICreditUsageByCostCenter answers ai_credit/usage?cost_center_id=ID
	// (an enterprise's), "none" being the credits in no cost center.
	AICreditUsageByCostCenter map[string][]githubapi.ModelUsageItem
	// Budgets are served page by page with has_next_page. A budget with
	// one SKU in ProductSKU is sent as the string budget_product_sku;
	// ProductSKUs is sent as the budget_product_skus list.
	Budgets       []githubapi.Budget
	ReportExports []githubapi.UsageReportExport
	// CopilotBilling answers /orgs/{org}/copilot/billing.
	CopilotBilling *githubapi.CopilotBilling
	// CopilotSeats is the seat list (Link-paginated); an enterprise's
	// total_seats counts each assignee once, as GitHub documents.
	CopilotSeats []githubapi.CopilotSeat
	// Licenses answers /enterprises/{enterprise}/consumed-licenses: the
	// totals, and one user per licence consumed up to the page asked for.
	Licenses *githubapi.ConsumedLicenses
	// BudgetUserStates are the user states of multi-user budgets by budget
	// id (/budgets/{id}/user-states, paged by has_next_page).
	BudgetUserStates map[string][]githubapi.BudgetUserState
}

func (s *Server) objectRoutes() {
	for _, p := range platformPrefixes {
		scope := p.scope
		s.mux.HandleFunc("GET "+p.prefix+"/settings/billing/usage/summary", func(w http.ResponseWriter, r *http.Request) {
			pd := s.platform(w, r, scope)
			if pd == nil {
				return
			}
			if pd.UsageSummary == nil {
				WriteError(w, http.StatusNotFound, "Not Found")
				return
			}
			period, match := objPeriod(r, pd.UsageSummary.TimePeriod)
			items := []githubapi.UsageSummaryItem{}
			if match {
				items = append(items, pd.UsageSummary.UsageItems...)
			}
			WriteJSON(w, map[string]any{"timePeriod": period, string(scope): r.PathValue("name"), "usageItems": items})
		})
		for suffix, report := range map[string]func(*PlatformData) *githubapi.ModelUsageReport{
			"/settings/billing/premium_request/usage": func(pd *PlatformData) *githubapi.ModelUsageReport { return pd.PremiumRequestUsage },
			"/settings/billing/ai_credit/usage":       func(pd *PlatformData) *githubapi.ModelUsageReport { return pd.AICreditUsage },
		} {
			s.mux.HandleFunc("GET "+p.prefix+suffix, func(w http.ResponseWriter, r *http.Request) {
				pd := s.platform(w, r, scope)
				if pd == nil {
					return
				}
				rep := report(pd)
				if rep == nil {
					WriteError(w, http.StatusNotFound, "Not Found")
					return
				}
				period, match := objPeriod(r, rep.TimePeriod)
				rows, echo, ok := filteredModelRows(w, r, scope, pd, suffix, rep.UsageItems)
				if !ok {
					return
				}
				items := []githubapi.ModelUsageItem{}
				if match {
					items = append(items, rows...)
				}
				body := map[string]any{"timePeriod": period, string(scope): r.PathValue("name"), "usageItems": items}
				maps.Copy(body, echo)
				WriteJSON(w, body)
			})
		}
		if scope != githubapi.ScopeUser {
			s.mux.HandleFunc("GET "+p.prefix+"/settings/billing/budgets", s.budgets(scope))
		}
	}
	s.mux.HandleFunc("GET /enterprises/{name}/settings/billing/reports", func(w http.ResponseWriter, r *http.Request) {
		pd := s.platform(w, r, githubapi.ScopeEnterprise)
		if pd == nil {
			return
		}
		if pd.ReportExports == nil {
			WriteError(w, http.StatusNotFound, "Not Found")
			return
		}
		WriteJSON(w, map[string]any{"usage_report_exports": pd.ReportExports})
	})
	s.mux.HandleFunc("GET /orgs/{name}/copilot/billing", func(w http.ResponseWriter, r *http.Request) {
		pd := s.platform(w, r, githubapi.ScopeOrganization)
		if pd == nil {
			return
		}
		if pd.CopilotBilling == nil {
			WriteError(w, http.StatusNotFound, "Not Found")
			return
		}
		WriteJSON(w, pd.CopilotBilling)
	})
	s.mux.HandleFunc("GET /enterprises/{name}/consumed-licenses", func(w http.ResponseWriter, r *http.Request) {
		pd := s.platform(w, r, githubapi.ScopeEnterprise)
		if pd == nil {
			return
		}
		if pd.Licenses == nil {
			WriteError(w, http.StatusNotFound, "Not Found")
			return
		}
		// The users of the page asked for, shaped like GitHub's example.
		n := min(queryInt(r, "per_page", 30), 100, int(pd.Licenses.TotalSeatsConsumed))
		users := make([]map[string]any, 0, n)
		for i := range n {
			login := fmt.Sprintf("dev-%02d", i)
			users = append(users, map[string]any{
				"github_com_login": login, "github_com_name": login, "enterprise_server_user_ids": []string{},
				"github_com_user": true, "enterprise_server_user": false, "visual_studio_subscription_user": false,
				"license_type": "enterprise", "github_com_profile": "https://github.com/" + login,
				"github_com_member_roles": []string{}, "github_com_enterprise_roles": []string{},
				"github_com_verified_domain_emails": []string{}, "github_com_saml_name_id": login,
				"github_com_orgs_with_pending_invites": []string{}, "github_com_two_factor_auth": true,
				"enterprise_server_emails": []string{}, "visual_studio_license_status": "",
				"visual_studio_subscription_email": "", "total_user_accounts": 1,
			})
		}
		WriteJSON(w, map[string]any{"total_seats_consumed": pd.Licenses.TotalSeatsConsumed,
			"total_seats_purchased": pd.Licenses.TotalSeatsPurchased, "users": users})
	})
	s.mux.HandleFunc("GET /enterprises/{name}/settings/billing/budgets/{id}/user-states", func(w http.ResponseWriter, r *http.Request) {
		pd := s.platform(w, r, githubapi.ScopeEnterprise)
		if pd == nil {
			return
		}
		states, ok := pd.BudgetUserStates[r.PathValue("id")]
		if !ok {
			WriteError(w, http.StatusNotFound, "Not Found")
			return
		}
		perPage := min(queryInt(r, "per_page", 30), 100)
		page := queryInt(r, "page", 1)
		from := min(len(states), (page-1)*perPage)
		to := min(len(states), from+perPage)
		WriteJSON(w, map[string]any{"user_states": states[from:to], "has_next_page": to < len(states), "total_count": len(states)})
	})
	s.mux.HandleFunc("GET /orgs/{name}/copilot/billing/seats", s.copilotSeats(githubapi.ScopeOrganization))
	s.mux.HandleFunc("GET /enterprises/{name}/copilot/billing/seats", s.copilotSeats(githubapi.ScopeEnterprise))
}

// filteredModelRows applies the user and cost_center_id filters of an
// ai_credit/usage request to all, the account's unfiltered rows, and returns
// the filters GitHub echoes. ok is false when it has answered an error.
func filteredModelRows(w http.ResponseWriter, r *http.Request, scope githubapi.Scope, pd *PlatformData, suffix string, all []githubapi.ModelUsageItem) (rows []githubapi.ModelUsageItem, echo map[string]any, ok bool) {
	q := r.URL.Query()
	user, cc := q.Get("user"), q.Get("cost_center_id")
	if suffix != "/settings/billing/ai_credit/usage" || (user == "" && cc == "") {
		return all, nil, true
	}
	echo = map[string]any{}
	rows = all
	if user != "" {
		if scope == githubapi.ScopeUser {
			WriteError(w, http.StatusBadRequest, "The user parameter is not supported for user accounts")
			return nil, nil, false
		}
		if pd.AICreditUserFilterForbidden {
			WriteError(w, http.StatusForbidden, "Admins of organizations that belong to an enterprise cannot filter usage by user")
			return nil, nil, false
		}
		rows = pd.AICreditUsageByUser[strings.ToLower(user)]
		echo["user"] = user
	}
	if cc != "" {
		if scope != githubapi.ScopeEnterprise {
			WriteError(w, http.StatusBadRequest, "The cost_center_id parameter is only supported for enterprises")
			return nil, nil, false
		}
		if user != "" {
			WriteError(w, http.StatusBadRequest, "The fake answers one filter at a time")
			return nil, nil, false
		}
		rows = pd.AICreditUsageByCostCenter[cc]
		if cc != "none" {
			for _, c := range pd.CostCenters {
				if c.ID == cc {
					echo["costCenter"] = githubapi.SummaryCostCenter{ID: c.ID, Name: c.Name}
				}
			}
		}
	}
	return rows, echo, true
}

// objPeriod is the window a request asks for (GitHub's default: the data's
// own month) and whether the data covers it.
func objPeriod(r *http.Request, data githubapi.SummaryTimePeriod) (githubapi.SummaryTimePeriod, bool) {
	asked := data
	q := r.URL.Query()
	if y, err := strconv.Atoi(q.Get("year")); err == nil {
		asked.Year = y
	}
	if m, err := strconv.Atoi(q.Get("month")); err == nil {
		asked.Month = m
	}
	match := asked.Year == data.Year && (data.Month == 0 || asked.Month == data.Month)
	return asked, match
}

// budgets serves a budget list page by page. GitHub documents per_page up to
// 100 for enterprises and organizations; the fake clamps to that.
func (s *Server) budgets(scope githubapi.Scope) http.HandlerFunc {
	const maxPerPage = 100
	return func(w http.ResponseWriter, r *http.Request) {
		pd := s.platform(w, r, scope)
		if pd == nil {
			return
		}
		if pd.Budgets == nil {
			WriteError(w, http.StatusNotFound, "Not Found")
			return
		}
		perPage := min(queryInt(r, "per_page", 10), maxPerPage)
		page := queryInt(r, "page", 1)
		from := min(len(pd.Budgets), (page-1)*perPage)
		to := min(len(pd.Budgets), from+perPage)
		out := make([]map[string]any, 0, to-from)
		for _, b := range pd.Budgets[from:to] {
			out = append(out, objBudgetJSON(b))
		}
		WriteJSON(w, map[string]any{"budgets": out, "has_next_page": to < len(pd.Budgets), "total_count": len(pd.Budgets)})
	}
}

// objBudgetJSON is a budget as GitHub sends it: consumed_amount only when
// known, one SKU as budget_product_sku or a list as budget_product_skus.
func objBudgetJSON(b githubapi.Budget) map[string]any {
	recipients := b.Alerting.AlertRecipients
	if recipients == nil {
		recipients = []string{}
	}
	out := map[string]any{
		"id":                    b.ID,
		"budget_type":           b.Type,
		"budget_amount":         b.Amount,
		"prevent_further_usage": b.PreventFurtherUsage,
		"budget_scope":          b.Scope,
		"budget_entity_name":    b.EntityName,
		"budget_alerting":       map[string]any{"will_alert": b.Alerting.WillAlert, "alert_recipients": recipients},
	}
	if b.ConsumedAmount != nil {
		out["consumed_amount"] = *b.ConsumedAmount
	}
	if b.User != "" {
		out["user"] = b.User
	}
	if b.ExpiresAt != nil {
		out["expires_at"] = *b.ExpiresAt
	}
	switch len(b.ProductSKU) {
	case 0:
	case 1:
		out["budget_product_sku"] = b.ProductSKU[0]
	default:
		out["budget_product_sku"] = []string(b.ProductSKU)
	}
	if b.ProductSKUs != nil {
		out["budget_product_skus"] = []string(b.ProductSKUs)
	}
	return out
}

// copilotSeats serves a seat list with Link headers (per_page default 50,
// at most 100, as GitHub).
func (s *Server) copilotSeats(scope githubapi.Scope) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		pd := s.platform(w, r, scope)
		if pd == nil {
			return
		}
		if pd.CopilotSeats == nil {
			WriteError(w, http.StatusNotFound, "Not Found")
			return
		}
		seats := pd.CopilotSeats
		total := len(seats)
		if scope == githubapi.ScopeEnterprise {
			users := map[string]bool{}
			for _, seat := range seats {
				if seat.Assignee != nil {
					users[strings.ToLower(seat.Assignee.Login)] = true
				}
			}
			total = len(users)
		}
		perPage := min(queryInt(r, "per_page", 50), 100)
		page := queryInt(r, "page", 1)
		lastPage := max(1, (len(seats)+perPage-1)/perPage)
		from := min(len(seats), (page-1)*perPage)
		to := min(len(seats), from+perPage)
		setLinks(w, r, page, lastPage)
		WriteJSON(w, map[string]any{"total_seats": total, "seats": seats[from:to]})
	}
}

// Demo data: the demo month's rows (demomonth.go) give every figure.

func objRound(x float64, places int) float64 {
	p := math.Pow(10, float64(places))
	return math.Round(x*p) / p
}

// DemoBudgetAlertID is the demo budget that is 85% consumed whatever the
// day of the month, so a "budget at 80%" alert always has something to fire
// on: the $100 budget of DemoBudgetAlertRepository for 4-core runners, which
// the repository's monthly retraining on the 1st takes $85.00 of.
const DemoBudgetAlertID = "7c1e5a4e-85a0-4b8e-9d1f-acme00000001"

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
		objBudget(DemoBudgetAlertID, "repository", DemoBudgetAlertRepository, "SkuPricing", []string{"actions_linux_4_core"}, 100, true),
		objBudget(id(2), "enterprise", "", "ProductPricing", []string{"packages"}, 100, false),
		objBudget(id(3), "enterprise", "", "ProductPricing", []string{"copilot"}, 4500, false),
		objBudget(id(4), "enterprise", "", "ProductPricing", []string{"actions"}, 1200, true),
		objBudget(id(5), "enterprise", "", "BundlePricing", []string{"ai_credits"}, 1500, false),
		objBudget(id(6), "cost_center", "Platform", "ProductPricing", []string{"actions"}, 400, false),
		objBudget(id(7), "cost_center", "Data Science", "ProductPricing", []string{"actions", "packages"}, 250, true),
		objBudget(id(8), "organization", DemoOrgWeb, "SkuPricing", []string{"actions_linux"}, 250, false),
		objBudget(id(9), "organization", DemoOrgData, "ProductPricing", []string{"packages"}, 60, false),
		objBudget(id(10), "repository", DemoOrgWeb+"/storefront", "SkuPricing", []string{"actions_linux"}, 60, true),
		objBudget(id(11), "organization", DemoOrgLabs, "ProductPricing", []string{"copilot"}, 250, false),
		objBudget(id(12), "multi_user_customer", "", "BundlePricing", []string{"ai_credits"}, 50, true),
		// Codespaces is not in use yet.
		objBudget(id(13), "enterprise", "", "ProductPricing", []string{"codespaces"}, 200, true),
		objBudget(DemoUserBudgetID, "user", "dev-07", "BundlePricing", []string{"ai_credits"}, 40, true),
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
	costCenters := map[string]string{DemoOrgWeb: "Platform", DemoOrgData: "Data Science"}
	for i := range budgets {
		if budgets[i].Scope != "user" {
			continue
		}
		if usd, ok := demoBudgetSpend(budgets[i], rows, costCenters); ok {
			budgets[i].ConsumedAmount = new(usd)
		}
	}
}

// DemoUserBudgetID is the demo's user budget, the one kind GitHub sends
// consumed_amount for.
const DemoUserBudgetID = "7c1e5a4e-85a0-4b8e-9d1f-acme00000014"

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
			x.DownloadURLs = []string{fmt.Sprintf("https://github.com/enterprises/%s/metered_exports/%d", DemoEnterprise, 4100+n)}
		}
		return x
	}
	return []githubapi.UsageReportExport{
		export(1, "detailed", "completed", prevStart, monthStart.AddDate(0, 0, -1), 8*24*time.Hour),
		export(2, "detailed", "completed", monthStart, now, 26*time.Hour),
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
func addDemoObjects(d *Dataset, now time.Time, rows *demoRows) {
	now = now.UTC()
	f := MonthFraction(now)
	period := githubapi.SummaryTimePeriod{Year: now.Year(), Month: int(now.Month())}

	for i, org := range []struct {
		name, repo             string
		actions, ai, repoLinux float64
	}{
		{DemoOrgWeb, DemoOrgWeb + "/checkout-api", 400, 1000, 60},
		{DemoOrgData, DemoOrgData + "/etl-pipelines", 200, 450, 25},
	} {
		o := d.Organizations[org.name].Platform
		o.UsageSummary, o.PremiumRequestUsage, o.AICreditUsage = demoReports(period, rows.orgs[org.name])
		o.Budgets = objOrgBudgets(i+1, org.name, org.repo, org.actions, org.ai, org.repoLinux)
		objBudgetsSpent(o.Budgets, rows.orgs[org.name])
	}
	e := d.Enterprises[DemoEnterprise].Platform
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
		{User: "dev-07", ConsumedAmount: objRound(18*f, 2), TargetAmount: 40, OverrideBudgetID: DemoUserBudgetID},
		{User: "dev-11", ConsumedAmount: 0, TargetAmount: 50},
	}}
	// The 114 Copilot users and ten more members hold enterprise licences.
	e.Licenses = &githubapi.ConsumedLicenses{TotalSeatsConsumed: 124, TotalSeatsPurchased: 130}
	e.ReportExports = objReportExports(now)

	u := d.Users[DemoUser].Platform
	u.UsageSummary, u.PremiumRequestUsage, u.AICreditUsage = demoReports(period, rows.user)

	// Seats used in the cycle grow through the month; acme-data leaves most
	// of its seats unused.
	webActive := int(math.Round(20 + 38*f))
	dataActive := int(math.Round(8 + 10*f))
	d.Organizations[DemoOrgWeb].Platform.CopilotBilling = &githubapi.CopilotBilling{
		SeatBreakdown: githubapi.CopilotSeatBreakdown{
			Total: 64, AddedThisCycle: 5, PendingInvitation: 2, PendingCancellation: 1,
			ActiveThisCycle: float64(webActive), InactiveThisCycle: float64(64 - webActive),
		},
		PublicCodeSuggestions: "block", IDEChat: "enabled", PlatformChat: "enabled", CLI: "enabled",
		SeatManagementSetting: "assign_selected", PlanType: "business",
	}
	d.Organizations[DemoOrgData].Platform.CopilotBilling = &githubapi.CopilotBilling{
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
	webSeats := objSeats(DemoOrgWeb, "", "business", 0, 64, nil, webActive, now)
	dataSeats := objSeats(DemoOrgData, "data-science", "business", 64, 44, []string{"dev-07"}, dataActive, now)
	labsSeats := objSeats(DemoOrgLabs, "", "business", 108, 6, nil, 4, now)
	d.Organizations[DemoOrgWeb].Platform.CopilotSeats = webSeats
	d.Organizations[DemoOrgData].Platform.CopilotSeats = dataSeats
	e.CopilotSeats = append(append(append([]githubapi.CopilotSeat{}, webSeats...), dataSeats...), labsSeats...)

	// The user filter of ai_credit/usage: each organization's credits split
	// among its seat holders (dev-07 under acme-data, which is billed for
	// them), and the cost_center_id filter of the enterprise.
	holders := map[string][]string{}
	for org, seats := range map[string][]githubapi.CopilotSeat{DemoOrgWeb: webSeats, DemoOrgData: dataSeats, DemoOrgLabs: labsSeats} {
		for _, seat := range seats {
			if org == DemoOrgWeb && seat.Assignee.Login == "dev-07" {
				continue
			}
			holders[org] = append(holders[org], seat.Assignee.Login)
		}
	}
	perOrg, entUsers := demoAIUsers(rows, holders)
	d.Organizations[DemoOrgWeb].Platform.AICreditUsageByUser = perOrg[DemoOrgWeb]
	d.Organizations[DemoOrgData].Platform.AICreditUsageByUser = perOrg[DemoOrgData]
	e.AICreditUsageByUser = entUsers
	e.AICreditUsageByCostCenter = demoAICostCenters(rows)
}
