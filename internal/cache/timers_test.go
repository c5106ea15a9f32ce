package cache

import (
	"context"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// What the tests control instead of waiting in real time: the clock of the
// cache's deadlines (testTimers), and when GitHub's answers reach the client
// (heldAnswers), for instance once every scrape waits (holdUntilAllWait).

// testTimers is a clock for the cache's deadlines (a scrape's wait, a
// refresh's timeout) that the test moves by hand: a deadline ends its
// context when Advance reaches it.
type testTimers struct {
	mu      sync.Mutex
	now     time.Time
	pending []testTimer
	added   chan struct{} // closed and replaced when a deadline is set
}

type testTimer struct {
	at  time.Time
	end context.CancelCauseFunc
}

// useTestTimers makes the cache's deadlines run on a clock the test moves,
// starting at engineTestNow.
func useTestTimers(e *Cache) *testTimers {
	c := &testTimers{now: engineTestNow, added: make(chan struct{})}
	e.timers = c
	return c
}

func (c *testTimers) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// WithDeadline is ctx, ended with context.DeadlineExceeded as its cause
// when the clock reaches d (or the parent's deadline, if earlier).
func (c *testTimers) WithDeadline(parent context.Context, d time.Time) (context.Context, context.CancelFunc) {
	if pd, ok := parent.Deadline(); ok && pd.Before(d) {
		d = pd
	}
	ctx, cancel := context.WithCancelCause(parent)
	c.mu.Lock()
	if d.After(c.now) {
		c.pending = append(c.pending, testTimer{d, cancel})
		close(c.added)
		c.added = make(chan struct{})
	} else {
		cancel(context.DeadlineExceeded)
	}
	c.mu.Unlock()
	return deadlineContext{ctx, d}, func() { cancel(context.Canceled) }
}

// Advance moves the clock by d and ends the contexts whose deadline it
// reaches.
func (c *testTimers) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	kept := c.pending[:0]
	for _, t := range c.pending {
		if t.at.After(c.now) {
			kept = append(kept, t)
		} else {
			t.end(context.DeadlineExceeded)
		}
	}
	c.pending = kept
}

// awaitDeadline waits until a deadline before limit is set, and returns it.
func (c *testTimers) awaitDeadline(tb testing.TB, limit time.Time) time.Time {
	tb.Helper()
	giveUp := time.After(time.Minute)
	for {
		c.mu.Lock()
		for _, t := range c.pending {
			if t.at.Before(limit) {
				c.mu.Unlock()
				return t.at
			}
		}
		added := c.added
		c.mu.Unlock()
		select {
		case <-added:
		case <-giveUp:
			tb.Fatalf("no deadline before %v was set in a minute", limit)
		}
	}
}

// deadlineContext is a context that reports a deadline of testTimers.
type deadlineContext struct {
	context.Context
	deadline time.Time
}

func (c deadlineContext) Deadline() (time.Time, bool) { return c.deadline, true }

// heldAnswers is the transport of a client of the fake GitHub: each
// request reaches the fake, which counts and answers it, and while the
// test holds answers, the client gets the answer only once the test
// releases it (or the request's context ends).
type heldAnswers struct {
	base http.RoundTripper

	mu      sync.Mutex
	holding bool
	arrived chan chan struct{} // each held answer's release, in arrival order
	open    chan struct{}      // closed by release: every answer passes
}

func newHeldAnswers(base http.RoundTripper) *heldAnswers {
	if base == nil {
		base = http.DefaultTransport
	}
	return &heldAnswers{base: base}
}

func (h *heldAnswers) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := h.base.RoundTrip(req)
	h.mu.Lock()
	holding, arrived, open := h.holding, h.arrived, h.open
	h.mu.Unlock()
	if err != nil || !holding {
		return resp, err
	}
	one := make(chan struct{})
	select {
	case arrived <- one:
	case <-open:
		return resp, nil
	}
	select {
	case <-one:
	case <-open:
	case <-req.Context().Done():
		resp.Body.Close()
		return nil, req.Context().Err()
	}
	return resp, nil
}

// hold holds every answer from now until release, or until the test
// releases it alone: arrived hands over one release channel per held answer.
func (h *heldAnswers) hold() (arrived <-chan chan struct{}) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.holding = true
	h.arrived = make(chan chan struct{}, 4096)
	h.open = make(chan struct{})
	return h.arrived
}

// release hands every held answer over, and the ones after at once.
func (h *heldAnswers) release() {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.holding {
		h.holding = false
		close(h.open)
	}
}

// holdUntilAllWait holds GitHub's answers until n scrapes with the
// returned context are all waiting for refreshes, and then releases them:
// the scrapes certainly overlap. A scrape asks its context for a deadline
// when it starts waiting for the refreshes it found running or started.
func holdUntilAllWait(t *testing.T, h *heldAnswers, n int) context.Context {
	t.Helper()
	h.hold()
	ctx := &waitCounter{Context: context.Background(), n: int64(n), all: make(chan struct{})}
	go func() {
		select {
		case <-ctx.all:
		case <-time.After(time.Minute):
			t.Errorf("%d of %d scrapes waited for refreshes in a minute, want all", ctx.asked.Load(), n)
		}
		h.release()
	}()
	return ctx
}

// waitCounter closes all once n scrapes have asked for its deadline.
type waitCounter struct {
	context.Context
	n     int64
	asked atomic.Int64
	all   chan struct{}
}

func (c *waitCounter) Deadline() (time.Time, bool) {
	if c.asked.Add(1) == c.n {
		close(c.all)
	}
	return c.Context.Deadline()
}
