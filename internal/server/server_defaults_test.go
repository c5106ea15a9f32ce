package server

import (
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/github-billing-exporter/github-billing-exporter/collector"
	"github.com/github-billing-exporter/github-billing-exporter/githubapi"
	"github.com/github-billing-exporter/github-billing-exporter/internal/fakegithub"
)

// newServerEnv is newTestEnv with the github block's server key set: its
// line continues the github block that writeConfig writes. The fake GitHub
// listens on loopback, whose kind api_url cannot tell.
func newServerEnv(t *testing.T, server, accountsYAML string, o testEnvOptions) *testEnv {
	t.Helper()
	return newTestEnv(t, "  server: "+server+"\n"+accountsYAML, o)
}

// withPlatform gives the dataset's organizations billing-platform data
// (empty reports), so that the platform collectors work against the fake.
func withPlatform(env *testEnv) {
	env.fake.Update(func(d *fakegithub.Dataset) {
		for _, a := range d.Organizations {
			a.Platform = &fakegithub.PlatformData{}
		}
	})
}

// alerting are the series that fire GitHubBillingCollectorFailing or
// GitHubBillingEndpointRetired.
var alerting = regexp.MustCompile(`(?m)^github_billing_(scrape_collector_success\{.*\} 0|endpoint_retired\{.*\} 1)$`)

// warnings are the log's warnings and errors, such as a refresh's 410 or
// 404.
var warnings = regexp.MustCompile(`(?m)^.* level=(WARN|ERROR) .*$`)

// On github.com the legacy collectors, which GitHub answers 410, are off by
// default: no request, no 410 warning, no series an alert fires on; the log
// and the landing page say which collectors are off and why.
func TestGitHubComDefaultLeavesLegacyCollectorsOff(t *testing.T) {
	env := newServerEnv(t, "github.com", "organizations: [{name: acme-web}]\nusers: [{name: octocat}]\n", testEnvOptions{})
	body := env.metrics(t)
	for _, path := range []string{"/users/octocat/settings/billing/actions", "/orgs/acme-web/settings/billing/packages", "/orgs/acme-web/settings/billing/shared-storage"} {
		if n := env.fake.Requests(path); n != 0 {
			t.Errorf("%s asked %d times, want 0: github.com retired it", path, n)
		}
	}
	if n := env.fake.Requests("/orgs/acme-web/settings/billing/advanced-security"); n != 1 {
		t.Errorf("Advanced Security asked %d times, want 1: github.com serves it", n)
	}
	log := env.log.String()
	if m := warnings.FindAllString(log, -1); len(m) > 0 {
		t.Errorf("the log warns: %q", m)
	}
	if m := alerting.FindAllString(body, -1); len(m) > 0 {
		t.Errorf("series an alert fires on: %q", m)
	}
	if !strings.Contains(log, `msg="collectors off for these accounts" accounts=organization/acme-web,user/octocat off="actions, packages, shared_storage (github.com retired the legacy billing endpoints, which answer 410 Gone)"`) {
		t.Errorf("the log does not name the collectors off and why, once for both accounts:\n%s", log)
	}
	if n := strings.Count(log, "collectors off for these accounts"); n != 1 {
		t.Errorf("the collectors off are logged %d times, want once a load", n)
	}
	_, _, page := env.get(t, http.MethodGet, "/", nil)
	if !strings.Contains(page, "octocat</a></td><td>default</td><td colspan=\"4\">off: actions, packages, shared_storage (github.com retired the legacy billing endpoints, which answer 410 Gone)</td>") {
		t.Errorf("the landing page does not say which of octocat's collectors are off and why:\n%s", page)
	}
}

// On GitHub Enterprise Server only the legacy and Advanced Security
// collectors run by default: the billing platform's, Copilot's and the
// licences' endpoints get no request, and nothing answers 404.
func TestEnterpriseServerDefaultLeavesPlatformCollectorsOff(t *testing.T) {
	env := newServerEnv(t, "enterprise-server", "organizations: [{name: acme-web}]\n", testEnvOptions{collectors: collector.DefaultNames()})
	body := env.metrics(t)
	for path, n := range env.fake.RequestCounts() {
		if !strings.HasPrefix(path, "/orgs/acme-web/settings/billing/") || strings.Contains(path, "copilot") {
			t.Errorf("%s asked %d times: GitHub Enterprise Server does not serve it", path, n)
		}
	}
	if n := env.fake.Requests("/orgs/acme-web/settings/billing/actions"); n != 1 {
		t.Errorf("actions asked %d times, want 1", n)
	}
	log := env.log.String()
	if m := warnings.FindAllString(log, -1); len(m) > 0 {
		t.Errorf("the log warns: %q", m)
	}
	if m := alerting.FindAllString(body, -1); len(m) > 0 {
		t.Errorf("series an alert fires on: %q", m)
	}
	// The collectors table says which collectors GitHub Enterprise Server
	// serves (Factory.EnterpriseServer): of the organization's default
	// collectors, the ones it does not serve are off, in the table's order.
	var served, off []string
	for _, f := range collector.Collectors() {
		switch {
		case !f.DefaultEnabled || !f.AppliesTo(githubapi.ScopeOrganization):
		case f.EnterpriseServer:
			served = append(served, f.Name)
		default:
			off = append(off, f.Name)
		}
	}
	if want := []string{"actions", "packages", "shared_storage", "advanced_security"}; !slices.Equal(served, want) {
		t.Errorf("the collectors table has GitHub Enterprise Server serve %q, want %q", served, want)
	}
	if len(off) == 0 {
		t.Fatal("the collectors table turns no default collector off on GitHub Enterprise Server")
	}
	if !strings.Contains(log, `accounts=organization/acme-web off="`+strings.Join(off, ", ")+` (GitHub Enterprise Server serves only the legacy billing and Advanced Security endpoints)"`) {
		t.Errorf("the log does not name the organization's platform collectors (%s) as off:\n%s", strings.Join(off, ", "), log)
	}
}

// An account's collectors block switches a collector off for that account
// alone; enabled: true brings back one the server's default turns off, and
// so does a --collector flag given on the command line.
func TestAccountCollectorsBlockSwitchesCollectors(t *testing.T) {
	accounts := `organizations:
  - name: acme-web
    collectors: {usage: {enabled: false}, actions: {enabled: true}}
  - name: acme-data
`
	env := newServerEnv(t, "github.com", accounts, testEnvOptions{
		collectors: []string{"actions", "packages", "shared_storage", "usage"},
		explicit:   map[string]bool{"shared_storage": true},
	})
	withPlatform(env)
	env.metrics(t)
	for path, want := range map[string]int{
		"/organizations/acme-web/settings/billing/usage":  0, // its block turns usage off
		"/organizations/acme-data/settings/billing/usage": 1,
		"/orgs/acme-web/settings/billing/actions":         1, // its block turns actions back on
		"/orgs/acme-data/settings/billing/actions":        0, // github.com's default
		"/orgs/acme-web/settings/billing/packages":        0,
		"/orgs/acme-web/settings/billing/shared-storage":  1, // named on the command line
		"/orgs/acme-data/settings/billing/shared-storage": 1,
	} {
		if n := env.fake.Requests(path); n != want {
			t.Errorf("%s asked %d times, want %d", path, n, want)
		}
	}
	log := env.log.String()
	for _, want := range []string{
		`accounts=organization/acme-web off="packages (github.com retired the legacy billing endpoints, which answer 410 Gone); usage (turned off in the configuration's collectors block)"`,
		`accounts=organization/acme-data off="actions, packages (github.com retired the legacy billing endpoints, which answer 410 Gone)"`,
	} {
		if !strings.Contains(log, want) {
			t.Errorf("the log does not say %s:\n%s", want, log)
		}
	}

	// A reload that turns usage back on for acme-web asks it.
	env.writeConfig(t, "  server: github.com\norganizations: [{name: acme-web}, {name: acme-data}]\n")
	if err := env.srv.Reload(); err != nil {
		t.Fatal(err)
	}
	env.metrics(t)
	if n := env.fake.Requests("/organizations/acme-web/settings/billing/usage"); n != 1 {
		t.Errorf("after the reload acme-web's usage asked %d times, want 1", n)
	}
}
