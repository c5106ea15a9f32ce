package githubapi_test

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/github-billing-exporter/github-billing-exporter/githubapi"
	"github.com/github-billing-exporter/github-billing-exporter/internal/fakegithub/fakegithubtest"
)

// Under WithPace every request waits for the pace first, retries included,
// and a pace that fails sends nothing.
func TestPaceIsWaitedForBeforeEachRequest(t *testing.T) {
	srv := fakegithubtest.Start(t, usageDataset())
	// The first answer is a 502, which the client retries once.
	failed := false
	srv.Override("/organizations/acme-web/settings/billing/usage", func(w http.ResponseWriter, r *http.Request) {
		if !failed {
			failed = true
			http.Error(w, "bad gateway", http.StatusBadGateway)
			return
		}
		w.Write([]byte(`{"usageItems":[]}`)) //nolint:errcheck // a test answer
	})
	c := fakegithubtest.Client(t, srv, githubapi.Options{Retries: githubapi.RetryPolicy{Max: 1, Base: time.Millisecond, Cap: time.Millisecond}})
	org := githubapi.Account{Scope: githubapi.ScopeOrganization, Name: "acme-web"}
	waits := 0
	ctx := githubapi.WithPace(context.Background(), func(context.Context) error { waits++; return nil })
	if err := c.Usage(ctx, org, usageNovember, func(*githubapi.UsageItem) error { return nil }); err != nil {
		t.Fatal(err)
	}
	if waits != 2 || srv.TotalRequests() != 2 {
		t.Errorf("%d waits for %d requests, want 2 for 2 (the 502 and its retry)", waits, srv.TotalRequests())
	}

	stop := errors.New("stopped")
	ctx = githubapi.WithPace(context.Background(), func(context.Context) error { return stop })
	if err := c.Usage(ctx, org, usageNovember, func(*githubapi.UsageItem) error { return nil }); !errors.Is(err, stop) {
		t.Errorf("err = %v, want the pace's error", err)
	}
	if n := srv.TotalRequests(); n != 2 {
		t.Errorf("a failed pace sent a request: %d in all, want 2", n)
	}
}
