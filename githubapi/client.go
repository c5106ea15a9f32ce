// Package githubapi is a client for GitHub's billing REST API. It knows GitHub
// and nothing of Prometheus: callers observe requests and rate limits through
// the Observer interface.
package githubapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"
	"net/url"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"time"
)

// apiVersion is the REST API version this client speaks.
const apiVersion = "2022-11-28"

// DefaultMaxResponseBytes caps one response body. Usage reports of large
// enterprises run to hundreds of megabytes; they are decoded as streams, so the
// cap guards against a runaway body, not memory.
const DefaultMaxResponseBytes int64 = 2 << 30

// Scope is the kind of account a billing endpoint belongs to.
type Scope string

// The account scopes GitHub bills.
const (
	ScopeEnterprise   Scope = "enterprise"
	ScopeOrganization Scope = "organization"
	ScopeUser         Scope = "user"
)

// Account is one billed GitHub account.
type Account struct {
	Scope Scope
	Name  string
}

func (a Account) String() string { return string(a.Scope) + " " + strconv.Quote(a.Name) }

// legacyPrefix is the path prefix of the settings/billing endpoints that
// predate the billing platform (organizations are under /orgs there).
func (a Account) legacyPrefix() (template, path string) {
	switch a.Scope {
	case ScopeEnterprise:
		return "/enterprises/{enterprise}", "/enterprises/" + url.PathEscape(a.Name)
	case ScopeOrganization:
		return "/orgs/{org}", "/orgs/" + url.PathEscape(a.Name)
	default:
		return "/users/{username}", "/users/" + url.PathEscape(a.Name)
	}
}

// platformPrefix is the path prefix of the billing platform endpoints
// (organizations are under /organizations there).
func (a Account) platformPrefix() (template, path string) {
	if a.Scope == ScopeOrganization {
		return "/organizations/{org}", "/organizations/" + url.PathEscape(a.Name)
	}
	return a.legacyPrefix()
}

// platformEndpoint is a billing-platform endpoint of a: suffix after
// /enterprises/{enterprise}, /organizations/{org} or /users/{username}.
func platformEndpoint(a Account, suffix string) endpoint {
	template, path := a.platformPrefix()
	return endpoint{template: template + suffix, path: path + suffix}
}

// periodEndpoint is a billing-platform endpoint asked for period. Year and
// month are always sent: without them some endpoints answer the whole year,
// and the others answer by GitHub's clock, not ours. Day is sent when the
// period is one day.
func periodEndpoint(a Account, suffix string, p Period) (endpoint, error) {
	e := platformEndpoint(a, suffix)
	if p.Year < 1000 || p.Year > 9999 || p.Month < time.January || p.Month > time.December {
		return e, fmt.Errorf("GET %s: invalid billing month %d-%02d", e.template, p.Year, int(p.Month))
	}
	e.query = url.Values{"year": {strconv.Itoa(p.Year)}, "month": {strconv.Itoa(int(p.Month))}}
	if p.Day != 0 {
		e.query.Set("day", strconv.Itoa(p.Day))
	}
	return e, nil
}

// RateLimit is what GitHub's x-ratelimit-* headers said on one answer.
type RateLimit struct {
	Resource  string
	Limit     float64
	Remaining float64
	Used      float64
	Reset     time.Time
}

// Observer is told about every request and every rate-limit reading.
type Observer interface {
	// ObserveRequest is called once per HTTP request; code is the status
	// code, or 0 when no answer arrived.
	ObserveRequest(endpoint string, code int, duration time.Duration)
	ObserveRateLimit(credential string, rl RateLimit)
}

type nopObserver struct{}

func (nopObserver) ObserveRequest(string, int, time.Duration) {}
func (nopObserver) ObserveRateLimit(string, RateLimit)        {}

// Options configure a Client.
type Options struct {
	// BaseURL is the API root: https://api.github.com, https://HOST/api/v3
	// or https://api.SUBDOMAIN.ghe.com.
	BaseURL string
	// Credential names the credential behind HTTPClient in rate-limit
	// observations. It is a name from the configuration, never a token.
	Credential string
	// HTTPClient carries authentication (see TokenTransport and AppTransport).
	HTTPClient *http.Client
	// DownloadTransport carries the downloads of usage report exports and
	// Copilot usage-metrics files, whose links point to other hosts: it must add no credential (the
	// proxy and TLS settings without the authenticating transport). The
	// client takes every credential header off those requests anyway. nil
	// means http.DefaultTransport.
	DownloadTransport http.RoundTripper
	// UserAgent is sent with every request; "" means UserAgent("").
	UserAgent        string
	MaxResponseBytes int64
	Observer         Observer
	// Retries says how network errors and 5xx answers are retried; the zero
	// value means DefaultRetryPolicy.
	Retries RetryPolicy
	// ETagCacheBytes bounds the bodies kept to answer 304 Not Modified; 0
	// means defaultETagCacheBytes, a negative value turns conditional
	// requests off.
	ETagCacheBytes int64
	// Logger receives one line when a rate limit starts blocking requests.
	Logger *slog.Logger
	// Now is the clock for rate-limit waits; nil means time.Now.
	Now func() time.Time
	// Secrets, when set, are the credentials to scrub from every text that
	// comes from upstream (error messages, transport errors) before the
	// client returns it; Secrets.Record fills it with what is sent.
	Secrets *Secrets
	// State, when set, is the state of an earlier client of the same
	// credential (Client.State), which the new client takes over: a
	// configuration reload must not forget a rate limit in force.
	State *CredentialState
}

// CredentialState is what a credential's client has learnt from GitHub: the
// rate limit that blocks it, if any, and the answers kept for conditional
// requests.
type CredentialState struct {
	limiter *limiter
	etags   *etagCache
}

// Client calls GitHub's billing endpoints for any account reachable with one
// credential.
type Client struct {
	base       *url.URL
	credential string
	http       *http.Client
	userAgent  string
	maxBytes   int64
	observer   Observer
	now        func() time.Time
	retries    RetryPolicy
	limiter    *limiter
	etags      *etagCache
	secrets    *Secrets
	// costCenters is the cost-center list per enterprise, shared by the
	// collectors of one refresh round.
	costCenters shared[[]CostCenter]
	// budgets is the budget list per account, shared by the budgets
	// collector and the usage collector, which computes their consumption.
	budgets shared[[]Budget]
	// copilotBilling, copilotSeats and aiCredits are the Copilot answers
	// that the copilot and ai_credits collectors share with the AI-credit
	// pool (copilot.go).
	copilotBilling shared[*CopilotBilling]
	copilotSeats   shared[*CopilotSeats]
	aiCredits      shared[*ModelUsageReport]
	// download fetches signed download links (export parts, usage-metrics
	// files): no credential, no cookie jar (newDownloadClient).
	download *http.Client
}

// New returns a client for the API root in o.BaseURL.
func New(o Options) (*Client, error) {
	base, err := ParseBaseURL(o.BaseURL)
	if err != nil {
		return nil, err
	}
	c := &Client{
		base:       base,
		credential: o.Credential,
		http:       o.HTTPClient,
		userAgent:  o.UserAgent,
		maxBytes:   o.MaxResponseBytes,
		observer:   o.Observer,
		secrets:    o.Secrets,
	}
	if c.http == nil {
		c.http = http.DefaultClient
	}
	if c.http.CheckRedirect == nil {
		hc := *c.http
		hc.CheckRedirect = checkRedirect
		c.http = &hc
	}
	c.download = c.newDownloadClient(o.DownloadTransport)
	if c.userAgent == "" {
		c.userAgent = UserAgent("")
	}
	if c.maxBytes <= 0 {
		c.maxBytes = DefaultMaxResponseBytes
	}
	if c.observer == nil {
		c.observer = nopObserver{}
	}
	c.now = o.Now
	if c.now == nil {
		c.now = time.Now
	}
	c.retries = o.Retries
	if c.retries == (RetryPolicy{}) {
		c.retries = DefaultRetryPolicy
	}
	logger := o.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if o.State != nil {
		c.limiter, c.etags = o.State.limiter, o.State.etags
	} else {
		c.limiter = &limiter{credential: o.Credential, logger: logger}
		c.etags = newETagCache(o.ETagCacheBytes)
	}
	return c, nil
}

// UserAgent is the User-Agent of the exporter at version. An empty version
// (a binary built without the version ldflags) becomes the main module's
// version from the build information, which go build takes from the VCS, or
// else "dev": GitHub asks for a User-Agent that identifies the client, and
// "github-billing-exporter/" names no build.
func UserAgent(version string) string {
	if version == "" {
		version = buildVersion()
	}
	return "github-billing-exporter/" + version
}

// buildVersion is the main module's version in the build information, or
// "dev" when there is none ("(devel)": built outside version control).
func buildVersion() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}

// ParseBaseURL checks an API root URL and returns it without a trailing slash,
// keeping any path prefix such as GitHub Enterprise Server's /api/v3.
func ParseBaseURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		// url.Parse's error quotes the whole URL, user info included.
		return nil, fmt.Errorf("invalid API URL %q: not a URL", redactURL(raw))
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("invalid API URL %q: scheme must be http or https", u.Redacted())
	}
	if u.Host == "" {
		return nil, fmt.Errorf("invalid API URL %q: no host", u.Redacted())
	}
	if u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("invalid API URL %q: must not carry user info, a query or a fragment", u.Redacted())
	}
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawPath = ""
	return u, nil
}

// redactURL hides what stands between "://" and the last "@" of the host
// part of a string that did not parse as a URL.
func redactURL(raw string) string {
	scheme, rest, ok := strings.Cut(raw, "://")
	if !ok {
		rest, scheme = raw, ""
	}
	hostEnd := strings.IndexAny(rest, "/?#")
	if hostEnd < 0 {
		hostEnd = len(rest)
	}
	if at := strings.LastIndex(rest[:hostEnd], "@"); at >= 0 {
		rest = "xxxxx@" + rest[at+1:]
	}
	if ok {
		return scheme + "://" + rest
	}
	return rest
}

// State returns the client's rate-limit and conditional-request state, for a
// client that replaces this one (Options.State).
func (c *Client) State() *CredentialState {
	return &CredentialState{limiter: c.limiter, etags: c.etags}
}

// Credential is the name of the credential the client uses.
func (c *Client) Credential() string { return c.credential }

// BaseURL is the API root the client talks to.
func (c *Client) BaseURL() string { return c.base.String() }

// endpoint is one request target: the path template used as a metric label and
// in errors, and the concrete path.
type endpoint struct {
	template string
	path     string
	query    url.Values
	// streamed says the answer is read row by row, never held whole: it
	// may be as large as Options.MaxResponseBytes. Any other answer is
	// capped at maxDocumentBytes too.
	streamed bool
	// fresh says the answer is never kept for a conditional request nor
	// answered from one: it holds signed links that expire.
	fresh bool
}

// limit is the largest body accepted for e.
func (c *Client) limit(e endpoint) int64 {
	if e.streamed {
		return c.maxBytes
	}
	return min(c.maxBytes, maxDocumentBytes)
}

func (c *Client) url(e endpoint) string {
	u := *c.base
	u.Path = c.base.Path + e.path
	u.RawQuery = e.query.Encode()
	return u.String()
}

// get performs one GET and returns the answer when it is a 2xx; the caller
// closes the body. Any other answer is returned as an *APIError. Network
// errors and 5xx answers are retried with exponential backoff and jitter as
// long as the context's deadline leaves room; while the credential is rate
// limited no request is sent at all.
func (c *Client) get(ctx context.Context, e endpoint, rawURL string) (*http.Response, error) {
	for attempt := 0; ; attempt++ {
		// The pace first: a rate limit may start while it waits.
		if err := pace(ctx); err != nil {
			return nil, err
		}
		if err := c.limiter.check(c.now()); err != nil {
			return nil, err
		}
		resp, err := c.attempt(ctx, e, rawURL)
		if err == nil || !retryable(err) || attempt >= c.retries.Max || ctx.Err() != nil {
			return resp, err
		}
		delay := c.retries.delay(attempt)
		if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) < delay {
			return nil, err
		}
		select {
		case <-time.After(delay):
		case <-ctx.Done():
			return nil, err
		}
	}
}

// attempt sends one request: it observes it, reads the rate-limit headers,
// answers a 304 from the ETag cache and turns other non-2xx answers into
// errors.
func (c *Client) attempt(ctx context.Context, e endpoint, rawURL string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", e.template, err)
	}
	req.Header.Set("Accept", "application/vnd.github+json")
	req.Header.Set("X-GitHub-Api-Version", apiVersion)
	req.Header.Set("User-Agent", c.userAgent)
	var cached etagEntry
	haveCached := false
	if !e.fresh {
		cached, haveCached = c.etags.get(rawURL)
	}
	if haveCached {
		req.Header.Set("If-None-Match", cached.etag)
	}

	start := time.Now()
	resp, err := c.http.Do(req)
	if err != nil {
		c.observer.ObserveRequest(e.template, 0, time.Since(start))
		return nil, &networkError{Path: req.URL.Path, Err: c.secrets.scrubError(scrubURLError(err))}
	}
	c.observer.ObserveRequest(e.template, resp.StatusCode, time.Since(start))
	rl, haveRL := parseRateLimit(resp.Header, c.now())
	if haveRL {
		c.observer.ObserveRateLimit(c.credential, rl)
	}
	switch {
	case resp.StatusCode == http.StatusNotModified && haveCached:
		c.limiter.succeeded()
		resp.Body.Close()
		resp.StatusCode, resp.Status = http.StatusOK, "200 OK (not modified)"
		cached.mergeInto(resp.Header)
		resp.Body = io.NopCloser(bytes.NewReader(cached.body))
		return resp, nil
	case resp.StatusCode >= 200 && resp.StatusCode < 300:
		c.answered(rl, haveRL)
		limit := c.limit(e)
		if resp.ContentLength > limit {
			resp.Body.Close()
			return nil, &DecodeError{Endpoint: e.template, Path: req.URL.Path, Err: &TooLargeError{Limit: limit}}
		}
		resp.Body = newLimitedBody(resp.Body, limit)
		if etag := resp.Header.Get("ETag"); etag != "" && !e.fresh {
			resp.Body = c.etags.capture(rawURL, etag, resp.Header, resp.Body)
		}
		return resp, nil
	}
	defer resp.Body.Close()
	return nil, c.refused(e, req.URL.Path, resp, rl, haveRL)
}

// refused turns a non-2xx answer into an *APIError scrubbed of the secrets
// an upstream or a proxy may echo, and blocks the credential while a rate
// limit it names lasts.
func (c *Client) refused(e endpoint, path string, resp *http.Response, rl RateLimit, haveRL bool) *APIError {
	apiErr := newAPIError(e.template, path, resp)
	apiErr.Message = c.secrets.scrub(apiErr.Message)
	apiErr.DocumentationURL = c.secrets.scrub(apiErr.DocumentationURL)
	apiErr.AcceptedPermissions = c.secrets.scrub(apiErr.AcceptedPermissions)
	if apiErr.RateLimited {
		c.limiter.blockFor(c.now(), apiErr, resp.Header, rl, haveRL)
	}
	return apiErr
}

// scrubURLError drops the URL from a transport error: the error text is logged
// and the URL of a redirect target could carry anything.
func scrubURLError(err error) error {
	if ue, ok := errors.AsType[*url.Error](err); ok {
		return ue.Err
	}
	return err
}

// getJSON fetches one endpoint and decodes its body into v as a stream,
// refusing an answer without the top-level fields its schema requires (see
// decodeRequired).
func (c *Client) getJSON(ctx context.Context, e endpoint, v any, required ...string) error {
	rawURL := c.url(e)
	resp, err := c.get(ctx, e, rawURL)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if err := decodeRequired(e, resp, v, required...); err != nil {
		// A later 304 would confirm this body and fail the same way.
		c.etags.forget(rawURL)
		return c.secrets.scrubError(err)
	}
	return nil
}

// maxDocumentBytes caps a JSON answer that is decoded whole: every answer
// but the usage reports, which are streamed row by row and capped by
// Options.MaxResponseBytes alone. GitHub's largest such documents (the
// cost-center list of an enterprise with 100,000 repositories, 100 seats
// of a seat list) are a few MB; a budget list is kilobytes.
const maxDocumentBytes int64 = 32 << 20

// readBody reads a whole answer into one buffer, sized once when
// Content-Length says how much will come. A body that ends before its
// Content-Length is an error (net/http reports io.ErrUnexpectedEOF), not a
// document cut short.
func readBody(body io.Reader, length int64) ([]byte, error) {
	var buf bytes.Buffer
	if length > 0 && length <= maxDocumentBytes {
		buf.Grow(int(length) + bytes.MinRead)
	}
	_, err := buf.ReadFrom(body)
	return buf.Bytes(), err
}

func decodeBody(e endpoint, resp *http.Response, v any) ([]byte, error) {
	data, err := readBody(resp.Body, resp.ContentLength)
	if err == nil {
		err = json.Unmarshal(data, v)
	}
	if err != nil {
		return nil, &DecodeError{Endpoint: e.template, Path: e.path, Err: err}
	}
	return data, nil
}

// MissingFieldError is an answer that lacks fields its schema requires, or
// has them null. encoding/json would leave them zero, and a zero exported as
// if GitHub had said it is worse than no value at all.
type MissingFieldError struct {
	// Fields are the missing required top-level fields, in schema order.
	Fields []string
}

func (e *MissingFieldError) Error() string {
	quoted := make([]string, len(e.Fields))
	for i, f := range e.Fields {
		quoted[i] = strconv.Quote(f)
	}
	if len(quoted) == 1 {
		return "required field " + quoted[0] + " is missing or null"
	}
	return "required fields " + strings.Join(quoted, ", ") + " are missing or null"
}

// decodeRequired decodes one JSON document into v like decode and refuses
// it, with a *DecodeError wrapping a *MissingFieldError, when any of the
// required fields is absent or null (a null body lacks them all). Fields
// not named are optional, and unknown fields are ignored. The body is held
// once: the fields are looked up in the bytes read, without a copy.
func decodeRequired(e endpoint, resp *http.Response, v any, required ...string) error {
	data, err := decodeBody(e, resp, v)
	if err != nil || len(required) == 0 {
		return err
	}
	if missing := missingFields(data, required); len(missing) > 0 {
		return &DecodeError{Endpoint: e.template, Path: e.path, Err: &MissingFieldError{Fields: missing}}
	}
	return nil
}

// maxPages bounds every paginated walk: 1,000 pages of 100 is more
// repositories, seats or users than any account has. It is the last
// resort; pageWalk stops a server that leads in circles or repeats itself
// long before (see pageWalk).
const maxPages = 1000

// PagingError is a paginated walk stopped because GitHub's next page could
// not end it: a page already read, a page that brought nothing new, or more
// than maxPages pages. Following such links cost up to 1,000 requests a
// refresh; stopping fails the collector for the account instead of
// exporting a list read in part.
type PagingError struct {
	// Endpoint is the path template: never the URL, whose query GitHub
	// writes and which may be signed.
	Endpoint string
	// Page is the number of pages read, the last of them the one whose
	// next page was refused.
	Page   int
	Reason string
}

func (e *PagingError) Error() string {
	return fmt.Sprintf("GET %s: paging stopped after page %d: %s", e.Endpoint, e.Page, e.Reason)
}

// pageWalk guards one paginated walk. A page's identity is its URL after
// pageKey, an item's a key its caller picks (a repository's name, a user's
// login). The walk refuses to fetch a page it has read, and to go on from a
// page that brought no item it had not read: a server that ignores page
// answers the same items under ever new URLs.
type pageWalk struct {
	e    endpoint
	what string // the items, plural, for errors: "seats"
	read map[string]int
	seen map[string]struct{}
	page int
}

func newPageWalk(e endpoint, what string) *pageWalk {
	return &pageWalk{e: e, what: what, read: map[string]int{}, seen: map[string]struct{}{}}
}

func (w *pageWalk) fail(format string, args ...any) error {
	return &PagingError{Endpoint: w.e.template, Page: w.page, Reason: fmt.Sprintf(format, args...)}
}

// fetch is called before the page at rawURL is requested.
func (w *pageWalk) fetch(rawURL string) error {
	key := pageKey(rawURL)
	if p, ok := w.read[key]; ok {
		return w.fail("its next page is page %d again", p)
	}
	if w.page == maxPages {
		return w.fail("more than %d pages; GitHub keeps saying there is a next page", maxPages)
	}
	w.page++
	w.read[key] = w.page
	return nil
}

// items records the keys of the items of the page just read; more says
// whether the page said there is a next one, which a page that brought
// nothing new must not.
func (w *pageWalk) items(keys []string, more bool) error {
	added := 0
	for _, k := range keys {
		if _, ok := w.seen[k]; !ok {
			w.seen[k] = struct{}{}
			added++
		}
	}
	switch {
	case !more || added > 0:
		return nil
	case len(keys) == 0:
		return w.fail("it brought no %s, yet says there is a next page", w.what)
	default:
		return w.fail("it brought no %s not already read, yet says there is a next page", w.what)
	}
}

// pageKey is a page URL as the page's identity: scheme and host in lower
// case, the query's parameters sorted (a Link need not keep the order they
// were sent in), no fragment, and page=1 the same as no page (GitHub's
// links to the first page spell it out, the first request does not).
func pageKey(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return rawURL
	}
	q := u.Query()
	for _, vs := range q {
		slices.Sort(vs)
	}
	if p := q["page"]; len(p) == 1 && strings.TrimLeft(p[0], "0") == "1" {
		q.Del("page")
	}
	return strings.ToLower(u.Scheme) + "://" + strings.ToLower(u.Host) + u.EscapedPath() + "?" + q.Encode()
}

// pageFunc reads one page of a walk. It returns the keys of the page's
// items (see pageWalk) and, for an endpoint whose pages may come without a
// Link header, the URL to ask for next when the page has none ("" for
// none).
type pageFunc func(resp *http.Response) (keys []string, orNext string, err error)

// eachPage follows the Link header's rel="next" from the first page of e,
// handing each answer's body to page, under the guard of a pageWalk of
// what. It refuses to follow a link to another host, so the credential
// never leaves the configured API.
func (c *Client) eachPage(ctx context.Context, e endpoint, what string, page pageFunc) error {
	walk := newPageWalk(e, what)
	for next := c.url(e); next != ""; {
		if err := walk.fetch(next); err != nil {
			return err
		}
		resp, err := c.get(ctx, e, next)
		if err != nil {
			return err
		}
		keys, orNext, err := page(resp)
		resp.Body.Close()
		if err != nil {
			// A later 304 would confirm this page and fail the same way.
			c.etags.forget(next)
			return c.secrets.scrubError(err)
		}
		link, err := c.nextLink(e, resp)
		if err != nil {
			return err
		}
		if next = link; next == "" {
			next = orNext
		}
		if err := walk.items(keys, next != ""); err != nil {
			return err
		}
	}
	return nil
}

// nextLink is the absolute rel="next" target of an answer's Link header,
// resolved against the URL of the page that carried it, or "".
func (c *Client) nextLink(e endpoint, resp *http.Response) (string, error) {
	link := NextPageURL(resp.Header.Get("Link"))
	if link == "" {
		return "", nil
	}
	u, err := url.Parse(link)
	if err != nil {
		// Without the URL, which url.Error quotes: GitHub wrote it.
		return "", fmt.Errorf("GET %s: invalid Link header: %w", e.template, scrubURLError(err))
	}
	if u = resp.Request.URL.ResolveReference(u); !sameOrigin(u, c.base) {
		return "", fmt.Errorf("GET %s: Link header points to another host, port or scheme: %q", e.template, u.Scheme+"://"+u.Host)
	}
	return u.String(), nil
}

// NextPageURL returns the rel="next" target of an RFC 8288 Link header, or "".
func NextPageURL(header string) string {
	for header != "" {
		header = strings.TrimLeft(header, " ,")
		if !strings.HasPrefix(header, "<") {
			return ""
		}
		end := strings.IndexByte(header, '>')
		if end < 0 {
			return ""
		}
		target := header[1:end]
		var params []string
		params, header = splitLinkParams(header[end+1:])
		for _, p := range params {
			k, v, ok := strings.Cut(strings.TrimSpace(p), "=")
			if !ok || !strings.EqualFold(strings.TrimSpace(k), "rel") {
				continue
			}
			for rel := range strings.FieldsSeq(strings.Trim(strings.TrimSpace(v), `"`)) {
				if strings.EqualFold(rel, "next") {
					return target
				}
			}
		}
	}
	return ""
}

// splitLinkParams splits the parameters of one link (";"-separated) from the
// links after it (","-separated), ignoring separators inside quoted strings.
func splitLinkParams(s string) (params []string, rest string) {
	quoted, start := false, 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\':
			if quoted {
				i++
			}
		case '"':
			quoted = !quoted
		case ';':
			if !quoted {
				params = append(params, s[start:i])
				start = i + 1
			}
		case ',':
			if !quoted {
				return append(params, s[start:i]), s[i+1:]
			}
		}
	}
	return append(params, s[start:]), ""
}

// answered records a 2xx answer with its rate limit (haveRL: the answer
// stated one): the credential's run of failures ends, and an answer that
// leaves none of the limit's requests blocks the credential until the
// reset, since the next call would be refused.
func (c *Client) answered(rl RateLimit, haveRL bool) {
	c.limiter.succeeded()
	if haveRL && rl.Remaining == 0 && rl.Reset.After(c.now()) {
		c.limiter.block(c.now(), rl.Reset, fmt.Sprintf("primary rate limit of %.0f requests used up", rl.Limit))
	}
}

// parseRateLimit reads the x-ratelimit-* headers of an answer received at
// now. A reset further away than maxRateLimitReset is capped there, as
// Retry-After is: GitHub's windows last an hour, and a reset in the year
// 2286 (or at int64's maximum, which no time.Time formats) would stop the
// credential for good and export a nonsense gauge.
func parseRateLimit(h http.Header, now time.Time) (RateLimit, bool) {
	limit := h.Get("X-Ratelimit-Limit")
	remaining := h.Get("X-Ratelimit-Remaining")
	if limit == "" || remaining == "" {
		return RateLimit{}, false
	}
	rl := RateLimit{Resource: sanitizeResource(h.Get("X-Ratelimit-Resource"))}
	var ok bool
	if rl.Limit, ok = parseCount(limit); !ok {
		return RateLimit{}, false
	}
	if rl.Remaining, ok = parseCount(remaining); !ok {
		return RateLimit{}, false
	}
	rl.Used, _ = parseCount(h.Get("X-Ratelimit-Used"))
	if reset, err := strconv.ParseInt(h.Get("X-Ratelimit-Reset"), 10, 64); err == nil && reset > 0 {
		if limit := now.Add(maxRateLimitReset).Unix(); reset > limit {
			reset = limit
		}
		rl.Reset = time.Unix(reset, 0)
	}
	if rl.Resource == "" {
		rl.Resource = "core"
	}
	return rl, true
}

// maxResourceLen bounds the resource name kept from a header.
const maxResourceLen = 40

// sanitizeResource makes an X-RateLimit-Resource value fit to be a label
// value: GitHub's resources are lower-case words with underscores (core,
// search, graphql, code_scanning_upload); any other byte, invalid UTF-8
// included, becomes "_", and the name is cut at maxResourceLen bytes.
func sanitizeResource(v string) string {
	if len(v) > maxResourceLen {
		v = v[:maxResourceLen]
	}
	b := []byte(v)
	for i, c := range b {
		if (c < 'a' || c > 'z') && (c < 'A' || c > 'Z') && (c < '0' || c > '9') && c != '_' && c != '-' {
			b[i] = '_'
		}
	}
	return string(b)
}

// parseCount reads a rate-limit count. strconv.ParseFloat also takes NaN,
// Inf and negative numbers, which no count is and which would be exported
// as gauges.
func parseCount(v string) (float64, bool) {
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || f < 0 {
		return 0, false
	}
	return f, true
}

// limitedBody fails a read once more than max bytes have come, so an oversized
// answer is an error instead of a silently truncated document.
type limitedBody struct {
	io.ReadCloser
	remaining int64
	max       int64
}

func newLimitedBody(rc io.ReadCloser, limit int64) *limitedBody {
	return &limitedBody{ReadCloser: rc, remaining: limit, max: limit}
}

func (l *limitedBody) Read(p []byte) (int, error) {
	if l.remaining < 0 {
		return 0, &TooLargeError{Limit: l.max}
	}
	if int64(len(p)) > l.remaining+1 {
		p = p[:l.remaining+1]
	}
	n, err := l.ReadCloser.Read(p)
	l.remaining -= int64(n)
	if l.remaining < 0 {
		return 0, &TooLargeError{Limit: l.max}
	}
	return n, err
}
