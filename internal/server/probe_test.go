package server

import (
	"net/http"
	"strings"
	"testing"

	"github.com/github-billing-exporter/github-billing-exporter/internal/testutil"
)

// seriesOf lists the sample lines of body that carry account="name".
func seriesOf(body, account string) []string {
	var out []string
	for line := range strings.SplitSeq(body, "\n") {
		if !strings.HasPrefix(line, "#") && strings.Contains(line, `account="`+account+`"`) {
			out = append(out, line)
		}
	}
	return out
}

func TestProbeKnownTargetServesOnlyThatAccount(t *testing.T) {
	env := newTestEnv(t, "organizations: [{name: acme-web}, {name: acme-data}]\n", testEnvOptions{})
	code, _, body := env.get(t, http.MethodGet, "/probe?target=acme-web", nil)
	if code != http.StatusOK {
		t.Fatalf("/probe?target=acme-web: %d %s", code, body)
	}
	// 305 minutes by hand: 305 × 60 = 18300 seconds.
	if !testutil.HasLine(body, `github_billing_actions_used_seconds{account="acme-web",scope="organization"} 18300`) ||
		!testutil.HasLine(body, `github_billing_scrape_collector_success{account="acme-web",collector="actions",scope="organization"} 1`) {
		t.Errorf("probe answer lacks acme-web's data:\n%s", body)
	}
	if other := seriesOf(body, "acme-data"); len(other) > 0 {
		t.Errorf("probe of acme-web serves acme-data: %q", other)
	}
	for _, self := range []string{"go_", "process_", "promhttp_", "github_billing_api_", "github_billing_config_", "github_billing_exporter_build_info"} {
		if strings.Contains(body, "\n"+self) || strings.HasPrefix(body, self) {
			t.Errorf("probe answer carries the exporter's own metric %s*", self)
		}
	}
	// Only acme-web was asked for.
	if n := env.fake.Requests("/orgs/acme-data/settings/billing/actions"); n != 0 {
		t.Errorf("probing acme-web made %d requests for acme-data", n)
	}
	if n := env.fake.Requests("/orgs/acme-web/settings/billing/actions"); n != 1 {
		t.Errorf("probing acme-web made %d requests for its actions billing, want 1", n)
	}
}

func TestProbeBadTargets(t *testing.T) {
	env := newTestEnv(t, "organizations: [{name: acme-web}, {name: octocat}]\nusers: [{name: octocat}]\n", testEnvOptions{})
	for _, tc := range []struct {
		query, want string
	}{
		{"", "target parameter is missing"},
		{"?target=", "target parameter is missing"},
		{"?target=nope", `unknown target "nope"`},
		{"?target=enterprise/acme-web", `unknown target "enterprise/acme-web"`},
		{"?target=octocat", "several scopes"},
	} {
		code, _, body := env.get(t, http.MethodGet, "/probe"+tc.query, nil)
		if code != http.StatusBadRequest || !strings.Contains(body, tc.want) {
			t.Errorf("/probe%s: %d %q, want 400 saying %q", tc.query, code, body, tc.want)
		}
	}
	if n := env.fake.TotalRequests(); n != 0 {
		t.Errorf("bad probes made %d requests to GitHub", n)
	}
	// SCOPE/ACCOUNT picks one of two accounts with the same name.
	code, _, body := env.get(t, http.MethodGet, "/probe?target=user/octocat", nil)
	if code != http.StatusOK || !testutil.HasLine(body, `github_billing_endpoint_retired{account="octocat",collector="actions",scope="user"} 1`) {
		t.Fatalf("/probe?target=user/octocat: %d\n%s", code, body)
	}
	if strings.Contains(body, `scope="organization"`) {
		t.Errorf("probe of user/octocat serves the organization octocat")
	}
}

// With --web.probe-only, /metrics holds only the exporter's own metrics and
// never refreshes an account: sharded replicas can all be scraped there.
func TestProbeOnlyMetricsServeNoAccounts(t *testing.T) {
	env := newTestEnv(t, "organizations: [{name: acme-web}]\n", testEnvOptions{})
	env.srv.conf.ProbeOnly = true
	body := env.metrics(t)
	if accounts := seriesOf(body, "acme-web"); len(accounts) > 0 {
		t.Errorf("/metrics with --web.probe-only serves account series: %q", accounts)
	}
	if !testutil.HasLine(body, "github_billing_config_last_reload_successful 1") || !testutil.HasLine(body, "go_goroutines ") {
		t.Errorf("/metrics with --web.probe-only lacks the exporter's own metrics")
	}
	if n := env.fake.TotalRequests(); n != 0 {
		t.Errorf("/metrics with --web.probe-only made %d requests to GitHub", n)
	}
	code, _, probe := env.get(t, http.MethodGet, "/probe?target=acme-web", nil)
	if code != http.StatusOK || len(seriesOf(probe, "acme-web")) == 0 {
		t.Errorf("/probe with --web.probe-only: %d, %d acme-web series", code, len(seriesOf(probe, "acme-web")))
	}
}
