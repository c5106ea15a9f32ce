package testutil

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"testing"
)

// The programs some tests run beside Go. Where one is missing, the tests
// that need it skip on a developer's machine and fail when CI is set; the
// root package's TestNoToolIsMissing fails too, naming every test that
// skipped and why, so that `go test ./...` never passes with tests left
// out unnoticed (go test prints nothing of a passing package's skips).
const (
	ToolPromtool      = "promtool"
	ToolPythonClient  = "python3-prometheus-client"
	AllowMissingTools = "GBE_ALLOW_MISSING_TOOLS" // set to 1 to accept the skips
)

// Tools lists each tool a test may require, with how to install it.
var Tools = []struct{ Name, Install string }{
	{ToolPromtool, "apt-get install -y prometheus"},
	{ToolPythonClient, "apt-get install -y python3-prometheus-client (for /usr/bin/python3)"},
}

// pythonCandidates are the interpreters tried for Python's prometheus_client:
// Debian's python3-prometheus-client is installed for /usr/bin/python3, which
// a pyenv or virtualenv python3 first on PATH would not see.
func pythonCandidates() []string {
	candidates := []string{"/usr/bin/python3"}
	if p, err := exec.LookPath("python3"); err == nil {
		candidates = append(candidates, p)
	}
	return candidates
}

// LookTool returns the path of the tool's program (for the Python client, a
// python3 that imports it), or an error saying what is missing.
func LookTool(name string) (string, error) {
	switch name {
	case ToolPromtool:
		p, err := exec.LookPath(name)
		if err != nil {
			return "", fmt.Errorf("%s is not on PATH: %w", name, err)
		}
		return p, nil
	case ToolPythonClient:
		candidates := pythonCandidates()
		for _, python := range candidates {
			if exec.Command(python, "-c", "import prometheus_client.openmetrics.parser").Run() == nil {
				return python, nil
			}
		}
		return "", fmt.Errorf("no python3 with prometheus_client (tried %v)", candidates)
	}
	return "", errors.New("unknown tool " + name)
}

// RequireTool returns the tool's path. Without it, t fails when CI is set
// and skips otherwise; TestNoToolIsMissing in the root package then fails
// and lists the skipped tests.
func RequireTool(t testing.TB, name string) string {
	t.Helper()
	p, err := LookTool(name)
	if err == nil {
		return p
	}
	install := ""
	for _, tool := range Tools {
		if tool.Name == name {
			install = tool.Install
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatalf("%v and CI is set: %s (.ci/run does)", err, install)
	}
	t.Skipf("SKIPPED, %v (CI unset, local run): %s; TestNoToolIsMissing in the root package lists every test this leaves out", err, install)
	return ""
}
