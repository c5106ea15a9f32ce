package main

import (
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/github-billing-exporter/github-billing-exporter/internal/fakegithub"
	"github.com/github-billing-exporter/github-billing-exporter/internal/fakegithub/fakegithubtest"
	"github.com/github-billing-exporter/github-billing-exporter/internal/testutil"
)

// A SIGHUP that arrives while the exporter is still starting (a config
// reloader sidecar, or systemctl reload right after start) is queued and
// becomes a reload once it serves, instead of killing the process with
// SIGHUP's default action. The configuration of 5,000 organizations takes
// long enough to load that the signal, sent as soon as the first log line
// appears, lands before the old code registered its handler.
func TestSIGHUPDuringStartupIsQueued(t *testing.T) {
	bin := e2eBuild(t)
	fake := fakegithubtest.Start(t, fakegithub.NewDataset())
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "token"), []byte(testutil.Token), 0o600); err != nil {
		t.Fatal(err)
	}
	var cfg strings.Builder
	fmt.Fprintf(&cfg, "github: {api_url: %q, token_file: token}\norganizations:\n", fake.URL)
	for i := range 5000 {
		fmt.Fprintf(&cfg, "  - name: org-%04d\n", i)
	}
	cfgFile := filepath.Join(dir, "exporter.yml")
	if err := os.WriteFile(cfgFile, []byte(cfg.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	addr := e2eFreePort(t)
	out := &testutil.SyncBuffer{}
	cmd := exec.Command(bin, "--config.file="+cfgFile, "--web.listen-address="+addr, "--collector.disable-defaults", "--collector.actions")
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			<-exited
		}
		if t.Failed() {
			t.Logf("exporter output:\n%s", out)
		}
	})
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(out.String(), "starting github-billing-exporter") {
		if time.Now().After(deadline) {
			t.Fatal("no start line in 30 s")
		}
		time.Sleep(time.Millisecond)
	}
	if err := cmd.Process.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	e2eWaitFor(t, exited, "ready", func() (int, string, error) { return e2eGet("http://" + addr + "/-/ready") }, func(string) bool { return true })
	// The start's load and the queued reload's.
	deadline = time.Now().Add(30 * time.Second)
	for strings.Count(out.String(), "configuration loaded") < 2 {
		if time.Now().After(deadline) {
			t.Fatalf("the queued SIGHUP did not reload:\n%s", out)
		}
		select {
		case err := <-exited:
			t.Fatalf("the exporter exited: %v", err)
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// The HTTP server's own messages (a TLS handshake that failed, here a
// plain-HTTP request to the TLS port) are logged like every other line, in
// logfmt, at debug level: port scanners and load-balancer checks cause them
// all day. The standard library's own format ("2026/12/02 10:00:00 http:
// TLS handshake error …") is never written.
func TestServerErrorsAreLoggedInTheLogFormat(t *testing.T) {
	bin := e2eBuild(t)
	dir := t.TempDir()
	webConfigCert(t, dir)
	webConfig := filepath.Join(dir, "web.yml")
	if err := os.WriteFile(webConfig, []byte("tls_server_config:\n  cert_file: tls.crt\n  key_file: tls.key\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	addr := e2eFreePort(t)
	out := &testutil.SyncBuffer{}
	cmd := exec.Command(bin, "--demo", "--web.listen-address="+addr, "--web.config.file="+webConfig, "--log.level=debug")
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-exited
		if t.Failed() {
			t.Logf("exporter output:\n%s", out)
		}
	})
	e2eWaitFor(t, exited, "the listener", func() (int, string, error) {
		resp, err := (&http.Client{Timeout: 10 * time.Second}).Get("http://" + addr + "/metrics")
		if err != nil {
			return 0, "", err
		}
		resp.Body.Close()
		return http.StatusOK, "", nil
	}, nil)
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(out.String(), "TLS handshake error") {
		if time.Now().After(deadline) {
			t.Fatal("the failed handshake is not logged")
		}
		time.Sleep(10 * time.Millisecond)
	}
	for line := range strings.SplitSeq(strings.TrimSpace(out.String()), "\n") {
		if !strings.HasPrefix(line, "level=") {
			t.Errorf("a line not in logfmt: %s", line)
		}
		if strings.Contains(line, "TLS handshake error") && !strings.HasPrefix(line, "level=debug ") {
			t.Errorf("the handshake error is not at debug level: %s", line)
		}
	}
}
