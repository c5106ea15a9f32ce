package server

import (
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"net/http"
	"os/exec"
	"sort"
	"strings"
	"testing"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/github-billing-exporter/github-billing-exporter/internal/testutil"
)

// The Accept headers Prometheus sends by default.
const (
	acceptPrometheus2 = "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1"
	acceptPrometheus3 = "application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.6,application/openmetrics-text;version=0.0.1;q=0.5,text/plain;version=1.0.0;escaping=allow-utf-8;q=0.4,text/plain;version=0.0.4;q=0.3,*/*;q=0.2"
	acceptText        = "text/plain;version=0.0.4"
	acceptProtobuf    = "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited"
)

// accountSeries reads the account's data series (not the per-scrape health)
// of an answer in format.
func accountSeries(t *testing.T, body []byte, format expfmt.Format, account string) map[string]float64 {
	t.Helper()
	var mfs []*dto.MetricFamily
	if format.FormatType() == expfmt.TypeProtoDelim {
		dec := expfmt.NewDecoder(bytes.NewReader(body), format)
		for {
			mf := &dto.MetricFamily{}
			if err := dec.Decode(mf); err != nil {
				if errors.Is(err, io.EOF) {
					break
				}
				t.Fatal(err)
			}
			mfs = append(mfs, mf)
		}
	} else {
		// Only the billing families: the text parser does not read
		// OpenMetrics' counters of the exporter's own registry.
		var keep bytes.Buffer
		for _, line := range bytes.SplitAfter(body, []byte("\n")) {
			if bytes.Contains(line, []byte("github_billing_")) && !bytes.Contains(line, []byte("_total")) {
				keep.Write(line)
			}
		}
		parser := expfmt.NewTextParser(model.UTF8Validation)
		parsed, err := parser.TextToMetricFamilies(&keep)
		if err != nil {
			t.Fatalf("parse %s: %v", format, err)
		}
		for _, mf := range parsed {
			mfs = append(mfs, mf)
		}
	}
	out := map[string]float64{}
	for _, mf := range mfs {
		if strings.Contains(mf.GetName(), "scrape_collector_duration") {
			continue
		}
		for _, m := range mf.GetMetric() {
			var pairs []string
			ours := false
			for _, lp := range m.GetLabel() {
				pairs = append(pairs, lp.GetName()+"="+lp.GetValue())
				ours = ours || lp.GetName() == "account" && lp.GetValue() == account
			}
			if !ours {
				continue
			}
			sort.Strings(pairs)
			out[mf.GetName()+"{"+strings.Join(pairs, ",")+"}"] = m.GetGauge().GetValue() + m.GetUntyped().GetValue()
		}
	}
	return out
}

func promtoolCheck(t *testing.T, body []byte) {
	t.Helper()
	promtool := testutil.RequireTool(t, testutil.ToolPromtool)
	check := exec.Command(promtool, "check", "metrics")
	check.Stdin = bytes.NewReader(body)
	if report, err := check.CombinedOutput(); err != nil || len(bytes.TrimSpace(report)) != 0 {
		t.Errorf("promtool check metrics: %v\n%s", err, report)
	}
}

// Each format Prometheus may ask for answers with the same series: text and
// OpenMetrics from the cache, gzipped or not, protobuf through the registry.
func TestScrapeFormats(t *testing.T) {
	env := newTestEnv(t, "enterprises: [{name: acme}]\norganizations: [{name: acme-web}, {name: acme-data}]\n", testEnvOptions{})
	scrape := func(accept, encoding string) (http.Header, []byte) {
		t.Helper()
		h := http.Header{"Accept": {accept}}
		if encoding != "" {
			h.Set("Accept-Encoding", encoding)
		}
		code, header, body := env.get(t, http.MethodGet, "/metrics", h)
		if code != http.StatusOK {
			t.Fatalf("Accept %q: %d %s", accept, code, body)
		}
		raw := []byte(body)
		if header.Get("Content-Encoding") == "gzip" {
			zr, err := gzip.NewReader(bytes.NewReader(raw))
			if err != nil {
				t.Fatal(err)
			}
			if raw, err = io.ReadAll(zr); err != nil {
				t.Fatal(err)
			}
		}
		return header, raw
	}

	header, text := scrape(acceptText, "")
	if ct := header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain; version=0.0.4") {
		t.Errorf("text answer's Content-Type %q", ct)
	}
	want := accountSeries(t, text, expfmt.NewFormat(expfmt.TypeTextPlain), "acme-web")
	// 305 minutes by hand: 18,300 seconds; 1 GB of bandwidth.
	if want[`github_billing_actions_used_seconds{account=acme-web,scope=organization}`] != 18300 ||
		want[`github_billing_packages_bandwidth_used_bytes{account=acme-web,scope=organization}`] != 1e9 || len(want) < 10 {
		t.Fatalf("text answer lacks acme-web's data: %v", want)
	}
	t.Run("promtool text", func(t *testing.T) { promtoolCheck(t, text) })

	for _, tc := range []struct {
		name, accept, encoding, contentType string
	}{
		{"Prometheus 2 default", acceptPrometheus2, "gzip", "application/openmetrics-text; version=1.0.0"},
		{"Prometheus 3 default", acceptPrometheus3, "gzip", "application/openmetrics-text; version=1.0.0"},
		{"OpenMetrics without gzip", acceptPrometheus3, "", "application/openmetrics-text; version=1.0.0"},
		{"text gzipped", acceptText, "gzip, deflate", "text/plain; version=0.0.4"},
		{"text, gzip refused", acceptText, "gzip;q=0", "text/plain; version=0.0.4"},
		{"protobuf", acceptProtobuf, "gzip", "application/vnd.google.protobuf"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			header, body := scrape(tc.accept, tc.encoding)
			ct := header.Get("Content-Type")
			if !strings.HasPrefix(ct, tc.contentType) {
				t.Errorf("Content-Type %q, want %s…", ct, tc.contentType)
			}
			gzipped := header.Get("Content-Encoding") == "gzip"
			if wantGzip := strings.HasPrefix(tc.encoding, "gzip") && !strings.Contains(tc.encoding, "q=0"); gzipped != wantGzip {
				t.Errorf("Content-Encoding %q for Accept-Encoding %q", header.Get("Content-Encoding"), tc.encoding)
			}
			format := expfmt.Format(ct)
			if format.FormatType() == expfmt.TypeOpenMetrics && !bytes.HasSuffix(body, []byte("# EOF\n")) {
				t.Error("OpenMetrics answer does not end with # EOF")
			}
			got := accountSeries(t, body, format, "acme-web")
			if len(got) != len(want) {
				t.Errorf("%d series of acme-web, want %d as in the text answer", len(got), len(want))
			}
			for k, v := range want {
				if got[k] != v {
					t.Errorf("%s = %v, want %v", k, got[k], v)
				}
			}
			if format.FormatType() == expfmt.TypeTextPlain {
				promtoolCheck(t, body)
			}
		})
	}
}

func TestAcceptsGzip(t *testing.T) {
	for header, want := range map[string]bool{
		"gzip": true, "gzip, deflate": true, "deflate, GZIP;q=0.5": true, "gzip; q=1": true,
		"gzip;q=0": false, "gzip; q=0.000": false, "gzip;q=x": false, "deflate": false, "": false, "x-gzip": false,
	} {
		if got := acceptsGzip(header); got != want {
			t.Errorf("acceptsGzip(%q) = %v, want %v", header, got, want)
		}
	}
}
