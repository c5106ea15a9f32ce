package main

import (
	"strings"
	"testing"
	"time"

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
