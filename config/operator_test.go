package config_test

import (
	"strings"
	"testing"

	"github.com/github-billing-exporter/github-billing-exporter/config"
)

// An http:// api_url sends the token in cleartext: it is refused, with the
// file, the line and the key, unless the host is loopback or the block says
// insecure_http: true.
func TestParseRefusesCleartextAPIURL(t *testing.T) {
	tok := "github: {token: " + sentinelToken + "}\n"
	cleartext := "sends the token in cleartext"
	checkBadCases(t, []badCase{
		{
			name:   "top-level http api_url",
			setup:  staticConfig("github:\n  token: " + sentinelToken + "\n  api_url: http://ghes.example.com/api/v3\norganizations: [{name: a}]\n"),
			key:    "github.api_url",
			line:   3,
			reason: []string{"http://ghes.example.com/api/v3", cleartext, "insecure_http: true"},
		},
		{
			name:   "http api_url in an account's block",
			setup:  staticConfig(tok + "organizations:\n  - name: a\n    github:\n      api_url: http://10.1.2.3:8080/api/v3\n      token: other-token\n"),
			key:    "organizations[0].github.api_url",
			line:   5,
			reason: []string{"http://10.1.2.3:8080/api/v3", cleartext},
		},
		{
			// The opt-in goes with the api_url it is written beside: the
			// top-level one does not cover an account's own URL.
			name:   "top-level opt-in does not cover an account's own http api_url",
			setup:  staticConfig("github: {token: " + sentinelToken + ", api_url: \"http://ghes-1.example.com\", insecure_http: true}\norganizations:\n  - name: a\n    github: {api_url: \"http://ghes-2.example.com\", token: other-token}\n"),
			key:    "organizations[0].github.api_url",
			line:   4,
			reason: []string{"http://ghes-2.example.com", cleartext},
		},
		{
			name:   "a name that only starts like localhost",
			setup:  staticConfig("github: {token: " + sentinelToken + ", api_url: \"http://localhost.example.com\"}\norganizations: [{name: a}]\n"),
			key:    "github.api_url",
			line:   1,
			reason: []string{cleartext},
		},
		{
			name:   "an IPv6 address that is not loopback",
			setup:  staticConfig("github: {token: " + sentinelToken + ", api_url: \"http://[fe80::1]:8080\"}\norganizations: [{name: a}]\n"),
			key:    "github.api_url",
			line:   1,
			reason: []string{cleartext},
		},
		{
			name:   "an opt-in that is not true or false",
			setup:  staticConfig("github: {token: " + sentinelToken + ", api_url: \"http://ghes.example.com\", insecure_http: yes}\norganizations: [{name: a}]\n"),
			key:    "github.insecure_http",
			line:   1,
			reason: []string{"want true or false"},
		},
	}, noEnv)
}

// Loopback (127.0.0.0/8, ::1, localhost) may be reached over http://
// without the opt-in: the token does not leave the machine.
func TestParseAllowsHTTPOnLoopback(t *testing.T) {
	for _, apiURL := range []string{"http://127.0.0.1:8080", "http://127.1.2.3/api/v3", "http://[::1]:9000", "http://localhost:3000", "http://LocalHost"} {
		r, _, err := parseIn(t, t.TempDir(), "github: {token: "+sentinelToken+", api_url: \""+apiURL+"\"}\norganizations: [{name: a}]\n", noEnv)
		if err != nil {
			t.Errorf("api_url %s: %v", apiURL, err)
			continue
		}
		if len(r.Warnings) != 0 {
			t.Errorf("api_url %s: warnings %q, want none", apiURL, r.Warnings)
		}
	}
}

// With insecure_http: true the http:// URL is taken, and every load warns
// about it by key. An account's block that inherits the URL inherits the
// opt-in with it.
func TestParseInsecureHTTPOptIn(t *testing.T) {
	content := "github:\n  token: " + sentinelToken + "\n  api_url: http://ghes.example.com/api/v3\n  insecure_http: true\n" +
		"organizations:\n  - name: a\n  - name: b\n    github: {token: other-token}\n" +
		"  - name: c\n    github: {api_url: \"http://ghes-2.example.com\", insecure_http: true, token: third-token}\n"
	r := mustParse(t, t.TempDir(), content, noEnv)
	if got := r.Credentials["default"].APIURL; got != "http://ghes.example.com/api/v3" {
		t.Errorf("default credential's APIURL = %q", got)
	}
	if got := r.Credentials["b"].APIURL; got != "http://ghes.example.com/api/v3" {
		t.Errorf("b inherits APIURL %q, want the top-level http:// one", got)
	}
	// Two blocks write an http:// api_url: two warnings, one for each key.
	if len(r.Warnings) != 2 {
		t.Fatalf("Warnings = %q, want two", r.Warnings)
	}
	for i, want := range [][]string{
		{"github.api_url", "http://ghes.example.com/api/v3", "cleartext", "insecure_http"},
		{"organizations[2].github.api_url", "http://ghes-2.example.com", "cleartext"},
	} {
		for _, w := range want {
			if !strings.Contains(r.Warnings[i], w) {
				t.Errorf("warning %q does not contain %q", r.Warnings[i], w)
			}
		}
	}
	for _, w := range r.Warnings {
		if strings.Contains(w, sentinelToken) {
			t.Errorf("warning carries the token: %q", w)
		}
	}
}

// secretParts are pieces of the tokens the tests below write, none of
// which may appear in an error.
var secretParts = []string{"FIRSTline0123", "SECONDline4567", "withSPACE89", "ctrlBYTE"}

// A token with whitespace, a control character or anything but printable
// ASCII inside is refused where it is read, naming the key (and the file),
// never the token.
func TestParseRefusesMalformedToken(t *testing.T) {
	twoLines := "ghp_FIRSTline0123\nghp_SECONDline4567\n"
	tokenFile := func(content string) func(*testing.T, string) string {
		return func(t *testing.T, dir string) string {
			writeFile(t, dir, "token", content, 0o600)
			return "github: {token_file: token}\norganizations: [{name: a}]\n"
		}
	}
	checkBadCases(t, []badCase{
		{
			name:   "token file of two lines",
			setup:  tokenFile(twoLines),
			key:    "github.token_file",
			line:   1,
			reason: []string{"token", "more than one line"},
		},
		{
			name:   "token file with a space inside",
			setup:  tokenFile("ghp_withSPACE89 x\n"),
			key:    "github.token_file",
			line:   1,
			reason: []string{"token", "whitespace"},
		},
		{
			name:   "token file with a control character inside",
			setup:  tokenFile("ghp_ctrlBYTE\x1b[0m\n"),
			key:    "github.token_file",
			line:   1,
			reason: []string{"token", "control character"},
		},
		{
			name: "token file of two lines in an account's block",
			setup: func(t *testing.T, dir string) string {
				writeFile(t, dir, "other-token", "ghp_FIRSTline0123\r\nghp_SECONDline4567\r\n", 0o600)
				return "github: {token: " + sentinelToken + "}\norganizations:\n  - name: a\n    github:\n      token_file: other-token\n"
			},
			key:    "organizations[0].github.token_file",
			line:   5,
			reason: []string{"other-token", "more than one line"},
		},
		{
			name:   "inline token of two lines",
			setup:  staticConfig("github:\n  token: \"ghp_FIRSTline0123\\nghp_SECONDline4567\"\norganizations: [{name: a}]\n"),
			key:    "github.token",
			line:   2,
			reason: []string{"more than one line"},
		},
		{
			name:   "inline token with a tab inside",
			setup:  staticConfig("github: {token: \"ghp_withSPACE89\\tx\"}\norganizations: [{name: a}]\n"),
			key:    "github.token",
			line:   1,
			reason: []string{"whitespace"},
		},
		{
			// Typographic quotes pasted from a document.
			name:   "inline token that is not ASCII",
			setup:  staticConfig("github: {token: “ghp_ctrlBYTE”}\norganizations: [{name: a}]\n"),
			key:    "github.token",
			line:   1,
			reason: []string{"not printable ASCII"},
		},
		{
			name:   "inline token in an account's block",
			setup:  staticConfig("github: {token: " + sentinelToken + "}\norganizations:\n  - name: a\n    github: {token: \"ghp_withSPACE89 x\"}\n"),
			key:    "organizations[0].github.token",
			line:   4,
			reason: []string{"whitespace"},
		},
	}, noEnv)

	// GITHUB_TOKEN: the key is the github block, the reason names the
	// variable.
	env := func(k string) string {
		if k == config.TokenEnvVar {
			return twoLines
		}
		return ""
	}
	checkBadCases(t, []badCase{{
		name:   "GITHUB_TOKEN of two lines",
		setup:  staticConfig("github: {credential: main}\norganizations: [{name: a}]\n"),
		key:    "github",
		line:   1,
		reason: []string{config.TokenEnvVar, "more than one line"},
	}}, env)
}

// No part of a refused token is shown.
func TestMalformedTokenNotInErrors(t *testing.T) {
	dir := t.TempDir()
	contents := map[string]string{
		"two-lines": "ghp_FIRSTline0123\nghp_SECONDline4567\n",
		"space":     "ghp_withSPACE89 x",
		"control":   "ghp_ctrlBYTE\x00",
	}
	for name, content := range contents {
		writeFile(t, dir, name, content, 0o600)
		for _, yml := range []string{
			"github: {token_file: " + name + "}\norganizations: [{name: a}]\n",
			"github: {token: \"" + strings.NewReplacer("\n", `\n`, "\x00", `\0`).Replace(content) + "\"}\norganizations: [{name: a}]\n",
		} {
			_, _, err := parseIn(t, dir, yml, noEnv)
			if err == nil {
				t.Errorf("%q: no error", yml)
				continue
			}
			for _, part := range secretParts {
				if strings.Contains(err.Error(), part) {
					t.Errorf("%q: error %q shows %q of the token", yml, err, part)
				}
			}
		}
	}
}

// Surrounding whitespace is trimmed, wherever the token comes from: one
// trailing newline in a token file is what an editor or echo leaves.
func TestParseTrimsTokenWhitespace(t *testing.T) {
	dir := t.TempDir()
	for name, content := range map[string]string{"lf": "tok-value\n", "crlf": "tok-value\r\n", "padded": "  tok-value \n\n"} {
		writeFile(t, dir, name, content, 0o600)
		r := mustParse(t, dir, "github: {token_file: "+name+"}\norganizations: [{name: a}]\n", noEnv)
		if got := string(r.Credentials["default"].Token); got != "tok-value" {
			t.Errorf("token file %q: token %q, want \"tok-value\"", content, got)
		}
	}
	// A literal block scalar ends in a newline.
	r := mustParse(t, dir, "github:\n  token: |\n    tok-value\norganizations: [{name: a}]\n", noEnv)
	if got := string(r.Credentials["default"].Token); got != "tok-value" {
		t.Errorf("inline token %q, want \"tok-value\"", got)
	}
}
