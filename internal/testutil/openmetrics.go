package testutil

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// openMetricsSuffixes are the sample-name suffixes each OpenMetrics type
// adds to its family's name; a consumer strips them to find the family.
var openMetricsSuffixes = map[string][]string{
	"counter":        {"_total", "_created"},
	"summary":        {"_sum", "_count", "_created"},
	"histogram":      {"_bucket", "_sum", "_count", "_created"},
	"gaugehistogram": {"_bucket", "_gsum", "_gcount"},
	"info":           {"_info"},
}

// OpenMetricsNameClashes lists the clashes between the families of an
// OpenMetrics exposition: two families with one name (a counter's name is
// already stripped of _total), or a name one family uses for its samples
// that another family has (a gauge foo_created beside a counter foo). A
// strict parser refuses both; Prometheus takes them. Nil means none.
func OpenMetricsNameClashes(body string) []string {
	owner := map[string]string{} // a family or sample name: "family (type)"
	var clashes []string
	for line := range strings.Lines(body) {
		fields := strings.Fields(line)
		if len(fields) != 4 || fields[0] != "#" || fields[1] != "TYPE" {
			continue
		}
		family := fields[2] + " (" + fields[3] + ")"
		names := []string{fields[2]}
		for _, suffix := range openMetricsSuffixes[fields[3]] {
			names = append(names, fields[2]+suffix)
		}
		for _, name := range names {
			if other, ok := owner[name]; ok {
				clashes = append(clashes, fmt.Sprintf("%s: %s and %s", name, other, family))
				continue
			}
			owner[name] = family
		}
	}
	sort.Strings(clashes)
	return clashes
}

// strictParser is the command that runs scripts/check-openmetrics.py with
// an interpreter that has Python's prometheus_client (see LookTool).
func strictParser(t *testing.T) []string {
	t.Helper()
	script := repositoryFile(t, filepath.Join("scripts", "check-openmetrics.py"))
	// Read from the test process, so go test's cache reruns the test when
	// the script changes: Python reads it in a child process.
	if _, err := os.ReadFile(script); err != nil {
		t.Fatal(err)
	}
	python := RequireTool(t, ToolPythonClient)
	return []string{python, script}
}

// CheckOpenMetricsStrictly parses body with Python's prometheus_client
// OpenMetrics parser, a strict third-party consumer, and fails t with the
// parser's message when it refuses it. Without that parser it skips t on a
// developer's machine and fails it in CI.
func CheckOpenMetricsStrictly(t *testing.T, what string, body []byte) {
	t.Helper()
	argv := strictParser(t)
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Stdin = bytes.NewReader(body)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("Python's OpenMetrics parser refuses %s (%v):\n%s", what, err, out)
	}
}

// repositoryFile finds rel in the module root, the nearest directory up
// from the test's own that holds go.mod.
func repositoryFile(t *testing.T, rel string) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(dir, rel)
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatalf("no go.mod above the test's directory to find %s in", rel)
		}
		dir = parent
	}
}
