package githubapi

import (
	"context"
	"testing"
	"time"
)

// A fetch that panics panics in its caller's goroutine, where the
// exporter's refresh recovers it and fails that one collector. (A panic
// re-raised on a goroutine of its own, as singleflight's DoChan does, would
// end the process.) The next call fetches again.
func TestSharedFetchPanicReachesItsCaller(t *testing.T) {
	var s shared[int]
	now := func() time.Time { return time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC) }
	recovered := func() (v any) {
		defer func() { v = recover() }()
		s.get(context.Background(), "k", now, func(context.Context) (int, error) { panic("boom") })
		return nil
	}()
	if recovered == nil {
		t.Fatal("the panic did not reach the caller")
	}
	// Bounded, so that a call left waiting for the panicked fetch fails
	// rather than hanging the test.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	got, err := s.get(ctx, "k", now, func(context.Context) (int, error) { return 7, nil })
	if err != nil || got != 7 {
		t.Errorf("after the panic: %d, %v; want a new fetch's 7", got, err)
	}
}
