package githubapi_test

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/github-billing-exporter/github-billing-exporter/githubapi"
	"github.com/github-billing-exporter/github-billing-exporter/internal/demo"
	"github.com/github-billing-exporter/github-billing-exporter/internal/fakegithub"
	"github.com/github-billing-exporter/github-billing-exporter/internal/fakegithub/fakegithubtest"
)

const actionsPath = "/orgs/acme-web/settings/billing/actions"

var acmeWeb = githubapi.Account{Scope: githubapi.ScopeOrganization, Name: "acme-web"}

// clock is a settable time source for the client's rate-limit waits.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// codeObserver records the status code of every request.
type codeObserver struct {
	mu    sync.Mutex
	codes []int
}

func (o *codeObserver) ObserveRequest(_ string, code int, _ time.Duration) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.codes = append(o.codes, code)
}
func (o *codeObserver) ObserveRateLimit(string, githubapi.RateLimit) {}

// newFake starts the fake GitHub with the demo data of mid-November 2026.
func newFake(t *testing.T) *fakegithub.Server {
	t.Helper()
	return fakegithubtest.Start(t, demo.Dataset(time.Date(2026, 11, 15, 12, 0, 0, 0, time.UTC)))
}

// newTestClient is a client of srv on clk that retries fast.
func newTestClient(t *testing.T, srv *fakegithub.Server, clk *clock, obs githubapi.Observer) *githubapi.Client {
	t.Helper()
	return fakegithubtest.Client(t, srv, githubapi.Options{
		Credential: "test",
		Now:        clk.Now,
		Observer:   obs,
		Retries:    githubapi.RetryPolicy{Max: 3, Base: time.Millisecond, Cap: 5 * time.Millisecond},
	})
}

// limitAnswer answers like GitHub when a limit is hit.
func limitAnswer(code int, headers map[string]string, message string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		for k, v := range headers {
			w.Header().Set(k, v)
		}
		fakegithub.WriteError(w, code, message)
	}
}

func TestPrimaryRateLimitStopsCallsUntilReset(t *testing.T) {
	for _, code := range []int{http.StatusForbidden, http.StatusTooManyRequests} {
		t.Run(strconv.Itoa(code), func(t *testing.T) {
			srv := newFake(t)
			clk := &clock{now: time.Unix(1_800_000_000, 0)}
			c := newTestClient(t, srv, clk, nil)
			reset := clk.Now().Add(30 * time.Minute)
			srv.Override(actionsPath, limitAnswer(code, map[string]string{
				"X-Ratelimit-Remaining": "0",
				"X-Ratelimit-Limit":     "5000",
				"X-Ratelimit-Reset":     strconv.FormatInt(reset.Unix(), 10),
			}, "API rate limit exceeded for user ID 1."))

			_, err := c.ActionsBilling(context.Background(), acmeWeb)
			if !errors.Is(err, githubapi.ErrRateLimited) {
				t.Fatalf("first call: err = %v, want ErrRateLimited", err)
			}
			srv.Override(actionsPath, nil) // GitHub would answer now, but we must not ask
			clk.Advance(29 * time.Minute)
			_, err = c.PackagesBilling(context.Background(), acmeWeb)
			var rle *githubapi.RateLimitError
			if !errors.As(err, &rle) || !rle.Until.Equal(reset) {
				t.Fatalf("call before reset: err = %v, want *RateLimitError until %s", err, reset)
			}
			if got := srv.TotalRequests(); got != 1 {
				t.Fatalf("requests while blocked = %d, want only the first one", got)
			}
			clk.Advance(time.Minute)
			if _, err := c.ActionsBilling(context.Background(), acmeWeb); err != nil {
				t.Fatalf("call after reset: %v", err)
			}
			if got := srv.TotalRequests(); got != 2 {
				t.Fatalf("requests = %d, want 2", got)
			}
		})
	}
}

func TestSuccessfulAnswerWithNoneRemainingBlocksUntilReset(t *testing.T) {
	srv := newFake(t)
	clk := &clock{now: time.Unix(1_800_000_000, 0)}
	c := newTestClient(t, srv, clk, nil)
	srv.Override(actionsPath, func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("X-Ratelimit-Limit", "5000")
		w.Header().Set("X-Ratelimit-Remaining", "0")
		w.Header().Set("X-Ratelimit-Reset", strconv.FormatInt(clk.Now().Add(10*time.Minute).Unix(), 10))
		fakegithub.WriteJSON(w, githubapi.ActionsBilling{TotalMinutesUsed: 1, MinutesUsedBreakdown: map[string]float64{}})
	})
	if _, err := c.ActionsBilling(context.Background(), acmeWeb); err != nil {
		t.Fatal(err)
	}
	if _, err := c.ActionsBilling(context.Background(), acmeWeb); !errors.Is(err, githubapi.ErrRateLimited) {
		t.Fatalf("err = %v, want ErrRateLimited without asking", err)
	}
	if got := srv.Requests(actionsPath); got != 1 {
		t.Fatalf("requests = %d, want 1", got)
	}
}

// The same holds for a POST: creating a usage report export answered 202
// with none of the hour's requests left blocks the credential until the
// reset, so the poll that follows is not sent to be refused.
func TestSuccessfulPOSTWithNoneRemainingBlocksUntilReset(t *testing.T) {
	srv := newFake(t)
	clk := &clock{now: time.Unix(1_800_000_000, 0)}
	c := newTestClient(t, srv, clk, nil)
	const create = "/enterprises/acme/settings/billing/reports"
	srv.Override(create, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Ratelimit-Limit", "5000")
		w.Header().Set("X-Ratelimit-Remaining", "0")
		w.Header().Set("X-Ratelimit-Reset", strconv.FormatInt(clk.Now().Add(10*time.Minute).Unix(), 10))
		createAccepted(w, r)
	})
	x, err := c.CreateUsageReportExport(context.Background(), exportAcme, novemberDetailed)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.UsageReportExportByID(context.Background(), exportAcme, x.ID); !errors.Is(err, githubapi.ErrRateLimited) {
		t.Fatalf("err = %v, want ErrRateLimited without asking", err)
	}
	if got := srv.TotalRequests(); got != 1 {
		t.Fatalf("requests = %d, want the POST only", got)
	}
	clk.Advance(10*time.Minute + time.Second)
	srv.Override(create+"/"+x.ID, fakegithubtest.ServeFile(examplesDir+"enterprise-usage-report-get-completed-multipart.constructed.json"))
	if _, err := c.UsageReportExportByID(context.Background(), exportAcme, x.ID); err != nil {
		t.Fatalf("after the reset: %v", err)
	}
}

func TestSecondaryRateLimit(t *testing.T) {
	for _, tc := range []struct {
		name       string
		code       int
		retryAfter string
		wantWait   time.Duration
	}{
		{"403 with Retry-After", http.StatusForbidden, "90", 90 * time.Second},
		{"429 with Retry-After", http.StatusTooManyRequests, "7", 7 * time.Second},
		{"403 without Retry-After", http.StatusForbidden, "", time.Minute},
		{"429 without Retry-After", http.StatusTooManyRequests, "", time.Minute},
		// Past time.Duration's range: capped at an hour, not overflowed into
		// a wait in the past.
		{"429 with a huge Retry-After", http.StatusTooManyRequests, "99999999999", time.Hour},
		// The test clock is Fri, 15 Jan 2027 08:00:00 UTC.
		{"403 with Retry-After as a date", http.StatusForbidden, "Fri, 15 Jan 2027 08:01:30 GMT", 90 * time.Second},
		{"403 with Retry-After as a far date", http.StatusForbidden, "Fri, 15 Jan 2027 10:00:00 GMT", time.Hour},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := newFake(t)
			clk := &clock{now: time.Unix(1_800_000_000, 0)}
			c := newTestClient(t, srv, clk, nil)
			headers := map[string]string{"X-Ratelimit-Remaining": "4000", "X-Ratelimit-Limit": "5000"}
			if tc.retryAfter != "" {
				headers["Retry-After"] = tc.retryAfter
			}
			srv.Override(actionsPath, limitAnswer(tc.code, headers, "You have exceeded a secondary rate limit. Please wait a few minutes before you try again."))
			_, err := c.ActionsBilling(context.Background(), acmeWeb)
			var apiErr *githubapi.APIError
			if !errors.As(err, &apiErr) || !errors.Is(err, githubapi.ErrRateLimited) || errors.Is(err, githubapi.ErrForbidden) {
				t.Fatalf("err = %v, want a rate-limited *APIError that is not ErrForbidden", err)
			}
			srv.Override(actionsPath, nil)
			clk.Advance(tc.wantWait - time.Second)
			if _, err := c.ActionsBilling(context.Background(), acmeWeb); !errors.Is(err, githubapi.ErrRateLimited) {
				t.Fatalf("1s before the wait ends: err = %v, want ErrRateLimited", err)
			}
			if got := srv.Requests(actionsPath); got != 1 {
				t.Fatalf("requests while blocked = %d, want 1", got)
			}
			clk.Advance(time.Second)
			if _, err := c.ActionsBilling(context.Background(), acmeWeb); err != nil {
				t.Fatalf("after the wait: %v", err)
			}
		})
	}
}

func TestSecondaryRateLimitBacksOffWhenRepeated(t *testing.T) {
	srv := newFake(t)
	clk := &clock{now: time.Unix(1_800_000_000, 0)}
	c := newTestClient(t, srv, clk, nil)
	srv.Override(actionsPath, limitAnswer(http.StatusForbidden, nil, "You have exceeded a secondary rate limit."))
	waits := []time.Duration{time.Minute, 2 * time.Minute, 4 * time.Minute}
	for i, wait := range waits {
		if _, err := c.ActionsBilling(context.Background(), acmeWeb); !errors.Is(err, githubapi.ErrRateLimited) {
			t.Fatalf("limit %d: err = %v", i, err)
		}
		clk.Advance(wait - time.Second)
		var rle *githubapi.RateLimitError
		if _, err := c.ActionsBilling(context.Background(), acmeWeb); !errors.As(err, &rle) {
			t.Fatalf("limit %d: still blocked %s later: err = %v", i, wait-time.Second, err)
		}
		clk.Advance(time.Second)
	}
	if got := srv.Requests(actionsPath); got != len(waits) {
		t.Fatalf("requests = %d, want %d", got, len(waits))
	}
}

func TestServerErrorsAreRetriedThenSucceed(t *testing.T) {
	srv := newFake(t)
	obs := &codeObserver{}
	c := newTestClient(t, srv, &clock{now: time.Now()}, obs)
	var mu sync.Mutex
	calls := 0
	srv.Override(actionsPath, func(w http.ResponseWriter, _ *http.Request) {
		mu.Lock()
		calls++
		n := calls
		mu.Unlock()
		switch n {
		case 1:
			fakegithub.WriteError(w, http.StatusBadGateway, "Server Error")
		case 2:
			fakegithub.WriteError(w, http.StatusServiceUnavailable, "Unavailable")
		default:
			fakegithub.WriteJSON(w, githubapi.ActionsBilling{TotalMinutesUsed: 42.5, MinutesUsedBreakdown: map[string]float64{}})
		}
	})
	got, err := c.ActionsBilling(context.Background(), acmeWeb)
	if err != nil {
		t.Fatal(err)
	}
	if got.TotalMinutesUsed != 42.5 {
		t.Fatalf("total_minutes_used = %v, want 42.5", got.TotalMinutesUsed)
	}
	if want := []int{502, 503, 200}; len(obs.codes) != 3 || obs.codes[0] != want[0] || obs.codes[1] != want[1] || obs.codes[2] != want[2] {
		t.Fatalf("codes = %v, want %v", obs.codes, want)
	}
}

func TestClientErrorsAreNotRetried(t *testing.T) {
	for _, code := range []int{400, 401, 403, 404, 410, 422} {
		srv := newFake(t)
		c := newTestClient(t, srv, &clock{now: time.Now()}, nil)
		srv.Override(actionsPath, limitAnswer(code, nil, "no"))
		if _, err := c.ActionsBilling(context.Background(), acmeWeb); err == nil {
			t.Fatalf("%d: no error", code)
		}
		if got := srv.Requests(actionsPath); got != 1 {
			t.Fatalf("%d: requests = %d, want 1", code, got)
		}
	}
}

func TestServerErrorsGiveUpAfterMaxRetries(t *testing.T) {
	srv := newFake(t)
	c := newTestClient(t, srv, &clock{now: time.Now()}, nil)
	srv.Override(actionsPath, limitAnswer(http.StatusInternalServerError, nil, "boom"))
	_, err := c.ActionsBilling(context.Background(), acmeWeb)
	if !errors.Is(err, githubapi.ErrServer) {
		t.Fatalf("err = %v, want ErrServer", err)
	}
	if got := srv.Requests(actionsPath); got != 4 {
		t.Fatalf("requests = %d, want 1 + 3 retries", got)
	}
}

func TestRetriesStopAtTheDeadline(t *testing.T) {
	srv := newFake(t)
	c := fakegithubtest.Client(t, srv, githubapi.Options{
		Retries: githubapi.RetryPolicy{Max: 5, Base: time.Hour, Cap: time.Hour},
	})
	srv.Override(actionsPath, limitAnswer(http.StatusServiceUnavailable, nil, "down"))
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	start := time.Now()
	_, err := c.ActionsBilling(ctx, acmeWeb)
	if !errors.Is(err, githubapi.ErrServer) {
		t.Fatalf("err = %v, want the 503", err)
	}
	// A backoff of at least 30 minutes does not fit in 2 s: no retry, no wait.
	if srv.Requests(actionsPath) != 1 || time.Since(start) > time.Second {
		t.Fatalf("requests = %d after %s, want 1 without waiting", srv.Requests(actionsPath), time.Since(start))
	}
}

func TestNotModifiedReusesTheCachedAnswer(t *testing.T) {
	srv := newFake(t)
	srv.EnableETags(true)
	obs := &codeObserver{}
	c := newTestClient(t, srv, &clock{now: time.Now()}, obs)
	first, err := c.AdvancedSecurityCommitters(context.Background(), acmeWeb)
	if err != nil {
		t.Fatal(err)
	}
	second, err := c.AdvancedSecurityCommitters(context.Background(), acmeWeb)
	if err != nil {
		t.Fatal(err)
	}
	if want := []int{200, 304}; len(obs.codes) != 2 || obs.codes[0] != want[0] || obs.codes[1] != want[1] {
		t.Fatalf("codes = %v, want %v", obs.codes, want)
	}
	// The demo's acme-web has 40 repositories, 16 committers.
	if second.TotalAdvancedSecurityCommitters != 16 || len(second.Repositories) != 40 || len(first.Repositories) != 40 {
		t.Fatalf("304 answer decoded to %v committers, %d repositories; want 16 and 40",
			second.TotalAdvancedSecurityCommitters, len(second.Repositories))
	}
	// Changed data: the ETag no longer matches and the new body is read.
	srv.Update(func(d *fakegithub.Dataset) {
		d.Organizations["acme-web"].AdvancedSecurity.TotalAdvancedSecurityCommitters = 36
	})
	third, err := c.AdvancedSecurityCommitters(context.Background(), acmeWeb)
	if err != nil {
		t.Fatal(err)
	}
	if third.TotalAdvancedSecurityCommitters != 36 || obs.codes[2] != 200 {
		t.Fatalf("after a change: committers %v, code %d; want 36 and 200", third.TotalAdvancedSecurityCommitters, obs.codes[2])
	}
}

// A server that always sends rel="next" ends in an error after 1,000 pages,
// not in a refresh that pages until its deadline.
func TestPaginationStopsAfterMaxPages(t *testing.T) {
	srv := newFake(t)
	c := newTestClient(t, srv, &clock{now: time.Now()}, nil)
	path := "/orgs/acme-web/settings/billing/advanced-security"
	srv.Override(path, func(w http.ResponseWriter, r *http.Request) {
		page, _ := strconv.Atoi(r.URL.Query().Get("page"))
		w.Header().Set("Link", "<"+srv.URL+path+"?page="+strconv.Itoa(page+1)+">; rel=\"next\"")
		// A new repository on every page: a page of nothing new would
		// end the walk at once (TestCopilotSeatsStopWhenPagesRepeat).
		fakegithub.WriteJSON(w, map[string]any{"total_count": 1, "repositories": []any{map[string]any{"name": "acme-web/r" + strconv.Itoa(page)}}})
	})
	_, err := c.AdvancedSecurityCommitters(context.Background(), acmeWeb)
	if err == nil || !strings.Contains(err.Error(), "more than 1000 pages") {
		t.Fatalf("err = %v, want the page cap", err)
	}
	if got := srv.Requests(path); got != 1000 {
		t.Fatalf("%d requests, want 1000", got)
	}
}
