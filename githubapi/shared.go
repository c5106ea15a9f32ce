package githubapi

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// shareWindow is how long one answer that several collectors need is
// reused. The collectors of one refresh round start within seconds of each
// other; the next round is refresh_interval (minutes) later and asks again.
const shareWindow = time.Minute

// shared lets the collectors of one refresh round share an answer that
// several of them need, so that GitHub is asked once: a call while a fetch
// is in flight waits for it, and a call within shareWindow of a successful
// fetch reuses it. Failures are not kept: the next call asks again.
type shared[T any] struct {
	mu      sync.Mutex
	entries map[string]*sharedEntry[T]
}

type sharedEntry[T any] struct {
	done    chan struct{} // closed when value and err are set
	value   T
	err     error
	fetched time.Time
}

// get returns the answer for key, fetching it unless a fetch is in flight
// or one succeeded less than shareWindow before now().
func (s *shared[T]) get(ctx context.Context, key string, now func() time.Time, fetch func(context.Context) (T, error)) (T, error) {
	for {
		s.mu.Lock()
		e := s.entries[key]
		if e == nil {
			break // with s.mu held
		}
		select {
		case <-e.done:
			if e.err == nil && now().Sub(e.fetched) < shareWindow {
				s.mu.Unlock()
				return e.value, nil
			}
			// Too old, or failed: ask again.
			delete(s.entries, key)
			s.mu.Unlock()
			continue
		default:
		}
		s.mu.Unlock()
		select {
		case <-e.done:
		case <-ctx.Done():
			var zero T
			return zero, ctx.Err()
		}
		// A fetch cut short by its own caller's deadline says nothing
		// about this caller, which still has time: ask again.
		if e.err != nil && isContextError(e.err) && ctx.Err() == nil {
			continue
		}
		return e.value, e.err
	}
	if s.entries == nil {
		s.entries = map[string]*sharedEntry[T]{}
	}
	e := &sharedEntry[T]{done: make(chan struct{})}
	s.entries[key] = e
	s.mu.Unlock()

	defer func() {
		if v := recover(); v != nil {
			// The panic goes on in this caller, whose refresh recovers it;
			// whoever waits gets an error, and the next call asks again.
			e.err = fmt.Errorf("the shared fetch of %s panicked (its own refresh reports the panic)", key)
			e.fetched = now()
			close(e.done)
			panic(v)
		}
	}()
	e.value, e.err = fetch(ctx)
	e.fetched = now()
	close(e.done)
	return e.value, e.err
}

func isContextError(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}
