package server

import (
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
	"testing"
	"time"

	"github.com/github-billing-exporter/github-billing-exporter/config"
	"github.com/github-billing-exporter/github-billing-exporter/githubapi"
	"github.com/github-billing-exporter/github-billing-exporter/internal/cache"
	"github.com/github-billing-exporter/github-billing-exporter/internal/fakegithub"
	"github.com/github-billing-exporter/github-billing-exporter/internal/fakegithub/fakegithubtest"
	"github.com/github-billing-exporter/github-billing-exporter/internal/testutil"
)

// testEnv is an exporter's HTTP handler in front of a fake GitHub, with
// the configuration in a file the test rewrites.
type testEnv struct {
	fake    *fakegithub.Server
	dir     string
	cfgFile string
	srv     *Server
	http    *httptest.Server
	log     *testutil.SyncBuffer
}

type testEnvOptions struct {
	maxRequests      int
	collectors       []string
	maxScrapeTimeout time.Duration
	// explicit are the collectors the command line names.
	explicit map[string]bool
}

func newTestEnv(t *testing.T, accountsYAML string, o testEnvOptions) *testEnv {
	t.Helper()
	fake := fakegithubtest.Start(t, testutil.Dataset())
	fake.RequireToken(testutil.Token)
	env := &testEnv{fake: fake, dir: t.TempDir(), log: &testutil.SyncBuffer{}}
	if err := os.WriteFile(filepath.Join(env.dir, "token"), []byte(testutil.Token+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env.cfgFile = filepath.Join(env.dir, "exporter.yml")
	env.writeConfig(t, accountsYAML)

	logger := slog.New(slog.NewTextHandler(env.log, nil))
	if o.collectors == nil {
		o.collectors = testutil.LegacyCollectors
	}
	exp, err := cache.New(cache.Config{Logger: logger, Collectors: o.collectors, Explicit: o.explicit, Concurrency: 4})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(exp.Close)
	env.srv = New(Config{
		Logger:           logger,
		Exporter:         exp,
		Source:           func() (*config.Resolved, error) { return config.Load(env.cfgFile) },
		TelemetryPath:    "/metrics",
		MaxRequests:      o.maxRequests,
		MaxScrapeTimeout: o.maxScrapeTimeout,
		ScrapeTimeout:    10 * time.Second,
		TimeoutOffset:    500 * time.Millisecond,
		MaxResponseBytes: githubapi.DefaultMaxResponseBytes,
	})
	if err := env.srv.Reload(); err != nil {
		t.Fatalf("initial reload: %v", err)
	}
	env.http = httptest.NewServer(env.srv.Handler())
	t.Cleanup(env.http.Close)
	t.Cleanup(func() {
		if strings.Contains(env.log.String(), testutil.Token) {
			t.Errorf("the log shows the token:\n%s", env.log)
		}
	})
	return env
}

// writeConfig points the configuration at the fake GitHub with the given
// account lists (YAML) appended.
func (env *testEnv) writeConfig(t *testing.T, accountsYAML string) {
	t.Helper()
	content := "github:\n  api_url: " + env.fake.URL + "\n  token_file: token\n" + accountsYAML
	if err := os.WriteFile(env.cfgFile, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

func (env *testEnv) get(t *testing.T, method, path string, header http.Header) (int, http.Header, string) {
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
	if strings.Contains(string(body), testutil.Token) {
		t.Errorf("%s %s shows the token", method, path)
	}
	return resp.StatusCode, resp.Header, string(body)
}

func (env *testEnv) metrics(t *testing.T) string {
	t.Helper()
	code, _, body := env.get(t, http.MethodGet, "/metrics", nil)
	if code != http.StatusOK {
		t.Fatalf("/metrics: %d %s", code, body)
	}
	return body
}

func TestServerHealthAndReady(t *testing.T) {
	env := newTestEnv(t, "organizations: [{name: acme-web}]\n", testEnvOptions{})
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
	env := newTestEnv(t, "organizations: [{name: acme-web}]\nusers: [{name: octocat}]\n", testEnvOptions{})
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
		if !testutil.HasLine(body, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
}

func TestServerReload(t *testing.T) {
	env := newTestEnv(t, "organizations: [{name: acme-web}]\n", testEnvOptions{})
	webSeries := `github_billing_actions_used_seconds{account="acme-web",scope="organization"} 18300`
	dataSeries := `github_billing_actions_used_seconds{account="acme-data",scope="organization"} 600`
	if body := env.metrics(t); !testutil.HasLine(body, webSeries) {
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
	authed := env.srv.conf
	authed.Authenticated = func() bool { return true }
	rec := httptest.NewRecorder()
	New(authed).Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/-/reload", nil))
	for _, want := range []string{env.cfgFile, "refresh_intervall"} {
		if !strings.Contains(rec.Body.String(), want) {
			t.Errorf("reload answer %q does not contain %q", rec.Body.String(), want)
		}
	}
	body = env.metrics(t)
	if !testutil.HasLine(body, "github_billing_config_last_reload_successful 0") {
		t.Error("reload gauge is not 0 after a failed reload")
	}
	if !testutil.HasLine(body, webSeries) || testutil.HasLine(body, `github_billing_actions_used_seconds{account="acme-data"`) {
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
	if !testutil.HasLine(body, "github_billing_config_last_reload_successful 1") {
		t.Error("reload gauge is not 1 after a good reload")
	}
	if !testutil.HasLine(body, dataSeries) {
		t.Errorf("/metrics lacks the added account: %s", dataSeries)
	}
	if strings.Contains(body, `account="acme-web"`) {
		t.Error("/metrics still has series of the removed account")
	}
	if !testutil.HasLine(body, "github_billing_config_last_reload_success_timestamp_seconds ") {
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
	env := newTestEnv(t, accounts, testEnvOptions{})
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
	t.Parallel() // mostly waiting: it overlaps the other waiting tests
	env := newTestEnv(t, "organizations: [{name: acme-web}]\n", testEnvOptions{})
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
	if !testutil.HasLine(body, `github_billing_scrape_collector_success{account="acme-web",collector="actions",scope="organization"} 0`) {
		t.Error("a refresh cut short by the scrape is not success 0 on a cold cache")
	}
}

func TestServerMaxRequests(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, "organizations: [{name: acme-web}]\n", testEnvOptions{maxRequests: 1, collectors: []string{"packages"}})
	// GitHub answers the first scrape's one request once the test has seen
	// the second scrape refused.
	const path = "/orgs/acme-web/settings/billing/packages"
	packages := testutil.Dataset().Organizations["acme-web"].Packages
	inside, release := make(chan struct{}, 1), make(chan struct{})
	env.fake.Override(path, func(w http.ResponseWriter, r *http.Request) {
		select {
		case inside <- struct{}{}:
		default:
		}
		select {
		case <-release:
			fakegithub.WriteJSON(w, packages)
		case <-r.Context().Done():
		}
	})
	released := false
	releaseGitHub := func() {
		if !released {
			released = true
			close(release)
		}
	}
	t.Cleanup(releaseGitHub)
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
	select {
	case <-inside:
	case <-time.After(5 * time.Second):
		t.Fatal("the first scrape did not call GitHub in 5 s")
	}
	code, _, body := env.get(t, http.MethodGet, "/metrics", nil)
	if code != http.StatusServiceUnavailable {
		t.Errorf("second concurrent scrape: %d, want 503", code)
	}
	if !strings.Contains(body, "1") {
		t.Errorf("503 answer %q does not name the limit", body)
	}
	releaseGitHub()
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
	env := newTestEnv(t, "organizations: [{name: acme-web}]\nusers: [{name: octocat}]\n", testEnvOptions{})
	env.fake.Override("/orgs/acme-web/settings/billing/packages", func(w http.ResponseWriter, _ *http.Request) {
		fakegithub.WriteError(w, http.StatusForbidden, "Resource not accessible by integration")
	})
	body := env.metrics(t) // get checks the body for the token
	if !testutil.HasLine(body, `github_billing_scrape_collector_success{account="acme-web",collector="packages",scope="organization"} 0`) {
		t.Error("the 403 is not success 0")
	}
	env.get(t, http.MethodGet, "/", nil)
	env.get(t, http.MethodPost, "/-/reload", nil)
	if !strings.Contains(env.log.String(), "Resource not accessible by integration") {
		t.Errorf("the log lacks GitHub's message:\n%s", env.log)
	}
	// newTestEnv's cleanup checks the log for the token.
}

// The scrape's deadline: Prometheus's header less the offset; the flag's
// timeout without a usable header; the header itself when it is no longer
// than the offset; the cap (--scrape.max-timeout, by default 2m) for a
// header that asks for longer, absurd values included, rather than an
// overflow into a deadline in the past.
func TestScrapeContextDeadline(t *testing.T) {
	s := &Server{conf: Config{ScrapeTimeout: 10 * time.Second, TimeoutOffset: 500 * time.Millisecond}}
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
		{"120.5", 2 * time.Minute},
		{"86400", 2 * time.Minute},
		{"Inf", 2 * time.Minute},
		{"1e300", 2 * time.Minute},
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

// The server hands the running clients' state to the clients a reload
// builds: after POST /-/reload the new client of the same credential is
// still blocked by the primary limit the old one hit.
func TestReloadKeepsRateLimitBlock(t *testing.T) {
	env := newTestEnv(t, "organizations: [{name: acme-web}]\n", testEnvOptions{})
	const path = "/orgs/acme-web/settings/billing/packages"
	reset := strconv.FormatInt(time.Now().Add(time.Hour).Unix(), 10)
	env.fake.Override(path, func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("X-Ratelimit-Remaining", "0")
		w.Header().Set("X-Ratelimit-Reset", reset)
		fakegithub.WriteError(w, http.StatusForbidden, "API rate limit exceeded for user ID 1.")
	})
	before := env.srv.conf.Exporter.Targets()[0]
	if _, err := before.Client.PackagesBilling(t.Context(), before.Account); !errors.Is(err, githubapi.ErrRateLimited) {
		t.Fatalf("before the reload: %v, want the rate limit", err)
	}
	requests := env.fake.Requests(path)

	env.writeConfig(t, "organizations: [{name: acme-web}, {name: acme-data}]\n")
	if code, _, body := env.get(t, http.MethodPost, "/-/reload", nil); code != http.StatusOK {
		t.Fatalf("reload: %d %s", code, body)
	}
	after := env.srv.conf.Exporter.Targets()
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
