package collector

import (
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/github-billing-exporter/github-billing-exporter/githubapi"
)

var (
	metricSetTestSum  = NewDesc("metricset_test_sum", "Summed.", "sku")
	metricSetTestFlag = NewDesc("metricset_test_flag", "Largest wins.", "sku")
)

// metricSetTestCollector serves a metricSet's samples.
type metricSetTestCollector struct{ m *metricSet }

func (c metricSetTestCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- metricSetTestSum.desc
	ch <- metricSetTestFlag.desc
}

func (c metricSetTestCollector) Collect(ch chan<- prometheus.Metric) {
	for _, s := range c.m.metrics() {
		ch <- s
	}
}

func TestMetricSetSumsRowsSharingLabelsAndKeepsTheLargestFlag(t *testing.T) {
	m := newMetricSet(githubapi.Account{Scope: githubapi.ScopeOrganization, Name: "acme"})
	// Three rows of one SKU (two repositories and a later day): 1.5 + 2.25 + 0.25 = 4.
	m.add(metricSetTestSum, 1.5, "linux")
	m.add(metricSetTestSum, 2.25, "linux")
	m.add(metricSetTestSum, 0.25, "linux")
	m.add(metricSetTestSum, 7, "windows")
	// Flags: 1, 1, 0 keeps 1 (a sum would say 2); a lone 0 stays 0.
	m.maximum(metricSetTestFlag, 1, "linux")
	m.maximum(metricSetTestFlag, 1, "linux")
	m.maximum(metricSetTestFlag, 0, "linux")
	m.maximum(metricSetTestFlag, 0, "windows")
	// Invalid UTF-8 is replaced, so the sample stays gatherable; the two
	// spellings below are one label value after that and are summed.
	m.add(metricSetTestSum, 1, "bad\xffsku")
	m.add(metricSetTestSum, 2, "bad\xfesku")
	if got := len(m.metrics()); got != 5 {
		t.Fatalf("%d samples, want 5", got)
	}
	want := `# HELP github_billing_metricset_test_flag Largest wins.
# TYPE github_billing_metricset_test_flag gauge
github_billing_metricset_test_flag{account="acme",scope="organization",sku="linux"} 1
github_billing_metricset_test_flag{account="acme",scope="organization",sku="windows"} 0
# HELP github_billing_metricset_test_sum Summed.
# TYPE github_billing_metricset_test_sum gauge
github_billing_metricset_test_sum{account="acme",scope="organization",sku="` + "bad\uFFFDsku" + `"} 3
github_billing_metricset_test_sum{account="acme",scope="organization",sku="linux"} 4
github_billing_metricset_test_sum{account="acme",scope="organization",sku="windows"} 7
`
	if err := testutil.CollectAndCompare(metricSetTestCollector{m}, strings.NewReader(want)); err != nil {
		t.Fatal(err)
	}
}

func TestMetricSetRefusesTheWrongNumberOfLabels(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("a sample with a missing label value was accepted")
		}
	}()
	newMetricSet(githubapi.Account{Scope: githubapi.ScopeUser, Name: "u"}).add(metricSetTestSum, 1)
}
