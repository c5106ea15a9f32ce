package server

import (
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/github-billing-exporter/github-billing-exporter/collector"
	"github.com/github-billing-exporter/github-billing-exporter/config"
	"github.com/github-billing-exporter/github-billing-exporter/githubapi"
	"github.com/github-billing-exporter/github-billing-exporter/internal/cache"
	"github.com/github-billing-exporter/github-billing-exporter/internal/fakegithub"
	"github.com/github-billing-exporter/github-billing-exporter/internal/testutil"
)

func secretOptions(t *testing.T) faultOptions {
	return faultOptions{logLevel: "debug", token: testutil.SecretToken, appKeyPEM: testutil.SecretKeyPEM(t), appToken: testutil.SecretAppToken}
}

// The whole fault suite, at debug level, with a sentinel token and a GitHub
// App (sentinel key and installation token), then the landing page, /probe,
// good and bad reloads: no secret shows anywhere.
func TestSecretsThroughTheFaultSuite(t *testing.T) {
	t.Parallel() // its cases run beside the other parallel tests
	runFaultSuite(t, secretOptions(t), func(t *testing.T, env *faultEnv) {
		if env.appExchanges.Load() == 0 {
			t.Error("the App account never asked for an installation token")
		}
		env.do(t, http.MethodGet, "/", nil)
		for _, target := range []string{"acme-web", "acme-data", "organization/acme-data", "nope", ""} {
			env.do(t, http.MethodGet, "/probe?target="+target, nil)
		}
		secretsReloads(t, env)
		log := env.logText(t)
		if !strings.Contains(log, "level=debug") {
			t.Error("no debug lines: the run is not at debug level")
		}
		testutil.AssertNoSecrets(t, "the log", log)
		testutil.AssertNoSecrets(t, "the exporter's answers", env.servedText())
	})
}

// secretsReloads reloads a good configuration, then bad ones whose errors
// are near the secrets, then the good one again.
func secretsReloads(t *testing.T, env *faultEnv) {
	t.Helper()
	good := env.accountsYAML()
	if code, body := env.do(t, http.MethodPost, "/-/reload", nil); code != http.StatusOK {
		t.Fatalf("good reload: %d %s", code, body)
	}
	broken := filepath.Join(env.dir, "broken.pem")
	if err := os.WriteFile(broken, []byte("-----BEGIN RSA PRIVATE KEY-----\n"+testutil.SecretToken+"\n-----END RSA PRIVATE KEY-----\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{
		good + "bogus_key: " + testutil.SecretToken + "\n",
		strings.Replace(good, "refresh_interval:", "refresh_interval: 1s\nx_refresh_interval:", 1),
		"refresh_interval: 5m\norganizations:\n  - name: acme-web\n    github: {token: " + testutil.SecretToken + ", token_file: token}\n",
		"organizations:\n  - name: acme-web\n    github: {api_url: \"htps://x:" + testutil.SecretToken + "@example.com\", token: " + testutil.SecretToken + "}\n",
		"organizations:\n  - name: acme-web\n    github: {app: {app_id: 1, installation_id: 2, private_key_file: broken.pem}}\n",
		// Continuing the top-level github block: a malformed proxy URL,
		// whose parse error quotes it whole, and secrets of the wrong type.
		"  proxy_url: \"http://proxy-user:" + testutil.SecretProxy + "@prox y:3128\"\n" + good,
		"  token: {value: " + testutil.SecretToken + "}\n" + good,
		"  proxy_connect_header: {Proxy-Authorization: [\"Basic " + testutil.SecretPassword + "\"]}\n" +
			strings.Replace(good, "refresh_timeout:", "refresh_timeout: \"Basic "+testutil.SecretPassword+"\"\nx_refresh_timeout:", 1),
	} {
		env.writeConfig(t, bad)
		if code, _ := env.do(t, http.MethodPost, "/-/reload", nil); code != http.StatusInternalServerError {
			t.Errorf("bad reload answered %d, want 500; configuration:\n%s", code, bad)
		}
	}
	env.writeConfig(t, good)
	if code, body := env.do(t, http.MethodPost, "/-/reload", nil); code != http.StatusOK {
		t.Fatalf("good reload: %d %s", code, body)
	}
}

// panicTransport is an HTTP transport that breaks while the Authorization
// header is set, with a message that formats the credential: the panic a
// careless change could bring.
type panicTransport struct{ cred *config.Credential }

func (p panicTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Header.Get("Authorization") == "" {
		return nil, errors.New("no credential")
	}
	if strings.Contains(req.URL.Path, "/packages") {
		var m map[string]int
		m[req.URL.Path]++ //nolint:staticcheck // a plain runtime panic on purpose, as a nil-map bug would be
	}
	panic(fmt.Sprintf("transport broke for %v (%+v, %#v, %s)", p.cred, p.cred, *p.cred, p.cred))
}

// Panics in a collector refresh (recovered by the exporter) and in an HTTP
// handler (recovered by the server) are logged without the secrets of the
// credential they format.
func TestSecretsPanicsAreRecoveredWithoutSecrets(t *testing.T) {
	env := newFaultEnv(t, secretOptions(t))
	env.scrape(t, 0)
	cfg, err := config.Load(env.cfgFile)
	if err != nil {
		t.Fatal(err)
	}
	appCred, tokenCred := cfg.Credentials["data-app"], cfg.Credentials["default"]
	if appCred == nil || tokenCred == nil || string(appCred.AppPrivateKey) == "" || string(tokenCred.Token) != testutil.SecretToken {
		t.Fatalf("credentials = %v", cfg.Credentials)
	}

	// A collector refresh that panics: one more account, whose client
	// breaks inside the transport after the token is in the header.
	client, err := githubapi.New(githubapi.Options{
		BaseURL:    env.fake.URL,
		Credential: "panicky",
		HTTPClient: &http.Client{Transport: &githubapi.TokenTransport{Token: testutil.SecretToken, Base: panicTransport{cred: appCred}}},
		Retries:    githubapi.RetryPolicy{Max: 0, Base: time.Millisecond},
	})
	if err != nil {
		t.Fatal(err)
	}
	exp := env.srv.conf.Exporter
	panicky := githubapi.Account{Scope: githubapi.ScopeOrganization, Name: "acme-panicky"}
	exp.Apply(cache.Settings{RefreshInterval: faultRefreshInterval, RefreshTimeout: faultRefreshTimeout, MaxAge: time.Hour},
		append(exp.Targets(), collector.Target{Account: panicky, Client: client}))
	s := env.scrape(t, 10*time.Second)
	for _, c := range []string{"actions", "packages", "copilot"} {
		if k := selfKey("scrape_collector_success", c, "organization", panicky.Name); s[k] != "0" {
			t.Errorf("%s = %s, want 0", k, s[k])
		}
	}
	if k := selfKey("scrape_collector_success", "actions", "organization", "acme-web"); s[k] != "1" {
		t.Errorf("%s = %s: a panic elsewhere failed a healthy collector", k, s[k])
	}
	log := env.logText(t)
	for _, want := range []string{"collector actions panicked", `transport broke for credential \"data-app\"`, "assignment to entry in nil map"} {
		if !strings.Contains(log, want) {
			t.Errorf("the log lacks %q", want)
		}
	}

	// A handler that panics formatting credentials, on a request that
	// carries basic-auth credentials.
	handler := env.srv.recoverPanics(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
		panic(fmt.Errorf("cannot use %v or %+v: %w", tokenCred, *appCred, errors.New(tokenCred.GoString())))
	}))
	req := httptest.NewRequest(http.MethodGet, "/metrics", nil)
	req.SetBasicAuth("prometheus", testutil.SecretPassword)
	rec := httptest.NewRecorder()
	handler.ServeHTTP(rec, req)
	if rec.Code != http.StatusInternalServerError {
		t.Errorf("panicking handler answered %d, want 500", rec.Code)
	}
	testutil.AssertNoSecrets(t, "the panic's answer", rec.Body.String())
	log = env.logText(t)
	if !strings.Contains(log, "panic while serving a request") || !strings.Contains(log, `credential \"default\"`) {
		t.Errorf("the handler panic is not logged with the credential's name:\n%s", log)
	}
	testutil.AssertNoSecrets(t, "the log", log)
	testutil.AssertNoSecrets(t, "the exporter's answers", env.servedText())
}

// The App's signed JWT is a credential too: when the installation-token
// exchange fails, neither it nor the key shows in the log or on /metrics.
func TestSecretsAppTokenExchangeFails(t *testing.T) {
	env := newFaultEnv(t, secretOptions(t))
	var mu sync.Mutex
	var jwts []string
	env.fake.Override(fmt.Sprintf("/app/installations/%d/access_tokens", faultAppInstallation), func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		jwts = append(jwts, strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer "))
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprintf(w, `{"message":"'Expiration time' claim ('exp') is too far in the future","documentation_url":"https://docs.github.com/rest"}`)
	})
	s := env.scrape(t, 10*time.Second)
	if k := selfKey("scrape_collector_success", "actions", "organization", "acme-data"); s[k] != "0" {
		t.Errorf("%s = %s, want 0 without an installation token", k, s[k])
	}
	if k := selfKey("scrape_collector_success", "actions", "organization", "acme-web"); s[k] != "1" {
		t.Errorf("%s = %s, want 1", k, s[k])
	}
	mu.Lock()
	defer mu.Unlock()
	if len(jwts) == 0 || len(jwts[0]) < 100 {
		t.Fatalf("no JWT reached the token exchange: %q", jwts)
	}
	log := env.logText(t)
	if !strings.Contains(log, "could not refresh installation id") {
		t.Errorf("the failed exchange is not logged:\n%s", log)
	}
	testutil.AssertNoSecrets(t, "the log", log)
	for _, jwt := range jwts {
		if strings.Contains(log, jwt) || strings.Contains(env.servedText(), jwt) {
			t.Fatal("the App's JWT shows in the log or on /metrics")
		}
	}
}

// A token or key file every user can read is warned about when the
// configuration is loaded, by name and without its content.
func TestSecretsWarnAboutReadableFiles(t *testing.T) {
	env := newFaultEnv(t, secretOptions(t))
	for _, name := range []string{"token", "app.pem"} {
		if err := os.Chmod(filepath.Join(env.dir, name), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := env.srv.Reload(); err != nil {
		t.Fatal(err)
	}
	lines := faultLogLines(env.logText(t))
	for _, name := range []string{"token", "app.pem"} {
		path := filepath.Join(env.dir, name)
		found := false
		for _, line := range lines {
			found = found || strings.Contains(line, path) && strings.Contains(line, "readable by every user") && strings.Contains(line, "chmod 600")
		}
		if !found {
			t.Errorf("no warning names %s:\n%s", path, strings.Join(lines, "\n"))
		}
	}
	testutil.AssertNoSecrets(t, "the log", env.logText(t))
}

// An upstream that echoes the Authorization header in its error
// message does not put the token in the log or in any answer.
func TestSecretsScrubbedFromUpstreamMessages(t *testing.T) {
	env := newFaultEnv(t, faultOptions{})
	env.scrape(t, 0)
	env.fake.Override(webBudgets, func(w http.ResponseWriter, r *http.Request) {
		fakegithub.WriteError(w, http.StatusUnauthorized, "Bad credentials: got "+r.Header.Get("Authorization"))
	})
	env.fake.Override(webCopilot, func(w http.ResponseWriter, r *http.Request) {
		// An upstream that quotes the token alone.
		tok := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
		fakegithub.WriteError(w, http.StatusForbidden, "denied for token="+tok)
	})
	env.clock.Set(env.clock.Now().Add(faultRefreshInterval + time.Minute))
	env.scrape(t, 10*time.Second)
	log := env.logText(t)
	if !strings.Contains(log, "Bad credentials: got Bearer") || !strings.Contains(log, "denied for token=") {
		t.Fatalf("the upstream messages are not logged at all:\n%s", log)
	}
	if strings.Contains(log, testutil.Token) {
		t.Errorf("the log shows the token an upstream echoed:\n%s", log)
	}
	if strings.Contains(env.servedText(), testutil.Token) {
		t.Error("an answer shows the token an upstream echoed")
	}
}

// Through a proxy: a proxy's 407 that quotes the
// Proxy-Authorization header (base64 and decoded) does not put the proxy
// password in the log.
func TestSecretsScrubbedFromProxyAnswer(t *testing.T) {
	const proxyUser, proxyPass = "exporter", "proxyPassSENTINEL_3e4f5a"
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got := r.Header.Get("Proxy-Authorization")
		decoded, _ := base64.StdEncoding.DecodeString(strings.TrimPrefix(got, "Basic "))
		fakegithub.WriteError(w, http.StatusProxyAuthRequired, fmt.Sprintf("proxy refused %q (%s)", got, decoded))
	}))
	t.Cleanup(proxy.Close)
	env := newFaultEnv(t, faultOptions{})
	proxyURL := strings.Replace(proxy.URL, "http://", "http://"+proxyUser+":"+proxyPass+"@", 1)
	content := "github:\n  api_url: " + env.fake.URL + "\n  token_file: token\n  proxy_url: " + proxyURL + "\n" +
		"refresh_interval: 10m\norganizations: [{name: acme-web}]\n"
	if err := os.WriteFile(env.cfgFile, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, body := env.do(t, http.MethodPost, "/-/reload", nil); code != http.StatusOK {
		t.Fatalf("reload: %d %s", code, body)
	}
	env.scrape(t, 10*time.Second)
	log := env.logText(t)
	if !strings.Contains(log, "proxy refused") {
		t.Fatalf("the proxy's answer is not logged:\n%s", log)
	}
	b64 := base64.StdEncoding.EncodeToString([]byte(proxyUser + ":" + proxyPass))
	for _, s := range []string{proxyPass, b64, testutil.Token} {
		if strings.Contains(log, s) {
			t.Errorf("the log shows %q:\n%s", s, log)
		}
	}
}

// An installation-token exchange that GitHub refuses with a 401
// fails the same way when tried again. One refresh round asks for the token
// once per credential, and every collector of the App's account fails with
// that one answer, instead of each request retrying the POST.
func TestAppTokenExchangeOncePerRound(t *testing.T) {
	env := newFaultEnv(t, secretOptions(t))
	var posts atomic.Int32
	env.fake.Override(fmt.Sprintf("/app/installations/%d/access_tokens", faultAppInstallation), func(w http.ResponseWriter, r *http.Request) {
		posts.Add(1)
		fakegithub.WriteError(w, http.StatusUnauthorized, "A JSON web token could not be decoded")
	})
	s := env.scrape(t, 10*time.Second)
	if got := posts.Load(); got != 1 {
		t.Errorf("%d token exchanges in one refresh round, want 1", got)
	}
	failed := 0
	for k, v := range s {
		if strings.Contains(k, "scrape_collector_success") && strings.Contains(k, `account="acme-data"`) {
			if v != "0" {
				t.Errorf("%s = %s, want 0 without an installation token", k, v)
			}
			failed++
		}
	}
	if failed < 2 {
		t.Fatalf("%d collectors of the App's account were scraped, want several", failed)
	}
	if k := selfKey("scrape_collector_success", "actions", "organization", "acme-web"); s[k] != "1" {
		t.Errorf("%s = %s, want 1: the token account is not affected", k, s[k])
	}
}
