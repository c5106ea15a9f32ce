package cache

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"net/http"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/github-billing-exporter/github-billing-exporter/collector"
	"github.com/github-billing-exporter/github-billing-exporter/githubapi"
	"github.com/github-billing-exporter/github-billing-exporter/internal/demo"
	"github.com/github-billing-exporter/github-billing-exporter/internal/fakegithub"
)

// healthFamilies are the per-scrape metrics of each collector, which the
// registry path and the cache build the same way.
var healthFamilies = map[string]bool{
	namespace + "_scrape_collector_success":                 true,
	namespace + "_scrape_collector_duration_seconds":        true,
	namespace + "_collector_last_success_timestamp_seconds": true,
	namespace + "_collector_refresh_interval_seconds":       true,
	namespace + "_endpoint_retired":                         true,
}

// parseExposition reads a text or OpenMetrics answer into
// name{label="value",…} → value, failing on a family given twice.
func parseExposition(t *testing.T, body []byte) map[string]float64 {
	t.Helper()
	// A family repeated later in the answer is an error in both formats; the
	// text parser reports it as a second HELP or TYPE.
	parser := expfmt.NewTextParser(model.UTF8Validation)
	mfs, err := parser.TextToMetricFamilies(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("parse: %v\n%s", err, head(body))
	}
	list := make([]*dto.MetricFamily, 0, len(mfs))
	for _, mf := range mfs {
		list = append(list, mf)
	}
	return exporterTestSeries(list)
}

func head(b []byte) string {
	if len(b) > 2000 {
		b = b[:2000]
	}
	return string(b)
}

// registryPath is the scrape without the cache's encoder: every
// collector's samples for every account through one registry, encoded as
// text.
func registryPath(t *testing.T, client *githubapi.Client, accounts []githubapi.Account, names []string, o collector.Options) map[string]float64 {
	t.Helper()
	// The month the exporter fixture's clock starts in, as its cache asks
	// for.
	now := func() time.Time { return exporterTestT0 }
	var all []prometheus.Metric
	for _, a := range accounts {
		for _, name := range names {
			f, _ := collector.Lookup(name)
			if !f.AppliesTo(a.Scope) {
				continue
			}
			ms, err := f.New(o, now).Update(context.Background(), client, a)
			if err != nil && !strings.Contains(err.Error(), "410") {
				t.Fatalf("%s for %s: %v", name, a, err)
			}
			all = append(all, ms...)
		}
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(metricSlice(all))
	var buf bytes.Buffer
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	enc := expfmt.NewEncoder(&buf, expfmt.NewFormat(expfmt.TypeTextPlain))
	for _, mf := range mfs {
		if err := enc.Encode(mf); err != nil {
			t.Fatal(err)
		}
	}
	return parseExposition(t, buf.Bytes())
}

func withoutHealth(series map[string]float64) map[string]float64 {
	out := map[string]float64{}
	for k, v := range series {
		name, _, _ := strings.Cut(k, "{")
		if !healthFamilies[name] {
			out[k] = v
		}
	}
	return out
}

func onlyAccount(series map[string]float64, account string) map[string]float64 {
	out := map[string]float64{}
	for k, v := range series {
		if strings.Contains(k, `account="`+account+`"`) {
			out[k] = v
		}
	}
	return out
}

func expectSameSeries(t *testing.T, what string, got, want map[string]float64) {
	t.Helper()
	var diffs []string
	for k, w := range want {
		if g, ok := got[k]; !ok {
			diffs = append(diffs, "missing "+k)
		} else if g != w {
			diffs = append(diffs, fmt.Sprintf("%s = %v, want %v", k, g, w))
		}
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			diffs = append(diffs, "extra "+k)
		}
	}
	sort.Strings(diffs)
	if len(diffs) > 10 {
		diffs = append(diffs[:10], fmt.Sprintf("… %d more", len(diffs)-10))
	}
	if len(diffs) > 0 {
		t.Errorf("%s: %d series, want %d:\n%s", what, len(got), len(want), strings.Join(diffs, "\n"))
	}
	if len(want) < 20 {
		t.Errorf("%s: only %d series to compare: the comparison proves little", what, len(want))
	}
}

func writeSnapshot(t *testing.T, s *Snapshot, f Format) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := s.WriteTo(&buf, f, nil); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// The demo's accounts share every family: the cached answer carries each
// family once, with every account's series, and equals what the registry
// path makes of the same GitHub answers, in both formats.
func TestCachedScrapeEqualsRegistryPath(t *testing.T) {
	d := demo.Dataset(exporterTestT0)
	names := collector.DefaultNames()
	f := newExporterTestFixture(t, d, names, collector.Options{})
	accounts := d.Accounts()
	want := registryPath(t, f.client, accounts, names, collector.Options{})

	snap := f.exp.Scrape(context.Background(), nil)
	text := writeSnapshot(t, snap, FormatText)
	expectSameSeries(t, "text", withoutHealth(parseExposition(t, text)), want)
	om := writeSnapshot(t, snap, FormatOpenMetrics)
	if !bytes.HasSuffix(om, []byte("# EOF\n")) {
		t.Errorf("OpenMetrics answer does not end with # EOF: …%s", om[max(0, len(om)-80):])
	}
	expectSameSeries(t, "OpenMetrics", withoutHealth(parseExposition(t, om)), want)
	// Whole numbers get OpenMetrics' ".0"; the text format keeps the
	// registry's spelling.
	if !bytes.Contains(om, []byte(`scope="enterprise"} 1.0`+"\n")) || bytes.Contains(text, []byte(`scope="enterprise"} 1.0`+"\n")) {
		t.Error("whole-number values are not written as each format writes them")
	}
	// Every family once: a HELP line per name.
	seen := map[string]bool{}
	for line := range strings.SplitSeq(string(text), "\n") {
		if name, ok := strings.CutPrefix(line, "# HELP "); ok {
			name, _, _ = strings.Cut(name, " ")
			if seen[name] {
				t.Errorf("family %s appears twice", name)
			}
			seen[name] = true
		}
	}

	// /probe's view: one account from the same cache.
	probe := f.exp.Scrape(context.Background(), func(a githubapi.Account) bool { return a.Name == demo.OrgWeb })
	expectSameSeries(t, "probe", withoutHealth(parseExposition(t, writeSnapshot(t, probe, FormatText))), onlyAccount(want, demo.OrgWeb))

	// A reload that drops an account drops its cached bytes.
	var kept []githubapi.Account
	for _, a := range accounts {
		if a.Name != demo.OrgData {
			kept = append(kept, a)
		}
	}
	f.exp.Apply(exporterTestSettings, f.targets(kept...))
	after := withoutHealth(parseExposition(t, writeSnapshot(t, f.exp.Scrape(context.Background(), nil), FormatText)))
	wantKept := map[string]float64{}
	for k, v := range want {
		if !strings.Contains(k, `account="`+demo.OrgData+`"`) {
			wantKept[k] = v
		}
	}
	expectSameSeries(t, "after a reload without "+demo.OrgData, after, wantKept)

	// The protobuf fallback parses the cache back into the same series.
	mfs, err := f.exp.Scrape(context.Background(), nil).Gather()
	if err != nil {
		t.Fatal(err)
	}
	expectSameSeries(t, "protobuf fallback", withoutHealth(exporterTestSeries(mfs)), wantKept)
}

// A failed refresh keeps serving the bytes of the last good one; past max_age
// they are gone and only the health series remain.
func TestCachedScrapeAfterFailureAndMaxAge(t *testing.T) {
	d := exporterTestDataset()
	names := []string{"actions", "packages", "shared_storage", "advanced_security"}
	f := newExporterTestFixture(t, d, names, collector.Options{})
	want := registryPath(t, f.client, d.Accounts(), names, collector.Options{})
	first := withoutHealth(parseExposition(t, writeSnapshot(t, f.exp.Scrape(context.Background(), nil), FormatText)))
	expectSameSeries(t, "first scrape", first, want)

	f.fake.Override("/orgs/acme-web/settings/billing/actions", func(w http.ResponseWriter, _ *http.Request) {
		fakegithub.WriteError(w, http.StatusInternalServerError, "boom")
	})
	f.clock.Advance(11 * time.Minute)
	failed := parseExposition(t, writeSnapshot(t, f.exp.Scrape(context.Background(), nil), FormatOpenMetrics))
	expectSameSeries(t, "after a failed refresh", withoutHealth(failed), want)
	expectValue(t, failed, exporterMetricKey("scrape_collector_success", "actions", "organization", "acme-web"), 0)

	// 70 minutes after the last good data (max_age 1h): the failing entry
	// serves nothing; the others refreshed and serve their data.
	f.clock.Advance(60 * time.Minute)
	old := parseExposition(t, writeSnapshot(t, f.exp.Scrape(context.Background(), nil), FormatText))
	expectAbsent(t, old, dataKey("actions_used_seconds", "organization", "acme-web"))
	expectValue(t, old, exporterMetricKey("scrape_collector_success", "actions", "organization", "acme-web"), 0)
	expectValue(t, old, dataKey("actions_used_seconds", "enterprise", "acme"), 60000)
}

// Scrapes that run while refreshes replace the data each see, per entry,
// all the old values or all the new ones.
func TestCachedScrapesDuringRefreshAreConsistent(t *testing.T) {
	d := exporterTestDataset()
	f := newExporterTestFixture(t, d, []string{"actions"}, collector.Options{})
	total := dataKey("actions_used_seconds", "enterprise", "acme")
	runner := dataKey("actions_runner_used_seconds", "enterprise", "acme", "runner", "UBUNTU")
	f.exp.Scrape(context.Background(), nil)

	var wg sync.WaitGroup
	stop := make(chan struct{})
	errs := make(chan string, 100)
	for range 4 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				var buf bytes.Buffer
				if err := f.exp.Scrape(context.Background(), nil).WriteTo(&buf, FormatText, nil); err != nil {
					errs <- err.Error()
					return
				}
				parser := expfmt.NewTextParser(model.UTF8Validation)
				mfs, err := parser.TextToMetricFamilies(&buf)
				if err != nil {
					errs <- err.Error()
					return
				}
				var list []*dto.MetricFamily
				for _, mf := range mfs {
					list = append(list, mf)
				}
				s := exporterTestSeries(list)
				// The dataset keeps the runner breakdown equal to the total.
				if s[total] != s[runner] {
					errs <- fmt.Sprintf("half-replaced entry: total %v, runner %v", s[total], s[runner])
					return
				}
			}
		})
	}
	for i := range 20 {
		minutes := float64(2000 + i)
		f.fake.Update(func(d *fakegithub.Dataset) {
			d.Enterprises["acme"].Actions.TotalMinutesUsed = minutes
			d.Enterprises["acme"].Actions.MinutesUsedBreakdown = map[string]float64{"UBUNTU": minutes}
		})
		f.clock.Advance(11 * time.Minute)
		f.exp.Scrape(context.Background(), nil)
	}
	close(stop)
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	final := parseExposition(t, writeSnapshot(t, f.exp.Scrape(context.Background(), nil), FormatText))
	expectValue(t, final, total, 2019*60)
}

func TestWriteOpenMetricsLines(t *testing.T) {
	in := "a 1\nb{x=\"1 2\"} -3\nc 1.5\nd 1e+21\ne NaN\nf +Inf\ng 0\n"
	want := "a 1.0\nb{x=\"1 2\"} -3.0\nc 1.5\nd 1e+21\ne NaN\nf +Inf\ng 0.0\n"
	var buf bytes.Buffer
	w := bufio.NewWriter(&buf)
	writeOpenMetricsLines(w, []byte(in))
	w.Flush()
	if buf.String() != want {
		t.Errorf("got\n%s\nwant\n%s", buf.String(), want)
	}
}

// The billing samples' direct encoding writes, byte for byte, what a
// registry writes for them: label order, sorting, escaping and numbers.
func TestDirectEncodingMatchesTheRegistry(t *testing.T) {
	scope, account := "organization", `acme "web"`
	values := []float64{0, math.Copysign(0, -1), 1, -1, 1.5, 1e21, 123456789.125, 2e-7, math.NaN(), math.Inf(1), math.Inf(-1)}
	odd := []string{`back\slash`, "new\nline", `"quoted"`, "ünïcødé", "", "plain", "a,b=c", "{brace}"}
	var metrics []prometheus.Metric
	for i, v := range values {
		for j, o := range odd {
			metrics = append(metrics, collector.NewSample(usageTestNet, v, scope, account, "product", fmt.Sprintf("sku-%d", (i*7+j)%5), o, fmt.Sprintf("org-%d", i), o, "cc"))
		}
	}
	metrics = append(metrics, collector.NewSample(usageTestPrice, 0.008, scope, account, "actions", "linux", "minutes"))
	rand.New(rand.NewPCG(3, 4)).Shuffle(len(metrics), func(i, j int) { metrics[i], metrics[j] = metrics[j], metrics[i] })

	direct, n, problem, err := encodeMetrics(metrics)
	if err != nil || problem != nil {
		t.Fatal(err, problem)
	}
	viaRegistry, m2, problem, err := encodeThroughRegistry(metrics)
	if err != nil || problem != nil {
		t.Fatal(err, problem)
	}
	if n != len(values)*len(odd)+1 || m2 != n {
		t.Errorf("%d and %d series, want %d", n, m2, len(values)*len(odd)+1)
	}
	render := func(fams []encodedFamily, format Format) string {
		var buf bytes.Buffer
		fw := newFamilyWriter(format)
		fw.addCached(fams)
		if err := fw.writeTo(&buf); err != nil {
			t.Fatal(err)
		}
		return buf.String()
	}
	for _, format := range []Format{FormatText, FormatOpenMetrics} {
		if got, want := render(direct, format), render(viaRegistry, format); got != want {
			t.Errorf("format %d: direct encoding\n%s\nregistry\n%s", format, got, want)
		}
	}
}

// Two samples with the same labels are one series too many: the second is
// left out and the refresh says so, as the registry did at every scrape.
func TestDirectEncodingLeavesOutRepeatedSeries(t *testing.T) {
	metrics := []prometheus.Metric{
		collector.NewSample(usageTestPrice, 1, "organization", "acme", "actions", "linux", "minutes"),
		collector.NewSample(usageTestPrice, 2, "organization", "acme", "actions", "linux", "minutes"),
		collector.NewSample(usageTestPrice, 3, "organization", "acme", "actions", "windows", "minutes"),
	}
	fams, n, problem, err := encodeMetrics(metrics)
	if err != nil {
		t.Fatal(err)
	}
	if n != 2 || problem == nil || !strings.Contains(problem.Error(), "github_billing_usage_price_per_unit_usd: 1 samples repeat") {
		t.Errorf("%d series, problem %v; want 2 and the repeat named", n, problem)
	}
	if len(fams) != 1 || strings.Count(string(fams[0].sampleText()), "\n") != 2 {
		t.Errorf("families %d, lines %q", len(fams), fams[0].sampleText())
	}
}
