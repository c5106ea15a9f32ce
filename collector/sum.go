package collector

import "math"

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
