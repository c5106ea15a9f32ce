package main

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/github-billing-exporter/github-billing-exporter/githubapi/githubtest"
)

// Defect 10: an upstream that echoes the Authorization header in its error
// message does not put the token in the log or in any answer.
func TestSecretsScrubbedFromUpstreamMessages(t *testing.T) {
	env := newFaultEnv(t, faultOptions{})
	env.scrape(t, 0)
	env.fake.Override(webBudgets, func(w http.ResponseWriter, r *http.Request) {
		githubtest.WriteError(w, http.StatusUnauthorized, "Bad credentials: got "+r.Header.Get("Authorization"))
	})
	env.fake.Override(webCopilot, func(w http.ResponseWriter, r *http.Request) {
		// An upstream that quotes the token alone.
		tok := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
		githubtest.WriteError(w, http.StatusForbidden, "denied for token="+tok)
	})
	env.clock.Set(env.clock.Now().Add(faultRefreshInterval + time.Minute))
	env.scrape(t, 10*time.Second)
	log := env.logText(t)
	if !strings.Contains(log, "Bad credentials: got Bearer") || !strings.Contains(log, "denied for token=") {
		t.Fatalf("the upstream messages are not logged at all:\n%s", log)
	}
	if strings.Contains(log, mainTestToken) {
		t.Errorf("the log shows the token an upstream echoed:\n%s", log)
	}
	if strings.Contains(env.servedText(), mainTestToken) {
		t.Error("an answer shows the token an upstream echoed")
	}
}

// Defect 10, through a proxy: a proxy's 407 that quotes the
// Proxy-Authorization header (base64 and decoded) does not put the proxy
// password in the log.
func TestSecretsScrubbedFromProxyAnswer(t *testing.T) {
	const proxyUser, proxyPass = "exporter", "proxyPassSENTINEL_3e4f5a"
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got := r.Header.Get("Proxy-Authorization")
		decoded, _ := base64.StdEncoding.DecodeString(strings.TrimPrefix(got, "Basic "))
		githubtest.WriteError(w, http.StatusProxyAuthRequired, fmt.Sprintf("proxy refused %q (%s)", got, decoded))
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
	for _, s := range []string{proxyPass, b64, mainTestToken} {
		if strings.Contains(log, s) {
			t.Errorf("the log shows %q:\n%s", s, log)
		}
	}
}
