package githubapi

import (
	"context"
	"fmt"
)

// A pace is waited for before each request a client sends under a context
// that carries it (each attempt, retries included): the backfill paces its
// requests to GitHub with it, one request at a time, whatever number of
// requests a report takes.
type paceKey struct{}

// WithPace returns a context under which every request waits for wait first;
// an error of wait is the request's error, and nothing is sent.
func WithPace(ctx context.Context, wait func(context.Context) error) context.Context {
	return context.WithValue(ctx, paceKey{}, wait)
}

// pace waits for the context's pace, if it carries one.
func pace(ctx context.Context) error {
	wait, ok := ctx.Value(paceKey{}).(func(context.Context) error)
	if !ok {
		return nil
	}
	if err := wait(ctx); err != nil {
		return fmt.Errorf("waiting for the pace of requests: %w", err)
	}
	return nil
}
