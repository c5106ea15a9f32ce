package cache

import (
	"context"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/github-billing-exporter/github-billing-exporter/collector"
	"github.com/github-billing-exporter/github-billing-exporter/githubapi"
	"github.com/github-billing-exporter/github-billing-exporter/internal/testutil"
	"github.com/github-billing-exporter/github-billing-exporter/internal/testutil/roundtest"
)

// The per-user AI-credit view through the cache: its round spread over
// refreshes, its own refresh interval, and a refusal that fails it for one
// account only.

// aiTestView is the per-user AI-credit view's entry in the collector table.
var aiTestView, _ = collector.Lookup(collector.AICreditsByUser)

// aiTestStep is how far apart the view's refreshes are: its 6h round in six.
var aiTestStep = aiTestView.RefreshInterval / time.Duration(aiTestView.RoundSlices)

// scrapeRound scrapes once per refresh of one whole round of the view, an
// hour apart, and returns the last scrape.
func (f *exporterTestFixture) scrapeRound(t *testing.T) map[string]float64 {
	t.Helper()
	var s map[string]float64
	for i := range aiTestView.RoundSlices {
		if i > 0 {
			f.clock.Advance(aiTestStep)
		}
		s = f.scrape(t, context.Background())
	}
	return s
}

const (
	aiTestGPT    = "GPT-5"
	aiTestClaude = "Claude Sonnet 4.5"
)

func aiUserKey(metric, user, model string) string {
	return dataKey("ai_credit_user_"+metric, "enterprise", "acme", "user", user, "product", "Copilot", "sku", "Copilot AI Credits", "unit_type", "credits", "model", model)
}

func expectNear(t *testing.T, series map[string]float64, k string, want float64) {
	t.Helper()
	got, ok := series[k]
	if !ok {
		t.Errorf("missing %s", k)
		return
	}
	if math.Abs(got-want) > 1e-9 {
		t.Errorf("%s = %v, want %v", k, got, want)
	}
}

// Each user's series are the fake's rows for that user; bob, listed twice
// by the enterprise, is asked for and counted once; dave, who used nothing,
// has no series. A round is six refreshes an hour apart; after it every
// holder has been asked once.
func TestAICreditsByUserValuesAreTheUsersRows(t *testing.T) {
	d := testutil.AICreditsDataset()
	f := newExporterTestFixture(t, d, []string{collector.AICreditsByUser}, collector.Options{})
	s := f.scrapeRound(t)
	expectValue(t, s, exporterMetricKey("scrape_collector_success", collector.AICreditsByUser, "enterprise", "acme"), 1)
	for _, c := range []struct {
		user, model                   string
		grossQ, discQ, netQ, grossUSD float64
		discUSD, netUSD               float64
	}{
		{"alice", aiTestGPT, 1000, 400, 600, 10, 4, 6},
		{"alice", aiTestClaude, 200, 0, 200, 2, 0, 2},
		{"bob", aiTestGPT, 300, 300, 0, 3, 3, 0},
		{"bob", aiTestClaude, 500, 0, 500, 5, 0, 5},
		{"carol", aiTestGPT, 150, 0, 150, 1.5, 0, 1.5},
	} {
		expectNear(t, s, aiUserKey("gross_quantity", c.user, c.model), c.grossQ)
		expectNear(t, s, aiUserKey("discount_quantity", c.user, c.model), c.discQ)
		expectNear(t, s, aiUserKey("net_quantity", c.user, c.model), c.netQ)
		expectNear(t, s, aiUserKey("gross_amount_usd", c.user, c.model), c.grossUSD)
		expectNear(t, s, aiUserKey("discount_amount_usd", c.user, c.model), c.discUSD)
		expectNear(t, s, aiUserKey("net_amount_usd", c.user, c.model), c.netUSD)
	}
	expectAbsent(t, s, aiUserKey("net_amount_usd", "carol", aiTestClaude))
	expectAbsent(t, s, aiUserKey("net_amount_usd", "Bob", aiTestGPT))
	for k := range s {
		if strings.Contains(k, `user="dave"`) || strings.Contains(k, `user="`+collector.OtherUser+`"`) {
			t.Errorf("unexpected series %s", k)
		}
	}
	expectValue(t, s, dataKey("ai_credit_users_folded", "enterprise", "acme"), 0)
	// One round as the view declares it. By hand: one seat page, at the
	// round's start; alice, bob, carol, dave once each (4); cc-1, cc-2 and
	// none once a round (3); the unfiltered answer once a refresh (6):
	// 4+3+6 = 13 AI-credit calls.
	want := roundtest.Round(d, roundtest.Factories(collector.AICreditsByUser), collector.Options{})
	for path, n := range map[string]int{"/enterprises/acme/copilot/billing/seats": 1, "/enterprises/acme/settings/billing/ai_credit/usage": 13} {
		if want[path] != n {
			t.Errorf("the view declares %d requests of %s, want %d", want[path], path, n)
		}
		if got := f.fake.Requests(path); got != want[path] {
			t.Errorf("%d requests of %s, want %d", got, path, want[path])
		}
	}
}

// With a limit of 2 users, carol ($1.50, the smallest spender) is summed
// into __other__; with a limit of 1, bob ($5) is too. Either way the sum
// over users, __other__ included, is the unfiltered total: net $7.50 of
// GPT-5 and $7 of Claude.
func TestAICreditsByUserGuardFoldsTheSmallestSpenders(t *testing.T) {
	for _, c := range []struct {
		limit             int
		kept              []string
		folded            float64
		otherGPT, otherCl float64 // __other__'s net dollars; -1: no series
	}{
		// limit 2: __other__ = carol: GPT-5 $1.50, no Claude.
		{2, []string{"alice", "bob"}, 1, 1.5, -1},
		// limit 1: __other__ = bob + carol: GPT-5 0 + 1.50, Claude 5.
		{1, []string{"alice"}, 2, 1.5, 5},
	} {
		f := newExporterTestFixture(t, testutil.AICreditsDataset(), []string{collector.AICreditsByUser}, collector.Options{AICreditUserLimit: c.limit})
		s := f.scrapeRound(t)
		expectValue(t, s, dataKey("ai_credit_users_folded", "enterprise", "acme"), c.folded)
		for _, u := range c.kept {
			if _, ok := s[aiUserKey("net_amount_usd", u, aiTestGPT)]; !ok {
				t.Errorf("limit %d: %s should keep its own series", c.limit, u)
			}
		}
		expectNear(t, s, aiUserKey("net_amount_usd", collector.OtherUser, aiTestGPT), c.otherGPT)
		if c.otherCl < 0 {
			expectAbsent(t, s, aiUserKey("net_amount_usd", collector.OtherUser, aiTestClaude))
		} else {
			expectNear(t, s, aiUserKey("net_amount_usd", collector.OtherUser, aiTestClaude), c.otherCl)
		}
		expectAbsent(t, s, aiUserKey("net_amount_usd", "carol", aiTestGPT))
		sums := map[string]float64{}
		for k, v := range s {
			if strings.HasPrefix(k, "github_billing_ai_credit_user_net_amount_usd{") && strings.Contains(k, `account="acme"`) {
				if strings.Contains(k, aiTestGPT) {
					sums[aiTestGPT] += v
				} else {
					sums[aiTestClaude] += v
				}
			}
		}
		if math.Abs(sums[aiTestGPT]-7.5) > 1e-9 || math.Abs(sums[aiTestClaude]-7) > 1e-9 {
			t.Errorf("limit %d: sum over users %v, want GPT-5 7.5 and Claude 7 (the unfiltered answer)", c.limit, sums)
		}
	}
}

// The enterprise's credits per cost center, and the part of the unfiltered
// answer they do not account for.
func TestAICreditsByUserPerCostCenterAndReconciliation(t *testing.T) {
	f := newExporterTestFixture(t, testutil.AICreditsDataset(), []string{collector.AICreditsByUser}, collector.Options{})
	s := f.scrape(t, context.Background())
	cc := func(metric, center, model string) string {
		return dataKey("ai_credit_cost_center_"+metric, "enterprise", "acme", "cost_center", center, "product", "Copilot", "sku", "Copilot AI Credits", "unit_type", "credits", "model", model)
	}
	expectNear(t, s, cc("gross_quantity", "Platform", aiTestGPT), 1300)
	expectNear(t, s, cc("discount_amount_usd", "Platform", aiTestGPT), 7)
	expectNear(t, s, cc("net_amount_usd", "Platform", aiTestGPT), 6)
	expectNear(t, s, cc("net_amount_usd", "Platform", aiTestClaude), 6)
	expectNear(t, s, cc("net_amount_usd", "Data", aiTestClaude), 0.5)
	expectNear(t, s, cc("net_amount_usd", "", aiTestGPT), 1.5)
	expectAbsent(t, s, cc("net_amount_usd", "Data", aiTestGPT))
	rec := func(model string) string {
		return dataKey("ai_credit_reconciliation_difference_usd", "enterprise", "acme", "product", "Copilot", "sku", "Copilot AI Credits", "unit_type", "credits", "model", model)
	}
	expectValue(t, s, rec(aiTestGPT), 0)     // 7.50 − (6 + 1.50)
	expectNear(t, s, rec(aiTestClaude), 0.5) // 7 − (6 + 0.50)
}

// acme-web belongs to the enterprise and GitHub refuses it the user filter:
// the view fails for acme-web only, after one refused request a round (the
// round's other five refreshes fail without asking), and says so once in
// the log however many rounds fail; the enterprise's view and acme-web's
// account-wide AI credits keep working.
func TestAICreditsByUser403FailsOnlyThisCollectorForThatAccount(t *testing.T) {
	f := newExporterTestFixture(t, testutil.AICreditsDataset(), []string{"ai_credits", collector.AICreditsByUser}, collector.Options{})
	var s map[string]float64
	for round := range 3 {
		if round > 0 {
			f.clock.Advance(aiTestStep)
		}
		s = f.scrapeRound(t)
	}
	expectValue(t, s, exporterMetricKey("scrape_collector_success", collector.AICreditsByUser, "organization", "acme-web"), 0)
	expectValue(t, s, exporterMetricKey("scrape_collector_success", "ai_credits", "organization", "acme-web"), 1)
	expectValue(t, s, exporterMetricKey("scrape_collector_success", collector.AICreditsByUser, "enterprise", "acme"), 1)
	expectValue(t, s, exporterMetricKey("scrape_collector_success", "ai_credits", "enterprise", "acme"), 1)
	expectNear(t, s, dataKey("ai_credit_net_amount_usd", "organization", "acme-web", "product", "Copilot", "sku", "Copilot AI Credits", "unit_type", "credits", "model", aiTestGPT), 1)
	// 18 scrapes an hour apart: 18 unfiltered calls of ai_credits (10m
	// interval); three rounds of the view, one refused user call each: 21,
	// not one per seat holder or per refresh. One seat page a round.
	if got := f.fake.Requests("/organizations/acme-web/settings/billing/ai_credit/usage"); got != 18+3 {
		t.Errorf("%d ai_credit/usage requests for acme-web, want 21", got)
	}
	if got := f.fake.Requests("/orgs/acme-web/copilot/billing/seats"); got != 3 {
		t.Errorf("%d acme-web seat-list requests, want 3", got)
	}
	if got := f.log.lines("acme-web", "403"); len(got) != 1 {
		t.Errorf("the 403 is logged %d times, want once:\n%s", len(got), strings.Join(got, "\n"))
	} else if !strings.Contains(got[0], "enterprise") {
		t.Errorf("the log line does not point to the enterprise's view: %s", got[0])
	}
}

// The view's round is 6 hours unless told otherwise, spread over six
// refreshes, while the other collectors follow refresh_interval (10m here);
// an account's own interval wins. Over a simulated day scraped every
// minute: ai_credits 24h/10m = 144 rounds per account; the view 24h/6h = 4
// rounds (24 refreshes) for acme and, with its own 12h, 2 rounds (12
// refreshes, 2h apart) for acme-web (one refused call a round).
func TestAICreditsByUserRefreshIntervalOverASimulatedDay(t *testing.T) {
	d := testutil.AICreditsDataset()
	f := newExporterTestFixture(t, d, []string{"ai_credits", collector.AICreditsByUser}, collector.Options{})
	web := githubapi.Account{Scope: githubapi.ScopeOrganization, Name: "acme-web"}
	acme := githubapi.Account{Scope: githubapi.ScopeEnterprise, Name: "acme"}
	f.exp.Apply(exporterTestSettings, []collector.Target{
		{Account: acme, Client: f.client},
		{Account: web, Client: f.client, RefreshIntervals: map[string]time.Duration{collector.AICreditsByUser: 12 * time.Hour}},
	})
	// Each minute's scrape is written in the text format, as /metrics
	// answers it; the families are gathered (and so checked) after the
	// scrapes whose refreshes asked GitHub, the only ones that change the
	// cache, and after the day's last scrape, which the checks below read.
	var s map[string]float64
	for tick := time.Duration(0); tick < 24*time.Hour; tick += time.Minute {
		before := f.fake.TotalRequests()
		writeSnapshot(t, f.exp.Scrape(context.Background(), nil), FormatText)
		if f.fake.TotalRequests() != before || tick+time.Minute >= 24*time.Hour {
			s = f.scrape(t, context.Background())
		}
		f.clock.Advance(time.Minute)
	}
	// acme: 144 rounds of ai_credits and 4 of the view, as they declare
	// them. By hand: one seat page a round, 4; 144 unfiltered calls of
	// ai_credits, the view's 4 rounds × (4 users + 3 cost centers) = 28 and
	// its 24 refreshes' unfiltered calls: 144 + 28 + 24 = 196.
	credits := roundtest.Round(d, roundtest.Factories("ai_credits"), collector.Options{})
	view := roundtest.Round(d, roundtest.Factories(collector.AICreditsByUser), collector.Options{})
	for path, n := range map[string]int{"/enterprises/acme/copilot/billing/seats": 4, "/enterprises/acme/settings/billing/ai_credit/usage": 196} {
		want := 144*credits[path] + 4*view[path]
		if want != n {
			t.Errorf("the declarations make %d requests of %s in a day, want %d", want, path, n)
		}
		if got := f.fake.Requests(path); got != want {
			t.Errorf("%d requests of %s in a day, want %d", got, path, want)
		}
	}
	if got := f.fake.Requests("/orgs/acme-web/copilot/billing/seats"); got != 2 {
		t.Errorf("%d acme-web seat-list requests in a day, want 2 (every 12h)", got)
	}
	// acme-web: 144 + 2 refused user calls.
	if got := f.fake.Requests("/organizations/acme-web/settings/billing/ai_credit/usage"); got != 146 {
		t.Errorf("%d acme-web ai_credit/usage requests in a day, want 146", got)
	}
	expectValue(t, s, exporterMetricKey("collector_refresh_interval_seconds", collector.AICreditsByUser, "enterprise", "acme"), 6*3600)
	expectValue(t, s, exporterMetricKey("collector_refresh_interval_seconds", collector.AICreditsByUser, "organization", "acme-web"), 12*3600)
	expectValue(t, s, exporterMetricKey("collector_refresh_interval_seconds", "ai_credits", "enterprise", "acme"), 600)
	// The view's last refresh was 59m ago: its data is served.
	expectValue(t, s, exporterMetricKey("scrape_collector_success", collector.AICreditsByUser, "enterprise", "acme"), 1)
}

// One round is six refreshes an hour apart. The four holders (alice, bob,
// carol, dave) are cut into slices of 1, 1, 0, 1, 1, 0: each refresh asks
// its slice and the unfiltered answer, and user="__other__" is what the
// users asked so far do not account for, so the sum over users is the
// unfiltered total after every refresh. The seat list and the cost centers
// are read at the round's start only.
func TestAICreditsByUserRoundIsSpreadOverSixRefreshes(t *testing.T) {
	f := newExporterTestFixture(t, testutil.AICreditsDataset(), []string{collector.AICreditsByUser}, collector.Options{})
	const calls = "/enterprises/acme/settings/billing/ai_credit/usage"
	for i, c := range []struct {
		users          []string // with series after this refresh
		otherGPT       float64  // __other__'s GPT-5 net dollars
		otherClaude    float64  // -1: no series
		seats, aiCalls int      // requests so far
	}{
		// alice: __other__ = bob + carol: GPT-5 0 + 1.50, Claude 5. One
		// user, the unfiltered answer and cc-1, cc-2, none: 5 calls.
		{[]string{"alice"}, 1.5, 5, 1, 5},
		// bob: __other__ = carol, GPT-5 1.50. +2.
		{[]string{"alice", "bob"}, 1.5, -1, 1, 7},
		// an empty slice: the unfiltered answer only. +1.
		{[]string{"alice", "bob"}, 1.5, -1, 1, 8},
		// carol: nothing left over. +2.
		{[]string{"alice", "bob", "carol"}, -1, -1, 1, 10},
		// dave, who used nothing. +2.
		{[]string{"alice", "bob", "carol"}, -1, -1, 1, 12},
		{[]string{"alice", "bob", "carol"}, -1, -1, 1, 13},
		// The next round starts again with the seat list, alice and the
		// cost centers: +5; bob and carol keep their last answers.
		{[]string{"alice", "bob", "carol"}, -1, -1, 2, 18},
	} {
		if i > 0 {
			f.clock.Advance(aiTestStep)
		}
		s := f.scrape(t, context.Background())
		for _, u := range c.users {
			if _, ok := s[aiUserKey("net_amount_usd", u, aiTestGPT)]; !ok {
				t.Errorf("refresh %d: no series for %s", i+1, u)
			}
		}
		if c.otherGPT < 0 {
			expectAbsent(t, s, aiUserKey("net_amount_usd", collector.OtherUser, aiTestGPT))
		} else {
			expectNear(t, s, aiUserKey("net_amount_usd", collector.OtherUser, aiTestGPT), c.otherGPT)
		}
		if c.otherClaude < 0 {
			expectAbsent(t, s, aiUserKey("net_amount_usd", collector.OtherUser, aiTestClaude))
		} else {
			expectNear(t, s, aiUserKey("net_amount_usd", collector.OtherUser, aiTestClaude), c.otherClaude)
		}
		var gpt, claude float64
		for k, v := range s {
			if strings.HasPrefix(k, "github_billing_ai_credit_user_net_amount_usd{") && strings.Contains(k, `account="acme"`) {
				if strings.Contains(k, aiTestGPT) {
					gpt += v
				} else {
					claude += v
				}
			}
		}
		if math.Abs(gpt-7.5) > 1e-9 || math.Abs(claude-7) > 1e-9 {
			t.Errorf("refresh %d: sum over users GPT-5 %v, Claude %v; want 7.5 and 7", i+1, gpt, claude)
		}
		// The cost centers' series stay through the round.
		expectNear(t, s, dataKey("ai_credit_cost_center_net_amount_usd", "enterprise", "acme", "cost_center", "Data", "product", "Copilot", "sku", "Copilot AI Credits", "unit_type", "credits", "model", aiTestClaude), 0.5)
		if got := f.fake.Requests("/enterprises/acme/copilot/billing/seats"); got != c.seats {
			t.Errorf("refresh %d: %d seat-list requests, want %d", i+1, got, c.seats)
		}
		if got := f.fake.Requests(calls); got != c.aiCalls {
			t.Errorf("refresh %d: %d ai_credit/usage requests, want %d", i+1, got, c.aiCalls)
		}
	}
}
