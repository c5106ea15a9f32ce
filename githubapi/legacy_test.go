package githubapi_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/github-billing-exporter/github-billing-exporter/githubapi"
	"github.com/github-billing-exporter/github-billing-exporter/internal/fakegithub"
	"github.com/github-billing-exporter/github-billing-exporter/internal/fakegithub/fakegithubtest"
)

// examplesServer is the fake GitHub with every legacy path of the three
// scopes answered by the example bodies.
func examplesServer(t *testing.T) *fakegithub.Server {
	t.Helper()
	fake := fakegithubtest.Start(t, nil)
	for _, p := range []struct{ file, prefix string }{
		{"enterprise", "/enterprises/acme"},
		{"org", "/orgs/acme-web"},
		{"user", "/users/octocat"},
	} {
		for _, area := range []string{"actions", "packages", "shared-storage", "advanced-security"} {
			if p.file == "user" && area == "advanced-security" {
				continue
			}
			fake.Override(p.prefix+"/settings/billing/"+area, fakegithubtest.ServeFile(examplesDir+p.file+"-"+area+".json"))
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
	c := fakegithubtest.Client(t, fake, githubapi.Options{})
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
	c := fakegithubtest.Client(t, fake, githubapi.Options{})
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
	c := fakegithubtest.Client(t, fake, githubapi.Options{})
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
	c := fakegithubtest.Client(t, fake, githubapi.Options{})
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
	srv := newRecorder(t, fakegithubtest.ServeString(`{"repositories": []}`))
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
	d := fakegithub.NewDataset()
	d.Organizations["acme-web"] = &fakegithub.AccountData{Actions: &githubapi.ActionsBilling{TotalMinutesUsed: 12, MinutesUsedBreakdown: map[string]float64{"MACOS": 12}}}
	d.Users["octocat"] = &fakegithub.AccountData{LegacyRetired: true}
	fake := fakegithubtest.Start(t, d)
	c := fakegithubtest.Client(t, fake, githubapi.Options{})
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

// A 200 whose body is not the endpoint's document is an error naming the
// missing fields, not a success with zeros; extra fields are fine.
func TestLegacyRequiredFields(t *testing.T) {
	ctx := context.Background()
	calls := map[string]func(*githubapi.Client) error{
		"actions": func(c *githubapi.Client) error {
			_, err := c.ActionsBilling(ctx, orgWeb)
			return err
		},
		"packages": func(c *githubapi.Client) error {
			_, err := c.PackagesBilling(ctx, orgWeb)
			return err
		},
		"shared-storage": func(c *githubapi.Client) error {
			_, err := c.SharedStorageBilling(ctx, orgWeb)
			return err
		},
		"advanced-security": func(c *githubapi.Client) error {
			_, err := c.AdvancedSecurityCommitters(ctx, orgWeb)
			return err
		},
	}
	all := map[string][]string{
		"actions":           {"total_minutes_used", "total_paid_minutes_used", "included_minutes", "minutes_used_breakdown"},
		"packages":          {"total_gigabytes_bandwidth_used", "total_paid_gigabytes_bandwidth_used", "included_gigabytes_bandwidth"},
		"shared-storage":    {"days_left_in_billing_cycle", "estimated_paid_storage_for_month", "estimated_storage_for_month"},
		"advanced-security": {"repositories"},
	}
	for _, tc := range []struct {
		area, name, body string
		missing          []string // nil: decodes
	}{
		{"actions", "null", `null`, all["actions"]},
		{"actions", "empty object", `{}`, all["actions"]},
		{"actions", "an error body", `{"message":"hi"}`, all["actions"]},
		{"actions", "no included_minutes", `{"total_minutes_used": 305, "total_paid_minutes_used": 0, "minutes_used_breakdown": {}}`, []string{"included_minutes"}},
		{"actions", "null breakdown", `{"total_minutes_used": 305, "total_paid_minutes_used": 0, "included_minutes": 3000, "minutes_used_breakdown": null}`, []string{"minutes_used_breakdown"}},
		{"actions", "extra fields", `{"total_minutes_used": 305, "total_paid_minutes_used": 0, "included_minutes": 3000, "minutes_used_breakdown": {}, "new": [1]}`, nil},
		{"actions", "keys in other case", `{"Total_Minutes_Used": 305, "TOTAL_PAID_MINUTES_USED": 0, "included_minutes": 3000, "minutes_used_breakdown": {}}`, nil},
		{"packages", "null", `null`, all["packages"]},
		{"packages", "empty object", `{}`, all["packages"]},
		{"packages", "an error body", `{"message":"hi"}`, all["packages"]},
		{"packages", "no paid bandwidth", `{"total_gigabytes_bandwidth_used": 50, "included_gigabytes_bandwidth": 10}`, []string{"total_paid_gigabytes_bandwidth_used"}},
		{"packages", "extra fields", `{"total_gigabytes_bandwidth_used": 50, "total_paid_gigabytes_bandwidth_used": 40, "included_gigabytes_bandwidth": 10, "x": null}`, nil},
		{"shared-storage", "null", `null`, all["shared-storage"]},
		{"shared-storage", "empty object", `{}`, all["shared-storage"]},
		{"shared-storage", "an error body", `{"message":"hi"}`, all["shared-storage"]},
		{"shared-storage", "null days left", `{"days_left_in_billing_cycle": null, "estimated_paid_storage_for_month": 15, "estimated_storage_for_month": 40}`, []string{"days_left_in_billing_cycle"}},
		{"shared-storage", "extra fields", `{"days_left_in_billing_cycle": 20, "estimated_paid_storage_for_month": 15, "estimated_storage_for_month": 40, "unit": "GB"}`, nil},
		{"advanced-security", "null", `null`, all["advanced-security"]},
		{"advanced-security", "empty object", `{}`, all["advanced-security"]},
		{"advanced-security", "an error body", `{"message":"hi"}`, all["advanced-security"]},
		{"advanced-security", "null repositories", `{"total_advanced_security_committers": 2, "total_count": 0, "repositories": null}`, all["advanced-security"]},
		// The schema requires only repositories: the totals may be absent.
		{"advanced-security", "no repositories yet", `{"repositories": []}`, nil},
	} {
		t.Run(tc.area+"/"+tc.name, func(t *testing.T) {
			srv := newRecorder(t, fakegithubtest.ServeString(tc.body))
			err := calls[tc.area](newClient(t, githubapi.Options{BaseURL: srv.URL}))
			if tc.missing == nil {
				if err != nil {
					t.Fatalf("%s: %v", tc.body, err)
				}
				return
			}
			var de *githubapi.DecodeError
			var mf *githubapi.MissingFieldError
			if !errors.As(err, &de) || !errors.As(err, &mf) {
				t.Fatalf("%s: error %v (%T), want a *DecodeError wrapping a *MissingFieldError", tc.body, err, err)
			}
			if !slices.Equal(mf.Fields, tc.missing) {
				t.Errorf("%s: missing %q, want %q", tc.body, mf.Fields, tc.missing)
			}
			for _, f := range tc.missing {
				if !strings.Contains(err.Error(), strconv.Quote(f)) {
					t.Errorf("error %q does not name %s", err, f)
				}
			}
			if de.Endpoint != "/orgs/{org}/settings/billing/"+tc.area {
				t.Errorf("Endpoint = %q", de.Endpoint)
			}
		})
	}
}

// A later page without repositories fails the whole report too.
func TestAdvancedSecurityRequiredFieldOnSecondPage(t *testing.T) {
	srv := newRecorder(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("page") == "2" {
			fmt.Fprint(w, `{"total_count": 2}`)
			return
		}
		w.Header().Set("Link", fmt.Sprintf(`<http://%s%s?page=2>; rel="next"`, r.Host, r.URL.Path))
		fmt.Fprint(w, `{"total_advanced_security_committers": 1, "total_count": 2, "repositories": [{"name": "a/b", "advanced_security_committers": 1}]}`)
	})
	c := newClient(t, githubapi.Options{BaseURL: srv.URL})
	_, err := c.AdvancedSecurityCommitters(context.Background(), orgWeb)
	var mf *githubapi.MissingFieldError
	if !errors.As(err, &mf) || !slices.Equal(mf.Fields, []string{"repositories"}) {
		t.Fatalf("error %v, want repositories missing", err)
	}
}
