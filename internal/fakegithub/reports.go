package fakegithub

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/github-billing-exporter/github-billing-exporter/githubapi"
)

// DetailedUsageRow is one row of an enterprise's detailed usage report
// export, in the detailed layout's columns (API.md §15.2).
type DetailedUsageRow struct {
	Date, Product, SKU                 string
	Quantity                           float64
	UnitType                           string
	PricePerUnit, Gross, Discount, Net float64
	Username, Organization, Repository string
	WorkflowPath, CostCenter           string
}

// DetailedHeader is the header of a detailed export, as GitHub writes it.
const DetailedHeader = "date,product,sku,quantity,unit_type,applied_cost_per_quantity,gross_amount,discount_amount,net_amount,username,organization,repository,workflow_path,cost_center_name"

// DefaultExportParts is how many parts the fake splits a detailed export
// into, each repeating the header.
const DefaultExportParts = 3

// exportState is the fake's report exports beyond the dataset's: the ones
// asked for with POST. Their parts are served by the file host
// (copilot_metrics.go), on a port of its own (GitHub serves them from its
// web host, not the API's).
type exportState struct {
	mu        sync.Mutex
	created   map[string][]*githubapi.UsageReportExport // by enterprise
	next      int
	outcome   string
	downloads []http.Header
	filter    func(part int, body []byte) []byte
}

// SetExportOutcome sets what an export asked for with POST becomes at its
// first GET: "completed" (the default), "failed" or "processing" (for
// ever).
func (s *Server) SetExportOutcome(status string) {
	x := s.exports
	x.mu.Lock()
	defer x.mu.Unlock()
	x.outcome = status
}

// SetPartFilter passes every downloaded part (numbered from 1) through f
// before it is sent: a test cuts a part short or changes its header.
func (s *Server) SetPartFilter(f func(part int, body []byte) []byte) {
	x := s.exports
	x.mu.Lock()
	defer x.mu.Unlock()
	x.filter = f
}

// DownloadHeaders are the request headers of every download so far.
func (s *Server) DownloadHeaders() []http.Header {
	x := s.exports
	x.mu.Lock()
	defer x.mu.Unlock()
	return slices.Clone(x.downloads)
}

func (s *Server) reportRoutes() {
	s.mux.HandleFunc("GET /enterprises/{name}/settings/billing/reports", func(w http.ResponseWriter, r *http.Request) {
		pd := s.platform(w, r, githubapi.ScopeEnterprise)
		if pd == nil {
			return
		}
		if pd.ReportExports == nil {
			WriteError(w, http.StatusNotFound, "Not Found")
			return
		}
		exports := s.allExports(r.PathValue("name"), pd)
		WriteJSON(w, map[string]any{"usage_report_exports": exports})
	})
	s.mux.HandleFunc("GET /enterprises/{name}/settings/billing/reports/{id}", func(w http.ResponseWriter, r *http.Request) {
		pd := s.platform(w, r, githubapi.ScopeEnterprise)
		if pd == nil {
			return
		}
		x := s.exports
		// An export asked for with POST is done at its first GET.
		x.mu.Lock()
		for _, c := range x.created[r.PathValue("name")] {
			if c.ID == r.PathValue("id") && c.Status == githubapi.ExportProcessing {
				c.Status = x.outcome
			}
		}
		x.mu.Unlock()
		exports := s.allExports(r.PathValue("name"), pd)
		for _, e := range exports {
			if e.ID == r.PathValue("id") {
				WriteJSON(w, e)
				return
			}
		}
		WriteError(w, http.StatusNotFound, "Not Found")
	})
	s.mux.HandleFunc("POST /enterprises/{name}/settings/billing/reports", s.createExport)
}

// createExport answers POST …/reports as GitHub's preview describes it: 202
// with the export, processing, no links yet.
func (s *Server) createExport(w http.ResponseWriter, r *http.Request) {
	pd := s.platform(w, r, githubapi.ScopeEnterprise)
	if pd == nil {
		return
	}
	if pd.ReportExports == nil {
		WriteError(w, http.StatusNotFound, "Not Found")
		return
	}
	var body struct {
		ReportType string `json:"report_type"`
		StartDate  string `json:"start_date"`
		EndDate    string `json:"end_date"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		WriteError(w, http.StatusBadRequest, "Problems parsing JSON")
		return
	}
	now := s.clock()().UTC()
	if body.EndDate == "" {
		body.EndDate = now.Format(time.DateOnly)
	}
	start, err1 := time.Parse(time.DateOnly, body.StartDate)
	end, err2 := time.Parse(time.DateOnly, body.EndDate)
	switch {
	case !slices.Contains([]string{"detailed", "summarized", "premium_request", "ai_credit"}, body.ReportType):
		WriteError(w, http.StatusBadRequest, "Invalid report_type")
		return
	case err1 != nil || err2 != nil || end.Before(start):
		WriteError(w, http.StatusBadRequest, "Invalid date range")
		return
	case body.ReportType != "summarized" && end.Sub(start) > 30*24*time.Hour:
		WriteError(w, http.StatusBadRequest, "The date range cannot exceed 31 days")
		return
	}
	x := s.exports
	exports := s.allExports(r.PathValue("name"), pd)
	for _, e := range exports {
		if e.Status == githubapi.ExportProcessing {
			// One at a time (API.md §15.2); GitHub's answer is not
			// documented.
			WriteError(w, http.StatusBadRequest, "A usage report is already being generated")
			return
		}
	}
	x.mu.Lock()
	x.next++
	e := &githubapi.UsageReportExport{ID: fmt.Sprintf("0c5e7a2d-4b1f-4e8a-9c3d-%012d", x.next), ReportType: body.ReportType,
		StartDate: body.StartDate, EndDate: body.EndDate, Status: githubapi.ExportProcessing, DownloadURLs: []string{},
		CreatedAt: now.Format(time.RFC3339), Actor: "billing-bot"}
	x.created[r.PathValue("name")] = append(x.created[r.PathValue("name")], e)
	answer := *e
	x.mu.Unlock()
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(http.StatusAccepted)
	json.NewEncoder(w).Encode(answer) //nolint:errcheck // best effort
}

// allExports are the dataset's exports and the ones asked for, newest
// last. A completed detailed export the dataset lists without links gets
// the file host's, one per part.
func (s *Server) allExports(enterprise string, pd *PlatformData) []githubapi.UsageReportExport {
	x := s.exports
	x.mu.Lock()
	defer x.mu.Unlock()
	out := slices.Clone(pd.ReportExports)
	for _, c := range x.created[enterprise] {
		out = append(out, *c)
	}
	for i, e := range out {
		if e.Status == githubapi.ExportCompleted && e.ReportType == "detailed" && len(e.DownloadURLs) == 0 {
			parts := pd.ExportParts
			if parts <= 0 {
				parts = DefaultExportParts
			}
			urls := make([]string, parts)
			for p := range urls {
				urls[p] = fmt.Sprintf("%s/enterprises/%s/metered_exports/%s/%d", s.FilesURL(), enterprise, e.ID, p+1)
			}
			out[i].DownloadURLs = urls
		}
		if e.Status != githubapi.ExportCompleted {
			out[i].DownloadURLs = nil
		}
	}
	return out
}

// download serves one part of a detailed export: the dataset's detailed
// rows of the export's dates, cut into the parts evenly, each with the
// header.
func (s *Server) download(w http.ResponseWriter, r *http.Request) {
	x := s.exports
	x.mu.Lock()
	x.downloads = append(x.downloads, r.Header.Clone())
	filter := x.filter
	x.mu.Unlock()
	a := s.dataset().Account(githubapi.ScopeEnterprise, r.PathValue("name"))
	part, err := strconv.Atoi(r.PathValue("part"))
	if a == nil || a.Platform == nil || err != nil {
		http.NotFound(w, r)
		return
	}
	exports := s.allExports(r.PathValue("name"), a.Platform)
	i := slices.IndexFunc(exports, func(e githubapi.UsageReportExport) bool { return e.ID == r.PathValue("id") })
	if i < 0 || part < 1 || part > len(exports[i].DownloadURLs) {
		http.NotFound(w, r)
		return
	}
	e := exports[i]
	var rows []DetailedUsageRow
	for _, row := range a.Platform.DetailedUsage {
		if row.Date >= e.StartDate && row.Date <= e.EndDate {
			rows = append(rows, row)
		}
	}
	n := len(e.DownloadURLs)
	from, to := (part-1)*len(rows)/n, part*len(rows)/n
	body := detailedCSV(rows[from:to])
	if filter != nil {
		body = filter(part, body)
	}
	w.Header().Set("Content-Type", "text/csv")
	w.Write(body) //nolint:errcheck // best effort
}

// detailedCSV writes rows in the detailed layout, header first, quoted as
// encoding/csv quotes (a field with a comma, a quote or a line break).
func detailedCSV(rows []DetailedUsageRow) []byte {
	var buf bytes.Buffer
	cw := csv.NewWriter(&buf)
	cw.Write(strings.Split(DetailedHeader, ",")) //nolint:errcheck // a bytes.Buffer
	num := func(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
	for _, r := range rows {
		cw.Write([]string{r.Date, r.Product, r.SKU, num(r.Quantity), r.UnitType, num(r.PricePerUnit), num(r.Gross), //nolint:errcheck // a bytes.Buffer
			num(r.Discount), num(r.Net), r.Username, r.Organization, r.Repository, r.WorkflowPath, r.CostCenter})
	}
	cw.Flush()
	return buf.Bytes()
}
