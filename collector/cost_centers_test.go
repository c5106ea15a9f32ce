package collector

import (
	"testing"

	"github.com/github-billing-exporter/github-billing-exporter/githubapi"
	"github.com/github-billing-exporter/github-billing-exporter/githubapi/githubtest"
)

const (
	platformTestCostCenterInfo      = "# HELP github_billing_cost_center_info A cost center of the enterprise; always 1.\n# TYPE github_billing_cost_center_info gauge\n"
	platformTestCostCenterResources = "# HELP github_billing_cost_center_resources Resources (users, organizations, repositories) assigned to the cost center, by type.\n# TYPE github_billing_cost_center_resources gauge\n"
)

func TestCostCentersCollectorOnTheExample(t *testing.T) {
	srv := githubtest.Start(t, nil)
	client := srv.Client(t, githubapi.Options{})
	srv.Override("/enterprises/acme/settings/billing/cost-centers", githubtest.ServeFile(examplesDir+"enterprise-cost-centers-list.json"))
	got := update(t, costCentersCollector{}, client, githubapi.Account{Scope: githubapi.ScopeEnterprise, Name: "acme"})
	want := platformTestCostCenterInfo +
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
	srv := githubtest.Start(t, nil)
	client := srv.Client(t, githubapi.Options{})
	srv.Override("/enterprises/acme/settings/billing/cost-centers", githubtest.ServeString(`{"costCenters": [
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
