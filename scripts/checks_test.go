// Package scripts_test checks the repository's files that are not Go and
// need no tool to check: every metric a dashboard panel queries is one the
// README, the metric contract or the rules know, and the Helm chart's copy of
// the rules is the project's rules file. The checks that run promtool, a real
// Prometheus or Helm are make targets (make test-rules, test-e2e,
// test-deploy), which .ci/run calls.
package scripts_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// repositoryRoot is the module root, one directory up from scripts/.
func repositoryRoot() (string, error) { return filepath.Abs("..") }

var metricNameRE = regexp.MustCompile(`\bgithub_billing[a-zA-Z0-9_:]*`)

// documentation is the README, the pages under docs/ (the generated metric table
// docs/metrics.md among them) and the metric contract, relative to root.
func documentation(t *testing.T, root string) []string {
	t.Helper()
	pages, err := filepath.Glob(filepath.Join(root, "docs", "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	docs := []string{"README.md", "testdata/METRICS.md"}
	for _, p := range pages {
		rel, err := filepath.Rel(root, p)
		if err != nil {
			t.Fatal(err)
		}
		docs = append(docs, filepath.ToSlash(rel))
	}
	return docs
}

// knownMetricNames are the names the README, the pages under docs/ (the generated
// metric table docs/metrics.md among them) and the metric contract describe and the
// names the rules record.
func knownMetricNames(t *testing.T, root string) map[string]bool {
	t.Helper()
	known := map[string]bool{}
	for _, doc := range documentation(t, root) {
		raw, err := os.ReadFile(filepath.Join(root, doc))
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range regexp.MustCompile("`(github_billing[a-zA-Z0-9_:{},]*)").FindAllStringSubmatch(string(raw), -1) {
			for _, name := range expandBraces(m[1]) {
				known[name] = true
			}
		}
	}
	rules, err := os.ReadFile(filepath.Join(root, "deploy/prometheus/rules/github-billing.rules.yml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range regexp.MustCompile(`(?m)^\s*- record:\s*(\S+)`).FindAllStringSubmatch(string(rules), -1) {
		known[m[1]] = true
	}
	return known
}

func expandBraces(s string) []string {
	open := strings.IndexByte(s, '{')
	if open < 0 {
		return []string{s}
	}
	end := strings.IndexByte(s[open:], '}')
	if end < 0 {
		return []string{s[:open]}
	}
	end += open
	var out []string
	for alt := range strings.SplitSeq(s[open+1:end], ",") {
		out = append(out, expandBraces(s[:open]+alt+s[end+1:])...)
	}
	return out
}

type dashboardPanel struct {
	Title   string                  `json:"title"`
	Targets []struct{ Expr string } `json:"targets"`
	Panels  []dashboardPanel        `json:"panels"`
}

// unknownDashboardMetrics names, with the dashboard and the panel, each metric a panel's query
// under root/dashboards names that neither the README, the pages under docs/, the metric contract nor the rules know.
func unknownDashboardMetrics(t *testing.T, root string) []string {
	t.Helper()
	known := knownMetricNames(t, root)
	files, err := filepath.Glob(filepath.Join(root, "dashboards", "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no dashboards: %v", err)
	}
	var unknown []string
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var d struct {
			Panels []dashboardPanel `json:"panels"`
		}
		if err := json.Unmarshal(raw, &d); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		var walk func([]dashboardPanel)
		walk = func(ps []dashboardPanel) {
			for _, p := range ps {
				for _, tg := range p.Targets {
					for _, name := range metricNameRE.FindAllString(tg.Expr, -1) {
						base := name
						for _, suffix := range []string{"_bucket", "_count", "_sum"} {
							if trimmed, ok := strings.CutSuffix(name, suffix); ok && known[trimmed] {
								base = trimmed
							}
						}
						if !known[base] {
							unknown = append(unknown, fmt.Sprintf("%s: panel %q queries metric %s, which the README, the pages under docs/, testdata/METRICS.md and the rules do not know", filepath.Base(f), p.Title, name))
						}
					}
				}
				walk(p.Panels)
			}
		}
		walk(d.Panels)
	}
	return unknown
}

// TestDashboardMetricNames fails, naming the dashboard, the panel and the metric, when a
// panel's query names a metric that neither the README, the pages under docs/, the metric contract nor the rules
// know. It needs no Prometheus, so a misspelling fails `go test ./...` on any machine. The
// test reads the files itself, so Go's test cache reruns it when one of them changes.
func TestDashboardMetricNames(t *testing.T) {
	root, err := repositoryRoot()
	if err != nil {
		t.Fatal(err)
	}
	for _, problem := range unknownDashboardMetrics(t, root) {
		t.Error(problem)
	}
}

// A metric misspelt in a copy of the overview dashboard is found, and the finding names the
// panel and the misspelt metric.
func TestDashboardMetricNamesFindsAMisspelling(t *testing.T) {
	root, err := repositoryRoot()
	if err != nil {
		t.Fatal(err)
	}
	copyRoot := t.TempDir()
	files := append(documentation(t, root),
		"deploy/prometheus/rules/github-billing.rules.yml",
		"dashboards/github-billing-overview.json")
	if !slices.Contains(files, "docs/metrics.md") {
		t.Fatalf("the documentation does not include docs/metrics.md: %v", files)
	}
	for _, rel := range files {
		raw, err := os.ReadFile(filepath.Join(root, rel))
		if err != nil {
			t.Fatal(err)
		}
		if rel == "dashboards/github-billing-overview.json" {
			const right, wrong = "github_billing_copilot_seats_inactive_this_cycle{", "github_billing_copilot_seats_inactve_this_cycle{"
			if !bytes.Contains(raw, []byte(right)) {
				t.Fatalf("%s has no %q", rel, right)
			}
			raw = bytes.Replace(raw, []byte(right), []byte(wrong), 1)
		}
		dst := filepath.Join(copyRoot, rel)
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(dst, raw, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	unknown := unknownDashboardMetrics(t, copyRoot)
	if len(unknown) != 1 {
		t.Fatalf("want one unknown metric, got %d: %q", len(unknown), unknown)
	}
	for _, want := range []string{"github-billing-overview.json", `panel "Copilot seats: active and inactive this cycle"`, "github_billing_copilot_seats_inactve_this_cycle"} {
		if !strings.Contains(unknown[0], want) {
			t.Errorf("the finding does not name %s: %s", want, unknown[0])
		}
	}
}

// The Helm chart's copy of the rules is the project's rules file, byte for byte.
func TestChartRulesAreTheProjectRules(t *testing.T) {
	root, err := repositoryRoot()
	if err != nil {
		t.Fatal(err)
	}
	project, err := os.ReadFile(filepath.Join(root, "deploy/prometheus/rules/github-billing.rules.yml"))
	if err != nil {
		t.Fatal(err)
	}
	chartPath := filepath.Join(root, "deploy/helm/github-billing-exporter/files/github-billing.rules.yml")
	if st, err := os.Lstat(chartPath); err != nil || st.Mode()&fs.ModeSymlink != 0 {
		t.Fatalf("%s must be a regular file (Helm warns about symlinks): %v", chartPath, err)
	}
	chart, err := os.ReadFile(chartPath)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(project, chart) {
		t.Fatal("the Helm chart's files/github-billing.rules.yml differs from deploy/prometheus/rules/github-billing.rules.yml: run make chart-rules")
	}
}
