package collector

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/github-billing-exporter/github-billing-exporter/githubapi"
	"github.com/github-billing-exporter/github-billing-exporter/githubapi/githubtest"
)

const (
	platformTestBudgetAmount   = "# HELP github_billing_budget_amount_usd Budget limit in US dollars (budget_amount).\n# TYPE github_billing_budget_amount_usd gauge\n"
	platformTestBudgetConsumed = "# HELP github_billing_budget_consumed_amount_usd Amount consumed against the budget in US dollars (consumed_amount); only when GitHub sends it.\n# TYPE github_billing_budget_consumed_amount_usd gauge\n"
	platformTestBudgetPrevent  = "# HELP github_billing_budget_prevent_further_usage 1 when usage stops once the budget is used up (prevent_further_usage), else 0.\n# TYPE github_billing_budget_prevent_further_usage gauge\n"
)

func TestBudgetsCollectorOnTheExamples(t *testing.T) {
	srv := githubtest.Start(t, nil)
	client := srv.Client(t, githubapi.Options{})
	for _, tc := range []struct {
		account githubapi.Account
		path    string
		file    string
	}{
		{githubapi.Account{Scope: githubapi.ScopeEnterprise, Name: "acme"}, "/enterprises/acme/settings/billing/budgets", "enterprise-budgets-list.json"},
		{githubapi.Account{Scope: githubapi.ScopeOrganization, Name: "acme-web"}, "/organizations/acme-web/settings/billing/budgets", "org-budgets-list.json"},
	} {
		t.Run(string(tc.account.Scope), func(t *testing.T) {
			srv.Override(tc.path, githubtest.ServeFile(examplesDir+tc.file))
			got := update(t, budgetsCollector{}, client, tc.account)
			acct := `account="` + tc.account.Name + `",`
			scope := `,scope="` + string(tc.account.Scope) + `"`
			a := `{` + acct + `budget_entity="",budget_id="2066deda-923f-43f9-88d2-62395a28c0cdd",budget_scope="enterprise",budget_type="ProductPricing",product_sku="actions"` + scope + `}`
			b := `{` + acct + `budget_entity="",budget_id="6ba7b810-9dad-11d1-80b4-00c04fd430c8",budget_scope="cost_center",budget_type="ProductPricing",product_sku="packages"` + scope + `}`
			c := `{` + acct + `budget_entity="",budget_id="f47ac10b-58cc-4372-a567-0e02b2c3d479",budget_scope="organization",budget_type="SkuPricing",product_sku="actions_linux"` + scope + `}`
			// The examples send no consumed_amount: that family is absent.
			want := platformTestBudgetAmount +
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

func TestBudgetsCollectorReadsTwoPagesBothSKUFormsAndConsumedWhenSent(t *testing.T) {
	srv := githubtest.Start(t, nil)
	client := srv.Client(t, githubapi.Options{})
	srv.Override("/enterprises/acme/settings/billing/budgets", func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Query().Get("page") {
		case "1":
			var items []string
			for i := 1; i <= 10; i++ {
				items = append(items, fmt.Sprintf(`{"id": "p1-%02d", "budget_type": "ProductPricing", "budget_scope": "enterprise",
					"budget_amount": %d, "prevent_further_usage": false, "budget_product_skus": ["actions"]}`, i, i*100))
			}
			fmt.Fprintf(w, `{"budgets": [%s], "has_next_page": true, "total_count": 12}`, strings.Join(items, ","))
		case "2":
			fmt.Fprint(w, `{"budgets": [
				{"id": "p2-01", "budget_type": "SkuPricing", "budget_scope": "repository", "budget_entity_name": "acme-web/storefront",
				 "budget_amount": 250, "consumed_amount": 212.5, "prevent_further_usage": true, "budget_product_sku": "actions_linux",
				 "budget_alerting": {"will_alert": true, "alert_recipients": ["mona"]}, "somethingNew": {"a": 1}},
				{"id": "p2-02", "budget_type": "BundlePricing", "budget_scope": "cost_center", "budget_entity_name": "Data Science",
				 "budget_amount": 1500, "consumed_amount": 0, "prevent_further_usage": false, "budget_product_skus": ["actions", "packages"]}
			], "has_next_page": false, "total_count": 12}`)
		default:
			githubtest.WriteError(w, http.StatusBadRequest, "unexpected page")
		}
	})
	got := update(t, budgetsCollector{}, client, githubapi.Account{Scope: githubapi.ScopeEnterprise, Name: "acme"})
	if n := srv.Requests("/enterprises/acme/settings/billing/budgets"); n != 2 {
		t.Errorf("%d requests, want 2", n)
	}

	var want strings.Builder
	page1 := func(i int) string {
		return fmt.Sprintf(`{account="acme",budget_entity="",budget_id="p1-%02d",budget_scope="enterprise",budget_type="ProductPricing",product_sku="actions",scope="enterprise"}`, i)
	}
	repo := `{account="acme",budget_entity="acme-web/storefront",budget_id="p2-01",budget_scope="repository",budget_type="SkuPricing",product_sku="actions_linux",scope="enterprise"}`
	cc := `{account="acme",budget_entity="Data Science",budget_id="p2-02",budget_scope="cost_center",budget_type="BundlePricing",product_sku="actions,packages",scope="enterprise"}`
	want.WriteString(platformTestBudgetAmount)
	for i := 1; i <= 10; i++ {
		fmt.Fprintf(&want, "github_billing_budget_amount_usd%s %d\n", page1(i), i*100)
	}
	want.WriteString("github_billing_budget_amount_usd" + repo + " 250\n")
	want.WriteString("github_billing_budget_amount_usd" + cc + " 1500\n")
	// Only the two budgets GitHub sent consumed_amount for; 0 is a value.
	want.WriteString(platformTestBudgetConsumed)
	want.WriteString("github_billing_budget_consumed_amount_usd" + repo + " 212.5\n")
	want.WriteString("github_billing_budget_consumed_amount_usd" + cc + " 0\n")
	want.WriteString(platformTestBudgetPrevent)
	for i := 1; i <= 10; i++ {
		fmt.Fprintf(&want, "github_billing_budget_prevent_further_usage%s 0\n", page1(i))
	}
	want.WriteString("github_billing_budget_prevent_further_usage" + repo + " 1\n")
	want.WriteString("github_billing_budget_prevent_further_usage" + cc + " 0\n")
	expectExposition(t, got, want.String())
}

func TestBudgetsCollectorSumsBudgetsWithoutID(t *testing.T) {
	srv := githubtest.Start(t, nil)
	client := srv.Client(t, githubapi.Options{})
	srv.Override("/organizations/acme-web/settings/billing/budgets", githubtest.ServeString(`{"budgets": [
		{"budget_type": "ProductPricing", "budget_scope": "organization", "budget_amount": 100, "consumed_amount": 10, "budget_product_sku": "actions"},
		{"budget_type": "ProductPricing", "budget_scope": "organization", "budget_amount": 50, "prevent_further_usage": true, "budget_product_skus": ["actions"]}
	], "has_next_page": false}`))
	got := update(t, budgetsCollector{}, client, githubapi.Account{Scope: githubapi.ScopeOrganization, Name: "acme-web"})
	l := `{account="acme-web",budget_entity="",budget_id="",budget_scope="organization",budget_type="ProductPricing",product_sku="actions",scope="organization"}`
	want := platformTestBudgetAmount + "github_billing_budget_amount_usd" + l + " 150\n" +
		platformTestBudgetConsumed + "github_billing_budget_consumed_amount_usd" + l + " 10\n" +
		platformTestBudgetPrevent + "github_billing_budget_prevent_further_usage" + l + " 1\n"
	expectExposition(t, got, want)
}
