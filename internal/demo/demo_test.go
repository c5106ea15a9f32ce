package demo

import (
	"slices"
	"testing"
	"time"

	"github.com/github-billing-exporter/github-billing-exporter/githubapi"
)

// accounts names the demo's accounts without building its data: the
// enterprise, its two configured organizations and the user, in the order
// fakegithub.Dataset.Accounts lists them (scope, then name).
func TestDemoAccountsAreTheDemosAccounts(t *testing.T) {
	want := []githubapi.Account{
		{Scope: githubapi.ScopeEnterprise, Name: "acme-corp"},
		{Scope: githubapi.ScopeOrganization, Name: "acme-data"},
		{Scope: githubapi.ScopeOrganization, Name: "acme-web"},
		{Scope: githubapi.ScopeUser, Name: "octocat"},
	}
	if got := accounts(); !slices.Equal(got, want) {
		t.Errorf("accounts() = %v, want %v", got, want)
	}
	if got := Dataset(time.Date(2027, 1, 31, 23, 59, 59, 0, time.UTC)).Accounts(); !slices.Equal(got, want) {
		t.Errorf("Dataset(…).Accounts() = %v, want %v", got, want)
	}
}
