package collector_test

import (
	"slices"
	"testing"

	"github.com/github-billing-exporter/github-billing-exporter/collector"
	"github.com/github-billing-exporter/github-billing-exporter/internal/testutil/roundtest"
)

// A round of several collectors asks a shared answer once: by hand for the
// collectors of roundtest.HandWorked (a new default collector is not one of
// them), and for every default collector as Round's rule has it (each
// shared endpoint once, with the largest count declared for it, and every
// other call as its collector declares it).
func TestRoundSharesTheListsOnce(t *testing.T) {
	handWorked := roundtest.Factories(roundtest.HandWorked...)
	defaults := roundtest.Defaults()
	view, _ := collector.Lookup(collector.AICreditsByUser)
	withOptions := func(s collector.Shape, o collector.Options) collector.Shape { s.Options = o; return s }
	for _, c := range []struct {
		what  string
		shape collector.Shape
		view  bool
		want  int
	}{
		// 3 legacy + 3 GHAS pages + 6 usage + summary, premium requests,
		// AI credits + 1 budget page + reports + seat total + 2 seat pages
		// (the pool) + licences; cost_centers reads usage's list, the pool
		// the AI credits' answer.
		{"enterprise, default collectors", collector.DeclEnterprise, false, 3 + 3 + 6 + 3 + 1 + 1 + 1 + 2 + 1},
		// Usage reads the budgets' page.
		{"enterprise, default collectors, budget consumption", withOptions(collector.DeclEnterprise, collector.Options{BudgetConsumption: true}), false, 21},
		// The by-plan view and the pool share the 2 seat pages, which
		// replace the seat total: 21 - 1.
		{"enterprise, default collectors, seats by plan", withOptions(collector.DeclEnterprise, collector.Options{CopilotByPlan: true}), false, 20},
		// The view reads usage's cost-center list: 21 + 117 - 1 (its own
		// seat pages and AI-credit answers are read on its own schedule).
		{"enterprise, default collectors and the per-user view", collector.DeclEnterprise, true, 137},
		// 3 legacy + GHAS, usage, summary, premium requests, AI credits,
		// budgets, Copilot; the pool reads Copilot's and the AI credits'
		// answers.
		{"organization, default collectors", collector.DeclOrganization, false, 10},
		{"organization, default collectors, budget consumption", withOptions(collector.DeclOrganization, collector.Options{BudgetConsumption: true}), false, 10},
		{"user, default collectors", collector.DeclUser, false, 7},
	} {
		hand, all := handWorked, defaults
		if c.view {
			hand, all = append(slices.Clone(hand), view), append(slices.Clone(all), view)
		}
		if got := collector.Total(collector.Round(c.shape, hand)); got != c.want {
			t.Errorf("%s: %d requests a round, want %d", c.what, got, c.want)
		}
		expectRoundRule(t, c.what+", every default collector", c.shape, all)
	}
}

// expectRoundRule checks Round(s, fs) against what each collector of fs
// declares: a shared endpoint once, with the largest count declared for it;
// every other call as declared.
func expectRoundRule(t *testing.T, what string, s collector.Shape, fs []collector.Factory) {
	t.Helper()
	shared := map[string]int{} // the largest count declared for a shared endpoint
	own := 0                   // the requests of the calls not shared
	for _, f := range fs {
		for _, c := range f.Calls(s) {
			if c.Shared {
				shared[c.Endpoint] = max(shared[c.Endpoint], c.Count)
			} else {
				own += c.Count
			}
		}
	}
	seen := map[string]bool{}
	gotOwn := 0
	for _, c := range collector.Round(s, fs) {
		if !c.Shared {
			gotOwn += c.Count
			continue
		}
		if seen[c.Endpoint] {
			t.Errorf("%s: the round asks %s twice", what, c.Endpoint)
		}
		seen[c.Endpoint] = true
		if c.Count != shared[c.Endpoint] {
			t.Errorf("%s: the round asks %s %d times, want %d (the most a collector declares)", what, c.Endpoint, c.Count, shared[c.Endpoint])
		}
	}
	if len(seen) != len(shared) {
		t.Errorf("%s: the round asks %d shared endpoints, want %d", what, len(seen), len(shared))
	}
	if gotOwn != own {
		t.Errorf("%s: the round asks %d requests of calls not shared, want %d", what, gotOwn, own)
	}
}
