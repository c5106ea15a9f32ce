package server

import (
	"net/http"
	"strings"
	"testing"

	"github.com/github-billing-exporter/github-billing-exporter/internal/testutil"
)

// POST is the only method /-/reload takes.
func TestReloadMethods(t *testing.T) {
	env := newTestEnv(t, "organizations: [{name: acme-web}]\n", testEnvOptions{})
	for _, method := range []string{http.MethodGet, http.MethodPut, http.MethodDelete, http.MethodPatch, http.MethodHead} {
		code, header, _ := env.get(t, method, "/-/reload", nil)
		if code != http.StatusMethodNotAllowed || header.Get("Allow") != http.MethodPost {
			t.Errorf("%s /-/reload: %d, Allow %q; want 405 and Allow: POST", method, code, header.Get("Allow"))
		}
	}
	if !strings.Contains(env.log.String(), "configuration loaded") || strings.Count(env.log.String(), "configuration loaded") != 1 {
		t.Errorf("a refused method reloaded the configuration:\n%s", env.log)
	}
}

// A reload that drops an account with a credential of its own also drops
// that credential's rate-limit series; one that adds it back brings them
// back.
func TestReloadDropsRemovedCredentials(t *testing.T) {
	env := newTestEnv(t, "organizations:\n  - name: acme-web\n  - name: acme-data\n    github: {credential: data}\n", testEnvOptions{})
	dataLimit := `github_billing_api_rate_limit_remaining{credential="data",resource="core"}`
	if body := env.metrics(t); !testutil.HasLine(body, dataLimit) {
		t.Fatalf("/metrics lacks %s", dataLimit)
	}
	env.writeConfig(t, "organizations: [{name: acme-web}]\n")
	if code, _, body := env.get(t, http.MethodPost, "/-/reload", nil); code != http.StatusOK {
		t.Fatalf("reload: %d %s", code, body)
	}
	body := env.metrics(t)
	if testutil.HasLine(body, dataLimit) || strings.Contains(body, `account="acme-data"`) {
		t.Error("the removed account or its credential is still on /metrics")
	}
	if _, _, landing := env.get(t, http.MethodGet, "/", nil); strings.Contains(landing, "acme-data") {
		t.Error("the landing page still lists the removed account")
	}
	if code, _, _ := env.get(t, http.MethodGet, "/probe?target=acme-data", nil); code != http.StatusBadRequest {
		t.Errorf("/probe of the removed account: %d, want 400", code)
	}
}
