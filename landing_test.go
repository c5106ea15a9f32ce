package main

import (
	"io"
	"net/http"
	"os"
	"regexp"
	"strings"
	"testing"
)

// The demo makes up data and needs no token, but listens on loopback only
// unless told otherwise.
func TestDemoListensOnLoopback(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--demo"}, "127.0.0.1:9786"},
		{[]string{"--demo", "--web.listen-address=:9999"}, ":9999"},
		{[]string{"--web.listen-address=127.0.0.1:1234", "--demo"}, "127.0.0.1:1234"},
		{[]string{}, ":9786"},
	} {
		f, err := parseFlags(tc.args, os.Stdout, os.Stderr)
		if err != nil {
			t.Fatalf("%v: %v", tc.args, err)
		}
		if got := *f.web.WebListenAddresses; len(got) != 1 || got[0] != tc.want {
			t.Errorf("%v: listens on %v, want [%s]", tc.args, got, tc.want)
		}
	}
}

var hrefPattern = regexp.MustCompile(`href="([^"]+)"`)

// Every link of the landing page answers, and the page shows each account's
// collectors with the state of their last refresh.
func TestLandingPageLinksAndStatus(t *testing.T) {
	env := newMainTestEnv(t, "organizations: [{name: acme-web}, {name: acme-data}]\n", mainTestOptions{})
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
