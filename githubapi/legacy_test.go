package githubapi_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"testing"

	"github.com/github-billing-exporter/github-billing-exporter/githubapi"
	"github.com/github-billing-exporter/github-billing-exporter/githubapi/githubtest"
)

// examplesServer is the fake GitHub with every legacy path of the three
// scopes answered by the example bodies.
func examplesServer(t *testing.T) *githubtest.Server {
	t.Helper()
	fake := githubtest.Start(t, nil)
	for _, p := range []struct{ file, prefix string }{
		{"enterprise", "/enterprises/acme"},
		{"org", "/orgs/acme-web"},
		{"user", "/users/octocat"},
	} {
		for _, area := range []string{"actions", "packages", "shared-storage", "advanced-security"} {
			if p.file == "user" && area == "advanced-security" {
				continue
			}
			fake.Override(p.prefix+"/settings/billing/"+area, githubtest.ServeFile(examplesDir+p.file+"-"+area+".json"))
		}
	}
	return fake
}

var legacyAccounts = []struct {
	account githubapi.Account
	prefix  string
}{
	{githubapi.Account{Scope: githubapi.ScopeEnterprise, Name: "acme"}, "/enterprises/acme"},
	{githubapi.Account{Scope: githubapi.ScopeOrganization, Name: "acme-web"}, "/orgs/acme-web"},
	{githubapi.Account{Scope: githubapi.ScopeUser, Name: "octocat"}, "/users/octocat"},
}

func TestActionsBillingExamples(t *testing.T) {
	fake := examplesServer(t)
	c := fake.Client(t, githubapi.Options{})
	for _, a := range legacyAccounts {
		got, err := c.ActionsBilling(context.Background(), a.account)
		if err != nil {
			t.Errorf("%s: %v", a.account, err)
			continue
		}
		if n := fake.Requests(a.prefix + "/settings/billing/actions"); n != 1 {
			t.Errorf("%s: %d requests to %s/settings/billing/actions", a.account, n, a.prefix)
		}
		if got.TotalMinutesUsed != 305 || got.TotalPaidMinutesUsed != 0 || got.IncludedMinutes != 3000 {
			t.Errorf("%s: %+v", a.account, got)
		}
		want := map[string]float64{"UBUNTU": 205, "MACOS": 10, "WINDOWS": 90}
		if len(got.MinutesUsedBreakdown) != len(want) {
			t.Errorf("%s: breakdown %v, want %v", a.account, got.MinutesUsedBreakdown, want)
		}
		for k, v := range want {
			if got.MinutesUsedBreakdown[k] != v {
				t.Errorf("%s: breakdown[%s] = %v, want %v", a.account, k, got.MinutesUsedBreakdown[k], v)
			}
		}
	}
}

func TestPackagesBillingExamples(t *testing.T) {
	fake := examplesServer(t)
	c := fake.Client(t, githubapi.Options{})
	for _, a := range legacyAccounts {
		got, err := c.PackagesBilling(context.Background(), a.account)
		if err != nil {
			t.Errorf("%s: %v", a.account, err)
			continue
		}
		if n := fake.Requests(a.prefix + "/settings/billing/packages"); n != 1 {
			t.Errorf("%s: %d requests", a.account, n)
		}
		want := githubapi.PackagesBilling{TotalGigabytesBandwidthUsed: 50, TotalPaidGigabytesBandwidthUsed: 40, IncludedGigabytesBandwidth: 10}
		if *got != want {
			t.Errorf("%s: %+v, want %+v", a.account, *got, want)
		}
	}
}

func TestSharedStorageBillingExamples(t *testing.T) {
	fake := examplesServer(t)
	c := fake.Client(t, githubapi.Options{})
	for _, a := range legacyAccounts {
		got, err := c.SharedStorageBilling(context.Background(), a.account)
		if err != nil {
			t.Errorf("%s: %v", a.account, err)
			continue
		}
		if n := fake.Requests(a.prefix + "/settings/billing/shared-storage"); n != 1 {
			t.Errorf("%s: %d requests", a.account, n)
		}
		want := githubapi.SharedStorageBilling{DaysLeftInBillingCycle: 20, EstimatedPaidStorageForMonth: 15, EstimatedStorageForMonth: 40}
		if *got != want {
			t.Errorf("%s: %+v, want %+v", a.account, *got, want)
		}
	}
}

func TestAdvancedSecurityExamples(t *testing.T) {
	fake := examplesServer(t)
	c := fake.Client(t, githubapi.Options{})
	for _, a := range legacyAccounts[:2] {
		got, err := c.AdvancedSecurityCommitters(context.Background(), a.account)
		if err != nil {
			t.Errorf("%s: %v", a.account, err)
			continue
		}
		if n := fake.Requests(a.prefix + "/settings/billing/advanced-security"); n != 1 {
			t.Errorf("%s: %d requests, want 1 (no Link header)", a.account, n)
		}
		if got.TotalAdvancedSecurityCommitters != 2 || got.TotalCount != 2 || got.MaximumAdvancedSecurityCommitters != 4 || got.PurchasedAdvancedSecurityCommitters != 4 {
			t.Errorf("%s: totals %+v", a.account, got)
		}
		if len(got.Repositories) != 2 {
			t.Fatalf("%s: %d repositories, want 2", a.account, len(got.Repositories))
		}
		r0, r1 := got.Repositories[0], got.Repositories[1]
		if r0.Name != "octocat-org/Hello-World" || r0.AdvancedSecurityCommitters != 2 || r1.Name != "octocat-org/server" || r1.AdvancedSecurityCommitters != 1 {
			t.Errorf("%s: repositories %+v", a.account, got.Repositories)
		}
		wantC := githubapi.AdvancedSecurityCommitter{UserLogin: "octokitten", LastPushedDate: "2021-10-25", LastPushedEmail: "octokitten@github.com"}
		if len(r0.AdvancedSecurityCommittersBreakdown) != 2 || r0.AdvancedSecurityCommittersBreakdown[1] != wantC {
			t.Errorf("%s: breakdown %+v", a.account, r0.AdvancedSecurityCommittersBreakdown)
		}
	}
}

// The advanced-security request asks for 100 repositories a page.
func TestAdvancedSecurityPerPage(t *testing.T) {
	srv := newRecorder(t, githubtest.ServeString(`{"repositories": []}`))
	c := newClient(t, githubapi.Options{BaseURL: srv.URL})
	if _, err := c.AdvancedSecurityCommitters(context.Background(), githubapi.Account{Scope: githubapi.ScopeEnterprise, Name: "acme"}); err != nil {
		t.Fatal(err)
	}
	got, err := url.ParseQuery(srv.seen()[0].RawQuery)
	if err != nil || got.Get("per_page") != "100" {
		t.Errorf("query %v, want per_page=100", got)
	}
	if p := srv.seen()[0].Path; p != "/enterprises/acme/settings/billing/advanced-security" {
		t.Errorf("path %q", p)
	}
}

// The fake's dataset answers like GitHub: data, 410 when retired, 404 for an
// unknown account.
func TestLegacyAgainstFakeDataset(t *testing.T) {
	d := githubtest.NewDataset()
	d.Organizations["acme-web"] = &githubtest.AccountData{Actions: &githubapi.ActionsBilling{TotalMinutesUsed: 12, MinutesUsedBreakdown: map[string]float64{"MACOS": 12}}}
	d.Users["octocat"] = &githubtest.AccountData{LegacyRetired: true}
	fake := githubtest.Start(t, d)
	c := fake.Client(t, githubapi.Options{})
	ctx := context.Background()

	got, err := c.ActionsBilling(ctx, githubapi.Account{Scope: githubapi.ScopeOrganization, Name: "acme-web"})
	if err != nil || got.TotalMinutesUsed != 12 || got.MinutesUsedBreakdown["MACOS"] != 12 {
		t.Errorf("acme-web: %+v, %v", got, err)
	}
	if _, err := c.PackagesBilling(ctx, githubapi.Account{Scope: githubapi.ScopeUser, Name: "octocat"}); !isStatus(err, http.StatusGone) {
		t.Errorf("retired user: %v, want 410", err)
	}
	if _, err := c.SharedStorageBilling(ctx, githubapi.Account{Scope: githubapi.ScopeOrganization, Name: "nobody"}); !isStatus(err, http.StatusNotFound) {
		t.Errorf("unknown org: %v, want 404", err)
	}
}

func isStatus(err error, code int) bool {
	var apiErr *githubapi.APIError
	return errors.As(err, &apiErr) && apiErr.StatusCode == code
}
