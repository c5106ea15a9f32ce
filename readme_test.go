package main

import (
	"bytes"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/github-billing-exporter/github-billing-exporter/collector"
	"github.com/github-billing-exporter/github-billing-exporter/config"
	"github.com/github-billing-exporter/github-billing-exporter/internal/cache"
	"github.com/github-billing-exporter/github-billing-exporter/internal/fakegithub"
	"github.com/github-billing-exporter/github-billing-exporter/internal/server"
)

// readmeSection returns the text of a "## title" section of README.md.
func readmeSection(t *testing.T, title string) string {
	t.Helper()
	content, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	s := string(content)
	start := strings.Index(s, "\n## "+title+"\n")
	if start < 0 {
		t.Fatalf("README.md has no section %q", title)
	}
	s = s[start+len(title)+5:]
	if end := strings.Index(s, "\n## "); end >= 0 {
		s = s[:end]
	}
	return s
}

// firstColumn returns the first cell of every table row of a section.
func firstColumn(section string) []string {
	var cells []string
	for line := range strings.SplitSeq(section, "\n") {
		if !strings.HasPrefix(line, "| ") || strings.HasPrefix(line, "|---") {
			continue
		}
		cells = append(cells, strings.TrimSpace(strings.Split(line, "|")[1]))
	}
	return cells
}

var codeSpan = regexp.MustCompile("`([^`]+)`")

func TestReadmeFlagTableMatchesTheFlags(t *testing.T) {
	app, _, _ := newApp(os.Stdout, os.Stderr)
	var code []string
	for _, f := range app.Model().Flags {
		if f.Hidden || f.Name == "help" || strings.HasPrefix(f.Name, "collector.") && !strings.Contains(f.Name[len("collector."):], ".") && f.Name != "collector.disable-defaults" {
			continue // per-collector flags are documented as --collector.NAME and in the Collectors table
		}
		code = append(code, "--"+f.Name)
	}
	var documented []string
	for _, cell := range firstColumn(readmeSection(t, "Flags")) {
		for _, m := range codeSpan.FindAllStringSubmatch(cell, -1) {
			if m[1] != "--collector.NAME" && m[1] != "--no-collector.NAME" {
				documented = append(documented, m[1])
			}
		}
	}
	sort.Strings(code)
	sort.Strings(documented)
	if !slices.Equal(code, documented) {
		t.Errorf("README flag table and flags differ\nflags:  %v\nREADME: %v", code, documented)
	}
}

func TestReadmeCollectorTableMatchesTheCollectors(t *testing.T) {
	rows := map[string]string{}
	for line := range strings.SplitSeq(readmeSection(t, "Collectors"), "\n") {
		cells := strings.Split(line, "|")
		if len(cells) < 4 || !strings.HasPrefix(strings.TrimSpace(cells[1]), "`") {
			continue
		}
		rows[strings.Trim(strings.TrimSpace(cells[1]), "`")] = strings.TrimSpace(cells[2]) + " " + strings.TrimSpace(cells[3])
	}
	for _, c := range collector.Collectors() {
		def := "off"
		if c.DefaultEnabled {
			def = "on"
		}
		var scopes []string
		for _, s := range c.Scopes {
			scopes = append(scopes, string(s))
		}
		want := def + " " + strings.Join(scopes, ", ")
		if got, ok := rows[c.Name]; !ok {
			t.Errorf("collector %s is not in the README's Collectors table", c.Name)
		} else if got != want {
			t.Errorf("collector %s: README says %q, code says %q", c.Name, got, want)
		}
		delete(rows, c.Name)
	}
	for name := range rows {
		t.Errorf("README lists collector %s, which does not exist", name)
	}
}

// expandBraces turns a_{x,y}_b into a_x_b and a_y_b.
func expandBraces(s string) []string {
	open := strings.IndexByte(s, '{')
	if open < 0 {
		return []string{s}
	}
	end := strings.IndexByte(s[open:], '}') + open
	var out []string
	for alt := range strings.SplitSeq(s[open+1:end], ",") {
		out = append(out, expandBraces(s[:open]+alt+s[end+1:])...)
	}
	return out
}

// demoMetricNames scrapes the demo with every collector and option on.
func demoMetricNames(t *testing.T) map[string]bool {
	t.Helper()
	clock := func() time.Time { return time.Date(2026, 11, 15, 12, 0, 0, 0, time.UTC) }
	fake, err := fakegithub.NewDemo(clock)
	if err != nil {
		t.Fatal(err)
	}
	defer fake.Close()
	fake.RequireToken(demoToken)
	var all []string
	for _, c := range collector.Collectors() {
		all = append(all, c.Name)
	}
	exp, err := cache.New(cache.Config{Collectors: all, Concurrency: 4, Now: clock,
		Options: collector.Options{AdvancedSecurityByRepository: true, UsageByRepository: true,
			BudgetConsumption: true, BudgetUserStates: true, CopilotByPlan: true}})
	if err != nil {
		t.Fatal(err)
	}
	defer exp.Close()
	srv := server.New(server.Config{
		Exporter:      exp,
		Source:        func() (*config.Resolved, error) { return demoConfig(fake.URL), nil },
		TelemetryPath: "/metrics",
		ScrapeTimeout: 30 * time.Second,
	})
	if err := srv.Reload(); err != nil {
		t.Fatal(err)
	}
	// /metrics, as Prometheus reads it: the accounts' series and the
	// exporter's own.
	rec := httptest.NewRecorder()
	srv.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("/metrics: %d %s", rec.Code, rec.Body)
	}
	names := map[string]bool{}
	for line := range strings.SplitSeq(rec.Body.String(), "\n") {
		if name, ok := strings.CutPrefix(line, "# TYPE github_billing_"); ok {
			names["github_billing_"+strings.Fields(name)[0]] = true
		}
	}
	return names
}

func TestReadmeMetricTablesMatchTheDemo(t *testing.T) {
	documented := map[string]bool{}
	for _, cell := range firstColumn(readmeSection(t, "Metrics")) {
		for _, m := range codeSpan.FindAllStringSubmatch(cell, -1) {
			for _, name := range expandBraces(m[1]) {
				documented[name] = true
			}
		}
	}
	exported := demoMetricNames(t)
	for name := range exported {
		if !documented[name] {
			t.Errorf("%s is exported but not in the README's metric tables", name)
		}
	}
	for name := range documented {
		if !exported[name] {
			t.Errorf("%s is in the README but the demo (all collectors, all options) does not export it", name)
		}
	}
	// Sanity: the tables are not empty and the demo exports billing data.
	if len(documented) < 50 || !exported["github_billing_usage_net_amount_usd"] && len(exported) < 20 {
		t.Fatalf("documented %d, exported %d: the comparison proves nothing", len(documented), len(exported))
	}
}

// metricContractName finds the metric names of METRICS.md: names with
// {a,b}_ alternatives (a label set {collector,scope} is not one) and the PREFIX placeholder of the billing-platform
// families. Continuations such as ", _limit" are not names of their own;
// the README test covers them.
var metricContractName = regexp.MustCompile(`github_billing_(?:[A-Za-z0-9_]|\{[a-z_,]+\}_)+`)

// metricContractRenames are the documented departures from METRICS.md (see
// the README's Metrics section): promtool refuses "_summary_" in a name.
var metricContractRenames = map[string]string{"github_billing_usage_summary_": "github_billing_usage_summarized_"}

// The metric contract, METRICS.md (copied to testdata from ../shared, and
// compared with it when it is there): every metric it names is exported by
// the demo with every collector on, but for the documented renames.
func TestMetricContract(t *testing.T) {
	contract, err := os.ReadFile("testdata/METRICS.md")
	if err != nil {
		t.Fatal(err)
	}
	if shared, err := os.ReadFile("../shared/METRICS.md"); err == nil {
		if !bytes.Equal(shared, contract) {
			t.Error("testdata/METRICS.md differs from ../shared/METRICS.md: copy the contract again and follow it")
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		t.Fatal(err)
	}
	// Only the names above "## Planned" are required here: the planned ones
	// are exported, and documented in the README, by the change that builds
	// each of them (the README tests hold those).
	agreed, _, _ := bytes.Cut(contract, []byte("\n## Planned"))
	var names []string
	for _, raw := range metricContractName.FindAllString(string(agreed), -1) {
		for _, prefix := range []string{"usage_summary", "premium_request", "ai_credit"} {
			for _, name := range expandBraces(strings.ReplaceAll(raw, "PREFIX", prefix)) {
				for from, to := range metricContractRenames {
					if after, ok := strings.CutPrefix(name, from); ok {
						name = to + after
					}
				}
				names = append(names, name)
			}
			if !strings.Contains(raw, "PREFIX") {
				break
			}
		}
	}
	exported := demoMetricNames(t)
	seen := map[string]bool{}
	for _, name := range names {
		if seen[name] {
			continue
		}
		seen[name] = true
		if !exported[name] {
			t.Errorf("METRICS.md names %s, which the demo does not export", name)
		}
	}
	if len(seen) < 50 {
		t.Fatalf("found %d metric names in METRICS.md: the parse proves nothing", len(seen))
	}
}
