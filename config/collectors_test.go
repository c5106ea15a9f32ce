package config_test

import (
	"strings"
	"testing"
	"time"

	"github.com/github-billing-exporter/github-billing-exporter/config"
	"github.com/github-billing-exporter/github-billing-exporter/githubapi"
)

// The collectors block is inherited by every account; an account's own
// block overrides it collector by collector.
func TestParseCollectorRefreshIntervals(t *testing.T) {
	yml := `github: {token: x}
collectors:
  ai_credits_by_user: {refresh_interval: 12h}
  usage: {refresh_interval: 1h}
enterprises:
  - name: acme
    collectors:
      ai_credits_by_user: {refresh_interval: 3h}
organizations:
  - name: web
`
	r, err := config.Parse("c.yml", []byte(yml), noEnv)
	if err != nil {
		t.Fatal(err)
	}
	acme := githubapi.Account{Scope: githubapi.ScopeEnterprise, Name: "acme"}
	web := githubapi.Account{Scope: githubapi.ScopeOrganization, Name: "web"}
	want := map[githubapi.Account]map[string]time.Duration{
		acme: {"ai_credits_by_user": 3 * time.Hour, "usage": time.Hour},
		web:  {"ai_credits_by_user": 12 * time.Hour, "usage": time.Hour},
	}
	for a, w := range want {
		got := r.RefreshIntervals[a]
		if len(got) != len(w) {
			t.Errorf("%s: intervals %v, want %v", a, got, w)
		}
		for name, d := range w {
			if got[name] != d {
				t.Errorf("%s: %s refresh_interval %s, want %s", a, name, got[name], d)
			}
		}
	}
	if r.RefreshInterval != 30*time.Minute {
		t.Errorf("refresh_interval %s, want the default 30m", r.RefreshInterval)
	}
}

func TestParseCollectorRefreshIntervalTooShort(t *testing.T) {
	yml := `github: {token: x}
organizations:
  - name: web
    collectors:
      usage: {refresh_interval: 10s}
`
	_, err := config.Parse("c.yml", []byte(yml), noEnv)
	if err == nil || !strings.Contains(err.Error(), "organizations[0].collectors.usage.refresh_interval") || !strings.Contains(err.Error(), "at least 1m") {
		t.Fatalf("err = %v, want the key organizations[0].collectors.usage.refresh_interval and the minimum", err)
	}
}
