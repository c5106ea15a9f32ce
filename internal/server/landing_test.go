package server

import (
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
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
