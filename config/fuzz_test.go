package config_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.yaml.in/yaml/v4"

	"github.com/github-billing-exporter/github-billing-exporter/config"
)

// Secrets the fuzzed configurations can reach only by reference (the
// GITHUB_TOKEN environment variable, token_file, private_key_file), never
// by writing them: so an error, a warning or a printed credential that
// contains one leaked it.
const (
	fuzzEnvToken  = "ghp_fuzzEnvSENTINEL_a1b2c3d4e5"
	fuzzFileToken = "ghp_fuzzFileSENTINEL_f6e5d4c3b2"
	fuzzKeyBody   = "fuzzKeySENTINEL0123456789abcdef"
)

// FuzzParse: whatever the file says, Parse returns a valid configuration or
// an *Error, never panics, and never shows a secret it read.
func FuzzParse(f *testing.F) {
	example, err := os.ReadFile("../config.example.yml")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(example)
	for _, s := range []string{
		"organizations: [{name: acme-web}]\n",
		"github: {token_file: token}\nenterprises: [{name: acme}]\norganizations: [{name: a}, {name: b, github: {credential: b, token_file: token}}]\nusers: [{name: octocat}]\n",
		"github: {app: {app_id: 1, installation_id: 2, private_key_file: key.pem}}\norganizations: [{name: acme-web}]\n",
		"github: {app: {app_id: 1, installation_id: 2, private_key_file: token}}\norganizations: [{name: acme-web}]\n",
		"github: {token_file: key.pem, api_url: \"https://ghes.example.com/api/v3/\"}\nusers: [{name: o}]\n",
		"github: {token_file: missing}\nusers: [{name: o}]\n",
		"github: {token_file: token, token: inline}\nusers: [{name: o}]\n",
		"refresh_interval: 1m\nmax_age: 1m\nusers: [{name: o}]\n",
		"refresh_timeout: -5s\nusers: [{name: o}]\n",
		"organizations:\n  - name: a\n    github: {api_url: \"http://other\", credential: x}\n",
		"organizations:\n  - name: a\n    github: {credential: c, token_file: token}\n  - name: b\n    github: {credential: c, token_file: key.pem}\n",
		"github:\n  tls_config: {ca_file: token, insecure_skip_verify: true}\n  proxy_url: http://proxy:3128\norganizations: [{name: a}]\n",
		"organizations: [{name: \"\"}, {name: \"a b\"}, {name: A}, {name: a}]\n",
		"bogus: 1\n", "", "{", "- a\n", "organizations: 1\n", "\t:", "github: {token: [a]}\n",
		"github: {token_file: token, proxy_url: \"http://u:p@prox y:3128\"}\nusers: [{name: o}]\n",
		"a: &a [x, x]\nb: &b [*a, *a]\ngithub: {tls_config: {bogus: *b}}\nusers: [{name: o}, {name: o}]\n",
	} {
		f.Add([]byte(s))
	}
	dir := f.TempDir()
	for name, content := range map[string]string{
		"token":   fuzzFileToken + "\n",
		"key.pem": "-----BEGIN RSA PRIVATE KEY-----\n" + fuzzKeyBody + "\n-----END RSA PRIVATE KEY-----\n",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600); err != nil {
			f.Fatal(err)
		}
	}
	file := filepath.Join(dir, "config.yml")
	getenv := func(k string) string {
		if k == config.TokenEnvVar {
			return fuzzEnvToken
		}
		return ""
	}
	f.Fuzz(func(t *testing.T, content []byte) {
		r, err := config.Parse(file, content, getenv)
		if err != nil {
			if !strings.HasPrefix(err.Error(), file+": ") {
				t.Fatalf("error %q does not start with the file", err)
			}
			if _, ok := errors.AsType[*config.Error](err); !ok {
				t.Fatalf("error %v (%T) is not a *config.Error", err, err)
			}
			fuzzNoSecret(t, "error", err.Error())
			return
		}
		if len(r.Targets) == 0 {
			t.Fatal("a valid configuration without accounts")
		}
		if r.MaxAge <= r.RefreshInterval || r.RefreshInterval <= 0 || r.RefreshTimeout <= 0 {
			t.Fatalf("intervals: refresh %v, timeout %v, max age %v", r.RefreshInterval, r.RefreshTimeout, r.MaxAge)
		}
		for _, tg := range r.Targets {
			c := r.Credentials[tg.Credential]
			if c == nil {
				t.Fatalf("%v uses credential %q, which is not defined", tg.Account, tg.Credential)
			}
			if c.Token == "" && c.App == nil {
				t.Fatalf("credential %q has neither token nor app", c.Name)
			}
			for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
				fuzzNoSecret(t, "credential printed with "+verb, fmt.Sprintf(verb, c))
			}
		}
		fuzzNoSecret(t, "warnings", strings.Join(r.Warnings, "\n"))
		// What Parse accepted, decoded again and printed, shows no secret.
		var raw config.Config
		if err := yaml.Unmarshal(content, &raw); err != nil {
			t.Fatalf("Parse accepted what yaml cannot decode: %v", err)
		}
		out, err := yaml.Marshal(&raw)
		if err != nil {
			t.Fatalf("marshal the parsed configuration: %v", err)
		}
		fuzzNoSecret(t, "printed configuration", string(out))
	})
}

func fuzzNoSecret(t *testing.T, what, text string) {
	t.Helper()
	for _, s := range []string{fuzzEnvToken, fuzzFileToken, fuzzKeyBody} {
		if strings.Contains(text, s) {
			t.Fatalf("%s shows a secret: %s", what, text)
		}
	}
}
