package githubapi

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// CopilotMetricsReport names a one-day Copilot usage-metrics report
// (API.md §15.1): the path after /enterprises/{enterprise}/ or
// /orgs/{org}/copilot/metrics/reports/.
type CopilotMetricsReport string

// The one-day reports the exporter reads.
const (
	// CopilotUsersReport has one record per user per day, with
	// ai_credits_used.
	CopilotUsersReport CopilotMetricsReport = "users-1-day"
	// CopilotUserTeamsReport has one record per (user, team) pair of the
	// day; teams with fewer than 5 seated users are left out.
	CopilotUserTeamsReport CopilotMetricsReport = "user-teams-1-day"
)

// CopilotMetricsLinks is a one-day report's answer: the signed links of
// its files. They expire, so they are asked again for every download and
// never kept.
type CopilotMetricsLinks struct {
	DownloadLinks []string `json:"download_links"`
	ReportDay     string   `json:"report_day"`
}

// copilotMetricsLinksRequired is what the schema of a one-day answer
// requires.
var copilotMetricsLinksRequired = []string{"download_links", "report_day"}

// CopilotMetricsRecord is one record of a users or user-teams file: the
// fields the exporter reads; the others are ignored.
type CopilotMetricsRecord struct {
	UserID    int64  `json:"user_id"`
	UserLogin string `json:"user_login"`
	Day       string `json:"day"`
	// AICreditsUsed is nil when the record lacks ai_credits_used, which
	// GitHub sends only for data from 2026-06-19 on and not for every
	// account: absent is unknown, never 0.
	AICreditsUsed *float64 `json:"ai_credits_used"`
	// TeamID and Slug are the team of a user-teams record.
	TeamID int64  `json:"team_id"`
	Slug   string `json:"slug"`
}

// copilotMetricsRecordRequired are the fields each record of a report
// must carry for the exporter to count it.
var copilotMetricsRecordRequired = map[CopilotMetricsReport][]string{
	CopilotUsersReport:     {"user_id", "user_login", "day"},
	CopilotUserTeamsReport: {"user_id", "day", "team_id", "slug"},
}

// maxCopilotRecordBytes bounds one record of a downloaded file. A user's
// line with every breakdown is tens of kilobytes; a value larger than this
// is no record GitHub documents, and is refused rather than held.
const maxCopilotRecordBytes = 8 << 20

// CopilotMetricsLinks asks for the download links of an enterprise's or
// organization's one-day report of day (its UTC date). It returns nil, nil
// when GitHub has no data for the day: a 204, a 404, or a 200 whose body is
// empty or null (API.md §15.1). A report_day other than the day asked is
// refused (ErrNotAsked). The answer is never kept for a conditional
// request: its links are signed and expire.
func (c *Client) CopilotMetricsLinks(ctx context.Context, a Account, report CopilotMetricsReport, day time.Time) (*CopilotMetricsLinks, error) {
	if a.Scope != ScopeEnterprise && a.Scope != ScopeOrganization {
		return nil, fmt.Errorf("copilot usage metrics: %s has none (enterprises and organizations only)", a)
	}
	if _, ok := copilotMetricsRecordRequired[report]; !ok {
		return nil, fmt.Errorf("copilot usage metrics: unknown report %q", report)
	}
	date := day.UTC().Format(time.DateOnly)
	e := legacyEndpoint(a, "/copilot/metrics/reports/"+string(report))
	e.query = url.Values{"day": {date}}
	e.fresh = true
	resp, err := c.get(ctx, e, c.url(e))
	if errors.Is(err, ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusNoContent {
		return nil, nil
	}
	data, err := readBody(resp.Body, resp.ContentLength)
	if err != nil {
		return nil, c.secrets.scrubError(&DecodeError{Endpoint: e.template, Path: e.path, Err: err})
	}
	if t := bytes.TrimSpace(data); len(t) == 0 || string(t) == "null" || string(t) == `""` {
		return nil, nil
	}
	var v CopilotMetricsLinks
	if err := json.Unmarshal(data, &v); err != nil {
		return nil, &DecodeError{Endpoint: e.template, Path: e.path, Err: err}
	}
	if missing := missingFields(data, copilotMetricsLinksRequired); len(missing) > 0 {
		return nil, &DecodeError{Endpoint: e.template, Path: e.path, Err: &MissingFieldError{Fields: missing}}
	}
	if v.ReportDay != date {
		return nil, &DecodeError{Endpoint: e.template, Path: e.path,
			Err: fmt.Errorf("%w: report_day %q, asked for %s", ErrNotAsked, v.ReportDay, date)}
	}
	return &v, nil
}

// DownloadCopilotMetrics downloads every file of a report's links and
// calls fn with each record, in file order. The files are fetched with a
// client of their own, never the API's: no Authorization, no cookies, https
// only (http too only when the API itself is plain http, as the test fake
// is), and no redirect to anything else. A file may be NDJSON, one JSON
// object, or a JSON array of objects, whatever its name says. Each record
// must carry the report's required fields. Errors name a file by its
// position and host, never its URL: the signature in the link's query is a
// credential.
func (c *Client) DownloadCopilotMetrics(ctx context.Context, report CopilotMetricsReport, links *CopilotMetricsLinks, fn func(CopilotMetricsRecord) error) error {
	required, ok := copilotMetricsRecordRequired[report]
	if !ok {
		return fmt.Errorf("copilot usage metrics: unknown report %q", report)
	}
	for i, link := range links.DownloadLinks {
		name := fmt.Sprintf("%s file %d of %d", report, i+1, len(links.DownloadLinks))
		if err := c.downloadCopilotFile(ctx, name, link, required, fn); err != nil {
			return err
		}
	}
	return nil
}

// redactLink is a download link without what can carry its signature:
// scheme, host and path only.
func redactLink(u *url.URL) string {
	if u.Host == "" {
		return "(unreadable link)"
	}
	return u.Scheme + "://" + u.Host + u.EscapedPath()
}

func (c *Client) downloadCopilotFile(ctx context.Context, name, link string, required []string, fn func(CopilotMetricsRecord) error) error {
	u, err := url.Parse(link)
	if err != nil {
		return fmt.Errorf("%s: the link is not a URL", name)
	}
	where := fmt.Sprintf("%s (%s)", name, redactLink(u))
	if err := c.downloadScheme(u); err != nil {
		return fmt.Errorf("%s: %w", where, err)
	}
	// Not observed as an API request: the file host is not the API and
	// spends none of its rate limit.
	resp, err := c.getSigned(ctx, u, "")
	if err != nil {
		return fmt.Errorf("%s: %w", where, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		// The body is not read: a file host may echo the request, signature
		// and all.
		return fmt.Errorf("%s: %d %s", where, resp.StatusCode, http.StatusText(resp.StatusCode))
	}
	if resp.ContentLength > c.maxBytes {
		return fmt.Errorf("%s: %w", where, &TooLargeError{Limit: c.maxBytes})
	}
	body := newLimitedBody(resp.Body, c.maxBytes)
	if err := decodeCopilotRecords(body, required, fn); err != nil {
		return fmt.Errorf("%s: %w", where, err)
	}
	return nil
}

// recordLimiter counts the bytes read since the last record began and
// fails past maxCopilotRecordBytes.
type recordLimiter struct {
	r    io.Reader
	read int64
}

func (l *recordLimiter) Read(p []byte) (int, error) {
	if l.read > maxCopilotRecordBytes {
		return 0, fmt.Errorf("a record exceeds %d bytes", maxCopilotRecordBytes)
	}
	n, err := l.r.Read(p)
	l.read += int64(n)
	return n, err
}

// copilotWireRecord is a record as read: a pointer is nil when the field is
// absent or null, so that a required field's absence is seen in one pass.
type copilotWireRecord struct {
	UserID        *int64   `json:"user_id"`
	UserLogin     *string  `json:"user_login"`
	Day           *string  `json:"day"`
	AICreditsUsed *float64 `json:"ai_credits_used"`
	TeamID        *int64   `json:"team_id"`
	Slug          *string  `json:"slug"`
}

// record checks the required fields, in the order named, and returns the
// record.
func (w *copilotWireRecord) record(required []string) (CopilotMetricsRecord, error) {
	present := map[string]bool{
		"user_id": w.UserID != nil, "user_login": w.UserLogin != nil, "day": w.Day != nil,
		"team_id": w.TeamID != nil, "slug": w.Slug != nil,
	}
	var missing []string
	for _, f := range required {
		if !present[f] {
			missing = append(missing, f)
		}
	}
	if len(missing) > 0 {
		return CopilotMetricsRecord{}, &MissingFieldError{Fields: missing}
	}
	r := CopilotMetricsRecord{AICreditsUsed: w.AICreditsUsed}
	deref(&r.UserID, w.UserID)
	deref(&r.UserLogin, w.UserLogin)
	deref(&r.Day, w.Day)
	deref(&r.TeamID, w.TeamID)
	deref(&r.Slug, w.Slug)
	return r, nil
}

func deref[T any](dst *T, src *T) {
	if src != nil {
		*dst = *src
	}
}

// decodeCopilotRecords reads a file's records as a stream, each decoded
// once: newline-separated objects (NDJSON), one object, or an array of
// objects, told apart by the first byte that is not white space. An empty
// file, or a null one, holds no records. Unknown fields are ignored.
func decodeCopilotRecords(r io.Reader, required []string, fn func(CopilotMetricsRecord) error) error {
	br := bufio.NewReader(r)
	first, err := firstNonSpace(br)
	if errors.Is(err, io.EOF) {
		return nil
	}
	if err != nil {
		return err
	}
	lim := &recordLimiter{r: br}
	dec := json.NewDecoder(lim)
	if first == 'n' {
		var v any
		if err := dec.Decode(&v); err != nil || v != nil {
			return errors.New("the file is neither records nor null")
		}
		if _, err := dec.Token(); err != io.EOF {
			return errors.New("data after null")
		}
		return nil
	}
	if first != '{' && first != '[' {
		return errors.New("the file holds no JSON object or array")
	}
	n := 0
	record := func() error {
		var w copilotWireRecord
		lim.read = 0
		if err := dec.Decode(&w); err != nil {
			if errors.Is(err, io.EOF) {
				return err
			}
			return fmt.Errorf("record %d: %w", n+1, err)
		}
		n++
		rec, err := w.record(required)
		if err != nil {
			return fmt.Errorf("record %d: %w", n, err)
		}
		return fn(rec)
	}
	if first == '[' {
		if _, err := dec.Token(); err != nil {
			return err
		}
		for dec.More() {
			if err := record(); err != nil {
				return err
			}
		}
		if _, err := dec.Token(); err != nil {
			return fmt.Errorf("after record %d: %w", n, err)
		}
		if _, err := dec.Token(); err != io.EOF {
			return fmt.Errorf("data after the array of %d records", n)
		}
		return nil
	}
	for {
		err := record()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// firstNonSpace peeks at the first byte that is not JSON white space,
// leaving it unread.
func firstNonSpace(br *bufio.Reader) (byte, error) {
	for {
		b, err := br.ReadByte()
		if err != nil {
			return 0, err
		}
		if !strings.ContainsRune(" \t\r\n", rune(b)) {
			return b, br.UnreadByte()
		}
	}
}
