package server

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/github-billing-exporter/github-billing-exporter/internal/fakegithub"
	"github.com/github-billing-exporter/github-billing-exporter/internal/testutil"
)

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
