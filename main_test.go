package main

import (
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/common/promslog"

	"github.com/github-billing-exporter/github-billing-exporter/collector"
	"github.com/github-billing-exporter/github-billing-exporter/config"
	"github.com/github-billing-exporter/github-billing-exporter/githubapi"
	"github.com/github-billing-exporter/github-billing-exporter/internal/fakegithub"
)

// mainTestToken must never show in /metrics, the landing page or the log.
const mainTestToken = "ghp_mainTestSENTINEL_0123456789"

// mainTestOutput is a temporary file for run's stdout or stderr.
func mainTestOutput(t *testing.T) *os.File {
	t.Helper()
	f, err := os.CreateTemp(t.TempDir(), "out")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func readOutput(t *testing.T, f *os.File) string {
	t.Helper()
	b, err := os.ReadFile(f.Name())
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func mainTestParse(t *testing.T, args ...string) *flags {
	t.Helper()
	f, err := parseFlags(args, mainTestOutput(t), mainTestOutput(t))
	if err != nil {
		t.Fatalf("parseFlags(%q): %v", args, err)
	}
	return f
}

var legacyCollectorNames = []string{"actions", "packages", "shared_storage", "advanced_security"}

func TestParseFlagsDefaults(t *testing.T) {
	f := mainTestParse(t)
	if f.configFile != "github-billing-exporter.yml" {
		t.Errorf("config.file = %q", f.configFile)
	}
	if f.configCheck || f.demo || f.disableExporter {
		t.Errorf("config.check %v, demo %v, web.disable-exporter-metrics %v; want all off", f.configCheck, f.demo, f.disableExporter)
	}
	if got := *f.web.WebListenAddresses; len(got) != 1 || got[0] != ":9786" {
		t.Errorf("web.listen-address = %q, want [:9786]", got)
	}
	if f.telemetryPath != "/metrics" {
		t.Errorf("web.telemetry-path = %q", f.telemetryPath)
	}
	if f.maxRequests != 40 {
		t.Errorf("web.max-requests = %d, want 40", f.maxRequests)
	}
	if f.options.AdvancedSecurityByRepository {
		t.Error("collector.advanced_security.by-repository is on by default")
	}
	for _, c := range collector.Collectors() {
		enabled, ok := f.collectors[c.Name]
		if !ok {
			t.Errorf("no flag for collector %s", c.Name)
			continue
		}
		if *enabled != c.DefaultEnabled {
			t.Errorf("collector.%s = %v, want its default %v", c.Name, *enabled, c.DefaultEnabled)
		}
	}
	for _, name := range legacyCollectorNames {
		if p := f.collectors[name]; p == nil || !*p {
			t.Errorf("collector.%s is not on by default", name)
		}
	}
}

func TestParseFlagsNoCollector(t *testing.T) {
	f := mainTestParse(t, "--no-collector.actions")
	for _, name := range legacyCollectorNames {
		if want := name != "actions"; *f.collectors[name] != want {
			t.Errorf("collector.%s = %v, want %v", name, *f.collectors[name], want)
		}
	}
}

func TestParseFlagsDisableDefaults(t *testing.T) {
	f := mainTestParse(t, "--collector.disable-defaults", "--collector.packages")
	for name, enabled := range f.collectors {
		if want := name == "packages"; *enabled != want {
			t.Errorf("collector.%s = %v, want %v", name, *enabled, want)
		}
	}
	// Flag order does not matter.
	f = mainTestParse(t, "--collector.advanced_security", "--collector.disable-defaults")
	for name, enabled := range f.collectors {
		if want := name == "advanced_security"; *enabled != want {
			t.Errorf("collector.%s = %v, want %v", name, *enabled, want)
		}
	}
}

func TestParseFlagsValues(t *testing.T) {
	f := mainTestParse(t, "--config.file=/etc/x.yml", "--config.check", "--demo", "--web.telemetry-path=/m",
		"--web.max-requests=3", "--web.disable-exporter-metrics", "--collector.advanced_security.by-repository",
		"--web.listen-address=127.0.0.1:9999", "--log.level=debug", "--log.format=json")
	if f.configFile != "/etc/x.yml" || !f.configCheck || !f.demo || f.telemetryPath != "/m" || f.maxRequests != 3 ||
		!f.disableExporter || !f.options.AdvancedSecurityByRepository {
		t.Errorf("flags = %+v", f)
	}
	if got := *f.web.WebListenAddresses; len(got) != 1 || got[0] != "127.0.0.1:9999" {
		t.Errorf("web.listen-address = %q", got)
	}
	if f.log.Level.String() != "debug" || f.log.Format.String() != "json" {
		t.Errorf("log = %s/%s", f.log.Level, f.log.Format)
	}
	if _, err := parseFlags([]string{"--collector.nonexistent"}, mainTestOutput(t), mainTestOutput(t)); err == nil {
		t.Error("an unknown collector flag was accepted")
	}
}

// The logger is the go-kit writer behind slog, in logfmt or JSON.
func TestNewLogger(t *testing.T) {
	out := mainTestOutput(t)
	format := promslog.NewFormat()
	if err := format.Set("json"); err != nil {
		t.Fatal(err)
	}
	level := promslog.NewLevel()
	if err := level.Set("warn"); err != nil {
		t.Fatal(err)
	}
	logger := newLogger(promslog.Config{Level: level, Format: format}, out)
	logger.Info("hidden")
	logger.Warn("shown", "account", "acme")
	lines := strings.Split(strings.TrimSpace(readOutput(t, out)), "\n")
	if len(lines) != 1 {
		t.Fatalf("log lines %q, want one (info filtered out)", lines)
	}
	var entry map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &entry); err != nil {
		t.Fatalf("not JSON: %q", lines[0])
	}
	if entry["msg"] != "shown" || entry["account"] != "acme" {
		t.Errorf("entry = %v", entry)
	}

	out = mainTestOutput(t)
	newLogger(promslog.Config{}, out).Info("plain", "k", "v")
	if got := readOutput(t, out); !strings.Contains(got, "msg=plain") || !strings.Contains(got, "k=v") {
		t.Errorf("logfmt line = %q", got)
	}
}

func TestConfigCheckGood(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "token"), []byte(mainTestToken), 0o600); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "exporter.yml")
	content := "github: {token_file: token}\norganizations: [{name: acme-web}, {name: acme-data}]\nusers: [{name: octocat}]\n"
	if err := os.WriteFile(file, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	stdout, stderr := mainTestOutput(t), mainTestOutput(t)
	if code := run([]string{"--config.check", "--config.file", file}, stdout, stderr); code != 0 {
		t.Fatalf("exit %d, stderr %q", code, readOutput(t, stderr))
	}
	out := readOutput(t, stdout)
	if !strings.Contains(out, file) || !strings.Contains(out, "3 account(s)") {
		t.Errorf("stdout %q does not name the file and 3 accounts", out)
	}
	if all := out + readOutput(t, stderr); strings.Contains(all, mainTestToken) {
		t.Errorf("output shows the token: %q", all)
	}
}

func TestConfigCheckWarnsAboutReadableTokenFile(t *testing.T) {
	dir := t.TempDir()
	tokenFile := filepath.Join(dir, "token")
	if err := os.WriteFile(tokenFile, []byte(mainTestToken), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(tokenFile, 0o644); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "exporter.yml")
	if err := os.WriteFile(file, []byte("github: {token_file: token}\nusers: [{name: octocat}]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	stdout, stderr := mainTestOutput(t), mainTestOutput(t)
	if code := run([]string{"--config.check", "--config.file", file}, stdout, stderr); code != 0 {
		t.Fatalf("exit %d", code)
	}
	if errOut := readOutput(t, stderr); !strings.Contains(errOut, "warning") || !strings.Contains(errOut, tokenFile) {
		t.Errorf("stderr %q has no warning about %s", errOut, tokenFile)
	}
}

func TestConfigCheckBad(t *testing.T) {
	dir := t.TempDir()
	cases := []struct {
		name, content string
		want          []string
	}{
		{"unknown key", "github: {token: " + mainTestToken + "}\norganizations: [{name: acme-web}]\nrefresh_intervall: 5m\n",
			[]string{"line 3", `unknown key "refresh_intervall"`}},
		{"missing token file", "github: {token_file: missing-token}\norganizations: [{name: acme-web}]\n",
			[]string{"github.token_file", "missing-token", "no such file or directory"}},
		{"duplicate account", "github: {token: " + mainTestToken + "}\norganizations: [{name: acme-web}, {name: Acme-Web}]\n",
			[]string{"organizations[1].name", "already listed"}},
		{"malformed api_url", "github: {token: " + mainTestToken + ", api_url: \"github.example.com\"}\norganizations: [{name: a}]\n",
			[]string{"github.api_url", "scheme must be http or https"}},
		// Only building the client finds this, as a start would.
		{"client certificate that does not load", "github: {token: " + mainTestToken + ", tls_config: {cert_file: absent.pem, key_file: absent.key}}\norganizations: [{name: a}]\n",
			[]string{`credential "default"`, "absent.pem", "no such file or directory"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			file := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "-")+".yml")
			if err := os.WriteFile(file, []byte(tc.content), 0o600); err != nil {
				t.Fatal(err)
			}
			stdout, stderr := mainTestOutput(t), mainTestOutput(t)
			if code := run([]string{"--config.check", "--config.file=" + file}, stdout, stderr); code != 1 {
				t.Errorf("exit %d, want 1", code)
			}
			errOut := readOutput(t, stderr)
			for _, want := range append([]string{file}, tc.want...) {
				if !strings.Contains(errOut, want) {
					t.Errorf("stderr %q does not contain %q", errOut, want)
				}
			}
			if strings.Contains(errOut+readOutput(t, stdout), mainTestToken) {
				t.Errorf("output shows the token")
			}
		})
	}

	// A missing configuration file.
	stdout, stderr := mainTestOutput(t), mainTestOutput(t)
	missing := filepath.Join(dir, "absent.yml")
	if code := run([]string{"--config.check", "--config.file", missing}, stdout, stderr); code != 1 {
		t.Errorf("missing file: exit %d, want 1", code)
	}
	if errOut := readOutput(t, stderr); !strings.Contains(errOut, missing) {
		t.Errorf("stderr %q does not name %s", errOut, missing)
	}
}

func TestRunBadFlag(t *testing.T) {
	stdout, stderr := mainTestOutput(t), mainTestOutput(t)
	if code := run([]string{"--no-such-flag"}, stdout, stderr); code != 2 {
		t.Errorf("exit %d, want 2", code)
	}
	if !strings.Contains(readOutput(t, stderr), "no-such-flag") {
		t.Errorf("stderr %q does not name the flag", readOutput(t, stderr))
	}
}

// mainTestEnv is an exporter's HTTP handler in front of a fake GitHub, with
// the configuration in a file the test rewrites.
type mainTestEnv struct {
	fake    *fakegithub.Server
	dir     string
	cfgFile string
	srv     *server
	http    *httptest.Server
	log     *syncBuffer
}

func mainTestDataset() *fakegithub.Dataset {
	d := fakegithub.NewDataset()
	org := func(minutes float64) *fakegithub.AccountData {
		return &fakegithub.AccountData{
			Actions:       &githubapi.ActionsBilling{TotalMinutesUsed: minutes, IncludedMinutes: 3000, MinutesUsedBreakdown: map[string]float64{"UBUNTU": minutes}},
			Packages:      &githubapi.PackagesBilling{TotalGigabytesBandwidthUsed: 1},
			SharedStorage: &githubapi.SharedStorageBilling{DaysLeftInBillingCycle: 3},
			AdvancedSecurity: &githubapi.AdvancedSecurityCommitters{TotalAdvancedSecurityCommitters: 1, TotalCount: 1,
				Repositories: []githubapi.AdvancedSecurityRepository{{Name: "x", AdvancedSecurityCommitters: 1}}},
		}
	}
	d.Organizations["acme-web"] = org(305)
	d.Organizations["acme-data"] = org(10)
	d.Users["octocat"] = &fakegithub.AccountData{LegacyRetired: true}
	return d
}

type mainTestOptions struct {
	maxRequests int
	collectors  []string
}

func newMainTestEnv(t *testing.T, accountsYAML string, o mainTestOptions) *mainTestEnv {
	t.Helper()
	fake := fakegithub.Start(t, mainTestDataset())
	fake.RequireToken(mainTestToken)
	env := &mainTestEnv{fake: fake, dir: t.TempDir(), log: &syncBuffer{}}
	if err := os.WriteFile(filepath.Join(env.dir, "token"), []byte(mainTestToken+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env.cfgFile = filepath.Join(env.dir, "exporter.yml")
	env.writeConfig(t, accountsYAML)

	logger := slog.New(slog.NewTextHandler(env.log, nil))
	if o.collectors == nil {
		o.collectors = legacyCollectorNames
	}
	exp, err := collector.NewExporter(collector.Config{Logger: logger, Collectors: o.collectors, Concurrency: 4})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(exp.Close)
	env.srv = newServer(serverConfig{
		logger:           logger,
		exporter:         exp,
		source:           func() (*config.Resolved, error) { return config.Load(env.cfgFile) },
		telemetryPath:    "/metrics",
		maxRequests:      o.maxRequests,
		scrapeTimeout:    10 * time.Second,
		timeoutOffset:    500 * time.Millisecond,
		maxResponseBytes: githubapi.DefaultMaxResponseBytes,
	})
	if err := env.srv.reload(); err != nil {
		t.Fatalf("initial reload: %v", err)
	}
	env.http = httptest.NewServer(env.srv.handler())
	t.Cleanup(env.http.Close)
	t.Cleanup(func() {
		if strings.Contains(env.log.String(), mainTestToken) {
			t.Errorf("the log shows the token:\n%s", env.log)
		}
	})
	return env
}

// writeConfig points the configuration at the fake GitHub with the given
// account lists (YAML) appended.
func (env *mainTestEnv) writeConfig(t *testing.T, accountsYAML string) {
	t.Helper()
	content := "github:\n  api_url: " + env.fake.URL + "\n  token_file: token\n" + accountsYAML
	if err := os.WriteFile(env.cfgFile, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

func (env *mainTestEnv) get(t *testing.T, method, path string, header http.Header) (int, http.Header, string) {
	t.Helper()
	req, err := http.NewRequest(method, env.http.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	maps.Copy(req.Header, header)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(body), mainTestToken) {
		t.Errorf("%s %s shows the token", method, path)
	}
	return resp.StatusCode, resp.Header, string(body)
}

func (env *mainTestEnv) metrics(t *testing.T) string {
	t.Helper()
	code, _, body := env.get(t, http.MethodGet, "/metrics", nil)
	if code != http.StatusOK {
		t.Fatalf("/metrics: %d %s", code, body)
	}
	return body
}

func hasLine(body, prefix string) bool {
	for line := range strings.SplitSeq(body, "\n") {
		if strings.HasPrefix(line, prefix) {
			return true
		}
	}
	return false
}

func TestServerHealthAndReady(t *testing.T) {
	env := newMainTestEnv(t, "organizations: [{name: acme-web}]\n", mainTestOptions{})
	for _, p := range []string{"/-/healthy", "/-/ready"} {
		if code, _, _ := env.get(t, http.MethodGet, p, nil); code != http.StatusOK {
			t.Errorf("%s: %d", p, code)
		}
	}
	if code, _, _ := env.get(t, http.MethodGet, "/no-such-page", nil); code != http.StatusNotFound {
		t.Errorf("/no-such-page: %d, want 404", code)
	}
}

func TestServerMetrics(t *testing.T) {
	env := newMainTestEnv(t, "organizations: [{name: acme-web}]\nusers: [{name: octocat}]\n", mainTestOptions{})
	body := env.metrics(t)
	for _, want := range []string{
		`github_billing_actions_used_seconds{account="acme-web",scope="organization"} 18300`,
		`github_billing_actions_runner_used_seconds{account="acme-web",runner="UBUNTU",scope="organization"} 18300`,
		`github_billing_scrape_collector_success{account="acme-web",collector="actions",scope="organization"} 1`,
		`github_billing_endpoint_retired{account="octocat",collector="actions",scope="user"} 1`,
		`github_billing_scrape_collector_success{account="octocat",collector="actions",scope="user"} 1`,
		`github_billing_config_last_reload_successful 1`,
		`github_billing_exporter_build_info{`,
		`github_billing_api_requests_total{code="200",endpoint="/orgs/{org}/settings/billing/actions"} 1`,
		`github_billing_api_requests_total{code="410",endpoint="/users/{username}/settings/billing/actions"} 1`,
		`github_billing_api_rate_limit_remaining{credential="default",resource="core"}`,
		`go_goroutines `,
	} {
		if !hasLine(body, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
}

// The client main builds sends the token to the API host and a
// github-billing-exporter/VERSION User-Agent.
func TestBuildTargetsClient(t *testing.T) {
	fake := fakegithub.Start(t, mainTestDataset())
	fake.RequireToken(mainTestToken)
	var mu sync.Mutex
	var agents []string
	fake.Override("/orgs/acme-web/settings/billing/packages", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		agents = append(agents, r.Header.Get("User-Agent"))
		mu.Unlock()
		fakegithub.WriteJSON(w, githubapi.PackagesBilling{TotalGigabytesBandwidthUsed: 4})
	})
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "token"), []byte(mainTestToken), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Parse(filepath.Join(dir, "c.yml"), []byte("github: {api_url: \""+fake.URL+"/\", token_file: token, credential: main}\norganizations: [{name: acme-web}]\n"), func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	targets, err := buildTargets(cfg, githubapi.Options{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(targets) != 1 || targets[0].Account.Name != "acme-web" || targets[0].Client.Credential() != "main" {
		t.Fatalf("targets = %+v", targets)
	}
	got, err := targets[0].Client.PackagesBilling(t.Context(), targets[0].Account)
	if err != nil {
		t.Fatalf("request through the built client: %v (the fake requires the token)", err)
	}
	if got.TotalGigabytesBandwidthUsed != 4 {
		t.Errorf("got %+v", got)
	}
	mu.Lock()
	defer mu.Unlock()
	// A plain go build stamps no version: the agent says dev (or the
	// module's version), never a bare "github-billing-exporter/".
	if len(agents) != 1 || !strings.HasPrefix(agents[0], "github-billing-exporter/") || agents[0] == "github-billing-exporter/" {
		t.Errorf("User-Agent = %q, want github-billing-exporter/VERSION", agents)
	}
}

func TestServerReload(t *testing.T) {
	env := newMainTestEnv(t, "organizations: [{name: acme-web}]\n", mainTestOptions{})
	webSeries := `github_billing_actions_used_seconds{account="acme-web",scope="organization"} 18300`
	dataSeries := `github_billing_actions_used_seconds{account="acme-data",scope="organization"} 600`
	if body := env.metrics(t); !hasLine(body, webSeries) {
		t.Fatalf("/metrics lacks %s", webSeries)
	}

	code, header, _ := env.get(t, http.MethodGet, "/-/reload", nil)
	if code != http.StatusMethodNotAllowed || header.Get("Allow") != http.MethodPost {
		t.Errorf("GET /-/reload: %d, Allow %q; want 405 and Allow: POST", code, header.Get("Allow"))
	}

	// A broken configuration: 500, the running configuration stays.
	env.writeConfig(t, "organizations: [{name: acme-data}]\nrefresh_intervall: 5m\n")
	code, _, body := env.get(t, http.MethodPost, "/-/reload", nil)
	if code != http.StatusInternalServerError {
		t.Errorf("POST /-/reload with a broken file: %d, want 500", code)
	}
	// Without authentication in the web config, the caller is not told the
	// configuration's paths and keys; the log is.
	for _, secret := range []string{env.cfgFile, "refresh_intervall"} {
		if strings.Contains(body, secret) {
			t.Errorf("reload answer %q tells an unauthenticated caller %q", body, secret)
		}
		if !strings.Contains(env.log.String(), secret) {
			t.Errorf("the log does not say %q", secret)
		}
	}
	if !strings.Contains(body, "log") {
		t.Errorf("reload answer %q does not point at the log", body)
	}
	// An authenticated caller is told why.
	authed := env.srv.serverConfig
	authed.authenticated = func() bool { return true }
	rec := httptest.NewRecorder()
	newServer(authed).handler().ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/-/reload", nil))
	for _, want := range []string{env.cfgFile, "refresh_intervall"} {
		if !strings.Contains(rec.Body.String(), want) {
			t.Errorf("reload answer %q does not contain %q", rec.Body.String(), want)
		}
	}
	body = env.metrics(t)
	if !hasLine(body, "github_billing_config_last_reload_successful 0") {
		t.Error("reload gauge is not 0 after a failed reload")
	}
	if !hasLine(body, webSeries) || hasLine(body, `github_billing_actions_used_seconds{account="acme-data"`) {
		t.Error("the running configuration was not kept")
	}
	if !strings.Contains(env.log.String(), "refresh_intervall") {
		t.Errorf("the failed reload is not logged:\n%s", env.log)
	}
	if _, _, landing := env.get(t, http.MethodGet, "/", nil); !strings.Contains(landing, "acme-web") || strings.Contains(landing, "acme-data") {
		t.Error("the landing page changed with a failed reload")
	}

	// Fixed: acme-data replaces acme-web.
	env.writeConfig(t, "organizations: [{name: acme-data}]\n")
	if code, _, body := env.get(t, http.MethodPost, "/-/reload", nil); code != http.StatusOK {
		t.Fatalf("POST /-/reload: %d %s", code, body)
	}
	body = env.metrics(t)
	if !hasLine(body, "github_billing_config_last_reload_successful 1") {
		t.Error("reload gauge is not 1 after a good reload")
	}
	if !hasLine(body, dataSeries) {
		t.Errorf("/metrics lacks the added account: %s", dataSeries)
	}
	if strings.Contains(body, `account="acme-web"`) {
		t.Error("/metrics still has series of the removed account")
	}
	if !hasLine(body, "github_billing_config_last_reload_success_timestamp_seconds ") {
		t.Error("no reload success timestamp")
	}
}

func TestServerLandingPage(t *testing.T) {
	accounts := `organizations:
  - name: acme-web
  - name: acme-data
    github: {credential: "<i>team&data</i>"}
users: [{name: octocat}]
`
	env := newMainTestEnv(t, accounts, mainTestOptions{})
	code, _, body := env.get(t, http.MethodGet, "/", nil)
	if code != http.StatusOK {
		t.Fatalf("/: %d", code)
	}
	for _, want := range []string{"acme-web", "acme-data", "octocat", "organization", "user", `href="/metrics"`,
		"&lt;i&gt;team&amp;data&lt;/i&gt;"} {
		if !strings.Contains(body, want) {
			t.Errorf("landing page lacks %q", want)
		}
	}
	if strings.Contains(body, "<i>team&data</i>") {
		t.Error("landing page does not escape the credential name")
	}
}

// Prometheus's timeout header bounds the scrape: a slow GitHub does not hold
// the answer.
func TestServerScrapeTimeoutHeader(t *testing.T) {
	env := newMainTestEnv(t, "organizations: [{name: acme-web}]\n", mainTestOptions{})
	const latency = 4 * time.Second
	env.fake.SetLatency(latency)
	began := time.Now()
	code, _, body := env.get(t, http.MethodGet, "/metrics", http.Header{"X-Prometheus-Scrape-Timeout-Seconds": {"1"}})
	took := time.Since(began)
	if code != http.StatusOK {
		t.Fatalf("/metrics: %d", code)
	}
	if took >= latency*3/4 {
		t.Errorf("scrape took %v with a 1s timeout header, GitHub answers after %v", took, latency)
	}
	if !hasLine(body, `github_billing_scrape_collector_success{account="acme-web",collector="actions",scope="organization"} 0`) {
		t.Error("a refresh cut short by the scrape is not success 0 on a cold cache")
	}
}

func TestServerMaxRequests(t *testing.T) {
	env := newMainTestEnv(t, "organizations: [{name: acme-web}]\n", mainTestOptions{maxRequests: 1, collectors: []string{"packages"}})
	env.fake.SetLatency(2 * time.Second)
	first := make(chan int, 1)
	go func() {
		resp, err := http.Get(env.http.URL + "/metrics")
		if err != nil {
			first <- 0
			return
		}
		resp.Body.Close()
		first <- resp.StatusCode
	}()
	// Wait until the first scrape is inside (it has called GitHub).
	deadline := time.Now().Add(5 * time.Second)
	for env.fake.TotalRequests() == 0 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	code, _, body := env.get(t, http.MethodGet, "/metrics", nil)
	if code != http.StatusServiceUnavailable {
		t.Errorf("second concurrent scrape: %d, want 503", code)
	}
	if !strings.Contains(body, "1") {
		t.Errorf("503 answer %q does not name the limit", body)
	}
	if c := <-first; c != http.StatusOK {
		t.Errorf("first scrape: %d, want 200", c)
	}
	// The slot is free again.
	if code, _, _ := env.get(t, http.MethodGet, "/metrics", nil); code != http.StatusOK {
		t.Errorf("scrape after the first ended: %d", code)
	}
}

// A GitHub error is logged with GitHub's message, never with the token; the
// token shows nowhere.
func TestServerNeverShowsToken(t *testing.T) {
	env := newMainTestEnv(t, "organizations: [{name: acme-web}]\nusers: [{name: octocat}]\n", mainTestOptions{})
	env.fake.Override("/orgs/acme-web/settings/billing/packages", func(w http.ResponseWriter, _ *http.Request) {
		fakegithub.WriteError(w, http.StatusForbidden, "Resource not accessible by integration")
	})
	body := env.metrics(t) // get checks the body for the token
	if !hasLine(body, `github_billing_scrape_collector_success{account="acme-web",collector="packages",scope="organization"} 0`) {
		t.Error("the 403 is not success 0")
	}
	env.get(t, http.MethodGet, "/", nil)
	env.get(t, http.MethodPost, "/-/reload", nil)
	if !strings.Contains(env.log.String(), "Resource not accessible by integration") {
		t.Errorf("the log lacks GitHub's message:\n%s", env.log)
	}
	// newMainTestEnv's cleanup checks the log for the token.
}

// The scrape's deadline: Prometheus's header less the offset; the flag's
// timeout without a usable header; the header itself when it is no longer
// than the offset; a cap for absurd values rather than an overflow into a
// deadline in the past.
func TestScrapeContextDeadline(t *testing.T) {
	s := &server{serverConfig: serverConfig{scrapeTimeout: 10 * time.Second, timeoutOffset: 500 * time.Millisecond}}
	for _, tc := range []struct {
		header string
		want   time.Duration
	}{
		{"", 10 * time.Second},
		{"15", 14500 * time.Millisecond},
		{"2.5", 2 * time.Second},
		{"0.4", 400 * time.Millisecond},
		{"0", 10 * time.Second},
		{"-3", 10 * time.Second},
		{"soon", 10 * time.Second},
		{"NaN", 10 * time.Second},
		{"Inf", maxScrapeTimeout - 500*time.Millisecond},
		{"1e300", maxScrapeTimeout - 500*time.Millisecond},
	} {
		r := httptest.NewRequest(http.MethodGet, "/metrics", nil)
		if tc.header != "" {
			r.Header.Set("X-Prometheus-Scrape-Timeout-Seconds", tc.header)
		}
		before := time.Now()
		ctx, cancel := s.scrapeContext(r)
		deadline, ok := ctx.Deadline()
		cancel()
		if !ok {
			t.Errorf("header %q: no deadline", tc.header)
			continue
		}
		// The deadline was set between before and now.
		if got := deadline.Sub(before); got < tc.want || got > tc.want+time.Second {
			t.Errorf("header %q: deadline %v after the request, want %v", tc.header, got, tc.want)
		}
	}
}

// A reload builds new clients, but a credential that stays (same name, same
// API URL) keeps its rate-limit state: a primary limit in force blocks the
// new client without a request. A renamed credential starts afresh.
func TestBuildTargetsKeepsRateLimitAcrossReloads(t *testing.T) {
	fake := fakegithub.Start(t, mainTestDataset())
	reset := strconv.FormatInt(time.Now().Add(time.Hour).Unix(), 10)
	fake.Override("/orgs/acme-web/settings/billing/packages", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("X-Ratelimit-Remaining", "0")
		w.Header().Set("X-Ratelimit-Reset", reset)
		fakegithub.WriteError(w, http.StatusForbidden, "API rate limit exceeded for user ID 1.")
	})
	parse := func(credential string) *config.Resolved {
		t.Helper()
		cfg, err := config.Parse("c.yml", []byte("github: {api_url: \""+fake.URL+"\", token: x, credential: "+credential+"}\norganizations: [{name: acme-web}]\n"), func(string) string { return "" })
		if err != nil {
			t.Fatal(err)
		}
		return cfg
	}
	packages := func(targets []collector.Target) error {
		_, err := targets[0].Client.PackagesBilling(t.Context(), targets[0].Account)
		return err
	}
	first, err := buildTargets(parse("main"), githubapi.Options{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := packages(first); !errors.Is(err, githubapi.ErrRateLimited) {
		t.Fatalf("first client: %v, want the rate limit", err)
	}

	reloaded, err := buildTargets(parse("main"), githubapi.Options{}, first)
	if err != nil {
		t.Fatal(err)
	}
	if reloaded[0].Client == first[0].Client {
		t.Fatal("the reload reused the client instead of building a new one")
	}
	var rle *githubapi.RateLimitError
	if err := packages(reloaded); !errors.As(err, &rle) {
		t.Errorf("after the reload: %v, want a *RateLimitError without asking GitHub", err)
	}
	if n := fake.Requests("/orgs/acme-web/settings/billing/packages"); n != 1 {
		t.Errorf("%d requests, want 1: the reloaded client asked GitHub although the limit is in force", n)
	}

	renamed, err := buildTargets(parse("other"), githubapi.Options{}, first)
	if err != nil {
		t.Fatal(err)
	}
	if err := packages(renamed); errors.As(err, &rle) || !errors.Is(err, githubapi.ErrRateLimited) {
		t.Errorf("another credential: %v, want GitHub's own 403 answer", err)
	}
}

// The server hands the running clients' state to the clients a reload
// builds: after POST /-/reload the new client of the same credential is
// still blocked by the primary limit the old one hit.
func TestReloadKeepsRateLimitBlock(t *testing.T) {
	env := newMainTestEnv(t, "organizations: [{name: acme-web}]\n", mainTestOptions{})
	const path = "/orgs/acme-web/settings/billing/packages"
	reset := strconv.FormatInt(time.Now().Add(time.Hour).Unix(), 10)
	env.fake.Override(path, func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("X-Ratelimit-Remaining", "0")
		w.Header().Set("X-Ratelimit-Reset", reset)
		fakegithub.WriteError(w, http.StatusForbidden, "API rate limit exceeded for user ID 1.")
	})
	before := env.srv.exporter.Targets()[0]
	if _, err := before.Client.PackagesBilling(t.Context(), before.Account); !errors.Is(err, githubapi.ErrRateLimited) {
		t.Fatalf("before the reload: %v, want the rate limit", err)
	}
	requests := env.fake.Requests(path)

	env.writeConfig(t, "organizations: [{name: acme-web}, {name: acme-data}]\n")
	if code, _, body := env.get(t, http.MethodPost, "/-/reload", nil); code != http.StatusOK {
		t.Fatalf("reload: %d %s", code, body)
	}
	after := env.srv.exporter.Targets()
	if len(after) != 2 || after[0].Client == before.Client {
		t.Fatalf("targets after the reload: %+v, want two with a new client", after)
	}
	var rle *githubapi.RateLimitError
	if _, err := after[0].Client.PackagesBilling(t.Context(), after[0].Account); !errors.As(err, &rle) {
		t.Errorf("after the reload: %v, want a *RateLimitError without asking GitHub", err)
	}
	if n := env.fake.Requests(path); n != requests {
		t.Errorf("%d requests after the reload, want still %d", n, requests)
	}
}
