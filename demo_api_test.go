package main

import (
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/github-billing-exporter/github-billing-exporter/internal/demo"
	"github.com/github-billing-exporter/github-billing-exporter/internal/testutil"
)

// startServing runs serve with these flags until the test ends, and
// returns the log it writes.
func startServing(t *testing.T, args ...string) *testutil.SyncBuffer {
	t.Helper()
	f := mainTestParse(t, args...)
	log := &testutil.SyncBuffer{}
	signals := make(chan os.Signal, 4)
	exited := make(chan int, 1)
	go func() { exited <- serve(f, slog.New(slog.NewTextHandler(log, nil)), signals) }()
	t.Cleanup(func() {
		signals <- syscall.SIGTERM
		select {
		case code := <-exited:
			if code != 0 {
				t.Errorf("%v: exit %d after SIGTERM, want 0", args, code)
			}
		case <-time.After(10 * time.Second):
			t.Errorf("%v: serve did not return in 10 s after SIGTERM", args)
		}
		if t.Failed() {
			t.Logf("log of %v:\n%s", args, log)
		}
	})
	return log
}

// The README's quick start without a token: --demo with
// --demo.api-listen-address puts the simulated GitHub API on a fixed
// loopback port and logs its URL and token; a configuration file of one's
// own, pointed there with that token, is served by a second exporter, whose
// /probe answers with the demo organization's data.
func TestDemoAPIServesAConfigurationOfOnesOwn(t *testing.T) {
	apiAddr := e2eFreePort(t)
	demoLog := startServing(t, "--demo", "--demo.api-listen-address="+apiAddr, "--web.listen-address="+e2eFreePort(t))
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(demoLog.String(), "api_url=http://"+apiAddr) {
		if time.Now().After(deadline) {
			t.Fatalf("the demo's log does not name its API at http://%s:\n%s", apiAddr, demoLog)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if !strings.Contains(demoLog.String(), "api_token="+demo.Token) {
		t.Errorf("the demo's log does not name the token %s:\n%s", demo.Token, demoLog)
	}

	cfgFile := filepath.Join(t.TempDir(), "my-config.yml")
	cfg := "github:\n  api_url: http://" + apiAddr + "\n  token: " + demo.Token + "\norganizations:\n  - name: acme-web\n"
	if err := os.WriteFile(cfgFile, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	webAddr := e2eFreePort(t)
	startServing(t, "--config.file="+cfgFile, "--web.listen-address="+webAddr, "--collector.disable-defaults", "--collector.usage")
	probe := "http://" + webAddr + "/probe?target=acme-web"
	body := e2eWaitFor(t, nil, probe, func() (int, string, error) { return e2eGet(probe) }, nil)
	for _, want := range []string{
		`github_billing_scrape_collector_success{account="acme-web",collector="usage",scope="organization"} 1`,
		`github_billing_usage_net_amount_usd{account="acme-web",`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/probe?target=acme-web lacks %s:\n%s", want, body)
		}
	}
}

// The demo's API listens on loopback only: another address is a flag error.
func TestDemoAPIListenAddressIsLoopbackOnly(t *testing.T) {
	for _, addr := range []string{"0.0.0.0:9787", ":9787", "192.0.2.1:9787", "127.0.0.1"} {
		stdout, stderr := testutil.OutputFile(t), testutil.OutputFile(t)
		if code := run([]string{"--demo", "--demo.api-listen-address=" + addr}, stdout, stderr); code != 2 {
			t.Errorf("%s: exit %d, want 2", addr, code)
		}
		if msg := testutil.ReadOutput(t, stderr); !strings.Contains(msg, "--demo.api-listen-address") {
			t.Errorf("%s: stderr %q does not name the flag", addr, msg)
		}
	}
	for _, addr := range []string{"127.0.0.1:9787", "[::1]:0", "localhost:9787"} {
		if _, err := parseFlags([]string{"--demo", "--demo.api-listen-address=" + addr}, io.Discard, io.Discard); err != nil {
			t.Errorf("%s: %v", addr, err)
		}
	}
}
