package cache

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/github-billing-exporter/github-billing-exporter/collector"
	"github.com/github-billing-exporter/github-billing-exporter/githubapi"
	"github.com/github-billing-exporter/github-billing-exporter/internal/fakegithub"
	"github.com/github-billing-exporter/github-billing-exporter/internal/testutil"
)

// blockingSeats answers an account's seat list only once the test releases
// it, and counts the requests it holds at once.
type blockingSeats struct {
	release chan struct{}
	arrived chan struct{} // one value per request that came in

	mu              sync.Mutex
	active, maxSeen int
	total           int
}

func newBlockingSeats(seats []githubapi.CopilotSeat) (*blockingSeats, http.HandlerFunc) {
	b := &blockingSeats{release: make(chan struct{}), arrived: make(chan struct{}, 16)}
	return b, func(w http.ResponseWriter, r *http.Request) {
		b.mu.Lock()
		b.active++
		b.total++
		b.maxSeen = max(b.maxSeen, b.active)
		b.mu.Unlock()
		defer func() { b.mu.Lock(); b.active--; b.mu.Unlock() }()
		b.arrived <- struct{}{}
		select {
		case <-b.release:
		case <-r.Context().Done():
			return
		}
		fakegithub.WriteJSON(w, map[string]any{"total_seats": len(seats), "seats": seats})
	}
}

func (b *blockingSeats) counts() (maxSeen, total int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.maxSeen, b.total
}

// An account removed and added again while its per-user AI-credit refresh
// waits for GitHub is not refreshed a second time alongside the first: the
// two would share the view's round state for the account (a data race that
// -race reports, and colliding map writes end the process). The scrape after
// the second reload waits for the refresh already running; when it ends, its
// data serves the re-added account, and no further request is made.
func TestRefreshRunsOnceAcrossRemoveAndReAdd(t *testing.T) {
	d := testutil.AICreditsDataset()
	f := newExporterTestFixture(t, d, []string{collector.AICreditsByUser}, collector.Options{})
	acme := githubapi.Account{Scope: githubapi.ScopeEnterprise, Name: "acme"}
	seats, handler := newBlockingSeats(d.Enterprises["acme"].Platform.CopilotSeats)
	f.fake.Override("/enterprises/acme/copilot/billing/seats", handler)
	f.exp.Apply(exporterTestSettings, f.targets(acme))

	// A scrape starts the refresh and gives up waiting for it; the refresh
	// goes on, held at the seat list.
	short := func() context.Context {
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		t.Cleanup(cancel)
		return ctx
	}
	f.scrape(t, short())
	select {
	case <-seats.arrived:
	case <-time.After(10 * time.Second):
		t.Fatal("the refresh did not ask for the seat list in 10 s")
	}

	f.exp.Apply(exporterTestSettings, nil)
	f.exp.Apply(exporterTestSettings, f.targets(acme))
	f.scrape(t, short())

	// A second refresh, had it started, asks for the seat list as well:
	// wait for that, or for the first refresh's end after the release.
	close(seats.release)
	s := f.scrape(t, context.Background())
	if maxSeen, total := seats.counts(); maxSeen != 1 || total != 1 {
		t.Errorf("the seat list was asked %d times, %d at once; want 1 and 1", total, maxSeen)
	}
	// The first refresh's data serves the re-added account: alice's GPT-5
	// net is 600 credits (1000 gross − 400 discount), in its first slice
	// (the round's five seat rows, four holders, cut in six: alice first).
	expectValue(t, s, exporterMetricKey("scrape_collector_success", collector.AICreditsByUser, "enterprise", "acme"), 1)
	expectNear(t, s, aiUserKey("net_quantity", "alice", aiTestGPT), 600)
}
