package check

import (
	"slices"
	"testing"

	"github.com/github-billing-exporter/github-billing-exporter/collector"
	"github.com/github-billing-exporter/github-billing-exporter/githubapi"
)

// Plan leaves out the collectors an account turns off: by its collectors
// block, or by its server's default unless the command line names the
// collector.
func TestPlanSkipsCollectorsOffForTheAccount(t *testing.T) {
	var fs []collector.Factory
	for _, name := range []string{"actions", "packages", "usage"} {
		f, _ := collector.Lookup(name)
		fs = append(fs, f)
	}
	web := collector.Target{Account: githubapi.Account{Scope: githubapi.ScopeOrganization, Name: "web"}, Switches: map[string]collector.Switch{
		"actions":  {Server: true, Reason: "retired"},
		"packages": {Server: true, Reason: "retired"},
		"usage":    {On: false, Reason: "configuration"},
	}}
	data := collector.Target{Account: githubapi.Account{Scope: githubapi.ScopeOrganization, Name: "data"}}
	probes := Plan(Config{Targets: []collector.Target{web, data}, Collectors: fs, Explicit: map[string]bool{"packages": true}})
	var got []string
	for _, p := range probes {
		got = append(got, p.Target.Account.Name+" "+p.Collector.Name)
	}
	want := []string{"web packages", "data actions", "data packages", "data usage"}
	if !slices.Equal(got, want) {
		t.Errorf("probes %q, want %q", got, want)
	}
}
