package collector

import (
	"testing"

	"github.com/github-billing-exporter/github-billing-exporter/githubapi"
)

// Shapes the declarations are checked on, the numbers chosen so that every
// page count rounds up.
var (
	// declEnterprise: 2 active cost centers and a deleted one, 14 budgets
	// (one page), two multi-user budgets of 250 and 30 users, 230 GHAS
	// repositories, 115 seat rows of 104 holders.
	declEnterprise = Shape{Scope: githubapi.ScopeEnterprise, CostCenters: 3, Budgets: 14, MultiUserBudgetUsers: []int{250, 30},
		Repositories: 230, SeatRows: 115, SeatHolders: 104}
	declOrganization = Shape{Scope: githubapi.ScopeOrganization, Budgets: 3, Repositories: 40, SeatRows: 64, SeatHolders: 64}
	declUser         = Shape{Scope: githubapi.ScopeUser}
	// declEmpty is an enterprise with nothing: every list is still asked
	// once, and its one page says that it is empty.
	declEmpty = Shape{Scope: githubapi.ScopeEnterprise}
)

func withOptions(s Shape, o Options) Shape { s.Options = o; return s }

// Each collector's requests a round, worked out by hand from the shapes
// above. The engine tests and the simulated-hour tests compare the
// declarations with what the fake GitHub counts, and the requests
// tables of docs/collectors.md and docs/api-budget.md are rendered from
// them.
func TestRequestDeclarations(t *testing.T) {
	consumption := Options{BudgetConsumption: true}
	userStates := Options{BudgetUserStates: true}
	byPlan := Options{CopilotByPlan: true}
	for _, c := range []struct {
		collector string
		shape     Shape
		want      int
	}{
		{"actions", declEnterprise, 1},
		{"actions", declUser, 1},
		{"packages", declOrganization, 1},
		{"shared_storage", declUser, 1},
		// ⌈230 ÷ 100⌉ = 3 pages; 40 repositories: 1; none: 1.
		{"advanced_security", declEnterprise, 3},
		{"advanced_security", declOrganization, 1},
		{"advanced_security", declEmpty, 1},
		{"advanced_security", declUser, 0},
		// The cost-center list, 3 cost centers + none, and the summary
		// for the reconciliation: 1 + 4 + 1.
		{"usage", declEnterprise, 6},
		{"usage", declEmpty, 3},
		{"usage", declOrganization, 1},
		{"usage", declUser, 1},
		// Budget consumption reads the budget list (one page) too; a user
		// has none.
		{"usage", withOptions(declEnterprise, consumption), 7},
		{"usage", withOptions(declOrganization, consumption), 2},
		{"usage", withOptions(declUser, consumption), 1},
		{"usage_summary", declEnterprise, 1},
		{"premium_requests", declOrganization, 1},
		{"ai_credits", declUser, 1},
		// ⌈115 ÷ 100⌉ = 2 seat pages + 104 holders + 6 unfiltered + the
		// cost-center list + 3 cost centers + none = 117.
		{AICreditsByUser, declEnterprise, 117},
		// 1 seat page + 64 holders + 6 unfiltered.
		{AICreditsByUser, declOrganization, 71},
		// 1 empty seat page + 6 unfiltered + the list + none.
		{AICreditsByUser, declEmpty, 9},
		{AICreditsByUser, declUser, 0},
		{"cost_centers", declEnterprise, 1},
		{"cost_centers", declOrganization, 0},
		{"budgets", declEnterprise, 1},
		{"budgets", declOrganization, 1},
		// 1 page of budgets + ⌈250 ÷ 100⌉ + ⌈30 ÷ 100⌉ = 1 + 3 + 1.
		{"budgets", withOptions(declEnterprise, userStates), 5},
		{"budgets", withOptions(declOrganization, userStates), 1},
		{"usage_reports", declEnterprise, 1},
		{"usage_reports", declOrganization, 0},
		{"copilot", declEnterprise, 1},
		{"copilot", declOrganization, 1},
		// ⌈115 ÷ 100⌉ seat pages instead of the seat total.
		{"copilot", withOptions(declEnterprise, byPlan), 2},
		{"copilot", withOptions(declOrganization, byPlan), 1},
		{"licenses", declEnterprise, 1},
		// The list, a new export, one poll, the cost-center list and
		// 3 cost centers + none of /usage: 2 + 1 + 1 + 4.
		{UsageDetail, declEnterprise, 8},
		{UsageDetail, declOrganization, 0},
		{"licenses", declUser, 0},
		// The users links of the last four complete days and of the three
		// before while they have no data, the user-teams links of the
		// four: 7 + 4, whatever the account's size (the files behind the
		// links are on GitHub's file host, outside the API's limit).
		{CopilotMetrics, declEnterprise, 11},
		{CopilotMetrics, declOrganization, 11},
		{CopilotMetrics, declUser, 0},
		// ⌈115 ÷ 100⌉ = 2 seat pages + the month's AI credits.
		{AICreditPool, declEnterprise, 3},
		// 1 empty seat page + the AI credits.
		{AICreditPool, declEmpty, 2},
		// The organization's Copilot details + the AI credits.
		{AICreditPool, declOrganization, 2},
		{AICreditPool, declUser, 0},
	} {
		f, ok := Lookup(c.collector)
		if !ok {
			t.Fatalf("no collector %s", c.collector)
		}
		if got := Total(f.Calls(c.shape)); got != c.want {
			t.Errorf("%s, %s %+v: %d requests a round, want %d", c.collector, c.shape.Scope, c.shape.Options, got, c.want)
		}
	}
}

func TestCallPath(t *testing.T) {
	ent := githubapi.Account{Scope: githubapi.ScopeEnterprise, Name: "acme"}
	org := githubapi.Account{Scope: githubapi.ScopeOrganization, Name: "web"}
	user := githubapi.Account{Scope: githubapi.ScopeUser, Name: "octocat"}
	usage := Call{Endpoint: "/settings/billing/usage", Platform: true}
	ghas := Call{Endpoint: "/settings/billing/advanced-security"}
	for _, c := range []struct{ got, want string }{
		{usage.Path(ent), "/enterprises/acme/settings/billing/usage"},
		{usage.Path(org), "/organizations/web/settings/billing/usage"},
		{usage.Path(user), "/users/octocat/settings/billing/usage"},
		{ghas.Path(ent), "/enterprises/acme/settings/billing/advanced-security"},
		{ghas.Path(org), "/orgs/web/settings/billing/advanced-security"},
	} {
		if c.got != c.want {
			t.Errorf("path %s, want %s", c.got, c.want)
		}
	}
}

// Every collector declares its requests, each with an endpoint and a
// formula for the docs.
func TestEveryCollectorDeclaresItsRequests(t *testing.T) {
	all := withOptions(declEnterprise, Options{BudgetConsumption: true, BudgetUserStates: true, CopilotByPlan: true})
	for _, f := range Collectors() {
		if f.Requests == nil {
			t.Errorf("%s declares no requests", f.Name)
			continue
		}
		for _, scope := range f.Scopes {
			s := all
			s.Scope = scope
			for _, c := range f.Calls(s) {
				if c.Endpoint == "" || c.Endpoint[0] != '/' || c.Formula == "" {
					t.Errorf("%s, %s: call %+v lacks an endpoint or a formula", f.Name, scope, c)
				}
			}
		}
	}
}

// The per-user view's budget check counts 2,000 seat holders as 20 seat
// pages + 2,000 + 6 unfiltered answers; an enterprise's cost-center
// requests are not counted.
func TestAICreditsByUserBudgetCheckCost(t *testing.T) {
	view, _ := Lookup(AICreditsByUser)
	if view.BudgetCheck == nil {
		t.Fatal("the per-user view declares no budget check")
	}
	got := view.BudgetCheck.Cost(Shape{Scope: githubapi.ScopeEnterprise, SeatRows: 2000, SeatHolders: 2000})
	if got.Requests != 2026 {
		t.Errorf("%d requests a round, want 2026", got.Requests)
	}
	if want := "2000 seats ÷ 100 = 20 pages + 2000 seat holders + 6 unfiltered"; got.Arithmetic != want {
		t.Errorf("arithmetic %q, want %q", got.Arithmetic, want)
	}
}
