package githubapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// The states of a usage report export.
const (
	ExportProcessing = "processing"
	ExportCompleted  = "completed"
	ExportFailed     = "failed"
)

// ReportDetailed is the report_type of the detailed usage report, whose
// rows carry username and workflow_path.
const ReportDetailed = "detailed"

// reportExportRequired is what the schema of one export requires (API.md
// §15.2).
var reportExportRequired = []string{"id", "report_type", "start_date", "end_date", "status"}

// ExportRequest asks GitHub for a usage report export.
type ExportRequest struct {
	ReportType string
	// StartDate and EndDate are YYYY-MM-DD, both included; a detailed
	// report spans at most 31 days.
	StartDate, EndDate string
}

// CreateUsageReportExport asks GitHub to build a usage report export of an
// enterprise (POST …/settings/billing/reports, answered 202 with the export,
// usually still processing). It is never retried: a retry of a request whose
// answer was lost could start a second export, and GitHub builds one at a
// time.
func (c *Client) CreateUsageReportExport(ctx context.Context, a Account, r ExportRequest) (*UsageReportExport, error) {
	if a.Scope != ScopeEnterprise {
		return nil, fmt.Errorf("usage report exports: %s has none (enterprises only)", a)
	}
	body := map[string]any{"report_type": r.ReportType, "start_date": r.StartDate, "end_date": r.EndDate, "send_email": false}
	var x UsageReportExport
	if err := c.postJSON(ctx, platformEndpoint(a, "/settings/billing/reports"), body, &x, reportExportRequired...); err != nil {
		return nil, err
	}
	return &x, nil
}

// UsageReportExportByID reads one export of an enterprise (GET
// …/settings/billing/reports/{report_id}); a completed one lists fresh
// download links.
func (c *Client) UsageReportExportByID(ctx context.Context, a Account, id string) (*UsageReportExport, error) {
	if a.Scope != ScopeEnterprise {
		return nil, fmt.Errorf("usage report exports: %s has none (enterprises only)", a)
	}
	e := platformEndpoint(a, "/settings/billing/reports/{report_id}")
	e.path = strings.TrimSuffix(e.path, "{report_id}") + url.PathEscape(id)
	var x UsageReportExport
	if err := c.getJSON(ctx, e, &x, reportExportRequired...); err != nil {
		return nil, err
	}
	return &x, nil
}

// postJSON sends one POST with a JSON body and decodes the 2xx answer into
// v, refusing it without the required fields. Rate limits and errors are
// handled as for a GET; nothing is retried.
func (c *Client) postJSON(ctx context.Context, e endpoint, body, v any, required ...string) error {
	if err := pace(ctx); err != nil {
		return err
	}
	if err := c.limiter.check(c.now()); err != nil {
		return err
	}
	payload, err := json.Marshal(body)
	if err != nil {
		return fmt.Errorf("POST %s: %w", e.template, err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url(e), bytes.NewReader(payload))
	if err != nil {
		return fmt.Errorf("POST %s: %w", e.template, err)
	}
	req.Header.Set("Accept", "application/vnd.github+json")
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-GitHub-Api-Version", apiVersion)
	req.Header.Set("User-Agent", c.userAgent)
	start := time.Now()
	resp, err := c.http.Do(req)
	if err != nil {
		c.observer.ObserveRequest(e.template, 0, time.Since(start))
		return &networkError{Path: req.URL.Path, Err: c.secrets.scrubError(scrubURLError(err))}
	}
	defer resp.Body.Close()
	c.observer.ObserveRequest(e.template, resp.StatusCode, time.Since(start))
	rl, haveRL := parseRateLimit(resp.Header, c.now())
	if haveRL {
		c.observer.ObserveRateLimit(c.credential, rl)
	}
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		c.answered(rl, haveRL)
		resp.Body = newLimitedBody(resp.Body, maxDocumentBytes)
		if err := decodeRequired(e, resp, v, required...); err != nil {
			return c.secrets.scrubError(err)
		}
		return nil
	}
	return fmt.Errorf("POST %s: %w", e.template, c.refused(e, req.URL.Path, resp, rl, haveRL))
}

// DetailedUsageRow is one row of a detailed usage report export: one SKU of
// one user's usage in one workflow of one repository on one day. The text
// fields point into the reader's buffers and are valid only during the
// call that hands the row over; an empty field is "not applicable"
// (Copilot rows have no repository or workflow path).
type DetailedUsageRow struct {
	Date, Product, SKU, UnitType                                 []byte
	Username, Organization, Repository, WorkflowPath, CostCenter []byte
	Quantity, PricePerUnit                                       float64
	GrossAmount, DiscountAmount, NetAmount                       float64
}

// detailedColumns are the detailed layout's columns the reader needs, by
// header name (API.md §15.2); applied_cost_per_quantity and
// cost_center_name are read when present.
var detailedColumns = []string{"date", "product", "sku", "quantity", "unit_type", "gross_amount", "discount_amount",
	"net_amount", "username", "organization", "repository", "workflow_path"}

// detailedLayout is where each column of a detailed export is; -1 for an
// optional column the header lacks.
type detailedLayout struct {
	date, product, sku, quantity, unit, price, gross, discount, net int
	user, org, repo, workflow, costCenter                           int
	header                                                          []string
}

func newDetailedLayout(header [][]byte) (*detailedLayout, error) {
	index := map[string]int{}
	names := make([]string, len(header))
	for i, h := range header {
		name := strings.ToLower(strings.TrimSpace(string(h)))
		names[i] = name
		if _, dup := index[name]; dup {
			return nil, fmt.Errorf("the header names the column %q twice", name)
		}
		index[name] = i
	}
	var missing []string
	for _, col := range detailedColumns {
		if _, ok := index[col]; !ok {
			missing = append(missing, strconv.Quote(col))
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("not the detailed usage report's layout: the header lacks %s", strings.Join(missing, ", "))
	}
	col := func(name string) int {
		if i, ok := index[name]; ok {
			return i
		}
		return -1
	}
	return &detailedLayout{date: col("date"), product: col("product"), sku: col("sku"), quantity: col("quantity"),
		unit: col("unit_type"), price: col("applied_cost_per_quantity"), gross: col("gross_amount"),
		discount: col("discount_amount"), net: col("net_amount"), user: col("username"), org: col("organization"),
		repo: col("repository"), workflow: col("workflow_path"), costCenter: col("cost_center_name"), header: names}, nil
}

// row fills r from one record's fields.
func (l *detailedLayout) row(f [][]byte, r *DetailedUsageRow) error {
	r.Date, r.Product, r.SKU, r.UnitType = f[l.date], f[l.product], f[l.sku], f[l.unit]
	r.Username, r.Organization, r.Repository, r.WorkflowPath = f[l.user], f[l.org], f[l.repo], f[l.workflow]
	r.CostCenter, r.PricePerUnit = nil, 0
	if l.costCenter >= 0 {
		r.CostCenter = f[l.costCenter]
	}
	var err error
	if r.Quantity, err = csvNumber(f[l.quantity], "quantity"); err != nil {
		return err
	}
	if r.GrossAmount, err = csvNumber(f[l.gross], "gross_amount"); err != nil {
		return err
	}
	if r.DiscountAmount, err = csvNumber(f[l.discount], "discount_amount"); err != nil {
		return err
	}
	if r.NetAmount, err = csvNumber(f[l.net], "net_amount"); err != nil {
		return err
	}
	if l.price >= 0 && len(f[l.price]) > 0 {
		if r.PricePerUnit, err = csvNumber(f[l.price], "applied_cost_per_quantity"); err != nil {
			return err
		}
	}
	if !isDate(r.Date) {
		return fmt.Errorf("date %q is not YYYY-MM-DD", truncate(r.Date))
	}
	return nil
}

func truncate(b []byte) string {
	if len(b) > 40 {
		return string(b[:40]) + "…"
	}
	return string(b)
}

func isDate(b []byte) bool {
	if len(b) != 10 || b[4] != '-' || b[7] != '-' {
		return false
	}
	for i, c := range b {
		if i != 4 && i != 7 && (c < '0' || c > '9') {
			return false
		}
	}
	return true
}

// csvNumber reads a plain decimal ("95.5", "0.00842"): the common case
// without strconv (an integer of up to 15 digits over an exact power of
// ten rounds once, as strconv.ParseFloat does), anything else through
// strconv. Empty, NaN and infinite values are errors: every row has its
// figures.
func csvNumber(b []byte, column string) (float64, error) {
	var mantissa uint64
	digits, fraction, i := 0, -1, 0
	neg := len(b) > 0 && b[0] == '-'
	if neg {
		i++
	}
	simple := i < len(b)
	for ; i < len(b) && simple; i++ {
		switch c := b[i]; {
		case c >= '0' && c <= '9':
			mantissa = mantissa*10 + uint64(c-'0')
			digits++
			if fraction >= 0 {
				fraction++
			}
		case c == '.' && fraction < 0:
			fraction = 0
		default:
			simple = false
		}
	}
	if simple && digits > 0 && digits <= 15 && fraction != 0 && fraction < len(exactPow10) {
		v := float64(mantissa)
		if fraction > 0 {
			v /= exactPow10[fraction]
		}
		if neg {
			v = -v
		}
		return v, nil
	}
	v, err := strconv.ParseFloat(strings.TrimSpace(string(b)), 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, fmt.Errorf("%s %q is not a number", column, truncate(b))
	}
	return v, nil
}

// DetailedReader reads the parts of a detailed usage report export as one
// stream of rows: each part starts with the header, which must be the first
// part's.
type DetailedReader struct {
	layout *detailedLayout
	row    DetailedUsageRow
	// From and To, YYYY-MM-DD, bound the dates a row may have: a row
	// outside is an answer to what was not asked (ErrNotAsked).
	From, To string
	rows     int
}

// Rows is how many rows the reader has handed over.
func (d *DetailedReader) Rows() int { return d.rows }

// Part reads one part from r, calling each once per row with the same *row
// (see DetailedUsageRow). An error of each stops the reading and is
// returned as is.
func (d *DetailedReader) Part(r io.Reader, each func(*DetailedUsageRow) error) error {
	cr := newCSVReader(r)
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return errors.New("the part is empty: no header")
	}
	if err != nil {
		return err
	}
	if d.layout == nil {
		if d.layout, err = newDetailedLayout(header); err != nil {
			return err
		}
	} else if err := d.sameHeader(header); err != nil {
		return err
	}
	from, to := []byte(d.From), []byte(d.To)
	for {
		f, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		if err := d.layout.row(f, &d.row); err != nil {
			return &CSVError{Line: cr.line - 1, Err: err}
		}
		if (len(from) > 0 && bytes.Compare(d.row.Date, from) < 0) || (len(to) > 0 && bytes.Compare(d.row.Date, to) > 0) {
			return &CSVError{Line: cr.line - 1, Err: fmt.Errorf("date %s is outside the export's %s to %s: %w", d.row.Date, d.From, d.To, ErrNotAsked)}
		}
		d.rows++
		if err := each(&d.row); err != nil {
			return err
		}
	}
}

// sameHeader holds a later part's header to the first part's.
func (d *DetailedReader) sameHeader(header [][]byte) error {
	same := len(header) == len(d.layout.header)
	for i := 0; same && i < len(header); i++ {
		same = strings.ToLower(strings.TrimSpace(string(header[i]))) == d.layout.header[i]
	}
	if !same {
		got := make([]string, len(header))
		for i, h := range header {
			got[i] = string(h)
		}
		return fmt.Errorf("the header changed columns: %q, the first part's was %q", strings.Join(got, ","), strings.Join(d.layout.header, ","))
	}
	return nil
}

// DownloadError is a part of an export that could not be downloaded. It
// names the part and the link's host, never the link, which may be signed.
type DownloadError struct {
	Part, Parts int
	Host        string
	StatusCode  int // 0 when no answer came
	Err         error
}

func (e *DownloadError) Error() string {
	where := fmt.Sprintf("download part %d of %d (host %s)", e.Part, e.Parts, e.Host)
	switch {
	case e.StatusCode == http.StatusUnauthorized || e.StatusCode == http.StatusForbidden:
		return fmt.Sprintf("%s: %d %s: the download host wants a credential, and the exporter sends none to a download link (see the README, usage_detail)",
			where, e.StatusCode, http.StatusText(e.StatusCode))
	case e.StatusCode != 0:
		return fmt.Sprintf("%s: %d %s", where, e.StatusCode, http.StatusText(e.StatusCode))
	}
	return where + ": " + e.Err.Error()
}

func (e *DownloadError) Unwrap() error { return e.Err }

// ErrSignInPage is a download link that answered a web page instead of a
// CSV file: GitHub's sign-in page, when the link wants a credential.
var ErrSignInPage = errors.New("the download link answered a web page, not CSV (GitHub's sign-in page, when the link wants a credential, which the exporter never sends to a download link)")

// ReadDetailedExport downloads every part of a completed detailed export,
// in order, and hands each row to each (see DetailedReader.Part), the rows
// dated from x's start to its end date. The parts are fetched with the
// download client, which sends no credential (Options.DownloadTransport).
// Any part that fails fails the whole: the caller must drop what each
// gathered.
func (c *Client) ReadDetailedExport(ctx context.Context, x *UsageReportExport, each func(*DetailedUsageRow) error) (rows int, err error) {
	if !strings.EqualFold(x.ReportType, ReportDetailed) || !strings.EqualFold(x.Status, ExportCompleted) {
		return 0, fmt.Errorf("export %s is a %s export, %s; want a completed detailed one", x.ID, x.ReportType, x.Status)
	}
	if len(x.DownloadURLs) == 0 {
		return 0, fmt.Errorf("completed export %s lists no download_urls", x.ID)
	}
	d := &DetailedReader{From: x.StartDate, To: x.EndDate}
	for i, raw := range x.DownloadURLs {
		if err := c.downloadPart(ctx, raw, i+1, len(x.DownloadURLs), d, each); err != nil {
			return d.rows, fmt.Errorf("export %s: %w", x.ID, err)
		}
	}
	return d.rows, nil
}

// downloadEndpoint labels the download requests in the request metrics.
const downloadEndpoint = "(usage report export download)"

func (c *Client) downloadPart(ctx context.Context, raw string, part, parts int, d *DetailedReader, each func(*DetailedUsageRow) error) error {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return &DownloadError{Part: part, Parts: parts, Host: "?", Err: errors.New("not an absolute URL")}
	}
	fail := func(code int, err error) error {
		return &DownloadError{Part: part, Parts: parts, Host: u.Hostname(), StatusCode: code, Err: err}
	}
	if err := c.downloadScheme(u); err != nil {
		return fail(0, err)
	}
	start := time.Now()
	resp, err := c.getSigned(ctx, u, "text/csv, application/octet-stream;q=0.9, */*;q=0.1")
	if err != nil {
		c.observer.ObserveRequest(downloadEndpoint, 0, time.Since(start))
		return fail(0, err)
	}
	defer resp.Body.Close()
	c.observer.ObserveRequest(downloadEndpoint, resp.StatusCode, time.Since(start))
	if resp.StatusCode != http.StatusOK {
		return fail(resp.StatusCode, nil)
	}
	if strings.HasPrefix(strings.ToLower(resp.Header.Get("Content-Type")), "text/html") {
		return fail(0, ErrSignInPage)
	}
	if err := d.Part(newLimitedBody(resp.Body, c.maxBytes), each); err != nil {
		if _, ok := errors.AsType[*CSVError](err); ok || d.layout == nil || errors.Is(err, ErrNotAsked) {
			return fail(0, c.secrets.scrubError(err))
		}
		return err
	}
	return nil
}

// getSigned GETs a signed download link with the download client, which
// sends no credential. Its errors are scrubbed of the link, whose query
// signature is a credential.
func (c *Client) getSigned(ctx context.Context, u *url.URL, accept string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, scrubURLError(err)
	}
	req.Header.Set("User-Agent", c.userAgent)
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	resp, err := c.download.Do(req)
	if err != nil {
		return nil, c.secrets.scrubError(scrubURLError(err))
	}
	return resp, nil
}

// downloadScheme holds a download link to https, or to http when the
// configured API itself is http on a loopback host (the fake GitHub of the
// tests and the demo).
func (c *Client) downloadScheme(u *url.URL) error {
	if u.User != nil {
		return errors.New("the link carries user info")
	}
	switch strings.ToLower(u.Scheme) {
	case "https":
		return nil
	case "http":
		if c.base.Scheme == "http" && isLoopback(c.base.Hostname()) && isLoopback(u.Hostname()) {
			return nil
		}
	}
	return fmt.Errorf("the link is not https (scheme %q); only https links are followed", u.Scheme)
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// newDownloadClient is the client of export downloads: no cookie jar, and
// a transport that takes every credential header off each request, the
// redirects included, so that nothing the API client sends reaches a
// download host. A redirect must keep to the scheme rule of downloadScheme.
func (c *Client) newDownloadClient(base http.RoundTripper) *http.Client {
	if base == nil {
		base = http.DefaultTransport
	}
	return &http.Client{
		Transport: noCredentials{base},
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) >= maxRedirects {
				return &redirectLoopError{Redirects: len(via)}
			}
			if err := c.downloadScheme(req.URL); err != nil {
				return fmt.Errorf("redirect refused: %w", err)
			}
			return nil
		},
	}
}

// noCredentials sends requests without Authorization, Cookie or
// Proxy-Authorization headers.
type noCredentials struct{ next http.RoundTripper }

func (n noCredentials) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Header.Get("Authorization") != "" || req.Header.Get("Cookie") != "" || req.Header.Get("Proxy-Authorization") != "" {
		req = req.Clone(req.Context())
		req.Header.Del("Authorization")
		req.Header.Del("Cookie")
		req.Header.Del("Proxy-Authorization")
	}
	return n.next.RoundTrip(req)
}
