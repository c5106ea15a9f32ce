package check

import (
	"github.com/github-billing-exporter/github-billing-exporter/githubapi"
)

// Grant is what a token needs for one collector and account scope: the
// README's "Tokens and scopes" table, which a missing-permission row
// quotes. An empty field is one GitHub does not document.
type Grant struct {
	// Classic is the classic personal access token's scope, and the role
	// its owner needs.
	Classic string
	// FineGrained is the fine-grained token's permission.
	FineGrained string
}

// grantKey is a collector and an account scope.
type grantKey struct {
	collector string
	scope     githubapi.Scope
}

const (
	enterprise   = githubapi.ScopeEnterprise
	organization = githubapi.ScopeOrganization
	user         = githubapi.ScopeUser
)

// Grants of the README's table, by collector and scope. Every collector
// that applies to a scope has an entry (TestGrantsCoverEveryCollector), and
// each grant is in the README's table (TestReadmeTokensTableHoldsTheGrants).
var grants = map[grantKey]Grant{}

func init() {
	platform := map[githubapi.Scope]Grant{
		enterprise:   {Classic: "manage_billing:enterprise, as enterprise owner or billing manager", FineGrained: "not supported (a classic token, or a GitHub App installed on the enterprise with enterprise billing read)"},
		organization: {Classic: "admin:org, as org admin", FineGrained: "Administration: read"},
		user:         {Classic: "user", FineGrained: "Plan: read"},
	}
	for _, c := range []string{"usage", "usage_summary", "premium_requests", "ai_credits"} {
		for scope, g := range platform {
			grants[grantKey{c, scope}] = g
		}
	}
	legacy := map[githubapi.Scope]Grant{
		enterprise:   {Classic: "a token of an enterprise admin", FineGrained: "not supported"},
		organization: {Classic: "repo or admin:org", FineGrained: "not supported"},
		user:         {Classic: "user", FineGrained: "not supported"},
	}
	for _, c := range []string{"actions", "packages", "shared_storage"} {
		for scope, g := range legacy {
			grants[grantKey{c, scope}] = g
		}
	}
	copilot := map[githubapi.Scope]Grant{
		enterprise:   {Classic: "manage_billing:copilot or read:enterprise", FineGrained: "not supported"},
		organization: {Classic: "manage_billing:copilot or read:org", FineGrained: "GitHub Copilot Business: read, or Administration: read"},
	}
	for scope, g := range copilot {
		grants[grantKey{"copilot", scope}] = g
		// The per-user view starts from the seat list, the request the
		// check asks; it then needs what ai_credits needs too.
		g.Classic += ", and what ai_credits needs"
		grants[grantKey{"ai_credits_by_user", scope}] = g
		// The AI-credit pool reads the seats (or the organization's
		// Copilot details) and the month's AI credits.
		grants[grantKey{"ai_credit_pool", scope}] = g
	}
	// The Copilot usage-metrics reports (API.md §15.1).
	grants[grantKey{"copilot_metrics", enterprise}] = Grant{
		Classic:     "manage_billing:copilot or read:enterprise, as enterprise owner, billing manager or a role with View Enterprise Copilot Metrics",
		FineGrained: "not supported",
	}
	grants[grantKey{"copilot_metrics", organization}] = Grant{
		Classic:     "read:org, as org owner or a role with View Organization Copilot Metrics",
		FineGrained: "Organization Copilot metrics: read",
	}
	enterpriseBilling := Grant{Classic: "manage_billing:enterprise", FineGrained: "not supported"}
	grants[grantKey{"cost_centers", enterprise}] = enterpriseBilling
	grants[grantKey{"budgets", enterprise}] = enterpriseBilling
	grants[grantKey{"budgets", organization}] = Grant{FineGrained: "Administration: read"}
	grants[grantKey{"licenses", enterprise}] = Grant{Classic: "read:enterprise, as enterprise admin"}
	grants[grantKey{"usage_reports", enterprise}] = Grant{FineGrained: "Enterprise administration: write (even to read)"}
	grants[grantKey{"usage_detail", enterprise}] = Grant{Classic: "manage_billing:enterprise, as enterprise owner or billing manager",
		FineGrained: "Enterprise administration: write; a GitHub App installed on the enterprise: Enterprise billing: read"}
	grants[grantKey{"advanced_security", organization}] = Grant{Classic: "admin:org or read:org, as org admin", FineGrained: "Administration: read"}
	grants[grantKey{"advanced_security", enterprise}] = Grant{Classic: "read:enterprise, as enterprise admin"}
}

// GrantFor is what the collector needs for an account of the scope.
func GrantFor(collector string, scope githubapi.Scope) (Grant, bool) {
	g, ok := grants[grantKey{collector, scope}]
	return g, ok
}

// String says what to grant, in one line.
func (g Grant) String() string {
	classic, fine := g.Classic, g.FineGrained
	if classic == "" {
		classic = "not documented"
	}
	if fine == "" {
		fine = "not documented"
	}
	return "classic token: " + classic + "; fine-grained token: " + fine
}
