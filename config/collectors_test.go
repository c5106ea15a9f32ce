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

// enabled keys are inherited like refresh intervals: the top-level block,
// then the account's own, key by key.
func TestParseCollectorEnabled(t *testing.T) {
	yml := `github: {token: x}
collectors:
  actions: {enabled: true}
  usage: {enabled: false, refresh_interval: 1h}
organizations:
  - name: web
    collectors:
      usage: {enabled: true}
  - name: data
users:
  - name: octocat
    collectors:
      budgets: {refresh_interval: 2h}
`
	r, err := config.Parse("c.yml", []byte(yml), noEnv)
	if err != nil {
		t.Fatal(err)
	}
	want := map[githubapi.Account]map[string]bool{
		{Scope: githubapi.ScopeOrganization, Name: "web"}:  {"actions": true, "usage": true},
		{Scope: githubapi.ScopeOrganization, Name: "data"}: {"actions": true, "usage": false},
		{Scope: githubapi.ScopeUser, Name: "octocat"}:      {"actions": true, "usage": false},
	}
	for a, w := range want {
		got := r.Enabled[a]
		if len(got) != len(w) {
			t.Errorf("%s: enabled %v, want %v", a, got, w)
		}
		for name, on := range w {
			if v, ok := got[name]; !ok || v != on {
				t.Errorf("%s: %s enabled %v (set %v), want %v", a, name, v, ok, on)
			}
		}
	}
}

// The server key, or else the API URL, says which GitHub an account is
// read from; an account's block inherits it with the URL.
func TestParseServer(t *testing.T) {
	for _, tc := range []struct {
		github string
		want   githubapi.Server
	}{
		{"{token: x}", githubapi.ServerGitHubCom},
		{"{token: x, api_url: 'https://api.github.com/'}", githubapi.ServerGitHubCom},
		{"{token: x, api_url: 'https://api.octo.ghe.com'}", githubapi.ServerGHECom},
		{"{token: x, api_url: 'https://ghes.example.com/api/v3'}", githubapi.ServerEnterpriseServer},
		{"{token: x, api_url: 'http://127.0.0.1:8080'}", githubapi.ServerUnknown},
		{"{token: x, api_url: 'http://127.0.0.1:8080', server: github.com}", githubapi.ServerGitHubCom},
		{"{token: x, api_url: 'https://ghes.example.com/api/v3', server: auto}", githubapi.ServerEnterpriseServer},
		{"{token: x, server: enterprise-server}", githubapi.ServerEnterpriseServer},
	} {
		yml := "github: " + tc.github + "\norganizations: [{name: web}, {name: data, github: {credential: data, token: y}}]\n"
		r, err := config.Parse("c.yml", []byte(yml), noEnv)
		if err != nil {
			t.Fatalf("%s: %v", tc.github, err)
		}
		for _, name := range []string{"default", "data"} {
			if got := r.Credentials[name].Server; got != tc.want {
				t.Errorf("github: %s: credential %s serves %q, want %q", tc.github, name, got, tc.want)
			}
		}
	}
}

func TestParseServerUnknown(t *testing.T) {
	yml := "github: {token: x}\norganizations:\n  - name: web\n    github:\n      server: ghes\n      token: y\n"
	_, err := config.Parse("c.yml", []byte(yml), noEnv)
	want := `c.yml: line 5: organizations[0].github.server: "ghes" is no server: use auto (the default: told from api_url), github.com, ghe.com or enterprise-server`
	if err == nil || err.Error() != want {
		t.Fatalf("err = %v, want %s", err, want)
	}
}

// A collectors block that names no collector is refused with its file,
// line and key.
func TestCheckCollectorNames(t *testing.T) {
	yml := "github: {token: x}\ncollectors:\n  usage: {enabled: false}\norganizations:\n  - name: web\n    collectors:\n      usgae: {enabled: false}\n"
	r, err := config.Parse("c.yml", []byte(yml), noEnv)
	if err != nil {
		t.Fatal(err)
	}
	err = r.CheckCollectorNames(func(name string) bool { return name == "usage" })
	want := `c.yml: line 7: organizations[0].collectors.usgae: "usgae" is no collector (the names are those of the --collector flags and docs/collectors.md)`
	if err == nil || err.Error() != want {
		t.Fatalf("err = %v, want %s", err, want)
	}
	if err := r.CheckCollectorNames(func(name string) bool { return name == "usage" || name == "usgae" }); err != nil {
		t.Errorf("every name known: %v", err)
	}
}
