package collector

import (
	"io"
	"testing"
	"time"

	"github.com/github-billing-exporter/github-billing-exporter/githubapi"
	"github.com/github-billing-exporter/github-billing-exporter/internal/benchdata"
)

// benchDetailRows is the export the benchmark reads: 5,000,000 rows over
// 2,000 repositories, 20,000 workflows and 10,000 users (-short: 50,000).
func benchDetailRows() int {
	if testing.Short() {
		return 50_000
	}
	return 5_000_000
}

// pipeDetailed streams a generated export through a pipe, so that it is
// never in memory whole.
func pipeDetailed(rows int) io.ReadCloser {
	pr, pw := io.Pipe()
	go func() {
		_, err := benchdata.DetailedExport{Rows: rows, Year: 2026, Month: time.November}.WriteTo(pw)
		pw.CloseWithError(err)
	}()
	return pr
}

// BenchmarkUsageDetail5M reads a generated detailed export and aggregates
// it per workflow and per user as a refresh does, then ranks the top 500
// of each; "generate" is the generator alone, the floor to subtract.
func BenchmarkUsageDetail5M(b *testing.B) {
	rows := benchDetailRows()
	b.Run("generate", func(b *testing.B) {
		for range b.N {
			r := pipeDetailed(rows)
			io.Copy(io.Discard, r) //nolint:errcheck // a pipe
			r.Close()
		}
	})
	b.Run("read+aggregate", func(b *testing.B) {
		c := newUsageDetailCollector(Options{}).(*usageDetailCollector)
		for range b.N {
			r := pipeDetailed(rows)
			agg := newDetailAggregate()
			d := &githubapi.DetailedReader{}
			if err := d.Part(r, func(row *githubapi.DetailedUsageRow) error { agg.add(row); return nil }); err != nil {
				b.Fatal(err)
			}
			r.Close()
			workflows, users := len(agg.workflows), len(agg.users)
			a := githubapi.Account{Scope: githubapi.ScopeEnterprise, Name: "acme"}
			metrics, err := c.metrics(a, c.result(a, "x", "2026-11-01", "2026-11-28", agg))
			if err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(float64(workflows), "workflow-series")
			b.ReportMetric(float64(users), "user-series")
			b.ReportMetric(float64(len(metrics)), "samples")
		}
	})
}
