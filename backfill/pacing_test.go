package backfill

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/github-billing-exporter/github-billing-exporter/githubapi"
	"github.com/github-billing-exporter/github-billing-exporter/internal/fakegithub/fakegithubtest"
)

// cancelAfter cancels a context when the nth request has been answered.
type cancelAfter struct {
	n      int64
	seen   atomic.Int64
	cancel context.CancelFunc
}

func (c *cancelAfter) ObserveRequest(string, int, time.Duration) {
	if c.seen.Add(1) == c.n {
		c.cancel()
	}
}

func (*cancelAfter) ObserveRateLimit(string, githubapi.RateLimit) {}

// At --max-requests-per-hour=1 the backfill is paced one request at a time:
// the first request goes at once (the enterprise's cost-center list), the
// next waits for the hour, and a stop (here: the context cancelled as the
// first answer arrives, as SIGINT would) ends the wait. The enterprise's
// usage takes two requests a day (Team A and none), more than the pace
// allows at once: that must not be an error of its own.
func TestBackfillPacedAtOneRequestAnHour(t *testing.T) {
	t.Parallel()
	fake := fakegithubtest.Start(t, fixture())
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stop := &cancelAfter{n: 1, cancel: cancel}
	out := filepath.Join(t.TempDir(), "history.om")
	stderr, err := backfillFixtureCtx(t, ctx, fake, Flags{From: "2026-11-01", To: "2026-11-03", Output: out, Pacing: Pacing{MaxRequestsPerHour: 1}, Concurrency: 1}, stop)
	if err == nil {
		t.Fatalf("a backfill paced at 1 request an hour finished at once:\n%s", stderr)
	}
	if !errors.Is(err, context.Canceled) || strings.Contains(err.Error(), "burst") {
		t.Errorf("err = %v, want the cancellation, not an error of the pacing itself", err)
	}
	// 3 days × 9 requests + 1 for the cost-center list = 28, the first at
	// once and 27 at 1 an hour.
	if !strings.Contains(stderr, "3 days × 9 requests = 27 requests") || !strings.Contains(stderr, "at most 1 an hour: at least 27h0m0s") {
		t.Errorf("plan line:\n%s", stderr)
	}
	if n := fake.TotalRequests(); n != 1 {
		t.Errorf("%d requests sent, want 1: the second waits for the hour", n)
	}
}

// Paced one request at a time, a backfill whose reports take more than one
// request each (the enterprise's usage: Team A and none) runs through.
func TestBackfillPacedPerRequestRunsThrough(t *testing.T) {
	t.Parallel()
	fake := fakegithubtest.Start(t, fixture())
	out := filepath.Join(t.TempDir(), "history.om")
	// 360,000 an hour is one request every 10 ms: 28 requests, about a
	// quarter of a second.
	stderr, err := backfillFixture(t, fake, Flags{From: "2026-11-01", To: "2026-11-03", Output: out, Pacing: Pacing{MaxRequestsPerHour: 360000}})
	if err != nil {
		t.Fatalf("paced backfill: %v\n%s", err, stderr)
	}
	// 3 days × 9 requests + 1 for the cost-center list.
	if n := fake.TotalRequests(); n != 28 {
		t.Errorf("%d requests, want 28", n)
	}
}
