package collector

import (
	"math"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/github-billing-exporter/github-billing-exporter/githubapi"
)

// Rows as GitHub writes them sum to the decimal total. Each want is worked
// out by hand; plain float64 addition misses every one of them.
func TestSumAddsDecimalRowsExactly(t *testing.T) {
	repeat := func(x float64, n int) []float64 {
		rows := make([]float64, n)
		for i := range rows {
			rows[i] = x
		}
		return rows
	}
	for _, tc := range []struct {
		name string
		rows []float64
		want float64
	}{
		{"0.1 + 0.2", []float64{0.1, 0.2}, 0.3},
		{"90 × 0.1 minutes", repeat(0.1, 90), 9},
		{"90 × $0.008", repeat(0.008, 90), 0.72},
		{"90 × $0.016", repeat(0.016, 90), 1.44},
		{"a million × $0.001", repeat(0.001, 1_000_000), 1000},
		{"a million × 0.1 GB-hours", repeat(0.1, 1_000_000), 100_000},
		{"large and small", []float64{123456.78, 0.01, 0.01, 0.01}, 123456.81},
		{"$1 billion and a cent, ten times", repeat(1_000_000_000.01, 10), 10_000_000_000.1},
		{"one row", []float64{0.0123}, 0.0123},
		{"nothing", nil, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var s sum
			naive := 0.0
			for _, x := range tc.rows {
				s.add(x)
				naive += x
			}
			if got := s.value(); got != tc.want {
				t.Errorf("sum = %v, want %v (plain float64: %v)", got, tc.want, naive)
			}
		})
	}
}

func TestSumInfiniteRow(t *testing.T) {
	var s sum
	s.add(1)
	s.add(math.Inf(1))
	if got := s.value(); !math.IsInf(got, 1) {
		t.Errorf("1 + Inf = %v, want +Inf", got)
	}
}

func TestRound15(t *testing.T) {
	for _, tc := range []struct{ in, want float64 }{
		{0.30000000000000004, 0.3},
		{-0.30000000000000004, -0.3},
		{79.02099999999997, 79.021},
		{9.000000000000002, 9},
		{0.7200000000000001, 0.72},
		// Plain float64 addition drifts further than rounding can undo:
		// that is why sum compensates before it rounds.
		{8.999999999999984, 8.99999999999998},
		{999.9999999999999, 1000},                      // 999.999999999999|9 rounds up across the power of ten
		{1000, 1000},                                   // a power of ten, where Log10 may be one off
		{18300, 18300},                                 // integers stay
		{123456789012.345, 123456789012.345},           // 15 digits stay
		{1.2345678901234567e15, 1.2345678901234567e15}, // no fraction at 15 digits: left alone
		{1.5e-10, 1.5e-10},                             // too small to scale exactly: left alone
		{0, 0},
	} {
		if got := round15(tc.in); got != tc.want {
			t.Errorf("round15(%v) = %v, want %v", tc.in, got, tc.want)
		}
	}
	if got := round15(math.NaN()); !math.IsNaN(got) {
		t.Errorf("round15(NaN) = %v", got)
	}
}

// add sums with sum: rows of the summary endpoints that share labels add
// up as decimals too.
func TestMetricSetGaugeSumsDecimalsExactly(t *testing.T) {
	m := newMetricSet(githubapi.Account{Scope: githubapi.ScopeOrganization, Name: "acme"})
	for range 90 {
		m.add(metricSetTestSum, 0.008, "linux")
	}
	m.add(metricSetTestSum, 0.1, "windows")
	m.add(metricSetTestSum, 0.2, "windows")
	want := `# HELP github_billing_metricset_test_sum Summed.
# TYPE github_billing_metricset_test_sum gauge
github_billing_metricset_test_sum{account="acme",scope="organization",sku="linux"} 0.72
github_billing_metricset_test_sum{account="acme",scope="organization",sku="windows"} 0.3
`
	if err := testutil.CollectAndCompare(metricSetTestCollector{m}, strings.NewReader(want), "github_billing_metricset_test_sum"); err != nil {
		t.Fatal(err)
	}
}
