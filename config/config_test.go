package config_test

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v4"

	"github.com/github-billing-exporter/github-billing-exporter/config"
	"github.com/github-billing-exporter/github-billing-exporter/githubapi"
)

// sentinelToken must never appear in an error, a warning or a printed
// configuration.
const sentinelToken = "ghp_SENTINEL0123456789abcdefTOKEN"

func noEnv(string) string { return "" }

// writeFile writes content to name in dir with mode perm (set explicitly, so
// the umask does not matter) and returns its path.
func writeFile(t *testing.T, dir, name, content string, perm os.FileMode) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(content), perm); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, perm); err != nil {
		t.Fatal(err)
	}
	return path
}

// parseIn parses content as if it were the file config.yml in dir.
func parseIn(t *testing.T, dir, content string, getenv func(string) string) (*config.Resolved, string, error) {
	t.Helper()
	file := filepath.Join(dir, "config.yml")
	r, err := config.Parse(file, []byte(content), getenv)
	return r, file, err
}

// rawConfig is content decoded as the configuration file is, before it is
// resolved: what a careless log line or a dump of the settings would show.
func rawConfig(t testing.TB, content string) *config.Config {
	t.Helper()
	var c config.Config
	if err := yaml.Unmarshal([]byte(content), &c); err != nil {
		t.Fatal(err)
	}
	return &c
}

func mustParse(t *testing.T, dir, content string, getenv func(string) string) *config.Resolved {
	t.Helper()
	r, _, err := parseIn(t, dir, content, getenv)
	if err != nil {
		t.Fatalf("Parse: unexpected error: %v", err)
	}
	return r
}

func TestParseMinimal(t *testing.T) {
	dir := t.TempDir()
	r := mustParse(t, dir, "github:\n  token: "+sentinelToken+"\norganizations:\n  - name: acme-web\n", noEnv)

	if want := time.Duration(config.DefaultRefreshInterval); r.RefreshInterval != want || want < time.Minute {
		t.Errorf("RefreshInterval = %v, want the default %v (at least 1m)", r.RefreshInterval, want)
	}
	if r.RefreshTimeout != time.Duration(config.DefaultRefreshTimeout) {
		t.Errorf("RefreshTimeout = %v, want the default %v", r.RefreshTimeout, config.DefaultRefreshTimeout)
	}
	// Default max age: three refresh intervals, but at least an hour.
	if want := max(3*r.RefreshInterval, time.Hour); r.MaxAge != want {
		t.Errorf("MaxAge = %v, want %v", r.MaxAge, want)
	}
	if len(r.Targets) != 1 {
		t.Fatalf("Targets = %+v, want one", r.Targets)
	}
	want := config.Target{Account: githubapi.Account{Scope: githubapi.ScopeOrganization, Name: "acme-web"}, Credential: "default"}
	if r.Targets[0] != want {
		t.Errorf("Targets[0] = %+v, want %+v", r.Targets[0], want)
	}
	if len(r.Credentials) != 1 {
		t.Fatalf("Credentials = %v, want only \"default\"", r.Credentials)
	}
	c := r.Credentials["default"]
	if c == nil {
		t.Fatalf("no credential named default in %v", r.Credentials)
	}
	if c.APIURL != "https://api.github.com" {
		t.Errorf("APIURL = %q, want https://api.github.com", c.APIURL)
	}
	if string(c.Token) != sentinelToken {
		t.Errorf("Token not taken from the file")
	}
	if c.App != nil {
		t.Errorf("App = %+v, want nil", c.App)
	}
	if len(r.Warnings) != 0 {
		t.Errorf("Warnings = %q, want none", r.Warnings)
	}
	if r.File != filepath.Join(dir, "config.yml") {
		t.Errorf("File = %q", r.File)
	}
}

func TestParseAllKeys(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "token", "  "+sentinelToken+"\n\n", 0o600)
	content := `github:
  credential: main
  api_url: https://ghes.example.com/api/v3/
  token_file: token
  proxy_url: http://proxy.example.com:3128
  tls_config:
    insecure_skip_verify: false
refresh_interval: 10m
refresh_timeout: 90s
max_age: 2h
enterprises:
  - name: acme
organizations:
  - name: acme-web
  - name: acme-data
users:
  - name: octocat
`
	r := mustParse(t, dir, content, noEnv)
	if r.RefreshInterval != 10*time.Minute || r.RefreshTimeout != 90*time.Second || r.MaxAge != 2*time.Hour {
		t.Errorf("durations = %v/%v/%v, want 10m/1m30s/2h", r.RefreshInterval, r.RefreshTimeout, r.MaxAge)
	}
	wantTargets := []config.Target{
		{Account: githubapi.Account{Scope: githubapi.ScopeEnterprise, Name: "acme"}, Credential: "main"},
		{Account: githubapi.Account{Scope: githubapi.ScopeOrganization, Name: "acme-web"}, Credential: "main"},
		{Account: githubapi.Account{Scope: githubapi.ScopeOrganization, Name: "acme-data"}, Credential: "main"},
		{Account: githubapi.Account{Scope: githubapi.ScopeUser, Name: "octocat"}, Credential: "main"},
	}
	if len(r.Targets) != len(wantTargets) {
		t.Fatalf("Targets = %+v, want %+v", r.Targets, wantTargets)
	}
	for i := range wantTargets {
		if r.Targets[i] != wantTargets[i] {
			t.Errorf("Targets[%d] = %+v, want %+v", i, r.Targets[i], wantTargets[i])
		}
	}
	c := r.Credentials["main"]
	if c == nil || len(r.Credentials) != 1 {
		t.Fatalf("Credentials = %v, want only \"main\"", r.Credentials)
	}
	// The trailing slash goes, the /api/v3 prefix stays.
	if c.APIURL != "https://ghes.example.com/api/v3" {
		t.Errorf("APIURL = %q, want https://ghes.example.com/api/v3", c.APIURL)
	}
	if string(c.Token) != sentinelToken {
		t.Errorf("token from token_file not trimmed to the token")
	}
	if c.HTTP.ProxyURL.URL == nil || c.HTTP.ProxyURL.String() != "http://proxy.example.com:3128" {
		t.Errorf("proxy_url = %v, want http://proxy.example.com:3128", c.HTTP.ProxyURL)
	}
	if len(r.Warnings) != 0 {
		t.Errorf("Warnings = %q, want none for a 0600 token file", r.Warnings)
	}
}

func TestParseAccountOverride(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "ghes-token", "ghes-secret-token\n", 0o600)
	content := `github:
  token: top-level-token
organizations:
  - name: acme-web
  - name: acme-onprem
    github:
      credential: onprem
      api_url: https://ghes.example.com/api/v3
      token_file: ghes-token
  - name: acme-inherit
    github:
      api_url: https://api.acme.ghe.com
      token: ghe-com-token
`
	r := mustParse(t, dir, content, noEnv)
	byName := map[string]string{}
	for _, tg := range r.Targets {
		byName[tg.Account.Name] = tg.Credential
	}
	// An override without a credential name is named after its account.
	want := map[string]string{"acme-web": "default", "acme-onprem": "onprem", "acme-inherit": "acme-inherit"}
	for name, cred := range want {
		if byName[name] != cred {
			t.Errorf("account %s uses credential %q, want %q", name, byName[name], cred)
		}
	}
	if len(r.Credentials) != 3 {
		t.Fatalf("Credentials = %v, want default, onprem and acme-inherit", r.Credentials)
	}
	top, onprem, inherit := r.Credentials["default"], r.Credentials["onprem"], r.Credentials["acme-inherit"]
	if top == nil || onprem == nil || inherit == nil {
		t.Fatalf("Credentials = %v", r.Credentials)
	}
	if top.APIURL != "https://api.github.com" || string(top.Token) != "top-level-token" {
		t.Errorf("default credential = %s with the wrong token", top.APIURL)
	}
	if onprem.APIURL != "https://ghes.example.com/api/v3" || string(onprem.Token) != "ghes-secret-token" {
		t.Errorf("onprem credential = %s, token from its own file wanted", onprem.APIURL)
	}
	if inherit.APIURL != "https://api.acme.ghe.com" || string(inherit.Token) != "ghe-com-token" {
		t.Errorf("acme-inherit credential = %s, want the GHE.com URL with its own token", inherit.APIURL)
	}
}

// An override that moves an account to another API must bring its own
// credential: inheriting would send the top-level token to another host.
func TestParseAccountOverrideOtherHostNeedsItsOwnCredential(t *testing.T) {
	_, _, err := parseIn(t, t.TempDir(), "github: {token: "+sentinelToken+"}\norganizations:\n  - name: a\n    github: {api_url: 'https://ghes.example.com/api/v3'}\n", noEnv)
	var ce *config.Error
	if !errors.As(err, &ce) || ce.Key != "organizations[0].github" || !strings.Contains(ce.Reason, "own token") {
		t.Fatalf("err = %v, want organizations[0].github asking for its own token", err)
	}
	if strings.Contains(err.Error(), sentinelToken) {
		t.Fatalf("error shows the token: %v", err)
	}
}

// An override that changes nothing shares the top-level credential.
func TestParseAccountOverrideSameAsTop(t *testing.T) {
	r := mustParse(t, t.TempDir(), "github: {token: abc}\norganizations:\n  - name: a\n    github: {}\n", noEnv)
	if len(r.Credentials) != 1 || r.Targets[0].Credential != "default" {
		t.Errorf("Credentials = %v, target credential %q; want one credential named default", r.Credentials, r.Targets[0].Credential)
	}
}

// One credential name used by two accounts with the same settings is one
// credential.
func TestParseSharedCredentialName(t *testing.T) {
	content := `github: {token: top}
organizations:
  - name: a
    github: {credential: shared, token: same}
  - name: b
    github: {credential: shared, token: same}
`
	r := mustParse(t, t.TempDir(), content, noEnv)
	if len(r.Credentials) != 1 || r.Credentials["shared"] == nil {
		t.Errorf("Credentials = %v, want only \"shared\" (the top-level one is unused)", r.Credentials)
	}
}

func TestParseAppAuth(t *testing.T) {
	dir := t.TempDir()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	keyPEM := string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)}))
	keyFile := writeFile(t, dir, "app.pem", keyPEM, 0o600)

	content := `github:
  app: {app_id: 12345, installation_id: 67890, private_key_file: app.pem}
enterprises: [{name: acme}]
`
	r := mustParse(t, dir, content, noEnv)
	c := r.Credentials["default"]
	if c == nil {
		t.Fatalf("Credentials = %v", r.Credentials)
	}
	if c.App == nil {
		t.Fatal("App = nil, want the app settings")
	}
	if c.App.AppID != 12345 || c.App.InstallationID != 67890 {
		t.Errorf("App = %+v, want app_id 12345 and installation_id 67890", c.App)
	}
	if c.App.PrivateKeyFile != keyFile {
		t.Errorf("PrivateKeyFile = %q, want %q (relative to the configuration file)", c.App.PrivateKeyFile, keyFile)
	}
	if string(c.AppPrivateKey) != keyPEM {
		t.Error("AppPrivateKey is not the key file's content")
	}
	if c.Token != "" {
		t.Error("Token set for App authentication")
	}
	// The transport accepts the key.
	if _, err := githubapi.AppTransport(nil, c.APIURL, c.App.AppID, c.App.InstallationID, []byte(c.AppPrivateKey)); err != nil {
		t.Errorf("AppTransport rejects the configured key: %v", err)
	}
	// A printed configuration shows no key material.
	out, err := yaml.Marshal(rawConfig(t, content))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(out), "PRIVATE KEY") {
		t.Errorf("marshalled configuration contains the private key:\n%s", out)
	}
}

func TestParseTokenFromEnvironment(t *testing.T) {
	var asked []string
	getenv := func(k string) string {
		asked = append(asked, k)
		if k == "GITHUB_TOKEN" {
			return " env-token-value\n"
		}
		return ""
	}
	r := mustParse(t, t.TempDir(), "organizations: [{name: acme-web}]\n", getenv)
	c := r.Credentials["default"]
	if c == nil || string(c.Token) != "env-token-value" {
		t.Fatalf("Credentials = %v, want default with the trimmed GITHUB_TOKEN", r.Credentials)
	}
	if len(asked) == 0 {
		t.Error("getenv was never called")
	}
}

// The default max age is three refresh intervals, at least an hour.
func TestParseDefaultMaxAge(t *testing.T) {
	for _, tc := range []struct {
		interval string
		want     time.Duration
	}{
		{"1m", time.Hour},
		{"10m", time.Hour},
		{"20m", time.Hour},
		{"30m", 90 * time.Minute},
		{"2h", 6 * time.Hour},
	} {
		r := mustParse(t, t.TempDir(), "refresh_interval: "+tc.interval+"\ngithub: {token: x}\norganizations: [{name: a}]\n", noEnv)
		if r.MaxAge != tc.want {
			t.Errorf("refresh_interval %s: MaxAge = %v, want %v", tc.interval, r.MaxAge, tc.want)
		}
	}
}

// A token in the file wins over GITHUB_TOKEN.
func TestParseTokenBeatsEnvironment(t *testing.T) {
	getenv := func(string) string { return "from-env" }
	r := mustParse(t, t.TempDir(), "github: {token: from-file}\norganizations: [{name: a}]\n", getenv)
	if got := string(r.Credentials["default"].Token); got != "from-file" {
		t.Errorf("token = %q, want from-file", got)
	}
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "token", sentinelToken, 0o600)
	file := writeFile(t, dir, "exporter.yml", "github: {token_file: token}\nusers: [{name: octocat}]\n", 0o644)
	r, err := config.Load(file)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if r.File != file || len(r.Targets) != 1 || r.Targets[0].Account.Name != "octocat" {
		t.Errorf("Load = %+v", r)
	}

	missing := filepath.Join(dir, "nope.yml")
	_, err = config.Load(missing)
	if err == nil {
		t.Fatal("Load of a missing file: no error")
	}
	if !strings.Contains(err.Error(), missing) || !strings.Contains(err.Error(), "no such file") {
		t.Errorf("error %q does not name the file and the reason", err)
	}
}

type badCase struct {
	name string
	// setup writes files into dir and returns the configuration content.
	setup  func(t *testing.T, dir string) string
	key    string   // the Error's Key
	line   int      // the Error's Line, 0 for none
	reason []string // substrings of the Error's Reason
}

func staticConfig(content string) func(*testing.T, string) string {
	return func(*testing.T, string) string { return content }
}

func TestParseBad(t *testing.T) {
	tok := "github: {token: " + sentinelToken + "}\n"
	cases := []badCase{
		{
			name:   "unknown key",
			setup:  staticConfig("github:\n  token: " + sentinelToken + "\n  tokn: x\norganizations: [{name: a}]\n"),
			key:    "github.tokn",
			line:   3,
			reason: []string{`unknown key "tokn"`},
		},
		{
			name:   "unknown top-level key",
			setup:  staticConfig(tok + "organisations: [{name: a}]\n"),
			key:    "organisations",
			line:   2,
			reason: []string{`unknown key "organisations"`},
		},
		{
			name:   "missing token file",
			setup:  staticConfig("github: {token_file: does-not-exist}\norganizations: [{name: a}]\n"),
			key:    "github.token_file",
			line:   1,
			reason: []string{"does-not-exist", "no such file or directory"},
		},
		{
			name: "unreadable token file",
			setup: func(t *testing.T, dir string) string {
				if os.Geteuid() == 0 {
					// root reads a chmod 000 file; a directory cannot be read as
					// a file by anyone.
					if err := os.Mkdir(filepath.Join(dir, "unreadable"), 0o700); err != nil {
						t.Fatal(err)
					}
				} else {
					writeFile(t, dir, "unreadable", sentinelToken, 0o000)
				}
				return "github: {token_file: unreadable}\norganizations: [{name: a}]\n"
			},
			key:    "github.token_file",
			line:   1,
			reason: []string{"cannot read token", "unreadable"},
		},
		{
			name: "dangling token file symlink",
			setup: func(t *testing.T, dir string) string {
				if err := os.Symlink(filepath.Join(dir, "gone"), filepath.Join(dir, "link")); err != nil {
					t.Fatal(err)
				}
				return "github: {token_file: link}\norganizations: [{name: a}]\n"
			},
			key:    "github.token_file",
			line:   1,
			reason: []string{"cannot read token", "no such file or directory"},
		},
		{
			name: "empty token file",
			setup: func(t *testing.T, dir string) string {
				writeFile(t, dir, "empty", " \n\t\n", 0o600)
				return "github: {token_file: empty}\norganizations: [{name: a}]\n"
			},
			key:    "github.token_file",
			line:   1,
			reason: []string{"empty"},
		},
		{
			name:   "missing token file in an account override",
			setup:  staticConfig(tok + "organizations:\n  - name: a\n  - name: b\n    github: {token_file: /nonexistent/token}\n"),
			key:    "organizations[1].github.token_file",
			line:   5,
			reason: []string{"/nonexistent/token", "no such file or directory"},
		},
		{
			name:   "empty account name",
			setup:  staticConfig(tok + "organizations: [{name: a}, {name: \"\"}]\n"),
			key:    "organizations[1].name",
			line:   2,
			reason: []string{"must not be empty"},
		},
		{
			name:   "missing account name",
			setup:  staticConfig(tok + "users: [{}]\n"),
			key:    "users[0].name",
			line:   2,
			reason: []string{"must not be empty"},
		},
		{
			name:   "invalid account name",
			setup:  staticConfig(tok + "enterprises: [{name: \"acme corp\"}]\n"),
			key:    "enterprises[0].name",
			line:   2,
			reason: []string{`"acme corp"`, "not a GitHub account name"},
		},
		{
			name:   "invalid account name with a slash",
			setup:  staticConfig(tok + "organizations: [{name: \"acme/web\"}]\n"),
			key:    "organizations[0].name",
			line:   2,
			reason: []string{`"acme/web"`},
		},
		{
			name:   "duplicate account, case-insensitive",
			setup:  staticConfig(tok + "organizations: [{name: acme-web}, {name: other}, {name: ACME-Web}]\n"),
			key:    "organizations[2].name",
			line:   2,
			reason: []string{`"ACME-Web"`, "already listed", "organizations[0]"},
		},
		{
			name:   "api_url without scheme",
			setup:  staticConfig("github: {token: " + sentinelToken + ", api_url: api.github.com}\norganizations: [{name: a}]\n"),
			key:    "github.api_url",
			line:   1,
			reason: []string{"api.github.com", "scheme must be http or https"},
		},
		{
			name:   "api_url with ftp scheme",
			setup:  staticConfig("github: {token: " + sentinelToken + ", api_url: \"ftp://ghes.example.com/api/v3\"}\norganizations: [{name: a}]\n"),
			key:    "github.api_url",
			line:   1,
			reason: []string{"ftp://ghes.example.com", "scheme must be http or https"},
		},
		{
			name:   "api_url with a query",
			setup:  staticConfig("github: {token: " + sentinelToken + ", api_url: \"https://ghes.example.com/api/v3?x=1\"}\norganizations: [{name: a}]\n"),
			key:    "github.api_url",
			line:   1,
			reason: []string{"query"},
		},
		{
			name:   "api_url without host",
			setup:  staticConfig("github: {token: " + sentinelToken + ", api_url: \"https:///api/v3\"}\norganizations: [{name: a}]\n"),
			key:    "github.api_url",
			line:   1,
			reason: []string{"no host"},
		},
		{
			name:   "malformed api_url in an account override",
			setup:  staticConfig(tok + "enterprises:\n  - name: acme\n    github: {api_url: \"ghes.example.com/api/v3\"}\n"),
			key:    "enterprises[0].github.api_url",
			line:   4,
			reason: []string{"scheme must be http or https"},
		},
		{
			name: "token and token_file",
			setup: func(t *testing.T, dir string) string {
				writeFile(t, dir, "token", "file-token", 0o600)
				return "github: {token: " + sentinelToken + ", token_file: token}\norganizations: [{name: a}]\n"
			},
			key:    "github",
			line:   1,
			reason: []string{"only one of token, token_file and app"},
		},
		{
			name:   "token and app",
			setup:  staticConfig("github:\n  token: " + sentinelToken + "\n  app: {app_id: 1, installation_id: 2, private_key_file: k.pem}\norganizations: [{name: a}]\n"),
			key:    "github",
			line:   1,
			reason: []string{"only one of token, token_file and app"},
		},
		{
			name:   "no credential at all",
			setup:  staticConfig("organizations: [{name: a}]\n"),
			key:    "github",
			reason: []string{"no credential", "GITHUB_TOKEN"},
		},
		{
			name:   "no accounts",
			setup:  staticConfig(tok),
			reason: []string{"no accounts"},
		},
		{
			name:   "empty account lists",
			setup:  staticConfig(tok + "enterprises: []\norganizations: []\nusers: []\n"),
			reason: []string{"no accounts"},
		},
		{
			name:   "refresh_interval too small",
			setup:  staticConfig(tok + "refresh_interval: 30s\norganizations: [{name: a}]\n"),
			key:    "refresh_interval",
			line:   2,
			reason: []string{"at least 1m"},
		},
		{
			// 100y is 876,000h: the default max_age, three times that,
			// overflows, and must not be reported against max_age.
			name:   "refresh_interval too large",
			setup:  staticConfig(tok + "refresh_interval: 100y\norganizations: [{name: a}]\n"),
			key:    "refresh_interval",
			line:   2,
			reason: []string{"at most 31d", "100y"},
		},
		{
			name:   "collector refresh_interval too large",
			setup:  staticConfig(tok + "collectors:\n  usage: {refresh_interval: 40d}\norganizations: [{name: a}]\n"),
			key:    "collectors.usage.refresh_interval",
			line:   3,
			reason: []string{"at most 31d"},
		},
		{
			name:   "max_age equal to refresh_interval",
			setup:  staticConfig(tok + "refresh_interval: 30m\nmax_age: 30m\norganizations: [{name: a}]\n"),
			key:    "max_age",
			line:   3,
			reason: []string{"longer than refresh_interval (30m0s)"},
		},
		{
			name:   "max_age below refresh_interval",
			setup:  staticConfig(tok + "refresh_interval: 2h\nmax_age: 1h\norganizations: [{name: a}]\n"),
			key:    "max_age",
			line:   3,
			reason: []string{"longer than refresh_interval"},
		},
		{
			name:   "bad duration",
			setup:  staticConfig(tok + "refresh_interval: ten minutes\norganizations: [{name: a}]\n"),
			key:    "refresh_interval",
			line:   2,
			reason: []string{"ten minutes"},
		},
		{
			name: "credential name reused for different credentials",
			setup: staticConfig(tok + `organizations:
  - name: a
    github: {credential: shared, token: one}
  - name: b
    github: {credential: shared, token: two}
`),
			key:    "organizations[1].github.credential",
			line:   6,
			reason: []string{`"shared"`, "two different credentials"},
		},
		{
			name: "credential name reused with another API URL",
			setup: staticConfig(tok + `organizations:
  - name: a
    github: {credential: shared, api_url: "https://ghes-1.example.com/api/v3", token: t1}
  - name: b
    github: {credential: shared, api_url: "https://ghes-2.example.com/api/v3", token: t1}
`),
			key:    "organizations[1].github.credential",
			line:   6,
			reason: []string{`"shared"`, "two different credentials"},
		},
		{
			name:   "app without installation_id",
			setup:  staticConfig("github:\n  app: {app_id: 1, private_key_file: k.pem}\norganizations: [{name: a}]\n"),
			key:    "github.app.installation_id",
			line:   2,
			reason: []string{"positive"},
		},
		{
			name:   "app with a missing key file",
			setup:  staticConfig("github:\n  app: {app_id: 1, installation_id: 2, private_key_file: missing.pem}\norganizations: [{name: a}]\n"),
			key:    "github.app.private_key_file",
			line:   2,
			reason: []string{"missing.pem", "no such file"},
		},
		{
			name: "app key that is not PEM",
			setup: func(t *testing.T, dir string) string {
				writeFile(t, dir, "k.pem", "not a key", 0o600)
				return "github:\n  app: {app_id: 1, installation_id: 2, private_key_file: k.pem}\norganizations: [{name: a}]\n"
			},
			key:    "github.app.private_key_file",
			line:   2,
			reason: []string{"not a PEM private key"},
		},
		{
			name:   "unknown key in an account override",
			setup:  staticConfig(tok + "organizations:\n  - name: a\n  - name: b\n    github:\n      credential: b\n      tokne: x\n"),
			key:    "organizations[1].github.tokne",
			line:   7,
			reason: []string{`unknown key "tokne"`},
		},
		{
			name:   "unknown key in tls_config",
			setup:  staticConfig(tok + "organizations:\n  - name: a\n    github:\n      tls_config:\n        ca_fil: ca.pem\n"),
			key:    "organizations[0].github.tls_config.ca_fil",
			line:   6,
			reason: []string{`unknown key "ca_fil"`},
		},
		{
			name:   "key set twice",
			setup:  staticConfig("github:\n  token: " + sentinelToken + "\n  token: " + sentinelToken + "\norganizations: [{name: a}]\n"),
			key:    "github.token",
			line:   3,
			reason: []string{"set twice", "line 2"},
		},
		{
			name:   "token that is a list",
			setup:  staticConfig("github:\n  api_url: https://ghes.example.com/api/v3\n  token: [" + sentinelToken + ", b]\norganizations: [{name: a}]\n"),
			key:    "github.token",
			line:   3,
			reason: []string{"want a string, got a list"},
		},
		{
			name:   "app_id that is not a number",
			setup:  staticConfig(tok + "organizations:\n  - name: a\n    github:\n      app: {app_id: " + sentinelToken + ", installation_id: 2, private_key_file: k.pem}\n"),
			key:    "organizations[0].github.app.app_id",
			line:   5,
			reason: []string{"want a whole number, got a string"},
		},
		{
			name:   "account list that is a mapping",
			setup:  staticConfig(tok + "users:\n  name: octocat\n"),
			key:    "users",
			line:   2,
			reason: []string{"want a list of accounts, got a mapping"},
		},
		{
			name:   "bad duration in a block",
			setup:  staticConfig(tok + "refresh_interval: 10m\n\nrefresh_timeout: \"2 minutes\"\norganizations: [{name: a}]\n"),
			key:    "refresh_timeout",
			line:   4,
			reason: []string{`duration "2 minutes"`},
		},
		{
			name:   "malformed proxy_url with a password",
			setup:  staticConfig(tok + "organizations:\n  - name: a\n    github:\n      proxy_url: \"http://proxy-user:" + sentinelToken + "x@prox y:3128\"\n"),
			key:    "organizations[0].github.proxy_url",
			line:   5,
			reason: []string{`"http://<secret>@prox y:3128"`, "invalid character"},
		},
		{
			name:   "tls_config that fails its own validation",
			setup:  staticConfig(tok + "organizations:\n  - name: a\n    github:\n      tls_config: {cert_file: c.pem}\n"),
			key:    "organizations[0].github.tls_config",
			line:   5,
			reason: []string{"key or key_file"},
		},
		{
			name:   "duplicate account in a block",
			setup:  staticConfig(tok + "organizations:\n  - name: acme-web\n  - name: other\n  - name: ACME-Web\n"),
			key:    "organizations[2].name",
			line:   5,
			reason: []string{"already listed"},
		},
		{
			name:   "empty account name in a block",
			setup:  staticConfig(tok + "users:\n  - name: octocat\n  -\n    name:\n"),
			key:    "users[1].name",
			line:   5,
			reason: []string{"must not be empty"},
		},
		{
			name:   "missing token file in a block",
			setup:  staticConfig("refresh_interval: 10m\ngithub:\n  credential: main\n  token_file: /nonexistent/token\norganizations: [{name: a}]\n"),
			key:    "github.token_file",
			line:   4,
			reason: []string{"no such file or directory"},
		},
		{
			name:   "syntax error",
			setup:  staticConfig(tok + "organizations: [{name: a}\n"),
			line:   2,
			reason: []string{"did not find expected"},
		},
	}
	checkBadCases(t, cases, noEnv)
}

// checkBadCases parses each case's configuration with getenv and checks
// that it is refused with the case's key, line and reason, and without
// sentinelToken.
func checkBadCases(t *testing.T, cases []badCase, getenv func(string) string) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			content := tc.setup(t, dir)
			r, file, err := parseIn(t, dir, content, getenv)
			if err == nil {
				t.Fatalf("no error; resolved %+v", r)
			}
			var ce *config.Error
			if !errors.As(err, &ce) {
				t.Fatalf("error %T %q is not a *config.Error", err, err)
			}
			if ce.File != file {
				t.Errorf("File = %q, want %q", ce.File, file)
			}
			if ce.Key != tc.key {
				t.Errorf("Key = %q, want %q (error: %s)", ce.Key, tc.key, err)
			}
			if ce.Line != tc.line {
				t.Errorf("Line = %d, want %d (error: %s)", ce.Line, tc.line, err)
			}
			for _, want := range tc.reason {
				if !strings.Contains(ce.Reason, want) {
					t.Errorf("Reason %q does not contain %q", ce.Reason, want)
				}
			}
			msg := err.Error()
			wants := append([]string{file, tc.key}, tc.reason...)
			if tc.line != 0 {
				wants = append(wants, fmt.Sprintf("%s: line %d: ", file, tc.line))
			}
			for _, want := range wants {
				if !strings.Contains(msg, want) {
					t.Errorf("message %q does not contain %q", msg, want)
				}
			}
			if strings.Contains(msg, sentinelToken) {
				t.Errorf("message carries the token: %q", msg)
			}
		})
	}
}

func TestParseWarnsAboutReadableTokenFile(t *testing.T) {
	dir := t.TempDir()
	path := writeFile(t, dir, "token", sentinelToken, 0o644)
	r := mustParse(t, dir, "github: {token_file: token}\norganizations: [{name: a}]\n", noEnv)
	if len(r.Warnings) != 1 {
		t.Fatalf("Warnings = %q, want one", r.Warnings)
	}
	w := r.Warnings[0]
	for _, want := range []string{"github.token_file", path, "0644", "chmod 600"} {
		if !strings.Contains(w, want) {
			t.Errorf("warning %q does not contain %q", w, want)
		}
	}
	if strings.Contains(w, sentinelToken) {
		t.Errorf("warning carries the token: %q", w)
	}

	// The same file at 0600 gives no warning.
	if err := os.Chmod(path, 0o600); err != nil {
		t.Fatal(err)
	}
	r = mustParse(t, dir, "github: {token_file: token}\norganizations: [{name: a}]\n", noEnv)
	if len(r.Warnings) != 0 {
		t.Errorf("Warnings = %q for a 0600 file, want none", r.Warnings)
	}
}

func TestParseWarnsAboutReadableOverrideTokenFile(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "token", "x", 0o604)
	r := mustParse(t, dir, "github: {token: y}\nusers:\n  - name: u\n    github: {token_file: token}\n", noEnv)
	if len(r.Warnings) != 1 || !strings.Contains(r.Warnings[0], "users[0].github.token_file") || !strings.Contains(r.Warnings[0], "0604") {
		t.Errorf("Warnings = %q, want one for users[0].github.token_file at 0604", r.Warnings)
	}
}

// Group-readable is fine: Kubernetes mounts Secrets 0440 with the pod's
// fsGroup.
func TestParseNoWarningForGroupReadableTokenFile(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "token", "x", 0o440)
	r := mustParse(t, dir, "github: {token_file: token}\nusers: [{name: u}]\n", noEnv)
	if len(r.Warnings) != 0 {
		t.Errorf("Warnings = %q for a 0440 file, want none", r.Warnings)
	}
}

// The token is never part of an error, whatever else is wrong, and a
// printed configuration shows <secret>.
func TestTokenNeverInErrors(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "token", sentinelToken, 0o600)
	contents := []string{
		"github: {token: " + sentinelToken + "}\n",
		"github: {token: " + sentinelToken + "}\norganizations: [{name: \"\"}]\n",
		"github: {token: " + sentinelToken + "}\norganizations: [{name: a}, {name: A}]\n",
		"github: {token: " + sentinelToken + ", token_file: token}\norganizations: [{name: a}]\n",
		"github: {token_file: token, api_url: \"ftp://x\"}\norganizations: [{name: a}]\n",
		"github: {token: " + sentinelToken + ", api_url: \"https://x-access-token:" + sentinelToken + "@ghes.example.com/api/v3\"}\norganizations: [{name: a}]\n",
		"github: {token: " + sentinelToken + ", bogus: 1}\norganizations: [{name: a}]\n",
		"github: {token: " + sentinelToken + "}\nrefresh_interval: 1s\norganizations: [{name: a}]\n",
		"github: {token: " + sentinelToken + "}\norganizations:\n  - name: a\n    github: {credential: c, token: " + sentinelToken + "x}\n  - name: b\n    github: {credential: c, token: " + sentinelToken + "}\n",
		"github: {token: [" + sentinelToken + ", b]}\norganizations: [{name: a}]\n",
		"github: {token: {value: " + sentinelToken + "}}\norganizations: [{name: a}]\n",
		"github: {" + sentinelToken + "}\norganizations: [{name: a}]\n",
		"github:\n  token " + sentinelToken + "\norganizations: [{name: a}]\n",
		"github: {token: abc}\nrefresh_interval: " + sentinelToken + "\norganizations: [{name: a}]\n",
		"github: {token: abc, app: {app_id: " + sentinelToken + "}}\norganizations: [{name: a}]\n",
		"github: {token: abc, proxy_url: \"http://" + sentinelToken + "@prox y:3128\"}\norganizations: [{name: a}]\n",
	}
	for i, content := range contents {
		_, _, err := parseIn(t, dir, content, noEnv)
		if err == nil {
			t.Errorf("case %d: no error", i)
			continue
		}
		if strings.Contains(err.Error(), sentinelToken) {
			t.Errorf("case %d: error carries the token: %q", i, err)
		}
	}

	inline := "github: {token: " + sentinelToken + "}\norganizations:\n  - name: a\n    github: {token: " + sentinelToken + "}\n"
	mustParse(t, dir, inline, noEnv)
	out, err := yaml.Marshal(rawConfig(t, inline))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(out), sentinelToken) || !strings.Contains(string(out), "<secret>") {
		t.Errorf("marshalled configuration shows the token or no <secret>:\n%s", out)
	}
}

// An api_url that carries a password is redacted even with a typo in the
// scheme or when it does not parse: the error is printed by --config.check
// and logged on reload.
func TestParseAPIURLErrorRedactsPassword(t *testing.T) {
	for _, apiURL := range []string{
		"htps://x-access-token:" + sentinelToken + "@ghes.example.com/api/v3",
		"https://x-access-token:" + sentinelToken + "@ghes example.com/api/v3",
		"https://x-access-token:" + sentinelToken + "@/api/v3",
	} {
		_, _, err := parseIn(t, t.TempDir(), "github: {token: abc, api_url: \""+apiURL+"\"}\norganizations: [{name: a}]\n", noEnv)
		if err == nil {
			t.Errorf("api_url %q: no error", apiURL)
			continue
		}
		if !strings.Contains(err.Error(), "github.api_url") {
			t.Errorf("error %q does not name github.api_url", err)
		}
		if strings.Contains(err.Error(), sentinelToken) {
			t.Errorf("error shows the password of the api_url: %q", err)
		}
	}
}

// Secrets that do not look like GitHub tokens are kept out of errors too:
// values under secret keys, whatever their type, and URL passwords, however
// malformed the URL.
func TestInlineSecretsNeverInErrors(t *testing.T) {
	const secret = "pw-SENTINEL-9f8e7d"
	for _, content := range []string{
		"github: {token: abc, proxy_url: \"http://proxy-user:" + secret + "@prox y:3128\"}\n",
		"github: {token: abc, proxy_url: \"http://" + secret + "@prox y:3128\"}\n",
		"github: {token: abc, proxy_url: \"http://proxy-user:pa ss" + secret + "@proxy:3128\"}\n",
		"github: {token: abc, proxy_url: \"http://proxy-user:pa/ss" + secret + "@proxy:3128\"}\n",
		"github: {token: abc, proxy_url: \"http://proxy-user:" + secret + "@proxy:3128\", api_url: \"http://proxy-user:" + secret + "@proxy:3128\"}\norganizations: [{name: a}]\n",
		"github: {token: [" + secret + "]}\norganizations: [{name: a}]\n",
		"github: {token: {value: " + secret + "}}\norganizations: [{name: a}]\n",
		"github: {token: " + secret + "}\nmax_age: " + secret + "\norganizations: [{name: a}]\n",
		"github: {token: " + secret + ", api_url: " + secret + "}\norganizations: [{name: a}]\n",
		"github: {token: abc, proxy_url: http://p:3128, proxy_connect_header: {Proxy-Authorization: " + secret + "}}\norganizations: [{name: a}]\n",
		"github: {token: abc, proxy_url: http://p:3128, proxy_connect_header: {Proxy-Authorization: [" + secret + "]}}\nrefresh_timeout: " + secret + "\n",
		"refresh_interval: " + secret + "\ngithub: {token: abc, tls_config: {key: " + secret + ", cert_file: c.pem}}\n",
	} {
		_, _, err := parseIn(t, t.TempDir(), content, noEnv)
		if err == nil {
			t.Errorf("no error for:\n%s", content)
			continue
		}
		if strings.Contains(err.Error(), secret) || strings.Contains(err.Error(), "SENTINEL") {
			t.Errorf("error shows the secret: %q", err)
		}
	}
}

// The documented example configuration is valid once its token files exist.
func TestExampleConfigIsValid(t *testing.T) {
	raw, err := os.ReadFile("../config.example.yml")
	if err != nil {
		t.Fatalf("config.example.yml beside the README: %v", err)
	}
	dir := t.TempDir()
	content := strings.ReplaceAll(string(raw), "/etc/github-billing-exporter/", dir+"/")
	writeFile(t, dir, "token", "example-token", 0o600)
	writeFile(t, dir, "ghes-token", "example-ghes-token", 0o600)
	r := mustParse(t, dir, content, noEnv)

	want := map[string]string{
		"enterprise acme": "billing-pat", "organization acme-web": "billing-pat", "organization acme-data": "billing-pat",
		"organization legacy-tools": "ghes", "user octocat": "billing-pat",
	}
	if len(r.Targets) != len(want) {
		t.Errorf("Targets = %+v, want %d", r.Targets, len(want))
	}
	for _, tg := range r.Targets {
		k := string(tg.Account.Scope) + " " + tg.Account.Name
		if want[k] != tg.Credential {
			t.Errorf("%s uses credential %q, want %q", k, tg.Credential, want[k])
		}
	}
	if c := r.Credentials["ghes"]; c == nil || c.APIURL != "https://ghes.acme.internal/api/v3" || string(c.Token) != "example-ghes-token" {
		t.Errorf("ghes credential = %+v", c)
	}
	if len(r.Warnings) != 0 {
		t.Errorf("Warnings = %q", r.Warnings)
	}
}

// A configuration printed with %v or %+v, as a careless log line might,
// does not show an inline token.
func TestPrintedConfigHidesTheToken(t *testing.T) {
	content := "github: {token: " + sentinelToken + "}\norganizations:\n  - name: a\n    github: {token: " + sentinelToken + "x, credential: other}\n"
	r := mustParse(t, t.TempDir(), content, noEnv)
	raw := rawConfig(t, content)
	for _, format := range []string{"%v", "%+v", "%#v", "%s"} {
		for _, v := range []any{raw, *raw, raw.GitHub, raw.Organizations, r.Credentials} {
			if out := fmt.Sprintf(format, v); strings.Contains(out, sentinelToken) {
				t.Errorf("%s of %T shows the token: %s", format, v, out)
			}
		}
	}
}
