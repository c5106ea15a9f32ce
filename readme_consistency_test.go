package main

import (
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// githubAnchor is the anchor GitHub gives a Markdown heading.
func githubAnchor(heading string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(strings.TrimSpace(heading)) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '-', r == '_':
			b.WriteRune(r)
		case r == ' ':
			b.WriteRune('-')
		case r > 127 && r != '—' && r != '–' && r != '→' && r != '·' && r != '≥':
			b.WriteRune(r)
		}
	}
	return b.String()
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(raw)
}

// markdownAnchors are the anchors GitHub gives the headings of a Markdown
// text, code blocks left out.
func markdownAnchors(text string) map[string]bool {
	anchors := map[string]bool{}
	inCode := false
	for line := range strings.SplitSeq(text, "\n") {
		if strings.HasPrefix(line, "```") {
			inCode = !inCode
		}
		if !inCode && strings.HasPrefix(line, "#") {
			anchors[githubAnchor(strings.TrimLeft(line, "#"))] = true
		}
	}
	return anchors
}

// documentation is the README, CONTRIBUTING.md and every page under docs/
// (the pages the README links to, the runbook and the generated tables).
func documentation(t *testing.T) []string {
	t.Helper()
	pages, err := filepath.Glob("docs/*.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, doc := range generatedDocs {
		if !slices.Contains(pages, doc.path) {
			t.Fatalf("the generated %s is not under docs/", doc.path)
		}
	}
	if len(pages) < len(generatedDocs)+10 {
		t.Fatalf("docs/ holds %d pages: %v", len(pages), pages)
	}
	return append([]string{"README.md", "CONTRIBUTING.md"}, pages...)
}

// Every in-page link of the README and the pages under docs/, every link
// between them, and every runbook_url of the rules, reaches a heading;
// every relative link reaches a file of the repository; a sentence that
// points to a section by its quoted name ("see "Configuration"") names one
// that exists.
func TestReadmeSectionLinksResolve(t *testing.T) {
	docs := documentation(t)
	anchorsOf := map[string]map[string]bool{}
	for _, doc := range docs {
		anchorsOf[doc] = markdownAnchors(readFile(t, doc))
	}
	runbookAnchors := anchorsOf["docs/runbook.md"]
	links, files := 0, 0
	for _, doc := range docs {
		text := readFile(t, doc)
		for _, m := range regexp.MustCompile(`\]\(([^)#:]*)#([^)]+)\)`).FindAllStringSubmatch(text, -1) {
			target := doc
			if m[1] != "" {
				target = filepath.ToSlash(filepath.Join(filepath.Dir(doc), m[1]))
			}
			anchors, ok := anchorsOf[target]
			if !ok {
				continue
			}
			links++
			if !anchors[m[2]] {
				t.Errorf("%s links to %s#%s, which no heading of %s has", doc, m[1], m[2], target)
			}
		}
		for _, m := range regexp.MustCompile(`\]\(([^)#:\s]+)(#[^)]*)?\)`).FindAllStringSubmatch(text, -1) {
			files++
			if _, err := os.Stat(filepath.Join(filepath.Dir(doc), m[1])); err != nil {
				t.Errorf("%s links to %s, which is no file of the repository: %v", doc, m[1], err)
			}
		}
	}
	if links < 20 || files < 40 {
		t.Errorf("found %d links to headings and %d to files between the documents: the check proves nothing", links, files)
	}
	rules := readFile(t, "deploy/prometheus/rules/github-billing.rules.yml")
	urls := regexp.MustCompile(`runbook_url: \S+/blob/main/docs/runbook\.md#([a-z0-9-]+)`).FindAllStringSubmatch(rules, -1)
	if n := strings.Count(rules, "runbook_url:"); n == 0 || len(urls) != n {
		t.Errorf("%d of the rules' %d runbook_url point at docs/runbook.md#…", len(urls), n)
	}
	for _, m := range urls {
		if !runbookAnchors[m[1]] {
			t.Errorf("a rule's runbook_url points at docs/runbook.md#%s, which no heading has", m[1])
		}
	}
	headings := map[string]bool{}
	for _, doc := range docs {
		for _, m := range regexp.MustCompile(`(?m)^#+ (.+)$`).FindAllStringSubmatch(readFile(t, doc), -1) {
			headings[strings.TrimSpace(m[1])] = true
		}
	}
	for _, doc := range docs {
		for _, m := range regexp.MustCompile(`(?i)see "([^"]+)"`).FindAllStringSubmatch(readFile(t, doc), -1) {
			if !headings[m[1]] {
				t.Errorf("%s says see %q, which is no heading", doc, m[1])
			}
		}
	}
}

// The job that scrapes the exporter has one name in the README and the
// pages under docs/, the shipped Prometheus configs, and every query that
// selects a job (documentation, rules, dashboards).
func TestPrometheusJobNamesAgree(t *testing.T) {
	const want = "github-billing-exporter"
	files := append(documentation(t), "deploy/docker-compose/prometheus.yml", "deploy/prometheus/prometheus-e2e.yml",
		"deploy/prometheus/rules/github-billing.rules.yml")
	dashboards, err := filepath.Glob("dashboards/*.json")
	if err != nil {
		t.Fatal(err)
	}
	files = append(files, dashboards...)
	jobs := map[string]bool{}
	for _, f := range files {
		for _, m := range regexp.MustCompile(`job_name:\s*['"]?([A-Za-z0-9_.-]+)`).FindAllStringSubmatch(readFile(t, f), -1) {
			jobs[m[1]] = true
		}
	}
	if !jobs[want] {
		t.Fatalf("no Prometheus config names the job %q; jobs: %v", want, jobs)
	}
	for _, f := range files {
		body := readFile(t, f)
		for _, m := range regexp.MustCompile(`job_name:\s*['"]?(github-billing[A-Za-z0-9_.-]*)`).FindAllStringSubmatch(body, -1) {
			if m[1] != want && m[1] != "github-billing-probe" {
				t.Errorf("%s: job %q, want %q (or github-billing-probe for /probe)", f, m[1], want)
			}
		}
		for _, m := range regexp.MustCompile(`job\s*=~?\s*\\?"([^"\\]+)\\?"`).FindAllStringSubmatch(body, -1) {
			if !jobs[m[1]] {
				t.Errorf("%s selects job=%q, which no shipped Prometheus config scrapes (jobs: %v)", f, m[1], slices.Sorted(maps.Keys(jobs)))
			}
		}
	}
}

// No sentence of the README or a page under docs/ says the exporter lacks a
// metric that the demo exports: it names the metric, or a thing one of
// these metrics is.
func TestReadmeClaimsNoMissingMetricThatExists(t *testing.T) {
	exported := demoMetricNames(t)
	things := map[string]string{
		"refresh interval":  "github_billing_collector_refresh_interval_seconds",
		"refresh_interval":  "github_billing_collector_refresh_interval_seconds",
		"last success":      "github_billing_collector_last_success_timestamp_seconds",
		"rate limit":        "github_billing_api_rate_limit_remaining",
		"price per unit":    "github_billing_usage_price_per_unit_usd",
		"build information": "github_billing_exporter_build_info",
	}
	negation := regexp.MustCompile(`(?i)\b(does not|doesn't|do not|never) export|\bis not exported|\bare not exported|\bno metric (for|of)\b`)
	for _, doc := range documentation(t) {
		text := readFile(t, doc)
		for _, sentence := range regexp.MustCompile(`[^.!?]+[.!?]`).FindAllString(strings.ReplaceAll(text, "\n", " "), -1) {
			if !negation.MatchString(sentence) {
				continue
			}
			for _, name := range regexp.MustCompile(`github_billing_[a-z0-9_]+`).FindAllString(sentence, -1) {
				if exported[name] {
					t.Errorf("%s says %s is missing, but the exporter exports it: %q", doc, name, strings.TrimSpace(sentence))
				}
			}
			for thing, metric := range things {
				if strings.Contains(strings.ToLower(sentence), thing) && exported[metric] {
					t.Errorf("%s says the %s is not exported, but %s is: %q", doc, thing, metric, strings.TrimSpace(sentence))
				}
			}
		}
	}
}
