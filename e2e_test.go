package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/github-billing-exporter/github-billing-exporter/internal/testutil"
)

// e2eMainEnv, set in a process's environment, makes this test binary run
// the exporter's main instead of tests: the end-to-end tests start the
// exporter as a child process without building a second binary of the same
// packages (which, after an edit, would compile the changed packages again
// with other flags and link the whole module once more). `make test-build`
// checks the binary make builds, and `make test-e2e` runs it against a real
// Prometheus.
const e2eMainEnv = "GITHUB_BILLING_EXPORTER_TEST_RUN_MAIN"

// TestMain runs the exporter when e2eMainEnv asks for it, else the tests.
func TestMain(m *testing.M) {
	if os.Getenv(e2eMainEnv) == "1" {
		os.Unsetenv(e2eMainEnv)
		main()
		return
	}
	os.Exit(m.Run())
}

// e2eBuild returns the command that runs the exporter as its own process:
// this test binary, which runs main when e2eCommand sets e2eMainEnv.
func e2eBuild(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("runs the exporter as a process: left out under -short (go test ./... runs it)")
	}
	bin, err := os.Executable()
	if err != nil {
		t.Fatalf("no path to this test binary: %v", err)
	}
	return bin
}

// e2eCommand is exec.CommandContext for bin, e2eBuild's answer, with
// e2eMainEnv set so that it runs the exporter.
func e2eCommand(ctx context.Context, bin string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = append(os.Environ(), e2eMainEnv+"=1")
	return cmd
}

// e2eProcess is the exporter running as a child process, its output
// collected in out. exited gets cmd.Wait's answer once.
type e2eProcess struct {
	cmd    *exec.Cmd
	out    *testutil.SyncBuffer
	exited chan error
}

// e2eStart starts bin with args. When the test ends, the process is killed
// if it still runs, its output is logged if the test failed, and the test
// fails if the output ever shows one of secrets.
func e2eStart(t *testing.T, bin string, args []string, secrets ...string) *e2eProcess {
	t.Helper()
	p := &e2eProcess{cmd: e2eCommand(context.Background(), bin, args...), out: &testutil.SyncBuffer{}, exited: make(chan error, 1)}
	p.cmd.Stdout, p.cmd.Stderr = p.out, p.out
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.exited <- p.cmd.Wait() }()
	t.Cleanup(func() {
		if p.cmd.ProcessState == nil {
			p.cmd.Process.Kill()
			<-p.exited
		}
		if t.Failed() {
			t.Logf("exporter output:\n%s", p.out)
		}
		for _, secret := range secrets {
			if strings.Contains(p.out.String(), secret) {
				t.Errorf("the exporter's output shows a secret (%d bytes)", len(secret))
			}
		}
	})
	return p
}

// signal sends sig to the process.
func (p *e2eProcess) signal(t *testing.T, sig os.Signal) {
	t.Helper()
	if err := p.cmd.Process.Signal(sig); err != nil {
		t.Fatal(err)
	}
}

// e2eFreePort returns a loopback address nothing listens on right now.
func e2eFreePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

func e2eGet(url string) (int, string, error) {
	client := &http.Client{Timeout: 30 * time.Second}
	resp, err := client.Get(url)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body), err
}

// e2eWaitFor polls get until it answers 200 with a body ok accepts (any
// body when ok is nil), for up to 30 s, and returns that body. It fails t
// when the exporter exits first; exited gets the exit back for later reads
// (nil: an exporter in the test's own process).
func e2eWaitFor(t *testing.T, exited chan error, what string, get func() (int, string, error), ok func(body string) bool) string {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		code, body, err := get()
		if err == nil && code == http.StatusOK && (ok == nil || ok(body)) {
			return body
		}
		select {
		case err := <-exited:
			exited <- err
			t.Fatalf("the exporter exited waiting for %s: %v", what, err)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("no %s after 30s (last answer %d, %v)", what, code, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestE2EDemo runs the exporter as a process with --demo on a free
// loopback port, scrapes it, checks the scrape with promtool, reloads it
// with SIGHUP and stops it with SIGTERM.
func TestE2EDemo(t *testing.T) {
	t.Parallel() // waits on an exporter process of its own
	bin := e2eBuild(t)
	addr := e2eFreePort(t)
	base := "http://" + addr

	// The first scrape waits for the first refreshes: up to 25 s (inside
	// e2eGet's 30 s), not the 10 s default, which a
	// loaded machine can spend before the demo's refreshes end.
	p := e2eStart(t, bin, []string{"--demo", "--web.listen-address=" + addr, "--log.level=debug", "--scrape.timeout=25s"})
	cmd, exited := p.cmd, p.exited

	// Ready within 30 s.
	e2eWaitFor(t, exited, "ready", func() (int, string, error) { return e2eGet(base + "/-/ready") }, nil)

	code, body, err := e2eGet(base + "/metrics")
	if err != nil || code != http.StatusOK {
		t.Fatalf("/metrics: %d %v", code, err)
	}
	for _, want := range []string{
		`github_billing_actions_used_seconds{account="acme-web",scope="organization"} `,
		`github_billing_actions_used_seconds{account="acme-corp",scope="enterprise"} `,
		`github_billing_actions_runner_used_seconds{account="acme-data",runner="UBUNTU",scope="organization"} `,
		`github_billing_packages_bandwidth_used_bytes{account="acme-web",scope="organization"} `,
		`github_billing_shared_storage_estimated_bytes{account="acme-corp",scope="enterprise"} `,
		`github_billing_advanced_security_committers{account="acme-corp",product="",scope="enterprise"} 28`,
		`github_billing_advanced_security_repositories{account="acme-corp",product="",scope="enterprise"} 230`,
		`github_billing_endpoint_retired{account="octocat",collector="actions",scope="user"} 1`,
		`github_billing_scrape_collector_success{account="octocat",collector="actions",scope="user"} 1`,
		`github_billing_scrape_collector_success{account="acme-web",collector="actions",scope="organization"} 1`,
		`github_billing_scrape_collector_success{account="acme-data",collector="packages",scope="organization"} 1`,
		`github_billing_scrape_collector_success{account="acme-corp",collector="shared_storage",scope="enterprise"} 1`,
		`github_billing_scrape_collector_success{account="acme-corp",collector="advanced_security",scope="enterprise"} 1`,
		`github_billing_endpoint_retired{account="acme-web",collector="actions",scope="organization"} 0`,
		`github_billing_config_last_reload_successful 1`,
		`github_billing_exporter_build_info{`,
		`github_billing_api_requests_total{code="200",endpoint="/orgs/{org}/settings/billing/actions"} `,
		`github_billing_api_rate_limit_remaining{credential="demo",resource="core"} `,
	} {
		if !testutil.HasLine(body, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	if strings.Contains(body, "demo-token-not-a-secret") {
		t.Error("/metrics shows the demo token")
	}

	t.Run("promtool check metrics", func(t *testing.T) {
		promtool := testutil.RequireTool(t, testutil.ToolPromtool)
		check := exec.Command(promtool, "check", "metrics")
		check.Stdin = strings.NewReader(body)
		report, err := check.CombinedOutput()
		if err != nil || len(bytes.TrimSpace(report)) != 0 {
			t.Errorf("promtool check metrics: %v\n%s", err, report)
		}
	})

	// SIGHUP reloads (the demo configuration) and the exporter keeps serving.
	if err := cmd.Process.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond)
	select {
	case err := <-exited:
		exited <- err
		t.Fatalf("the exporter exited on SIGHUP: %v", err)
	default:
	}
	if code, _, err := e2eGet(base + "/-/ready"); err != nil || code != http.StatusOK {
		t.Errorf("/-/ready after SIGHUP: %d %v", code, err)
	}
	code, body, err = e2eGet(base + "/metrics")
	if err != nil || code != http.StatusOK {
		t.Fatalf("/metrics after SIGHUP: %d %v", code, err)
	}
	if !testutil.HasLine(body, "github_billing_config_last_reload_successful 1") ||
		!testutil.HasLine(body, `github_billing_actions_used_seconds{account="acme-web",scope="organization"} `) {
		t.Error("after SIGHUP the reload gauge or the data is gone")
	}

	// SIGTERM stops it cleanly.
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-exited:
		if _, ok := errors.AsType[*exec.ExitError](err); ok {
			t.Errorf("exit after SIGTERM: %v, want 0", err)
		} else if err != nil {
			t.Errorf("wait: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("still running 10s after SIGTERM")
	}
	if cmd.ProcessState == nil || cmd.ProcessState.ExitCode() != 0 {
		t.Errorf("exit state %v, want 0", cmd.ProcessState)
	}
}

// Without --demo and with a configuration that does not load, the binary
// refuses to start and says why.
func TestE2EBadConfigRefusesToStart(t *testing.T) {
	t.Parallel() // waits on an exporter process of its own
	bin := e2eBuild(t)
	dir := t.TempDir()
	file := filepath.Join(dir, "exporter.yml")
	if err := os.WriteFile(file, []byte("github: {token_file: missing}\norganizations: [{name: acme-web}]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := e2eCommand(ctx, bin, "--config.file="+file, "--web.listen-address="+e2eFreePort(t))
	out, err := cmd.CombinedOutput()
	var exitErr *exec.ExitError
	if !errors.As(err, &exitErr) || exitErr.ExitCode() != 1 {
		t.Errorf("exit %v, want status 1; output:\n%s", err, out)
	}
	for _, want := range []string{file, "github.token_file", "missing"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("output does not contain %q:\n%s", want, out)
		}
	}
}
