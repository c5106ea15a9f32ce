// Package fakegithub serves a simulated GitHub billing API on 127.0.0.1. The
// exporter's --demo mode (with the company of internal/demo) and the tests
// (through fakegithubtest) use it; it speaks the same paths, headers,
// pagination and errors as GitHub, so the real client reads it. Each billing
// area's answers are in the file githubapi/ gives that area; this file holds
// the server, its routes and what every answer shares.
package fakegithub

import (
	"encoding/json"
	"fmt"
	"maps"
	"net"
	"net/http"
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
	// files is the host of the signed download links (copilot_metrics.go).
	files *fileHost
	// exports are the report exports asked for (reports.go).
	exports *exportState
}

// New starts a server that answers from d, on the wall clock (see
// SetClock). Change d later with Update.
func New(d *Dataset) (*Server, error) {
	return NewFunc(func() *Dataset { return d }, time.Now)
}

// NewFunc starts a server whose data is source() at each request, on the
// clock now (the clock of the rate-limit reset and of GitHub's default
// year), on a free loopback port. The demo's figures grow through the month
// this way.
func NewFunc(source func() *Dataset, now func() time.Time) (*Server, error) {
	return NewFuncOn("127.0.0.1:0", source, now)
}

// NewFuncOn is NewFunc listening on address (host:port; port 0 picks a free
// one). The caller chooses a loopback address: the fake has no security of
// its own.
func NewFuncOn(address string, source func() *Dataset, now func() time.Time) (*Server, error) {
	ln, err := net.Listen("tcp", address)
	if err != nil {
		return nil, fmt.Errorf("fake GitHub: listen on %s: %w", address, err)
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
		exports:   &exportState{created: map[string][]*githubapi.UsageReportExport{}, outcome: githubapi.ExportCompleted},
	}
	if err := s.startFileHost(ln.Addr().String()); err != nil {
		ln.Close()
		return nil, err
	}
	s.routes()
	s.server = &http.Server{Handler: http.HandlerFunc(s.serveHTTP), ReadHeaderTimeout: 10 * time.Second}
	go s.server.Serve(ln) //nolint:errcheck // ends with Close
	return s, nil
}

// routes registers each billing area's endpoints.
func (s *Server) routes() {
	s.legacyRoutes()
	s.advancedSecurityRoutes()
	s.costCenterRoutes()
	s.usageRoutes()
	s.summaryRoutes()
	s.budgetRoutes()
	s.reportRoutes()
	s.copilotRoutes()
	s.licenseRoutes()
	s.copilotMetricsRoutes()
}

// legacyPrefixes are the path prefixes of the per-product endpoints, per
// scope (organizations under /orgs).
var legacyPrefixes = []struct {
	prefix string
	scope  githubapi.Scope
}{
	{"/enterprises/{name}", githubapi.ScopeEnterprise},
	{"/orgs/{name}", githubapi.ScopeOrganization},
	{"/users/{name}", githubapi.ScopeUser},
}

// platformPrefixes are the billing platform's path prefixes, per scope
// (organizations are under /organizations there, not /orgs).
var platformPrefixes = []struct {
	prefix string
	scope  githubapi.Scope
}{
	{"/enterprises/{name}", githubapi.ScopeEnterprise},
	{"/organizations/{name}", githubapi.ScopeOrganization},
	{"/users/{name}", githubapi.ScopeUser},
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

// Close stops the server and drops open connections.
func (s *Server) Close() {
	s.server.Close()
	s.files.server.Close()
}

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
	exhausted, remaining := s.takeRequest()
	s.mu.Unlock()

	if latency > 0 {
		select {
		case <-time.After(latency):
		case <-r.Context().Done():
			return
		}
	}
	setRateLimitHeaders(w.Header(), remaining, now)
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
	serveWithETag(w, r, handler)
}

// dataset returns the current data; handlers hold it only for one answer.
func (s *Server) dataset() *Dataset {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.source()
}

// account finds the account named in the request path, answering 404 when
// the dataset does not have it.
func (s *Server) account(w http.ResponseWriter, r *http.Request, scope githubapi.Scope) *AccountData {
	a := s.dataset().Account(scope, r.PathValue("name"))
	if a == nil {
		WriteError(w, http.StatusNotFound, "Not Found")
	}
	return a
}

// platform finds the account named in the path and its platform data,
// answering 404 when either is missing.
func (s *Server) platform(w http.ResponseWriter, r *http.Request, scope githubapi.Scope) *PlatformData {
	a := s.account(w, r, scope)
	if a == nil {
		return nil
	}
	if a.Platform == nil {
		WriteError(w, http.StatusNotFound, "Not Found")
		return nil
	}
	return a.Platform
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

func queryInt(r *http.Request, key string, def int) int {
	if v, err := strconv.Atoi(r.URL.Query().Get(key)); err == nil && v > 0 {
		return v
	}
	return def
}

// setLinks writes a Link header with next/last (and prev/first) like GitHub's.
func setLinks(w http.ResponseWriter, r *http.Request, page, lastPage int) {
	link := func(p int, rel string) string {
		u := *r.URL
		u.Scheme, u.Host = "http", r.Host
		q := u.Query()
		q.Set("page", strconv.Itoa(p))
		u.RawQuery = q.Encode()
		return fmt.Sprintf("<%s>; rel=%q", u.String(), rel)
	}
	var links []string
	if page > 1 {
		links = append(links, link(page-1, "prev"), link(1, "first"))
	}
	if page < lastPage {
		links = append(links, link(page+1, "next"), link(lastPage, "last"))
	}
	for i, l := range links {
		if i == 0 {
			w.Header().Set("Link", l)
			continue
		}
		w.Header().Set("Link", w.Header().Get("Link")+", "+l)
	}
}
