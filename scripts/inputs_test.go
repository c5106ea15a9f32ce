//go:build !race

package scripts_test

import (
	"bytes"
	"encoding/json"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"
)

// readInputs reads every file of the repository from the test process. The shell checks read
// the rules, dashboards, chart and deployment files, and e2e.sh builds the exporter and the
// nested panelcheck module from their sources, all in child processes that Go's test cache
// knows nothing about. Go records the
// files a test opens (from within the test: the log starts in testing.M.Run, so TestMain would
// be too early) and reruns the test when one of them changes, so reading them here makes
// `go test ./...` rerun the checks after any edit instead of answering "ok (cached)".
func readInputs(t *testing.T) {
	t.Helper()
	if _, err := readRepositoryInputs(); err != nil {
		t.Fatalf("reading the checks' inputs: %v", err)
	}
}

// repositoryRoot is the module root, one directory up from scripts/.
func repositoryRoot() (string, error) { return filepath.Abs("..") }

// readRepositoryInputs reads every regular file under the repository root except Git's own
// and returns their paths relative to the root.
func readRepositoryInputs() ([]string, error) {
	root, err := repositoryRoot()
	if err != nil {
		return nil, err
	}
	var read []string
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if name := d.Name(); path != root && (name == ".git" || name == "node_modules" || name == ".cache") {
				return filepath.SkipDir
			}
			return nil
		}
		// os.ReadFile follows symbolic links, so a linked rules file counts too.
		if _, err := os.ReadFile(path); err != nil {
			if d.Type()&fs.ModeSymlink != 0 {
				return nil // a dangling link is the deploy check's business
			}
			return err
		}
		rel, _ := filepath.Rel(root, path)
		read = append(read, filepath.ToSlash(rel))
		return nil
	})
	return read, err
}

func TestEveryCheckInputIsRead(t *testing.T) {
	read, err := readRepositoryInputs()
	if err != nil {
		t.Fatal(err)
	}
	have := map[string]bool{}
	for _, p := range read {
		have[p] = true
	}
	for _, want := range []string{
		"deploy/prometheus/rules/github-billing.rules.yml",
		"deploy/prometheus/rules/tests/budget_alerts_test.yml",
		"deploy/prometheus/prometheus-e2e.yml",
		"deploy/alertmanager/alertmanager.yml",
		"dashboards/github-billing-overview.json",
		"dashboards/github-billing-exporter-health.json",
		"deploy/helm/github-billing-exporter/Chart.yaml",
		"deploy/helm/github-billing-exporter/values.yaml",
		"deploy/systemd/github-billing-exporter.service",
		"scripts/e2e.sh",
		"scripts/e2e/panelcheck/main.go",
		// panelcheck is a module of its own, which e2e.sh builds with go -C: its go.mod and
		// go.sum are inputs too, and its PromQL walk.
		"scripts/e2e/panelcheck/go.mod",
		"scripts/e2e/panelcheck/go.sum",
		"scripts/e2e/panelcheck/promql.go",
		"main.go",
		"internal/server/server.go",
		"internal/demo/month.go",
	} {
		if !have[want] {
			t.Errorf("%s is not read by the test process, so a change to it would leave the result cached", want)
		}
	}
}

var metricNameRE = regexp.MustCompile(`\bgithub_billing[a-zA-Z0-9_:]*`)

// knownMetricNames are the names the README, the generated metric table (docs/metrics.md)
// and the metric contract describe and the names the rules record.
func knownMetricNames(t *testing.T, root string) map[string]bool {
	t.Helper()
	known := map[string]bool{}
	for _, doc := range []string{"README.md", "docs/metrics.md", "testdata/METRICS.md"} {
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

// TestDashboardMetricNames fails, naming the dashboard, the panel and the metric, when a
// panel's query names a metric that neither the README, docs/metrics.md, the metric contract
// nor the rules know. It needs no Prometheus, so a misspelling fails `go test ./...` on any machine.
func TestDashboardMetricNames(t *testing.T) {
	root, err := repositoryRoot()
	if err != nil {
		t.Fatal(err)
	}
	readInputs(t)
	known := knownMetricNames(t, root)
	files, err := filepath.Glob(filepath.Join(root, "dashboards", "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no dashboards: %v", err)
	}
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
							t.Errorf("%s: panel %q queries metric %s, which the README, docs/metrics.md, testdata/METRICS.md and the rules do not know", filepath.Base(f), p.Title, name)
						}
					}
				}
				walk(p.Panels)
			}
		}
		walk(d.Panels)
	}
}

// TestGoTestCacheSeesInputs proves the mechanism of readInputs on a copy of the repository:
// `go test` of the scripts package answers "(cached)" the second time, and no longer after
// the rules file or a dashboard changes. The rules check reads the rules only in promtool, a
// child process, so only readInputs makes its result depend on them. A changed
// threshold fails the rules' unit tests; the misspelt dashboard fails with the panel and the
// metric in the message.
func TestGoTestCacheSeesInputs(t *testing.T) {
	if os.Getenv("GBE_CACHE_PROBE") != "" {
		t.Skip("running inside the cache probe")
	}
	if testing.Short() {
		t.Skip("builds the scripts package's tests three times")
	}
	requireTools(t, "promtool", "amtool")
	t.Parallel()
	root, err := repositoryRoot()
	if err != nil {
		t.Fatal(err)
	}
	goCmd := filepath.Join(os.Getenv("GOROOT"), "bin", "go")
	if _, err := os.Stat(goCmd); os.Getenv("GOROOT") == "" || err != nil {
		if goCmd, err = exec.LookPath("go"); err != nil {
			t.Fatalf("no go command: %v", err)
		}
	}
	copyRoot := t.TempDir()
	old := time.Now().Add(-time.Hour) // Go does not cache a result whose inputs changed in the last seconds
	if err := copyTree(root, copyRoot, old); err != nil {
		t.Fatal(err)
	}
	run := func(test string) (string, error) {
		cmd := exec.Command(goCmd, "test", "-run", "^"+test+"$", "./scripts")
		cmd.Dir = copyRoot
		cmd.Env = append(os.Environ(), "GBE_CACHE_PROBE=1", "GOFLAGS=-mod=mod")
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		err := cmd.Run()
		return out.String(), err
	}
	const rulesTest, dashboardTest = "TestPrometheusRulesAndAlertmanagerConfig", "TestDashboardMetricNames"
	for _, test := range []string{rulesTest, dashboardTest} {
		if out, err := run(test); err != nil {
			t.Fatalf("first run of %s on the copy: %v\n%s", test, err, out)
		}
		if out, err := run(test); err != nil || !strings.Contains(out, "(cached)") {
			t.Fatalf("second run of %s, nothing changed: want (cached), got %v\n%s", test, err, out)
		}
	}

	// A changed threshold in the rules, which the rules' unit tests pin: a failure.
	rules := filepath.Join(copyRoot, "deploy/prometheus/rules/github-billing.rules.yml")
	edit(t, rules, ">= 0.8  # THRESHOLD", ">= 0.75  # THRESHOLD", old.Add(time.Minute))
	if out, err := run(rulesTest); err == nil || strings.Contains(out, "(cached)") || !strings.Contains(out, rulesTest) {
		t.Fatalf("after a rules change: want the rules check to fail, got %v\n%s", err, out)
	}
	edit(t, rules, ">= 0.75  # THRESHOLD", ">= 0.8  # THRESHOLD", old.Add(90*time.Second))

	// A misspelt metric in a dashboard: a failure that names the panel and the metric.
	overview := filepath.Join(copyRoot, "dashboards/github-billing-overview.json")
	edit(t, overview, "github_billing_copilot_seats_inactive_this_cycle{", "github_billing_copilot_seats_inactve_this_cycle{", old.Add(2*time.Minute))
	out, err := run(dashboardTest)
	if err == nil || strings.Contains(out, "(cached)") {
		t.Fatalf("after misspelling a metric: want a failure, got %v\n%s", err, out)
	}
	for _, want := range []string{`panel "Copilot seats: active and inactive this cycle"`, "github_billing_copilot_seats_inactve_this_cycle"} {
		if !strings.Contains(out, want) {
			t.Errorf("the failure does not name %s:\n%s", want, out)
		}
	}
}

func edit(t *testing.T, path, old, replacement string, mtime time.Time) {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(raw, []byte(old)) {
		t.Fatalf("%s has no %q", path, old)
	}
	if err := os.WriteFile(path, bytes.Replace(raw, []byte(old), []byte(replacement), 1), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(path, mtime, mtime); err != nil {
		t.Fatal(err)
	}
}

// copyTree copies the repository's files (not .git) to dst, symbolic links as links, every
// file dated mtime.
func copyTree(src, dst string, mtime time.Time) error {
	var files []string
	err := filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		target := filepath.Join(dst, rel)
		switch {
		case d.IsDir():
			if d.Name() == ".git" || d.Name() == "node_modules" || d.Name() == ".cache" {
				return filepath.SkipDir
			}
			return os.MkdirAll(target, 0o755)
		case d.Type()&fs.ModeSymlink != 0:
			link, err := os.Readlink(path)
			if err != nil {
				return err
			}
			return os.Symlink(link, target)
		case d.Type().IsRegular():
			raw, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			info, err := d.Info()
			if err != nil {
				return err
			}
			files = append(files, target)
			return os.WriteFile(target, raw, info.Mode().Perm())
		}
		return nil
	})
	if err != nil {
		return err
	}
	sort.Strings(files)
	for _, f := range files {
		if err := os.Chtimes(f, mtime, mtime); err != nil {
			return err
		}
	}
	return nil
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
