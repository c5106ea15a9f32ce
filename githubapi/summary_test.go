package githubapi_test

import (
	"context"
	"errors"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/github-billing-exporter/github-billing-exporter/githubapi"
	"github.com/github-billing-exporter/github-billing-exporter/internal/demo"
	"github.com/github-billing-exporter/github-billing-exporter/internal/fakegithub/fakegithubtest"
)

func TestUsageSummaryAsksForTheMonthAndDecodesTheExamples(t *testing.T) {
	srv := fakegithubtest.Start(t, nil)
	client := fakegithubtest.Client(t, srv, githubapi.Options{})
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
			srv.Override(tc.path, q.Wrap(fakegithubtest.ServeString(exampleFor(t, tc.file, 2026, 3))))
			got, err := client.UsageSummary(context.Background(), tc.account, githubapi.Period{Year: 2026, Month: time.March})
			if err != nil {
				t.Fatal(err)
			}
			want := &githubapi.UsageSummary{
				TimePeriod: githubapi.SummaryTimePeriod{Year: 2026, Month: 3},
				UsageItems: []githubapi.UsageSummaryItem{{
					Product: "Actions", SKU: "actions_linux", UnitType: "minutes", PricePerUnit: 0.008,
					BillingAmounts: githubapi.BillingAmounts{GrossQuantity: 1000, GrossAmount: 8, DiscountQuantity: 0, DiscountAmount: 0, NetQuantity: 1000, NetAmount: 8},
				}},
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("got %+v, want %+v", got, want)
			}
			// Always year and month, never a cost center: the enterprise
			// summary's default covers every cost center.
			wantQuery := url.Values{"year": {"2026"}, "month": {"3"}}
			if qs := q.All(); len(qs) != 1 || !reflect.DeepEqual(qs[0], wantQuery) {
				t.Errorf("queries %v, want one %v", qs, wantQuery)
			}
		})
	}
}

func TestModelUsageReportsDecodeTheExamples(t *testing.T) {
	srv := fakegithubtest.Start(t, nil)
	client := fakegithubtest.Client(t, srv, githubapi.Options{})
	org := githubapi.Account{Scope: githubapi.ScopeOrganization, Name: "acme-web"}
	user := githubapi.Account{Scope: githubapi.ScopeUser, Name: "octocat"}
	ent := githubapi.Account{Scope: githubapi.ScopeEnterprise, Name: "acme"}
	var q fakegithubtest.Queries
	srv.Override("/organizations/acme-web/settings/billing/premium_request/usage", q.Wrap(fakegithubtest.ServeString(exampleFor(t, "org-premium-request-usage.json", 2026, 12))))
	srv.Override("/users/octocat/settings/billing/ai_credit/usage", q.Wrap(fakegithubtest.ServeString(exampleFor(t, "user-ai-credit-usage.json", 2026, 1))))
	srv.Override("/enterprises/acme/settings/billing/ai_credit/usage", q.Wrap(fakegithubtest.ServeString(exampleFor(t, "enterprise-ai-credit-usage.json", 2026, 1))))

	premium, err := client.PremiumRequestUsage(context.Background(), org, githubapi.Period{Year: 2026, Month: time.December})
	if err != nil {
		t.Fatal(err)
	}
	wantPremium := []githubapi.ModelUsageItem{{
		UsageSummaryItem: githubapi.UsageSummaryItem{
			Product: "Copilot", SKU: "Copilot Premium Request", UnitType: "requests", PricePerUnit: 0.04,
			BillingAmounts: githubapi.BillingAmounts{GrossQuantity: 100, GrossAmount: 4, NetQuantity: 100, NetAmount: 4},
		},
		Model: "GPT-5",
	}}
	if !reflect.DeepEqual(premium.UsageItems, wantPremium) {
		t.Errorf("premium requests: got %+v, want %+v", premium.UsageItems, wantPremium)
	}

	credits, err := client.AICreditUsage(context.Background(), user, githubapi.Period{Year: 2026, Month: time.January}, githubapi.AICreditFilter{})
	if err != nil {
		t.Fatal(err)
	}
	wantCredits := []githubapi.ModelUsageItem{{
		UsageSummaryItem: githubapi.UsageSummaryItem{
			Product: "Copilot AI Credits", SKU: "AI Credit", UnitType: "ai-credits", PricePerUnit: 0.01,
			BillingAmounts: githubapi.BillingAmounts{GrossQuantity: 100, GrossAmount: 1, NetQuantity: 100, NetAmount: 1},
		},
		Model: "GPT-5",
	}}
	if !reflect.DeepEqual(credits.UsageItems, wantCredits) {
		t.Errorf("AI credits: got %+v, want %+v", credits.UsageItems, wantCredits)
	}
	if _, err := client.AICreditUsage(context.Background(), ent, githubapi.Period{Year: 2026, Month: time.January}, githubapi.AICreditFilter{}); err != nil {
		t.Fatal(err)
	}

	want := []url.Values{
		{"year": {"2026"}, "month": {"12"}},
		{"year": {"2026"}, "month": {"1"}},
		{"year": {"2026"}, "month": {"1"}}, // enterprise: no cost_center_id, so all cost centers
	}
	if got := q.All(); !reflect.DeepEqual(got, want) {
		t.Errorf("queries %v, want %v", got, want)
	}
}

func TestUsageSummaryFractionalValuesUnknownFieldsAndMissingItems(t *testing.T) {
	srv := fakegithubtest.Start(t, nil)
	client := fakegithubtest.Client(t, srv, githubapi.Options{})
	a := githubapi.Account{Scope: githubapi.ScopeOrganization, Name: "acme-web"}
	srv.Override("/organizations/acme-web/settings/billing/usage/summary", fakegithubtest.ServeString(`{
		"timePeriod": {"year": 2026, "month": 3, "week": 2},
		"organization": "acme-web",
		"somethingNew": [1, 2, 3],
		"usageItems": [{"product": "actions", "sku": "Actions Linux", "unitType": "GigabyteHours", "pricePerUnit": 0.00033602,
			"grossQuantity": 12.5, "grossAmount": 0.00420025, "discountQuantity": 2.25, "discountAmount": 0.000756045,
			"netQuantity": 10.25, "netAmount": 0.003444205, "newField": "x"}]
	}`))
	got, err := client.UsageSummary(context.Background(), a, githubapi.Period{Year: 2026, Month: time.March})
	if err != nil {
		t.Fatal(err)
	}
	want := &githubapi.UsageSummary{
		TimePeriod: githubapi.SummaryTimePeriod{Year: 2026, Month: 3},
		UsageItems: []githubapi.UsageSummaryItem{{
			Product: "actions", SKU: "Actions Linux", UnitType: "GigabyteHours", PricePerUnit: 0.00033602,
			BillingAmounts: githubapi.BillingAmounts{
				GrossQuantity: 12.5, GrossAmount: 0.00420025, DiscountQuantity: 2.25, DiscountAmount: 0.000756045,
				NetQuantity: 10.25, NetAmount: 0.003444205,
			},
		}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v, want %+v", got, want)
	}

	srv.Override("/organizations/acme-web/settings/billing/usage/summary", fakegithubtest.ServeString(`{"timePeriod": {"year": 2026}, "organization": "acme-web"}`))
	// GitHub's schema requires usageItems: an answer without it is no
	// answer, not a month without usage.
	_, err = client.UsageSummary(context.Background(), a, githubapi.Period{Year: 2026, Month: time.March})
	var mf *githubapi.MissingFieldError
	if !errors.As(err, &mf) || !reflect.DeepEqual(mf.Fields, []string{"usageItems"}) {
		t.Errorf("missing usageItems: got error %v, want a MissingFieldError naming usageItems", err)
	}

	srv.Override("/organizations/acme-web/settings/billing/usage/summary", fakegithubtest.ServeString(`{"usageItems": [{"grossQuantity": "12"}]}`))
	_, err = client.UsageSummary(context.Background(), a, githubapi.Period{Year: 2026, Month: time.March})
	var de *githubapi.DecodeError
	if !errors.As(err, &de) || de.Endpoint != "/organizations/{org}/settings/billing/usage/summary" {
		t.Errorf("string quantity: got %v, want a DecodeError naming the endpoint", err)
	}
}

func TestUsageSummaryRejectsAnImpossibleMonth(t *testing.T) {
	srv := fakegithubtest.Start(t, nil)
	client := fakegithubtest.Client(t, srv, githubapi.Options{})
	_, err := client.UsageSummary(context.Background(), githubapi.Account{Scope: githubapi.ScopeUser, Name: "octocat"}, githubapi.Period{Year: 2026, Month: 13})
	if err == nil || !strings.Contains(err.Error(), "2026-13") {
		t.Errorf("got %v, want an invalid month error", err)
	}
	if n := srv.TotalRequests(); n != 0 {
		t.Errorf("%d requests sent for an invalid month", n)
	}
}

func TestDemoSummaryAnswersOnlyItsMonth(t *testing.T) {
	now := time.Date(2026, time.March, 16, 12, 0, 0, 0, time.UTC)
	srv := fakegithubtest.Start(t, demo.Dataset(now))
	client := fakegithubtest.Client(t, srv, githubapi.Options{})
	ent := githubapi.Account{Scope: githubapi.ScopeEnterprise, Name: demo.Enterprise}
	march, err := client.UsageSummary(context.Background(), ent, githubapi.Period{Year: 2026, Month: time.March})
	if err != nil {
		t.Fatal(err)
	}
	if len(march.UsageItems) == 0 {
		t.Error("no summary rows for the demo's month")
	}
	// A later month has no usage yet; an earlier one is the demo's history
	// (internal/fakegithub/history.go), never the current month's rows again.
	april, err := client.UsageSummary(context.Background(), ent, githubapi.Period{Year: 2026, Month: time.April})
	if err != nil {
		t.Fatal(err)
	}
	if len(april.UsageItems) != 0 {
		t.Errorf("rows for a month to come: %+v", april.UsageItems)
	}
	feb, err := client.UsageSummary(context.Background(), ent, githubapi.Period{Year: 2026, Month: time.February})
	if err != nil {
		t.Fatal(err)
	}
	if len(feb.UsageItems) == 0 || feb.UsageItems[0] == march.UsageItems[0] {
		t.Errorf("February answers %+v, want its own history, not March's first row %+v", feb.UsageItems, march.UsageItems[0])
	}
}

// The filters are sent as GitHub names them, beside year and month, and the
// example bodies decode; a filter the scope does not take fails before any
// request.
func TestAICreditUsageFiltered(t *testing.T) {
	srv := fakegithubtest.Start(t, nil)
	client := fakegithubtest.Client(t, srv, githubapi.Options{})
	ent := githubapi.Account{Scope: githubapi.ScopeEnterprise, Name: "acme"}
	var q fakegithubtest.Queries
	for _, f := range []githubapi.AICreditFilter{{User: "mona"}, {CostCenterID: "none"}} {
		// The example for March 2026, echoing the user filter as GitHub
		// does (no echo of "none" is known).
		body := exampleWith(t, "enterprise-ai-credit-usage.json", func(doc map[string]any) {
			doc["timePeriod"] = map[string]any{"year": 2026, "month": 3}
			if f.User != "" {
				doc["user"] = f.User
			}
		})
		srv.Override("/enterprises/acme/settings/billing/ai_credit/usage", q.Wrap(fakegithubtest.ServeString(body)))
		if _, err := client.AICreditUsage(context.Background(), ent, githubapi.Period{Year: 2026, Month: time.March}, f); err != nil {
			t.Fatal(err)
		}
	}
	want := []url.Values{
		{"year": {"2026"}, "month": {"3"}, "user": {"mona"}},
		{"year": {"2026"}, "month": {"3"}, "cost_center_id": {"none"}},
	}
	if got := q.All(); !reflect.DeepEqual(got, want) {
		t.Errorf("queries %v, want %v", got, want)
	}
	user := githubapi.Account{Scope: githubapi.ScopeUser, Name: "octocat"}
	org := githubapi.Account{Scope: githubapi.ScopeOrganization, Name: "acme-web"}
	if _, err := client.AICreditUsage(context.Background(), user, githubapi.Period{Year: 2026, Month: time.March}, githubapi.AICreditFilter{User: "octocat"}); err == nil {
		t.Error("a user account took the user filter")
	}
	if _, err := client.AICreditUsage(context.Background(), org, githubapi.Period{Year: 2026, Month: time.March}, githubapi.AICreditFilter{CostCenterID: "cc"}); err == nil {
		t.Error("an organization took cost_center_id")
	}
	if n := srv.Requests("/users/octocat/settings/billing/ai_credit/usage") + srv.Requests("/organizations/acme-web/settings/billing/ai_credit/usage"); n != 0 {
		t.Errorf("%d requests for refused filters, want 0", n)
	}
}
