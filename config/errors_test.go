package config_test

import (
	"path/filepath"
	"testing"
)

// The messages a newcomer meets for the commonest YAML mistakes: the line
// the mistake is on, what YAML wanted, in the configuration's terms.
func TestParseExplainsYAMLMistakes(t *testing.T) {
	for _, tc := range []struct {
		name, content string
		want          string // the whole message after "config.yml: "
	}{
		{
			// Line 4 puts the items' "-" in column 3 (two spaces, then the
			// dash); line 6 has four spaces, so its dash is in column 5.
			name: "list item indented too deep",
			content: "github:\n  token: " + sentinelToken + "\norganizations:\n" +
				"  - name: acme-web\n  - name: acme-data\n    - name: acme-ops\n",
			want: `line 6: organizations: list item indented wrongly: YAML wants each "-" of this list in column 3, as on line 4, and this one is in column 5`,
		},
		{
			// One space before the dash on line 6: column 2.
			name: "list item indented too little",
			content: "github:\n  token: " + sentinelToken + "\norganizations:\n" +
				"  - name: acme-web\n  - name: acme-data\n - name: acme-ops\n",
			want: `line 6: organizations: list item indented wrongly: YAML wants each "-" of this list in column 3, as on line 4, and this one is in column 2`,
		},
		{
			// A list indented under a key is valid YAML: the list is the
			// value of the github key on line 5.
			name:    "list where a github block goes",
			content: "github: {token: " + sentinelToken + "}\nusers:\n- name: octocat\n- name: hubot\n  github:\n   - token: x\n",
			want:    "line 5: users[1].github: want a mapping with keys such as token and api_url, got a list",
		},
		{
			name:    "tab before a key",
			content: "github:\n\ttoken: " + sentinelToken + "\norganizations: [{name: a}]\n",
			want:    "line 2: indented with a tab: YAML indents with spaces only",
		},
		{
			name:    "tab before a list item",
			content: "github:\n  token: " + sentinelToken + "\norganizations:\n  - name: a\n\t- name: b\n",
			want:    "line 5: indented with a tab: YAML indents with spaces only",
		},
		{
			name:    "string where the account list goes",
			content: "github:\n  token: " + sentinelToken + "\norganizations: acme-web\n",
			want:    "line 3: organizations: want a list of accounts, got a string",
		},
		{
			// The list of accounts starts on line 3, under the key on line 2.
			name:    "mapping where the account list goes",
			content: "github: {token: " + sentinelToken + "}\nusers:\n  name: octocat\n",
			want:    "line 2: users: want a list of accounts, got a mapping",
		},
		{
			name:    "list where the token goes",
			content: "github:\n  token: [" + sentinelToken + "]\norganizations: [{name: a}]\n",
			want:    "line 2: github.token: want a string, got a list",
		},
		{
			name:    "string where the app id goes",
			content: "github:\n  app: {app_id: " + sentinelToken + ", installation_id: 2, private_key_file: k.pem}\norganizations: [{name: a}]\n",
			want:    "line 2: github.app.app_id: want a whole number, got a string",
		},
		{
			// yaml.v2 truncated 1.5 to 1.
			name:    "fraction where the app id goes",
			content: "github:\n  app: {app_id: 1.5, installation_id: 2, private_key_file: k.pem}\norganizations: [{name: a}]\n",
			want:    "line 2: github.app.app_id: want a whole number, got a decimal number",
		},
		{
			name:    "string where the github block goes",
			content: "github: " + sentinelToken + "\norganizations: [{name: a}]\n",
			want:    "line 1: github: want a mapping with keys such as token and api_url, got a string",
		},
		{
			name:    "account that is a string",
			content: "github: {token: " + sentinelToken + "}\nenterprises:\n  - acme\n",
			want:    "line 3: enterprises[0]: want an account (a mapping such as name: acme), got a string",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, file, err := parseIn(t, t.TempDir(), tc.content, noEnv)
			if err == nil {
				t.Fatal("no error")
			}
			if got, want := err.Error(), file+": "+tc.want; got != want {
				t.Errorf("error\n got %s\nwant %s", got, want)
			}
		})
	}
}

// YAML 1.2 reads yes, no, on and off as strings. In a boolean key they are
// refused with the key and line, so that no file means one thing to the
// exporter and another to a YAML 1.2 tool; in a string key they are the
// string.
func TestParseYesIsNotABoolean(t *testing.T) {
	for _, tc := range []struct{ content, want string }{
		{
			"github:\n  token: abc\n  tls_config:\n    insecure_skip_verify: yes\norganizations: [{name: a}]\n",
			`line 4: github.tls_config.insecure_skip_verify: want true or false, got "yes": YAML 1.2 reads yes, no, on and off as strings`,
		},
		{
			"github: {token: abc}\norganizations:\n  - name: a\n    github: {proxy_from_environment: Off}\n",
			`line 4: organizations[0].github.proxy_from_environment: want true or false, got "Off": YAML 1.2 reads yes, no, on and off as strings`,
		},
		{
			"github: {token: abc, tls_config: {insecure_skip_verify: 'on'}}\norganizations: [{name: a}]\n",
			`line 1: github.tls_config.insecure_skip_verify: want true or false, got "on": YAML 1.2 reads yes, no, on and off as strings`,
		},
		{
			// Through an alias, from the credential's string "yes".
			"github: {token: abc, credential: &b yes, tls_config: {insecure_skip_verify: *b}}\norganizations: [{name: a}]\n",
			`line 1: github.tls_config.insecure_skip_verify: want true or false, got "yes": YAML 1.2 reads yes, no, on and off as strings`,
		},
	} {
		_, file, err := parseIn(t, t.TempDir(), tc.content, noEnv)
		if err == nil || err.Error() != file+": "+tc.want {
			t.Errorf("error\n got %v\nwant %s: %s", err, file, tc.want)
		}
	}

	r := mustParse(t, t.TempDir(), "github: {token: abc, tls_config: {insecure_skip_verify: true}}\norganizations: [{name: no}, {name: on}]\n", noEnv)
	if !r.Credentials["default"].HTTP.TLSConfig.InsecureSkipVerify {
		t.Error("insecure_skip_verify: true is not true")
	}
	if len(r.Targets) != 2 || r.Targets[0].Account.Name != "no" || r.Targets[1].Account.Name != "on" {
		t.Errorf("Targets = %+v, want the organizations named no and on", r.Targets)
	}
}

// A file is one YAML document: a second one is refused, not ignored.
func TestParseRefusesASecondDocument(t *testing.T) {
	content := "github: {token: abc}\norganizations: [{name: a}]\n---\nusers: [{name: b}]\n"
	_, file, err := parseIn(t, t.TempDir(), content, noEnv)
	// The second document starts with the "---" on line 3.
	want := file + ": line 3: a second YAML document: the configuration is one document"
	if err == nil || err.Error() != want {
		t.Errorf("error\n got %v\nwant %s", err, want)
	}
}

// A value without a key is refused, not dropped.
func TestParseRefusesAValueWithoutAKey(t *testing.T) {
	for _, tc := range []struct{ content, want string }{
		// ": stray" is on line 4, inside the first user.
		{"github: {token: abc}\nusers:\n  - name: octocat\n    : stray\n", "line 4: users[0]: a value without a key"},
		{"github: {token: abc}\nusers: [{name: octocat}]\n~: stray\n", "line 3: a value without a key"},
	} {
		_, file, err := parseIn(t, t.TempDir(), tc.content, noEnv)
		if err == nil || err.Error() != file+": "+tc.want {
			t.Errorf("error\n got %v\nwant %s: %s", err, file, tc.want)
		}
	}
}

// An empty file, or one with only comments, has no accounts.
func TestParseEmptyFile(t *testing.T) {
	for _, content := range []string{"", "# nothing yet\n", "---\n"} {
		_, file, err := parseIn(t, t.TempDir(), content, noEnv)
		want := filepath.Join(filepath.Dir(file), "config.yml") + ": no accounts: list at least one of enterprises, organizations or users"
		if err == nil || err.Error() != want {
			t.Errorf("%q: error %v, want %s", content, err, want)
		}
	}
}
