package config_test

import (
	"errors"
	"fmt"
	"maps"
	"strings"
	"testing"

	"github.com/github-billing-exporter/github-billing-exporter/config"
)

// The copilot block overrides the included AI credits of the plans it
// names; a configuration without it overrides none.
func TestParseCopilotIncludedAICredits(t *testing.T) {
	base := "github: {token: " + sentinelToken + "}\norganizations: [{name: acme-web}]\n"
	for _, c := range []struct {
		name, block string
		want        map[string]float64
	}{
		{"no block", "", map[string]float64{}},
		{"both plans", "copilot:\n  included_ai_credits:\n    business: 3000\n    enterprise: 7000\n", map[string]float64{"business": 3000, "enterprise": 7000}},
		{"one plan, a fraction", "copilot: {included_ai_credits: {enterprise: 3900.5}}\n", map[string]float64{"enterprise": 3900.5}},
		{"zero", "copilot: {included_ai_credits: {business: 0}}\n", map[string]float64{"business": 0}},
	} {
		r := mustParse(t, t.TempDir(), base+c.block, noEnv)
		if !maps.Equal(r.IncludedAICredits, c.want) {
			t.Errorf("%s: IncludedAICredits = %v, want %v", c.name, r.IncludedAICredits, c.want)
		}
	}
}

// A bad figure fails the load with its file, line and key.
func TestParseCopilotIncludedAICreditsBad(t *testing.T) {
	head := "github: {token: " + sentinelToken + "}\ncopilot:\n  included_ai_credits:\n"
	tail := "organizations: [{name: acme-web}]\n"
	for _, c := range []struct {
		name, line, key, reason string
	}{
		{"negative", "    business: -5\n", "copilot.included_ai_credits.business", "from 0 to 390000"},
		{"not a number", "    enterprise: .nan\n", "copilot.included_ai_credits.enterprise", "not NaN"},
		{"above the bound", "    enterprise: 390001\n", "copilot.included_ai_credits.enterprise", "from 0 to 390000"},
		{"a string", "    business: lots\n", "copilot.included_ai_credits.business", "want a number"},
		{"an unknown plan", "    pro: 1000\n", "copilot.included_ai_credits.pro", `unknown key "pro"`},
	} {
		_, file, err := parseIn(t, t.TempDir(), head+c.line+tail, noEnv)
		var ce *config.Error
		if !errors.As(err, &ce) {
			t.Errorf("%s: error %v, want a *config.Error", c.name, err)
			continue
		}
		// The figure is on line 4 of the file.
		if ce.File != file || ce.Line != 4 || ce.Key != c.key || !strings.Contains(ce.Reason, c.reason) {
			t.Errorf("%s: %s:%d %s: %s, want %s:4 %s: …%s…", c.name, ce.File, ce.Line, ce.Key, ce.Reason, file, c.key, c.reason)
		}
		if msg := err.Error(); !strings.Contains(msg, fmt.Sprintf("%s: line 4: ", file)) {
			t.Errorf("%s: message %q does not name the file and line", c.name, msg)
		}
	}
}
