package check

import (
	"testing"

	"github.com/github-billing-exporter/github-billing-exporter/collector"
	"github.com/github-billing-exporter/github-billing-exporter/githubapi"
)

// Every collector has a grant for every scope it applies to, so that a
// missing-permission row always says what to grant, and no grant names a
// collector or scope that does not exist.
func TestGrantsCoverEveryCollector(t *testing.T) {
	want := 0
	for _, f := range collector.Collectors() {
		for _, s := range []githubapi.Scope{githubapi.ScopeEnterprise, githubapi.ScopeOrganization, githubapi.ScopeUser} {
			_, ok := GrantFor(f.Name, s)
			switch {
			case f.AppliesTo(s) && !ok:
				t.Errorf("%s has no grant for %s accounts", f.Name, s)
			case !f.AppliesTo(s) && ok:
				t.Errorf("%s has a grant for %s accounts, which it does not read", f.Name, s)
			}
			if f.AppliesTo(s) {
				want++
			}
		}
	}
	if len(grants) != want {
		t.Errorf("%d grants, want %d", len(grants), want)
	}
}

// Each enabled collector is probed once per account it applies to, with
// a request it makes itself: budgets' list, not its user states; usage's
// report, not the cost-center or budget list it shares.
func TestPlanOneProbePerAccountAndCollector(t *testing.T) {
	ent := collector.Target{Account: githubapi.Account{Scope: githubapi.ScopeEnterprise, Name: "e"}}
	usr := collector.Target{Account: githubapi.Account{Scope: githubapi.ScopeUser, Name: "u"}}
	var fs []collector.Factory
	for _, name := range []string{"usage", "budgets", "cost_centers", "copilot"} {
		f, _ := collector.Lookup(name)
		fs = append(fs, f)
	}
	probes := Plan(Config{Targets: []collector.Target{ent, usr}, Collectors: fs,
		Options: collector.Options{BudgetConsumption: true, BudgetUserStates: true}})
	var got []string
	for _, p := range probes {
		got = append(got, p.Call.Path(p.Target.Account))
	}
	want := []string{
		"/enterprises/e/settings/billing/usage",
		"/enterprises/e/settings/billing/budgets",
		"/enterprises/e/settings/billing/cost-centers",
		"/enterprises/e/copilot/billing/seats",
		"/users/u/settings/billing/usage",
	}
	if len(got) != len(want) {
		t.Fatalf("probes %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("probe %d: %s, want %s", i, got[i], want[i])
		}
	}
}
