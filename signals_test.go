package main

import (
	"fmt"
	"os"
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
	t.Parallel() // waits on an exporter process of its own
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
	p := e2eStart(t, bin, []string{"--config.file=" + cfgFile, "--web.listen-address=" + addr, "--collector.disable-defaults", "--collector.actions"})
	out, exited := p.out, p.exited
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(out.String(), "starting github-billing-exporter") {
		if time.Now().After(deadline) {
			t.Fatal("no start line in 30 s")
		}
		time.Sleep(time.Millisecond)
	}
	p.signal(t, syscall.SIGHUP)
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
