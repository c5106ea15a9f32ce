package server

import (
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/github-billing-exporter/github-billing-exporter/internal/fakegithub"
)

var hrefPattern = regexp.MustCompile(`href="([^"]+)"`)

// Every link of the landing page answers, and the page shows each account's
// collectors with the state of their last refresh.
func TestLandingPageLinksAndStatus(t *testing.T) {
	env := newTestEnv(t, "organizations: [{name: acme-web}, {name: acme-data}]\n", testEnvOptions{})
	code, _, page := env.get(t, http.MethodGet, "/", nil)
	if code != http.StatusOK {
		t.Fatalf("/: %d", code)
	}
	if !strings.Contains(page, "not scraped yet") {
		t.Errorf("before any scrape the page does not say so:\n%s", page)
	}
	env.metrics(t)
	_, _, page = env.get(t, http.MethodGet, "/", nil)
	links := hrefPattern.FindAllStringSubmatch(page, -1)
	if len(links) < 4 {
		t.Fatalf("%d links on the landing page, want metrics, health, ready and a probe per account:\n%s", len(links), page)
	}
	for _, l := range links {
		href := strings.ReplaceAll(l[1], "&amp;", "&")
		if strings.HasPrefix(href, "http") || strings.HasPrefix(href, "#") {
			continue
		}
		if !strings.HasPrefix(href, "/") {
			href = "/" + href
		}
		resp, err := http.Get(env.http.URL + href)
		if err != nil {
			t.Fatalf("%s: %v", href, err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("link %s answers %d", href, resp.StatusCode)
		}
	}
	if strings.Contains(page, "debug/pprof") {
		t.Error("the page links to profiling, which is not served")
	}
	// acme-web's actions collector worked: its row says ok with a time.
	row := regexp.MustCompile(`acme-web</a></td><td>[^<]*</td><td>actions</td><td>ok</td><td>20\d\d-\d\d-\d\dT`)
	if !row.MatchString(page) {
		t.Errorf("no ok row with a fetch time for acme-web's actions collector:\n%s", page)
	}
	if strings.Contains(page, "Demo mode") {
		t.Error("a configured exporter calls itself the demo")
	}
}

// With an organization refused (403) and another's collector not found
// (404), the landing page says which collectors fail and why, row by row and
// in a summary line above the table, and that totals over accounts leave
// their data out; a row that never worked says so.
func TestLandingPageShowsEachFailureAndItsClass(t *testing.T) {
	env := newTestEnv(t, "organizations: [{name: acme-web}, {name: acme-data}]\nusers: [{name: octocat}]\n", testEnvOptions{})
	env.fake.Override("/orgs/acme-web/settings/billing/actions", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("X-Accepted-GitHub-Permissions", "administration=read")
		fakegithub.WriteError(w, http.StatusForbidden, "Resource not accessible by personal access token")
	})
	env.fake.Override("/orgs/acme-data/settings/billing/packages", func(w http.ResponseWriter, _ *http.Request) {
		fakegithub.WriteError(w, http.StatusNotFound, "Not Found")
	})
	env.metrics(t)
	_, _, page := env.get(t, http.MethodGet, "/", nil)
	// 4 collectors for each organization and 3 for the user (Advanced
	// Security is not a user's): 11 rows; acme-web's actions and
	// acme-data's packages fail, octocat's 3 are retired, 6 work.
	summary := "<strong>2 of 11 collectors are failing: totals that sum over accounts leave their data out.</strong> " +
		"1 failing: missing permission, 1 failing: not found, 6 ok, 3 retired (410)."
	if !strings.Contains(page, summary) {
		t.Errorf("no summary line %q:\n%s", summary, page)
	}
	for _, row := range []string{
		`acme-web</a></td><td>[^<]*</td><td>actions</td><td>failing: missing permission</td><td>never</td>`,
		`acme-data</a></td><td>[^<]*</td><td>packages</td><td>failing: not found</td><td>never</td>`,
		`acme-web</a></td><td>[^<]*</td><td>packages</td><td>ok</td><td>20\d\d-\d\d-\d\dT`,
		`octocat</a></td><td>[^<]*</td><td>actions</td><td>retired \(410\)</td>`,
	} {
		if !regexp.MustCompile(row).MatchString(page) {
			t.Errorf("no row matching %s:\n%s", row, page)
		}
	}
	if !strings.Contains(page, "<th>last worked</th>") {
		t.Error("the table does not say when each collector last worked")
	}
}
