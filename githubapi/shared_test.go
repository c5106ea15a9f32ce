package githubapi_test

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/github-billing-exporter/github-billing-exporter/githubapi"
	"github.com/github-billing-exporter/github-billing-exporter/internal/fakegithub"
	"github.com/github-billing-exporter/github-billing-exporter/internal/fakegithub/fakegithubtest"
)

const costCentersPath = "/enterprises/acme-corp/settings/billing/cost-centers"

var acmeCorp = githubapi.Account{Scope: githubapi.ScopeEnterprise, Name: "acme-corp"}

// The usage and cost_centers collectors of one round share one cost-center
// list; the next round, a minute or more later, asks again.
func TestCostCentersSharedWithinRound(t *testing.T) {
	srv := newFake(t)
	clk := &clock{now: time.Date(2026, 11, 15, 12, 0, 0, 0, time.UTC)}
	c := newTestClient(t, srv, clk, nil)
	ctx := context.Background()

	first, err := c.CostCenters(ctx, acmeCorp)
	if err != nil || len(first) != 3 {
		t.Fatalf("cost centers: %v, %v; want the demo's three", first, err)
	}
	clk.Advance(59 * time.Second)
	second, err := c.CostCenters(ctx, acmeCorp)
	if err != nil || len(second) != 3 || second[0].ID != first[0].ID {
		t.Fatalf("second call: %v, %v", second, err)
	}
	if n := srv.Requests(costCentersPath); n != 1 {
		t.Errorf("%d requests for two calls 59s apart, want 1", n)
	}

	// Another enterprise is its own list.
	other := githubapi.Account{Scope: githubapi.ScopeEnterprise, Name: "other"}
	srv.Override("/enterprises/other/settings/billing/cost-centers", fakegithubtest.ServeString(`{"costCenters":[{"id":"x","name":"X","state":"active","resources":[]}]}`))
	if cc, err := c.CostCenters(ctx, other); err != nil || len(cc) != 1 || cc[0].ID != "x" {
		t.Errorf("other enterprise: %v, %v; want its own list", cc, err)
	}

	srv.Update(func(d *fakegithub.Dataset) {
		p := d.Enterprises["acme-corp"].Platform
		p.CostCenters = p.CostCenters[:1]
	})
	clk.Advance(time.Minute)
	third, err := c.CostCenters(ctx, acmeCorp)
	if err != nil || len(third) != 1 {
		t.Fatalf("a minute later: %v, %v; want the changed list of one", third, err)
	}
	if n := srv.Requests(costCentersPath); n != 2 {
		t.Errorf("%d requests, want 2: the next round asks again", n)
	}
}

// Calls while the list is being fetched wait for that one request.
func TestCostCentersConcurrentCallsShareOneRequest(t *testing.T) {
	srv := newFake(t)
	srv.SetLatency(200 * time.Millisecond)
	c := newTestClient(t, srv, &clock{}, nil)
	var wg sync.WaitGroup
	errs := make(chan error, 20)
	for range 20 {
		wg.Go(func() {
			cc, err := c.CostCenters(context.Background(), acmeCorp)
			if err == nil && len(cc) != 3 {
				err = errors.New("not the demo's three cost centers")
			}
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	if n := srv.Requests(costCentersPath); n != 1 {
		t.Errorf("%d requests for 20 concurrent calls, want 1", n)
	}
}

// A failed fetch is not kept: the next call asks GitHub again.
func TestCostCentersFailureNotShared(t *testing.T) {
	srv := newFake(t)
	c := newTestClient(t, srv, &clock{}, nil)
	srv.Override(costCentersPath, limitAnswer(http.StatusForbidden, nil, "Resource not accessible by personal access token"))
	if _, err := c.CostCenters(context.Background(), acmeCorp); !isStatus(err, http.StatusForbidden) {
		t.Fatalf("first call: %v, want the 403", err)
	}
	srv.Override(costCentersPath, nil)
	if cc, err := c.CostCenters(context.Background(), acmeCorp); err != nil || len(cc) != 3 {
		t.Fatalf("after the 403: %v, %v; want the list", cc, err)
	}
	if n := srv.Requests(costCentersPath); n != 2 {
		t.Errorf("%d requests, want 2", n)
	}
}

// A fetch cut short by its caller's deadline does not fail another caller
// that still has time; a waiter whose own deadline passes returns at once.
func TestCostCentersCallerDeadlines(t *testing.T) {
	srv := newFake(t)
	arrived := make(chan struct{}, 4)
	var mu sync.Mutex
	calls := 0
	srv.Override(costCentersPath, func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		calls++
		first := calls == 1
		mu.Unlock()
		arrived <- struct{}{}
		if first {
			<-r.Context().Done() // hangs until its caller gives up
			return
		}
		fakegithubtest.ServeString(`{"costCenters":[{"id":"a","name":"A","state":"active","resources":[]}]}`)(w, r)
	})
	c := newTestClient(t, srv, &clock{}, nil)

	ctxA, cancelA := context.WithCancel(context.Background())
	errA := make(chan error, 1)
	go func() {
		_, err := c.CostCenters(ctxA, acmeCorp)
		errA <- err
	}()
	<-arrived

	// A waiter with a short deadline of its own gives up with it.
	ctxShort, cancelShort := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancelShort()
	if _, err := c.CostCenters(ctxShort, acmeCorp); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("waiter past its deadline: %v, want context.DeadlineExceeded", err)
	}

	resultB := make(chan []githubapi.CostCenter, 1)
	errB := make(chan error, 1)
	go func() {
		cc, err := c.CostCenters(context.Background(), acmeCorp)
		resultB <- cc
		errB <- err
	}()
	time.Sleep(50 * time.Millisecond) // B is (almost surely) waiting on A's fetch
	cancelA()
	if err := <-errA; !errors.Is(err, context.Canceled) {
		t.Errorf("the cancelled caller: %v, want context.Canceled", err)
	}
	if cc, err := <-resultB, <-errB; err != nil || len(cc) != 1 || cc[0].ID != "a" {
		t.Errorf("the caller with time left: %v, %v; want the list", cc, err)
	}
	mu.Lock()
	defer mu.Unlock()
	if calls != 2 {
		t.Errorf("%d requests, want 2 (the cancelled one and one for the caller with time left)", calls)
	}
}
