// Package fakegithubtest holds what tests need around the simulated GitHub
// API of internal/fakegithub: a server that closes when the test ends, a
// client of it, and handlers that answer a test's literal body. Only tests
// import it, so the exporter binary links neither it nor package testing.
package fakegithubtest

import (
	"io"
	"net/http"
	"net/url"
	"os"
	"sync"
	"testing"

	"github.com/github-billing-exporter/github-billing-exporter/githubapi"
	"github.com/github-billing-exporter/github-billing-exporter/internal/fakegithub"
)

// Start starts a server that answers from d (an empty dataset when d is nil)
// and closes it when the test ends.
func Start(tb testing.TB, d *fakegithub.Dataset) *fakegithub.Server {
	tb.Helper()
	if d == nil {
		d = fakegithub.NewDataset()
	}
	s, err := fakegithub.New(d)
	if err != nil {
		tb.Fatal(err)
		return nil
	}
	tb.Cleanup(s.Close)
	return s
}

// Client returns a client of s: o with BaseURL set to the server.
func Client(tb testing.TB, s *fakegithub.Server, o githubapi.Options) *githubapi.Client {
	tb.Helper()
	o.BaseURL = s.URL
	c, err := githubapi.New(o)
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

// ServeString answers 200 with body, a test's literal JSON.
func ServeString(body string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		io.WriteString(w, body) //nolint:errcheck // best effort
	}
}

// ServeFile answers 200 with the content of a file, as the examples are served.
func ServeFile(file string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		body, err := os.ReadFile(file)
		if err != nil {
			fakegithub.WriteError(w, http.StatusInternalServerError, err.Error())
			return
		}
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.Write(body) //nolint:errcheck // best effort
	}
}

// Queries records the query of every request a handler answers.
type Queries struct {
	mu  sync.Mutex
	got []url.Values
}

// Wrap returns h recording each request's query.
func (q *Queries) Wrap(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		q.mu.Lock()
		q.got = append(q.got, r.URL.Query())
		q.mu.Unlock()
		h(w, r)
	}
}

// All returns the queries recorded so far, oldest first.
func (q *Queries) All() []url.Values {
	q.mu.Lock()
	defer q.mu.Unlock()
	return append([]url.Values(nil), q.got...)
}
