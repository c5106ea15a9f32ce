package collector

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/github-billing-exporter/github-billing-exporter/githubapi"
	"github.com/github-billing-exporter/github-billing-exporter/githubapi/githubtest"
)

// The cached path (bytes written at refresh time) must answer what the
// registry path answers for the same cache: both are parsed and compared
// series for series, value for value.

var encodeTestCollectors = []string{"actions", "packages", "shared_storage", "advanced_security"}

func newKeepingFixture(t *testing.T, d *githubtest.Dataset, collectors []string, o Options) *exporterTestFixture {
	t.Helper()
	f := newExporterTestFixture(t, d, collectors, o)
	f.exp.keep = true // Config.KeepMetrics, set after the fixture builds the exporter
	return f
}

// cachedText is the snapshot as the cached path writes it: the families
// from the bytes, then the health metrics through expfmt.
func cachedText(t *testing.T, snap *Snapshot, om bool) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := snap.WriteTo(&buf, om); err != nil {
		t.Fatal(err)
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(snap.Health())
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	format := expfmt.NewFormat(expfmt.TypeTextPlain)
	if om {
		format = expfmt.NewFormat(expfmt.TypeOpenMetrics)
	}
	enc := expfmt.NewEncoder(&buf, format)
	for _, mf := range mfs {
		if err := enc.Encode(mf); err != nil {
			t.Fatal(err)
		}
	}
	if c, ok := enc.(expfmt.Closer); ok {
		c.Close() //nolint:errcheck // a bytes.Buffer does not fail
	}
	return buf.Bytes()
}

// parseText parses a text-format answer with expfmt and checks that every
// family appears once.
func parseText(t *testing.T, body []byte) map[string]float64 {
	t.Helper()
	types := map[string]int{}
	for _, line := range strings.Split(string(body), "\n") {
		if strings.HasPrefix(line, "# TYPE ") {
			types[strings.Fields(line)[2]]++
		}
	}
	for name, n := range types {
		if n != 1 {
			t.Errorf("family %s has %d TYPE lines, want 1", name, n)
		}
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("parse: %v\n%s", err, body)
	}
	var mfs []*dto.MetricFamily
	for _, mf := range fams {
		mfs = append(mfs, mf)
	}
	return exporterTestSeries(mfs)
}

// registrySeries is the snapshot through the registry path.
func registrySeries(t *testing.T, snap *Snapshot) map[string]float64 {
	t.Helper()
	reg := prometheus.NewRegistry()
	reg.MustRegister(snap.Collector())
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	return exporterTestSeries(mfs)
}

// expectEquivalent compares the cached and the registry path of one
// snapshot, in text and in OpenMetrics, and returns the series.
func expectEquivalent(t *testing.T, snap *Snapshot) map[string]float64 {
	t.Helper()
	cached := parseText(t, cachedText(t, snap, false))
	want := registrySeries(t, snap)
	if len(cached) != len(want) {
		t.Errorf("cached path: %d series, registry path: %d", len(cached), len(want))
	}
	for k, v := range want {
		if g, ok := cached[k]; !ok || g != v {
			t.Errorf("%s: cached %v (present %v), registry %v", k, g, ok, v)
		}
	}
	for k := range cached {
		if _, ok := want[k]; !ok {
			t.Errorf("%s: only on the cached path", k)
		}
	}
	expectOpenMetrics(t, cachedText(t, snap, true), want)
	return cached
}

// expectOpenMetrics checks an OpenMetrics answer line by line: comments,
// one TYPE per family, "# EOF" last, and each sample's value, written with
// a fraction or exponent as OpenMetrics requires, equal to want.
func expectOpenMetrics(t *testing.T, body []byte, want map[string]float64) {
	t.Helper()
	text := string(body)
	if !strings.HasSuffix(text, "\n# EOF\n") {
		t.Fatalf("OpenMetrics answer does not end with # EOF:\n%.300s", text[max(0, len(text)-300):])
	}
	n := 0
	for _, line := range strings.Split(strings.TrimSuffix(text, "# EOF\n"), "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		sp := strings.LastIndexByte(line, ' ')
		series, value := line[:sp], line[sp+1:]
		if !strings.ContainsAny(value, ".eIN") {
			t.Errorf("OpenMetrics value %q of %s lacks a fraction", value, series)
		}
		v, err := strconv.ParseFloat(value, 64)
		if err != nil {
			t.Errorf("OpenMetrics value %q: %v", value, err)
		}
		k := omKey(series)
		if w, ok := want[k]; !ok || w != v {
			t.Errorf("OpenMetrics %s = %v, want %v (present %v)", k, v, w, ok)
		}
		n++
	}
	if n != len(want) {
		t.Errorf("OpenMetrics answer has %d samples, want %d", n, len(want))
	}
}

// omKey turns `name{a="1",b="2"}` into the key exporterTestSeries makes
// (labels are already sorted by name in both paths; parse them to be sure).
func omKey(series string) string {
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(strings.NewReader(series + " 0\n"))
	if err != nil {
		return "unparsable " + series
	}
	var mfs []*dto.MetricFamily
	for _, mf := range fams {
		mfs = append(mfs, mf)
	}
	for k := range exporterTestSeries(mfs) {
		return strings.Replace(k, "untyped", "", 1)
	}
	return series
}

func TestCachedScrapeEqualsRegistryPath(t *testing.T) {
	d := exporterTestDataset()
	f := newKeepingFixture(t, d, encodeTestCollectors, Options{AdvancedSecurityByRepository: true})
	ctx := context.Background()

	// Several accounts sharing families.
	got := expectEquivalent(t, f.exp.Scrape(ctx, nil))
	// By hand: acme used 1000 minutes (60,000 s), acme-web 305 (18,300 s).
	for k, v := range map[string]float64{
		key("github_billing_actions_used_seconds", "scope", "enterprise", "account", "acme"):                          60000,
		key("github_billing_actions_used_seconds", "scope", "organization", "account", "acme-web"):                    18300,
		key("github_billing_packages_bandwidth_used_bytes", "scope", "organization", "account", "acme-data"):          1e9,
		key("github_billing_scrape_collector_success", "collector", "actions", "scope", "user", "account", "octocat"): 1,
		key("github_billing_endpoint_retired", "collector", "actions", "scope", "user", "account", "octocat"):         1,
	} {
		if got[k] != v {
			t.Errorf("%s = %v, want %v", k, got[k], v)
		}
	}

	t.Run("probe", func(t *testing.T) {
		web := func(a githubapi.Account) bool { return a.Name == "acme-web" }
		got := expectEquivalent(t, f.exp.Scrape(ctx, web))
		for k := range got {
			if !strings.Contains(k, `account="acme-web"`) {
				t.Errorf("probe of acme-web serves %s", k)
			}
		}
		// 3 actions + 1 runner + 3 packages + 2 storage + 1 cycle + 5 GHAS
		// (committers, max, purchased, repositories, one repository) = 15
		// data series, and 4 collectors × 5 health series.
		if len(got) != 15+20 {
			t.Errorf("probe of acme-web: %d series, want 35", len(got))
		}
	})

	t.Run("failed refresh keeps old data", func(t *testing.T) {
		f.fake.Override("/orgs/acme-web/settings/billing/actions", func(w http.ResponseWriter, _ *http.Request) {
			http.Error(w, "boom", http.StatusInternalServerError)
		})
		f.clock.Advance(exporterTestSettings.RefreshInterval + time.Second)
		got := expectEquivalent(t, f.exp.Scrape(ctx, nil))
		if v := got[key("github_billing_actions_used_seconds", "scope", "organization", "account", "acme-web")]; v != 18300 {
			t.Errorf("acme-web actions after a failed refresh = %v, want the old 18300", v)
		}
		if v := got[key("github_billing_scrape_collector_success", "collector", "actions", "scope", "organization", "account", "acme-web")]; v != 0 {
			t.Errorf("success after a failed refresh = %v, want 0", v)
		}
	})

	t.Run("past max_age", func(t *testing.T) {
		f.clock.Advance(exporterTestSettings.MaxAge)
		got := expectEquivalent(t, f.exp.Scrape(ctx, nil))
		if _, ok := got[key("github_billing_actions_used_seconds", "scope", "organization", "account", "acme-web")]; ok {
			t.Error("acme-web actions still served past max_age")
		}
		if v := got[key("github_billing_actions_used_seconds", "scope", "enterprise", "account", "acme")]; v != 60000 {
			t.Errorf("acme actions = %v, want 60000 (refreshed)", v)
		}
	})

	t.Run("reload drops an account", func(t *testing.T) {
		var keep []githubapi.Account
		for _, a := range d.Accounts() {
			if a.Name != "acme-data" {
				keep = append(keep, a)
			}
		}
		f.exp.Apply(exporterTestSettings, f.targets(keep...))
		got := expectEquivalent(t, f.exp.Scrape(ctx, nil))
		for k := range got {
			if strings.Contains(k, `account="acme-data"`) {
				t.Errorf("dropped account still served: %s", k)
			}
		}
	})
}

// A scrape that runs while a refresh replaces an entry gets the entry's old
// data or its new data, never a mix: 2,000 repositories all go from 1 to 2
// committers at once.
func TestConcurrentScrapesDuringRefreshSeeWholeEntries(t *testing.T) {
	repos := func(committers float64) *githubapi.AdvancedSecurityCommitters {
		r := make([]githubapi.AdvancedSecurityRepository, 2000)
		for i := range r {
			r[i] = githubapi.AdvancedSecurityRepository{Name: fmt.Sprintf("big/repo-%04d", i), AdvancedSecurityCommitters: committers}
		}
		return &githubapi.AdvancedSecurityCommitters{TotalAdvancedSecurityCommitters: committers, TotalCount: 2000, Repositories: r}
	}
	d := githubtest.NewDataset()
	d.Organizations["big"] = &githubtest.AccountData{AdvancedSecurity: repos(1)}
	f := newKeepingFixture(t, d, []string{"advanced_security"}, Options{AdvancedSecurityByRepository: true})
	expectEquivalent(t, f.exp.Scrape(context.Background(), nil))

	f.fake.Update(func(d *githubtest.Dataset) { d.Organizations["big"].AdvancedSecurity = repos(2) })
	f.fake.SetLatency(50 * time.Millisecond)
	f.clock.Advance(exporterTestSettings.RefreshInterval + time.Second)
	seen := map[float64]int{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 40 {
				ctx, cancel := context.WithTimeout(context.Background(), time.Millisecond)
				snap := f.exp.Scrape(ctx, nil)
				cancel()
				values := map[float64]int{}
				for k, v := range parseText(t, cachedText(t, snap, false)) {
					if strings.HasPrefix(k, "github_billing_advanced_security_repository_committers{") {
						values[v]++
					}
				}
				if len(values) != 1 || (values[1] != 2000 && values[2] != 2000) {
					t.Errorf("one answer mixes old and new data: %v", values)
					return
				}
				mu.Lock()
				for v := range values {
					seen[v]++
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	f.exp.Scrape(context.Background(), nil) // wait for the refresh
	final := parseText(t, cachedText(t, f.exp.Scrape(context.Background(), nil), false))
	if v := final[key("github_billing_advanced_security_repository_committers", "scope", "organization", "account", "big", "repository", "big/repo-1999")]; v != 2 {
		t.Errorf("after the refresh repo-1999 has %v committers, want 2", v)
	}
	t.Logf("answers by value: %v", seen)
}

// Labels are escaped as both formats require, samples are sorted, and a
// sample repeating another's labels is kept once and reported.
func TestEncodeEscapesSortsAndDropsDuplicates(t *testing.T) {
	desc := newDesc("encode_test_value", "A \"test\" help\\with\nlines.", "repository")
	a := githubapi.Account{Scope: githubapi.ScopeOrganization, Name: "o"}
	m := newMetricSet(a)
	m.distinct(desc, 2.5, "b\"q")
	m.distinct(desc, 3, "a\\z\nn")
	m.distinct(desc, 7, "b\"q")
	enc, err := encode(m.metrics())
	if err == nil || !strings.Contains(err.Error(), "1 samples repeat") {
		t.Errorf("encode error %v, want the repeated sample reported", err)
	}
	var text, om bytes.Buffer
	if err := writeFamilies(&text, []*encoded{enc}, false); err != nil {
		t.Fatal(err)
	}
	if err := writeFamilies(&om, []*encoded{enc}, true); err != nil {
		t.Fatal(err)
	}
	wantText := "# HELP github_billing_encode_test_value A \"test\" help\\\\with\\nlines.\n" +
		"# TYPE github_billing_encode_test_value gauge\n" +
		"github_billing_encode_test_value{account=\"o\",repository=\"a\\\\z\\nn\",scope=\"organization\"} 3\n" +
		"github_billing_encode_test_value{account=\"o\",repository=\"b\\\"q\",scope=\"organization\"} 2.5\n"
	if text.String() != wantText {
		t.Errorf("text:\n%s\nwant:\n%s", text.String(), wantText)
	}
	wantOM := "# HELP github_billing_encode_test_value A \\\"test\\\" help\\\\with\\nlines.\n" +
		"# TYPE github_billing_encode_test_value gauge\n" +
		"github_billing_encode_test_value{account=\"o\",repository=\"a\\\\z\\nn\",scope=\"organization\"} 3.0\n" +
		"github_billing_encode_test_value{account=\"o\",repository=\"b\\\"q\",scope=\"organization\"} 2.5\n"
	if om.String() != wantOM {
		t.Errorf("OpenMetrics:\n%s\nwant:\n%s", om.String(), wantOM)
	}
}
