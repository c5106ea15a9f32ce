// Package fakegithub serves a simulated GitHub billing API on 127.0.0.1. The
// exporter's --demo mode and the tests use it; it speaks the same paths,
// headers, pagination and errors as GitHub, so the real client reads it.
package fakegithub

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strconv"
	"sync"
	"time"

	"github.com/github-billing-exporter/github-billing-exporter/githubapi"
)

// Server is a fake GitHub API.
type Server struct {
	// URL is the API root, http://127.0.0.1:PORT.
	URL string

	listener net.Listener
	server   *http.Server
	mux      *http.ServeMux

	mu        sync.Mutex
	source    func() *Dataset
	now       func() time.Time // the clock of the rate-limit reset and GitHub's default year
	requests  map[string]int
	overrides map[string]http.Handler
	token     string
	latency   time.Duration
	remaining int
	etags     bool
}

// New starts a server that answers from d, on the wall clock (see
// SetClock). Change d later with Update.
func New(d *Dataset) (*Server, error) {
	return start(func() *Dataset { return d }, time.Now)
}

// NewDemo starts a server whose data is the demo dataset as of now() at each
// request, so its figures grow through the month; now is the exporter's
// clock, so that the demo and the collectors tell the same month.
func NewDemo(now func() time.Time) (*Server, error) {
	return start(func() *Dataset { return Demo(now().UTC()) }, now)
}

// SetClock sets the clock of the answers' rate-limit reset and of the year a
// usage report without one is of, to the clock of the test's client.
func (s *Server) SetClock(now func() time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.now = now
}

// clock returns the server's clock.
func (s *Server) clock() func() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.now
}

// TB is the part of testing.TB that Start and Client use. The package does
// not import testing: the exporter binary links it for --demo.
type TB interface {
	Helper()
	Fatal(args ...any)
	Cleanup(func())
}

// Start starts a server that answers from d (an empty dataset when d is nil)
// and closes it when the test ends.
func Start(tb TB, d *Dataset) *Server {
	tb.Helper()
	if d == nil {
		d = NewDataset()
	}
	s, err := New(d)
	if err != nil {
		tb.Fatal(err)
		return nil
	}
	tb.Cleanup(s.Close)
	return s
}

// Client returns a client of the server: o with BaseURL set to the server.
func (s *Server) Client(tb TB, o githubapi.Options) *githubapi.Client {
	tb.Helper()
	o.BaseURL = s.URL
	c, err := githubapi.New(o)
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

func start(source func() *Dataset, now func() time.Time) (*Server, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("fake GitHub: listen on loopback: %w", err)
	}
	s := &Server{
		URL:       "http://" + ln.Addr().String(),
		listener:  ln,
		mux:       http.NewServeMux(),
		source:    source,
		now:       now,
		requests:  map[string]int{},
		overrides: map[string]http.Handler{},
		remaining: 5000,
	}
	s.routes()
	s.server = &http.Server{Handler: http.HandlerFunc(s.serveHTTP), ReadHeaderTimeout: 10 * time.Second}
	go s.server.Serve(ln) //nolint:errcheck // ends with Close
	return s, nil
}

// Close stops the server and drops open connections.
func (s *Server) Close() { s.server.Close() }

// RequireToken makes every request without "Authorization: Bearer token"
// fail with 401, as GitHub does for a bad credential.
func (s *Server) RequireToken(token string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.token = token
}

// SetLatency delays every answer by d.
func (s *Server) SetLatency(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.latency = d
}

// EnableETags makes successful answers carry an ETag (a hash of the body)
// and answer 304 Not Modified to a matching If-None-Match, as GitHub does.
// Bodies are buffered to hash them, so leave it off for huge reports.
func (s *Server) EnableETags(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.etags = on
}

// Update changes the dataset under the server's lock.
func (s *Server) Update(change func(d *Dataset)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	change(s.source())
}

// Override answers requests for the exact path with h instead of the
// dataset; a nil h removes the override.
func (s *Server) Override(path string, h http.HandlerFunc) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if h == nil {
		delete(s.overrides, path)
		return
	}
	s.overrides[path] = h
}

// Requests is how many requests reached path (without query), including ones
// answered with an error.
func (s *Server) Requests(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests[path]
}

// RequestCounts returns how many requests reached each path.
func (s *Server) RequestCounts() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]int, len(s.requests))
	maps.Copy(out, s.requests)
	return out
}

// TotalRequests is how many requests reached the server.
func (s *Server) TotalRequests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, c := range s.requests {
		n += c
	}
	return n
}

// ResetRequests zeroes the request counters.
func (s *Server) ResetRequests() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = map[string]int{}
}

func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.requests[r.URL.Path]++
	override := s.overrides[r.URL.Path]
	token, latency, etags, now := s.token, s.latency, s.etags, s.now
	s.remaining--
	// As GitHub does, the request after the answer that said 0 remain is
	// refused. A client that sent it while that answer was on its way
	// stops on the refusal; the one after it starts a new hour at 4,999.
	exhausted := s.remaining == -1
	if s.remaining < -1 {
		s.remaining = 4999
	}
	remaining := max(s.remaining, 0)
	s.mu.Unlock()

	if latency > 0 {
		select {
		case <-time.After(latency):
		case <-r.Context().Done():
			return
		}
	}
	h := w.Header()
	h.Set("X-Ratelimit-Limit", "5000")
	h.Set("X-Ratelimit-Remaining", strconv.Itoa(remaining))
	h.Set("X-Ratelimit-Used", strconv.Itoa(5000-remaining))
	h.Set("X-Ratelimit-Reset", strconv.FormatInt(now().Add(time.Hour).Truncate(time.Hour).Unix(), 10))
	h.Set("X-Ratelimit-Resource", "core")
	if exhausted {
		WriteError(w, http.StatusForbidden, "API rate limit exceeded for installation. If you reach out to GitHub Support for help, please include the request ID.")
		return
	}
	if token != "" && r.Header.Get("Authorization") != "Bearer "+token {
		WriteError(w, http.StatusUnauthorized, "Bad credentials")
		return
	}
	var handler http.Handler = s.mux
	if h := s.historyHandler(r); h != nil {
		handler = h
	}
	if override != nil {
		handler = override
	}
	if !etags {
		handler.ServeHTTP(w, r)
		return
	}
	rec := httptest.NewRecorder()
	handler.ServeHTTP(rec, r)
	if rec.Code == http.StatusOK {
		sum := sha256.Sum256(rec.Body.Bytes())
		etag := `"` + hex.EncodeToString(sum[:16]) + `"`
		if r.Header.Get("If-None-Match") == etag {
			// A strict 304 (RFC 9110 §15.4.5): the validator and the
			// server's own headers (rate limits), nothing of the
			// representation, so neither Link nor Content-Type. The
			// client must take those from the answer it stored.
			for _, k := range []string{"Cache-Control", "Expires", "Vary"} {
				if v, ok := rec.Header()[k]; ok {
					w.Header()[k] = v
				}
			}
			w.Header().Set("ETag", etag)
			w.WriteHeader(http.StatusNotModified)
			return
		}
		defer func() { w.Write(rec.Body.Bytes()) }() //nolint:errcheck // client gone
		maps.Copy(w.Header(), rec.Header())
		w.Header().Set("ETag", etag)
		w.WriteHeader(rec.Code)
		return
	}
	maps.Copy(w.Header(), rec.Header())
	w.WriteHeader(rec.Code)
	w.Write(rec.Body.Bytes()) //nolint:errcheck // client gone
}

// dataset returns the current data; handlers hold it only for one answer.
func (s *Server) dataset() *Dataset {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.source()
}

// WriteJSON answers 200 with v as JSON.
func WriteJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	if err := json.NewEncoder(w).Encode(v); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
	}
}

// WriteError answers with GitHub's error body.
func WriteError(w http.ResponseWriter, code int, message string) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(map[string]string{ //nolint:errcheck // best effort
		"message":           message,
		"documentation_url": "https://docs.github.com/rest",
		"status":            strconv.Itoa(code),
	})
}

// ServeString answers 200 with body, a test's literal JSON.
func ServeString(body string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		io.WriteString(w, body) //nolint:errcheck // best effort
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

// ServeFile answers 200 with the content of a file, as the examples are served.
func ServeFile(file string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		body, err := os.ReadFile(file)
		if err != nil {
			WriteError(w, http.StatusInternalServerError, err.Error())
			return
		}
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.Write(body) //nolint:errcheck // best effort
	}
}
