package server

import (
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/github-billing-exporter/github-billing-exporter/collector"
	"github.com/github-billing-exporter/github-billing-exporter/internal/fakegithub"
)

// limitWeb answers every acme-web path with a primary rate limit whose
// x-ratelimit-reset is reset.
func limitWeb(reset string) func(*testing.T, *faultEnv) {
	return rateLimitAccount("acme-web", func(*faultEnv) http.HandlerFunc {
		return func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("X-Ratelimit-Remaining", "0")
			w.Header().Set("X-Ratelimit-Reset", reset)
			fakegithub.WriteError(w, http.StatusForbidden, "API rate limit exceeded for user ID 4242.")
		}
	})
}

func webRequestCount(env *faultEnv) int {
	n := 0
	for p, c := range env.fake.RequestCounts() {
		if strings.Contains(p, "/acme-web/") {
			n += c
		}
	}
	return n
}

func clearOverrides(env *faultEnv) {
	for p := range env.fake.RequestCounts() {
		env.fake.Override(p, nil)
	}
}

// A far-future x-ratelimit-reset (the year 2286, or int64's
// maximum) blocks the credential for at most an hour, as Retry-After is
// capped; the reset gauge and the log line show the capped time, not 9.2e18
// or 1970.
func TestRateLimitFarFutureResetIsCapped(t *testing.T) {
	for _, reset := range []string{"9999999999", strconv.FormatInt(math.MaxInt64, 10)} {
		t.Run(reset, func(t *testing.T) {
			env := newFaultEnv(t, faultOptions{})
			env.scrape(t, 0)
			limitWeb(reset)(t, env)
			hit := env.clock.Now().Add(faultRefreshInterval + time.Minute)
			env.clock.Set(hit)
			logStart := len(env.logText(t))
			after := env.scrape(t, 10*time.Second)
			lines := faultLogLines(env.logText(t)[logStart:])
			if len(lines) != 1 {
				t.Fatalf("%d warning lines, want 1:\n%s", len(lines), strings.Join(lines, "\n"))
			}
			wantUntil := hit.Add(time.Hour).UTC().Format(time.RFC3339)
			if !strings.Contains(lines[0], "until="+wantUntil) {
				t.Errorf("the block is not capped at an hour (until=%s):\n%s", wantUntil, lines[0])
			}
			for k, v := range after {
				if !strings.HasPrefix(k, "github_billing_api_rate_limit_reset_timestamp_seconds{") || !strings.Contains(k, `credential="web"`) {
					continue
				}
				if f, err := strconv.ParseFloat(v, 64); err != nil || f > float64(hit.Add(time.Hour).Unix()) {
					t.Errorf("%s = %s, want at most an hour after %v", k, v, hit)
				}
			}

			// Past the cap, the credential is used again.
			clearOverrides(env)
			env.fake.ResetRequests()
			env.clock.Set(hit.Add(time.Hour + faultRefreshInterval))
			after = env.scrape(t, 10*time.Second)
			if n := webRequestCount(env); n == 0 {
				t.Error("no request with the credential an hour after the capped reset")
			}
			if k := selfKey("scrape_collector_success", "usage", "organization", "acme-web"); after[k] != "1" {
				t.Errorf("%s = %s after the capped reset, want 1", k, after[k])
			}
		})
	}
}

// Remaining 0 with a reset in the past blocks nothing; the next
// request goes out.
func TestRateLimitPastResetDoesNotBlock(t *testing.T) {
	env := newFaultEnv(t, faultOptions{})
	env.scrape(t, 0)
	past := strconv.FormatInt(env.clock.Now().Add(-time.Hour).Unix(), 10)
	// A 200 saying the window is used up but reset an hour ago.
	env.fake.Override(webActions, func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("X-Ratelimit-Remaining", "0")
		w.Header().Set("X-Ratelimit-Reset", past)
		fakegithub.WriteJSON(w, map[string]any{"total_minutes_used": 1, "total_paid_minutes_used": 0, "included_minutes": 3000, "minutes_used_breakdown": map[string]any{}})
	})
	env.clock.Set(env.clock.Now().Add(faultRefreshInterval + time.Minute))
	logStart := len(env.logText(t))
	after := env.scrape(t, 10*time.Second)
	if lines := faultLogLines(env.logText(t)[logStart:]); len(lines) != 0 {
		t.Errorf("a reset in the past logged a block:\n%s", strings.Join(lines, "\n"))
	}
	for _, c := range []string{"actions", "usage", "usage_summary", "budgets"} {
		if k := selfKey("scrape_collector_success", c, "organization", "acme-web"); after[k] != "1" {
			t.Errorf("%s = %s, want 1 (a reset in the past blocks nothing)", k, after[k])
		}
	}
}

// rateLimitSeries are the rate-limit series of a scrape.
func rateLimitSeries(s faultSeries) []string {
	var out []string
	for k := range s {
		if strings.HasPrefix(k, "github_billing_api_rate_limit_") {
			out = append(out, k)
		}
	}
	return out
}

// A non-UTF-8 X-RateLimit-Resource must not make every
// rate-limit series vanish (client_golang's recovered panic), and many
// distinct resources must not grow the label without bound.
func TestRateLimitResourceHeaderSanitised(t *testing.T) {
	env := newFaultEnv(t, faultOptions{})
	env.scrape(t, 0)
	var mu sync.Mutex
	n := 0
	for p := range env.fake.RequestCounts() {
		if !strings.Contains(p, "/acme-web/") {
			continue
		}
		env.fake.Override(p, func(w http.ResponseWriter, _ *http.Request) {
			mu.Lock()
			resource := "core\xff\xfe"
			if n > 0 {
				resource = "res" + strconv.Itoa(n)
			}
			n++
			mu.Unlock()
			w.Header().Set("X-Ratelimit-Resource", resource)
			fakegithub.WriteError(w, http.StatusNotFound, "Not Found")
		})
	}
	logStart := len(env.logText(t))
	var after faultSeries
	for round := 1; round <= 4; round++ {
		env.clock.Set(env.clock.Now().Add(faultRefreshInterval + time.Minute))
		after = env.scrape(t, 10*time.Second)
	}
	if n <= 2*maxRateLimitResourcesForTest {
		t.Fatalf("only %d distinct resources sent", n)
	}
	log := env.logText(t)[logStart:]
	if strings.Contains(log, "goroutine ") || strings.Contains(log, "invalid UTF-8") {
		i := max(strings.Index(log, "goroutine "), strings.Index(log, "invalid UTF-8"))
		t.Errorf("the scrape logged a panic or a label error:\n%.2000s", log[max(i-1000, 0):])
	}
	series := rateLimitSeries(after)
	main, web := 0, 0
	for _, k := range series {
		if !utf8Valid(k) {
			t.Errorf("series with invalid UTF-8: %q", k)
		}
		switch {
		case strings.Contains(k, `credential="default"`):
			main++
		case strings.Contains(k, `credential="web"`):
			web++
		}
	}
	if main == 0 {
		t.Errorf("the other credential's rate-limit series vanished: %q", series)
	}
	// Three series (limit, remaining, reset) per resource kept.
	if web == 0 || web > 3*maxRateLimitResourcesForTest {
		t.Errorf("%d rate-limit series for credential web, want 1 to %d: %q", web, 3*maxRateLimitResourcesForTest, series)
	}
}

const maxRateLimitResourcesForTest = collector.MaxRateLimitResources

func utf8Valid(s string) bool { return strings.ToValidUTF8(s, "\uFFFD") == s }
