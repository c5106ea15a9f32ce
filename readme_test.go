package main

import (
	"bytes"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/github-billing-exporter/github-billing-exporter/collector"
	"github.com/github-billing-exporter/github-billing-exporter/config"
	"github.com/github-billing-exporter/github-billing-exporter/internal/cache"
	"github.com/github-billing-exporter/github-billing-exporter/internal/demo"
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

// allCollectors names every collector the exporter has.
func allCollectors() []string {
	var all []string
	for _, c := range collector.Collectors() {
		all = append(all, c.Name)
	}
	return all
}

// allOptions turns every collector option on.
var allOptions = collector.Options{AdvancedSecurityByRepository: true, UsageByRepository: true,
	BudgetConsumption: true, BudgetUserStates: true, CopilotByPlan: true}

// scrapeDemoAll is scrapeDemo with every collector and option on, made
// once for every test of the package that reads it.
var scrapeDemoAll = sync.OnceValues(func() (string, error) { return scrapeDemo(allCollectors(), allOptions) })

// scrapeDemo is the demo's /metrics, as Prometheus reads it (the accounts'
// series and the exporter's own), with these collectors and options on, on
// a fixed clock: the same arguments give the same text.
func scrapeDemo(collectors []string, options collector.Options) (string, error) {
	clock := func() time.Time { return time.Date(2026, 11, 15, 12, 0, 0, 0, time.UTC) }
	fake, err := demo.Start(clock)
	if err != nil {
		return "", err
	}
	defer fake.Close()
	exp, err := cache.New(cache.Config{Collectors: collectors, Concurrency: 4, Now: clock, Options: options})
	if err != nil {
		return "", err
	}
	defer exp.Close()
	srv := server.New(server.Config{
		Exporter:      exp,
		Source:        func() (*config.Resolved, error) { return demo.Config(fake.URL), nil },
		TelemetryPath: "/metrics",
		ScrapeTimeout: 30 * time.Second,
	})
	if err := srv.Reload(); err != nil {
		return "", err
	}
	rec := httptest.NewRecorder()
	srv.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if rec.Code != http.StatusOK {
		return "", fmt.Errorf("/metrics: %d %s", rec.Code, rec.Body)
	}
	return rec.Body.String(), nil
}

// demoMetricNames scrapes the demo with every collector and option on.
func demoMetricNames(t *testing.T) map[string]bool {
	t.Helper()
	body, err := scrapeDemoAll()
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for line := range strings.SplitSeq(body, "\n") {
		if name, ok := strings.CutPrefix(line, "# TYPE github_billing_"); ok {
			names["github_billing_"+strings.Fields(name)[0]] = true
		}
	}
	return names
}

// metricNameSpan finds the metric names of code spans: github_billing_
// names, with {a,b} alternatives and a trailing * for every name with that
// prefix.
var metricNameSpan = regexp.MustCompile("`(github_billing_[a-z0-9_{},]*\\*?)")

// Every metric the README and the pages under docs/ (the runbook, the
// pages moved out of the README, the generated tables) name in a code span
// is one the demo exports with every collector and option on, but for the
// names of the contract that docs/metrics-guide.md says are renamed.
func TestReadmeMetricNamesAreExported(t *testing.T) {
	exported := demoMetricNames(t)
	checked := 0
	for _, doc := range documentation(t) {
		text := readFile(t, doc)
		for _, m := range metricNameSpan.FindAllStringSubmatch(text, -1) {
			for _, name := range expandBraces(m[1]) {
				if _, renamed := metricContractRenames[strings.TrimSuffix(name, "*")]; renamed {
					continue
				}
				checked++
				if prefix, ok := strings.CutSuffix(name, "*"); ok {
					if !slices.ContainsFunc(slices.Collect(maps.Keys(exported)), func(e string) bool { return strings.HasPrefix(e, prefix) }) {
						t.Errorf("%s names %s, but the demo (all collectors, all options) exports no metric of that prefix", doc, name)
					}
				} else if !exported[name] {
					t.Errorf("%s names %s, which the demo (all collectors, all options) does not export", doc, name)
				}
			}
		}
	}
	if checked < 20 || len(exported) < 50 {
		t.Fatalf("checked %d names against %d exported: the comparison proves nothing", checked, len(exported))
	}
}

// metricContractName finds the metric names of METRICS.md: names with
// {a,b}_ alternatives (a label set {collector,scope} is not one) and the PREFIX placeholder of the billing-platform
// families. Continuations such as ", _limit" are not names of their own;
// the README test covers them.
var metricContractName = regexp.MustCompile(`github_billing_(?:[A-Za-z0-9_]|\{[a-z_,]+\}_)+`)

// metricContractRenames are the documented departures from METRICS.md (see
// docs/metrics-guide.md): promtool refuses "_summary_" in a name.
var metricContractRenames = map[string]string{"github_billing_usage_summary_": "github_billing_usage_summarized_"}

// The metric contract, testdata/METRICS.md (a copy of ../shared/METRICS.md,
// which make check-shared compares): every metric it names is exported by
// the demo with every collector on, but for the documented renames.
func TestMetricContract(t *testing.T) {
	contract, err := os.ReadFile("testdata/METRICS.md")
	if err != nil {
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

// The README's collectors at a glance name every collector once, each with
// its default and the servers that turn it off by default, and no collector
// that does not exist (renderReadme writes the table from the collectors'
// table; the full one is docs/collectors.md).
func TestReadmeCollectorsAtAGlance(t *testing.T) {
	defaults := map[string]string{}
	offOn := map[string]string{}
	for _, c := range collector.Collectors() {
		defaults[c.Name] = "off"
		if c.DefaultEnabled {
			defaults[c.Name] = "on"
		}
		offOn[c.Name] = serversOff(c)
	}
	seen := map[string]bool{}
	for line := range strings.SplitSeq(readmeSection(t, "Collectors"), "\n") {
		cells := strings.Split(line, "|")
		if len(cells) < 5 || !strings.Contains(cells[1], "`") {
			continue
		}
		def, off := strings.TrimSpace(cells[2]), strings.TrimSpace(cells[3])
		for _, m := range regexp.MustCompile("`([a-z_]+)`").FindAllStringSubmatch(cells[1], -1) {
			name := m[1]
			want, ok := defaults[name]
			switch {
			case !ok:
				t.Errorf("the README's Collectors table names %s, which is no collector", name)
			case seen[name]:
				t.Errorf("the README's Collectors table names %s twice", name)
			case def != want:
				t.Errorf("the README's Collectors table says %s is %s by default; it is %s", name, def, want)
			case off != offOn[name]:
				t.Errorf("the README's Collectors table says %s is off by default on %s; it is on %s", name, off, offOn[name])
			}
			seen[name] = true
		}
	}
	for name := range defaults {
		if !seen[name] {
			t.Errorf("the README's Collectors table does not name the collector %s", name)
		}
	}
}
