package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/github-billing-exporter/github-billing-exporter/collector"
	"github.com/github-billing-exporter/github-billing-exporter/githubapi"
	"github.com/github-billing-exporter/github-billing-exporter/internal/check"
	"github.com/github-billing-exporter/github-billing-exporter/internal/demo"
	"github.com/github-billing-exporter/github-billing-exporter/internal/fakegithub"
	"github.com/github-billing-exporter/github-billing-exporter/internal/fakegithub/fakegithubtest"
	"github.com/github-billing-exporter/github-billing-exporter/internal/testutil"
	"github.com/github-billing-exporter/github-billing-exporter/internal/testutil/roundtest"
)

// checkTestConfig writes a configuration for the fake at apiURL with
// testutil.Token and the accounts block given.
func checkTestConfig(t *testing.T, apiURL, accounts string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "token"), []byte(testutil.Token+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(dir, "exporter.yml")
	content := "github:\n  api_url: " + apiURL + "\n  token_file: token\n" + accounts
	if err := os.WriteFile(cfg, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return cfg
}

// checkRow matches a row of the check's table: account, collector, result
// (with the status) and what to do.
var checkRow = regexp.MustCompile(`^((?:enterprise|organization|user) "[^"]+")\s+(\S+)\s+(.+?)(?:\s{2,}(.*))?$`)

// checkRows are the rows of the check's table by "account collector":
// the result and what to do.
func checkRows(t *testing.T, out string) map[string][2]string {
	t.Helper()
	rows := map[string][2]string{}
	for line := range strings.SplitSeq(out, "\n") {
		if m := checkRow.FindStringSubmatch(line); m != nil {
			key := m[1] + " " + m[2]
			if _, dup := rows[key]; dup {
				t.Errorf("row %s twice", key)
			}
			rows[key] = [2]string{m[3], m[4]}
		}
	}
	return rows
}

// The check tests work out the rows and requests of the collectors of
// roundtest.HandWorked by hand. They name them on the command line
// (checkTestArgs), so that a new default collector leaves the hand-worked
// figures as they are; the default collectors are checked by property
// (checkDefaultKeys).

// checkTestArgs turns every collector off but the ones named.
func checkTestArgs(names ...string) []string {
	args := []string{"--collector.disable-defaults"}
	for _, n := range names {
		args = append(args, "--collector."+n)
	}
	return args
}

// checkKeys are the rows ("account collector", as checkRows has them) of a
// check of the collectors named for the accounts: each collector that
// applies to the account's scope and that off does not turn off for the
// account.
func checkKeys(accounts []githubapi.Account, names []string, off func(githubapi.Account, string) bool) map[string]bool {
	keys := map[string]bool{}
	for _, a := range accounts {
		for _, n := range names {
			f, ok := collector.Lookup(n)
			if ok && f.AppliesTo(a.Scope) && (off == nil || !off(a, n)) {
				keys[fmt.Sprintf("%s %q %s", a.Scope, a.Name, n)] = true
			}
		}
	}
	return keys
}

// checkDefaultKeys are checkKeys of every collector on by default
// (collector.DefaultNames).
func checkDefaultKeys(accounts []githubapi.Account, off func(githubapi.Account, string) bool) map[string]bool {
	return checkKeys(accounts, collector.DefaultNames(), off)
}

// checkClasses are the check's classes: a row's result is one of them,
// followed by the answer's status when there is one.
var checkClasses = []check.Class{check.Works, check.MissingPermission, check.TokenRefused, check.NoSuchAccount, check.NotOnServer,
	check.Retired, check.RateLimited, check.NetworkError, check.ServerError, check.Unexpected}

// classified says whether a row's result is one of checkClasses.
func classified(result string) bool {
	for _, c := range checkClasses {
		if result == string(c) || strings.HasPrefix(result, string(c)+" (") {
			return true
		}
	}
	return false
}

// sameKeys reports, as one error each, the rows of got that want does not
// have and the keys of want that got has no row for.
func sameKeys(t *testing.T, what string, got map[string][2]string, want map[string]bool) {
	t.Helper()
	for key := range got {
		if !want[key] {
			t.Errorf("%s: row %s, which no collector of the run stands for", what, key)
		}
	}
	for key := range want {
		if _, ok := got[key]; !ok {
			t.Errorf("%s: no row %s", what, key)
		}
	}
}

// enterprisePermission is the fake enterprise's answer to every
// billing-platform, Advanced Security, Copilot and licence request: 403
// with the fine-grained permission GitHub wants.
const enterprisePermission = "enterprise_administration=read"

// The scenario, through the real command: the enterprise answers
// 403 with X-Accepted-GitHub-Permissions (its legacy endpoints 410), the
// misspelt organization 404 everywhere, the real organization 410 on the
// legacy endpoints and 200 elsewhere. For roundtest.HandWorked every row's
// class is worked out by hand; the command spends the requests it
// announced and exits 1. A check of the default collectors then has a row,
// classified, for each default collector of each account's scope, the same
// class for those of roundtest.HandWorked.
func TestCheckCommandClassifiesEveryRow(t *testing.T) {
	d := demo.Dataset(backfillTestNow)
	for _, a := range []*fakegithub.AccountData{d.Enterprises[demo.Enterprise], d.Organizations[demo.OrgWeb]} {
		a.LegacyRetired = true
	}
	fake := fakegithubtest.Start(t, d)
	fake.SetClock(backfillTestClock)
	fake.RequireToken(testutil.Token)
	// The first request of each enterprise collector, by hand from the
	// collectors' declarations.
	enterprise403 := []string{
		"/settings/billing/advanced-security", "/settings/billing/usage", "/settings/billing/usage/summary",
		"/settings/billing/premium_request/usage", "/settings/billing/ai_credit/usage", "/settings/billing/cost-centers",
		"/settings/billing/budgets", "/settings/billing/reports", "/copilot/billing/seats", "/consumed-licenses",
	}
	for _, p := range enterprise403 {
		fake.Override("/enterprises/acme-corp"+p, func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("X-Accepted-GitHub-Permissions", enterprisePermission)
			fakegithub.WriteError(w, http.StatusForbidden, "Resource not accessible by personal access token")
		})
	}
	cfg := checkTestConfig(t, fake.URL, "enterprises: [{name: acme-corp}]\norganizations: [{name: acme-web}, {name: acme-wbe}]\n")

	const (
		works      = "works"
		permission = "missing permission (403)"
		noAccount  = "no such account or not visible to this token (404)"
		retired    = "retired on this server (410)"
	)
	want := map[string]string{}
	for _, c := range []string{"actions", "packages", "shared_storage"} {
		want[`enterprise "acme-corp" `+c] = retired
		want[`organization "acme-web" `+c] = retired
		want[`organization "acme-wbe" `+c] = noAccount
	}
	for _, c := range []string{"advanced_security", "usage", "usage_summary", "premium_requests", "ai_credits", "cost_centers", "budgets", "usage_reports", "copilot", "ai_credit_pool", "licenses"} {
		want[`enterprise "acme-corp" `+c] = permission
	}
	for _, c := range []string{"advanced_security", "usage", "usage_summary", "premium_requests", "ai_credits", "budgets", "copilot", "ai_credit_pool"} {
		want[`organization "acme-web" `+c] = works
		want[`organization "acme-wbe" `+c] = noAccount
	}

	stdout, stderr := testutil.OutputFile(t), testutil.OutputFile(t)
	code := runAt(backfillTestClock, append([]string{"--config.file=" + cfg, "check"}, checkTestArgs(roundtest.HandWorked...)...), stdout, stderr)
	out, log := testutil.ReadOutput(t, stdout), testutil.ReadOutput(t, stderr)
	if code != 1 {
		t.Errorf("exit %d, want 1\n%s\n%s", code, out, log)
	}
	got := checkRows(t, out)
	for key, class := range want {
		row, ok := got[key]
		switch {
		case !ok:
			t.Errorf("no row %s", key)
		case row[0] != class:
			t.Errorf("%s: %q, want %q", key, row[0], class)
		case class == permission && (!strings.Contains(row[1], "GitHub asks for: "+enterprisePermission) || !strings.Contains(row[1], "classic token: ")):
			t.Errorf("%s: %q does not name the grant and GitHub's permission", key, row[1])
		case class == retired && !strings.Contains(row[1], "--no-collector."+strings.Fields(key)[2]):
			t.Errorf("%s: %q does not say how to turn the collector off", key, row[1])
		case class == noAccount && !strings.Contains(row[1], `"acme-wbe"`):
			t.Errorf("%s: %q does not name the account", key, row[1])
		}
	}
	if len(got) != len(want) {
		t.Errorf("%d rows, want %d:\n%s", len(got), len(want), out)
	}
	// The licences of an enterprise need read:enterprise, its usage
	// manage_billing:enterprise: the README's table.
	if !strings.Contains(got[`enterprise "acme-corp" licenses`][1], "read:enterprise") || !strings.Contains(got[`enterprise "acme-corp" usage`][1], "manage_billing:enterprise") {
		t.Errorf("the grants are not the README's:\n%s", out)
	}
	// The enterprise: 3 legacy + the 11 others of roundtest.HandWorked; each
	// organization: 3 legacy + 8 (no cost_centers, usage_reports or
	// licenses, which only an enterprise has): 14 + 2 × 11 = 36 rows, one
	// request each. acme-web's 8 work: 36 - 8 = 28 cannot.
	n := len(want)
	if !strings.Contains(out, "with 36 request(s) to GitHub") || n != 36 {
		t.Errorf("the plan does not state %d requests:\n%s", n, out)
	}
	if !strings.Contains(out, "Spent 36 request(s). 8 of 36 collector check(s) work, 28 cannot work.") {
		t.Errorf("the summary does not say 36 spent, 8 working:\n%s", out)
	}
	if fake.TotalRequests() != n {
		t.Errorf("GitHub heard %d requests, want %d", fake.TotalRequests(), n)
	}
	for _, p := range enterprise403 {
		// The seat list is the first request of copilot and of
		// ai_credit_pool: asked by each.
		want := 1
		if p == "/copilot/billing/seats" {
			want = 2
		}
		if r := fake.Requests("/enterprises/acme-corp" + p); r != want {
			t.Errorf("%s asked %d times, want %d", p, r, want)
		}
	}
	for _, class := range []string{"missing permission: ", "no such account or not visible to this token: ", "retired on this server: "} {
		if !strings.Contains(out, "\n  "+class) {
			t.Errorf("the legend does not explain %q:\n%s", class, out)
		}
	}

	// The default collectors, on the same GitHub.
	heard := fake.TotalRequests()
	stdout, stderr = testutil.OutputFile(t), testutil.OutputFile(t)
	code = runAt(backfillTestClock, []string{"--config.file=" + cfg, "check"}, stdout, stderr)
	out = testutil.ReadOutput(t, stdout)
	if code != 1 {
		t.Errorf("default collectors: exit %d, want 1\n%s\n%s", code, out, testutil.ReadOutput(t, stderr))
	}
	defaults := checkDefaultKeys([]githubapi.Account{
		{Scope: githubapi.ScopeEnterprise, Name: "acme-corp"},
		{Scope: githubapi.ScopeOrganization, Name: "acme-web"},
		{Scope: githubapi.ScopeOrganization, Name: "acme-wbe"},
	}, nil)
	got = checkRows(t, out)
	sameKeys(t, "default collectors", got, defaults)
	for key, row := range got {
		if class, ok := want[key]; ok && row[0] != class {
			t.Errorf("default collectors: %s: %q, want %q", key, row[0], class)
		}
		if !classified(row[0]) {
			t.Errorf("default collectors: %s: %q is none of the check's classes", key, row[0])
		}
	}
	n = len(defaults)
	if !strings.Contains(out, fmt.Sprintf("with %d request(s) to GitHub", n)) || !strings.Contains(out, fmt.Sprintf("Spent %d request(s).", n)) {
		t.Errorf("default collectors: the plan and the summary do not state %d requests:\n%s", n, out)
	}
	if got := fake.TotalRequests() - heard; got != n {
		t.Errorf("default collectors: GitHub heard %d requests, want %d", got, n)
	}
}

// On a GitHub Enterprise Server root (/api/v3) a billing-platform endpoint
// that answers 404 for an account whose per-product endpoints answer is
// not on this server; an account whose every endpoint answers 404 does not
// exist. The collectors such a root turns off by default are named on the
// command line, which turns them back on.
func TestCheckCommandEnterpriseServer(t *testing.T) {
	fake := fakegithubtest.Start(t, nil)
	// The fake has no /api/v3 routes: every request answers 404 but these.
	for _, p := range []string{"actions", "packages", "shared-storage", "advanced-security"} {
		fake.Override("/api/v3/orgs/platform/settings/billing/"+p, fakegithubtest.ServeString(`{}`))
	}
	fake.Override("/api/v3/orgs/platform/copilot/billing", fakegithubtest.ServeString(`{}`))
	cfg := checkTestConfig(t, fake.URL+"/api/v3", "organizations: [{name: platform}, {name: platfrm}]\n")
	stdout, stderr := testutil.OutputFile(t), testutil.OutputFile(t)
	args := []string{"--config.file=" + cfg, "check"}
	for _, c := range []string{"usage", "usage_summary", "premium_requests", "ai_credits", "budgets", "copilot"} {
		args = append(args, "--collector."+c)
	}
	code := runAt(backfillTestClock, args, stdout, stderr)
	out := testutil.ReadOutput(t, stdout)
	if code != 1 {
		t.Errorf("exit %d, want 1\n%s", code, testutil.ReadOutput(t, stderr))
	}
	got := checkRows(t, out)
	for _, c := range []string{"actions", "packages", "shared_storage", "advanced_security", "copilot"} {
		if row := got[`organization "platform" `+c]; row[0] != "works" {
			t.Errorf("platform %s: %q, want works", c, row[0])
		}
	}
	for _, c := range []string{"usage", "usage_summary", "premium_requests", "ai_credits", "budgets"} {
		if row := got[`organization "platform" `+c]; row[0] != "not on this server (GitHub Enterprise Server) (404)" || !strings.Contains(row[1], "--no-collector."+c) {
			t.Errorf("platform %s: %q, want not on this server and how to turn it off", c, row)
		}
	}
	for key, row := range got {
		if strings.HasPrefix(key, `organization "platfrm" `) && row[0] != "no such account or not visible to this token (404)" {
			t.Errorf("%s: %q, want no such account", key, row[0])
		}
	}
	if len(got) != 20 {
		t.Errorf("%d rows, want 20:\n%s", len(got), out)
	}
	if !strings.Contains(out, "not on this server (GitHub Enterprise Server): a GitHub Enterprise Server") {
		t.Errorf("the legend does not explain the rule:\n%s", out)
	}
}

// The server key, not the API URL's shape, tells GitHub Enterprise Server:
// a server behind a URL without /api/v3 still has its billing-platform 404s
// read as not on this server.
func TestCheckCommandEnterpriseServerKey(t *testing.T) {
	fake := fakegithubtest.Start(t, nil)
	fake.Override("/orgs/platform/settings/billing/actions", fakegithubtest.ServeString(`{}`))
	cfg := checkTestConfig(t, fake.URL+"\n  server: enterprise-server", "organizations: [{name: platform}]\n")
	stdout, stderr := testutil.OutputFile(t), testutil.OutputFile(t)
	code := runAt(backfillTestClock, []string{"--config.file=" + cfg, "check", "--collector.disable-defaults", "--collector.actions", "--collector.usage"}, stdout, stderr)
	out := testutil.ReadOutput(t, stdout)
	if code != 1 {
		t.Errorf("exit %d, want 1\n%s", code, testutil.ReadOutput(t, stderr))
	}
	got := checkRows(t, out)
	if row := got[`organization "platform" actions`]; row[0] != "works" {
		t.Errorf("actions: %q, want works\n%s", row[0], out)
	}
	if row := got[`organization "platform" usage`]; row[0] != "not on this server (GitHub Enterprise Server) (404)" {
		t.Errorf("usage: %q, want not on this server\n%s", row[0], out)
	}
}

// On a GitHub Enterprise Server root the check asks only the collectors
// that run there by default: the legacy ones and Advanced Security.
func TestCheckCommandEnterpriseServerDefaults(t *testing.T) {
	fake := fakegithubtest.Start(t, nil)
	for _, p := range []string{"actions", "packages", "shared-storage", "advanced-security"} {
		fake.Override("/api/v3/orgs/platform/settings/billing/"+p, fakegithubtest.ServeString(`{}`))
	}
	cfg := checkTestConfig(t, fake.URL+"/api/v3", "organizations: [{name: platform}]\n")
	stdout, stderr := testutil.OutputFile(t), testutil.OutputFile(t)
	code := runAt(backfillTestClock, []string{"--config.file=" + cfg, "check"}, stdout, stderr)
	out := testutil.ReadOutput(t, stdout)
	if code != 0 {
		t.Errorf("exit %d, want 0\n%s%s", code, out, testutil.ReadOutput(t, stderr))
	}
	got := checkRows(t, out)
	if len(got) != 4 {
		t.Errorf("%d rows, want 4 (actions, packages, shared_storage, advanced_security):\n%s", len(got), out)
	}
	if n := fake.TotalRequests(); n != 4 {
		t.Errorf("%d requests, want 4", n)
	}
}

// Neither the table nor the JSON nor the log holds the token, though the
// fake echoes it in its message and its X-Accepted-GitHub-Permissions.
func TestCheckCommandNeverPrintsTheToken(t *testing.T) {
	fake := fakegithubtest.Start(t, demo.Dataset(backfillTestNow))
	fake.SetClock(backfillTestClock)
	echo := func(code int) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("X-Accepted-GitHub-Permissions", "token="+r.Header.Get("Authorization"))
			fakegithub.WriteError(w, code, "you sent "+r.Header.Get("Authorization"))
		}
	}
	fake.Override("/orgs/acme-web/settings/billing/actions", echo(http.StatusForbidden))
	fake.Override("/organizations/acme-web/settings/billing/usage", echo(http.StatusBadGateway))
	fake.Override("/organizations/acme-web/settings/billing/budgets", echo(http.StatusTeapot))
	fake.Override("/orgs/acme-web/copilot/billing", echo(http.StatusUnauthorized))
	cfg := checkTestConfig(t, fake.URL, "organizations: [{name: acme-web}]\n")
	for _, output := range []string{"text", "json"} {
		stdout, stderr := testutil.OutputFile(t), testutil.OutputFile(t)
		code := runAt(backfillTestClock, []string{"--config.file=" + cfg, "check", "--output=" + output}, stdout, stderr)
		all := testutil.ReadOutput(t, stdout) + testutil.ReadOutput(t, stderr)
		if code != 1 {
			t.Errorf("%s: exit %d, want 1\n%s", output, code, all)
		}
		if strings.Contains(all, testutil.Token) {
			t.Errorf("%s: the output holds the token:\n%s", output, all)
		}
		if !strings.Contains(all, "you sent Bearer <secret>") {
			t.Errorf("%s: GitHub's message is not shown scrubbed:\n%s", output, all)
		}
	}
}

// The JSON output holds each row and the requests planned and spent; the
// plan line goes to stderr.
func TestCheckCommandJSON(t *testing.T) {
	fake := fakegithubtest.Start(t, demo.Dataset(backfillTestNow))
	fake.SetClock(backfillTestClock)
	cfg := checkTestConfig(t, fake.URL, "organizations: [{name: acme-web}]\n")
	stdout, stderr := testutil.OutputFile(t), testutil.OutputFile(t)
	code := runAt(backfillTestClock, append([]string{"--config.file=" + cfg, "check", "--output=json"}, checkTestArgs(roundtest.HandWorked...)...), stdout, stderr)
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, testutil.ReadOutput(t, stderr))
	}
	var doc struct {
		Planned int `json:"planned_requests"`
		Spent   int `json:"spent_requests"`
		Rows    []struct {
			Account, Collector, Result string
			Works                      bool
		} `json:"rows"`
	}
	if err := json.Unmarshal([]byte(testutil.ReadOutput(t, stdout)), &doc); err != nil {
		t.Fatal(err)
	}
	// roundtest.HandWorked for an organization: 3 legacy + GHAS, usage,
	// summary, premium requests, AI credits, budgets, Copilot, the AI-credit
	// pool (cost_centers, usage_reports and licenses are an enterprise's).
	if doc.Planned != 11 || doc.Spent != 11 || len(doc.Rows) != 11 || fake.TotalRequests() != 11 {
		t.Errorf("planned %d, spent %d, %d rows, GitHub heard %d; want 11 each", doc.Planned, doc.Spent, len(doc.Rows), fake.TotalRequests())
	}
	for _, r := range doc.Rows {
		if !r.Works || r.Result != "works" || r.Account != "acme-web" {
			t.Errorf("row %+v, want acme-web works", r)
		}
	}
	if !strings.Contains(testutil.ReadOutput(t, stderr), "with 11 request(s) to GitHub") {
		t.Errorf("stderr does not state the plan")
	}
}

// Bad check flags and a bad configuration exit 2 with a message naming
// the flag or the file, and GitHub hears nothing.
func TestCheckCommandBadFlagsSendNoRequest(t *testing.T) {
	fake := fakegithubtest.Start(t, demo.Dataset(backfillTestNow))
	cfg := checkTestConfig(t, fake.URL, "organizations: [{name: acme-web}]\n")
	missing := filepath.Join(t.TempDir(), "none.yml")
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--config.file=" + cfg, "check", "--output=xml"}, "--output"},
		{[]string{"--config.file=" + cfg, "check", "--timeout=0s"}, "--timeout=0s must be positive"},
		{[]string{"--config.file=" + cfg, "check", "--concurrency=0"}, "--concurrency=0 must be at least 1"},
		{[]string{"--config.file=" + missing, "check"}, missing},
	} {
		stdout, stderr := testutil.OutputFile(t), testutil.OutputFile(t)
		if code := runAt(backfillTestClock, c.args, stdout, stderr); code != 2 {
			t.Errorf("%v: exit %d, want 2", c.args, code)
		}
		if got := testutil.ReadOutput(t, stderr); !strings.Contains(got, c.want) {
			t.Errorf("%v: stderr %q does not contain %q", c.args, got, c.want)
		}
	}
	if n := fake.TotalRequests(); n != 0 {
		t.Errorf("bad flags sent %d requests to GitHub", n)
	}
}

// --demo check asks the demo's GitHub: every collector works but the
// legacy ones of the demo's user, which answer 410 as on github.com; with
// those collectors off every row works and the command exits 0. The
// collector flags count: each run has a row for each demo account and each
// collector it turns on that applies to the account's scope, but the
// AI-credit pool of the demo's organizations, which draw from the
// enterprise's pool (the demo's configuration turns theirs off); one
// request a row. With only usage on, one request per account.
func TestCheckCommandDemo(t *testing.T) {
	var defaults, platform []string
	for _, f := range collector.Collectors() {
		if f.DefaultEnabled {
			defaults = append(defaults, f.Name)
			if !slices.Contains([]string{"actions", "packages", "shared_storage"}, f.Name) {
				platform = append(platform, f.Name)
			}
		}
	}
	demoCfg := demo.Config("http://127.0.0.1")
	var accounts []githubapi.Account
	for _, tg := range demoCfg.Targets {
		accounts = append(accounts, tg.Account)
	}
	off := func(a githubapi.Account, name string) bool {
		on, ok := demoCfg.Enabled[a][name]
		return ok && !on
	}
	for _, c := range []struct {
		flags      []string
		collectors []string
		code       int
		// requests is the plan's request count worked out by hand; 0 for
		// the default collectors, whose count is their rows'.
		requests int
	}{
		{nil, defaults, 1, 0},
		{[]string{"--no-collector.actions", "--no-collector.packages", "--no-collector.shared_storage"}, platform, 0, 0},
		// The enterprise: all 14; each of the 2 organizations: 14 less
		// cost_centers, usage_reports, licenses and the pool = 10; the
		// user: 3 legacy + usage, summary, premium requests, AI credits =
		// 7. 14 + 2 × 10 + 7 = 41.
		{checkTestArgs(roundtest.HandWorked...), roundtest.HandWorked, 1, 41},
		// Less the 3 legacy of the enterprise, the 2 organizations and the
		// user: 41 - 3 × 4 = 29.
		{checkTestArgs(roundtest.HandWorked[3:]...), roundtest.HandWorked[3:], 0, 29},
		{[]string{"--collector.disable-defaults", "--collector.usage"}, []string{"usage"}, 0, 4},
	} {
		stdout, stderr := testutil.OutputFile(t), testutil.OutputFile(t)
		args := append(append([]string{"--demo"}, c.flags...), "check")
		code := runAt(backfillTestClock, args, stdout, stderr)
		out := testutil.ReadOutput(t, stdout)
		if code != c.code {
			t.Errorf("%v: exit %d, want %d\n%s%s", c.flags, code, c.code, out, testutil.ReadOutput(t, stderr))
		}
		keys := checkKeys(accounts, c.collectors, off)
		if c.requests != 0 && len(keys) != c.requests {
			t.Errorf("%v: %d rows expected of %v, want %d", c.flags, len(keys), c.collectors, c.requests)
		}
		if requests := fmt.Sprintf("with %d request(s)", len(keys)); !strings.Contains(out, requests) {
			t.Errorf("%v: the plan does not say %q:\n%s", c.flags, requests, out)
		}
		got := checkRows(t, out)
		sameKeys(t, fmt.Sprint(c.flags), got, keys)
		for key, row := range got {
			legacyOfUser := strings.HasPrefix(key, `user "octocat" `) && strings.Contains("actions packages shared_storage", strings.Fields(key)[2])
			if want := map[bool]string{true: "retired on this server (410)", false: "works"}[legacyOfUser]; row[0] != want {
				t.Errorf("%v: %s: %q, want %q", c.flags, key, row[0], want)
			}
		}
	}
}

// Each scope and fine-grained permission a missing-permission row names is
// in the README's "Tokens and scopes" section, the table the grants copy.
func TestReadmeTokensTableHoldsTheGrants(t *testing.T) {
	readme := readFile(t, "README.md")
	_, section, ok := strings.Cut(readme, "\n## Tokens and scopes\n")
	if !ok {
		t.Fatal("README has no Tokens and scopes section")
	}
	section, _, _ = strings.Cut(section, "\n## ")
	section = strings.ReplaceAll(section, "**", "")
	classic := regexp.MustCompile(`[a-z_]+:[a-z_]+`)
	fine := regexp.MustCompile(`[A-Z][A-Za-z ]+: (?:read|write)`)
	named := 0
	for _, f := range collector.Collectors() {
		for _, s := range []githubapi.Scope{githubapi.ScopeEnterprise, githubapi.ScopeOrganization, githubapi.ScopeUser} {
			g, ok := check.GrantFor(f.Name, s)
			if !ok {
				continue
			}
			for _, term := range append(classic.FindAllString(g.Classic, -1), fine.FindAllString(g.FineGrained, -1)...) {
				named++
				if !strings.Contains(section, term) {
					t.Errorf("%s (%s) grants %q, which the README's Tokens and scopes section does not name", f.Name, s, term)
				}
			}
		}
	}
	if named < 20 {
		t.Errorf("only %d scopes and permissions found in the grants", named)
	}
}
