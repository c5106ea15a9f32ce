package fakegithub

import (
	"slices"
	"testing"
	"time"

	"github.com/github-billing-exporter/github-billing-exporter/githubapi"
)

// DemoAccounts names the demo's accounts without building its data: the
// enterprise, its two configured organizations and the user, in the order
// Dataset.Accounts lists them (scope, then name).
func TestDemoAccountsAreTheDemosAccounts(t *testing.T) {
	want := []githubapi.Account{
		{Scope: githubapi.ScopeEnterprise, Name: "acme-corp"},
		{Scope: githubapi.ScopeOrganization, Name: "acme-data"},
		{Scope: githubapi.ScopeOrganization, Name: "acme-web"},
		{Scope: githubapi.ScopeUser, Name: "octocat"},
	}
	if got := DemoAccounts(); !slices.Equal(got, want) {
		t.Errorf("DemoAccounts() = %v, want %v", got, want)
	}
	if got := Demo(time.Date(2027, 1, 31, 23, 59, 59, 0, time.UTC)).Accounts(); !slices.Equal(got, want) {
		t.Errorf("Demo(…).Accounts() = %v, want %v", got, want)
	}
}
