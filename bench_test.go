package main

import (
	"bytes"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/github-billing-exporter/github-billing-exporter/collector"
	"github.com/github-billing-exporter/github-billing-exporter/config"
	"github.com/github-billing-exporter/github-billing-exporter/githubapi"
	"github.com/github-billing-exporter/github-billing-exporter/githubapi/githubtest"
)

// BenchmarkWarmScrape scrapes a warm cache of usage split by repository
// (8 labels: scope, account, product, sku, unit_type, organization,
// repository, cost_center; the aggregate hands samples over in map order,
// so they arrive in random order) over HTTP into io.Discard, three ways on
// the same data in the same run:
//
//   - cached: the exporter's /metrics handler, writing the bytes encoded at
//     refresh time;
//   - registry: the path before that cache, kept as the baseline: the
//     registry gathers the collectors' samples, sorts, checks and encodes
//     them on every scrape (collector.Config.KeepMetrics);
//   - static: the same body as a file served by net/http, the floor.
//
// Series per size: 4 families × 8 SKUs × repositories, plus 8 prices.
// -short runs the smallest size only.
func BenchmarkWarmScrape(b *testing.B) {
	for _, repos := range []int{125, 1250, 12500, 20000} {
		if testing.Short() && repos > 125 {
			continue
		}
		series := 4*8*repos + 8
		b.Run(fmt.Sprintf("series=%d", series), func(b *testing.B) {
			env := newBenchEnv(b, repos)
			var buf bytes.Buffer
			env.scrape(b, env.cached.URL+"/metrics", &buf)
			body := buf.Bytes()
			static := filepath.Join(b.TempDir(), "metrics.txt")
			if err := os.WriteFile(static, body, 0o600); err != nil {
				b.Fatal(err)
			}
			files := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				http.ServeFile(w, r, static)
			}))
			b.Cleanup(files.Close)
			for _, c := range []struct{ name, url string }{
				{"cached", env.cached.URL + "/metrics"},
				{"registry", env.registry.URL + "/metrics"},
				{"static", files.URL + "/metrics.txt"},
			} {
				b.Run(c.name, func(b *testing.B) {
					env.scrape(b, c.url, io.Discard) // warm: the registry path's first scrape refreshes
					b.ReportAllocs()
					cpu := cpuTime()
					for b.Loop() {
						env.scrape(b, c.url, io.Discard)
					}
					b.ReportMetric((cpuTime()-cpu).Seconds()/float64(b.N), "cpu-s/op")
					b.ReportMetric(float64(len(body))/1e6, "MB")
					b.ReportMetric(float64(series), "series")
				})
			}
			if got := env.fake.Requests("/organizations/big/settings/billing/usage"); got != 2 {
				b.Errorf("the usage report was fetched %d times, want 2 (one cold refresh per exporter)", got)
			}
		})
	}
}

// cpuTime is the CPU time (user + system) this process has used: server and
// client of a benchmark run in it.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

type benchEnv struct {
	fake             *githubtest.Server
	cached, registry *httptest.Server
	client           *http.Client
}

// newBenchEnv serves a usage report over repos repositories (8 SKUs each,
// 16 rows per repository) and two exporters reading it: the real server,
// and the registry baseline.
func newBenchEnv(b *testing.B, repos int) *benchEnv {
	b.Helper()
	d := githubtest.NewDataset()
	d.Organizations["big"] = &githubtest.AccountData{Platform: &githubtest.PlatformData{}}
	fake := githubtest.Start(b, d)
	now := time.Now().UTC()
	report := githubtest.UsageReport{Rows: 16 * repos, Repositories: repos, Year: now.Year(), Month: now.Month()}
	fake.Override("/organizations/big/settings/billing/usage", report.Handler())
	dir := b.TempDir()
	cfgFile := filepath.Join(dir, "exporter.yml")
	if err := os.WriteFile(cfgFile, []byte("github: {api_url: "+fake.URL+", token: bench}\norganizations: [{name: big}]\n"), 0o600); err != nil {
		b.Fatal(err)
	}
	env := &benchEnv{fake: fake, client: &http.Client{Transport: &http.Transport{DisableCompression: true}}}
	newExporter := func(keep bool) *collector.Exporter {
		exp, err := collector.NewExporter(collector.Config{Collectors: []string{"usage"}, Options: collector.Options{UsageByRepository: true}, Concurrency: 1, KeepMetrics: keep})
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(exp.Close)
		return exp
	}
	srv := newServer(serverConfig{
		logger:           slog.New(slog.DiscardHandler),
		exporter:         newExporter(false),
		source:           func() (*config.Resolved, error) { return config.Load(cfgFile) },
		telemetryPath:    "/metrics",
		scrapeTimeout:    10 * time.Minute,
		maxResponseBytes: githubapi.DefaultMaxResponseBytes,
	})
	if err := srv.reload(); err != nil {
		b.Fatal(err)
	}
	env.cached = httptest.NewServer(srv.handler())
	b.Cleanup(env.cached.Close)

	// The baseline: the same targets, served as before the byte cache.
	base := newExporter(true)
	base.Apply(collector.Settings{RefreshInterval: time.Hour, RefreshTimeout: 10 * time.Minute, MaxAge: 3 * time.Hour}, srv.exporter.Targets())
	self := prometheus.NewRegistry()
	env.registry = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		reg := prometheus.NewRegistry()
		reg.MustRegister(base.ScrapeCollector(r.Context(), nil))
		promhttp.HandlerFor(prometheus.Gatherers{reg, self}, promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError}).ServeHTTP(w, r)
	}))
	b.Cleanup(env.registry.Close)
	return env
}

// scrape gets url as Prometheus's text scrape does, without compression,
// and copies the body to w.
func (env *benchEnv) scrape(b *testing.B, url string, w io.Writer) {
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		b.Fatal(err)
	}
	req.Header.Set("Accept", "text/plain;version=0.0.4")
	resp, err := env.client.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b.Fatalf("%s: %d", url, resp.StatusCode)
	}
	if _, err := io.Copy(w, resp.Body); err != nil {
		b.Fatal(err)
	}
}
