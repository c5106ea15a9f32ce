package githubapi_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"testing"

	"github.com/github-billing-exporter/github-billing-exporter/githubapi"
	"github.com/github-billing-exporter/github-billing-exporter/internal/fakegithub"
	"github.com/github-billing-exporter/github-billing-exporter/internal/fakegithub/fakegithubtest"
)

// Probe sends one request whatever the answer, a 5xx included, which the
// other calls retry; it asks the billing platform's or the per-product
// path as told, with the query given, and keeps the status and
// X-Accepted-GitHub-Permissions of an answer outside 2xx.
func TestProbeAsksOnceWithoutRetry(t *testing.T) {
	fake := fakegithubtest.Start(t, nil)
	var query url.Values
	fake.Override("/organizations/acme-web/settings/billing/usage", func(w http.ResponseWriter, r *http.Request) {
		query = r.URL.Query()
		fakegithub.WriteJSON(w, map[string]any{"usageItems": []any{}})
	})
	fake.Override(actionsPath, func(w http.ResponseWriter, _ *http.Request) {
		fakegithub.WriteError(w, http.StatusBadGateway, "Server Error")
	})
	fake.Override("/orgs/acme-web/copilot/billing", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("X-Accepted-GitHub-Permissions", "organization_copilot_seat_management=read")
		fakegithub.WriteError(w, http.StatusForbidden, "Resource not accessible by personal access token")
	})
	client := fakegithubtest.Client(t, fake, githubapi.Options{})
	ctx := context.Background()

	if err := client.Probe(ctx, acmeWeb, "/settings/billing/usage", true, url.Values{"year": {"2026"}, "month": {"11"}}); err != nil {
		t.Errorf("usage: %v", err)
	}
	if query.Get("year") != "2026" || query.Get("month") != "11" {
		t.Errorf("usage query %v, want year and month", query)
	}
	err := client.Probe(ctx, acmeWeb, "/settings/billing/actions", false, nil)
	if !errors.Is(err, githubapi.ErrServer) {
		t.Errorf("actions: %v, want a server error", err)
	}
	if n := fake.Requests(actionsPath); n != 1 {
		t.Errorf("a 502 was asked %d times, want once", n)
	}
	var apiErr *githubapi.APIError
	err = client.Probe(ctx, acmeWeb, "/copilot/billing", false, nil)
	if !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusForbidden || apiErr.AcceptedPermissions != "organization_copilot_seat_management=read" {
		t.Errorf("copilot: %v, want a 403 with the accepted permissions", err)
	}
	if n := fake.TotalRequests(); n != 3 {
		t.Errorf("%d requests, want 3", n)
	}
}
