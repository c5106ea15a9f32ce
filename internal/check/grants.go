package check

import (
	"github.com/github-billing-exporter/github-billing-exporter/collector"
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

// Grants of the README's table, by collector and scope: its class's grant
// for every scope the collector applies to. Every collector that applies to
// a scope has an entry (TestGrantsCoverEveryCollector), and each grant is in
// the README's table (TestReadmeTokensTableHoldsTheGrants).
var grants = map[grantKey]Grant{}

func init() {
	// The grants of the README's table, by class of access (a collector's
	// Access) and scope.
	classGrants := map[collector.Access]map[githubapi.Scope]Grant{}
	classGrants[collector.AccessBillingPlatform] = map[githubapi.Scope]Grant{
		enterprise:   {Classic: "manage_billing:enterprise, as enterprise owner or billing manager", FineGrained: "not supported (a classic token, or a GitHub App installed on the enterprise with enterprise billing read)"},
		organization: {Classic: "admin:org, as org admin", FineGrained: "Administration: read"},
		user:         {Classic: "user", FineGrained: "Plan: read"},
	}
	classGrants[collector.AccessLegacyBilling] = map[githubapi.Scope]Grant{
		enterprise:   {Classic: "a token of an enterprise admin", FineGrained: "not supported"},
		organization: {Classic: "repo or admin:org", FineGrained: "not supported"},
		user:         {Classic: "user", FineGrained: "not supported"},
	}
	copilot := map[githubapi.Scope]Grant{
		enterprise:   {Classic: "manage_billing:copilot or read:enterprise", FineGrained: "not supported"},
		organization: {Classic: "manage_billing:copilot or read:org", FineGrained: "GitHub Copilot Business: read, or Administration: read"},
	}
	classGrants[collector.AccessCopilotSeats] = copilot
	// The per-user view and the AI-credit pool start from the seat list
	// (or the organization's Copilot details), the request the check
	// asks; they then need what ai_credits needs too.
	seatsAndCredits := map[githubapi.Scope]Grant{}
	for scope, g := range copilot {
		g.Classic += ", and what ai_credits needs"
		seatsAndCredits[scope] = g
	}
	classGrants[collector.AccessCopilotSeatsAndAICredits] = seatsAndCredits
	// The Copilot usage-metrics reports (API.md §15.1).
	classGrants[collector.AccessCopilotMetrics] = map[githubapi.Scope]Grant{
		enterprise: {
			Classic:     "manage_billing:copilot or read:enterprise, as enterprise owner, billing manager or a role with View Enterprise Copilot Metrics",
			FineGrained: "not supported",
		},
		organization: {
			Classic:     "read:org, as org owner or a role with View Organization Copilot Metrics",
			FineGrained: "Organization Copilot metrics: read",
		},
	}
	classGrants[collector.AccessCostCentersAndBudgets] = map[githubapi.Scope]Grant{
		enterprise:   {Classic: "manage_billing:enterprise", FineGrained: "not supported"},
		organization: {FineGrained: "Administration: read"},
	}
	classGrants[collector.AccessLicenses] = map[githubapi.Scope]Grant{
		enterprise: {Classic: "read:enterprise, as enterprise admin"},
	}
	classGrants[collector.AccessUsageReports] = map[githubapi.Scope]Grant{
		enterprise: {FineGrained: "Enterprise administration: write (even to read)"},
	}
	classGrants[collector.AccessUsageDetail] = map[githubapi.Scope]Grant{
		enterprise: {Classic: "manage_billing:enterprise, as enterprise owner or billing manager",
			FineGrained: "Enterprise administration: write; a GitHub App installed on the enterprise: Enterprise billing: read"},
	}
	classGrants[collector.AccessAdvancedSecurity] = map[githubapi.Scope]Grant{
		organization: {Classic: "admin:org or read:org, as org admin", FineGrained: "Administration: read"},
		enterprise:   {Classic: "read:enterprise, as enterprise admin"},
	}
	for _, f := range collector.Collectors() {
		for _, scope := range f.Scopes {
			if g, ok := classGrants[f.Access][scope]; ok {
				grants[grantKey{f.Name, scope}] = g
			}
		}
	}
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
