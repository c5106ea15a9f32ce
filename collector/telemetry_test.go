package collector

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/github-billing-exporter/github-billing-exporter/githubapi"
	"github.com/github-billing-exporter/github-billing-exporter/internal/fakegithub"
	internaltestutil "github.com/github-billing-exporter/github-billing-exporter/internal/testutil"
)

// telemetryTestServer answers every request with fixed rate-limit headers
// for resource and the given status.
func telemetryTestServer(t *testing.T, resource string, remaining int, code int) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		h := w.Header()
		h.Set("X-Ratelimit-Limit", "5000")
		h.Set("X-Ratelimit-Remaining", fmt.Sprint(remaining))
		h.Set("X-Ratelimit-Used", fmt.Sprint(5000-remaining))
		h.Set("X-Ratelimit-Reset", "1767225600")
		h.Set("X-Ratelimit-Resource", resource)
		if code != http.StatusOK {
			fakegithub.WriteError(w, code, "nope")
			return
		}
		fmt.Fprint(w, `{"total_gigabytes_bandwidth_used": 1, "total_paid_gigabytes_bandwidth_used": 0, "included_gigabytes_bandwidth": 10, "total_minutes_used": 1, "total_paid_minutes_used": 0, "included_minutes": 0, "minutes_used_breakdown": {}}`)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func telemetryTestClient(t *testing.T, baseURL, credential string, obs githubapi.Observer) *githubapi.Client {
	t.Helper()
	c, err := githubapi.New(githubapi.Options{BaseURL: baseURL, Credential: credential, Observer: obs})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestTelemetryRequestsByTemplateAndCode(t *testing.T) {
	tel := NewTelemetry()
	ok := telemetryTestServer(t, "core", 4000, http.StatusOK)
	notFound := telemetryTestServer(t, "core", 3999, http.StatusNotFound)
	ctx := context.Background()
	web := githubapi.Account{Scope: githubapi.ScopeOrganization, Name: "acme-web"}
	data := githubapi.Account{Scope: githubapi.ScopeOrganization, Name: "acme-data"}
	acme := githubapi.Account{Scope: githubapi.ScopeEnterprise, Name: "acme"}

	c := telemetryTestClient(t, ok.URL, "main", tel)
	for _, a := range []githubapi.Account{web, data} {
		if _, err := c.ActionsBilling(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.PackagesBilling(ctx, acme); err != nil {
		t.Fatal(err)
	}
	if _, err := telemetryTestClient(t, notFound.URL, "main", tel).ActionsBilling(ctx, web); !errors.Is(err, githubapi.ErrNotFound) {
		t.Fatalf("error %v, want ErrNotFound", err)
	}

	expected := `
# HELP github_billing_api_requests_total Requests to the GitHub API by endpoint (path template) and status code ("error" when no answer came).
# TYPE github_billing_api_requests_total counter
github_billing_api_requests_total{code="200",endpoint="/enterprises/{enterprise}/settings/billing/packages"} 1
github_billing_api_requests_total{code="200",endpoint="/orgs/{org}/settings/billing/actions"} 2
github_billing_api_requests_total{code="404",endpoint="/orgs/{org}/settings/billing/actions"} 1
`
	if err := testutil.CollectAndCompare(tel, strings.NewReader(expected), "github_billing_api_requests_total"); err != nil {
		t.Error(err)
	}
	// One histogram per template: 3 observations for the org actions.
	if n := testutil.CollectAndCount(tel, "github_billing_api_request_duration_seconds"); n != 2 {
		t.Errorf("%d duration histograms, want 2 (one per template)", n)
	}
	expectLintClean(t, tel)
}

// No answer at all counts as code "error".
func TestTelemetryNetworkError(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now

	tel := NewTelemetry()
	c, err := githubapi.New(githubapi.Options{BaseURL: "http://" + addr, Observer: tel, Credential: "main", Retries: internaltestutil.FastRetries})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if _, err := c.SharedStorageBilling(ctx, githubapi.Account{Scope: githubapi.ScopeUser, Name: "octocat"}); err == nil {
		t.Fatal("no error from a closed port")
	}
	// The client may retry a network error; every attempt is an "error".
	n := testutil.ToFloat64(tel.requests.WithLabelValues("/users/{username}/settings/billing/shared-storage", "error"))
	if n < 1 {
		t.Errorf("api_requests_total{code=\"error\"} = %v, want at least 1", n)
	}
	if c := testutil.CollectAndCount(tel, "github_billing_api_requests_total"); c != 1 {
		t.Errorf("%d request series, want only the error one", c)
	}
	// No answer, no rate-limit reading.
	if c := testutil.CollectAndCount(tel, "github_billing_api_rate_limit_remaining"); c != 0 {
		t.Errorf("%d rate-limit series without an answer", c)
	}
}

func TestTelemetryRateLimitsPerCredential(t *testing.T) {
	tel := NewTelemetry()
	main := telemetryTestServer(t, "core", 4321, http.StatusOK)
	ghes := telemetryTestServer(t, "core", 17, http.StatusOK)
	// Rate-limit headers on an error answer count too.
	forbidden := telemetryTestServer(t, "search", 29, http.StatusForbidden)
	ctx := context.Background()
	web := githubapi.Account{Scope: githubapi.ScopeOrganization, Name: "acme-web"}

	if _, err := telemetryTestClient(t, main.URL, "main", tel).ActionsBilling(ctx, web); err != nil {
		t.Fatal(err)
	}
	if _, err := telemetryTestClient(t, ghes.URL, "onprem", tel).ActionsBilling(ctx, web); err != nil {
		t.Fatal(err)
	}
	if _, err := telemetryTestClient(t, forbidden.URL, "main", tel).ActionsBilling(ctx, web); err == nil {
		t.Fatal("no error from a 403")
	}

	expected := `
# HELP github_billing_api_rate_limit_remaining Requests left in the rate-limit window (x-ratelimit-remaining).
# TYPE github_billing_api_rate_limit_remaining gauge
github_billing_api_rate_limit_remaining{credential="main",resource="core"} 4321
github_billing_api_rate_limit_remaining{credential="main",resource="search"} 29
github_billing_api_rate_limit_remaining{credential="onprem",resource="core"} 17
# HELP github_billing_api_rate_limit_limit Requests allowed in the rate-limit window (x-ratelimit-limit).
# TYPE github_billing_api_rate_limit_limit gauge
github_billing_api_rate_limit_limit{credential="main",resource="core"} 5000
github_billing_api_rate_limit_limit{credential="main",resource="search"} 5000
github_billing_api_rate_limit_limit{credential="onprem",resource="core"} 5000
# HELP github_billing_api_rate_limit_reset_timestamp_seconds When the rate-limit window resets (x-ratelimit-reset).
# TYPE github_billing_api_rate_limit_reset_timestamp_seconds gauge
github_billing_api_rate_limit_reset_timestamp_seconds{credential="main",resource="core"} 1767225600
github_billing_api_rate_limit_reset_timestamp_seconds{credential="main",resource="search"} 1767225600
github_billing_api_rate_limit_reset_timestamp_seconds{credential="onprem",resource="core"} 1767225600
`
	names := []string{"github_billing_api_rate_limit_remaining", "github_billing_api_rate_limit_limit", "github_billing_api_rate_limit_reset_timestamp_seconds"}
	if err := testutil.CollectAndCompare(tel, strings.NewReader(expected), names...); err != nil {
		t.Error(err)
	}

	// A reload that drops the onprem credential drops its gauges.
	tel.RetainCredentials(map[string]bool{"main": true})
	expected = `
# HELP github_billing_api_rate_limit_remaining Requests left in the rate-limit window (x-ratelimit-remaining).
# TYPE github_billing_api_rate_limit_remaining gauge
github_billing_api_rate_limit_remaining{credential="main",resource="core"} 4321
github_billing_api_rate_limit_remaining{credential="main",resource="search"} 29
`
	if err := testutil.CollectAndCompare(tel, strings.NewReader(expected), "github_billing_api_rate_limit_remaining"); err != nil {
		t.Error(err)
	}
	tel.RetainCredentials(map[string]bool{})
	if n := testutil.CollectAndCount(tel, names...); n != 0 {
		t.Errorf("%d rate-limit series after every credential went", n)
	}
	// Request counters are not per credential and stay.
	if n := testutil.CollectAndCount(tel, "github_billing_api_requests_total"); n == 0 {
		t.Error("request counters dropped with the credentials")
	}
}

// The latest reading wins, and a reading without a reset time has no reset
// gauge.
func TestTelemetryObserveRateLimitDirectly(t *testing.T) {
	tel := NewTelemetry()
	tel.ObserveRateLimit("main", githubapi.RateLimit{Resource: "core", Limit: 5000, Remaining: 10})
	tel.ObserveRateLimit("main", githubapi.RateLimit{Resource: "core", Limit: 5000, Remaining: 9})
	expected := `
# HELP github_billing_api_rate_limit_remaining Requests left in the rate-limit window (x-ratelimit-remaining).
# TYPE github_billing_api_rate_limit_remaining gauge
github_billing_api_rate_limit_remaining{credential="main",resource="core"} 9
`
	if err := testutil.CollectAndCompare(tel, strings.NewReader(expected), "github_billing_api_rate_limit_remaining"); err != nil {
		t.Error(err)
	}
	if n := testutil.CollectAndCount(tel, "github_billing_api_rate_limit_reset_timestamp_seconds"); n != 0 {
		t.Errorf("%d reset series for a reading without a reset", n)
	}
	tel.ObserveRequest("/orgs/{org}/settings/billing/actions", 0, time.Millisecond)
	if got := testutil.ToFloat64(tel.requests.WithLabelValues("/orgs/{org}/settings/billing/actions", "error")); got != 1 {
		t.Errorf("code 0 counted as %v \"error\" requests, want 1", got)
	}
}
