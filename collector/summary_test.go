package collector

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/github-billing-exporter/github-billing-exporter/githubapi"
	"github.com/github-billing-exporter/github-billing-exporter/internal/fakegithub"
	"github.com/github-billing-exporter/github-billing-exporter/internal/fakegithub/fakegithubtest"
)

// Helpers of the billing-platform collector tests (summary, premium
// requests, AI credits, cost centers, budgets, report exports, Copilot).

// platformTestNow is the clock of the month-to-date collectors in tests.
var platformTestNow = time.Date(2026, time.March, 16, 9, 30, 0, 0, time.UTC)

// The six families of the summary-like reports, for prefix and what.
func platformTestAmountHeaders(prefix, what string) map[string]string {
	return map[string]string{
		"gross_quantity":      "# HELP github_billing_" + prefix + "_gross_quantity Month-to-date " + what + " before discounts, in unit_type (grossQuantity).\n# TYPE github_billing_" + prefix + "_gross_quantity gauge\n",
		"discount_quantity":   "# HELP github_billing_" + prefix + "_discount_quantity Month-to-date " + what + " covered by included quota or discounts, in unit_type (discountQuantity).\n# TYPE github_billing_" + prefix + "_discount_quantity gauge\n",
		"net_quantity":        "# HELP github_billing_" + prefix + "_net_quantity Month-to-date billed " + what + ", in unit_type (netQuantity).\n# TYPE github_billing_" + prefix + "_net_quantity gauge\n",
		"gross_amount_usd":    "# HELP github_billing_" + prefix + "_gross_amount_usd Month-to-date cost of " + what + " before discounts, in US dollars (grossAmount).\n# TYPE github_billing_" + prefix + "_gross_amount_usd gauge\n",
		"discount_amount_usd": "# HELP github_billing_" + prefix + "_discount_amount_usd Month-to-date discount on " + what + ", in US dollars (discountAmount).\n# TYPE github_billing_" + prefix + "_discount_amount_usd gauge\n",
		"net_amount_usd":      "# HELP github_billing_" + prefix + "_net_amount_usd Month-to-date billed cost of " + what + ", in US dollars (netAmount).\n# TYPE github_billing_" + prefix + "_net_amount_usd gauge\n",
	}
}

// platformTestAmounts writes the expected exposition of the six families:
// samples maps a family suffix to its sample lines (without the metric name
// prefix, which is added).
func platformTestAmounts(prefix, what string, samples map[string][]string) string {
	headers := platformTestAmountHeaders(prefix, what)
	var b strings.Builder
	for _, suffix := range []string{"gross_quantity", "discount_quantity", "net_quantity", "gross_amount_usd", "discount_amount_usd", "net_amount_usd"} {
		if len(samples[suffix]) == 0 {
			continue
		}
		b.WriteString(headers[suffix])
		for _, s := range samples[suffix] {
			b.WriteString("github_billing_" + prefix + "_" + suffix + s + "\n")
		}
	}
	return b.String()
}

func TestUsageSummaryCollectorOnTheExamples(t *testing.T) {
	srv := fakegithubtest.Start(t, nil)
	client := fakegithubtest.Client(t, srv, githubapi.Options{})
	c := usageSummaryCollector{now: func() time.Time { return platformTestNow }}
	for _, tc := range []struct {
		account githubapi.Account
		path    string
		file    string
	}{
		{githubapi.Account{Scope: githubapi.ScopeEnterprise, Name: "acme"}, "/enterprises/acme/settings/billing/usage/summary", "enterprise-usage-summary.json"},
		{githubapi.Account{Scope: githubapi.ScopeOrganization, Name: "acme-web"}, "/organizations/acme-web/settings/billing/usage/summary", "org-usage-summary.json"},
		{githubapi.Account{Scope: githubapi.ScopeUser, Name: "octocat"}, "/users/octocat/settings/billing/usage/summary", "user-usage-summary.json"},
	} {
		t.Run(string(tc.account.Scope), func(t *testing.T) {
			var q fakegithubtest.Queries
			srv.Override(tc.path, q.Wrap(platformTestExample(t, tc.file)))
			labels := `{account="` + tc.account.Name + `",product="Actions",scope="` + string(tc.account.Scope) + `",sku="actions_linux",unit_type="minutes"}`
			want := platformTestAmounts("usage_summarized", "usage", map[string][]string{
				"gross_quantity":      {labels + " 1000"},
				"discount_quantity":   {labels + " 0"},
				"net_quantity":        {labels + " 1000"},
				"gross_amount_usd":    {labels + " 8"},
				"discount_amount_usd": {labels + " 0"},
				"net_amount_usd":      {labels + " 8"},
			})
			expectExposition(t, update(t, c, client, tc.account), want)
			// Month to date in UTC; for an enterprise no cost_center_id, so
			// every cost center is in the one answer.
			if got := q.All(); len(got) != 1 || got[0].Encode() != "month=3&year=2026" {
				t.Errorf("queries %v, want month=3&year=2026", got)
			}
		})
	}
}

func TestUsageSummaryCollectorSumsRowsSharingLabels(t *testing.T) {
	srv := fakegithubtest.Start(t, nil)
	client := fakegithubtest.Client(t, srv, githubapi.Options{})
	a := githubapi.Account{Scope: githubapi.ScopeOrganization, Name: "acme-web"}
	// Two rows of the same SKU are summed; a casing change makes another
	// series, as GitHub sent it; quantities are fractional. (Amounts are
	// chosen exact in binary so the sums print exactly.)
	srv.Override("/organizations/acme-web/settings/billing/usage/summary", fakegithubtest.ServeString(`{"timePeriod": {"year": 2026, "month": 3}, "usageItems": [
		{"product": "Actions", "sku": "actions_linux", "unitType": "minutes", "pricePerUnit": 0.008,
		 "grossQuantity": 100.5, "grossAmount": 0.5, "discountQuantity": 100.5, "discountAmount": 0.5, "netQuantity": 0, "netAmount": 0},
		{"product": "Actions", "sku": "actions_linux", "unitType": "minutes", "pricePerUnit": 0.008,
		 "grossQuantity": 20.25, "grossAmount": 0.25, "discountQuantity": 0, "discountAmount": 0, "netQuantity": 20.25, "netAmount": 0.25},
		{"product": "actions", "sku": "actions_linux", "unitType": "minutes", "pricePerUnit": 0.008,
		 "grossQuantity": 3, "grossAmount": 0.024, "discountQuantity": 1, "discountAmount": 0.008, "netQuantity": 2, "netAmount": 0.016}
	]}`))
	c := usageSummaryCollector{now: func() time.Time { return platformTestNow }}
	upper := `{account="acme-web",product="Actions",scope="organization",sku="actions_linux",unit_type="minutes"}`
	lower := `{account="acme-web",product="actions",scope="organization",sku="actions_linux",unit_type="minutes"}`
	// By hand: 100.5+20.25 = 120.75; 0.5+0.25 = 0.75; 100.5+0 = 100.5;
	// 0.5+0 = 0.5; 0+20.25 = 20.25; 0+0.25 = 0.25.
	want := platformTestAmounts("usage_summarized", "usage", map[string][]string{
		"gross_quantity":      {upper + " 120.75", lower + " 3"},
		"discount_quantity":   {upper + " 100.5", lower + " 1"},
		"net_quantity":        {upper + " 20.25", lower + " 2"},
		"gross_amount_usd":    {upper + " 0.75", lower + " 0.024"},
		"discount_amount_usd": {upper + " 0.5", lower + " 0.008"},
		"net_amount_usd":      {upper + " 0.25", lower + " 0.016"},
	})
	expectExposition(t, update(t, c, client, a), want)
}

func TestUsageSummaryCollectorEmptyAndMissingItems(t *testing.T) {
	srv := fakegithubtest.Start(t, nil)
	client := fakegithubtest.Client(t, srv, githubapi.Options{})
	a := githubapi.Account{Scope: githubapi.ScopeUser, Name: "octocat"}
	c := usageSummaryCollector{now: func() time.Time { return platformTestNow }}
	srv.Override("/users/octocat/settings/billing/usage/summary", fakegithubtest.ServeString(`{"timePeriod": {"year": 2026, "month": 3}, "usageItems": []}`))
	metrics, err := c.Update(context.Background(), client, a)
	if err != nil || len(metrics) != 0 {
		t.Errorf("empty usageItems: got %d metrics, %v; want none and no error", len(metrics), err)
	}
	// Without usageItems (required by GitHub's schema) the answer fails
	// the collector, naming the field, rather than zeroing every series.
	srv.Override("/users/octocat/settings/billing/usage/summary", fakegithubtest.ServeString(`{"timePeriod": {"year": 2026}, "user": "octocat"}`))
	metrics, err = c.Update(context.Background(), client, a)
	if err == nil || len(metrics) != 0 || !strings.Contains(err.Error(), `"usageItems"`) {
		t.Errorf("missing usageItems: got %d metrics, %v; want an error naming usageItems", len(metrics), err)
	}
}

func TestUsageSummaryCollectorAsksForTheUTCMonth(t *testing.T) {
	srv := fakegithubtest.Start(t, nil)
	client := fakegithubtest.Client(t, srv, githubapi.Options{})
	var q fakegithubtest.Queries
	srv.Override("/users/octocat/settings/billing/usage/summary", q.Wrap(fakegithubtest.ServeString(`{"timePeriod": {"year": 2027, "month": 1}, "usageItems": []}`)))
	// 23:30 on 31 December in New York is already January in UTC.
	ny := time.FixedZone("EST", -5*3600)
	c := usageSummaryCollector{now: func() time.Time { return time.Date(2026, time.December, 31, 23, 30, 0, 0, ny) }}
	if _, err := c.Update(context.Background(), client, githubapi.Account{Scope: githubapi.ScopeUser, Name: "octocat"}); err != nil {
		t.Fatal(err)
	}
	if got := q.All(); len(got) != 1 || got[0].Encode() != "month=1&year=2027" {
		t.Errorf("queries %v, want month=1&year=2027", got)
	}
}

func TestPremiumRequestsCollectorOnTheExamples(t *testing.T) {
	srv := fakegithubtest.Start(t, nil)
	client := fakegithubtest.Client(t, srv, githubapi.Options{})
	c := newPremiumRequestsCollector(Options{}).(modelUsageCollector)
	c.now = func() time.Time { return platformTestNow }
	for _, tc := range []struct {
		account githubapi.Account
		path    string
		file    string
	}{
		{githubapi.Account{Scope: githubapi.ScopeEnterprise, Name: "acme"}, "/enterprises/acme/settings/billing/premium_request/usage", "enterprise-premium-request-usage.json"},
		{githubapi.Account{Scope: githubapi.ScopeOrganization, Name: "acme-web"}, "/organizations/acme-web/settings/billing/premium_request/usage", "org-premium-request-usage.json"},
		{githubapi.Account{Scope: githubapi.ScopeUser, Name: "octocat"}, "/users/octocat/settings/billing/premium_request/usage", "user-premium-request-usage.json"},
	} {
		t.Run(string(tc.account.Scope), func(t *testing.T) {
			var q fakegithubtest.Queries
			srv.Override(tc.path, q.Wrap(platformTestExample(t, tc.file)))
			labels := `{account="` + tc.account.Name + `",model="GPT-5",product="Copilot",scope="` + string(tc.account.Scope) + `",sku="Copilot Premium Request",unit_type="requests"}`
			want := platformTestAmounts("premium_request", "Copilot premium requests", map[string][]string{
				"gross_quantity":      {labels + " 100"},
				"discount_quantity":   {labels + " 0"},
				"net_quantity":        {labels + " 100"},
				"gross_amount_usd":    {labels + " 4"},
				"discount_amount_usd": {labels + " 0"},
				"net_amount_usd":      {labels + " 4"},
			})
			expectExposition(t, update(t, c, client, tc.account), want)
			if got := q.All(); len(got) != 1 || got[0].Encode() != "month=3&year=2026" {
				t.Errorf("queries %v, want month=3&year=2026 and no cost center", got)
			}
		})
	}
}

func TestAICreditsCollectorOnTheExamples(t *testing.T) {
	srv := fakegithubtest.Start(t, nil)
	client := fakegithubtest.Client(t, srv, githubapi.Options{})
	c := newAICreditsCollector(Options{}).(modelUsageCollector)
	c.now = func() time.Time { return platformTestNow }
	for _, tc := range []struct {
		account                githubapi.Account
		path, file             string
		product, sku, unitType string
	}{
		{githubapi.Account{Scope: githubapi.ScopeEnterprise, Name: "acme"}, "/enterprises/acme/settings/billing/ai_credit/usage", "enterprise-ai-credit-usage.json", "Copilot", "Copilot AI Credits", "credits"},
		{githubapi.Account{Scope: githubapi.ScopeOrganization, Name: "acme-web"}, "/organizations/acme-web/settings/billing/ai_credit/usage", "org-ai-credit-usage.json", "Copilot", "Copilot AI Credits", "credits"},
		// The user example labels the same thing differently; passed through.
		{githubapi.Account{Scope: githubapi.ScopeUser, Name: "octocat"}, "/users/octocat/settings/billing/ai_credit/usage", "user-ai-credit-usage.json", "Copilot AI Credits", "AI Credit", "ai-credits"},
	} {
		t.Run(string(tc.account.Scope), func(t *testing.T) {
			srv.Override(tc.path, platformTestExample(t, tc.file))
			labels := `{account="` + tc.account.Name + `",model="GPT-5",product="` + tc.product + `",scope="` + string(tc.account.Scope) + `",sku="` + tc.sku + `",unit_type="` + tc.unitType + `"}`
			want := platformTestAmounts("ai_credit", "Copilot AI credits", map[string][]string{
				"gross_quantity":      {labels + " 100"},
				"discount_quantity":   {labels + " 0"},
				"net_quantity":        {labels + " 100"},
				"gross_amount_usd":    {labels + " 1"},
				"discount_amount_usd": {labels + " 0"},
				"net_amount_usd":      {labels + " 1"},
			})
			expectExposition(t, update(t, c, client, tc.account), want)
		})
	}
}

func TestAICreditsCollectorSumsPerModel(t *testing.T) {
	srv := fakegithubtest.Start(t, nil)
	client := fakegithubtest.Client(t, srv, githubapi.Options{})
	a := githubapi.Account{Scope: githubapi.ScopeEnterprise, Name: "acme"}
	srv.Override("/enterprises/acme/settings/billing/ai_credit/usage", fakegithubtest.ServeString(`{"timePeriod": {"year": 2026, "month": 3}, "enterprise": "acme", "usageItems": [
		{"product": "Copilot", "sku": "Copilot AI Credits", "model": "GPT-5", "unitType": "credits", "pricePerUnit": 0.01,
		 "grossQuantity": 150.5, "grossAmount": 1.5, "discountQuantity": 100, "discountAmount": 1, "netQuantity": 50.5, "netAmount": 0.5},
		{"product": "Copilot", "sku": "Copilot AI Credits", "model": "Claude Sonnet 4.5", "unitType": "credits", "pricePerUnit": 0.01,
		 "grossQuantity": 40, "grossAmount": 0.4, "discountQuantity": 0, "discountAmount": 0, "netQuantity": 40, "netAmount": 0.4},
		{"product": "Copilot", "sku": "Copilot AI Credits", "model": "GPT-5", "unitType": "credits", "pricePerUnit": 0.01,
		 "grossQuantity": 9.5, "grossAmount": 0.125, "discountQuantity": 0, "discountAmount": 0, "netQuantity": 9.5, "netAmount": 0.125}
	]}`))
	c := newAICreditsCollector(Options{}).(modelUsageCollector)
	c.now = func() time.Time { return platformTestNow }
	gpt := `{account="acme",model="GPT-5",product="Copilot",scope="enterprise",sku="Copilot AI Credits",unit_type="credits"}`
	claude := `{account="acme",model="Claude Sonnet 4.5",product="Copilot",scope="enterprise",sku="Copilot AI Credits",unit_type="credits"}`
	// By hand for GPT-5: 150.5+9.5 = 160; 1.5+0.125 = 1.625; 100+0 = 100;
	// 1+0 = 1; 50.5+9.5 = 60; 0.5+0.125 = 0.625.
	want := platformTestAmounts("ai_credit", "Copilot AI credits", map[string][]string{
		"gross_quantity":      {claude + " 40", gpt + " 160"},
		"discount_quantity":   {claude + " 0", gpt + " 100"},
		"net_quantity":        {claude + " 40", gpt + " 60"},
		"gross_amount_usd":    {claude + " 0.4", gpt + " 1.625"},
		"discount_amount_usd": {claude + " 0", gpt + " 1"},
		"net_amount_usd":      {claude + " 0.4", gpt + " 0.625"},
	})
	expectExposition(t, update(t, c, client, a), want)
}

func TestSummaryCollectorsNameTheEndpointOnFailure(t *testing.T) {
	srv := fakegithubtest.Start(t, nil)
	client := fakegithubtest.Client(t, srv, githubapi.Options{})
	srv.Override("/organizations/acme-web/settings/billing/premium_request/usage", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("X-Accepted-GitHub-Permissions", "administration=read")
		fakegithub.WriteError(w, http.StatusForbidden, "Resource not accessible by personal access token")
	})
	c := newPremiumRequestsCollector(Options{})
	_, err := c.Update(context.Background(), client, githubapi.Account{Scope: githubapi.ScopeOrganization, Name: "acme-web"})
	if err == nil {
		t.Fatal("no error on 403")
	}
	for _, want := range []string{"premium request usage", `organization "acme-web"`, "/organizations/acme-web/settings/billing/premium_request/usage", "403", "Resource not accessible by personal access token", "administration=read"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
}
