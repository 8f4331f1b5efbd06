package kernel

import "math"

// lrnGeneric computes LRN pixel by pixel: the window sums of squares by
// windowSums (O(C) for any depth radius), then x * (bias + alpha*sum)^-beta
// in float64 (powNeg), rounded once to float32. Error: the sum is rounded
// to float32 once (relative u = 2⁻²⁴, all terms being positive), which
// changes the result by at most β·u relatively; powNeg and the product add
// a few float64 roundings and the final rounding u.
func lrnGeneric(dst, x []float32, pixels, c int, p LRNParams) {
	bias, alpha := float64(p.Bias), float64(p.Alpha)
	for px := range pixels {
		in, out := x[px*c:(px+1)*c], dst[px*c:(px+1)*c]
		windowSums(out, in, p.DepthRadius, true)
		for ch, v := range in {
			out[ch] = float32(float64(v) * powNeg(bias+alpha*float64(out[ch]), p.Beta))
		}
	}
}

// windowSums sets, for every c < n = len(in),
//
//	out[c] = Σ_{max(c-r, 0) ≤ j ≤ min(c+r, n-1)} f(in[j])
//
// with f(v) = v² when square is set, else f(v) = v, in O(n) time for any
// r ≥ 0 and without subtractions (so no cancellation), by the van Herk /
// Gil-Werman block decomposition: on z, in padded with r zeros on each
// side (z[i] = f(in[i-r])), the window of c is z[c : c+L], L = 2r+1; cut z
// into blocks of L, a window is the suffix of its first block plus the
// prefix of the next one (only the suffix when it starts a block). Suffix
// sums are stored in out; prefix sums run along. Sums accumulate in
// float64 and round once to float32 when stored and once at the end, so
// out[c] is within 2u·(1+γ₆₄(L))·Σ|f(in[j])| of the exact sum. r is
// clamped to n-1 (a wider window covers the same channels). out must not
// overlap in.
func windowSums(out, in []float32, r int, square bool) {
	n := len(in)
	out = out[:n]
	r = min(r, n-1)
	l := 2*r + 1
	z := func(i int) float64 { // the padded terms
		if i < r || i >= r+n {
			return 0
		}
		v := float64(in[i-r])
		if square {
			return v * v
		}
		return v
	}
	for bs := 0; bs < n; bs += l {
		var acc float64
		for i := min(bs+l, n+r) - 1; i >= bs; i-- {
			acc += z(i)
			if i < n {
				out[i] = float32(acc)
			}
		}
	}
	// acc is the prefix sum of the block holding e, for e = c+L-1.
	var acc float64
	for e := 0; e < l-1; e++ {
		acc += z(e)
	}
	for c := range n {
		e := c + l - 1
		if e%l == 0 {
			acc = 0
		}
		acc += z(e)
		if c%l != 0 {
			out[c] = float32(float64(out[c]) + acc)
		}
	}
}

// powNeg returns s^-beta. For the exponents of AlexNet (0.75) and
// TensorFlow's default (0.5), and for 1, it uses square roots and a
// division, which are correctly rounded in float64: the relative error is
// at most 4.5·2⁻⁵³ (β = 0.75: 1.5 from the first root, 1 from the second,
// the product and the division), far below float32's 2⁻²⁴; TestPowNeg
// checks it against math.Pow. Other exponents call math.Pow.
func powNeg(s float64, beta float32) float64 {
	switch beta {
	case 0.5:
		return 1 / math.Sqrt(s)
	case 0.75:
		r := math.Sqrt(s)
		return 1 / (r * math.Sqrt(r))
	case 1:
		return 1 / s
	}
	return math.Pow(s, -float64(beta))
}
