package githubapi_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/github-billing-exporter/github-billing-exporter/githubapi"
	"github.com/github-billing-exporter/github-billing-exporter/internal/fakegithub"
	"github.com/github-billing-exporter/github-billing-exporter/internal/fakegithub/fakegithubtest"
)

// A 304 carries no Link header (a strict cache sends only the
// headers RFC 9110 §15.4.5 lists), so the stored answer's Link must be
// merged back (RFC 9111 §4.3.4) or pagination stops after page 1, with
// success.
func TestNotModifiedKeepsStoredLinkForPagination(t *testing.T) {
	d := fakegithub.NewDataset()
	repos := make([]githubapi.AdvancedSecurityRepository, 250)
	for i := range repos {
		repos[i] = githubapi.AdvancedSecurityRepository{Name: fmt.Sprintf("acme-web/repo-%03d", i), AdvancedSecurityCommitters: 1}
	}
	d.Organizations["acme-web"] = &fakegithub.AccountData{AdvancedSecurity: &githubapi.AdvancedSecurityCommitters{
		TotalAdvancedSecurityCommitters: 250, TotalCount: 250, Repositories: repos,
	}}
	srv := fakegithubtest.Start(t, d)
	srv.EnableETags(true)
	obs := &codeObserver{}
	c := newTestClient(t, srv, &clock{now: time.Now()}, obs)
	for round := 1; round <= 2; round++ {
		got, err := c.AdvancedSecurityCommitters(context.Background(), acmeWeb)
		if err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		// 250 repositories, 100 a page: pages 1, 2 and 3.
		if len(got.Repositories) != 250 || got.Repositories[249].Name != "acme-web/repo-249" {
			t.Errorf("round %d: %d repositories, want all 250", round, len(got.Repositories))
		}
	}
	if want := "[200 200 200 304 304 304]"; fmt.Sprint(obs.codes) != want {
		t.Errorf("codes = %v, want %s", obs.codes, want)
	}
}

// The fake's 304 is strict: it carries the ETag and the fake's own headers
// (rate limits), not the handler's Link or Content-Type.
func TestFakeNotModifiedIsStrict(t *testing.T) {
	srv := newFake(t)
	srv.EnableETags(true)
	c := newTestClient(t, srv, &clock{now: time.Now()}, nil)
	if _, err := c.AdvancedSecurityCommitters(context.Background(), acmeWeb); err != nil {
		t.Fatal(err)
	}
	resp := rawGet(t, srv.URL+"/orgs/acme-web/settings/billing/advanced-security?per_page=10", "")
	etag := resp.Header.Get("ETag")
	if resp.Header.Get("Link") == "" || etag == "" {
		t.Fatalf("the first page has no Link or no ETag: %v", resp.Header)
	}
	resp = rawGet(t, srv.URL+"/orgs/acme-web/settings/billing/advanced-security?per_page=10", etag)
	if resp.StatusCode != 304 {
		t.Fatalf("status %d, want 304", resp.StatusCode)
	}
	for k := range resp.Header {
		if strings.EqualFold(k, "Link") || strings.EqualFold(k, "Content-Type") {
			t.Errorf("304 carries %s: %v", k, resp.Header)
		}
	}
	if resp.Header.Get("ETag") != etag || resp.Header.Get("X-Ratelimit-Remaining") == "" {
		t.Errorf("304 lacks its ETag or rate limits: %v", resp.Header)
	}
}

// rawGet sends one GET with an optional If-None-Match and returns the
// answer, body read and closed.
func rawGet(t *testing.T, url, etag string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if etag != "" {
		req.Header.Set("If-None-Match", etag)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body) //nolint:errcheck // test
	resp.Body.Close()
	return resp
}
