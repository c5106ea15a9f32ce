package collector

import (
	"context"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/github-billing-exporter/github-billing-exporter/githubapi"
)

// Helpers shared by the collector tests.

// examplesDir holds the example bodies, seen from the collector package.
const examplesDir = "../githubapi/testdata/examples/"

// updated is the metrics of Collector updates as a prometheus.Collector, so
// testutil can compare, count and lint them.
type updated struct{ metrics []prometheus.Metric }

func (u updated) Describe(ch chan<- *prometheus.Desc) {
	prometheus.DescribeByCollect(u, ch)
}

func (u updated) Collect(ch chan<- prometheus.Metric) {
	for _, m := range u.metrics {
		ch <- m
	}
}

// update runs c's Update for each account in turn. Collecting the result
// sends no requests; each call of update sends them again.
func update(tb testing.TB, c Collector, client *githubapi.Client, accounts ...githubapi.Account) updated {
	tb.Helper()
	var u updated
	for _, a := range accounts {
		metrics, err := c.Update(context.Background(), client, a)
		if err != nil {
			tb.Fatalf("update %s: %v", a, err)
		}
		u.metrics = append(u.metrics, metrics...)
	}
	return u
}

// expectExposition compares the collected exposition with want and lints it.
func expectExposition(tb testing.TB, c prometheus.Collector, want string) {
	tb.Helper()
	if err := testutil.CollectAndCompare(c, strings.NewReader(want)); err != nil {
		tb.Error(err)
	}
	expectLintClean(tb, c)
}

// expectLintClean reports every lint problem of the collected metrics.
func expectLintClean(tb testing.TB, c prometheus.Collector) {
	tb.Helper()
	problems, err := testutil.CollectAndLint(c)
	if err != nil {
		tb.Fatal(err)
	}
	for _, p := range problems {
		tb.Errorf("lint: %s: %s", p.Metric, p.Text)
	}
}
