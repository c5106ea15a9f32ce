package main

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/github-billing-exporter/github-billing-exporter/collector"
	"github.com/github-billing-exporter/github-billing-exporter/config"
	"github.com/github-billing-exporter/github-billing-exporter/githubapi/githubtest"
)

// The demo listens on loopback unless an address is given.
func TestDemoListensOnLoopback(t *testing.T) {
	for _, c := range []struct {
		args []string
		want []string
	}{
		{[]string{"--demo"}, []string{"127.0.0.1:9786"}},
		{[]string{"--demo", "--web.listen-address=:9900"}, []string{":9900"}},
		{[]string{"--demo", "--web.listen-address=:9786"}, []string{":9786"}},
		{[]string{"--config.file=x.yml"}, []string{":9786"}}, // not the demo: as before
	} {
		f := mainTestParse(t, c.args...)
		if f.demo {
			demoListenOnLoopback(f, slog.New(slog.DiscardHandler))
		}
		if got := *f.web.WebListenAddresses; strings.Join(got, " ") != strings.Join(c.want, " ") {
			t.Errorf("%v: listens on %v, want %v", c.args, got, c.want)
		}
	}
}

var linkRE = regexp.MustCompile(`(?:href|src)="([^"]*)"`)

// The landing page says it is the demo, shows a version under go test (no
// stamped version), lists each account's collectors with their last
// refresh, and every link on it answers 200.
func TestLandingPageLinksAndStatus(t *testing.T) {
	fake := githubtest.Start(t, githubtest.Demo(time.Now()))
	fake.RequireToken(demoToken)
	srv := newServer(serverConfig{
		source:        func() (*config.Resolved, error) { return demoConfig(fake.URL), nil },
		telemetryPath: "/metrics",
		scrapeTimeout: 10 * time.Second,
	})
	exp, err := collector.NewExporter(collector.Config{Collectors: legacyCollectorNames, Concurrency: 4})
	if err != nil {
		t.Fatal(err)
	}
	defer exp.Close()
	srv.exporter = exp
	if err := srv.reload(); err != nil {
		t.Fatal(err)
	}
	web := httptest.NewServer(srv.handler())
	defer web.Close()
	get := func(path string) (int, string) {
		t.Helper()
		u, err := url.Parse(web.URL + "/")
		if err != nil {
			t.Fatal(err)
		}
		ref, err := url.Parse(path)
		if err != nil {
			t.Fatalf("link %q: %v", path, err)
		}
		resp, err := http.Get(u.ResolveReference(ref).String())
		if err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body)
	}

	code, before := get("/")
	if code != http.StatusOK {
		t.Fatalf("/: %d", code)
	}
	if !strings.Contains(before, "not refreshed yet") || strings.Contains(before, `class="ok"`) {
		t.Error("before any scrape the collectors should be listed as not refreshed yet")
	}
	// One scrape refreshes every collector.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := exp.Scrape(ctx, nil).Gather(); err != nil {
		t.Fatal(err)
	}
	_, body := get("/")
	for _, want := range []string{
		"Demo mode.", "made up",
		"Version: dev", "go1.",
		// acme-web's actions collector worked; octocat's is retired (410).
		`<td>organization</td><td>acme-web</td><td>actions</td><td class="ok">ok</td><td>` + time.Now().UTC().Format("2006-01-02T"),
		`<td>user</td><td>octocat</td><td>actions</td><td class="retired">retired: GitHub answers 410 Gone</td>`,
		"ago)",
		`href="/probe?target=enterprise%2Facme-corp"`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("landing page lacks %q", want)
		}
	}
	for _, bad := range []string{"version=, branch=", "debug/pprof", "not refreshed yet"} {
		if strings.Contains(body, bad) {
			t.Errorf("landing page shows %q", bad)
		}
	}
	links := linkRE.FindAllStringSubmatch(body, -1)
	if len(links) < 3+4 {
		t.Fatalf("%d links on the landing page, want the metrics, health, readiness and 4 accounts' probes", len(links))
	}
	for _, l := range links {
		href := strings.ReplaceAll(l[1], "&amp;", "&")
		if strings.HasPrefix(href, "http") && !strings.HasPrefix(href, web.URL) {
			t.Errorf("link %q leaves the exporter", href)
			continue
		}
		if code, _ := get(href); code != http.StatusOK {
			t.Errorf("link %q answers %d", href, code)
		}
	}
}
