package main

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"sort"
	"strings"
	"testing"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
)

// Accept headers as Prometheus 2.x and 3.x send them by default.
const (
	acceptPrometheus2 = "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1"
	acceptPrometheus3 = "application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.5,application/openmetrics-text;version=0.0.1;q=0.4,text/plain;version=1.0.0;escaping=allow-utf-8;q=0.3,text/plain;version=0.0.4;q=0.2,*/*;q=0.1"
	acceptProtobuf    = "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited;q=0.7,text/plain;version=0.0.4;q=0.3"
)

// scrapeAs gets path with the Accept and Accept-Encoding headers given and
// returns the content type and the body, unzipped when it came zipped.
func scrapeAs(t *testing.T, env *mainTestEnv, path, accept string, gz bool) (string, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, env.http.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept", accept)
	if gz {
		req.Header.Set("Accept-Encoding", "gzip")
	}
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%s: %d", path, resp.StatusCode)
	}
	var body io.Reader = resp.Body
	if got := resp.Header.Get("Content-Encoding"); (got == "gzip") != gz {
		t.Fatalf("%s with gzip=%v: Content-Encoding %q", path, gz, got)
	}
	if gz {
		zr, err := gzip.NewReader(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		body = zr
	}
	b, err := io.ReadAll(body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.Header.Get("Content-Type"), b
}

// decodeSeries decodes an answer with expfmt into name{labels} → value,
// failing on a family that comes twice.
func decodeSeries(t *testing.T, contentType string, body []byte) map[string]float64 {
	t.Helper()
	format := expfmt.Format(contentType)
	if format.FormatType() == expfmt.TypeOpenMetrics {
		// expfmt has no OpenMetrics decoder; for gauges the text parser
		// reads the same lines, and "# EOF" is a comment to it. The Go
		// runtime's counters are left out: OpenMetrics names their family
		// without _total, which clashes with gauges of that name in text.
		if !bytes.HasSuffix(body, []byte("\n# EOF\n")) {
			t.Fatalf("OpenMetrics answer does not end with # EOF")
		}
		var kept []string
		for _, line := range strings.SplitAfter(string(body), "\n") {
			if !strings.HasPrefix(strings.TrimPrefix(strings.TrimPrefix(line, "# HELP "), "# TYPE "), "go_") {
				kept = append(kept, line)
			}
		}
		body = []byte(strings.Join(kept, ""))
		format = expfmt.NewFormat(expfmt.TypeTextPlain)
	}
	dec := expfmt.NewDecoder(bytes.NewReader(body), format)
	out := map[string]float64{}
	seen := map[string]bool{}
	for {
		var mf dto.MetricFamily
		if err := dec.Decode(&mf); err == io.EOF {
			break
		} else if err != nil {
			t.Fatalf("decode %s: %v", contentType, err)
		}
		if seen[mf.GetName()] {
			t.Errorf("%s: family %s comes twice", contentType, mf.GetName())
		}
		seen[mf.GetName()] = true
		for _, m := range mf.Metric {
			var labels []string
			for _, lp := range m.GetLabel() {
				labels = append(labels, fmt.Sprintf("%s=%q", lp.GetName(), lp.GetValue()))
			}
			sort.Strings(labels)
			var v float64
			switch {
			case m.Gauge != nil:
				v = m.GetGauge().GetValue()
			case m.Counter != nil:
				v = m.GetCounter().GetValue()
			case m.Untyped != nil:
				v = m.GetUntyped().GetValue()
			case m.Summary != nil:
				v = m.GetSummary().GetSampleSum()
			case m.Histogram != nil:
				v = m.GetHistogram().GetSampleSum()
			}
			out[mf.GetName()+"{"+strings.Join(labels, ",")+"}"] = v
		}
	}
	return out
}

// promtoolCheck lints an answer with promtool check metrics.
func promtoolCheck(t *testing.T, what string, body []byte) {
	t.Helper()
	promtool, err := exec.LookPath("promtool")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("promtool is not on PATH and CI is set: %v", err)
		}
		t.Skipf("promtool is not on PATH (CI unset, local run): %v", err)
	}
	check := exec.Command(promtool, "check", "metrics")
	check.Stdin = bytes.NewReader(body)
	report, err := check.CombinedOutput()
	if err != nil || len(bytes.TrimSpace(report)) != 0 {
		t.Errorf("promtool check metrics (%s): %v\n%s", what, err, report)
	}
}

// Every format a scraper may ask for answers the same account series: text
// and OpenMetrics from the cache (zipped or not), protobuf through the
// registry. Each family comes once, and promtool finds nothing to say.
func TestScrapeFormatsAnswerTheSameSeries(t *testing.T) {
	env := newMainTestEnv(t, "organizations: [{name: acme-web}, {name: acme-data}]\nusers: [{name: octocat}]\n", mainTestOptions{})
	ct, body := scrapeAs(t, env, "/metrics", "text/plain;version=0.0.4", false)
	if !strings.HasPrefix(ct, "text/plain; version=0.0.4") {
		t.Errorf("text scrape: Content-Type %q", ct)
	}
	ref := decodeSeries(t, ct, body)
	// By hand: 305 minutes are 18,300 s; 10 minutes are 600 s.
	for k, v := range map[string]float64{
		`github_billing_actions_used_seconds{account="acme-web",scope="organization"}`:  18300,
		`github_billing_actions_used_seconds{account="acme-data",scope="organization"}`: 600,
	} {
		if ref[k] != v {
			t.Errorf("%s = %v, want %v", k, ref[k], v)
		}
	}
	promtoolCheck(t, "text", body)

	accountSeries := func(m map[string]float64) map[string]float64 {
		out := map[string]float64{}
		for k, v := range m {
			// The exporter's own metrics (process, Go, promhttp, API
			// counters) move between two scrapes; account series do not.
			if strings.Contains(k, `account="`) && !strings.HasPrefix(k, "github_billing_scrape_collector_duration_seconds") {
				out[k] = v
			}
		}
		return out
	}
	want := accountSeries(ref)
	for _, c := range []struct {
		name, accept string
		gz           bool
		wantType     expfmt.FormatType
	}{
		{"text gzip", "text/plain;version=0.0.4", true, expfmt.TypeTextPlain},
		{"Prometheus 2.x", acceptPrometheus2, false, expfmt.TypeOpenMetrics},
		{"Prometheus 2.x gzip", acceptPrometheus2, true, expfmt.TypeOpenMetrics},
		{"Prometheus 3.x gzip", acceptPrometheus3, true, expfmt.TypeOpenMetrics},
		{"protobuf", acceptProtobuf, false, expfmt.TypeProtoDelim},
	} {
		t.Run(c.name, func(t *testing.T) {
			ct, body := scrapeAs(t, env, "/metrics", c.accept, c.gz)
			if got := expfmt.Format(ct).FormatType(); got != c.wantType {
				t.Fatalf("Content-Type %q, want format type %v", ct, c.wantType)
			}
			got := accountSeries(decodeSeries(t, ct, body))
			if len(got) != len(want) {
				t.Errorf("%d account series, want %d as in the text answer", len(got), len(want))
			}
			for k, v := range want {
				if g, ok := got[k]; !ok || g != v {
					t.Errorf("%s = %v (present %v), text answer %v", k, g, ok, v)
				}
			}
			if c.wantType == expfmt.TypeTextPlain {
				promtoolCheck(t, c.name, body)
			}
			// promtool check metrics reads the text format only (it
			// refuses OpenMetrics' \" in HELP); an OpenMetrics answer is
			// checked here: it parses, ends with # EOF, each family once.
			if c.wantType == expfmt.TypeOpenMetrics {
				if !strings.Contains(string(body), "go_goroutines ") || !strings.Contains(string(body), "github_billing_actions_used_seconds{") {
					t.Error("OpenMetrics answer lacks the exporter's own or the account metrics")
				}
			}
		})
	}

	t.Run("probe", func(t *testing.T) {
		ct, body := scrapeAs(t, env, "/probe?target=acme-data", acceptPrometheus3, true)
		got := decodeSeries(t, ct, body)
		n := 0
		for k, v := range want {
			if !strings.Contains(k, `account="acme-data"`) {
				continue
			}
			n++
			if g, ok := got[k]; !ok || g != v {
				t.Errorf("probe %s = %v (present %v), /metrics %v", k, g, ok, v)
			}
		}
		for k := range got {
			if !strings.Contains(k, `account="acme-data"`) {
				t.Errorf("probe of acme-data serves %s", k)
			}
		}
		if n == 0 || len(got) != n+len(legacyCollectorNames) {
			// The one health series not compared: duration, once per collector.
			t.Errorf("probe: %d series, want the %d of /metrics plus %d durations", len(got), n, len(legacyCollectorNames))
		}
		_, text := scrapeAs(t, env, "/probe?target=acme-data", "text/plain", false)
		promtoolCheck(t, "probe", text)
	})
}
