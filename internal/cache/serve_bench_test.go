package cache

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/github-billing-exporter/github-billing-exporter/collector"
	"github.com/github-billing-exporter/github-billing-exporter/githubapi"
	"github.com/github-billing-exporter/github-billing-exporter/internal/benchdata"
	"github.com/github-billing-exporter/github-billing-exporter/internal/fakegithub/fakegithubtest"
)

// The warm-scrape benchmarks serve a cache of n series shaped like the usage
// report split by repository: 4 families, 8 labels, label values of
// realistic length, handed to the engine in random order. Each size runs
// three ways side by side on the same data:
//   - cached: the engine's answer, from the bytes encoded at refresh time;
//   - registry: the old path, the samples gathered, sorted, checked and
//     encoded by a registry on every scrape (kept here as the baseline);
//   - static: the same number of bytes as a file served by net/http, the
//     floor.
// Every scrape goes over loopback HTTP into io.Discard.

// The usage collector's families split by repository, as the encoder sees
// them: names and labels are the usage collector's.
var (
	usageTestLabels   = []string{"product", "sku", "unit_type", "organization", "repository", "cost_center"}
	usageTestQuantity = collector.NewDesc("usage_quantity", "Month-to-date usage in unit_type.", usageTestLabels...)
	usageTestGross    = collector.NewDesc("usage_gross_amount_usd", "Month-to-date gross amount in US dollars.", usageTestLabels...)
	usageTestDiscount = collector.NewDesc("usage_discount_amount_usd", "Month-to-date discount in US dollars.", usageTestLabels...)
	usageTestNet      = collector.NewDesc("usage_net_amount_usd", "Month-to-date billed amount in US dollars.", usageTestLabels...)
	usageTestPrice    = collector.NewDesc("usage_price_per_unit_usd", "Price per unit_type in US dollars.", "product", "sku", "unit_type")
)

// serveBenchMetrics builds n series of the usage collector's four families
// (8 labels each), as its aggregate hands them over, in random order.
func serveBenchMetrics(n int) []prometheus.Metric {
	descs := []*collector.Desc{usageTestQuantity, usageTestGross, usageTestDiscount, usageTestNet}
	skus := []struct{ product, sku, unit string }{
		{"actions", "actions_linux", "minutes"}, {"actions", "actions_windows", "minutes"},
		{"actions", "actions_macos", "minutes"}, {"actions", "actions_storage", "gigabyte-hours"},
		{"packages", "packages_storage", "gigabyte-hours"}, {"packages", "packages_data_transfer", "gigabytes"},
		{"copilot", "copilot_ai_credits", "ai-credits"}, {"git_lfs", "git_lfs_storage", "gigabyte-hours"},
	}
	rng := rand.New(rand.NewPCG(1, 2))
	out := make([]prometheus.Metric, 0, n)
	for i, count := 0, 0; count < n; i++ {
		s := skus[i%len(skus)]
		repo := i / len(skus)
		org := fmt.Sprintf("acme-org-%02d", repo%40)
		for _, d := range descs {
			if count == n {
				break
			}
			out = append(out, collector.NewSample(d, float64(rng.IntN(1_000_000))/100, "enterprise", "acme-corp", s.product, s.sku, s.unit, org,
				fmt.Sprintf("%s/service-repository-%06d", org, repo), fmt.Sprintf("cost-center-%d", repo%7)))
			count++
		}
	}
	rng.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out
}

// serveBenchExporter is an engine whose cache holds metrics, fresh.
func serveBenchExporter(tb testing.TB, metrics []prometheus.Metric) *Cache {
	tb.Helper()
	now := time.Date(2026, 11, 10, 12, 0, 0, 0, time.UTC)
	e, err := New(Config{Collectors: []string{"usage"}, Now: func() time.Time { return now }})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(e.Close)
	a := githubapi.Account{Scope: githubapi.ScopeEnterprise, Name: "acme-corp"}
	e.Apply(Settings{RefreshInterval: time.Hour, RefreshTimeout: time.Minute, MaxAge: 2 * time.Hour}, []collector.Target{{Account: a}})
	fams, series, problem, err := encodeMetrics(metrics)
	if err != nil || problem != nil {
		tb.Fatal(err, problem)
	}
	e.cache[cacheKey{a, "usage"}] = &entry{families: fams, series: series, fetched: now, attempted: now, ok: true}
	return e
}

func cachedHandler(e *Cache) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := e.Scrape(r.Context(), nil).WriteTo(w, FormatText, nil); err != nil {
			panic(err)
		}
	})
}

func registryHandler(metrics []prometheus.Metric) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		reg := prometheus.NewRegistry()
		reg.MustRegister(metricSlice(metrics))
		promhttp.HandlerFor(prometheus.Gatherers{reg}, promhttp.HandlerOpts{DisableCompression: true}).ServeHTTP(w, r)
	})
}

// cpuSeconds is the process's user and system CPU time so far.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
}

func benchScrapes(b *testing.B, h http.Handler) {
	srv := httptest.NewServer(h)
	defer srv.Close()
	var size int64
	get := func() {
		resp, err := http.Get(srv.URL)
		if err != nil {
			b.Fatal(err)
		}
		size, err = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusOK {
			b.Fatalf("%d %v", resp.StatusCode, err)
		}
	}
	get() // a warm connection and warm buffers, as for the second scrape on
	b.ReportAllocs()
	b.ResetTimer()
	cpu := cpuSeconds()
	for b.Loop() {
		get()
	}
	b.ReportMetric((cpuSeconds()-cpu)/float64(b.N), "cpu-s/op")
	b.ReportMetric(float64(size)/1e6, "MB/answer")
}

func BenchmarkWarmScrape(b *testing.B) {
	sizes := []int{4_000, 40_000, 400_000, 640_000}
	if testing.Short() {
		sizes = sizes[:1]
	}
	for _, n := range sizes {
		metrics := serveBenchMetrics(n)
		e := serveBenchExporter(b, metrics)
		var body bytes.Buffer
		if err := e.Scrape(context.Background(), nil).WriteTo(&body, FormatText, nil); err != nil {
			b.Fatal(err)
		}
		file := filepath.Join(b.TempDir(), "metrics.txt")
		if err := os.WriteFile(file, body.Bytes(), 0o600); err != nil {
			b.Fatal(err)
		}
		body = bytes.Buffer{}
		name := strconv.Itoa(n/1000) + "k"
		b.Run("series="+name+"/cached", func(b *testing.B) { benchScrapes(b, cachedHandler(e)) })
		b.Run("series="+name+"/registry", func(b *testing.B) { benchScrapes(b, registryHandler(metrics)) })
		b.Run("series="+name+"/static", func(b *testing.B) {
			benchScrapes(b, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { http.ServeFile(w, r, file) }))
		})
	}
}

// vmKB reads a field of /proc/self/status, in kB.
func vmKB(field string) float64 {
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for line := range strings.SplitSeq(string(status), "\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 64)
			return kb
		}
	}
	return 0
}

// BenchmarkCacheMemory400k: what the cache of 400,000 series costs once the
// refresh's samples are gone, and whether 10 warm scrapes grow it. Heap
// figures are after a GC; RSS is the process's, which also holds the
// benchmark's own garbage until the runtime returns it.
func BenchmarkCacheMemory400k(b *testing.B) {
	n := 400_000
	if testing.Short() {
		n = 4_000
	}
	for b.Loop() {
		runtime.GC()
		var before runtime.MemStats
		runtime.ReadMemStats(&before)
		e := serveBenchExporter(b, serveBenchMetrics(n))
		runtime.GC()
		var cached runtime.MemStats
		runtime.ReadMemStats(&cached)
		srv := httptest.NewServer(cachedHandler(e))
		for range 10 {
			resp, err := http.Get(srv.URL)
			if err != nil {
				b.Fatal(err)
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
		srv.Close()
		runtime.GC()
		var after runtime.MemStats
		runtime.ReadMemStats(&after)
		b.ReportMetric(float64(cached.HeapAlloc-before.HeapAlloc)/float64(n), "cache-heap-B/series")
		b.ReportMetric((float64(after.HeapAlloc)-float64(cached.HeapAlloc))/float64(n), "heap-growth-B/series")
		b.ReportMetric(vmKB("VmHWM")*1024/float64(n), "peak-RSS-B/series")
		runtime.KeepAlive(e)
	}
}

// usageRefreshNow is in the month of BenchmarkUsageRefresh1M's report.
var usageRefreshNow = time.Date(2026, time.November, 15, 12, 0, 0, 0, time.UTC)

// BenchmarkUsageRefresh1M is a whole cold refresh of the usage collector as
// the engine runs it (read, aggregate, encode) for a report of 1,000,000
// rows served over loopback, without and with the split by repository, side
// by side on the same rows: over 12,500 repositories (400,000 series) and
// over 100,000 (every repository has all 8 SKUs: 3,200,000 series), and
// over 100,000 with one SKU each (400,000 series, an enterprise's report split by repository).
func BenchmarkUsageRefresh1M(b *testing.B) {
	type shape struct {
		repos  int
		oneSKU bool
	}
	rows, shapes := 1_000_000, []shape{{12_500, false}, {100_000, false}, {100_000, true}}
	if testing.Short() {
		rows, shapes = 10_000, []shape{{1_000, false}}
	}
	for _, sh := range shapes {
		repos := sh.repos
		fake := fakegithubtest.Start(b, nil)
		client := fakegithubtest.Client(b, fake, githubapi.Options{})
		report := benchdata.UsageReport{Rows: rows, Repositories: repos, OneSKUPerRepository: sh.oneSKU, Year: 2026, Month: time.November}
		fake.Override("/organizations/big-org/settings/billing/usage", report.Handler())
		a := githubapi.Account{Scope: githubapi.ScopeOrganization, Name: "big-org"}
		prefix := fmt.Sprintf("repositories=%d", repos)
		if sh.oneSKU {
			prefix += ",one-sku"
		}
		for _, split := range []bool{false, true} {
			name := prefix + "/unsplit"
			if split {
				name = prefix + "/by-repository"
			}
			b.Run(name, func(b *testing.B) {
				usage, _ := collector.Lookup("usage")
				c := usage.New(collector.Options{UsageByRepository: split}, func() time.Time { return usageRefreshNow })
				b.ReportAllocs()
				var series int
				cpu := cpuSeconds()
				for b.Loop() {
					metrics, err := c.Update(context.Background(), client, a)
					if err != nil {
						b.Fatal(err)
					}
					_, n, problem, err := encodeMetrics(metrics)
					if err != nil || problem != nil {
						b.Fatal(err, problem)
					}
					series = n
				}
				b.ReportMetric((cpuSeconds()-cpu)/float64(b.N), "cpu-s/op")
				b.ReportMetric(float64(series), "series")
			})
		}
	}
}

// manyOrgsScrape is the cache of many organizations with the default
// collectors, refreshed once from the in-process fake, and the answers of a
// warm scrape in both formats.
type manyOrgsScrape struct {
	exporter *Cache
	series   int
	entries  int
	bodies   map[Format][]byte
}

func newManyOrgsScrape(b *testing.B, orgs int) *manyOrgsScrape {
	b.Helper()
	f := newEngineFixture(b, manyOrgs(orgs, false), Config{Collectors: defaultCollectors(), Concurrency: 4},
		Settings{RefreshInterval: time.Hour, RefreshTimeout: 10 * time.Minute, MaxAge: 3 * time.Hour})
	f.fake.SetRateLimitRemaining(1 << 40)
	f.exporter.Scrape(context.Background(), nil)
	s := &manyOrgsScrape{exporter: f.exporter, bodies: map[Format][]byte{}}
	for _, format := range []Format{FormatText, FormatOpenMetrics} {
		var body bytes.Buffer
		if err := f.exporter.Scrape(context.Background(), nil).WriteTo(&body, format, nil); err != nil {
			b.Fatal(err)
		}
		s.bodies[format] = body.Bytes()
	}
	for line := range bytes.Lines(s.bodies[FormatText]) {
		if line[0] != '#' {
			s.series++
		}
	}
	s.entries = len(f.exporter.Status())
	return s
}

// BenchmarkWarmScrapeManyOrgs serves 5,000 organizations with the default
// collectors (the demo's acme-web organization 5,000 times): tens of
// thousands of cache entries of a few dozen series each, the shape where the
// per-entry cost of a scrape shows. Each format runs two ways side by side:
// the cache's answer, and the same bytes as a static file (the floor).
func BenchmarkWarmScrapeManyOrgs(b *testing.B) {
	orgs := 5_000
	if testing.Short() {
		orgs = 50
	}
	s := newManyOrgsScrape(b, orgs)
	b.Logf("%d organizations: %d cache entries, %d series, %.1f MB of text", orgs, s.entries, s.series, float64(len(s.bodies[FormatText]))/1e6)
	for _, format := range []Format{FormatText, FormatOpenMetrics} {
		name := map[Format]string{FormatText: "text", FormatOpenMetrics: "openmetrics"}[format]
		file := filepath.Join(b.TempDir(), "metrics-"+name)
		if err := os.WriteFile(file, s.bodies[format], 0o600); err != nil {
			b.Fatal(err)
		}
		b.Run(fmt.Sprintf("orgs=%d/%s/cached", orgs, name), func(b *testing.B) {
			benchScrapes(b, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if err := s.exporter.Scrape(r.Context(), nil).WriteTo(w, format, nil); err != nil {
					panic(err)
				}
			}))
		})
		b.Run(fmt.Sprintf("orgs=%d/%s/static", orgs, name), func(b *testing.B) {
			benchScrapes(b, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { http.ServeFile(w, r, file) }))
		})
	}
}

// BenchmarkCacheMemoryManyOrgs: what the cache of 5,000 organizations with
// the default collectors costs per series once the refreshes are over (heap
// after a GC), and the process's peak RSS per series, which includes the
// in-process fake GitHub and the benchmark's own buffers.
func BenchmarkCacheMemoryManyOrgs(b *testing.B) {
	orgs := 5_000
	if testing.Short() {
		orgs = 50
	}
	for b.Loop() {
		runtime.GC()
		var before runtime.MemStats
		runtime.ReadMemStats(&before)
		s := newManyOrgsScrape(b, orgs)
		s.bodies = nil
		runtime.GC()
		var cached runtime.MemStats
		runtime.ReadMemStats(&cached)
		b.ReportMetric(float64(s.series), "series")
		b.ReportMetric(float64(cached.HeapAlloc-before.HeapAlloc)/float64(s.series), "cache-heap-B/series")
		b.ReportMetric(vmKB("VmHWM")*1024/float64(s.series), "peak-RSS-B/series")
		runtime.KeepAlive(s.exporter)
	}
}
