package main

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/github-billing-exporter/github-billing-exporter/collector"
	"github.com/github-billing-exporter/github-billing-exporter/config"
	"github.com/github-billing-exporter/github-billing-exporter/githubapi"
	"github.com/github-billing-exporter/github-billing-exporter/internal/cache"
	"github.com/github-billing-exporter/github-billing-exporter/internal/fakegithub/fakegithubtest"
	"github.com/github-billing-exporter/github-billing-exporter/internal/server"
	"github.com/github-billing-exporter/github-billing-exporter/internal/testutil"
)

func mainTestParse(t *testing.T, args ...string) *flags {
	t.Helper()
	f, err := parseFlags(args, testutil.OutputFile(t), testutil.OutputFile(t))
	if err != nil {
		t.Fatalf("parseFlags(%q): %v", args, err)
	}
	return f
}

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
	for _, name := range testutil.LegacyCollectors {
		if p := f.collectors[name]; p == nil || !*p {
			t.Errorf("collector.%s is not on by default", name)
		}
	}
}

func TestParseFlagsNoCollector(t *testing.T) {
	f := mainTestParse(t, "--no-collector.actions")
	for _, name := range testutil.LegacyCollectors {
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
	if _, err := parseFlags([]string{"--collector.nonexistent"}, testutil.OutputFile(t), testutil.OutputFile(t)); err == nil {
		t.Error("an unknown collector flag was accepted")
	}
}

func TestConfigCheckGood(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "token"), []byte(testutil.Token), 0o600); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "exporter.yml")
	content := "github: {token_file: token}\norganizations: [{name: acme-web}, {name: acme-data}]\nusers: [{name: octocat}]\n"
	if err := os.WriteFile(file, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	stdout, stderr := testutil.OutputFile(t), testutil.OutputFile(t)
	if code := run([]string{"--config.check", "--config.file", file}, stdout, stderr); code != 0 {
		t.Fatalf("exit %d, stderr %q", code, testutil.ReadOutput(t, stderr))
	}
	out := testutil.ReadOutput(t, stdout)
	if !strings.Contains(out, file) || !strings.Contains(out, "3 account(s)") {
		t.Errorf("stdout %q does not name the file and 3 accounts", out)
	}
	if all := out + testutil.ReadOutput(t, stderr); strings.Contains(all, testutil.Token) {
		t.Errorf("output shows the token: %q", all)
	}
}

func TestConfigCheckWarnsAboutReadableTokenFile(t *testing.T) {
	dir := t.TempDir()
	tokenFile := filepath.Join(dir, "token")
	if err := os.WriteFile(tokenFile, []byte(testutil.Token), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(tokenFile, 0o644); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "exporter.yml")
	if err := os.WriteFile(file, []byte("github: {token_file: token}\nusers: [{name: octocat}]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	stdout, stderr := testutil.OutputFile(t), testutil.OutputFile(t)
	if code := run([]string{"--config.check", "--config.file", file}, stdout, stderr); code != 0 {
		t.Fatalf("exit %d", code)
	}
	if errOut := testutil.ReadOutput(t, stderr); !strings.Contains(errOut, "warning") || !strings.Contains(errOut, tokenFile) {
		t.Errorf("stderr %q has no warning about %s", errOut, tokenFile)
	}
}

func TestConfigCheckBad(t *testing.T) {
	dir := t.TempDir()
	cases := []struct {
		name, content string
		want          []string
	}{
		{"unknown key", "github: {token: " + testutil.Token + "}\norganizations: [{name: acme-web}]\nrefresh_intervall: 5m\n",
			[]string{"line 3", `unknown key "refresh_intervall"`}},
		{"missing token file", "github: {token_file: missing-token}\norganizations: [{name: acme-web}]\n",
			[]string{"github.token_file", "missing-token", "no such file or directory"}},
		{"duplicate account", "github: {token: " + testutil.Token + "}\norganizations: [{name: acme-web}, {name: Acme-Web}]\n",
			[]string{"organizations[1].name", "already listed"}},
		{"malformed api_url", "github: {token: " + testutil.Token + ", api_url: \"github.example.com\"}\norganizations: [{name: a}]\n",
			[]string{"github.api_url", "scheme must be http or https"}},
		// Only building the client finds this, as a start would.
		{"client certificate that does not load", "github: {token: " + testutil.Token + ", tls_config: {cert_file: absent.pem, key_file: absent.key}}\norganizations: [{name: a}]\n",
			[]string{`credential "default"`, "absent.pem", "no such file or directory"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			file := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "-")+".yml")
			if err := os.WriteFile(file, []byte(tc.content), 0o600); err != nil {
				t.Fatal(err)
			}
			stdout, stderr := testutil.OutputFile(t), testutil.OutputFile(t)
			if code := run([]string{"--config.check", "--config.file=" + file}, stdout, stderr); code != 1 {
				t.Errorf("exit %d, want 1", code)
			}
			errOut := testutil.ReadOutput(t, stderr)
			for _, want := range append([]string{file}, tc.want...) {
				if !strings.Contains(errOut, want) {
					t.Errorf("stderr %q does not contain %q", errOut, want)
				}
			}
			if strings.Contains(errOut+testutil.ReadOutput(t, stdout), testutil.Token) {
				t.Errorf("output shows the token")
			}
		})
	}

	// A missing configuration file.
	stdout, stderr := testutil.OutputFile(t), testutil.OutputFile(t)
	missing := filepath.Join(dir, "absent.yml")
	if code := run([]string{"--config.check", "--config.file", missing}, stdout, stderr); code != 1 {
		t.Errorf("missing file: exit %d, want 1", code)
	}
	if errOut := testutil.ReadOutput(t, stderr); !strings.Contains(errOut, missing) {
		t.Errorf("stderr %q does not name %s", errOut, missing)
	}
}

func TestRunBadFlag(t *testing.T) {
	stdout, stderr := testutil.OutputFile(t), testutil.OutputFile(t)
	if code := run([]string{"--no-such-flag"}, stdout, stderr); code != 2 {
		t.Errorf("exit %d, want 2", code)
	}
	if !strings.Contains(testutil.ReadOutput(t, stderr), "no-such-flag") {
		t.Errorf("stderr %q does not name the flag", testutil.ReadOutput(t, stderr))
	}
}

// A --web.telemetry-path the server cannot route is a flag error (exit 2,
// with the reason), not a panic at start.
func TestTelemetryPathConflictIsAFlagError(t *testing.T) {
	for _, path := range []string{"/probe", "/-/reload", "/", "metrics", "/a b", "/{x}"} {
		stdout, stderr := testutil.OutputFile(t), testutil.OutputFile(t)
		code := run([]string{"--demo", "--web.telemetry-path=" + path, "--web.listen-address=127.0.0.1:0"}, stdout, stderr)
		msg := testutil.ReadOutput(t, stderr)
		if code != 2 || !strings.Contains(msg, "--web.telemetry-path") {
			t.Errorf("%q: exit %d, %q; want 2 and a message about --web.telemetry-path", path, code, msg)
		}
	}
}

// --config.check, valid or not, prints no secret, at any log level.
func TestSecretsConfigCheck(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string, mode os.FileMode) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), mode); err != nil {
			t.Fatal(err)
		}
		return p
	}
	write("token", testutil.SecretToken, 0o600)
	write("app.pem", string(testutil.SecretKeyPEM(t)), 0o644) // also warned about
	write("broken.pem", "-----BEGIN RSA PRIVATE KEY-----\n"+testutil.SecretToken+"\n-----END RSA PRIVATE KEY-----\n", 0o600)
	write("token-as-key.pem", testutil.SecretToken, 0o600)
	configs := map[string]int{
		"github: {token_file: token}\norganizations:\n  - name: a\n  - name: b\n    github: {credential: app, app: {app_id: 1, installation_id: 2, private_key_file: app.pem}}\n": 0,
		"github: {token: " + testutil.SecretToken + "}\nusers: [{name: octocat}]\n":                                                                                               0,
		"github: {token: " + testutil.SecretToken + "}\nusers: [{name: octocat}]\nbogus: " + testutil.SecretToken + "\n":                                                          1,
		"github: {token: " + testutil.SecretToken + ", token_file: token}\nusers: [{name: octocat}]\n":                                                                            1,
		"github: {token: " + testutil.SecretToken + ", api_url: \"https://u:" + testutil.SecretToken + "@gh es.example\"}\nusers: [{name: o}]\n":                                  1,
		"github: {app: {app_id: 1, installation_id: 2, private_key_file: token-as-key.pem}}\nusers: [{name: octocat}]\n":                                                          1,
		"github: {app: {app_id: 1, installation_id: 2, private_key_file: app.pem}, token: " + testutil.SecretToken + "}\nusers: [{name: o}]\n":                                    1,
		"github: {token: [" + testutil.SecretToken + "]}\nusers: [{name: octocat}]\n":                                                                                             1,
		// Error texts that quote what the file says.
		"github: {token: " + testutil.SecretToken + ", proxy_url: \"http://proxy-user:" + testutil.SecretProxy + "@prox y:3128\"}\nusers: [{name: o}]\n":                                                                                             1,
		"github: {token: {value: " + testutil.SecretToken + "}}\nusers: [{name: octocat}]\n":                                                                                                                                                         1,
		"github: {" + testutil.SecretToken + "}\nusers: [{name: octocat}]\n":                                                                                                                                                                         1,
		"refresh_interval: " + testutil.SecretToken + "\ngithub: {token_file: token}\nusers: [{name: octocat}]\n":                                                                                                                                    1,
		"refresh_timeout: \"Basic " + testutil.SecretPassword + "\"\ngithub:\n  token_file: token\n  proxy_url: http://proxy:3128\n  proxy_connect_header: {Proxy-Authorization: [\"Basic " + testutil.SecretPassword + "\"]}\nusers: [{name: o}]\n": 1,
	}
	i := 0
	for content, want := range configs {
		i++
		file := write(fmt.Sprintf("c%d.yml", i), content, 0o600)
		stdout, stderr := testutil.OutputFile(t), testutil.OutputFile(t)
		if code := run([]string{"--config.check", "--config.file", file, "--log.level=debug"}, stdout, stderr); code != want {
			t.Errorf("exit %d, want %d; stderr %s\nconfiguration:\n%s", code, want, testutil.ReadOutput(t, stderr), content)
		}
		testutil.AssertNoSecrets(t, "--config.check output", testutil.ReadOutput(t, stdout)+testutil.ReadOutput(t, stderr))
	}
	// The broken key fails when the client is built: at start as in --config.check.
	file := write("start.yml", "github: {app: {app_id: 1, installation_id: 2, private_key_file: broken.pem}}\nusers: [{name: octocat}]\n", 0o600)
	stdout, stderr := testutil.OutputFile(t), testutil.OutputFile(t)
	if code := run([]string{"--config.file", file, "--log.level=debug", "--web.listen-address=127.0.0.1:0"}, stdout, stderr); code != 1 {
		t.Errorf("start with a broken key: exit %d, want 1", code)
	}
	errOut := testutil.ReadOutput(t, stderr)
	if !strings.Contains(errOut, "broken.pem") {
		t.Errorf("the start error does not name the key file:\n%s", errOut)
	}
	testutil.AssertNoSecrets(t, "the start error", testutil.ReadOutput(t, stdout)+errOut)
}

// The demo makes up data and needs no token, but listens on loopback only
// unless told otherwise.
func TestDemoListensOnLoopback(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--demo"}, "127.0.0.1:9786"},
		{[]string{"--demo", "--web.listen-address=:9999"}, ":9999"},
		{[]string{"--web.listen-address=127.0.0.1:1234", "--demo"}, "127.0.0.1:1234"},
		{[]string{}, ":9786"},
	} {
		f, err := parseFlags(tc.args, os.Stdout, os.Stderr)
		if err != nil {
			t.Fatalf("%v: %v", tc.args, err)
		}
		if got := *f.web.WebListenAddresses; len(got) != 1 || got[0] != tc.want {
			t.Errorf("%v: listens on %v, want [%s]", tc.args, got, tc.want)
		}
	}
}

// A negative --scrape.timeout-offset would be added to Prometheus's
// timeout, and a scrape.timeout of zero or less would end every scrape
// without the header at once: both are flag errors (exit 2, the flag
// named), found before the configuration is read.
func TestScrapeTimeoutFlagsRefused(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "absent.yml")
	for _, tc := range []struct{ arg, flag string }{
		{"--scrape.timeout-offset=-10s", "--scrape.timeout-offset"},
		{"--scrape.timeout-offset=-1ns", "--scrape.timeout-offset"},
		{"--scrape.timeout=0s", "--scrape.timeout"},
		{"--scrape.timeout=-5s", "--scrape.timeout"},
	} {
		if _, err := parseFlags([]string{tc.arg}, testutil.OutputFile(t), testutil.OutputFile(t)); err == nil || !strings.Contains(err.Error(), tc.flag+" ") {
			t.Errorf("%s: parseFlags error %v, want one naming %s", tc.arg, err, tc.flag)
		}
		// Through run: exit 2 with the reason, not 1 for the missing file.
		stdout, stderr := testutil.OutputFile(t), testutil.OutputFile(t)
		code := run([]string{"--config.check", "--config.file", missing, tc.arg}, stdout, stderr)
		if msg := testutil.ReadOutput(t, stderr); code != 2 || !strings.Contains(msg, tc.flag+" ") || strings.Contains(msg, missing) {
			t.Errorf("%s: exit %d, %q; want 2 and a message about %s only", tc.arg, code, msg, tc.flag)
		}
	}
	// A zero offset and an offset at least --scrape.timeout are taken: the
	// offset applies to Prometheus's header, --scrape.timeout where there is
	// none.
	for _, args := range [][]string{{"--scrape.timeout-offset=0s"}, {"--scrape.timeout=1s", "--scrape.timeout-offset=2s"}} {
		f := mainTestParse(t, args...)
		if f.scrapeTimeout <= 0 || f.timeoutOffset < 0 {
			t.Errorf("%v: timeout %v, offset %v", args, f.scrapeTimeout, f.timeoutOffset)
		}
	}
}

// The operator mistakes the configuration refuses: --config.check says
// so with the file, the line and the key, and shows no part of the token.
func TestConfigCheckRefusesOperatorMistakes(t *testing.T) {
	dir := t.TempDir()
	second := "ghp_SECONDline4567"
	if err := os.WriteFile(filepath.Join(dir, "two-lines"), []byte(testutil.Token+"\n"+second+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for name, tc := range map[string]struct {
		content string
		want    []string
	}{
		"cleartext api_url": {"github:\n  token: " + testutil.Token + "\n  api_url: http://ghes.example.com/api/v3\norganizations: [{name: a}]\n",
			[]string{"line 3", "github.api_url", "cleartext", "insecure_http"}},
		"two-line token file": {"github:\n  token_file: two-lines\norganizations: [{name: a}]\n",
			[]string{"line 2", "github.token_file", filepath.Join(dir, "two-lines"), "more than one line"}},
	} {
		file := filepath.Join(dir, strings.ReplaceAll(name, " ", "-")+".yml")
		if err := os.WriteFile(file, []byte(tc.content), 0o600); err != nil {
			t.Fatal(err)
		}
		stdout, stderr := testutil.OutputFile(t), testutil.OutputFile(t)
		if code := run([]string{"--config.check", "--config.file", file}, stdout, stderr); code != 1 {
			t.Errorf("%s: exit %d, want 1", name, code)
		}
		errOut := testutil.ReadOutput(t, stderr)
		for _, want := range append([]string{file}, tc.want...) {
			if !strings.Contains(errOut, want) {
				t.Errorf("%s: stderr %q does not contain %q", name, errOut, want)
			}
		}
		if all := errOut + testutil.ReadOutput(t, stdout); strings.Contains(all, testutil.Token) || strings.Contains(all, second) {
			t.Errorf("%s: output shows the token: %q", name, all)
		}
	}
}

// reloadEnv is the server that serve builds, in front of a fake GitHub
// that takes only testutil.Token, reading its configuration from a file.
type reloadEnv struct {
	dir, cfgFile, tokenFile string
	srv                     *server.Server
	log                     *testutil.SyncBuffer
	fakeURL                 string
}

func newReloadEnv(t *testing.T) *reloadEnv {
	t.Helper()
	fake := fakegithubtest.Start(t, testutil.Dataset())
	fake.RequireToken(testutil.Token)
	dir := t.TempDir()
	env := &reloadEnv{dir: dir, cfgFile: filepath.Join(dir, "exporter.yml"), tokenFile: filepath.Join(dir, "token"), log: &testutil.SyncBuffer{}, fakeURL: fake.URL}
	logger := slog.New(slog.NewTextHandler(env.log, nil))
	exp, err := cache.New(cache.Config{Logger: logger, Collectors: testutil.LegacyCollectors, Concurrency: 4})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(exp.Close)
	env.srv = server.New(server.Config{
		Logger:           logger,
		Exporter:         exp,
		Source:           func() (*config.Resolved, error) { return config.Load(env.cfgFile) },
		TelemetryPath:    "/metrics",
		ScrapeTimeout:    10 * time.Second,
		TimeoutOffset:    500 * time.Millisecond,
		MaxResponseBytes: githubapi.DefaultMaxResponseBytes,
	})
	return env
}

func (env *reloadEnv) write(t *testing.T, apiURL, account, token string) {
	t.Helper()
	content := "github:\n  api_url: " + apiURL + "\n  token_file: token\norganizations: [{name: " + account + "}]\n"
	if err := os.WriteFile(env.cfgFile, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(env.tokenFile, []byte(token), 0o600); err != nil {
		t.Fatal(err)
	}
}

func (env *reloadEnv) metrics(t *testing.T) string {
	t.Helper()
	rec := httptest.NewRecorder()
	env.srv.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("/metrics: %d %s", rec.Code, rec.Body)
	}
	return rec.Body.String()
}

// A start with a refused configuration fails with the file, the line and
// the reason; a reload with one keeps the running configuration: its
// accounts, its data and its token.
func TestReloadKeepsConfigOnOperatorMistakes(t *testing.T) {
	env := newReloadEnv(t)
	second := "ghp_SECONDline4567"

	// At start, nothing is running yet: the first reload's error is what
	// serve reports before it exits 1.
	env.write(t, "http://ghes.example.com/api/v3", "acme-web", testutil.Token+"\n")
	if err := env.srv.Reload(); err == nil || !strings.Contains(err.Error(), env.cfgFile+": line 2: github.api_url: ") {
		t.Errorf("start with a cleartext api_url: %v, want an error naming the file, line 2 and github.api_url", err)
	}

	// A token file of one line and its newline: taken.
	env.write(t, env.fakeURL, "acme-web", testutil.Token+"\n")
	if err := env.srv.Reload(); err != nil {
		t.Fatalf("good configuration: %v", err)
	}
	// acme-web's Actions minutes in the dataset: 18300 s.
	webSeries := `github_billing_actions_used_seconds{account="acme-web",scope="organization"} 18300`
	if body := env.metrics(t); !testutil.HasLine(body, webSeries) {
		t.Fatalf("/metrics lacks %s", webSeries)
	}

	for _, tc := range []struct {
		name, apiURL, token, want string
	}{
		{"two-line token file", env.fakeURL, testutil.Token + "\n" + second + "\n", env.cfgFile + ": line 3: github.token_file: " + env.tokenFile},
		{"cleartext api_url", "http://ghes.example.com/api/v3", testutil.Token + "\n", env.cfgFile + ": line 2: github.api_url: "},
	} {
		env.write(t, tc.apiURL, "acme-data", tc.token)
		err := env.srv.Reload()
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: reload error %v, want one containing %q", tc.name, err, tc.want)
		}
		body := env.metrics(t)
		if !testutil.HasLine(body, "github_billing_config_last_reload_successful 0") {
			t.Errorf("%s: the reload gauge is not 0", tc.name)
		}
		if !testutil.HasLine(body, webSeries) || strings.Contains(body, `account="acme-data"`) {
			t.Errorf("%s: the running configuration was not kept", tc.name)
		}
		if err != nil && (strings.Contains(err.Error(), testutil.Token) || strings.Contains(err.Error(), second)) {
			t.Errorf("%s: the error shows the token: %v", tc.name, err)
		}
	}
	if strings.Contains(env.log.String(), testutil.Token) || strings.Contains(env.log.String(), second) {
		t.Errorf("the log shows the token:\n%s", env.log)
	}
}
