package server

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"

	"github.com/github-billing-exporter/github-billing-exporter/internal/testutil"
)

// typesOf reads the family names and types of an answer in format.
func typesOf(t *testing.T, body []byte, format expfmt.Format) map[string]string {
	t.Helper()
	types := map[string]string{}
	if format.FormatType() != expfmt.TypeProtoDelim {
		for line := range strings.Lines(string(body)) {
			if f := strings.Fields(line); len(f) == 4 && f[0] == "#" && f[1] == "TYPE" {
				types[f[2]] += f[3]
			}
		}
		return types
	}
	dec := expfmt.NewDecoder(bytes.NewReader(body), format)
	for {
		mf := &dto.MetricFamily{}
		if err := dec.Decode(mf); err != nil {
			if errors.Is(err, io.EOF) {
				return types
			}
			t.Fatal(err)
		}
		types[mf.GetName()] += strings.ToLower(mf.GetType().String())
	}
}

// No two families of the default /metrics share a name once OpenMetrics
// strips a counter's _total, the clash a strict parser refuses (client_golang
// issue 829: the Go runtime's gauge go_memstats_alloc_bytes beside its
// counter go_memstats_alloc_bytes_total). The gauge is left out in every
// format, so each format answers with the same families; its figure stays
// as go_memstats_heap_alloc_bytes, and no billing family is lost.
func TestOpenMetricsFamilyNamesDoNotClash(t *testing.T) {
	env := newTestEnv(t, "organizations: [{name: acme-web}]\nusers: [{name: octocat}]\n", testEnvOptions{})
	scrape := func(accept string) []byte {
		t.Helper()
		code, header, body := env.get(t, http.MethodGet, "/metrics", http.Header{"Accept": {accept}})
		if code != http.StatusOK || header.Get("Content-Encoding") != "" {
			t.Fatalf("Accept %q: %d %s", accept, code, header.Get("Content-Encoding"))
		}
		return []byte(body)
	}
	om := scrape("application/openmetrics-text;version=1.0.0")
	for _, clash := range testutil.OpenMetricsNameClashes(string(om)) {
		t.Errorf("families clash in OpenMetrics: %s", clash)
	}
	// The counter of bytes allocated so far is one family in every format:
	// its TYPE line names it without _total in OpenMetrics only.
	for _, f := range []struct {
		accept, counter string
		format          expfmt.Format
	}{
		{acceptText, "go_memstats_alloc_bytes_total", expfmt.NewFormat(expfmt.TypeTextPlain)},
		{"application/openmetrics-text;version=1.0.0", "go_memstats_alloc_bytes", expfmt.NewFormat(expfmt.TypeOpenMetrics)},
		{acceptProtobuf, "go_memstats_alloc_bytes_total", expfmt.NewFormat(expfmt.TypeProtoDelim)},
	} {
		types := typesOf(t, scrape(f.accept), f.format)
		if got := types[f.counter]; got != "counter" {
			t.Errorf("Accept %q: %s is %q, want one counter family", f.accept, f.counter, got)
		}
		if f.counter != "go_memstats_alloc_bytes" && types["go_memstats_alloc_bytes"] != "" {
			t.Errorf("Accept %q: the gauge go_memstats_alloc_bytes is served (%s)", f.accept, types["go_memstats_alloc_bytes"])
		}
		for name, want := range map[string]string{
			"go_memstats_heap_alloc_bytes":                     "gauge",
			"go_goroutines":                                    "gauge",
			"github_billing_actions_used_seconds":              "gauge",
			"github_billing_scrape_collector_success":          "gauge",
			"github_billing_config_last_reload_successful":     "gauge",
			"github_billing_exporter_build_info":               "gauge",
			"process_resident_memory_bytes":                    "gauge",
			"promhttp_metric_handler_requests_in_flight":       "gauge",
			"github_billing_shared_storage_estimated_bytes":    "gauge",
			"github_billing_advanced_security_committers":      "gauge",
			"github_billing_packages_bandwidth_used_bytes":     "gauge",
			"github_billing_actions_runner_used_seconds":       "gauge",
			"github_billing_scrape_collector_duration_seconds": "gauge",
		} {
			if got := types[name]; got != want {
				t.Errorf("Accept %q: %s is %q, want one %s family", f.accept, name, got, want)
			}
		}
	}
}
