package collector

import (
	"net/url"
	"reflect"
	"strings"
	"testing"

	"github.com/github-billing-exporter/github-billing-exporter/githubapi"
	"github.com/github-billing-exporter/github-billing-exporter/internal/fakegithub/fakegithubtest"
)

// GitHub's example, verbatim: 5000 consumed, 4500 purchased, read with one
// page of one user.
func TestLicensesCollectorOnTheExample(t *testing.T) {
	srv := fakegithubtest.Start(t, nil)
	client := fakegithubtest.Client(t, srv, githubapi.Options{})
	var q fakegithubtest.Queries
	srv.Override("/enterprises/acme/consumed-licenses", q.Wrap(fakegithubtest.ServeFile(examplesDir+"enterprise-consumed-licenses.json")))
	got := update(t, licensesCollector{}, client, githubapi.Account{Scope: githubapi.ScopeEnterprise, Name: "acme"})
	want := `# HELP github_billing_enterprise_licenses_consumed Enterprise seat licences in use (total_seats_consumed of consumed-licenses).
# TYPE github_billing_enterprise_licenses_consumed gauge
github_billing_enterprise_licenses_consumed{account="acme",scope="enterprise"} 5000
# HELP github_billing_enterprise_licenses_purchased Enterprise seat licences purchased (total_seats_purchased of consumed-licenses).
# TYPE github_billing_enterprise_licenses_purchased gauge
github_billing_enterprise_licenses_purchased{account="acme",scope="enterprise"} 4500
`
	expectExposition(t, got, want)
	if qs := q.All(); !reflect.DeepEqual(qs, []url.Values{{"per_page": {"1"}}}) {
		t.Errorf("queries %v, want one with per_page=1", qs)
	}
}

func TestLicensesCollectorRefusesAnswerWithoutTotals(t *testing.T) {
	srv := fakegithubtest.Start(t, nil)
	client := fakegithubtest.Client(t, srv, githubapi.Options{})
	srv.Override("/enterprises/acme/consumed-licenses", fakegithubtest.ServeString(`{"total_seats_consumed": 3, "users": []}`))
	_, err := licensesCollector{}.Update(t.Context(), client, githubapi.Account{Scope: githubapi.ScopeEnterprise, Name: "acme"})
	if err == nil || !strings.Contains(err.Error(), `"total_seats_purchased"`) {
		t.Errorf("error %v, want one naming total_seats_purchased", err)
	}
}
