package fakegithub

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/github-billing-exporter/github-billing-exporter/githubapi"
)

// CopilotMetricsData is an account's Copilot usage-metrics reports (a field
// of BillingObjects).
type CopilotMetricsData struct {
	// CopilotMetricsReports are the one-day reports by report
	// ("users-1-day", "user-teams-1-day") and day (YYYY-MM-DD): the body of
	// each of the day's files, served as is behind signed links on the
	// file host. A day not listed has no data: an organization's answer is
	// 204, an enterprise's 404, as GitHub documents them.
	CopilotMetricsReports map[string]map[string][][]byte
	// CopilotMetricsSource, when set, makes the files of a report's day
	// when they are asked for (the demo's, too many to build with every
	// dataset), in place of CopilotMetricsReports.
	CopilotMetricsSource func(report, day string) [][]byte
}

// copilotMetricsFiles are the files of a report's day, none without data.
func (d CopilotMetricsData) copilotMetricsFiles(report, day string) [][]byte {
	if d.CopilotMetricsSource != nil {
		return d.CopilotMetricsSource(report, day)
	}
	return d.CopilotMetricsReports[report][day]
}

// copilotLinkLifetime is how long a signed link works, on the server's
// clock.
const copilotLinkLifetime = time.Hour

// fileHost serves the files behind the signed links, and the parts of report
// exports (reports.go), on a listener of its own, so that the host and port
// differ from the API's, as GitHub's do.
type fileHost struct {
	listener net.Listener
	server   *http.Server

	mu     sync.Mutex
	links  map[string]copilotLink // signature: what it opens
	counts fileHostCounts
}

// copilotLink is what one signed link opens.
type copilotLink struct {
	scope       githubapi.Scope
	account     string
	report, day string
	file        int
	expires     time.Time
}

// fileHostCounts is what reached the file host.
type fileHostCounts struct {
	Requests, WithAuthorization, WithCookie, Refused int
}

// FileRequests is how many requests reached the file host of the signed
// download links.
func (s *Server) FileRequests() int {
	h := s.files
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.counts.Requests
}

// FileRequestsWithCredentials is how many requests to the file host carried
// an Authorization header or a cookie.
func (s *Server) FileRequestsWithCredentials() int {
	h := s.files
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.counts.WithAuthorization + h.counts.WithCookie
}

// FilesURL is the root of the file host, http://127.0.0.1:PORT.
func (s *Server) FilesURL() string { return "http://" + s.files.listener.Addr().String() }

// startFileHost listens on the API's host, another port.
func (s *Server) startFileHost(apiAddress string) error {
	host, _, err := net.SplitHostPort(apiAddress)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", net.JoinHostPort(host, "0"))
	if err != nil {
		return fmt.Errorf("fake GitHub: file host: %w", err)
	}
	h := &fileHost{listener: ln, links: map[string]copilotLink{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /enterprises/{name}/metered_exports/{id}/{part}", s.download)
	mux.HandleFunc("/", s.serveFile)
	h.server = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	s.files = h
	go h.server.Serve(ln) //nolint:errcheck // ends with Close
	return nil
}

func (s *Server) copilotMetricsRoutes() {
	for _, p := range legacyPrefixes[:2] {
		for _, report := range []githubapi.CopilotMetricsReport{githubapi.CopilotUsersReport, githubapi.CopilotUserTeamsReport} {
			s.mux.HandleFunc("GET "+p.prefix+"/copilot/metrics/reports/"+string(report), s.copilotMetricsLinks(p.scope, string(report)))
		}
	}
}

// copilotMetricsLinks answers a one-day report with fresh signed links to
// the day's files, as {download_links, report_day}.
func (s *Server) copilotMetricsLinks(scope githubapi.Scope, report string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		pd := s.platform(w, r, scope)
		if pd == nil {
			return
		}
		day := r.URL.Query().Get("day")
		if _, err := time.Parse(time.DateOnly, day); err != nil {
			WriteError(w, http.StatusBadRequest, "Invalid day: use YYYY-MM-DD")
			return
		}
		files := pd.copilotMetricsFiles(report, day)
		if len(files) == 0 {
			if scope == githubapi.ScopeOrganization {
				w.WriteHeader(http.StatusNoContent)
				return
			}
			WriteError(w, http.StatusNotFound, "Not Found")
			return
		}
		expires := s.clock()().Add(copilotLinkLifetime)
		links := make([]string, len(files))
		h := s.files
		h.mu.Lock()
		for i := range files {
			sig := make([]byte, 16)
			rand.Read(sig) //nolint:errcheck // never fails
			key := hex.EncodeToString(sig)
			h.links[key] = copilotLink{scope: scope, account: r.PathValue("name"), report: report, day: day, file: i, expires: expires}
			links[i] = fmt.Sprintf("%s/copilot-usage-reports/%s-%d.ndjson?se=%d&sig=%s",
				s.FilesURL(), day, i+1, expires.Unix(), key)
		}
		h.mu.Unlock()
		WriteJSON(w, githubapi.CopilotMetricsLinks{DownloadLinks: links, ReportDay: day})
	}
}

// serveFile answers a signed link with its file; a link unknown or expired
// answers 403, as a signed-URL host does.
func (s *Server) serveFile(w http.ResponseWriter, r *http.Request) {
	h := s.files
	h.mu.Lock()
	h.counts.Requests++
	if r.Header.Get("Authorization") != "" {
		h.counts.WithAuthorization++
	}
	if r.Header.Get("Cookie") != "" {
		h.counts.WithCookie++
	}
	link, ok := h.links[r.URL.Query().Get("sig")]
	if !ok || r.Method != http.MethodGet || !s.clock()().Before(link.expires) {
		h.counts.Refused++
		h.mu.Unlock()
		http.Error(w, "AuthenticationFailed: the signature is not valid or has expired", http.StatusForbidden)
		return
	}
	h.mu.Unlock()
	a := s.dataset().Account(link.scope, link.account)
	var files [][]byte
	if a != nil && a.Platform != nil {
		files = a.Platform.copilotMetricsFiles(link.report, link.day)
	}
	if link.file >= len(files) {
		http.Error(w, "BlobNotFound", http.StatusNotFound)
		return
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Length", strconv.Itoa(len(files[link.file])))
	w.Write(files[link.file]) //nolint:errcheck // the client went away
}
