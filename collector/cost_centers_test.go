package collector

import (
	"strings"
	"testing"

	"github.com/github-billing-exporter/github-billing-exporter/githubapi"
	"github.com/github-billing-exporter/github-billing-exporter/internal/fakegithub/fakegithubtest"
)

const (
	platformTestCostCenterInfo      = "# HELP github_billing_cost_center_info A cost center of the enterprise; always 1.\n# TYPE github_billing_cost_center_info gauge\n"
	platformTestCostCenterResources = "# HELP github_billing_cost_center_resources Resources (users, organizations, repositories, enterprise teams) assigned to the cost center, by type.\n# TYPE github_billing_cost_center_resources gauge\n"
)

func TestCostCentersCollectorOnTheExample(t *testing.T) {
	srv := fakegithubtest.Start(t, nil)
	client := fakegithubtest.Client(t, srv, githubapi.Options{})
	srv.Override("/enterprises/acme/settings/billing/cost-centers", fakegithubtest.ServeFile(examplesDir+"enterprise-cost-centers-list.json"))
	got := update(t, costCentersCollector{}, client, githubapi.Account{Scope: githubapi.ScopeEnterprise, Name: "acme"})
	// The newest example, verbatim: one cost center with a pool (21000
	// credits, 7250.5 drawn), one without (no pool state: no series).
	want := `# HELP github_billing_cost_center_ai_credit_pool_enabled 1 when the cost center is capped by its own AI-credit pool (ai_credit_pool_enabled), 0 when it draws from the enterprise's shared pool.
# TYPE github_billing_cost_center_ai_credit_pool_enabled gauge
github_billing_cost_center_ai_credit_pool_enabled{account="acme",cost_center="Another Cost Center",cost_center_id="3ffb9ffe-6903-11ee-8c99-0242ac120003",scope="enterprise"} 0
github_billing_cost_center_ai_credit_pool_enabled{account="acme",cost_center="Cost Center Name",cost_center_id="2eeb8ffe-6903-11ee-8c99-0242ac120002",scope="enterprise"} 1
# HELP github_billing_cost_center_ai_credit_pool_target_credits The cost center's AI-credit cap this month, in AI credits (ai_credit_pool_state.target_amount); no series while GitHub sends null.
# TYPE github_billing_cost_center_ai_credit_pool_target_credits gauge
github_billing_cost_center_ai_credit_pool_target_credits{account="acme",cost_center="Cost Center Name",cost_center_id="2eeb8ffe-6903-11ee-8c99-0242ac120002",scope="enterprise"} 21000
# HELP github_billing_cost_center_ai_credit_pool_used_credits AI credits the cost center drew from its pool this month (ai_credit_pool_state.current_amount); no series while GitHub sends null.
# TYPE github_billing_cost_center_ai_credit_pool_used_credits gauge
github_billing_cost_center_ai_credit_pool_used_credits{account="acme",cost_center="Cost Center Name",cost_center_id="2eeb8ffe-6903-11ee-8c99-0242ac120002",scope="enterprise"} 7250.5
` + platformTestCostCenterInfo +
		`github_billing_cost_center_info{account="acme",cost_center="Another Cost Center",cost_center_id="3ffb9ffe-6903-11ee-8c99-0242ac120003",scope="enterprise",state="active"} 1
github_billing_cost_center_info{account="acme",cost_center="Cost Center Name",cost_center_id="2eeb8ffe-6903-11ee-8c99-0242ac120002",scope="enterprise",state="active"} 1
` + platformTestCostCenterResources +
		`github_billing_cost_center_resources{account="acme",cost_center="Another Cost Center",resource_type="Repo",scope="enterprise"} 1
github_billing_cost_center_resources{account="acme",cost_center="Another Cost Center",resource_type="Team",scope="enterprise"} 1
github_billing_cost_center_resources{account="acme",cost_center="Another Cost Center",resource_type="User",scope="enterprise"} 1
github_billing_cost_center_resources{account="acme",cost_center="Cost Center Name",resource_type="Team",scope="enterprise"} 1
github_billing_cost_center_resources{account="acme",cost_center="Cost Center Name",resource_type="User",scope="enterprise"} 1
`
	expectExposition(t, got, want)
}

func TestCostCentersCollectorCountsResourcesByType(t *testing.T) {
	srv := fakegithubtest.Start(t, nil)
	client := fakegithubtest.Client(t, srv, githubapi.Options{})
	srv.Override("/enterprises/acme/settings/billing/cost-centers", fakegithubtest.ServeString(`{"costCenters": [
		{"id": "cc-1", "name": "Platform", "state": "active", "resources": [
			{"type": "User", "name": "a"}, {"type": "User", "name": "b"}, {"type": "Org", "name": "acme-web"},
			{"type": "Repo", "name": "acme-web/x"}, {"type": "User", "name": "c"}]},
		{"id": "cc-2", "name": "Platform", "state": "deleted", "resources": [{"type": "Org", "name": "old"}]},
		{"id": "cc-3", "name": "Empty", "state": "active", "resources": []}
	]}`))
	got := update(t, costCentersCollector{}, client, githubapi.Account{Scope: githubapi.ScopeEnterprise, Name: "acme"})
	// Platform has 3 users, 1 repository and 1+1 organizations: the
	// deleted cost center of the same name adds its organization.
	want := platformTestCostCenterInfo +
		`github_billing_cost_center_info{account="acme",cost_center="Empty",cost_center_id="cc-3",scope="enterprise",state="active"} 1
github_billing_cost_center_info{account="acme",cost_center="Platform",cost_center_id="cc-1",scope="enterprise",state="active"} 1
github_billing_cost_center_info{account="acme",cost_center="Platform",cost_center_id="cc-2",scope="enterprise",state="deleted"} 1
` + platformTestCostCenterResources +
		`github_billing_cost_center_resources{account="acme",cost_center="Platform",resource_type="Org",scope="enterprise"} 2
github_billing_cost_center_resources{account="acme",cost_center="Platform",resource_type="Repo",scope="enterprise"} 1
github_billing_cost_center_resources{account="acme",cost_center="Platform",resource_type="User",scope="enterprise"} 3
`
	expectExposition(t, got, want)
}

// A pool GitHub has not materialised yet: enabled, both amounts null, so no
// target or used series.
func TestCostCentersCollectorPoolNotYetMaterialised(t *testing.T) {
	srv := fakegithubtest.Start(t, nil)
	client := fakegithubtest.Client(t, srv, githubapi.Options{})
	srv.Override("/enterprises/acme/settings/billing/cost-centers", fakegithubtest.ServeString(`{"costCenters": [
		{"id": "cc-1", "name": "Platform", "state": "active", "resources": [], "ai_credit_pool_enabled": true,
		 "ai_credit_pool_state": {"target_amount": null, "current_amount": null}},
		{"id": "cc-2", "name": "Ops", "state": "active", "resources": [], "ai_credit_pool_enabled": true,
		 "ai_credit_pool_state": {"target_amount": 500, "current_amount": null}}
	]}`))
	got := usageTestValues(t, costCentersCollector{}, client, githubapi.Account{Scope: githubapi.ScopeEnterprise, Name: "acme"})
	want := map[string]float64{
		`github_billing_cost_center_ai_credit_pool_enabled{cost_center="Platform",cost_center_id="cc-1"}`:   1,
		`github_billing_cost_center_ai_credit_pool_enabled{cost_center="Ops",cost_center_id="cc-2"}`:        1,
		`github_billing_cost_center_ai_credit_pool_target_credits{cost_center="Ops",cost_center_id="cc-2"}`: 500,
		`github_billing_cost_center_info{cost_center="Ops",cost_center_id="cc-2",state="active"}`:           1,
		`github_billing_cost_center_info{cost_center="Platform",cost_center_id="cc-1",state="active"}`:      1,
	}
	usageTestExpect(t, "pools", got, want)
	for k := range got {
		if strings.Contains(k, "_used_credits") || strings.Contains(k, "target_credits") && strings.Contains(k, "cc-1") {
			t.Errorf("unexpected %s", k)
		}
	}
}
