package collector

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/github-billing-exporter/github-billing-exporter/githubapi"
	"github.com/github-billing-exporter/github-billing-exporter/internal/fakegithub"
	"github.com/github-billing-exporter/github-billing-exporter/internal/fakegithub/fakegithubtest"
)

// poolTestNow is in December 2026: the collector asks for that month.
var poolTestNow = time.Date(2026, 12, 7, 15, 0, 0, 0, time.UTC)

var (
	poolTestEnterprise = githubapi.Account{Scope: githubapi.ScopeEnterprise, Name: "acme"}
	poolTestOrg        = githubapi.Account{Scope: githubapi.ScopeOrganization, Name: "acme-web"}
)

func poolTestCollector(included *IncludedAICredits) Collector {
	return newAICreditPoolCollector(Options{IncludedAICredits: included, now: func() time.Time { return poolTestNow }})
}

func poolTestSeat(login, org, plan string, pendingCancellation string) githubapi.CopilotSeat {
	s := githubapi.CopilotSeat{CreatedAt: "2026-03-02T09:00:00Z", PlanType: plan,
		Assignee: &githubapi.CopilotAssignee{Login: login, ID: int64(len(login)), Type: "User"}, Organization: &githubapi.CopilotOrg{Login: org}}
	if pendingCancellation != "" {
		s.PendingCancellationDate = &pendingCancellation
	}
	return s
}

func poolTestCredits(gross, discount, net float64, model string) githubapi.ModelUsageItem {
	return githubapi.ModelUsageItem{Model: model, UsageSummaryItem: githubapi.UsageSummaryItem{
		Product: "Copilot", SKU: "Copilot AI Credits", UnitType: "credits", PricePerUnit: 0.01,
		BillingAmounts: githubapi.BillingAmounts{GrossQuantity: gross, GrossAmount: gross / 100,
			DiscountQuantity: discount, DiscountAmount: discount / 100, NetQuantity: net, NetAmount: net / 100}}}
}

// poolTestDataset is an enterprise whose seat list has a row per granting
// organization, and one of its organizations.
//
// Enterprise seats, 6 rows of 4 users:
//
//	mona     business    acme-web, and again from acme-data    → 1 business
//	hubot    business    acme-web, Hubot enterprise acme-data  → 1 enterprise (the larger)
//	octocat  enterprise  acme-web, pending cancellation        → 1 enterprise (counts this month)
//	lisa     business    acme-data, pending cancellation       → 1 business
//
// Its December AI credits, three rows:
//
//	gross 5000, discount 5000, net 0     → 5000 drawn
//	gross 4000, discount 4100, net 0     → 4000 drawn (the discount above the gross is held to it)
//	gross 3000, discount 1000, net 2000  → 1000 drawn, 2000 paid overage
//
// Drawn: 5000 + 4000 + 1000 = 10000.
//
// The organization: GitHub's example Copilot details (seat_breakdown.total
// 12, plan_type business) and two rows: gross 700, discount 700; gross 300,
// discount 250, net 50 → 700 + 250 = 950 drawn.
func poolTestDataset() *fakegithub.Dataset {
	d := fakegithub.NewDataset()
	december := githubapi.SummaryTimePeriod{Year: 2026, Month: 12}
	ent := &fakegithub.PlatformData{}
	ent.CopilotSeats = []githubapi.CopilotSeat{
		poolTestSeat("mona", "acme-web", "business", ""),
		poolTestSeat("hubot", "acme-web", "business", ""),
		poolTestSeat("octocat", "acme-web", "enterprise", "2026-12-31"),
		poolTestSeat("mona", "acme-data", "business", ""),
		poolTestSeat("Hubot", "acme-data", "enterprise", ""),
		poolTestSeat("lisa", "acme-data", "business", "2026-12-31"),
	}
	ent.AICreditUsage = &githubapi.ModelUsageReport{TimePeriod: december, UsageItems: []githubapi.ModelUsageItem{
		poolTestCredits(5000, 5000, 0, "GPT-5"),
		poolTestCredits(4000, 4100, 0, "Claude Sonnet 4.5"),
		poolTestCredits(3000, 1000, 2000, "Auto: Claude Haiku 4.5"),
	}}
	d.Enterprises[poolTestEnterprise.Name] = &fakegithub.AccountData{Platform: ent}
	org := &fakegithub.PlatformData{}
	org.CopilotBilling = &githubapi.CopilotBilling{
		SeatBreakdown:         githubapi.CopilotSeatBreakdown{Total: 12, AddedThisCycle: 9, ActiveThisCycle: 12, InactiveThisCycle: 11},
		PublicCodeSuggestions: "block", SeatManagementSetting: "assign_selected", PlanType: "business",
	}
	org.AICreditUsage = &githubapi.ModelUsageReport{TimePeriod: december, UsageItems: []githubapi.ModelUsageItem{
		poolTestCredits(700, 700, 0, "GPT-5"),
		poolTestCredits(300, 250, 50, "GPT-5 mini"),
	}}
	d.Organizations[poolTestOrg.Name] = &fakegithub.AccountData{Platform: org}
	return d
}

func TestAICreditPoolEnterpriseCountsEachSeatHolderOnce(t *testing.T) {
	srv := fakegithubtest.Start(t, poolTestDataset())
	client := fakegithubtest.Client(t, srv, githubapi.Options{})
	got := usageTestValues(t, poolTestCollector(nil), client, poolTestEnterprise)
	want := map[string]float64{
		// mona, lisa; hubot, octocat.
		`github_billing_ai_credit_pool_licenses{plan="business"}`:   2,
		`github_billing_ai_credit_pool_licenses{plan="enterprise"}`: 2,
		// 2 × 1,900 + 2 × 3,900 = 3,800 + 7,800.
		`github_billing_ai_credit_pool_included_credits{}`: 11600,
		`github_billing_ai_credit_pool_used_credits{}`:     10000,
	}
	usageTestExpect(t, "enterprise pool", got, want)
	// One seat list and one AI-credit answer, with year and month.
	if n := srv.Requests("/enterprises/acme/copilot/billing/seats"); n != 1 {
		t.Errorf("%d seat-list requests, want 1", n)
	}
	if n := srv.Requests("/enterprises/acme/settings/billing/ai_credit/usage"); n != 1 {
		t.Errorf("%d AI-credit requests, want 1", n)
	}
}

// The configuration's figures replace GitHub's for the plans they name,
// from the next update on.
func TestAICreditPoolIncludedCreditsFromTheConfiguration(t *testing.T) {
	srv := fakegithubtest.Start(t, poolTestDataset())
	client := fakegithubtest.Client(t, srv, githubapi.Options{})
	included := &IncludedAICredits{}
	c := poolTestCollector(included)
	included.Set(map[string]float64{"business": 3000})
	got := usageTestValues(t, c, client, poolTestEnterprise)
	// 2 × 3,000 + 2 × 3,900 (GitHub's, not overridden) = 13,800.
	if v := got[`github_billing_ai_credit_pool_included_credits{}`]; v != 13800 {
		t.Errorf("included %v, want 13800", v)
	}
	included.Set(map[string]float64{"business": 0, "enterprise": 7000})
	got = usageTestValues(t, c, client, poolTestEnterprise)
	// 2 × 0 + 2 × 7,000 = 14,000.
	if v := got[`github_billing_ai_credit_pool_included_credits{}`]; v != 14000 {
		t.Errorf("included after the second load %v, want 14000", v)
	}
	// The holder's overrides reach the organization's figure too:
	// 12 × 0.
	got = usageTestValues(t, c, client, poolTestOrg)
	if v := got[`github_billing_ai_credit_pool_included_credits{}`]; v != 0 {
		t.Errorf("organization's included %v, want 0", v)
	}
}

func TestAICreditPoolOrganization(t *testing.T) {
	srv := fakegithubtest.Start(t, poolTestDataset())
	client := fakegithubtest.Client(t, srv, githubapi.Options{})
	got := usageTestValues(t, poolTestCollector(nil), client, poolTestOrg)
	want := map[string]float64{
		`github_billing_ai_credit_pool_licenses{plan="business"}`:   12,
		`github_billing_ai_credit_pool_licenses{plan="enterprise"}`: 0,
		// 12 × 1,900.
		`github_billing_ai_credit_pool_included_credits{}`: 22800,
		// 700 + 250.
		`github_billing_ai_credit_pool_used_credits{}`: 950,
	}
	usageTestExpect(t, "organization pool", got, want)
}

// GitHub's enterprise seat example: octocat's business seat, and
// octokitten's seat, pending cancellation and without plan_type, which
// counts at the largest plan's credits.
func TestAICreditPoolOnTheEnterpriseSeatExample(t *testing.T) {
	d := poolTestDataset()
	srv := fakegithubtest.Start(t, d)
	srv.Override("/enterprises/acme/copilot/billing/seats", fakegithubtest.ServeFile(examplesDir+"enterprise-copilot-seats.json"))
	client := fakegithubtest.Client(t, srv, githubapi.Options{})
	got := usageTestValues(t, poolTestCollector(nil), client, poolTestEnterprise)
	want := map[string]float64{
		`github_billing_ai_credit_pool_licenses{plan="business"}`:   1,
		`github_billing_ai_credit_pool_licenses{plan="enterprise"}`: 0,
		`github_billing_ai_credit_pool_licenses{plan="unknown"}`:    1,
		// 1 × 1,900 + 1 × 3,900.
		`github_billing_ai_credit_pool_included_credits{}`: 5800,
		`github_billing_ai_credit_pool_used_credits{}`:     10000,
	}
	usageTestExpect(t, "enterprise seat example", got, want)
}

// The copilot collector (by plan), the ai_credits collector and the pool
// of one round ask GitHub once for each answer they share.
func TestAICreditPoolSharesTheRoundsAnswers(t *testing.T) {
	srv := fakegithubtest.Start(t, poolTestDataset())
	client := fakegithubtest.Client(t, srv, githubapi.Options{Now: func() time.Time { return poolTestNow }})
	credits := newAICreditsCollector(Options{now: func() time.Time { return poolTestNow }})
	for _, a := range []githubapi.Account{poolTestEnterprise, poolTestOrg} {
		update(t, copilotCollector{byPlan: true}, client, a)
		update(t, credits, client, a)
		update(t, poolTestCollector(nil), client, a)
	}
	expectPathRequests(t, srv, map[string]int{
		"/enterprises/acme/copilot/billing/seats":                  1,
		"/enterprises/acme/settings/billing/ai_credit/usage":       1,
		"/orgs/acme-web/copilot/billing":                           1,
		"/organizations/acme-web/settings/billing/ai_credit/usage": 1,
	})
}

// What the pool cannot be computed from fails the pool of that account
// alone: the copilot collector still reads the same answer, and the other
// account's pool still works.
func TestAICreditPoolBrokenAnswersFailOnlyThePool(t *testing.T) {
	ctx := context.Background()
	t.Run("a plan whose credits are unknown", func(t *testing.T) {
		d := poolTestDataset()
		d.Organizations[poolTestOrg.Name].Platform.CopilotBilling.PlanType = "max"
		srv := fakegithubtest.Start(t, d)
		client := fakegithubtest.Client(t, srv, githubapi.Options{})
		_, err := poolTestCollector(nil).Update(ctx, client, poolTestOrg)
		if err == nil || !strings.Contains(err.Error(), `plan_type "max"`) {
			t.Errorf("err = %v, want one naming plan_type \"max\"", err)
		}
		if _, err := (copilotCollector{}).Update(ctx, client, poolTestOrg); err != nil {
			t.Errorf("the copilot collector failed too: %v", err)
		}
		// The enterprise's pool: 11,600 as above.
		if got := usageTestValues(t, poolTestCollector(nil), client, poolTestEnterprise); got[`github_billing_ai_credit_pool_included_credits{}`] != 11600 {
			t.Errorf("the enterprise's pool %v, want 11600", got)
		}
	})
	t.Run("a seat list without seats", func(t *testing.T) {
		srv := fakegithubtest.Start(t, poolTestDataset())
		srv.Override("/enterprises/acme/copilot/billing/seats", fakegithubtest.ServeString(`{"total_seats": 4}`))
		client := fakegithubtest.Client(t, srv, githubapi.Options{})
		_, err := poolTestCollector(nil).Update(ctx, client, poolTestEnterprise)
		var de *githubapi.DecodeError
		if !errors.As(err, &de) || !strings.Contains(err.Error(), "seats") {
			t.Errorf("err = %v, want a DecodeError naming seats", err)
		}
		// 12 × 1,900 for the organization.
		if got := usageTestValues(t, poolTestCollector(nil), client, poolTestOrg); got[`github_billing_ai_credit_pool_included_credits{}`] != 22800 {
			t.Errorf("the organization's pool %v, want 22800", got)
		}
	})
	t.Run("an AI-credit row without discountQuantity", func(t *testing.T) {
		srv := fakegithubtest.Start(t, poolTestDataset())
		srv.Override("/organizations/acme-web/settings/billing/ai_credit/usage", fakegithubtest.ServeString(
			`{"timePeriod": {"year": 2026, "month": 12}, "organization": "acme-web", "usageItems": [{"product": "Copilot", "sku": "Copilot AI Credits", "model": "GPT-5", "unitType": "credits", "pricePerUnit": 0.01, "grossQuantity": 700, "grossAmount": 7, "discountAmount": 7, "netQuantity": 0, "netAmount": 0}]}`))
		client := fakegithubtest.Client(t, srv, githubapi.Options{})
		_, err := poolTestCollector(nil).Update(ctx, client, poolTestOrg)
		if err == nil || !strings.Contains(err.Error(), "discountQuantity") {
			t.Errorf("err = %v, want one naming discountQuantity", err)
		}
	})
	t.Run("a user account", func(t *testing.T) {
		srv := fakegithubtest.Start(t, poolTestDataset())
		client := fakegithubtest.Client(t, srv, githubapi.Options{})
		if _, err := poolTestCollector(nil).Update(ctx, client, githubapi.Account{Scope: githubapi.ScopeUser, Name: "octocat"}); err == nil {
			t.Error("a user's pool did not fail")
		}
	})
}
