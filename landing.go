package main

import (
	"bytes"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"runtime"
	"runtime/debug"
	"sort"
	"strings"
	"time"

	"github.com/prometheus/common/version"
	"github.com/prometheus/exporter-toolkit/web"

	"github.com/github-billing-exporter/github-billing-exporter/collector"
	"github.com/github-billing-exporter/github-billing-exporter/config"
)

// demoFile is the File of the demo's configuration.
const demoFile = "(demo)"

// buildVersion describes the running binary: the version `make build`
// stamps, or what Go recorded for a binary built without it (go run, go
// build, go install).
func buildVersion() string {
	if version.Version != "" {
		return version.Info()
	}
	v, revision, modified := "dev", "", false
	if bi, ok := debug.ReadBuildInfo(); ok {
		if bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			v = bi.Main.Version
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				revision = s.Value
			case "vcs.modified":
				modified = s.Value == "true"
			}
		}
	}
	out := v
	if revision != "" {
		if len(revision) > 12 {
			revision = revision[:12]
		}
		out += ", revision " + revision
		if modified {
			out += " with local changes"
		}
	}
	return out + " (not stamped; make build stamps the version), " + runtime.Version()
}

// newLandingPage is the page at /: the version, whether this is the demo,
// the links that answer, and each account's collectors with their last
// refresh, as of each request. Profiling links are left out: the exporter
// serves no /debug/pprof.
func (s *server) newLandingPage(cfg *config.Resolved) (http.Handler, error) {
	render := func(now time.Time) (http.Handler, error) {
		var extra strings.Builder
		if cfg.File == demoFile {
			extra.WriteString(`<p id="demo"><strong>Demo mode.</strong> The data is made up: a simulated GitHub billing API on 127.0.0.1 answers, and no token is used. Run without <code>--demo</code>, with <code>--config.file</code>, to export your accounts.</p>` + "\n")
		} else {
			fmt.Fprintf(&extra, "<p>Configuration: <code>%s</code></p>\n", html.EscapeString(cfg.File))
		}
		extra.WriteString(s.statusHTML(cfg, now))
		return web.NewLandingPage(web.LandingConfig{
			Name:        "GitHub Billing Exporter",
			Description: "Prometheus exporter for GitHub billing: Actions minutes, Packages, storage, Advanced Security and the billing platform's per-SKU costs.",
			Version:     buildVersion(),
			Profiling:   "false",
			Links: []web.LandingLinks{
				{Address: s.telemetryPath, Text: "Metrics"},
				{Address: "/-/healthy", Text: "Health"},
				{Address: "/-/ready", Text: "Readiness"},
			},
			ExtraCSS:  "table { border-collapse: collapse; } td, th { padding: 0.2em 0.8em; text-align: left; border-bottom: 1px solid #ddd; } .ok { color: #1a7f37; } .failing { color: #cf222e; } .retired, .pending { color: #6e7781; } #demo { background: #fff8c5; padding: 0.5em; }",
			ExtraHTML: extra.String(),
		})
	}
	if _, err := render(time.Now()); err != nil {
		return nil, err
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h, err := render(time.Now())
		if err != nil {
			http.Error(w, "landing page: "+err.Error(), http.StatusInternalServerError)
			return
		}
		h.ServeHTTP(w, r)
	}), nil
}

// statusHTML lists the accounts, and each one's collectors: whether the
// last refresh worked and when it ended.
func (s *server) statusHTML(cfg *config.Resolved, now time.Time) string {
	var b bytes.Buffer
	targets := append([]config.Target(nil), cfg.Targets...)
	sort.SliceStable(targets, func(i, j int) bool { return targets[i].Account.Scope < targets[j].Account.Scope })
	b.WriteString("<h2>Accounts</h2>\n<table><tr><th>scope</th><th>account</th><th>credential</th><th>collectors</th></tr>\n")
	var status []collector.Status
	if s.exporter != nil {
		status = s.exporter.Status()
	}
	for _, t := range targets {
		probe := "/probe?target=" + url.QueryEscape(string(t.Account.Scope)+"/"+t.Account.Name)
		var ok, failing, pending, retired int
		for _, st := range status {
			if st.Account != t.Account {
				continue
			}
			switch {
			case st.Retired:
				retired++
			case !st.Refreshed:
				pending++
			case st.OK:
				ok++
			default:
				failing++
			}
		}
		summary := fmt.Sprintf("%d ok", ok)
		if failing > 0 {
			summary += fmt.Sprintf(`, <span class="failing">%d failing</span>`, failing)
		}
		if retired > 0 {
			summary += fmt.Sprintf(", %d retired (410)", retired)
		}
		if pending > 0 {
			summary += fmt.Sprintf(", %d not refreshed yet", pending)
		}
		fmt.Fprintf(&b, "<tr><td>%s</td><td><a href=\"%s\">%s</a></td><td>%s</td><td>%s</td></tr>\n",
			html.EscapeString(string(t.Account.Scope)), html.EscapeString(probe), html.EscapeString(t.Account.Name),
			html.EscapeString(t.Credential), summary)
	}
	b.WriteString("</table>\n")
	b.WriteString("<h2>Collectors</h2>\n<p>A refresh runs when a scrape finds the data older than the refresh interval; this page never calls GitHub.</p>\n")
	b.WriteString("<table><tr><th>scope</th><th>account</th><th>collector</th><th>status</th><th>last refresh</th><th>data fetched</th></tr>\n")
	when := func(t time.Time) string {
		if t.IsZero() {
			return "never"
		}
		return fmt.Sprintf("%s (%s ago)", t.UTC().Format(time.RFC3339), now.Sub(t).Round(time.Second))
	}
	for _, st := range status {
		state, class := "ok", "ok"
		switch {
		case st.Retired:
			state, class = "retired: GitHub answers 410 Gone", "retired"
		case !st.Refreshed:
			state, class = "not refreshed yet", "pending"
		case !st.OK:
			state, class = "failing (the log says why)", "failing"
		}
		fmt.Fprintf(&b, "<tr><td>%s</td><td>%s</td><td>%s</td><td class=\"%s\">%s</td><td>%s</td><td>%s</td></tr>\n",
			html.EscapeString(string(st.Account.Scope)), html.EscapeString(st.Account.Name), html.EscapeString(st.Collector),
			class, state, when(st.Attempted), when(st.Fetched))
	}
	b.WriteString("</table>")
	return b.String()
}
