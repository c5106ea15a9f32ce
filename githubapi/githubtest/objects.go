package githubtest

import (
	"fmt"
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
				items := []githubapi.ModelUsageItem{}
				if match {
					items = append(items, rep.UsageItems...)
				}
				WriteJSON(w, map[string]any{"timePeriod": period, string(scope): r.PathValue("name"), "usageItems": items})
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

// Demo data. Month-to-date figures scale with MonthFraction so graphs move;
// included quotas are used up first, so net amounts start later in the month.

// objSKU is a product/SKU an organization uses at a steady monthly rate.
type objSKU struct {
	product, sku, unit string
	price              float64
	monthQuantity      float64
	included           float64 // in units, for the whole month
}

// objModelUse is a model's share of an organization's Copilot use.
type objModelUse struct {
	model         string
	monthQuantity float64
}

type objOrgProfile struct {
	name            string
	skus            []objSKU
	premium         []objModelUse
	premiumIncluded float64
	aiCredits       []objModelUse
	aiIncluded      float64
}

var objOrgProfiles = []objOrgProfile{
	{
		name: DemoOrgWeb,
		skus: []objSKU{
			{"actions", "actions_linux", "minutes", 0.008, 90000, 30000},
			{"actions", "actions_windows", "minutes", 0.016, 18000, 0},
			{"actions", "actions_macos", "minutes", 0.08, 3500, 0},
			{"packages", "packages_storage", "gigabyte-hours", 0.00033602, 260000, 0},
			{"packages", "packages_data_transfer", "gigabytes", 0.5, 180, 100},
			{"copilot", "copilot_for_business", "user-months", 19, 64, 0},
			{"ghas", "ghas_code_security", "committers", 30, 8, 0},
			{"ghas", "ghas_secret_protection", "committers", 19, 8, 0},
		},
		premium:         []objModelUse{{"GPT-5", 1900}, {"Claude Sonnet 4.5", 2600}, {"Gemini 2.5 Pro", 450}},
		premiumIncluded: 3000,
		aiCredits:       []objModelUse{{"GPT-5", 41000}, {"Claude Sonnet 4.5", 60000}, {"Gemini 2.5 Pro", 13000}, {"GPT-5 mini", 32000}},
		aiIncluded:      90000,
	},
	{
		name: DemoOrgData,
		skus: []objSKU{
			{"actions", "actions_linux", "minutes", 0.008, 85000, 20000},
			{"actions", "actions_linux_4_core", "minutes", 0.016, 22000, 0},
			{"packages", "packages_storage", "gigabyte-hours", 0.00033602, 540000, 0},
			{"packages", "packages_data_transfer", "gigabytes", 0.5, 320, 100},
			{"copilot", "copilot_for_business", "user-months", 19, 45, 0},
			{"ghas", "ghas_code_security", "committers", 30, 5, 0},
			{"ghas", "ghas_secret_protection", "committers", 19, 5, 0},
		},
		premium:         []objModelUse{{"GPT-5", 700}, {"Claude Sonnet 4.5", 1300}, {"Gemini 2.5 Pro", 900}},
		premiumIncluded: 2000,
		aiCredits:       []objModelUse{{"GPT-5", 18000}, {"Claude Sonnet 4.5", 29000}, {"Gemini 2.5 Pro", 20000}},
		aiIncluded:      40000,
	},
}

// The user's individual plan.
var (
	objUserSKUs = []objSKU{
		{"actions", "actions_linux", "minutes", 0.008, 2600, 2000},
		{"packages", "packages_data_transfer", "gigabytes", 0.5, 3, 10},
		{"copilot", "copilot_pro", "user-months", 10, 1, 0},
	}
	objUserPremium   = []objModelUse{{"GPT-5", 260}, {"Claude Sonnet 4.5", 190}}
	objUserAICredits = []objModelUse{{"GPT-5", 5200}, {"Claude Sonnet 4.5", 8100}, {"Gemini 2.5 Pro", 1900}}
)

func objRound(x float64, places int) float64 {
	p := math.Pow(10, float64(places))
	return math.Round(x*p) / p
}

// objSummaryItem is a SKU's month to date: quantities to 0.01 unit, amounts
// to 0.0001 USD, discount first from the included quota.
func objSummaryItem(s objSKU, f float64) githubapi.UsageSummaryItem {
	gross := objRound(s.monthQuantity*f, 2)
	if s.unit == "user-months" || s.unit == "committers" {
		gross = s.monthQuantity // licences are billed for the whole month
	}
	discount := math.Min(gross, s.included)
	net := objRound(gross-discount, 2)
	return githubapi.UsageSummaryItem{
		Product: s.product, SKU: s.sku, UnitType: s.unit, PricePerUnit: s.price,
		BillingAmounts: objAmounts(gross, discount, net, s.price),
	}
}

// objAmounts prices quantities to 0.0001 USD.
func objAmounts(gross, discount, net, price float64) githubapi.BillingAmounts {
	return githubapi.BillingAmounts{
		GrossQuantity: gross, GrossAmount: objRound(gross*price, 4),
		DiscountQuantity: discount, DiscountAmount: objRound(discount*price, 4),
		NetQuantity: net, NetAmount: objRound(net*price, 4),
	}
}

// objModelItems spreads an included pool over the models in proportion to
// their use.
func objModelItems(product, sku, unit string, price float64, uses []objModelUse, included, f float64) []githubapi.ModelUsageItem {
	total := 0.0
	for _, u := range uses {
		total += objRound(u.monthQuantity*f, 0)
	}
	covered := 1.0
	if total > included {
		covered = included / total
	}
	var out []githubapi.ModelUsageItem
	for _, u := range uses {
		gross := objRound(u.monthQuantity*f, 0)
		discount := objRound(gross*covered, 2)
		net := objRound(gross-discount, 2)
		out = append(out, githubapi.ModelUsageItem{
			UsageSummaryItem: githubapi.UsageSummaryItem{
				Product: product, SKU: sku, UnitType: unit, PricePerUnit: price,
				BillingAmounts: objAmounts(gross, discount, net, price),
			},
			Model: u.model,
		})
	}
	return out
}

// objModelTotal is a model report's sum as the one summary row of its SKU.
func objModelTotal(items []githubapi.ModelUsageItem) githubapi.UsageSummaryItem {
	var t githubapi.UsageSummaryItem
	for _, it := range items {
		t.Product, t.SKU, t.UnitType, t.PricePerUnit = it.Product, it.SKU, it.UnitType, it.PricePerUnit
		t.Add(it.BillingAmounts)
	}
	return t
}

// objReports builds one account's summary, premium-request and AI-credit
// reports from its SKUs and model use.
func objReports(period githubapi.SummaryTimePeriod, skus []objSKU, premium []objModelUse, premiumIncluded float64, ai []objModelUse, aiIncluded float64, aiProduct, aiSKU, aiUnit string, f float64) (*githubapi.UsageSummary, *githubapi.ModelUsageReport, *githubapi.ModelUsageReport) {
	premiumItems := objModelItems("copilot", "copilot_premium_request", "requests", 0.04, premium, premiumIncluded, f)
	aiItems := objModelItems(aiProduct, aiSKU, aiUnit, 0.01, ai, aiIncluded, f)
	summary := &githubapi.UsageSummary{TimePeriod: period}
	for _, s := range skus {
		summary.UsageItems = append(summary.UsageItems, objSummaryItem(s, f))
	}
	summary.UsageItems = append(summary.UsageItems, objModelTotal(premiumItems), objModelTotal(aiItems))
	return summary,
		&githubapi.ModelUsageReport{TimePeriod: period, UsageItems: premiumItems},
		&githubapi.ModelUsageReport{TimePeriod: period, UsageItems: aiItems}
}

// objSumSummary adds organizations' summary rows up per product, SKU and unit:
// the enterprise's usage is its organizations' usage.
func objSumSummary(period githubapi.SummaryTimePeriod, parts ...*githubapi.UsageSummary) *githubapi.UsageSummary {
	out := &githubapi.UsageSummary{TimePeriod: period}
	index := map[[3]string]int{}
	for _, p := range parts {
		for _, it := range p.UsageItems {
			k := [3]string{it.Product, it.SKU, it.UnitType}
			i, ok := index[k]
			if !ok {
				index[k] = len(out.UsageItems)
				out.UsageItems = append(out.UsageItems, it)
				continue
			}
			t := &out.UsageItems[i]
			t.GrossQuantity += it.GrossQuantity
			t.GrossAmount += it.GrossAmount
			t.DiscountQuantity += it.DiscountQuantity
			t.DiscountAmount += it.DiscountAmount
			t.NetQuantity += it.NetQuantity
			t.NetAmount += it.NetAmount
		}
	}
	for i := range out.UsageItems {
		objRoundSummary(&out.UsageItems[i])
	}
	return out
}

func objRoundSummary(t *githubapi.UsageSummaryItem) {
	t.GrossQuantity, t.DiscountQuantity, t.NetQuantity = objRound(t.GrossQuantity, 2), objRound(t.DiscountQuantity, 2), objRound(t.NetQuantity, 2)
	t.GrossAmount, t.DiscountAmount, t.NetAmount = objRound(t.GrossAmount, 4), objRound(t.DiscountAmount, 4), objRound(t.NetAmount, 4)
}

// objSumModels adds organizations' model rows up per product, SKU, model and
// unit.
func objSumModels(period githubapi.SummaryTimePeriod, parts ...*githubapi.ModelUsageReport) *githubapi.ModelUsageReport {
	out := &githubapi.ModelUsageReport{TimePeriod: period}
	index := map[[4]string]int{}
	for _, p := range parts {
		for _, it := range p.UsageItems {
			k := [4]string{it.Product, it.SKU, it.Model, it.UnitType}
			i, ok := index[k]
			if !ok {
				index[k] = len(out.UsageItems)
				out.UsageItems = append(out.UsageItems, it)
				continue
			}
			t := &out.UsageItems[i]
			t.GrossQuantity = objRound(t.GrossQuantity+it.GrossQuantity, 2)
			t.GrossAmount = objRound(t.GrossAmount+it.GrossAmount, 4)
			t.DiscountQuantity = objRound(t.DiscountQuantity+it.DiscountQuantity, 2)
			t.DiscountAmount = objRound(t.DiscountAmount+it.DiscountAmount, 4)
			t.NetQuantity = objRound(t.NetQuantity+it.NetQuantity, 2)
			t.NetAmount = objRound(t.NetAmount+it.NetAmount, 4)
		}
	}
	return out
}

// DemoBudgetAlertID is the demo budget that is 85% consumed whatever the day
// of the month, so a "budget at 80%" alert always has something to fire on.
// GitHub sends no consumed_amount for it (an enterprise budget): the
// exporter computes the 85% from the usage report, whose Actions rows the
// budget's amount is set from.
const DemoBudgetAlertID = "7c1e5a4e-85a0-4b8e-9d1f-acme00000001"

// DemoUserBudgetID is the demo's user budget, the one kind GitHub sends
// consumed_amount for.
const DemoUserBudgetID = "7c1e5a4e-85a0-4b8e-9d1f-acme00000014"

func objFloat(x float64) *float64 { return &x }

// objBudget is a budget as GitHub lists it. Only a user budget carries
// consumed_amount (share of its amount by the end of the month); GitHub's
// schema has it for no other scope, and share is then ignored.
func objBudget(id, scope, entity, budgetType string, skus []string, amount, share, f float64, prevent bool) githubapi.Budget {
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
	if share >= 0 && scope == "user" {
		b.ConsumedAmount = objFloat(objRound(amount*share*f, 2))
	}
	return b
}

// objNetOf sums the net amount of an account's usage rows of one product
// (as the exporter matches it: case and separators aside), every cost
// center included.
func objNetOf(u UsageData, product string) float64 {
	norm := func(s string) string {
		return strings.NewReplacer(" ", "", "_", "", "-", "").Replace(strings.ToLower(s))
	}
	total := 0.0
	for _, rows := range u.UsageItems {
		for _, it := range rows {
			if norm(it.Product) == norm(product) {
				total += it.NetAmount
			}
		}
	}
	return total
}

func objEnterpriseBudgets(now time.Time, f float64, usage UsageData) []githubapi.Budget {
	alert := objBudget(DemoBudgetAlertID, "enterprise", "", "ProductPricing", []string{"actions"}, 3000, 0, f, true)
	// 85% at any time of the month: the amount follows the month-to-date
	// Actions net amount the exporter will compute.
	if net := objNetOf(usage, "actions"); net > 0 {
		alert.Amount = math.Ceil(net/0.85*100) / 100
	}
	user := objBudget(DemoUserBudgetID, "user", "dev-07", "BundlePricing", []string{"ai_credits"}, 40, 0.45, f, true)
	out := []githubapi.Budget{
		alert,
		objBudget("7c1e5a4e-85a0-4b8e-9d1f-acme00000002", "enterprise", "", "ProductPricing", []string{"packages"}, 600, 0.55, f, false),
		objBudget("7c1e5a4e-85a0-4b8e-9d1f-acme00000003", "enterprise", "", "ProductPricing", []string{"copilot"}, 6000, 0.7, f, false),
		objBudget("7c1e5a4e-85a0-4b8e-9d1f-acme00000004", "enterprise", "", "SkuPricing", []string{"copilot_premium_request"}, 800, 0.25, f, true),
		objBudget("7c1e5a4e-85a0-4b8e-9d1f-acme00000005", "enterprise", "", "ProductPricing", []string{"ai_credits"}, 2500, 0.6, f, false),
		objBudget("7c1e5a4e-85a0-4b8e-9d1f-acme00000006", "cost_center", "Platform", "ProductPricing", []string{"actions"}, 1800, 0.62, f, false),
		objBudget("7c1e5a4e-85a0-4b8e-9d1f-acme00000007", "cost_center", "Data Science", "ProductPricing", []string{"actions", "packages"}, 1500, 0.48, f, true),
		objBudget("7c1e5a4e-85a0-4b8e-9d1f-acme00000008", "organization", DemoOrgWeb, "SkuPricing", []string{"actions_linux"}, 1200, 0.66, f, false),
		objBudget("7c1e5a4e-85a0-4b8e-9d1f-acme00000009", "organization", DemoOrgData, "ProductPricing", []string{"packages"}, 300, 0.4, f, false),
		objBudget("7c1e5a4e-85a0-4b8e-9d1f-acme00000010", "repository", DemoOrgWeb+"/storefront", "SkuPricing", []string{"actions_linux"}, 250, 0.5, f, true),
		objBudget("7c1e5a4e-85a0-4b8e-9d1f-acme00000011", "repository", DemoOrgData+"/etl-pipeline", "SkuPricing", []string{"actions_linux_4_core"}, 400, 0.58, f, false),
		objBudget("7c1e5a4e-85a0-4b8e-9d1f-acme00000012", "multi_user_customer", "", "BundlePricing", []string{"ai_credits"}, 50, 0.35, f, true),
		// Codespaces is not in use yet: GitHub sends no consumed_amount.
		objBudget("7c1e5a4e-85a0-4b8e-9d1f-acme00000013", "enterprise", "", "ProductPricing", []string{"codespaces"}, 200, -1, f, true),
		user,
	}
	// The Codespaces trial budget ends with the year (expires_at, which
	// GitHub's newer descriptions add).
	expires := time.Date(now.Year(), time.December, 31, 23, 59, 59, 0, time.UTC).Format(time.RFC3339)
	out[len(out)-2].ExpiresAt = &expires
	return out
}

func objOrgBudgets(orgIndex int, org string, f float64) []githubapi.Budget {
	id := func(n int) string { return fmt.Sprintf("3f9b2d7a-%04d-4c55-8e0b-%012d", orgIndex, n) }
	scale := float64(orgIndex) // the second organization spends more
	return []githubapi.Budget{
		objBudget(id(1), "organization", org, "ProductPricing", []string{"actions"}, 600*scale, 0.57, f, false),
		objBudget(id(2), "organization", org, "ProductPricing", []string{"ai_credits"}, 800*scale, 0.52-0.1*scale, f, false),
		objBudget(id(3), "repository", org+"/monorepo", "SkuPricing", []string{"actions_linux"}, 150*scale, 0.45, f, true),
	}
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
func addDemoObjects(d *Dataset, now time.Time) {
	now = now.UTC()
	f := MonthFraction(now)
	period := githubapi.SummaryTimePeriod{Year: now.Year(), Month: int(now.Month())}

	var summaries []*githubapi.UsageSummary
	var premiums, credits []*githubapi.ModelUsageReport
	for i, p := range objOrgProfiles {
		s, pr, ai := objReports(period, p.skus, p.premium, p.premiumIncluded, p.aiCredits, p.aiIncluded,
			"copilot", "copilot_ai_credit", "credits", f)
		o := d.Organizations[p.name].Platform
		o.UsageSummary, o.PremiumRequestUsage, o.AICreditUsage = s, pr, ai
		o.Budgets = objOrgBudgets(i+1, p.name, f)
		summaries, premiums, credits = append(summaries, s), append(premiums, pr), append(credits, ai)
	}
	e := d.Enterprises[DemoEnterprise].Platform
	e.UsageSummary = objSumSummary(period, summaries...)
	e.PremiumRequestUsage = objSumModels(period, premiums...)
	e.AICreditUsage = objSumModels(period, credits...)
	e.Budgets = objEnterpriseBudgets(now, f, e.UsageData)
	e.ReportExports = objReportExports(now)
	// The multi-user AI-credit budget: each of five users against 50 USD.
	e.BudgetUserStates = map[string][]githubapi.BudgetUserState{"7c1e5a4e-85a0-4b8e-9d1f-acme00000012": {
		{User: "dev-01", ConsumedAmount: objRound(31*f, 2), TargetAmount: 50},
		{User: "dev-02", ConsumedAmount: objRound(12.5*f, 2), TargetAmount: 50},
		{User: "dev-07", ConsumedAmount: objRound(44*f, 2), TargetAmount: 80, OverrideBudgetID: DemoUserBudgetID},
		{User: "dev-11", ConsumedAmount: 0, TargetAmount: 50},
		{User: "dev-64", ConsumedAmount: objRound(8.25*f, 2), TargetAmount: 50},
	}}
	// 108 Copilot users and ten more members hold enterprise licences.
	e.Licenses = &githubapi.ConsumedLicenses{TotalSeatsConsumed: 118, TotalSeatsPurchased: 125}

	u := d.Users[DemoUser].Platform
	// The user's AI-credit rows are labelled like GitHub's user example.
	u.UsageSummary, u.PremiumRequestUsage, u.AICreditUsage = objReports(period, objUserSKUs, objUserPremium, 300, objUserAICredits, 7000,
		"Copilot AI Credits", "AI Credit", "ai-credits", f)

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
	// dev-07 holds a seat from both organizations: the enterprise list has
	// 109 rows for 108 users.
	webSeats := objSeats(DemoOrgWeb, "", "business", 0, 64, nil, webActive, now)
	dataSeats := objSeats(DemoOrgData, "data-science", "business", 64, 44, []string{"dev-07"}, dataActive, now)
	d.Organizations[DemoOrgWeb].Platform.CopilotSeats = webSeats
	d.Organizations[DemoOrgData].Platform.CopilotSeats = dataSeats
	e.CopilotSeats = append(append([]githubapi.CopilotSeat{}, webSeats...), dataSeats...)
}
