package githubapi_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/github-billing-exporter/github-billing-exporter/githubapi"
	"github.com/github-billing-exporter/github-billing-exporter/internal/fakegithub"
	"github.com/github-billing-exporter/github-billing-exporter/internal/fakegithub/fakegithubtest"
	"github.com/github-billing-exporter/github-billing-exporter/internal/testutil"
)

var orgWeb = githubapi.Account{Scope: githubapi.ScopeOrganization, Name: "acme-web"}

// recordedRequest is what a test server saw of one request.
type recordedRequest struct {
	Path, RawQuery string
	Header         http.Header
}

// recorder is an httptest server that records requests and answers with
// answer.
type recorder struct {
	*httptest.Server
	mu       sync.Mutex
	requests []recordedRequest
}

func newRecorder(t *testing.T, answer http.HandlerFunc) *recorder {
	t.Helper()
	r := &recorder{}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		r.mu.Lock()
		r.requests = append(r.requests, recordedRequest{Path: req.URL.Path, RawQuery: req.URL.RawQuery, Header: req.Header.Clone()})
		r.mu.Unlock()
		answer(w, req)
	}))
	t.Cleanup(r.Close)
	return r
}

func (r *recorder) seen() []recordedRequest {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]recordedRequest(nil), r.requests...)
}

func newClient(t *testing.T, o githubapi.Options) *githubapi.Client {
	t.Helper()
	c, err := githubapi.New(o)
	if err != nil {
		t.Fatalf("New(%+v): %v", o, err)
	}
	return c
}

func tokenClient(token string) *http.Client {
	return &http.Client{Transport: &githubapi.TokenTransport{Token: token, Base: http.DefaultTransport}}
}

// examplesDir holds the example bodies the fake GitHub serves.
const examplesDir = "testdata/examples/"

const actionsBody = `{"total_minutes_used": 305, "total_paid_minutes_used": 0, "included_minutes": 3000, "minutes_used_breakdown": {"UBUNTU": 205}}`

func TestClientHeaders(t *testing.T) {
	srv := newRecorder(t, fakegithubtest.ServeString(actionsBody))
	c := newClient(t, githubapi.Options{
		BaseURL:    srv.URL,
		HTTPClient: tokenClient("tok-123"),
		UserAgent:  "github-billing-exporter/1.2.3",
	})
	if _, err := c.ActionsBilling(context.Background(), orgWeb); err != nil {
		t.Fatal(err)
	}
	reqs := srv.seen()
	if len(reqs) != 1 {
		t.Fatalf("%d requests, want 1", len(reqs))
	}
	want := map[string]string{
		"Accept":               "application/vnd.github+json",
		"X-Github-Api-Version": "2022-11-28",
		"User-Agent":           "github-billing-exporter/1.2.3",
		"Authorization":        "Bearer tok-123",
	}
	for k, v := range want {
		if got := reqs[0].Header.Get(k); got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
}

// A binary built without the version ldflags (go build, go run) has an
// empty version; the User-Agent still names one: the build's module
// version, or "dev".
func TestClientDefaultUserAgent(t *testing.T) {
	buildVersion := "dev"
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		buildVersion = bi.Main.Version
	}
	for _, tc := range []struct{ given, want string }{
		{"", "github-billing-exporter/" + buildVersion},
		{"github-billing-exporter/1.2.3", "github-billing-exporter/1.2.3"},
		{"custom", "custom"},
	} {
		srv := newRecorder(t, fakegithubtest.ServeString(actionsBody))
		c := newClient(t, githubapi.Options{BaseURL: srv.URL, UserAgent: tc.given})
		if _, err := c.ActionsBilling(context.Background(), orgWeb); err != nil {
			t.Fatal(err)
		}
		if ua := srv.seen()[0].Header.Get("User-Agent"); ua != tc.want {
			t.Errorf("UserAgent %q: sent %q, want %q", tc.given, ua, tc.want)
		}
		if auth := srv.seen()[0].Header.Get("Authorization"); auth != "" {
			t.Errorf("Authorization = %q without a TokenTransport", auth)
		}
	}
	if got := githubapi.UserAgent(""); got != "github-billing-exporter/"+buildVersion || strings.HasSuffix(got, "/") {
		t.Errorf(`UserAgent("") = %q`, got)
	}
	if got := githubapi.UserAgent("0.9.0"); got != "github-billing-exporter/0.9.0" {
		t.Errorf(`UserAgent("0.9.0") = %q`, got)
	}
}

func TestTokenTransportDoesNotPrintToken(t *testing.T) {
	tr := &githubapi.TokenTransport{Token: "tok-secret-xyz"}
	for _, s := range []string{fmt.Sprint(tr), fmt.Sprintf("%v", tr), tr.String()} {
		if strings.Contains(s, "tok-secret-xyz") {
			t.Errorf("formatted TokenTransport shows the token: %s", s)
		}
	}
}

// TokenTransport must not change the caller's request (RoundTripper contract).
func TestTokenTransportLeavesRequestAlone(t *testing.T) {
	srv := newRecorder(t, fakegithubtest.ServeString("{}"))
	req, err := http.NewRequest(http.MethodGet, srv.URL, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := (&githubapi.TokenTransport{Token: "t"}).RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if req.Header.Get("Authorization") != "" {
		t.Error("TokenTransport set Authorization on the caller's request")
	}
	if srv.seen()[0].Header.Get("Authorization") != "Bearer t" {
		t.Error("server did not get the bearer token")
	}
}

func TestClientBaseURLs(t *testing.T) {
	srv := newRecorder(t, fakegithubtest.ServeString(actionsBody))
	cases := []struct {
		base, wantPath string
	}{
		{srv.URL, "/orgs/x/settings/billing/actions"},
		{srv.URL + "/", "/orgs/x/settings/billing/actions"},
		{srv.URL + "/api/v3", "/api/v3/orgs/x/settings/billing/actions"},
		{srv.URL + "/api/v3/", "/api/v3/orgs/x/settings/billing/actions"},
		{srv.URL + "/api/v3//", "/api/v3/orgs/x/settings/billing/actions"},
	}
	for _, tc := range cases {
		c := newClient(t, githubapi.Options{BaseURL: tc.base})
		if _, err := c.ActionsBilling(context.Background(), githubapi.Account{Scope: githubapi.ScopeOrganization, Name: "x"}); err != nil {
			t.Errorf("base %q: %v", tc.base, err)
			continue
		}
		reqs := srv.seen()
		if got := reqs[len(reqs)-1].Path; got != tc.wantPath {
			t.Errorf("base %q: request path %q, want %q", tc.base, got, tc.wantPath)
		}
		if want := strings.TrimRight(tc.base, "/"); c.BaseURL() != want {
			t.Errorf("BaseURL() = %q, want %q", c.BaseURL(), want)
		}
	}
}

func TestNewRejectsBadBaseURL(t *testing.T) {
	for _, raw := range []string{"", "api.github.com", "ftp://x", "https://", "https://x/?a=1", "https://x/#f", "https://u:p@x"} {
		if _, err := githubapi.New(githubapi.Options{BaseURL: raw}); err == nil {
			t.Errorf("New(%q): no error", raw)
		}
	}
}

// Pagination through the fake GitHub: 250 repositories are three pages of 100.
func TestAdvancedSecurityPaginationFake(t *testing.T) {
	d := fakegithub.NewDataset()
	ghas := &githubapi.AdvancedSecurityCommitters{
		TotalAdvancedSecurityCommitters:     17,
		TotalCount:                          250,
		MaximumAdvancedSecurityCommitters:   20,
		PurchasedAdvancedSecurityCommitters: 25,
	}
	for i := 1; i <= 250; i++ {
		ghas.Repositories = append(ghas.Repositories, githubapi.AdvancedSecurityRepository{
			Name: fmt.Sprintf("acme/repo-%03d", i), AdvancedSecurityCommitters: float64(i % 5),
		})
	}
	d.Enterprises["acme"] = &fakegithub.AccountData{AdvancedSecurity: ghas}
	fake := fakegithubtest.Start(t, d)
	fake.RequireToken("fake-token")

	c := fakegithubtest.Client(t, fake, githubapi.Options{HTTPClient: tokenClient("fake-token")})
	got, err := c.AdvancedSecurityCommitters(context.Background(), githubapi.Account{Scope: githubapi.ScopeEnterprise, Name: "acme"})
	if err != nil {
		t.Fatal(err)
	}
	if n := fake.Requests("/enterprises/acme/settings/billing/advanced-security"); n != 3 {
		t.Errorf("%d requests, want 3 pages", n)
	}
	if len(got.Repositories) != 250 {
		t.Fatalf("%d repositories, want 250", len(got.Repositories))
	}
	for i, r := range got.Repositories {
		if want := fmt.Sprintf("acme/repo-%03d", i+1); r.Name != want {
			t.Fatalf("repository %d = %q, want %q (pages in order)", i, r.Name, want)
		}
	}
	if got.TotalAdvancedSecurityCommitters != 17 || got.TotalCount != 250 || got.MaximumAdvancedSecurityCommitters != 20 || got.PurchasedAdvancedSecurityCommitters != 25 {
		t.Errorf("totals = %+v", got)
	}
}

// pagedHandler serves three pages of one repository each, with GitHub-style
// absolute Link headers whose base is prefix.
func pagedHandler(t *testing.T) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		prefix := func() string { return "http://" + r.Host }
		page := r.URL.Query().Get("page")
		if page == "" {
			page = "1"
		}
		link := func(p, rel string) string {
			return fmt.Sprintf(`<%s%s?per_page=100&page=%s>; rel="%s"`, prefix(), r.URL.Path, p, rel)
		}
		var links []string
		var repo string
		switch page {
		case "1":
			links = []string{link("2", "next"), link("3", "last")}
			repo = "acme/one"
		case "2":
			links = []string{link("1", "prev"), link("3", "next"), link("3", "last"), link("1", "first")}
			repo = "acme/two"
		case "3":
			links = []string{link("2", "prev"), link("1", "first")}
			repo = "acme/three"
		default:
			t.Errorf("unexpected page %q", page)
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Link", strings.Join(links, ", "))
		// The totals differ per page; only the first page's count.
		fmt.Fprintf(w, `{"total_advanced_security_committers": %s, "total_count": 3, "maximum_advanced_security_committers": 9, "purchased_advanced_security_committers": 10,
			"repositories": [{"name": %q, "advanced_security_committers": %s, "advanced_security_committers_breakdown": []}]}`, page, repo, page)
	}
}

func TestAdvancedSecurityPaginationLinkHeader(t *testing.T) {
	for _, prefix := range []string{"", "/api/v3"} {
		t.Run("prefix="+prefix, func(t *testing.T) {
			srv := newRecorder(t, pagedHandler(t))
			c := newClient(t, githubapi.Options{BaseURL: srv.URL + prefix})
			got, err := c.AdvancedSecurityCommitters(context.Background(), orgWeb)
			if err != nil {
				t.Fatal(err)
			}
			reqs := srv.seen()
			if len(reqs) != 3 {
				t.Fatalf("%d requests, want 3", len(reqs))
			}
			wantPath := prefix + "/orgs/acme-web/settings/billing/advanced-security"
			for i, r := range reqs {
				if r.Path != wantPath {
					t.Errorf("request %d path %q, want %q", i, r.Path, wantPath)
				}
			}
			if reqs[0].RawQuery != "per_page=100" {
				t.Errorf("first request query %q, want per_page=100", reqs[0].RawQuery)
			}
			if reqs[2].RawQuery != "per_page=100&page=3" {
				t.Errorf("third request query %q, want per_page=100&page=3", reqs[2].RawQuery)
			}
			var names []string
			for _, r := range got.Repositories {
				names = append(names, r.Name)
			}
			if strings.Join(names, ",") != "acme/one,acme/two,acme/three" {
				t.Errorf("repositories = %v", names)
			}
			if got.TotalAdvancedSecurityCommitters != 1 || got.TotalCount != 3 {
				t.Errorf("totals = %v/%v, want the first page's 1/3", got.TotalAdvancedSecurityCommitters, got.TotalCount)
			}
		})
	}
}

func TestPaginationRefusesOtherHost(t *testing.T) {
	other := newRecorder(t, fakegithubtest.ServeString(`{"repositories": []}`))
	srv := newRecorder(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Link", fmt.Sprintf(`<%s%s?page=2>; rel="next"`, other.URL, r.URL.Path))
		fmt.Fprint(w, `{"total_count": 1, "repositories": []}`)
	})
	c := newClient(t, githubapi.Options{BaseURL: srv.URL, HTTPClient: tokenClient("tok-abc")})
	_, err := c.AdvancedSecurityCommitters(context.Background(), orgWeb)
	if err == nil {
		t.Fatal("followed a Link header to another host")
	}
	if !strings.Contains(err.Error(), "another host") {
		t.Errorf("error %q does not say the link goes to another host", err)
	}
	if n := len(other.seen()); n != 0 {
		t.Errorf("other host got %d requests", n)
	}
}

func TestNextPageURL(t *testing.T) {
	cases := []struct {
		name, header, want string
	}{
		{"only next", `<https://api.github.com/x?page=2>; rel="next"`, "https://api.github.com/x?page=2"},
		{"next not first", `<https://a/x?page=1>; rel="prev", <https://a/x?page=1>; rel="first", <https://a/x?page=3>; rel="next", <https://a/x?page=9>; rel="last"`, "https://a/x?page=3"},
		{"several rel values", `<https://a/x?page=1>; rel="prev", <https://a/x?page=3>; rel="next last"`, "https://a/x?page=3"},
		{"several rel values, next second", `<https://a/x?page=3>; rel="last next"`, "https://a/x?page=3"},
		{"comma inside quotes", `<https://a/x?page=1>; title="one, two"; rel="prev", <https://a/x?page=2>; rel="next"`, "https://a/x?page=2"},
		{"comma inside quotes in the next link", `<https://a/x?page=2>; title="a, b"; rel="next"`, "https://a/x?page=2"},
		{"unquoted rel", `<https://a/x?page=2>; rel=next`, "https://a/x?page=2"},
		{"case-insensitive", `<https://a/x?page=2>; REL="Next"`, "https://a/x?page=2"},
		{"spaces", `  <https://a/x?page=2> ;  rel = "next" `, "https://a/x?page=2"},
		{"no next", `<https://a/x?page=1>; rel="prev", <https://a/x?page=1>; rel="first"`, ""},
		{"nextish rel", `<https://a/x?page=2>; rel="next-archive"`, ""},
		{"empty", ``, ""},
		{"garbage", `garbage`, ""},
		{"unterminated", `<https://a/x?page=2; rel="next"`, ""},
		{"no rel", `<https://a/x?page=2>`, ""},
	}
	for _, tc := range cases {
		if got := githubapi.NextPageURL(tc.header); got != tc.want {
			t.Errorf("%s: NextPageURL(%q) = %q, want %q", tc.name, tc.header, got, tc.want)
		}
	}
}

func writeGitHubError(w http.ResponseWriter, code int, message string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(map[string]string{"message": message, "documentation_url": "https://docs.github.com/rest"})
}

func TestClientTypedErrors(t *testing.T) {
	retiredBody, err := os.ReadFile("testdata/examples/legacy-retired-410.observed.json")
	if err != nil {
		t.Fatal(err)
	}
	sentinels := []error{githubapi.ErrUnauthorized, githubapi.ErrForbidden, githubapi.ErrNotFound, githubapi.ErrRetired, githubapi.ErrServer, githubapi.ErrRateLimited}
	cases := []struct {
		name    string
		handler http.HandlerFunc
		want    error
		code    int
		message string
		extra   []string // further substrings of Error()
	}{
		{"401", func(w http.ResponseWriter, _ *http.Request) { writeGitHubError(w, 401, "Bad credentials") },
			githubapi.ErrUnauthorized, 401, "Bad credentials", nil},
		{"403", func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("X-Accepted-GitHub-Permissions", "administration=read")
			w.Header().Set("X-Ratelimit-Remaining", "4000")
			writeGitHubError(w, 403, "Resource not accessible by personal access token")
		}, githubapi.ErrForbidden, 403, "Resource not accessible by personal access token", []string{"administration=read"}},
		{"404", func(w http.ResponseWriter, _ *http.Request) { writeGitHubError(w, 404, "Not Found") },
			githubapi.ErrNotFound, 404, "Not Found", nil},
		{"410 observed body", func(w http.ResponseWriter, _ *http.Request) {
			w.WriteHeader(http.StatusGone)
			w.Write(retiredBody)
		}, githubapi.ErrRetired, 410, "This endpoint has been moved.", nil},
		{"500", func(w http.ResponseWriter, _ *http.Request) { writeGitHubError(w, 500, "Internal failure") },
			githubapi.ErrServer, 500, "Internal failure", nil},
		{"502", func(w http.ResponseWriter, _ *http.Request) { writeGitHubError(w, 502, "Bad gateway, try again") },
			githubapi.ErrServer, 502, "Bad gateway, try again", nil},
		{"503 without JSON", func(w http.ResponseWriter, _ *http.Request) {
			w.WriteHeader(503)
			fmt.Fprint(w, "<html>unicorn</html>")
		}, githubapi.ErrServer, 503, "", nil},
		{"429", func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Retry-After", "30")
			writeGitHubError(w, 429, "You have exceeded a secondary rate limit.")
		}, githubapi.ErrRateLimited, 429, "You have exceeded a secondary rate limit.", nil},
		{"403 with remaining 0", func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("X-Ratelimit-Limit", "5000")
			w.Header().Set("X-Ratelimit-Remaining", "0")
			w.Header().Set("X-Ratelimit-Reset", "1767225600")
			writeGitHubError(w, 403, "API rate limit exceeded for user ID 1.")
		}, githubapi.ErrRateLimited, 403, "API rate limit exceeded for user ID 1.", nil},
		{"429 bare", func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("X-Ratelimit-Remaining", "4000")
			writeGitHubError(w, 429, "Too many requests")
		}, githubapi.ErrRateLimited, 429, "Too many requests", nil},
		{"429 with remaining 0", func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("X-Ratelimit-Remaining", "0")
			writeGitHubError(w, 429, "slow down")
		}, githubapi.ErrRateLimited, 429, "slow down", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := newRecorder(t, tc.handler)
			// 5xx answers are retried: with millisecond backoffs.
			c := newClient(t, githubapi.Options{BaseURL: srv.URL, Retries: testutil.FastRetries})
			got, err := c.ActionsBilling(context.Background(), orgWeb)
			if err == nil {
				t.Fatalf("no error; got %+v", got)
			}
			for _, s := range sentinels {
				if is := errors.Is(err, s); is != (errors.Is(s, tc.want)) {
					t.Errorf("errors.Is(err, %q) = %v", s, is)
				}
			}
			var apiErr *githubapi.APIError
			if !errors.As(err, &apiErr) {
				t.Fatalf("error %T is not an *APIError", err)
			}
			if apiErr.StatusCode != tc.code {
				t.Errorf("StatusCode = %d, want %d", apiErr.StatusCode, tc.code)
			}
			if apiErr.Message != tc.message {
				t.Errorf("Message = %q, want %q", apiErr.Message, tc.message)
			}
			if apiErr.Endpoint != "/orgs/{org}/settings/billing/actions" || apiErr.Path != "/orgs/acme-web/settings/billing/actions" {
				t.Errorf("Endpoint, Path = %q, %q", apiErr.Endpoint, apiErr.Path)
			}
			for _, want := range append([]string{tc.message, fmt.Sprint(tc.code), "/orgs/acme-web/settings/billing/actions"}, tc.extra...) {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not contain %q", err, want)
				}
			}
		})
	}
}

func TestClientRetiredDocumentationURL(t *testing.T) {
	body, err := os.ReadFile("testdata/examples/legacy-retired-410.observed.json")
	if err != nil {
		t.Fatal(err)
	}
	srv := newRecorder(t, func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusGone)
		w.Write(body)
	})
	c := newClient(t, githubapi.Options{BaseURL: srv.URL})
	_, err = c.PackagesBilling(context.Background(), githubapi.Account{Scope: githubapi.ScopeUser, Name: "octocat"})
	var apiErr *githubapi.APIError
	if !errors.As(err, &apiErr) {
		t.Fatalf("error %v is not an *APIError", err)
	}
	if apiErr.DocumentationURL != "https://gh.io/billing-api-updates-org" {
		t.Errorf("DocumentationURL = %q", apiErr.DocumentationURL)
	}
	if apiErr.Endpoint != "/users/{username}/settings/billing/packages" {
		t.Errorf("Endpoint = %q", apiErr.Endpoint)
	}
}

func TestClientMalformedJSON(t *testing.T) {
	for _, body := range []string{`{"total_minutes_used": 305,`, `not json`, `{"total_minutes_used": "many"}`, ``} {
		srv := newRecorder(t, fakegithubtest.ServeString(body))
		c := newClient(t, githubapi.Options{BaseURL: srv.URL})
		_, err := c.ActionsBilling(context.Background(), orgWeb)
		var de *githubapi.DecodeError
		if !errors.As(err, &de) {
			t.Errorf("body %q: error %v is not a *DecodeError", body, err)
			continue
		}
		if de.Endpoint != "/orgs/{org}/settings/billing/actions" {
			t.Errorf("body %q: Endpoint = %q", body, de.Endpoint)
		}
		if _, ok := errors.AsType[*githubapi.APIError](err); ok {
			t.Errorf("body %q: a decode failure is also an *APIError", body)
		}
	}
}

func TestClientMalformedJSONOnSecondPage(t *testing.T) {
	srv := newRecorder(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("page") == "2" {
			fmt.Fprint(w, `{"repositories": [`)
			return
		}
		w.Header().Set("Link", fmt.Sprintf(`<http://%s%s?page=2>; rel="next"`, r.Host, r.URL.Path))
		// Page 1 brings a repository: an empty page that says next
		// is refused before page 2 (TestCopilotSeatsStopWhenPagesRepeat).
		fmt.Fprint(w, `{"total_count": 2, "repositories": [{"name": "acme/one", "advanced_security_committers": 1}]}`)
	})
	c := newClient(t, githubapi.Options{BaseURL: srv.URL})
	_, err := c.AdvancedSecurityCommitters(context.Background(), orgWeb)
	if _, ok := errors.AsType[*githubapi.DecodeError](err); !ok {
		t.Errorf("error %v is not a *DecodeError", err)
	}
}

func TestClientResponseTooLarge(t *testing.T) {
	// A valid document of 1000 bytes; the padding is inside the object.
	body := actionsBody[:len(actionsBody)-1] + strings.Repeat(" ", 1000-len(actionsBody)) + `}`
	if len(body) != 1000 {
		t.Fatalf("body is %d bytes", len(body))
	}
	srv := newRecorder(t, fakegithubtest.ServeString(body))

	c := newClient(t, githubapi.Options{BaseURL: srv.URL, MaxResponseBytes: 999})
	_, err := c.ActionsBilling(context.Background(), orgWeb)
	var tl *githubapi.TooLargeError
	if !errors.As(err, &tl) {
		t.Fatalf("error %v is not a *TooLargeError", err)
	}
	if tl.Limit != 999 || !strings.Contains(err.Error(), "999") {
		t.Errorf("TooLargeError = %v, want the limit 999", err)
	}

	// Exactly at the limit is fine.
	c = newClient(t, githubapi.Options{BaseURL: srv.URL, MaxResponseBytes: 1000})
	got, err := c.ActionsBilling(context.Background(), orgWeb)
	if err != nil {
		t.Fatalf("body at the limit: %v", err)
	}
	if got.TotalMinutesUsed != 305 {
		t.Errorf("TotalMinutesUsed = %v, want 305", got.TotalMinutesUsed)
	}
}

func TestClientDroppedConnection(t *testing.T) {
	srv := newRecorder(t, func(w http.ResponseWriter, _ *http.Request) {
		conn, _, err := http.NewResponseController(w).Hijack()
		if err != nil {
			t.Error(err)
			return
		}
		conn.Close()
	})
	obs := &recordingObserver{}
	c := newClient(t, githubapi.Options{BaseURL: srv.URL, Observer: obs, Retries: testutil.FastRetries})
	_, err := c.ActionsBilling(context.Background(), orgWeb)
	if err == nil {
		t.Fatal("no error for a dropped connection")
	}
	if _, ok := errors.AsType[*githubapi.APIError](err); ok {
		t.Errorf("a dropped connection is an *APIError: %v", err)
	}
	if !strings.Contains(err.Error(), "/orgs/acme-web/settings/billing/actions") {
		t.Errorf("error %q does not name the path", err)
	}
	// A dropped connection may be retried; every attempt is observed with
	// code 0 (no answer).
	reqs := obs.requests()
	if len(reqs) == 0 || len(reqs) != len(srv.seen()) {
		t.Errorf("observed %+v for %d requests sent", reqs, len(srv.seen()))
	}
	for _, r := range reqs {
		if r.code != 0 || r.endpoint != "/orgs/{org}/settings/billing/actions" {
			t.Errorf("observed %+v, want code 0 for the actions template", r)
		}
	}
}

func TestClientDroppedConnectionMidBody(t *testing.T) {
	srv := newRecorder(t, func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Length", "500")
		w.WriteHeader(200)
		fmt.Fprint(w, `{"total_minutes_used": 3`)
		w.(http.Flusher).Flush()
		conn, _, err := http.NewResponseController(w).Hijack()
		if err != nil {
			t.Error(err)
			return
		}
		conn.Close()
	})
	c := newClient(t, githubapi.Options{BaseURL: srv.URL})
	if _, err := c.ActionsBilling(context.Background(), orgWeb); err == nil {
		t.Fatal("no error for a body cut short")
	}
}

func TestClientContextCancellation(t *testing.T) {
	release := make(chan struct{})
	srv := newRecorder(t, func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	t.Cleanup(func() { close(release) })
	c := newClient(t, githubapi.Options{BaseURL: srv.URL})

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	start := time.Now()
	go func() {
		_, err := c.ActionsBilling(ctx, orgWeb)
		done <- err
	}()
	time.Sleep(50 * time.Millisecond)
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("error %v is not context.Canceled", err)
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("returned after %v", d)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the call ignored the cancelled context")
	}
}

func TestClientContextDeadlineDuringPagination(t *testing.T) {
	srv := newRecorder(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("page") == "2" {
			<-r.Context().Done()
			return
		}
		w.Header().Set("Link", fmt.Sprintf(`<http://%s%s?page=2>; rel="next"`, r.Host, r.URL.Path))
		// Page 1 brings a repository: an empty page that says next
		// is refused before page 2 (TestCopilotSeatsStopWhenPagesRepeat).
		fmt.Fprint(w, `{"total_count": 2, "repositories": [{"name": "acme/one", "advanced_security_committers": 1}]}`)
	})
	c := newClient(t, githubapi.Options{BaseURL: srv.URL})
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err := c.AdvancedSecurityCommitters(ctx, orgWeb)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("error %v is not context.DeadlineExceeded", err)
	}
}

type observedRequest struct {
	endpoint string
	code     int
}

type observedRateLimit struct {
	credential string
	rl         githubapi.RateLimit
}

type recordingObserver struct {
	mu    sync.Mutex
	reqs  []observedRequest
	rates []observedRateLimit
}

func (o *recordingObserver) ObserveRequest(endpoint string, code int, _ time.Duration) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.reqs = append(o.reqs, observedRequest{endpoint, code})
}

func (o *recordingObserver) ObserveRateLimit(credential string, rl githubapi.RateLimit) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.rates = append(o.rates, observedRateLimit{credential, rl})
}

func (o *recordingObserver) requests() []observedRequest {
	o.mu.Lock()
	defer o.mu.Unlock()
	return append([]observedRequest(nil), o.reqs...)
}

func (o *recordingObserver) rateLimits() []observedRateLimit {
	o.mu.Lock()
	defer o.mu.Unlock()
	return append([]observedRateLimit(nil), o.rates...)
}

func TestClientObservesRateLimitOnEveryAnswer(t *testing.T) {
	var calls atomic.Int32
	srv := newRecorder(t, func(w http.ResponseWriter, _ *http.Request) {
		n := int(calls.Add(1))
		h := w.Header()
		h.Set("X-Ratelimit-Limit", "5000")
		h.Set("X-Ratelimit-Remaining", fmt.Sprint(5000-n))
		h.Set("X-Ratelimit-Used", fmt.Sprint(n))
		h.Set("X-Ratelimit-Reset", "1767225600")
		if n == 1 {
			h.Set("X-Ratelimit-Resource", "core")
			fmt.Fprint(w, actionsBody)
			return
		}
		// No resource header: GitHub's core limit.
		writeGitHubError(w, 404, "Not Found")
	})
	obs := &recordingObserver{}
	c := newClient(t, githubapi.Options{BaseURL: srv.URL, Credential: "main", Observer: obs})
	if _, err := c.ActionsBilling(context.Background(), orgWeb); err != nil {
		t.Fatal(err)
	}
	if _, err := c.SharedStorageBilling(context.Background(), githubapi.Account{Scope: githubapi.ScopeEnterprise, Name: "acme"}); !errors.Is(err, githubapi.ErrNotFound) {
		t.Fatalf("error %v, want ErrNotFound", err)
	}
	wantReqs := []observedRequest{
		{"/orgs/{org}/settings/billing/actions", 200},
		{"/enterprises/{enterprise}/settings/billing/shared-storage", 404},
	}
	if got := obs.requests(); fmt.Sprint(got) != fmt.Sprint(wantReqs) {
		t.Errorf("requests = %v, want %v", got, wantReqs)
	}
	rates := obs.rateLimits()
	if len(rates) != 2 {
		t.Fatalf("rate limits = %+v, want one per answer", rates)
	}
	reset := time.Unix(1767225600, 0)
	for i, want := range []githubapi.RateLimit{
		{Resource: "core", Limit: 5000, Remaining: 4999, Used: 1, Reset: reset},
		{Resource: "core", Limit: 5000, Remaining: 4998, Used: 2, Reset: reset},
	} {
		got := rates[i]
		if got.credential != "main" {
			t.Errorf("answer %d: credential %q, want main", i, got.credential)
		}
		if got.rl.Resource != want.Resource || got.rl.Limit != want.Limit || got.rl.Remaining != want.Remaining || got.rl.Used != want.Used || !got.rl.Reset.Equal(want.Reset) {
			t.Errorf("answer %d: rate limit %+v, want %+v", i, got.rl, want)
		}
	}
}

func TestClientNoRateLimitHeaders(t *testing.T) {
	srv := newRecorder(t, fakegithubtest.ServeString(actionsBody))
	obs := &recordingObserver{}
	c := newClient(t, githubapi.Options{BaseURL: srv.URL, Observer: obs})
	if _, err := c.ActionsBilling(context.Background(), orgWeb); err != nil {
		t.Fatal(err)
	}
	if rates := obs.rateLimits(); len(rates) != 0 {
		t.Errorf("rate limits observed without headers: %+v", rates)
	}
	if reqs := obs.requests(); len(reqs) != 1 {
		t.Errorf("requests = %+v, want 1", reqs)
	}
}

// OriginOnly keeps the credential on the API host: a redirect to another host
// goes without the Authorization header.
func TestOriginOnlyRedirect(t *testing.T) {
	other := newRecorder(t, fakegithubtest.ServeString(actionsBody))
	api := newRecorder(t, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other.URL+r.URL.Path, http.StatusFound)
	})
	apiURL, err := url.Parse(api.URL)
	if err != nil {
		t.Fatal(err)
	}
	auth := &githubapi.TokenTransport{Token: "tok-host-only", Base: http.DefaultTransport}

	// Control: the bare TokenTransport does send the token to the other host,
	// so what the next client does not do is OriginOnly's work.
	bare := newClient(t, githubapi.Options{BaseURL: api.URL, HTTPClient: &http.Client{Transport: auth}})
	if _, err := bare.ActionsBilling(context.Background(), orgWeb); err != nil {
		t.Fatal(err)
	}
	if got := other.seen()[0].Header.Get("Authorization"); got != "Bearer tok-host-only" {
		t.Fatalf("control: other host got Authorization %q", got)
	}

	c := newClient(t, githubapi.Options{BaseURL: api.URL, HTTPClient: &http.Client{
		Transport: githubapi.OriginOnly(apiURL, auth, http.DefaultTransport),
	}})
	got, err := c.ActionsBilling(context.Background(), orgWeb)
	if err != nil {
		t.Fatal(err)
	}
	if got.TotalMinutesUsed != 305 {
		t.Errorf("TotalMinutesUsed = %v after the redirect", got.TotalMinutesUsed)
	}
	apiReqs, otherReqs := api.seen(), other.seen()
	if a := apiReqs[len(apiReqs)-1].Header.Get("Authorization"); a != "Bearer tok-host-only" {
		t.Errorf("API host got Authorization %q, want the bearer token", a)
	}
	if len(otherReqs) != 2 {
		t.Fatalf("other host got %d requests, want 2", len(otherReqs))
	}
	if a := otherReqs[1].Header.Get("Authorization"); a != "" {
		t.Errorf("other host got Authorization %q through OriginOnly", a)
	}
}

// APIError carries GitHub's message, never request headers.
func TestAPIErrorHasNoToken(t *testing.T) {
	srv := newRecorder(t, func(w http.ResponseWriter, _ *http.Request) { writeGitHubError(w, 401, "Bad credentials") })
	c := newClient(t, githubapi.Options{BaseURL: srv.URL, HTTPClient: tokenClient("tok-never-shown")})
	_, err := c.ActionsBilling(context.Background(), orgWeb)
	if err == nil || strings.Contains(err.Error(), "tok-never-shown") || strings.Contains(fmt.Sprintf("%+v", err), "tok-never-shown") {
		t.Errorf("error %+v", err)
	}
}

func TestAccountString(t *testing.T) {
	if got := orgWeb.String(); got != `organization "acme-web"` {
		t.Errorf("String() = %q", got)
	}
}

// BUG (client.go NextPageURL): parameters are split at every ';', also one
// inside a quoted string, so a quoted title containing "; rel=next" makes the
// link before it the next page (RFC 8288 allows ';' inside quoted strings).
func TestNextPageURLSemicolonInsideQuotes(t *testing.T) {
	header := `<https://a/x?page=1>; title="see; rel=next"; rel="prev", <https://a/x?page=9>; rel="last"`
	if got := githubapi.NextPageURL(header); got != "" {
		t.Errorf("NextPageURL(%q) = %q, want \"\" (no link has rel=next)", header, got)
	}
}

// BUG (client.go eachPage): a relative Link target is resolved against the
// API root instead of the URL of the page that carried it (RFC 8288 §3.2), so
// "<?page=2>" fetches /api/v3?page=2 instead of the endpoint's page 2.
func TestPaginationRelativeLinkResolvesAgainstRequestURL(t *testing.T) {
	srv := newRecorder(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("page") == "" {
			w.Header().Set("Link", `<?per_page=100&page=2>; rel="next"`)
		}
		fmt.Fprint(w, `{"total_count": 2, "repositories": [{"name": "acme/r", "advanced_security_committers": 1}]}`)
	})
	c := newClient(t, githubapi.Options{BaseURL: srv.URL + "/api/v3"})
	if _, err := c.AdvancedSecurityCommitters(context.Background(), orgWeb); err != nil {
		t.Fatal(err)
	}
	reqs := srv.seen()
	if len(reqs) != 2 {
		t.Fatalf("%d requests, want 2", len(reqs))
	}
	want := "/api/v3/orgs/acme-web/settings/billing/advanced-security"
	if reqs[1].Path != want || reqs[1].RawQuery != "per_page=100&page=2" {
		t.Errorf("page 2 fetched as %s?%s, want %s?per_page=100&page=2", reqs[1].Path, reqs[1].RawQuery, want)
	}
}

// brokenThenGood answers the first request with broken and ETag "v1", a
// request carrying If-None-Match "v1" with 304, and any other with good and
// ETag "v2": a server whose ETag confirms what it sent.
func brokenThenGood(broken, good string) http.HandlerFunc {
	var mu sync.Mutex
	sent := 0
	return func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		sent++
		switch {
		case r.Header.Get("If-None-Match") == `"v1"`:
			w.Header().Set("ETag", `"v1"`)
			w.WriteHeader(http.StatusNotModified)
		case sent == 1:
			w.Header().Set("ETag", `"v1"`)
			fmt.Fprint(w, broken)
		default:
			w.Header().Set("ETag", `"v2"`)
			fmt.Fprint(w, good)
		}
	}
}

// An answer that does not decode is not kept for conditional requests: the
// next request is unconditional and reads the server's good answer, instead
// of the 304 replaying the broken one on every refresh.
func TestETagForgetsAnswersThatDoNotDecode(t *testing.T) {
	const ghasGood = `{"total_advanced_security_committers": 2, "total_count": 1, "repositories": [{"name": "a/b", "advanced_security_committers": 2}]}`
	for _, tc := range []struct {
		name, broken, good string
		call               func(*githubapi.Client) error
	}{
		{"actions, not JSON", `{"total_minutes_used": 305,`, actionsBody, func(c *githubapi.Client) error {
			_, err := c.ActionsBilling(context.Background(), orgWeb)
			return err
		}},
		{"actions, a required field missing", `{"total_minutes_used": 305}`, actionsBody, func(c *githubapi.Client) error {
			_, err := c.ActionsBilling(context.Background(), orgWeb)
			return err
		}},
		{"advanced security page, not JSON", `{"repositories": [`, ghasGood, func(c *githubapi.Client) error {
			_, err := c.AdvancedSecurityCommitters(context.Background(), orgWeb)
			return err
		}},
		{"advanced security page, wrong type", `{"repositories": {}}`, ghasGood, func(c *githubapi.Client) error {
			_, err := c.AdvancedSecurityCommitters(context.Background(), orgWeb)
			return err
		}},
		{"usage report, wrong type", `{"usageItems": [{"product": "Actions", "quantity": "ten"}]}`, `{"usageItems": []}`, func(c *githubapi.Client) error {
			return c.Usage(context.Background(), orgWeb, githubapi.UsageQuery{Period: githubapi.Period{Year: 2026, Month: time.November}}, func(*githubapi.UsageItem) error { return nil })
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := newRecorder(t, brokenThenGood(tc.broken, tc.good))
			c := newClient(t, githubapi.Options{BaseURL: srv.URL})
			var de *githubapi.DecodeError
			if err := tc.call(c); !errors.As(err, &de) {
				t.Fatalf("broken answer: %v, want a *DecodeError", err)
			}
			if err := tc.call(c); err != nil {
				t.Fatalf("after the broken answer: %v", err)
			}
			reqs := srv.seen()
			if len(reqs) != 2 {
				t.Fatalf("%d requests, want 2", len(reqs))
			}
			if inm := reqs[1].Header.Get("If-None-Match"); inm != "" {
				t.Errorf("second request sent If-None-Match %s for the broken answer", inm)
			}
			// The good answer is kept: the third request is conditional.
			if err := tc.call(c); err != nil {
				t.Fatal(err)
			}
			if inm := srv.seen()[2].Header.Get("If-None-Match"); inm != `"v2"` {
				t.Errorf("third request: If-None-Match %q, want \"v2\"", inm)
			}
		})
	}
}

// A redirect loop is a deterministic failure. net/http gives up
// when asked to follow a 10th redirect, and retrying the request only
// repeats them: one refresh of one endpoint must cost the request and the 9
// redirects followed, 10 in all, not (1 + 3 retries) × 10 = 40.
func TestRedirectLoopIsNotRetried(t *testing.T) {
	var srv *httptest.Server
	var requests atomic.Int64
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		http.Redirect(w, r, srv.URL+r.URL.Path+"?loop="+fmt.Sprint(requests.Load()), http.StatusFound)
	}))
	t.Cleanup(srv.Close)
	c, err := githubapi.New(githubapi.Options{
		BaseURL:    srv.URL,
		HTTPClient: &http.Client{Transport: &githubapi.TokenTransport{Token: "t", Base: http.DefaultTransport}},
		Retries:    githubapi.RetryPolicy{Max: 3, Base: time.Millisecond, Cap: time.Millisecond},
	})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.ConsumedLicenses(context.Background(), githubapi.Account{Scope: githubapi.ScopeEnterprise, Name: "acme"})
	if err == nil || !strings.Contains(err.Error(), "redirect") {
		t.Fatalf("err = %v, want a redirect error", err)
	}
	if got := requests.Load(); got != 10 {
		t.Errorf("%d requests for one redirect loop, want 10 (the request and 9 redirects, no retry)", got)
	}
}
