//go:build !race

// Package scripts_test runs the repository's shell checks (Prometheus rules,
// the end-to-end check against a real Prometheus, the deployment manifests)
// as part of `go test ./...`. They are left out under -race: they test
// shell scripts and external tools, not Go code.
package scripts_test

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// requireTools fails the test in CI when a tool is missing and skips it on
// a developer's machine, saying what to install.
func requireTools(t *testing.T, tools ...string) {
	t.Helper()
	for _, tool := range tools {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("CI") != "" {
				t.Fatalf("%s is not installed; .ci/run installs it (apt-get install prometheus prometheus-alertmanager)", tool)
			}
			t.Skipf("%s is not installed (apt-get install prometheus prometheus-alertmanager); CI requires it", tool)
		}
	}
}

// runScript runs scripts/NAME from the repository root and fails with its
// output when it fails. It is stopped with SIGTERM so its traps clean up.
func runScript(t *testing.T, name string, timeout time.Duration, env ...string) string {
	t.Helper()
	if testing.Short() {
		t.Skipf("runs scripts/%s with promtool, Prometheus or Helm: left out under -short (go test ./... runs it)", name)
	}
	readInputs(t)
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.CommandContext(ctx, "bash", filepath.Join(root, "scripts", name))
	cmd.Dir = root
	cmd.Env = append(os.Environ(), env...)
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.WaitDelay = 15 * time.Second
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		t.Fatalf("scripts/%s failed (%v):\n%s", name, err, tail(out.String(), 80))
	}
	return out.String()
}

func tail(s string, lines int) string {
	all := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(all) > lines {
		all = all[len(all)-lines:]
	}
	return strings.Join(all, "\n")
}

func TestPrometheusRulesAndAlertmanagerConfig(t *testing.T) {
	t.Parallel()
	requireTools(t, "promtool", "amtool")
	out := runScript(t, "check-rules.sh", 3*time.Minute)
	if !strings.Contains(out, "SUCCESS") {
		t.Fatalf("check-rules.sh printed no promtool SUCCESS:\n%s", tail(out, 40))
	}
}

func TestEndToEndWithPrometheus(t *testing.T) {
	t.Parallel()
	requireTools(t, "prometheus", "promtool")
	out := runScript(t, "e2e.sh", 5*time.Minute)
	if !strings.Contains(out, "PASS") {
		t.Fatalf("e2e.sh printed no PASS:\n%s", tail(out, 40))
	}
	// The backfilled 13 months were imported and checked.
	if !strings.Contains(out, "PASS: backfilled history imported") {
		t.Fatalf("e2e.sh did not check the backfilled history:\n%s", tail(out, 40))
	}
}

// TestDeploymentManifests lints and renders the Helm chart and checks the
// Compose Prometheus config and the systemd unit. Validating the Compose
// file itself needs a compose build (minutes); .ci/run does that once.
//
// Helm is not part of Go: the test runs when a helm binary is at hand
// (HELM, helm on PATH, or the one check-deploy.sh built into the tools
// cache), and builds Helm from the Go module proxy only when asked to (CI,
// or GBE_DEPLOY_CHECK=1), so the test command needs only Go and no network.
func TestDeploymentManifests(t *testing.T) {
	t.Parallel()
	requireTools(t, "promtool")
	if testing.Short() {
		t.Skip("-short: the Helm chart check is left out")
	}
	if helm, ok := helmAtHand(t); ok {
		t.Logf("helm: %s", helm)
	} else if os.Getenv("CI") == "" && os.Getenv("GBE_DEPLOY_CHECK") != "1" {
		t.Skipf("no helm binary at hand (HELM, PATH or %s). `make deploy-check` builds it once from the Go module proxy (minutes); then this test runs. CI and GBE_DEPLOY_CHECK=1 build it here", toolsDir())
	}
	runScript(t, "check-deploy.sh", 15*time.Minute, "COMPOSE_VERSION=none")
}

// toolsDir is check-deploy.sh's tools cache.
func toolsDir() string {
	if d := os.Getenv("GBE_TOOLS_DIR"); d != "" {
		return d
	}
	cache := os.Getenv("XDG_CACHE_HOME")
	if cache == "" {
		home, _ := os.UserHomeDir()
		cache = filepath.Join(home, ".cache")
	}
	return filepath.Join(cache, "github-billing-exporter", "tools")
}

// helmAtHand finds the helm binary check-deploy.sh would use without
// building one.
func helmAtHand(t *testing.T) (string, bool) {
	t.Helper()
	if h := os.Getenv("HELM"); h != "" {
		return h, true
	}
	if h, err := exec.LookPath("helm"); err == nil {
		return h, true
	}
	script, err := os.ReadFile(filepath.Join("..", "scripts", "check-deploy.sh"))
	if err != nil {
		t.Fatal(err)
	}
	version := os.Getenv("HELM_VERSION")
	if version == "" {
		m := regexp.MustCompile(`HELM_VERSION="\$\{HELM_VERSION:-([^}]+)\}"`).FindSubmatch(script)
		if m == nil {
			t.Fatal("check-deploy.sh sets no default HELM_VERSION")
		}
		version = string(m[1])
	}
	h := filepath.Join(toolsDir(), "helm-"+version)
	if st, err := os.Stat(h); err == nil && st.Mode()&0o111 != 0 {
		return h, true
	}
	return "", false
}
