package collector

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/github-billing-exporter/github-billing-exporter/githubapi"
	"github.com/github-billing-exporter/github-billing-exporter/internal/fakegithub/fakegithubtest"
)

// legacyTestAccount is one account of each scope with its legacy path prefix
// and the prefix of its example files.
type legacyTestAccount struct {
	account      githubapi.Account
	pathPrefix   string
	examplesFile string
}

var legacyTestAccounts = []legacyTestAccount{
	{githubapi.Account{Scope: githubapi.ScopeEnterprise, Name: "acme"}, "/enterprises/acme", "enterprise"},
	{githubapi.Account{Scope: githubapi.ScopeOrganization, Name: "acme-web"}, "/orgs/acme-web", "org"},
	{githubapi.Account{Scope: githubapi.ScopeUser, Name: "octocat"}, "/users/octocat", "user"},
}

func legacyTestNew(t *testing.T, name string, o Options) Collector {
	t.Helper()
	f, ok := Lookup(name)
	if !ok {
		t.Fatalf("no collector %q in the table", name)
	}
	return f.new(o)
}

const legacyActionsExpected = `
# HELP github_billing_actions_used_seconds Actions run time used in the billing cycle (total_minutes_used).
# TYPE github_billing_actions_used_seconds gauge
github_billing_actions_used_seconds{account="%[1]s",scope="%[2]s"} 18300
# HELP github_billing_actions_paid_used_seconds Actions run time beyond the included minutes (total_paid_minutes_used).
# TYPE github_billing_actions_paid_used_seconds gauge
github_billing_actions_paid_used_seconds{account="%[1]s",scope="%[2]s"} 0
# HELP github_billing_actions_included_seconds Actions run time included in the plan (included_minutes).
# TYPE github_billing_actions_included_seconds gauge
github_billing_actions_included_seconds{account="%[1]s",scope="%[2]s"} 180000
# HELP github_billing_actions_runner_used_seconds Actions run time used by runner type (minutes_used_breakdown).
# TYPE github_billing_actions_runner_used_seconds gauge
github_billing_actions_runner_used_seconds{account="%[1]s",runner="MACOS",scope="%[2]s"} 600
github_billing_actions_runner_used_seconds{account="%[1]s",runner="UBUNTU",scope="%[2]s"} 12300
github_billing_actions_runner_used_seconds{account="%[1]s",runner="WINDOWS",scope="%[2]s"} 5400
`

const legacyPackagesExpected = `
# HELP github_billing_packages_bandwidth_used_bytes Packages data transfer used in the billing cycle.
# TYPE github_billing_packages_bandwidth_used_bytes gauge
github_billing_packages_bandwidth_used_bytes{account="%[1]s",scope="%[2]s"} 50000000000
# HELP github_billing_packages_paid_bandwidth_used_bytes Packages data transfer beyond the included amount.
# TYPE github_billing_packages_paid_bandwidth_used_bytes gauge
github_billing_packages_paid_bandwidth_used_bytes{account="%[1]s",scope="%[2]s"} 40000000000
# HELP github_billing_packages_included_bandwidth_bytes Packages data transfer included in the plan.
# TYPE github_billing_packages_included_bandwidth_bytes gauge
github_billing_packages_included_bandwidth_bytes{account="%[1]s",scope="%[2]s"} 10000000000
`

const legacySharedStorageExpected = `
# HELP github_billing_shared_storage_estimated_bytes Estimated shared storage (Actions and Packages) for the month.
# TYPE github_billing_shared_storage_estimated_bytes gauge
github_billing_shared_storage_estimated_bytes{account="%[1]s",scope="%[2]s"} 40000000000
# HELP github_billing_shared_storage_estimated_paid_bytes Estimated paid shared storage for the month.
# TYPE github_billing_shared_storage_estimated_paid_bytes gauge
github_billing_shared_storage_estimated_paid_bytes{account="%[1]s",scope="%[2]s"} 15000000000
# HELP github_billing_cycle_remaining_seconds Time left in the billing cycle (days_left_in_billing_cycle).
# TYPE github_billing_cycle_remaining_seconds gauge
github_billing_cycle_remaining_seconds{account="%[1]s",scope="%[2]s"} 1728000
`

func TestLegacyCollectorsAgainstExamples(t *testing.T) {
	for _, tc := range []struct {
		collector, area, expected string
		names                     []string
	}{
		{"actions", "actions", legacyActionsExpected, []string{
			"github_billing_actions_used_seconds", "github_billing_actions_paid_used_seconds",
			"github_billing_actions_included_seconds", "github_billing_actions_runner_used_seconds"}},
		{"packages", "packages", legacyPackagesExpected, []string{
			"github_billing_packages_bandwidth_used_bytes", "github_billing_packages_paid_bandwidth_used_bytes",
			"github_billing_packages_included_bandwidth_bytes"}},
		{"shared_storage", "shared-storage", legacySharedStorageExpected, []string{
			"github_billing_shared_storage_estimated_bytes", "github_billing_shared_storage_estimated_paid_bytes",
			"github_billing_cycle_remaining_seconds"}},
	} {
		for _, a := range legacyTestAccounts {
			t.Run(tc.collector+"/"+string(a.account.Scope), func(t *testing.T) {
				fake := fakegithubtest.Start(t, nil)
				client := fakegithubtest.Client(t, fake, githubapi.Options{})
				path := a.pathPrefix + "/settings/billing/" + tc.area
				fake.Override(path, fakegithubtest.ServeFile(examplesDir+a.examplesFile+"-"+tc.area+".json"))
				c := update(t, legacyTestNew(t, tc.collector, Options{}), client, a.account)

				expected := fmt.Sprintf(tc.expected, a.account.Name, a.account.Scope)
				// No name filter: the collector emits exactly these series.
				expectExposition(t, c, expected)
				if n := fake.Requests(path); n != 1 {
					t.Errorf("%d requests to %s, want 1", n, path)
				}
				if got := testutil.CollectAndCount(c); got != strings.Count(expected, "\ngithub_billing_") {
					t.Errorf("%d series", got)
				}
			})
		}
	}
}

// The breakdown key "total" is GitHub's sum, not a runner; runner keys are
// passed through as GitHub sends them; fractions of minutes survive.
func TestActionsRunnerBreakdown(t *testing.T) {
	fake := fakegithubtest.Start(t, nil)
	client := fakegithubtest.Client(t, fake, githubapi.Options{})
	fake.Override("/orgs/acme-web/settings/billing/actions", fakegithubtest.ServeString(`{"total_minutes_used": 212.5, "total_paid_minutes_used": 12.25, "included_minutes": 200,
			"minutes_used_breakdown": {"UBUNTU": 200, "ubuntu_4_core": 7, "macos_12_core": 5.5, "total": 212.5}}`))
	c := update(t, legacyTestNew(t, "actions", Options{}), client, githubapi.Account{Scope: githubapi.ScopeOrganization, Name: "acme-web"})
	expected := `
# HELP github_billing_actions_used_seconds Actions run time used in the billing cycle (total_minutes_used).
# TYPE github_billing_actions_used_seconds gauge
github_billing_actions_used_seconds{account="acme-web",scope="organization"} 12750
# HELP github_billing_actions_paid_used_seconds Actions run time beyond the included minutes (total_paid_minutes_used).
# TYPE github_billing_actions_paid_used_seconds gauge
github_billing_actions_paid_used_seconds{account="acme-web",scope="organization"} 735
# HELP github_billing_actions_included_seconds Actions run time included in the plan (included_minutes).
# TYPE github_billing_actions_included_seconds gauge
github_billing_actions_included_seconds{account="acme-web",scope="organization"} 12000
# HELP github_billing_actions_runner_used_seconds Actions run time used by runner type (minutes_used_breakdown).
# TYPE github_billing_actions_runner_used_seconds gauge
github_billing_actions_runner_used_seconds{account="acme-web",runner="UBUNTU",scope="organization"} 12000
github_billing_actions_runner_used_seconds{account="acme-web",runner="macos_12_core",scope="organization"} 330
github_billing_actions_runner_used_seconds{account="acme-web",runner="ubuntu_4_core",scope="organization"} 420
`
	if err := testutil.CollectAndCompare(c, strings.NewReader(expected)); err != nil {
		t.Error(err)
	}
}

// An empty breakdown gives no runner series, and the totals still come.
func TestActionsNoBreakdown(t *testing.T) {
	fake := fakegithubtest.Start(t, nil)
	client := fakegithubtest.Client(t, fake, githubapi.Options{})
	fake.Override("/users/octocat/settings/billing/actions", fakegithubtest.ServeString(`{"total_minutes_used": 1, "total_paid_minutes_used": 0, "included_minutes": 2000, "minutes_used_breakdown": {}}`))
	c := update(t, legacyTestNew(t, "actions", Options{}), client, githubapi.Account{Scope: githubapi.ScopeUser, Name: "octocat"})
	if n := testutil.CollectAndCount(c, "github_billing_actions_runner_used_seconds"); n != 0 {
		t.Errorf("%d runner series, want 0", n)
	}
	if n := testutil.CollectAndCount(c); n != 3 {
		t.Errorf("%d series, want 3", n)
	}
}

// A failed fetch is an error that names the account and keeps GitHub's
// error matchable.
func TestLegacyCollectorErrors(t *testing.T) {
	body := examplesDir + "legacy-retired-410.observed.json"
	for _, tc := range []struct {
		collector, area string
	}{{"actions", "actions"}, {"packages", "packages"}, {"shared_storage", "shared-storage"}} {
		fake := fakegithubtest.Start(t, nil)
		client := fakegithubtest.Client(t, fake, githubapi.Options{})
		a := legacyTestAccounts[1]
		fake.Override(a.pathPrefix+"/settings/billing/"+tc.area, func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusGone)
			fakegithubtest.ServeFile(body)(w, r)
		})
		metrics, err := legacyTestNew(t, tc.collector, Options{}).Update(context.Background(), client, a.account)
		if err == nil {
			t.Errorf("%s: no error, %d metrics", tc.collector, len(metrics))
			continue
		}
		if !errors.Is(err, githubapi.ErrRetired) {
			t.Errorf("%s: error %v does not match ErrRetired", tc.collector, err)
		}
		for _, want := range []string{`organization "acme-web"`, "This endpoint has been moved."} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("%s: error %q does not contain %q", tc.collector, err, want)
			}
		}
	}
}

func TestCollectorTable(t *testing.T) {
	want := map[string][]githubapi.Scope{
		"actions":           {githubapi.ScopeEnterprise, githubapi.ScopeOrganization, githubapi.ScopeUser},
		"packages":          {githubapi.ScopeEnterprise, githubapi.ScopeOrganization, githubapi.ScopeUser},
		"shared_storage":    {githubapi.ScopeEnterprise, githubapi.ScopeOrganization, githubapi.ScopeUser},
		"advanced_security": {githubapi.ScopeEnterprise, githubapi.ScopeOrganization},
	}
	seen := map[string]bool{}
	for _, f := range Collectors() {
		if seen[f.Name] {
			t.Errorf("collector %q listed twice", f.Name)
		}
		seen[f.Name] = true
		scopes, ok := want[f.Name]
		if !ok {
			continue
		}
		if !f.DefaultEnabled {
			t.Errorf("%s is off by default", f.Name)
		}
		if f.Help == "" {
			t.Errorf("%s has no help", f.Name)
		}
		for _, s := range []githubapi.Scope{githubapi.ScopeEnterprise, githubapi.ScopeOrganization, githubapi.ScopeUser} {
			applies := false
			for _, w := range scopes {
				applies = applies || w == s
			}
			if f.AppliesTo(s) != applies {
				t.Errorf("%s.AppliesTo(%s) = %v, want %v", f.Name, s, f.AppliesTo(s), applies)
			}
		}
	}
	for name := range want {
		if !seen[name] {
			t.Errorf("collector %q missing from the table", name)
		}
	}
	if _, ok := Lookup("no_such_collector"); ok {
		t.Error("Lookup found an unknown collector")
	}
}

// Encoding/json turns each invalid UTF-8 byte of a key into
// U+FFFD, so two runner keys that differ only in invalid bytes become one
// map key and one value was lost. Both are summed into the U+FFFD runner:
// (5 + 7) minutes = 720 s. A key GitHub repeats is summed too: UBUNTU
// 200 + 10 minutes = 12,600 s.
func TestActionsRunnerKeysThatCollideAreSummed(t *testing.T) {
	fake := fakegithubtest.Start(t, nil)
	client := fakegithubtest.Client(t, fake, githubapi.Options{})
	fake.Override("/orgs/acme-web/settings/billing/actions", fakegithubtest.ServeString("{\"total_minutes_used\": 222, \"total_paid_minutes_used\": 0, \"included_minutes\": 3000,"+
		"\"minutes_used_breakdown\": {\"UBUNTU\": 200, \"\xff\": 5, \"\xfe\": 7, \"UBUNTU\": 10}}"))
	c := update(t, legacyTestNew(t, "actions", Options{}), client, githubapi.Account{Scope: githubapi.ScopeOrganization, Name: "acme-web"})
	expected := `
# HELP github_billing_actions_runner_used_seconds Actions run time used by runner type (minutes_used_breakdown).
# TYPE github_billing_actions_runner_used_seconds gauge
github_billing_actions_runner_used_seconds{account="acme-web",runner="UBUNTU",scope="organization"} 12600
github_billing_actions_runner_used_seconds{account="acme-web",runner="` + "\uFFFD" + `",scope="organization"} 720
`
	if err := testutil.CollectAndCompare(c, strings.NewReader(expected), "github_billing_actions_runner_used_seconds"); err != nil {
		t.Error(err)
	}
}

// A figure too large for its unit conversion (1e300 GB is
// 1e309 bytes, past float64) fails the collector with the field's name,
// instead of exporting +Inf.
func TestLegacyConversionOverflowFails(t *testing.T) {
	for _, tc := range []struct{ area, body, field string }{
		{"packages", `{"total_gigabytes_bandwidth_used": 1e300, "total_paid_gigabytes_bandwidth_used": 0, "included_gigabytes_bandwidth": 10}`, "total_gigabytes_bandwidth_used"},
		{"actions", `{"total_minutes_used": 1, "total_paid_minutes_used": 0, "included_minutes": 3000, "minutes_used_breakdown": {"UBUNTU": -1e307}}`, "minutes_used_breakdown"},
		{"shared-storage", `{"days_left_in_billing_cycle": 3, "estimated_paid_storage_for_month": 0, "estimated_storage_for_month": 1.5e300}`, "estimated_storage_for_month"},
	} {
		fake := fakegithubtest.Start(t, nil)
		client := fakegithubtest.Client(t, fake, githubapi.Options{})
		fake.Override("/orgs/acme-web/settings/billing/"+tc.area, fakegithubtest.ServeString(tc.body))
		name := strings.ReplaceAll(tc.area, "-", "_")
		_, err := legacyTestNew(t, name, Options{}).Update(context.Background(), client, githubapi.Account{Scope: githubapi.ScopeOrganization, Name: "acme-web"})
		if err == nil || !strings.Contains(err.Error(), tc.field) || !strings.Contains(err.Error(), "out of range") {
			t.Errorf("%s: err = %v, want an out-of-range error naming %s", tc.area, err, tc.field)
		}
	}
}
