package collector

import (
	"maps"
	"slices"
	"strings"

	"github.com/github-billing-exporter/github-billing-exporter/githubapi"
)

// legacy says whether the collector reads the legacy billing endpoints,
// which GitHub's hosted service (github.com and GHE.com) answers with 410
// Gone.
func (f Factory) legacy() bool {
	for _, s := range f.Scopes {
		for _, c := range f.Calls(Shape{Scope: s}) {
			if c.Legacy {
				return true
			}
		}
	}
	return false
}

// ServerDefaultOff says whether the server turns the collector off by
// default, and why: GitHub's hosted service has retired the legacy
// endpoints, and GitHub Enterprise Server serves only those and Advanced
// Security's.
func (f Factory) ServerDefaultOff(s githubapi.Server) (reason string, off bool) {
	switch s {
	case githubapi.ServerGitHubCom, githubapi.ServerGHECom:
		if f.legacy() {
			return string(s) + " retired the legacy billing endpoints, which answer 410 Gone", true
		}
	case githubapi.ServerEnterpriseServer:
		if !f.EnterpriseServer {
			return "GitHub Enterprise Server serves only the legacy billing and Advanced Security endpoints", true
		}
	}
	return "", false
}

// Switch turns a collector on or off for one account, over the
// command line's --collector flags.
type Switch struct {
	On bool
	// Server says the switch is the server's default (Reason says why),
	// which a --collector flag set on the command line overrides; else it
	// is the configuration's enabled key.
	Server bool
	Reason string
}

// Runs says whether the collector f, which the command line turns on,
// runs for the account: the configuration's enabled key for it decides;
// else the server's default, unless the command line named the collector
// (explicit); else it runs.
func (t Target) Runs(f Factory, explicit bool) bool {
	sw, ok := t.Switches[f.Name]
	return !ok || sw.On || (sw.Server && explicit)
}

// Off lists the collectors among fs that do not run for the account, by
// reason, each list in the order of fs.
func (t Target) Off(fs []Factory, explicit map[string]bool) map[string][]string {
	out := map[string][]string{}
	for _, f := range fs {
		if f.AppliesTo(t.Account.Scope) && !t.Runs(f, explicit[f.Name]) {
			sw := t.Switches[f.Name]
			out[sw.Reason] = append(out[sw.Reason], f.Name)
		}
	}
	return out
}

// DescribeOff words Off's answer as one line: "actions, packages (REASON);
// usage (REASON)", reasons in order.
func DescribeOff(off map[string][]string) string {
	parts := make([]string, 0, len(off))
	for _, reason := range slices.Sorted(maps.Keys(off)) {
		parts = append(parts, strings.Join(off[reason], ", ")+" ("+reason+")")
	}
	return strings.Join(parts, "; ")
}
