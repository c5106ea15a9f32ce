package main

import (
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/github-billing-exporter/github-billing-exporter/internal/fakegithub"
	"github.com/github-billing-exporter/github-billing-exporter/internal/fakegithub/fakegithubtest"
	"github.com/github-billing-exporter/github-billing-exporter/internal/server"
	"github.com/github-billing-exporter/github-billing-exporter/internal/testutil"
)

// --scrape.max-timeout is 2m by default, the server's own default; one that
// is not positive, or shorter than --scrape.timeout (which it would cut),
// is a flag error (exit 2) that names the flag.
func TestScrapeMaxTimeoutFlag(t *testing.T) {
	if f := mainTestParse(t); f.maxScrapeTimeout != 2*time.Minute || server.DefaultMaxScrapeTimeout != 2*time.Minute {
		t.Errorf("--scrape.max-timeout defaults to %v (server default %v), want 2m", f.maxScrapeTimeout, server.DefaultMaxScrapeTimeout)
	}
	if f := mainTestParse(t, "--scrape.max-timeout=5m", "--scrape.timeout=3m"); f.maxScrapeTimeout != 5*time.Minute {
		t.Errorf("--scrape.max-timeout=5m parsed as %v", f.maxScrapeTimeout)
	}
	for _, args := range [][]string{
		{"--scrape.max-timeout=0s"},
		{"--scrape.max-timeout=-1m"},
		{"--scrape.timeout=3m"},
		{"--scrape.max-timeout=5s"},
	} {
		stdout, stderr := testutil.OutputFile(t), testutil.OutputFile(t)
		code := run(append(args, "--demo", "--web.listen-address=127.0.0.1:0"), stdout, stderr)
		if msg := testutil.ReadOutput(t, stderr); code != 2 || !strings.Contains(msg, "--scrape.max-timeout") {
			t.Errorf("%q: exit %d, %q; want 2 and a message about --scrape.max-timeout", args, code, msg)
		}
	}
}

// seatGate stands for GitHub's Copilot seat endpoint of the accounts it is
// installed on: it answers a small seat count, or, once hang is set, holds
// every request until the request ends (GitHub does not answer).
type seatGate struct {
	hang    atomic.Bool
	arrived chan string // the path of every request that came in
}

func newSeatGate(fake *fakegithub.Server, enterprises ...string) *seatGate {
	g := &seatGate{arrived: make(chan string, 64)}
	for _, name := range enterprises {
		fake.Override("/enterprises/"+name+"/copilot/billing/seats", func(w http.ResponseWriter, r *http.Request) {
			g.arrived <- r.URL.Path
			if g.hang.Load() {
				<-r.Context().Done()
				return
			}
			fakegithub.WriteJSON(w, map[string]any{"total_seats": 10, "seats": []any{}})
		})
	}
	return g
}

// waitArrival waits for the next seat request.
func (g *seatGate) waitArrival(t *testing.T) {
	t.Helper()
	select {
	case <-g.arrived:
	case <-time.After(30 * time.Second):
		t.Fatal("no seat request in 30 s")
	}
}

// lifecycleExporter is serve() as run() calls it, with the per-user
// AI-credit view on for four enterprises of a fake GitHub, and a signal
// channel the test sends to.
type lifecycleExporter struct {
	base    string
	signals chan os.Signal
	exited  chan int
	log     *testutil.SyncBuffer
}

func startLifecycleExporter(t *testing.T, gate func(*fakegithub.Server) *seatGate) (*lifecycleExporter, *seatGate) {
	t.Helper()
	fake := fakegithubtest.Start(t, fakegithub.NewDataset())
	fake.RequireToken(testutil.Token)
	g := gate(fake)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "token"), []byte(testutil.Token), 0o600); err != nil {
		t.Fatal(err)
	}
	cfgFile := filepath.Join(dir, "exporter.yml")
	cfg := fmt.Sprintf("github: {api_url: %q, token_file: token}\nenterprises: [{name: ent-1}, {name: ent-2}, {name: ent-3}, {name: ent-4}]\n", fake.URL)
	if err := os.WriteFile(cfgFile, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	addr := e2eFreePort(t)
	f := mainTestParse(t, "--config.file="+cfgFile, "--web.listen-address="+addr, "--collector.disable-defaults", "--collector.ai_credits.by-user")
	e := &lifecycleExporter{base: "http://" + addr, signals: make(chan os.Signal, 4), exited: make(chan int, 1), log: &testutil.SyncBuffer{}}
	logger := slog.New(slog.NewTextHandler(e.log, nil))
	go func() { e.exited <- serve(f, logger, e.signals) }()
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("exporter log:\n%s", e.log)
		}
	})
	return e, g
}

// get asks path, retrying for 10 s while nothing listens yet; each attempt
// gets 5 s to answer.
func (e *lifecycleExporter) get(t *testing.T, path string) int {
	t.Helper()
	client := &http.Client{Timeout: 5 * time.Second}
	deadline := time.Now().Add(10 * time.Second)
	for {
		resp, err := client.Get(e.base + path)
		if err == nil {
			resp.Body.Close()
			return resp.StatusCode
		}
		if time.Now().After(deadline) {
			t.Fatalf("GET %s: no answer in 10 s: %v", path, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// stop sends SIGTERM as the signal handler would and wants serve to return
// 0 within 10 s.
func (e *lifecycleExporter) stop(t *testing.T) {
	t.Helper()
	e.signals <- syscall.SIGTERM
	select {
	case code := <-e.exited:
		if code != 0 {
			t.Errorf("exit %d after SIGTERM, want 0", code)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("SIGTERM: serve did not return in 10 s")
	}
}

// While GitHub does not answer the seat counts of the per-user AI-credit
// view's API-budget check at start, the exporter already listens: the
// liveness probe gets /-/healthy, the readiness probe a 503 until the
// configuration is in force, and SIGTERM ends it at once. (Before, the check
// ran before the listener, 30 s for each of the four enterprises in turn.)
func TestServeListensWhileTheBudgetCheckHangs(t *testing.T) {
	e, gate := startLifecycleExporter(t, func(fake *fakegithub.Server) *seatGate {
		g := newSeatGate(fake, "ent-1", "ent-2", "ent-3", "ent-4")
		g.hang.Store(true)
		return g
	})
	gate.waitArrival(t)
	if code := e.get(t, "/-/healthy"); code != http.StatusOK {
		t.Errorf("/-/healthy during the check: %d, want 200", code)
	}
	if code := e.get(t, "/-/ready"); code != http.StatusServiceUnavailable {
		t.Errorf("/-/ready during the check: %d, want 503", code)
	}
	e.stop(t)
}

// A SIGHUP's reload runs the same check; while GitHub does not answer it,
// the exporter serves with the running configuration and SIGTERM does not
// wait for the check.
func TestStopDoesNotWaitForAHangingReload(t *testing.T) {
	e, gate := startLifecycleExporter(t, func(fake *fakegithub.Server) *seatGate {
		return newSeatGate(fake, "ent-1", "ent-2", "ent-3", "ent-4")
	})
	deadline := time.Now().Add(30 * time.Second)
	for e.get(t, "/-/ready") != http.StatusOK {
		if time.Now().After(deadline) {
			t.Fatal("not ready in 30 s")
		}
		time.Sleep(20 * time.Millisecond)
	}
	for range 4 { // the start's check: one count per enterprise
		gate.waitArrival(t)
	}
	gate.hang.Store(true)
	e.signals <- syscall.SIGHUP
	gate.waitArrival(t)
	if code := e.get(t, "/-/ready"); code != http.StatusOK {
		t.Errorf("/-/ready during the reload's check: %d, want 200 (the running configuration stays)", code)
	}
	e.stop(t)
}
