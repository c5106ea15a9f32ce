package collector

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/github-billing-exporter/github-billing-exporter/githubapi"
	"github.com/github-billing-exporter/github-billing-exporter/internal/benchdata"
	"github.com/github-billing-exporter/github-billing-exporter/internal/demo"
	"github.com/github-billing-exporter/github-billing-exporter/internal/fakegithub/fakegithubtest"
)

// consumptionTestBudget is a budget as GitHub lists it for an enterprise or
// organization: no consumed_amount.
func consumptionTestBudget(id, scope, entity, kind string, skus ...string) githubapi.Budget {
	return githubapi.Budget{ID: id, Type: kind, Scope: scope, EntityName: entity, Amount: 100,
		ProductSKUs: githubapi.StringOrList(skus), Alerting: githubapi.BudgetAlerting{WillAlert: true}}
}

// consumptionTestKey is usageTestValues' key of a consumed series.
func consumptionTestKey(b githubapi.Budget, source string) string {
	return fmt.Sprintf(`github_billing_budget_consumed_amount_usd{budget_entity=%q,budget_id=%q,budget_scope=%q,budget_type=%q,product_sku=%q,source=%q}`,
		b.EntityName, b.ID, b.Scope, b.Type, strings.Join(b.SKUs(), ","), source)
}

func consumptionTestRow(product, sku, unit, org, repo string, gross, net float64) githubapi.UsageItem {
	return githubapi.UsageItem{Date: "2026-11-14T00:00:00Z", Product: product, SKU: sku, UnitType: unit, Quantity: 1,
		PricePerUnit: 1, GrossAmount: gross, DiscountAmount: gross - net, NetAmount: net, OrganizationName: org, RepositoryName: repo}
}

// Every scope (enterprise, organization, repository as owner/repo and as a
// bare name, cost center) and every pricing type (product, SKU, bundle,
// several SKUs) gets the net amount of the rows it covers, summed in the
// usage collector's pass; multi-user and user budgets without
// consumed_amount, and budgets not in dollars, get no series; a user
// budget keeps GitHub's value.
func TestUsageCollectorComputesBudgetConsumption(t *testing.T) {
	d := usageTestDataset()
	ent := d.Enterprises["acme-corp"].Platform
	ent.CostCenters = []githubapi.CostCenter{
		{ID: "cc-platform", Name: "Platform", State: "active", Resources: []githubapi.CostCenterResource{}},
		{ID: "cc-data", Name: "Data Science", State: "active", Resources: []githubapi.CostCenterResource{}},
	}
	// Rows in GitHub's spellings: "Actions" / "Actions Linux" against
	// budgets' actions / actions_linux. Gross differs from net everywhere,
	// so a gross sum would show.
	usageTestSet(d, usageTestEnterprise, "",
		consumptionTestRow("Actions", "Actions Linux", "minutes", "acme-labs", "acme-labs/tools", 10, 4),
		consumptionTestRow("Packages", "Packages Storage", "gigabyte-hours", "acme-labs", "acme-labs/tools", 3, 1.5),
		consumptionTestRow("Copilot", "Copilot AI Credits", "credits", "acme-labs", "", 9, 2.25))
	usageTestSet(d, usageTestEnterprise, "cc-platform",
		consumptionTestRow("Actions", "Actions Linux", "minutes", "acme-web", "acme-web/storefront", 20, 8),
		consumptionTestRow("actions", "actions_linux", "minutes", "acme-web", "acme-web/storefront", 5, 0.5),
		consumptionTestRow("Actions", "Actions Windows", "minutes", "acme-web", "acme-web/api", 16, 16),
		consumptionTestRow("Copilot", "Copilot AI Credits", "credits", "acme-web", "", 40, 30))
	usageTestSet(d, usageTestEnterprise, "cc-data",
		consumptionTestRow("Actions", "Actions Linux", "minutes", "acme-data", "acme-data/etl", 64, 32),
		consumptionTestRow("Packages", "Packages Storage", "gigabyte-hours", "acme-data", "acme-data/etl", 12, 6))

	ghValue := 42.5
	user := consumptionTestBudget("u-1", "user", "mona", "BundlePricing", "ai_credits")
	user.ConsumedAmount = &ghValue
	budgets := map[string]githubapi.Budget{
		"ent-product":   consumptionTestBudget("e-1", "enterprise", "", "ProductPricing", "actions"),
		"ent-sku":       consumptionTestBudget("e-2", "enterprise", "", "SkuPricing", "actions_linux"),
		"ent-bundle":    consumptionTestBudget("e-3", "enterprise", "", "BundlePricing", "ai_credits"),
		"ent-two":       consumptionTestBudget("e-4", "enterprise", "", "ProductPricing", "Packages", "actions"),
		"ent-copilot":   consumptionTestBudget("e-5", "enterprise", "", "ProductPricing", "copilot"),
		"ent-licences":  consumptionTestBudget("e-6", "enterprise", "", "SkuPricing", "copilot_for_business"),
		"ent-mixed":     consumptionTestBudget("e-7", "enterprise", "", "SkuPricing", "ghas_licenses", "actions_linux"),
		"org-product":   consumptionTestBudget("o-1", "organization", "acme-web", "ProductPricing", "actions"),
		"org-sku":       consumptionTestBudget("o-2", "organization", "ACME-DATA", "SkuPricing", "actions_linux"),
		"org-bundle":    consumptionTestBudget("o-3", "organization", "acme-web", "BundlePricing", "ai_credits"),
		"repo-full":     consumptionTestBudget("r-1", "repository", "acme-web/storefront", "SkuPricing", "actions_linux"),
		"repo-bare":     consumptionTestBudget("r-2", "repository", "etl", "ProductPricing", "actions", "packages"),
		"repo-bundle":   consumptionTestBudget("r-3", "repository", "acme-labs/tools", "BundlePricing", "ai_credits"),
		"cc-product":    consumptionTestBudget("c-1", "cost_center", "Platform", "ProductPricing", "actions"),
		"cc-sku":        consumptionTestBudget("c-2", "cost_center", "data science", "SkuPricing", "packages_storage"),
		"cc-bundle":     consumptionTestBudget("c-3", "cost_center", "Platform", "BundlePricing", "ai_credits"),
		"multi-user":    consumptionTestBudget("m-1", "multi_user_customer", "", "BundlePricing", "ai_credits"),
		"user-no-value": consumptionTestBudget("u-2", "user", "octocat", "BundlePricing", "ai_credits"),
		"user":          user,
	}
	for _, b := range budgets {
		ent.Budgets = append(ent.Budgets, b)
	}
	fake := fakegithubtest.Start(t, d)
	client := fakegithubtest.Client(t, fake, githubapi.Options{})
	c := usageCollector{budgets: true, now: func() time.Time { return usageTestNow }}
	got := usageTestValues(t, c, client, usageTestEnterprise)

	// By hand, net amounts of the rows above:
	want := map[string]float64{
		// Actions rows: 4 + 8 + 0.5 + 16 + 32 = 60.5.
		"ent-product": 60.5,
		// Actions Linux rows (any spelling): 4 + 8 + 0.5 + 32 = 44.5.
		"ent-sku": 44.5,
		// AI-credit rows: 2.25 + 30 = 32.25.
		"ent-bundle": 32.25,
		// Packages 1.5 + 6, Actions 60.5 (above): 68.
		"ent-two": 68,
		// acme-web Actions: 8 + 0.5 + 16 = 24.5.
		"org-product": 24.5,
		// acme-data Actions Linux: 32.
		"org-sku": 32,
		// acme-web AI credits: 30.
		"org-bundle": 30,
		// acme-web/storefront Actions Linux: 8 + 0.5 = 8.5.
		"repo-full": 8.5,
		// acme-data/etl Actions 32 + Packages 6 = 38.
		"repo-bare": 38,
		// acme-labs/tools has no AI-credit rows (those have no repository): 0.
		"repo-bundle": 0,
		// Platform's Actions: 8 + 0.5 + 16 = 24.5.
		"cc-product": 24.5,
		// Data Science's Packages Storage: 6.
		"cc-sku": 6,
		// Platform's AI credits: 30.
		"cc-bundle": 30,
	}
	for name, v := range want {
		k := consumptionTestKey(budgets[name], "usage")
		if g, ok := got[k]; !ok || g != v {
			t.Errorf("%s: %s = %v (present %v), want %v", name, k, g, ok, v)
		}
	}
	// The product copilot (licences and AI credits), a licence SKU and a
	// mix of a licence and a dollar SKU have no consumption in dollars.
	for _, name := range []string{"multi-user", "user-no-value", "user", "ent-copilot", "ent-licences", "ent-mixed"} {
		for _, source := range []string{"usage", "github"} {
			if v, ok := got[consumptionTestKey(budgets[name], source)]; ok {
				t.Errorf("%s: the usage collector exports %s consumption %v, want none", name, source, v)
			}
		}
	}
	n := 0
	for k := range got {
		if strings.HasPrefix(k, "github_billing_budget_consumed_amount_usd{") {
			n++
		}
	}
	if n != len(want) {
		t.Errorf("%d consumed series, want %d", n, len(want))
	}
	// One budget list for the whole pass, and no second read of any report.
	if r := fake.Requests("/enterprises/acme-corp/settings/billing/budgets"); r != 1 {
		t.Errorf("%d budget requests, want 1", r)
	}
	if r := fake.Requests("/enterprises/acme-corp/settings/billing/usage"); r != 3 {
		t.Errorf("%d usage requests, want 3 (two cost centers and none)", r)
	}

	// The budgets collector exports GitHub's value for the user budget
	// and nothing for the rest (the usage collector has them).
	bgot := usageTestValues(t, budgetsCollector{}, client, usageTestEnterprise)
	if v, ok := bgot[consumptionTestKey(user, "github")]; !ok || v != 42.5 {
		t.Errorf("user budget: GitHub's consumed_amount %v (present %v), want 42.5", v, ok)
	}
	for name, b := range budgets {
		if name == "user" {
			continue
		}
		for _, source := range []string{"usage", "github"} {
			if v, ok := bgot[consumptionTestKey(b, source)]; ok {
				t.Errorf("%s: the budgets collector exports %s consumption %v, want none", name, source, v)
			}
		}
	}
}

// An organization's own list: its organization budgets (no entity, as in
// GitHub's example) and repository budgets are computed from its report;
// enterprise and cost-center budgets in it are not (its report is a part
// of the enterprise, with no cost centers).
func TestUsageCollectorComputesOrganizationBudgets(t *testing.T) {
	d := usageTestDataset()
	org := d.Organizations["acme-web"].Platform
	usageTestSet(d, usageTestOrg, "",
		consumptionTestRow("Actions", "Actions Linux", "minutes", "acme-web", "acme-web/storefront", 20, 8),
		consumptionTestRow("Actions", "Actions Linux", "minutes", "acme-web", "api", 10, 2.5),
		consumptionTestRow("Packages", "Packages Storage", "gigabyte-hours", "acme-web", "api", 4, 1))
	orgBudget := consumptionTestBudget("o-1", "organization", "", "SkuPricing", "actions_linux")
	repoBudget := consumptionTestBudget("r-1", "repository", "acme-web/api", "ProductPricing", "actions", "packages")
	entBudget := consumptionTestBudget("e-1", "enterprise", "", "ProductPricing", "actions")
	ccBudget := consumptionTestBudget("c-1", "cost_center", "Platform", "ProductPricing", "actions")
	org.Budgets = []githubapi.Budget{orgBudget, repoBudget, entBudget, ccBudget}
	fake := fakegithubtest.Start(t, d)
	client := fakegithubtest.Client(t, fake, githubapi.Options{})
	got := usageTestValues(t, usageCollector{budgets: true, now: func() time.Time { return usageTestNow }}, client, usageTestOrg)
	// By hand: Actions Linux 8 + 2.5 = 10.5; acme-web/api (a bare "api" row
	// of organization acme-web) Actions 2.5 + Packages 1 = 3.5.
	for b, v := range map[*githubapi.Budget]float64{&orgBudget: 10.5, &repoBudget: 3.5} {
		if g, ok := got[consumptionTestKey(*b, "usage")]; !ok || g != v {
			t.Errorf("%s: %v (present %v), want %v", b.ID, g, ok, v)
		}
	}
	for _, b := range []githubapi.Budget{entBudget, ccBudget} {
		if v, ok := got[consumptionTestKey(b, "usage")]; ok {
			t.Errorf("%s budget in an organization's list: %v, want no series", b.Scope, v)
		}
	}
}

// Without the budgets collector the usage collector asks for no budgets.
func TestUsageCollectorWithoutBudgetsAsksForNone(t *testing.T) {
	d := usageTestDataset()
	usageTestSet(d, usageTestOrg, "", consumptionTestRow("Actions", "Actions Linux", "minutes", "acme-web", "x", 2, 1))
	d.Organizations["acme-web"].Platform.Budgets = []githubapi.Budget{consumptionTestBudget("o-1", "organization", "", "ProductPricing", "actions")}
	fake := fakegithubtest.Start(t, d)
	got := usageTestValues(t, usageTestNew(false, usageTestNow), fakegithubtest.Client(t, fake, githubapi.Options{}), usageTestOrg)
	if r := fake.Requests("/organizations/acme-web/settings/billing/budgets"); r != 0 {
		t.Errorf("%d budget requests, want 0", r)
	}
	for k := range got {
		if strings.Contains(k, "budget") {
			t.Errorf("unexpected %s", k)
		}
	}
}

// The demo's alert budget (enterprise, Actions) is 85% consumed at any time
// of the month, computed from the demo's usage report, and no other budget
// reaches 80%: the demo trips GitHubBillingBudgetNearlyConsumed once.
func TestDemoAlertBudgetIs85PercentFromUsage(t *testing.T) {
	for _, day := range []int{1, 15, 28} {
		now := time.Date(2026, time.February, day, 23, 0, 0, 0, time.UTC)
		fake := fakegithubtest.Start(t, demo.Dataset(now))
		client := fakegithubtest.Client(t, fake, githubapi.Options{})
		a := githubapi.Account{Scope: githubapi.ScopeEnterprise, Name: demo.Enterprise}
		got := usageTestValues(t, usageCollector{budgets: true, now: func() time.Time { return now }}, client, a)
		budgets, err := client.Budgets(t.Context(), a)
		if err != nil {
			t.Fatal(err)
		}
		over := 0
		for _, b := range budgets {
			v, ok := got[consumptionTestKey(b, "usage")]
			if !ok || b.Amount == 0 || v/b.Amount < 0.8 {
				continue
			}
			over++
			if r := v / b.Amount; b.ID != demo.BudgetAlertID || r < 0.849 || r > 0.851 {
				t.Errorf("day %d: budget %s at %.4f", day, b.ID, r)
			}
		}
		if over != 1 {
			t.Errorf("day %d: %d budgets at 80%% or more, want exactly the alert budget", day, over)
		}
	}
}

// BenchmarkUsageCollectorLoopback1MBudgets is BenchmarkUsageCollectorLoopback1M
// with 100 repository budgets (and two organization budgets) whose
// consumption the same pass computes. Compare the two for the cost of the
// budgets (the target: under 10% more time, no more peak memory).
func BenchmarkUsageCollectorLoopback1MBudgets(b *testing.B) {
	fake := fakegithubtest.Start(b, nil)
	client := fakegithubtest.Client(b, fake, githubapi.Options{})
	report := benchdata.UsageReport{Rows: 1_000_000, Year: 2026, Month: time.November}
	fake.Override("/organizations/big-org/settings/billing/usage", report.Handler())
	var items []string
	for i := range 100 {
		// Bare names, as GitHub's budget-get example writes them.
		items = append(items, fmt.Sprintf(`{"id": "r-%03d", "budget_type": "ProductPricing", "budget_product_skus": ["actions"],
			"budget_scope": "repository", "budget_entity_name": "repo-%05d", "budget_amount": 50, "prevent_further_usage": false,
			"budget_alerting": {"will_alert": true, "alert_recipients": []}}`, i, i*37))
	}
	items = append(items, `{"id": "o-1", "budget_type": "SkuPricing", "budget_product_skus": ["actions_linux"], "budget_scope": "organization",
		"budget_amount": 500, "prevent_further_usage": false, "budget_alerting": {"will_alert": true, "alert_recipients": []}}`,
		`{"id": "o-2", "budget_type": "ProductPricing", "budget_product_skus": ["packages", "copilot"], "budget_scope": "organization",
		"budget_amount": 500, "prevent_further_usage": false, "budget_alerting": {"will_alert": true, "alert_recipients": []}}`)
	fake.Override("/organizations/big-org/settings/billing/budgets", fakegithubtest.ServeString(
		`{"budgets": [`+strings.Join(items, ",")+`], "has_next_page": false, "total_count": 102}`))
	c := usageCollector{budgets: true, now: func() time.Time { return usageTestNow }}
	a := githubapi.Account{Scope: githubapi.ScopeOrganization, Name: "big-org"}
	b.ReportAllocs()
	var series int
	for b.Loop() {
		metrics, err := c.Update(t0(b), client, a)
		if err != nil {
			b.Fatal(err)
		}
		series = len(metrics)
	}
	perOp := b.Elapsed().Seconds() / float64(b.N)
	b.ReportMetric(1_000_000/perOp, "rows/s")
	b.ReportMetric(float64(series), "series")
}

func t0(b *testing.B) context.Context { return b.Context() }

// A budget's computed consumption is the net of its rows as GitHub sent
// them, never below 0. An AI-credit row whose discount exceeds its gross
// (go-github#4262: gross 94.986969165, discount 95.64710256, net 0) adds 0,
// not their difference; rows with a negative net (none seen from GitHub)
// cannot take a budget's consumption below 0.
func TestUsageCollectorBudgetConsumptionNeverNegative(t *testing.T) {
	d := usageTestDataset()
	org := d.Organizations["acme-web"].Platform
	over := consumptionTestRow("Copilot", "copilot_ai_credits", "ai-credits", "acme-web", "", 94.986969165, 0)
	over.DiscountAmount = 95.64710256
	usageTestSet(d, usageTestOrg, "",
		over,
		consumptionTestRow("Actions", "Actions Linux", "minutes", "acme-web", "", 12, 10),
		consumptionTestRow("Packages", "Packages Storage", "gigabyte-hours", "acme-web", "", 1, -3),
		consumptionTestRow("Packages", "Packages Storage", "gigabyte-hours", "acme-web", "", 1, 1))
	ai := consumptionTestBudget("o-ai", "organization", "", "BundlePricing", "ai_credits")
	all := consumptionTestBudget("o-all", "organization", "", "ProductPricing", "actions", "packages", "copilot_ai_credits")
	packages := consumptionTestBudget("o-pkg", "organization", "", "ProductPricing", "packages")
	org.Budgets = []githubapi.Budget{ai, all, packages}
	fake := fakegithubtest.Start(t, d)
	client := fakegithubtest.Client(t, fake, githubapi.Options{})
	got := usageTestValues(t, usageCollector{budgets: true, now: func() time.Time { return usageTestNow }}, client, usageTestOrg)
	for b, v := range map[*githubapi.Budget]float64{
		// The AI-credit row's net: 0 (94.986969165 - 95.64710256 would be -0.660133395).
		&ai: 0,
		// Actions 10 + Packages -3 + 1: 8 (the AI-credit SKU matches no product).
		&all: 8,
		// Packages -3 + 1 = -2, shown as 0.
		&packages: 0,
	} {
		if g, ok := got[consumptionTestKey(*b, "usage")]; !ok || g != v {
			t.Errorf("%s: %v (present %v), want %v", b.ID, g, ok, v)
		}
	}
}
