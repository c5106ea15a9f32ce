package githubapi_test

import (
	"context"
	"encoding/json"
	"io"
	"testing"
	"time"

	"github.com/github-billing-exporter/github-billing-exporter/githubapi"
	"github.com/github-billing-exporter/github-billing-exporter/internal/benchdata"
	"github.com/github-billing-exporter/github-billing-exporter/internal/fakegithub/fakegithubtest"
)

// benchUsageKey and benchUsageSums aggregate rows the way the usage
// collector does (labels without the account), so the benchmarks measure
// decoding plus aggregation.
type benchUsageKey struct {
	product, sku, unitType, organization, repository string
}

type benchUsageSums struct {
	quantity, gross, discount, net float64
}

type benchUsageAggregate struct {
	rows   int
	series map[benchUsageKey]*benchUsageSums
}

func newBenchUsageAggregate() *benchUsageAggregate {
	return &benchUsageAggregate{series: map[benchUsageKey]*benchUsageSums{}}
}

func (a *benchUsageAggregate) add(it *githubapi.UsageItem) error {
	a.rows++
	k := benchUsageKey{it.Product, it.SKU, it.UnitType, it.OrganizationName, ""}
	sums := a.series[k]
	if sums == nil {
		sums = &benchUsageSums{}
		a.series[k] = sums
	}
	sums.quantity += it.Quantity
	sums.gross += it.GrossAmount
	sums.discount += it.DiscountAmount
	sums.net += it.NetAmount
	return nil
}

// pipeUsageReport streams a generated report through an io.Pipe, so the
// report is never in memory whole and peak memory reflects the decoder.
func pipeUsageReport(rows int) io.ReadCloser {
	pr, pw := io.Pipe()
	go func() {
		_, err := benchdata.UsageReport{Rows: rows, Year: 2026, Month: time.November}.WriteTo(pw)
		pw.CloseWithError(err)
	}()
	return pr
}

// reportSize is the byte size of a generated report of rows rows.
func reportSize(b *testing.B, rows int) int64 {
	b.Helper()
	n, err := benchdata.UsageReport{Rows: rows, Year: 2026, Month: time.November}.WriteTo(io.Discard)
	if err != nil {
		b.Fatal(err)
	}
	return n
}

func benchmarkUsageDecode(b *testing.B, rows int) {
	size := reportSize(b, rows)
	b.SetBytes(size)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		body := pipeUsageReport(rows)
		agg := newBenchUsageAggregate()
		if err := githubapi.DecodeUsageStream(body, agg.add); err != nil {
			b.Fatal(err)
		}
		body.Close()
		if agg.rows != rows {
			b.Fatalf("decoded %d rows, want %d", agg.rows, rows)
		}
	}
	perOp := b.Elapsed().Seconds() / float64(b.N)
	b.ReportMetric(float64(rows)/perOp, "rows/s")
	b.ReportMetric(float64(size)/perOp/1e6, "MB/s")
}

// BenchmarkUsageDecode1M decodes and aggregates a 1,000,000-row report
// (about 245 MB), generated on the fly through a pipe. The figure includes
// the generator's time.
func BenchmarkUsageDecode1M(b *testing.B) { benchmarkUsageDecode(b, 1_000_000) }

// BenchmarkUsageDecode10k is the same on 10,000 rows, quick enough for CI's
// -benchtime=1x smoke run.
func BenchmarkUsageDecode10k(b *testing.B) { benchmarkUsageDecode(b, 10_000) }

// BenchmarkUsageGenerate1M is the generator alone, to subtract from
// BenchmarkUsageDecode1M.
func BenchmarkUsageGenerate1M(b *testing.B) {
	const rows = 1_000_000
	b.SetBytes(reportSize(b, rows))
	b.ReportAllocs()
	for b.Loop() {
		body := pipeUsageReport(rows)
		if _, err := io.Copy(io.Discard, body); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkUsageDecodeEncodingJSON100k is the baseline the purpose-built
// decoder replaced: encoding/json's Decoder walking to usageItems with
// Token and decoding one row at a time.
func BenchmarkUsageDecodeEncodingJSON100k(b *testing.B) {
	const rows = 100_000
	size := reportSize(b, rows)
	b.SetBytes(size)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		body := pipeUsageReport(rows)
		agg := newBenchUsageAggregate()
		dec := json.NewDecoder(body)
		for _, want := range []json.Token{json.Delim('{'), "usageItems", json.Delim('[')} {
			if tok, err := dec.Token(); err != nil || tok != want {
				b.Fatalf("token %v, %v; want %v", tok, err, want)
			}
		}
		var it githubapi.UsageItem
		for dec.More() {
			it = githubapi.UsageItem{}
			if err := dec.Decode(&it); err != nil {
				b.Fatal(err)
			}
			agg.add(&it) //nolint:errcheck // never fails
		}
		body.Close()
		if agg.rows != rows {
			b.Fatalf("decoded %d rows, want %d", agg.rows, rows)
		}
	}
	perOp := b.Elapsed().Seconds() / float64(b.N)
	b.ReportMetric(float64(rows)/perOp, "rows/s")
	b.ReportMetric(float64(size)/perOp/1e6, "MB/s")
}

// BenchmarkUsageClientLoopback1M is one Client.Usage call for a
// 1,000,000-row report served by the fake GitHub over loopback: HTTP,
// decoding and aggregation.
func BenchmarkUsageClientLoopback1M(b *testing.B) {
	const rows = 1_000_000
	srv := fakegithubtest.Start(b, nil)
	report := benchdata.UsageReport{Rows: rows, Year: 2026, Month: time.November}
	srv.Override("/organizations/big-org/settings/billing/usage", report.Handler())
	client := fakegithubtest.Client(b, srv, githubapi.Options{})
	b.SetBytes(reportSize(b, rows))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		agg := newBenchUsageAggregate()
		err := client.Usage(context.Background(), githubapi.Account{Scope: githubapi.ScopeOrganization, Name: "big-org"},
			githubapi.UsageQuery{Period: githubapi.Period{Year: 2026, Month: time.November}}, agg.add)
		if err != nil {
			b.Fatal(err)
		}
		if agg.rows != rows {
			b.Fatalf("decoded %d rows, want %d", agg.rows, rows)
		}
	}
	perOp := b.Elapsed().Seconds() / float64(b.N)
	b.ReportMetric(float64(rows)/perOp, "rows/s")
}
