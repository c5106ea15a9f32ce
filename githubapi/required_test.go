package githubapi_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/github-billing-exporter/github-billing-exporter/githubapi"
	"github.com/github-billing-exporter/github-billing-exporter/internal/fakegithub/fakegithubtest"
)

// withoutField is a shared example with one field removed: "a" at the top,
// or "list.N.a" inside the Nth element of a list.
func withoutField(t *testing.T, file, field string) string {
	t.Helper()
	body, err := os.ReadFile(examplesDir + file)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(body, &doc); err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(field, ".")
	obj := doc
	if len(parts) == 3 {
		list := doc[parts[0]].([]any)
		n := map[string]int{"0": 0, "1": 1, "2": 2}[parts[1]]
		obj = list[n].(map[string]any)
	}
	name := parts[len(parts)-1]
	if _, ok := obj[name]; !ok {
		t.Fatalf("%s has no %s to remove", file, field)
	}
	delete(obj, name)
	out, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

// Every decoder of an answer whose schema requires fields refuses the
// answer without one of them, naming it (API.md §14), and reads the same
// example whole.
func TestDecodersRejectAnswersWithoutARequiredField(t *testing.T) {
	ent := githubapi.Account{Scope: githubapi.ScopeEnterprise, Name: "acme"}
	org := githubapi.Account{Scope: githubapi.ScopeOrganization, Name: "acme-web"}
	ctx := context.Background()
	january := githubapi.Period{Year: 2025, Month: time.January}
	for _, tc := range []struct {
		name, path, file, remove, want string
		call                           func(*githubapi.Client) error
	}{
		{"summary/usageItems", "/enterprises/acme/settings/billing/usage/summary", "enterprise-usage-summary.json", "usageItems", "usageItems",
			func(c *githubapi.Client) error { _, err := c.UsageSummary(ctx, ent, january); return err }},
		{"summary/timePeriod", "/organizations/acme-web/settings/billing/usage/summary", "org-usage-summary.json", "timePeriod", "timePeriod",
			func(c *githubapi.Client) error { _, err := c.UsageSummary(ctx, org, january); return err }},
		{"summary/enterprise", "/enterprises/acme/settings/billing/usage/summary", "enterprise-usage-summary.json", "enterprise", "enterprise",
			func(c *githubapi.Client) error { _, err := c.UsageSummary(ctx, ent, january); return err }},
		{"premium/usageItems", "/organizations/acme-web/settings/billing/premium_request/usage", "org-premium-request-usage.json", "usageItems", "usageItems",
			func(c *githubapi.Client) error { _, err := c.PremiumRequestUsage(ctx, org, january); return err }},
		{"ai_credit/timePeriod", "/enterprises/acme/settings/billing/ai_credit/usage", "enterprise-ai-credit-usage.json", "timePeriod", "timePeriod",
			func(c *githubapi.Client) error {
				_, err := c.AICreditUsage(ctx, ent, january, githubapi.AICreditFilter{})
				return err
			}},
		{"budgets/budgets", "/enterprises/acme/settings/billing/budgets", "enterprise-budgets-list.json", "budgets", "budgets",
			func(c *githubapi.Client) error { _, err := c.Budgets(ctx, ent); return err }},
		{"budgets/budget_alerting", "/enterprises/acme/settings/billing/budgets", "enterprise-budgets-list.json", "budgets.1.budget_alerting", "budgets[1].budget_alerting",
			func(c *githubapi.Client) error { _, err := c.Budgets(ctx, ent); return err }},
		{"budgets/skus", "/organizations/acme-web/settings/billing/budgets", "org-budgets-list.json", "budgets.2.budget_product_skus", "budgets[2].budget_product_sku|budget_product_skus",
			func(c *githubapi.Client) error { _, err := c.Budgets(ctx, org); return err }},
		{"budgets/budget_amount", "/organizations/acme-web/settings/billing/budgets", "org-budgets-list.json", "budgets.0.budget_amount", "budgets[0].budget_amount",
			func(c *githubapi.Client) error { _, err := c.Budgets(ctx, org); return err }},
		{"cost_centers/resources", "/enterprises/acme/settings/billing/cost-centers", "enterprise-cost-centers-list.json", "costCenters.1.resources", "costCenters[1].resources",
			func(c *githubapi.Client) error { _, err := c.CostCenters(ctx, ent); return err }},
		{"cost_centers/costCenters", "/enterprises/acme/settings/billing/cost-centers", "enterprise-cost-centers-list.json", "costCenters", "costCenters",
			func(c *githubapi.Client) error { _, err := c.CostCenters(ctx, ent); return err }},
		{"reports/status", "/enterprises/acme/settings/billing/reports", "enterprise-usage-reports-list.json", "usage_report_exports.2.status", "usage_report_exports[2].status",
			func(c *githubapi.Client) error { _, err := c.UsageReportExports(ctx, ent); return err }},
		{"copilot/seat_breakdown", "/orgs/acme-web/copilot/billing", "org-copilot-billing.json", "seat_breakdown", "seat_breakdown",
			func(c *githubapi.Client) error { _, err := c.CopilotBilling(ctx, org); return err }},
		{"copilot_seats/seats", "/enterprises/acme/copilot/billing/seats", "enterprise-copilot-seats.json", "seats", "seats",
			func(c *githubapi.Client) error { _, err := c.CopilotSeats(ctx, ent); return err }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := fakegithubtest.Start(t, nil)
			client := fakegithubtest.Client(t, srv, githubapi.Options{})
			srv.Override(tc.path, fakegithubtest.ServeString(exampleFor(t, tc.file, 2025, 1)))
			if err := tc.call(client); err != nil {
				t.Fatalf("the whole example: %v", err)
			}
			srv.Override(tc.path, fakegithubtest.ServeString(withoutField(t, tc.file, tc.remove)))
			// A new client: the cost-center list is shared within a round.
			err := tc.call(fakegithubtest.Client(t, srv, githubapi.Options{}))
			var mf *githubapi.MissingFieldError
			var de *githubapi.DecodeError
			if !errors.As(err, &de) || !errors.As(err, &mf) {
				t.Fatalf("without %s: error %v, want a DecodeError with a MissingFieldError", tc.remove, err)
			}
			if !reflect.DeepEqual(mf.Fields, []string{tc.want}) {
				t.Errorf("without %s: the error names %q, want [%q]", tc.remove, mf.Fields, tc.want)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("the message %q does not name %s", err, tc.want)
			}
		})
	}
}
