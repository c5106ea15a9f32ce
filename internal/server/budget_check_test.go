package server

import (
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/github-billing-exporter/github-billing-exporter/collector"
	"github.com/github-billing-exporter/github-billing-exporter/config"
	"github.com/github-billing-exporter/github-billing-exporter/internal/cache"
	"github.com/github-billing-exporter/github-billing-exporter/internal/fakegithub"
	"github.com/github-billing-exporter/github-billing-exporter/internal/fakegithub/fakegithubtest"
	"github.com/github-billing-exporter/github-billing-exporter/internal/testutil"
)

// hungSeatsServer is a server with the per-user AI-credit view on for four
// enterprises whose seat counts GitHub answers (10 seats) only once release
// is closed, and never when release is nil. arrived gets one value a request.
func hungSeatsServer(t *testing.T, release <-chan struct{}, checkTimeout time.Duration) (srv *Server, arrived <-chan struct{}, log *testutil.SyncBuffer) {
	t.Helper()
	fake := fakegithubtest.Start(t, fakegithub.NewDataset())
	in := make(chan struct{}, 16)
	var yaml strings.Builder
	fmt.Fprintf(&yaml, "github: {api_url: %q, token: t}\nenterprises:\n", fake.URL)
	for i := 1; i <= 4; i++ {
		fmt.Fprintf(&yaml, "  - name: ent-%d\n", i)
		fake.Override(fmt.Sprintf("/enterprises/ent-%d/copilot/billing/seats", i), func(w http.ResponseWriter, r *http.Request) {
			in <- struct{}{}
			select {
			case <-release:
				fakegithub.WriteJSON(w, map[string]any{"total_seats": 10, "seats": []any{}})
			case <-r.Context().Done():
			}
		})
	}
	exp, err := cache.New(cache.Config{Collectors: []string{collector.AICreditsByUser}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(exp.Close)
	log = &testutil.SyncBuffer{}
	srv = New(Config{
		Exporter:           exp,
		Logger:             slog.New(slog.NewTextHandler(log, nil)),
		TelemetryPath:      "/metrics",
		BudgetShares:       map[string]float64{collector.AICreditsByUser: 0.2},
		BudgetCheckTimeout: checkTimeout,
		Source: func() (*config.Resolved, error) {
			return config.Parse("ai.yml", []byte(yaml.String()), func(string) string { return "" })
		},
	})
	return srv, in, log
}

// The check asks every account's seat count at once: all four requests are
// at GitHub together while it has answered none. (Before, one after another,
// each with 30 s of its own.) Once GitHub answers, the load completes and
// logs each account's budget: 10 seats cost 1 page + 10 holders + 6
// unfiltered answers = 17 requests a round.
func TestBudgetCheckAsksEveryAccountAtOnce(t *testing.T) {
	release := make(chan struct{})
	srv, arrived, log := hungSeatsServer(t, release, 0)
	reloaded := make(chan error, 1)
	go func() { reloaded <- srv.Reload() }()
	for i := range 4 {
		select {
		case <-arrived:
		case <-time.After(10 * time.Second):
			close(release)
			t.Fatalf("%d of 4 seat counts asked in 10 s while GitHub answered none", i)
		}
	}
	close(release)
	select {
	case err := <-reloaded:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the load did not end in 30 s after GitHub answered")
	}
	if n := strings.Count(log.String(), "requests_per_round=17"); n != 4 {
		t.Errorf("%d accounts' budgets logged, want 4:\n%s", n, log)
	}
}

// One deadline bounds the whole check, here 250 ms: with GitHub silent for all
// four accounts, the load ends within it (plus margin), loads the
// configuration, and says for each account that its seats went uncounted
// (a deadline per account would make it 4 × 30 s).
func TestBudgetCheckHasOneDeadline(t *testing.T) {
	t.Parallel() // mostly waiting: it overlaps the other waiting tests
	srv, _, log := hungSeatsServer(t, nil, 250*time.Millisecond)
	reloaded := make(chan error, 1)
	go func() { reloaded <- srv.Reload() }()
	select {
	case err := <-reloaded:
		if err != nil {
			t.Fatalf("a check that timed out refused the configuration: %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the check, bounded at 250 ms, did not end in 20 s")
	}
	for i := 1; i <= 4; i++ {
		if !strings.Contains(log.String(), fmt.Sprintf(`cannot count the seat holders to check the API budget; the view's own refresh will report what fails" account="enterprise \"ent-%d\""`, i)) {
			t.Errorf("ent-%d's uncounted seats are not logged:\n%s", i, log)
		}
	}
}
