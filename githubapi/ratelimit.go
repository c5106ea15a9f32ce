package githubapi

import (
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// RetryPolicy retries network errors and 5xx answers with exponential
// backoff and full jitter. 4xx answers are never retried.
type RetryPolicy struct {
	// Max is how many times a request is retried after the first try.
	Max int
	// Base is the first backoff; each retry doubles it, up to Cap.
	Base time.Duration
	Cap  time.Duration
}

// DefaultRetryPolicy retries three times after 0.5 s, 1 s and 2 s (each
// jittered), as far as the deadline allows.
var DefaultRetryPolicy = RetryPolicy{Max: 3, Base: 500 * time.Millisecond, Cap: 10 * time.Second}

// delay is the backoff before retry number attempt+1: a random duration in
// [d/2, d] where d = Base·2^attempt, capped.
func (p RetryPolicy) delay(attempt int) time.Duration {
	d := p.Base << attempt
	if d > p.Cap || d <= 0 {
		d = p.Cap
	}
	half := d / 2
	return half + rand.N(half+1)
}

// networkError is a request that got no HTTP answer.
type networkError struct {
	Path string
	Err  error
}

func (e *networkError) Error() string { return fmt.Sprintf("GET %s: %v", e.Path, e.Err) }
func (e *networkError) Unwrap() error { return e.Err }

// retryable says whether a failed request may succeed if sent again: no
// answer at all, or a 5xx. A failure that repeats whatever the timing (a
// redirect loop, an App installation token GitHub refuses) is not retried,
// even though the transport reports it as a request without an answer. The
// caller stops when the context is done.
func retryable(err error) bool {
	var ne *networkError
	var p permanentError
	if errors.As(err, &p) && p.permanent() {
		return false
	}
	return errors.As(err, &ne) || errors.Is(err, ErrServer)
}

// permanentError is an error that sending the request again cannot cure.
type permanentError interface {
	error
	permanent() bool
}

// maxRedirects is net/http's own limit on the redirects of one request.
const maxRedirects = 10

// redirectLoopError is a request that was redirected more than
// maxRedirects times; following the same redirects again ends the same way.
type redirectLoopError struct{ Redirects int }

func (e *redirectLoopError) Error() string {
	return fmt.Sprintf("stopped after %d redirects", e.Redirects)
}

func (e *redirectLoopError) permanent() bool { return true }

// checkRedirect is net/http's default redirect policy with a typed error.
func checkRedirect(_ *http.Request, via []*http.Request) error {
	if len(via) >= maxRedirects {
		return &redirectLoopError{Redirects: len(via)}
	}
	return nil
}

// RateLimitError is returned without calling GitHub while a primary or
// secondary rate limit blocks the credential.
type RateLimitError struct {
	Credential string
	Until      time.Time
	Reason     string
}

func (e *RateLimitError) Error() string {
	return fmt.Sprintf("credential %q is rate limited by GitHub (%s): no requests until %s",
		e.Credential, e.Reason, e.Until.UTC().Format(time.RFC3339))
}

// Is makes a RateLimitError match ErrRateLimited.
func (e *RateLimitError) Is(target error) bool { return target == ErrRateLimited }

// minSecondaryWait is the pause after a secondary limit that came without a
// Retry-After header, as GitHub's documentation asks.
const minSecondaryWait = time.Minute

// limiter stops a credential's requests while GitHub's limits are in force.
type limiter struct {
	credential string
	logger     *slog.Logger

	mu        sync.Mutex
	until     time.Time
	reason    string
	secondary int // secondary limits in a row, for backoff without Retry-After
}

func (l *limiter) check(now time.Time) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Before(l.until) {
		return &RateLimitError{Credential: l.credential, Until: l.until, Reason: l.reason}
	}
	return nil
}

// succeeded ends a run of secondary limits.
func (l *limiter) succeeded() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.secondary = 0
}

// block stops requests until until; a new block is logged once, with attrs
// (the answer that caused it) appended.
func (l *limiter) block(now, until time.Time, reason string, attrs ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !until.After(l.until) {
		return
	}
	wasBlocked := now.Before(l.until)
	l.until, l.reason = until, reason
	if !wasBlocked {
		l.logger.Warn("GitHub rate limit reached; no requests with this credential until it resets, collectors serve cached data meanwhile",
			append([]any{"credential", l.credential, "reason", reason, "until", until.UTC().Format(time.RFC3339)}, attrs...)...)
	}
}

// blockFor handles a 403 or 429 caused by a rate limit: a primary limit
// (remaining 0) blocks until the reset time; a secondary limit honours
// Retry-After, or waits at least a minute, doubling for limits in a row.
// The log line names the request that hit the limit and GitHub's message.
func (l *limiter) blockFor(now time.Time, e *APIError, h http.Header, rl RateLimit, haveRL bool) {
	answer := []any{"path", e.Path, "status", e.StatusCode, "message", e.Message}
	if retryAfter, ok := parseRetryAfter(h.Get("Retry-After"), now); ok {
		l.block(now, now.Add(retryAfter), fmt.Sprintf("secondary rate limit, Retry-After %s", retryAfter), answer...)
		return
	}
	if haveRL && rl.Remaining == 0 && rl.Reset.After(now) {
		l.block(now, rl.Reset, fmt.Sprintf("primary rate limit of %.0f requests used up", rl.Limit), answer...)
		return
	}
	l.mu.Lock()
	l.secondary++
	wait := minSecondaryWait << min(l.secondary-1, 4)
	l.mu.Unlock()
	l.block(now, now.Add(wait), fmt.Sprintf("secondary rate limit without Retry-After, waiting %s", wait), answer...)
}

// maxRetryAfter caps the wait a Retry-After header can ask for: GitHub's
// limits reset within the hour, and a larger number (or one that overflows
// time.Duration) would stop the credential for good.
const maxRetryAfter = time.Hour

// maxRateLimitReset caps how far in the future an x-ratelimit-reset may
// block a credential, for the same reason.
const maxRateLimitReset = time.Hour

// parseRetryAfter reads delay-seconds or an HTTP date.
func parseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil && secs >= 0 {
		return time.Duration(min(secs, int64(maxRetryAfter/time.Second))) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return min(max(t.Sub(now), 0), maxRetryAfter), true
	}
	return 0, false
}
