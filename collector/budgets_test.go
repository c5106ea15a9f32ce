package collector

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/github-billing-exporter/github-billing-exporter/githubapi"
	"github.com/github-billing-exporter/github-billing-exporter/internal/fakegithub"
	"github.com/github-billing-exporter/github-billing-exporter/internal/fakegithub/fakegithubtest"
)

const (
	platformTestBudgetAmount   = "# HELP github_billing_budget_amount_usd Budget limit in US dollars (budget_amount) of a budget whose SKUs are billed in dollars.\n# TYPE github_billing_budget_amount_usd gauge\n"
	platformTestBudgetAlerting = "# HELP github_billing_budget_alerting_enabled 1 when GitHub alerts the budget's recipients at its thresholds (budget_alerting.will_alert), else 0.\n# TYPE github_billing_budget_alerting_enabled gauge\n"
	platformTestBudgetPrevent  = "# HELP github_billing_budget_prevent_further_usage 1 when usage stops once the budget is used up (prevent_further_usage), else 0.\n# TYPE github_billing_budget_prevent_further_usage gauge\n"
)

// The shared examples, served verbatim: no budget in them carries
// consumed_amount, so the budgets collector exports none.
func TestBudgetsCollectorOnTheExamples(t *testing.T) {
	srv := fakegithubtest.Start(t, nil)
	client := fakegithubtest.Client(t, srv, githubapi.Options{})
	for _, tc := range []struct {
		account githubapi.Account
		path    string
		file    string
	}{
		{githubapi.Account{Scope: githubapi.ScopeEnterprise, Name: "acme"}, "/enterprises/acme/settings/billing/budgets", "enterprise-budgets-list.json"},
		{githubapi.Account{Scope: githubapi.ScopeOrganization, Name: "acme-web"}, "/organizations/acme-web/settings/billing/budgets", "org-budgets-list.json"},
	} {
		t.Run(string(tc.account.Scope), func(t *testing.T) {
			srv.Override(tc.path, fakegithubtest.ServeFile(examplesDir+tc.file))
			got := update(t, budgetsCollector{}, client, tc.account)
			acct := `account="` + tc.account.Name + `",`
			scope := `,scope="` + string(tc.account.Scope) + `"`
			a := `{` + acct + `budget_entity="",budget_id="2066deda-923f-43f9-88d2-62395a28c0cdd",budget_scope="enterprise",budget_type="ProductPricing",product_sku="actions"` + scope + `}`
			b := `{` + acct + `budget_entity="",budget_id="6ba7b810-9dad-11d1-80b4-00c04fd430c8",budget_scope="cost_center",budget_type="ProductPricing",product_sku="packages"` + scope + `}`
			c := `{` + acct + `budget_entity="",budget_id="f47ac10b-58cc-4372-a567-0e02b2c3d479",budget_scope="organization",budget_type="SkuPricing",product_sku="actions_linux"` + scope + `}`
			want := platformTestBudgetAlerting +
				"github_billing_budget_alerting_enabled" + a + " 1\n" +
				"github_billing_budget_alerting_enabled" + b + " 0\n" +
				"github_billing_budget_alerting_enabled" + c + " 1\n" +
				platformTestBudgetAmount +
				"github_billing_budget_amount_usd" + a + " 1000\n" +
				"github_billing_budget_amount_usd" + b + " 250\n" +
				"github_billing_budget_amount_usd" + c + " 500\n" +
				platformTestBudgetPrevent +
				"github_billing_budget_prevent_further_usage" + a + " 1\n" +
				"github_billing_budget_prevent_further_usage" + b + " 1\n" +
				"github_billing_budget_prevent_further_usage" + c + " 0\n"
			expectExposition(t, got, want)
		})
	}
}

// The user-filter example, verbatim: its user budget comes without
// consumed_amount, and the effective budget (another id) lends it none.
func TestBudgetsCollectorOnTheUserFilterExample(t *testing.T) {
	srv := fakegithubtest.Start(t, nil)
	client := fakegithubtest.Client(t, srv, githubapi.Options{})
	srv.Override("/enterprises/acme/settings/billing/budgets", fakegithubtest.ServeFile(examplesDir+"enterprise-budgets-list.user-filter.json"))
	got := usageTestValues(t, budgetsCollector{}, client, githubapi.Account{Scope: githubapi.ScopeEnterprise, Name: "acme"})
	for k := range got {
		if strings.HasPrefix(k, "github_billing_budget_consumed_amount_usd") {
			t.Errorf("unexpected %s", k)
		}
	}
	if n := len(got); n != 6 {
		t.Errorf("%d series, want 6 (amount, alerting, prevent of two budgets): %v", n, got)
	}
}

func TestBudgetsCollectorReadsTwoPagesBothSKUFormsAndConsumedWhenSent(t *testing.T) {
	srv := fakegithubtest.Start(t, nil)
	client := fakegithubtest.Client(t, srv, githubapi.Options{})
	srv.Override("/enterprises/acme/settings/billing/budgets", func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Query().Get("page") {
		case "1":
			fmt.Fprint(w, `{"budgets": [{"id": "p1-01", "budget_type": "ProductPricing", "budget_scope": "enterprise",
				"budget_amount": 100, "prevent_further_usage": false, "budget_product_skus": ["actions"],
				"budget_alerting": {"will_alert": false, "alert_recipients": []}}], "has_next_page": true, "total_count": 3}`)
		case "2":
			fmt.Fprint(w, `{"budgets": [
				{"id": "p2-01", "budget_type": "BundlePricing", "budget_scope": "user", "budget_entity_name": "mona",
				 "budget_amount": 250, "consumed_amount": 212.5, "prevent_further_usage": true, "budget_product_sku": "ai_credits",
				 "budget_alerting": {"will_alert": true, "alert_recipients": ["mona"]}, "somethingNew": {"a": 1},
				 "expires_at": "2026-12-31T23:59:59Z"},
				{"id": "p2-02", "budget_type": "BundlePricing", "budget_scope": "user", "budget_entity_name": "lisa",
				 "budget_amount": 1500, "consumed_amount": 0, "prevent_further_usage": false, "budget_product_skus": ["ai_credits", "actions"],
				 "budget_alerting": {"will_alert": true, "alert_recipients": []}}
			], "has_next_page": false, "total_count": 3}`)
		default:
			fakegithub.WriteError(w, http.StatusBadRequest, "unexpected page")
		}
	})
	got := usageTestValues(t, budgetsCollector{}, client, githubapi.Account{Scope: githubapi.ScopeEnterprise, Name: "acme"})
	if n := srv.Requests("/enterprises/acme/settings/billing/budgets"); n != 2 {
		t.Errorf("%d requests, want 2", n)
	}
	l := func(id, scope, entity, kind, skus string) string {
		return fmt.Sprintf(`{budget_entity=%q,budget_id=%q,budget_scope=%q,budget_type=%q,product_sku=%q`, entity, id, scope, kind, skus)
	}
	ent := l("p1-01", "enterprise", "", "ProductPricing", "actions")
	mona := l("p2-01", "user", "mona", "BundlePricing", "ai_credits")
	lisa := l("p2-02", "user", "lisa", "BundlePricing", "ai_credits,actions")
	want := map[string]float64{
		"github_billing_budget_amount_usd" + ent + "}": 100, "github_billing_budget_amount_usd" + mona + "}": 250,
		"github_billing_budget_amount_usd" + lisa + "}": 1500,
		// GitHub's values for the two user budgets; 0 is a value.
		"github_billing_budget_consumed_amount_usd" + mona + `,source="github"}`: 212.5,
		"github_billing_budget_consumed_amount_usd" + lisa + `,source="github"}`: 0,
		"github_billing_budget_alerting_enabled" + ent + "}":                     0, "github_billing_budget_alerting_enabled" + mona + "}": 1,
		"github_billing_budget_alerting_enabled" + lisa + "}":      1,
		"github_billing_budget_prevent_further_usage" + ent + "}":  0,
		"github_billing_budget_prevent_further_usage" + mona + "}": 1,
		"github_billing_budget_prevent_further_usage" + lisa + "}": 0,
		// 2026-12-31T23:59:59Z, by hand: 1798761599.
		"github_billing_budget_expiry_timestamp_seconds" + mona + "}": 1798761599,
	}
	usageTestExpect(t, "budgets", got, want)
}

// A budget without a field GitHub's schema requires fails the collector for
// that account, with an error naming the field.
func TestBudgetsCollectorRefusesABudgetWithoutID(t *testing.T) {
	srv := fakegithubtest.Start(t, nil)
	client := fakegithubtest.Client(t, srv, githubapi.Options{})
	srv.Override("/organizations/acme-web/settings/billing/budgets", fakegithubtest.ServeString(`{"budgets": [
		{"budget_type": "ProductPricing", "budget_scope": "organization", "budget_amount": 100, "budget_product_sku": "actions",
		 "prevent_further_usage": false, "budget_alerting": {"will_alert": true, "alert_recipients": []}}
	], "has_next_page": false}`))
	metrics, err := budgetsCollector{}.Update(t.Context(), client, githubapi.Account{Scope: githubapi.ScopeOrganization, Name: "acme-web"})
	if err == nil || metrics != nil || !strings.Contains(err.Error(), `"budgets[0].id"`) {
		t.Errorf("got %d metrics, error %v; want an error naming budgets[0].id", len(metrics), err)
	}
}

// With --collector.budgets.user-states, each multi-user budget's user states
// (GitHub's example, verbatim) become a series per user; other budgets ask
// nothing more.
func TestBudgetsCollectorUserStatesOnTheExample(t *testing.T) {
	srv := fakegithubtest.Start(t, nil)
	client := fakegithubtest.Client(t, srv, githubapi.Options{})
	srv.Override("/enterprises/acme/settings/billing/budgets", fakegithubtest.ServeFile(examplesDir+"enterprise-budgets-list.user-filter.json"))
	var q fakegithubtest.Queries
	srv.Override("/enterprises/acme/settings/billing/budgets/2066deda-923f-43f9-88d2-62395a28c0cdd/user-states",
		q.Wrap(fakegithubtest.ServeFile(examplesDir+"enterprise-budget-user-states.json")))
	got := usageTestValues(t, budgetsCollector{userStates: true}, client, githubapi.Account{Scope: githubapi.ScopeEnterprise, Name: "acme"})
	l := `{budget_entity="",budget_id="2066deda-923f-43f9-88d2-62395a28c0cdd",budget_scope="multi_user_customer",budget_type="ProductPricing",product_sku="actions",user=`
	want := map[string]float64{
		"github_billing_budget_user_consumed_amount_usd" + l + `"octocat"}`:  50.5,
		"github_billing_budget_user_consumed_amount_usd" + l + `"monalisa"}`: 250,
		"github_billing_budget_user_target_amount_usd" + l + `"octocat"}`:    1000,
		"github_billing_budget_user_target_amount_usd" + l + `"monalisa"}`:   1000,
	}
	usageTestExpectSome(t, got, want)
	if qs := q.All(); len(qs) != 1 || qs[0].Get("per_page") != "100" {
		t.Errorf("user-states queries %v, want one page of 100", qs)
	}
	if n := srv.TotalRequests(); n != 2 {
		t.Errorf("%d requests, want 2 (the list, one budget's user states)", n)
	}
}

// exampleEdited is a GitHub example body with edit applied to its decoded
// JSON, re-encoded: the tests change GitHub's own bodies in one place only.
func exampleEdited(t *testing.T, file string, edit func(body map[string]any)) string {
	t.Helper()
	raw, err := os.ReadFile(examplesDir + file)
	if err != nil {
		t.Fatal(err)
	}
	var body map[string]any
	if err := json.Unmarshal(raw, &body); err != nil {
		t.Fatal(err)
	}
	edit(body)
	out, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

// A user-states entry requires only consumed_amount and target_amount:
// GitHub sends user only while it still has the user record. GitHub's
// example with user removed from its first entry (octocat's) still gives
// the budget's user states: monalisa's under her login, the nameless
// entry's under user="" (no user label), so that the user series of the
// budget still add up to everything GitHub listed.
func TestBudgetsCollectorUserStatesEntryWithoutUser(t *testing.T) {
	srv := fakegithubtest.Start(t, nil)
	client := fakegithubtest.Client(t, srv, githubapi.Options{})
	srv.Override("/enterprises/acme/settings/billing/budgets", fakegithubtest.ServeFile(examplesDir+"enterprise-budgets-list.user-filter.json"))
	srv.Override("/enterprises/acme/settings/billing/budgets/2066deda-923f-43f9-88d2-62395a28c0cdd/user-states",
		fakegithubtest.ServeString(exampleEdited(t, "enterprise-budget-user-states.json", func(body map[string]any) {
			delete(body["user_states"].([]any)[0].(map[string]any), "user")
		})))
	got := usageTestValues(t, budgetsCollector{userStates: true}, client, githubapi.Account{Scope: githubapi.ScopeEnterprise, Name: "acme"})
	l := `{budget_entity="",budget_id="2066deda-923f-43f9-88d2-62395a28c0cdd",budget_scope="multi_user_customer",budget_type="ProductPricing",product_sku="actions",user=`
	want := map[string]float64{
		// octocat's entry without its login: 50.5 of 1000.
		"github_billing_budget_user_consumed_amount_usd" + l + `""}`:         50.5,
		"github_billing_budget_user_target_amount_usd" + l + `""}`:           1000,
		"github_billing_budget_user_consumed_amount_usd" + l + `"monalisa"}`: 250,
		"github_billing_budget_user_target_amount_usd" + l + `"monalisa"}`:   1000,
	}
	usageTestExpectSome(t, got, want)
	for k := range got {
		if strings.Contains(k, "octocat") {
			t.Errorf("unexpected %s: the entry names no user", k)
		}
	}
}

// GitHub's enterprise list example with two budgets' SKUs changed: the
// SkuPricing budget (f47ac10b…) on the licence SKU copilot_for_business,
// the cost-center budget (6ba7b810…) on the product copilot, whose unit is
// ambiguous (seat licences and metered AI credits). The licence budget's
// 500 is a number of licences: budget_amount_licenses, no
// budget_amount_usd, and a consumed_amount added to it gives no dollar
// consumption. The copilot budget has no amount series at all. Both keep
// their unit-free series (alerting, prevent).
func TestBudgetsCollectorLicenceAndAmbiguousUnits(t *testing.T) {
	srv := fakegithubtest.Start(t, nil)
	client := fakegithubtest.Client(t, srv, githubapi.Options{})
	srv.Override("/enterprises/acme/settings/billing/budgets", fakegithubtest.ServeString(exampleEdited(t, "enterprise-budgets-list.json", func(body map[string]any) {
		budgets := body["budgets"].([]any)
		budgets[1].(map[string]any)["budget_product_skus"] = []any{"copilot_for_business"}
		budgets[2].(map[string]any)["budget_product_skus"] = []any{"copilot"}
		// A consumed_amount of a licence budget counts licences, not
		// dollars: no budget_consumed_amount_usd for it.
		budgets[1].(map[string]any)["consumed_amount"] = 12
	})))
	got := usageTestValues(t, budgetsCollector{}, client, githubapi.Account{Scope: githubapi.ScopeEnterprise, Name: "acme"})
	dollars := `{budget_entity="",budget_id="2066deda-923f-43f9-88d2-62395a28c0cdd",budget_scope="enterprise",budget_type="ProductPricing",product_sku="actions"}`
	licences := `{budget_entity="",budget_id="f47ac10b-58cc-4372-a567-0e02b2c3d479",budget_scope="organization",budget_type="SkuPricing",product_sku="copilot_for_business"}`
	ambiguous := `{budget_entity="",budget_id="6ba7b810-9dad-11d1-80b4-00c04fd430c8",budget_scope="cost_center",budget_type="ProductPricing",product_sku="copilot"}`
	want := map[string]float64{
		"github_billing_budget_amount_usd" + dollars:              1000,
		"github_billing_budget_amount_licenses" + licences:        500,
		"github_billing_budget_alerting_enabled" + dollars:        1,
		"github_billing_budget_alerting_enabled" + licences:       1,
		"github_billing_budget_alerting_enabled" + ambiguous:      0,
		"github_billing_budget_prevent_further_usage" + dollars:   1,
		"github_billing_budget_prevent_further_usage" + licences:  0,
		"github_billing_budget_prevent_further_usage" + ambiguous: 1,
	}
	usageTestExpect(t, "budgets", got, want)
}

// The unit of a budget follows from its SKUs alone (API.md §15.3).
func TestBudgetUnitOf(t *testing.T) {
	for _, c := range []struct {
		kind string
		skus []string
		want budgetUnit
	}{
		{"ProductPricing", []string{"actions"}, unitUSD},
		{"SkuPricing", []string{"actions_linux", "packages_storage"}, unitUSD},
		{"BundlePricing", []string{"ai_credits"}, unitUSD},
		{"SkuPricing", []string{"copilot_ai_credits"}, unitUSD},
		{"SkuPricing", []string{"spark_ai_credits"}, unitUSD},
		{"ProductPricing", []string{"sandbox"}, unitUSD},
		{"SkuPricing", []string{"sandbox_linux", "sandbox_memory", "sandbox_snapshot"}, unitUSD},
		{"SkuPricing", []string{"premium_requests"}, unitUSD},
		{"ProductPricing", nil, unitUSD},
		{"SkuPricing", []string{"ghec_licenses"}, unitLicenses},
		{"SkuPricing", []string{"GHAS_Code_Security_Licenses", "ghas_secret_protection_licenses"}, unitLicenses},
		{"SkuPricing", []string{"copilot_enterprise", "copilot_for_business", "copilot_standalone"}, unitLicenses},
		{"ProductPricing", []string{"ghec"}, unitLicenses},
		{"ProductPricing", []string{"ghas"}, unitLicenses},
		{"ProductPricing", []string{"copilot"}, unitUnknown},
		{"ProductPricing", []string{"actions", "copilot"}, unitUnknown},
		{"SkuPricing", []string{"ghas_licenses", "actions_linux"}, unitUnknown},
	} {
		b := githubapi.Budget{Type: c.kind, ProductSKUs: c.skus}
		if got := budgetUnitOf(b); got != c.want {
			t.Errorf("%s %v: %s, want %s", c.kind, c.skus, got, c.want)
		}
	}
}

// Entries without a user are summed under user="": GitHub's example with
// user removed from both entries is one series of 50.5 + 250 = 300.5
// consumed of 1000 + 1000 = 2000.
func TestBudgetsCollectorUserStatesWithoutUsersAreSummed(t *testing.T) {
	srv := fakegithubtest.Start(t, nil)
	client := fakegithubtest.Client(t, srv, githubapi.Options{})
	srv.Override("/enterprises/acme/settings/billing/budgets", fakegithubtest.ServeFile(examplesDir+"enterprise-budgets-list.user-filter.json"))
	srv.Override("/enterprises/acme/settings/billing/budgets/2066deda-923f-43f9-88d2-62395a28c0cdd/user-states",
		fakegithubtest.ServeString(exampleEdited(t, "enterprise-budget-user-states.json", func(body map[string]any) {
			for _, s := range body["user_states"].([]any) {
				delete(s.(map[string]any), "user")
			}
		})))
	got := usageTestValues(t, budgetsCollector{userStates: true}, client, githubapi.Account{Scope: githubapi.ScopeEnterprise, Name: "acme"})
	l := `{budget_entity="",budget_id="2066deda-923f-43f9-88d2-62395a28c0cdd",budget_scope="multi_user_customer",budget_type="ProductPricing",product_sku="actions",user=""}`
	n := 0
	for k := range got {
		if strings.HasPrefix(k, "github_billing_budget_user_") {
			n++
		}
	}
	if got["github_billing_budget_user_consumed_amount_usd"+l] != 300.5 || got["github_billing_budget_user_target_amount_usd"+l] != 2000 || n != 2 {
		t.Errorf("user series %v, want consumed 300.5 and target 2000 under user=\"\" only", got)
	}
}

// multi_user_cost_center budgets (a per-user budget for every user of one
// cost center) are taken like multi_user_customer ones: an amount, no
// consumption (usage rows name no user), and with user states on, their
// user states. GitHub's list example with its multi-user budget's scope
// changed to multi_user_cost_center and an entity added; the user states
// are GitHub's example. Whether GitHub answers user states for such a
// budget is not stated: a 404 leaves the budget's other series and the
// rest of the account intact.
func TestBudgetsCollectorMultiUserCostCenter(t *testing.T) {
	srv := fakegithubtest.Start(t, nil)
	client := fakegithubtest.Client(t, srv, githubapi.Options{})
	srv.Override("/enterprises/acme/settings/billing/budgets", fakegithubtest.ServeString(exampleEdited(t, "enterprise-budgets-list.user-filter.json", func(body map[string]any) {
		b := body["budgets"].([]any)[0].(map[string]any)
		b["budget_scope"] = "multi_user_cost_center"
		b["budget_entity_name"] = "Platform"
	})))
	statesPath := "/enterprises/acme/settings/billing/budgets/2066deda-923f-43f9-88d2-62395a28c0cdd/user-states"
	srv.Override(statesPath, fakegithubtest.ServeFile(examplesDir+"enterprise-budget-user-states.json"))
	acct := githubapi.Account{Scope: githubapi.ScopeEnterprise, Name: "acme"}
	l := `{budget_entity="Platform",budget_id="2066deda-923f-43f9-88d2-62395a28c0cdd",budget_scope="multi_user_cost_center",budget_type="ProductPricing",product_sku="actions"`
	got := usageTestValues(t, budgetsCollector{userStates: true}, client, acct)
	want := map[string]float64{
		"github_billing_budget_amount_usd" + l + "}":                               1000,
		"github_billing_budget_user_consumed_amount_usd" + l + `,user="octocat"}`:  50.5,
		"github_billing_budget_user_consumed_amount_usd" + l + `,user="monalisa"}`: 250,
		"github_billing_budget_user_target_amount_usd" + l + `,user="octocat"}`:    1000,
		"github_billing_budget_user_target_amount_usd" + l + `,user="monalisa"}`:   1000,
	}
	usageTestExpectSome(t, got, want)
	for k := range got {
		if strings.HasPrefix(k, "github_billing_budget_consumed_amount_usd") {
			t.Errorf("unexpected %s: usage rows name no user", k)
		}
	}

	srv.Override(statesPath, func(w http.ResponseWriter, r *http.Request) {
		fakegithub.WriteError(w, http.StatusNotFound, "Not Found")
	})
	got = usageTestValues(t, budgetsCollector{userStates: true}, client, acct)
	if v, ok := got["github_billing_budget_amount_usd"+l+"}"]; !ok || v != 1000 {
		t.Errorf("after a 404 for its user states: amount %v (present %v), want 1000", v, ok)
	}
	for k := range got {
		if strings.HasPrefix(k, "github_billing_budget_user_") {
			t.Errorf("after a 404: unexpected %s", k)
		}
	}
}

// A 404 for the user states of a multi_user_customer budget, which GitHub
// documents, still fails the account's budgets: that is not the
// undocumented case.
func TestBudgetsCollectorUserStates404OfACustomerBudgetFails(t *testing.T) {
	srv := fakegithubtest.Start(t, nil)
	client := fakegithubtest.Client(t, srv, githubapi.Options{})
	srv.Override("/enterprises/acme/settings/billing/budgets", fakegithubtest.ServeFile(examplesDir+"enterprise-budgets-list.user-filter.json"))
	srv.Override("/enterprises/acme/settings/billing/budgets/2066deda-923f-43f9-88d2-62395a28c0cdd/user-states",
		func(w http.ResponseWriter, r *http.Request) {
			fakegithub.WriteError(w, http.StatusNotFound, "Not Found")
		})
	metrics, err := budgetsCollector{userStates: true}.Update(t.Context(), client, githubapi.Account{Scope: githubapi.ScopeEnterprise, Name: "acme"})
	if err == nil || metrics != nil || !errors.Is(err, githubapi.ErrNotFound) {
		t.Errorf("got %d metrics, error %v; want ErrNotFound", len(metrics), err)
	}
}
