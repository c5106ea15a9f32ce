package main

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/github-billing-exporter/github-billing-exporter/internal/testutil"
)

// skipCall is a call that skips a test, in any test file of the tree.
var skipCall = regexp.MustCompile(`\bt\.Skip(f|Now)?\(`)

// requireToolCall is a test's call of testutil.RequireTool (or of
// RequireTool inside package testutil), with the tool's constant.
var requireToolCall = regexp.MustCompile(`\bRequireTool\(t, (?:testutil\.)?(Tool\w+)\)`)

// funcDecl opens a function, for naming the test a line belongs to.
var funcDecl = regexp.MustCompile(`^func (?:\([^)]*\) )?(\w+)\(`)

// allowedSkips are the skips that leave nothing out of `go test ./...`:
// under -short only, a fuzz input the target does not apply to, and the
// tool helper whose skips this test reports. Each names its file and the
// text that marks the skip's line.
var allowedSkips = []struct{ file, marker string }{
	{"backfill/backfill_test.go", "left out under -short"},
	{"e2e_test.go", "left out under -short"},
	{"githubapi/usage_test.go", `t.Skip("decodes 50 MB")`},       // under testing.Short()
	{"githubapi/usage_test.go", `t.Skip("several usageItems`},    // a fuzz input
	{"internal/testutil/tools.go", "TestNoToolIsMissing in the"}, // RequireTool
}

type sourceLine struct {
	file, fn, text string
	line           int
}

// testSources reads every Go file of the module under root (not the
// separate modules under scripts/e2e), line by line, with the function
// each line is in.
func testSources(t *testing.T, root string) []sourceLine {
	t.Helper()
	var out []sourceLine
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		if d.IsDir() {
			if rel == filepath.Join("scripts", "e2e") || strings.HasPrefix(d.Name(), ".") && rel != "." || d.Name() == "testdata" {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") {
			return nil
		}
		raw, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		fn := ""
		for i, text := range strings.Split(string(raw), "\n") {
			if m := funcDecl.FindStringSubmatch(text); m != nil {
				fn = m[1]
			}
			out = append(out, sourceLine{file: filepath.ToSlash(rel), fn: fn, text: text, line: i + 1})
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// Every skip in the tree is one that leaves nothing out of `go test ./...`
// or goes through testutil.RequireTool; and when a tool is missing, this
// test fails with one summary of every test that skipped and why (go test
// prints nothing of a passing package's skips). GBE_ALLOW_MISSING_TOOLS=1
// accepts the skips; under CI the tests themselves fail instead.
func TestNoToolIsMissing(t *testing.T) {
	lines := testSources(t, ".")
	var uses []sourceLine
	for _, l := range lines {
		if l.file == "tools_test.go" {
			continue // its patterns and table quote the calls it looks for
		}
		if skipCall.MatchString(l.text) && !slices.ContainsFunc(allowedSkips, func(a struct{ file, marker string }) bool {
			return a.file == l.file && strings.Contains(l.text, a.marker)
		}) {
			t.Errorf("%s:%d skips outside testutil.RequireTool and -short: %s", l.file, l.line, strings.TrimSpace(l.text))
		}
		if strings.Contains(l.text, "exec.LookPath(") && strings.HasSuffix(l.file, "_test.go") {
			t.Errorf("%s:%d looks a program up itself: use testutil.RequireTool, so that its absence is reported here", l.file, l.line)
		}
		if requireToolCall.MatchString(l.text) {
			uses = append(uses, l)
		}
	}
	// The tests that go through RequireTool, each one's tool: the guard
	// above would pass on a tree where the helper is never called.
	const wantUses = 5 // e2e_test.go, formats_test.go, backfill_test.go, backfill/detail_test.go, openmetrics.go
	if len(uses) != wantUses {
		t.Errorf("%d calls of RequireTool, want %d: update wantUses and check the new call's tool is in testutil.Tools", len(uses), wantUses)
	}

	toolConst := map[string]string{"ToolPromtool": testutil.ToolPromtool, "ToolPythonClient": testutil.ToolPythonClient}
	var summary []string
	for _, tool := range testutil.Tools {
		_, err := testutil.LookTool(tool.Name)
		if err == nil {
			continue
		}
		var who []string
		for _, u := range uses {
			if toolConst[requireToolCall.FindStringSubmatch(u.text)[1]] != tool.Name {
				continue
			}
			who = append(who, fmt.Sprintf("%s (%s:%d)%s", u.fn, u.file, u.line, callers(lines, u.fn)))
		}
		summary = append(summary, fmt.Sprintf("  %s: %v\n    install: %s\n    skipped: %s", tool.Name, err, tool.Install, strings.Join(who, ", ")))
	}
	if len(summary) == 0 {
		return
	}
	text := "SKIPPED: tests left out of this run because a tool is missing:\n" + strings.Join(summary, "\n")
	if os.Getenv(testutil.AllowMissingTools) == "1" {
		fmt.Fprintln(os.Stderr, text)
		t.Log(text)
		return
	}
	t.Errorf("%s\nInstall the tools, or set %s=1 to accept these skips.", text, testutil.AllowMissingTools)
}

// callers names the tests that call helper fn, when fn is not a test
// itself, as " via TestA, TestB".
func callers(lines []sourceLine, fn string) string {
	if strings.HasPrefix(fn, "Test") {
		return ""
	}
	var names []string
	call := regexp.MustCompile(`\b` + regexp.QuoteMeta(fn) + `\(`)
	for _, l := range lines {
		if l.fn != fn && l.fn != "" && call.MatchString(l.text) && !slices.Contains(names, l.fn) {
			names = append(names, l.fn)
		}
	}
	if len(names) == 0 {
		return ""
	}
	return " via " + strings.Join(names, ", ")
}
