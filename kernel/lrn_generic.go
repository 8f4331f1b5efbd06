package kernel

import "math"

// lrnDirectMaxRadius is the largest depth radius whose window sums LRN
// computes directly (2r+1 terms per channel); wider windows go through
// windowSums, whose cost does not depend on the radius. Either way a
// channel costs at most a constant.
const lrnDirectMaxRadius = 4

// lrnGeneric computes LRN pixel by pixel: the window sums of squares in
// float64 (directly for r ≤ lrnDirectMaxRadius, else by windowSums, O(C)
// for any radius), then x * (bias + alpha*sum)^-beta in float64 (powNeg),
// rounded once to float32. Error: windowSums rounds the sum to float32
// twice (relative 2u, u = 2⁻²⁴, all terms being positive), which changes
// the result by at most β·2u relatively; powNeg and the product add a few
// float64 roundings and the final rounding u.
func lrnGeneric(dst, x []float32, pixels, c int, p LRNParams) {
	bias, alpha := float64(p.Bias), float64(p.Alpha)
	r := p.DepthRadius
	for px := range pixels {
		in, out := x[px*c:(px+1)*c], dst[px*c:(px+1)*c]
		if r > lrnDirectMaxRadius {
			windowSums(out, in, r, true)
			for ch, v := range in {
				out[ch] = float32(float64(v) * powNeg(bias+alpha*float64(out[ch]), p.Beta))
			}
			continue
		}
		for ch, v := range in {
			var sum float64
			for _, z := range in[max(ch-r, 0):min(ch+r+1, c)] {
				sum += float64(z) * float64(z)
			}
			out[ch] = float32(float64(v) * powNeg(bias+alpha*sum, p.Beta))
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
	for bs := 0; bs < n; bs += l {
		var acc float64
		for i := min(bs+l, n+r) - 1; i >= bs; i-- {
			acc += paddedTerm(in, i, r, square)
			if i < n {
				out[i] = float32(acc)
			}
		}
	}
	// acc is the prefix sum of the block holding e, for e = c+L-1.
	var acc float64
	for e := 0; e < l-1; e++ {
		acc += paddedTerm(in, e, r, square)
	}
	for c := range n {
		e := c + l - 1
		if e%l == 0 {
			acc = 0
		}
		acc += paddedTerm(in, e, r, square)
		if c%l != 0 {
			out[c] = float32(float64(out[c]) + acc)
		}
	}
}

// paddedTerm is term i of windowSums' padded sequence z: f(in[i-r]) inside,
// 0 in the r cells of padding on either side.
func paddedTerm(in []float32, i, r int, square bool) float64 {
	if i < r || i >= r+len(in) {
		return 0
	}
	v := float64(in[i-r])
	if square {
		return v * v
	}
	return v
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
