package collector

import (
	"fmt"
	"math"

	"github.com/prometheus/client_golang/prometheus"
)

// sum adds the figures of many rows without the drift of plain float64
// addition, so that a month of rows that GitHub writes as 0.008, 0.016, …
// sums to what a decimal calculator (and GitHub's invoice) says: 79.021,
// not 79.02099999999997.
//
// It uses Neumaier's compensated summation, which keeps the rounding error
// of every addition and adds it back at the end: the result is the float64
// nearest to the exact sum of the float64 inputs. Those inputs are the
// decimal numbers GitHub sent, each within half a unit in its last binary
// place, so for non-negative rows (quantities and amounts are) the exact
// decimal sum is within about two parts in 10^16 of the compensated sum.
// value rounds that to 15 significant digits, which gives the decimal sum
// exactly whenever it has at most 15 significant digits: cents up to a
// trillion dollars.
type sum struct {
	s, c float64 // running sum and the error it has not yet absorbed
}

func (k *sum) add(x float64) {
	t := k.s + x
	if math.Abs(k.s) >= math.Abs(x) {
		k.c += (k.s - t) + x
	} else {
		k.c += (x - t) + k.s
	}
	k.s = t
}

// value is the sum, rounded to 15 significant digits.
func (k sum) value() float64 {
	v := k.s + k.c
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return k.s // an infinite row makes the compensation NaN
	}
	return round15(v)
}

// round15 rounds x to 15 significant decimal digits, leaving alone values
// with no fraction at that precision (|x| ≥ 10^14) and values too small to
// scale exactly (|x| < 10^-8).
func round15(x float64) float64 {
	a := math.Abs(x)
	if a == 0 || math.IsNaN(a) || math.IsInf(a, 0) {
		return x
	}
	e := int(math.Floor(math.Log10(a)))
	// Log10 can be one off next to a power of ten; Pow10 is exact.
	if a >= math.Pow10(e+1) {
		e++
	} else if a < math.Pow10(e) {
		e--
	}
	decimals := 14 - e
	if decimals <= 0 || decimals > 22 {
		return x
	}
	// 10^decimals is exact for decimals ≤ 22 and x·10^decimals < 10^15 <
	// 2^53, so the division returns the float64 nearest to the rounded
	// decimal.
	p := math.Pow10(decimals)
	return math.Round(x*p) / p
}

// finite says whether x is a number a sample can carry as money or a
// quantity: not ±Inf (a sum past the largest float64, or a row GitHub sent
// as such) and not NaN (what ±Inf becomes in a difference).
func finite(x float64) bool { return !math.IsInf(x, 0) && !math.IsNaN(x) }

// errNotFinite is a sum that is no number, as legacy.go treats a
// conversion that overflows: serving it would show +Inf dollars, or NaN for
// a difference, as if GitHub had said so.
type errNotFinite struct {
	name   string
	labels []string
	value  float64
}

func (e *errNotFinite) Error() string {
	return fmt.Sprintf("%s%q is %v, not finite: the rows sum past what a float64 holds", e.name, e.labels, e.value)
}

// finiteMetrics is metrics, or an error naming the first sample whose value
// is not finite: the whole update fails, and the exporter keeps the last
// good data.
func (s *metricSet) finiteMetrics() ([]prometheus.Metric, error) {
	metrics := s.metrics()
	for _, g := range s.samples {
		if !finite(g.value) {
			return nil, notFinite(g.desc, g.labels, g.value)
		}
	}
	return metrics, nil
}

func notFinite(desc *Desc, labels []string, value float64) error {
	return &errNotFinite{name: desc.name, labels: labels, value: value}
}

// remainder is a whole less its parts, key by key and figure by figure, in
// the order the keys first come: what the parts leave unaccounted for (the
// users past the limit, the usage a cost-center split misses). Both sides
// are sums of cents and fractions of cents, so what is left past a
// billionth is taken for float noise.
type remainder[K comparable] struct {
	figures int
	order   []K
	sums    map[K][]sum
}

func newRemainder[K comparable](figures int) *remainder[K] {
	return &remainder[K]{figures: figures, sums: map[K][]sum{}}
}

// whole adds the figures of one row of the whole.
func (r *remainder[K]) whole(k K, figures ...float64) { r.add(k, 1, figures) }

// part takes away the figures of one row of a part.
func (r *remainder[K]) part(k K, figures ...float64) { r.add(k, -1, figures) }

func (r *remainder[K]) add(k K, sign float64, figures []float64) {
	s := r.sums[k]
	if s == nil {
		s = make([]sum, r.figures)
		r.sums[k] = s
		r.order = append(r.order, k)
	}
	for i, v := range figures {
		s[i].add(sign * v)
	}
}

// value is what is left of figure i of k.
func (r *remainder[K]) value(k K, i int) float64 {
	return math.Round(r.sums[k][i].value()*1e9) / 1e9
}
