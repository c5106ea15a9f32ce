package main

import (
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/github-billing-exporter/github-billing-exporter/internal/testutil"
)

// acceptOpenMetrics asks for OpenMetrics 1.0.0 alone, as a strict consumer
// does.
const acceptOpenMetrics = "application/openmetrics-text;version=1.0.0"

// e2eGetOpenMetrics fetches url in OpenMetrics and fails t unless it is
// answered 200 in that format.
func e2eGetOpenMetrics(t *testing.T, url string) []byte {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept", acceptOpenMetrics)
	resp, err := (&http.Client{Timeout: 30 * time.Second}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if ct := resp.Header.Get("Content-Type"); resp.StatusCode != http.StatusOK || !strings.HasPrefix(ct, "application/openmetrics-text") {
		t.Fatalf("%s: %d %s\n%.500s", url, resp.StatusCode, ct, body)
	}
	return body
}

// checkOpenMetrics runs both checks of a strict consumer on body: the
// family-name clash check in Go, which needs nothing installed, and
// Python's prometheus_client parser, in a subtest that a local run without
// it skips (CI requires it).
func checkOpenMetrics(t *testing.T, what string, body []byte) {
	t.Helper()
	for _, clash := range testutil.OpenMetricsNameClashes(string(body)) {
		t.Errorf("%s: families clash in OpenMetrics: %s", what, clash)
	}
	t.Run("prometheus_client parses "+what, func(t *testing.T) {
		testutil.CheckOpenMetricsStrictly(t, what, body)
	})
}

// The demo binary's /metrics and each account's /probe, asked for in
// OpenMetrics, are accepted by a strict third-party parser, not only by
// Prometheus, and /metrics keeps the billing series and the Go runtime's
// memory figures.
func TestE2EOpenMetricsStrictParser(t *testing.T) {
	t.Parallel() // waits on an exporter process of its own
	bin := e2eBuild(t)
	addr := e2eFreePort(t)
	base := "http://" + addr
	p := e2eStart(t, bin, []string{"--demo", "--web.listen-address=" + addr, "--log.level=warn"})
	exited := p.exited
	e2eWaitFor(t, exited, "ready", func() (int, string, error) { return e2eGet(base + "/-/ready") }, nil)

	metrics := e2eGetOpenMetrics(t, base+"/metrics")
	for _, want := range []string{
		`github_billing_actions_used_seconds{account="acme-web",scope="organization"} `,
		`github_billing_scrape_collector_success{account="acme-corp",collector="advanced_security",scope="enterprise"} 1`,
		// The heap in use, the figure the dropped go_memstats_alloc_bytes
		// gauge repeated, and the bytes allocated so far.
		"go_memstats_heap_alloc_bytes ",
		"go_memstats_alloc_bytes_total ",
	} {
		if !testutil.HasLine(string(metrics), want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	checkOpenMetrics(t, "/metrics", metrics)
	// The demo's four accounts, one per scope and two organizations.
	for _, account := range []string{"acme-corp", "acme-web", "acme-data", "octocat"} {
		body := e2eGetOpenMetrics(t, base+"/probe?target="+account)
		if !strings.Contains(string(body), `account="`+account+`"`) {
			t.Errorf("/probe?target=%s holds no series of %s:\n%.500s", account, account, body)
		}
		checkOpenMetrics(t, "/probe?target="+account, body)
	}
}

// A backfill file of the demo, written by the real command, is accepted by
// the strict parser: each series' points in one block, in time order.
func TestBackfillFileStrictOpenMetrics(t *testing.T) {
	// Four days across a month's end, on the backfill tests' clock (20
	// November 2026): the month to date starts again on 1 November.
	from, to := "2026-10-30", "2026-11-02"
	file := filepath.Join(t.TempDir(), "history.om")
	stdout, stderr := testutil.OutputFile(t), testutil.OutputFile(t)
	code := runAt(backfillTestClock, []string{"--demo", "backfill", "--from=" + from, "--to=" + to, "--output=" + file, "--max-requests-per-hour=0"}, stdout, stderr)
	if log := testutil.ReadOutput(t, stderr); code != 0 {
		t.Fatalf("backfill exit %d\n%s", code, log)
	}
	body, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(body), `github_billing_usage_net_amount_usd{account="acme-corp"`) {
		t.Fatalf("the backfill file holds no usage of acme-corp:\n%.500s", body)
	}
	checkOpenMetrics(t, "the backfill file", body)
}
