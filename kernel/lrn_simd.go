//go:build goexperiment.simd && (amd64 || wasm)

package kernel

import (
	"simd/archsimd"
	"unsafe"
)

// lrnSIMD computes LRN in float32 for the exponents 0.5, 0.75 and 1 and
// C ≥ 16 (others go to lrnGeneric), pixel by pixel in two passes: the
// window sums of squares, then x / (bias + alpha*sum)^beta (lrnScale); for
// AlexNet's r = 2, β = 0.75 both in one loop (lrnAlexNet). For
// r ≤ lrnDirectMaxRadius and C ≤ lrnMaxPadded the squares go into a copy
// of the pixel padded with r zeros on each side, and every window sum of
// four channels is 2r+1 shifted vectors of it (lrnSums: all channels
// alike, the pixel's ends included; adding the padding's zeros is exact);
// otherwise the sums come from windowSums. Error bound, relative to the
// exact result, to first order in u = 2⁻²⁴: β·(γ(2r+1) + 2u) from the sum
// and the two roundings of bias + alpha*sum (β·4u through windowSums), plus
// 4.5u from the power and the division (divPowVec).
func lrnSIMD(dst, x []float32, pixels, c int, p LRNParams) {
	roots, ok := powRoots(p.Beta)
	if !ok || c < 16 {
		lrnGeneric(dst, x, pixels, c, p)
		return
	}
	r := p.DepthRadius
	_, _ = x[pixels*c-1], dst[pixels*c-1]
	if r > lrnDirectMaxRadius || c > lrnMaxPadded {
		for px := range pixels {
			in, out := x[px*c:(px+1)*c], dst[px*c:(px+1)*c]
			windowSums(out, in, r, true)
			lrnScale(unsafe.Pointer(&out[0]), unsafe.Pointer(&in[0]), unsafe.Pointer(&out[0]), c, p.Bias, p.Alpha, roots)
		}
		return
	}
	// cur[r+ch] = x[ch]² for the current pixel, next the same for the next
	// one; the first and last r cells of both stay 0. The squares are
	// stored a pixel ahead of the loads that read them back at shifted
	// offsets: a load that straddles two stores still in the store buffer
	// cannot be forwarded from them and waits.
	var sqA, sqB [lrnMaxPadded + 2*lrnDirectMaxRadius]float32
	var sums [lrnMaxPadded]float32
	cur, next := unsafe.Pointer(&sqA[0]), unsafe.Pointer(&sqB[0])
	sp := unsafe.Pointer(&sums[0])
	lrnSums(sp, next, unsafe.Add(cur, 4*r), unsafe.Pointer(&x[0]), c, r) // squares of pixel 0; sums of zeros
	for px := range pixels {
		in, out := unsafe.Pointer(&x[px*c]), unsafe.Pointer(&dst[px*c])
		nextIn := in // the last pixel squares itself into next, unused
		if px+1 < pixels {
			nextIn = unsafe.Add(in, 4*c)
		}
		if r == 2 && roots == 2 {
			lrnAlexNet(out, in, cur, unsafe.Add(next, 4*r), nextIn, c, p.Bias, p.Alpha)
		} else {
			lrnSums(sp, cur, unsafe.Add(next, 4*r), nextIn, c, r)
			lrnScale(out, in, sp, c, p.Bias, p.Alpha, roots)
		}
		cur, next = next, cur
	}
}

// lrnMaxPadded is the most channels lrnSIMD pads on its stack (3 × 4 KiB);
// wider pixels take windowSums.
const lrnMaxPadded = 1024

// The loops below load and store through unchecked pointers (lrnSIMD checks
// the lengths of x and dst; the padded squares hold C+2r values), take 16
// channels a step and hold no branch but the loop's own: under wasm (Go
// 1.27.3, V8 in Node 20) bounds checks doubled the time, and every branch
// inside a loop, its back edge included, is a jump through the function's
// dispatch loop that costs more than the arithmetic of a vector. Where C
// is not a multiple of 16, the last 16 channels are one more step,
// overlapping the one before (it stores the same values).

// lrnSums sets, for ch < C (C ≥ 16, r ≤ lrnDirectMaxRadius),
//
//	sums[ch] = Σ_{j ≤ 2r} sq[ch+j]   (in order of j)
//	nextSq[ch] = nextIn[ch]²
//
// one loop per radius; sq and nextSq must not overlap.
func lrnSums(sums, sq, nextSq, nextIn unsafe.Pointer, c, r int) {
	switch r {
	case 0:
		for ch := 0; ; ch += 16 {
			ch = min(ch, c-16)
			lrnSquare8(nextSq, nextIn, ch)
			lrnSquare8(nextSq, nextIn, ch+8)
			w := unsafe.Add(sq, 4*ch)
			store4(sums, ch, load4(w, 0))
			store4(sums, ch+4, load4(w, 4))
			store4(sums, ch+8, load4(w, 8))
			store4(sums, ch+12, load4(w, 12))
			if ch == c-16 {
				return
			}
		}
	case 1:
		for ch := 0; ; ch += 16 {
			ch = min(ch, c-16)
			lrnSquare8(nextSq, nextIn, ch)
			lrnSquare8(nextSq, nextIn, ch+8)
			w := unsafe.Add(sq, 4*ch)
			store4(sums, ch, load4(w, 0).Add(load4(w, 1)).Add(load4(w, 2)))
			store4(sums, ch+4, load4(w, 4).Add(load4(w, 5)).Add(load4(w, 6)))
			store4(sums, ch+8, load4(w, 8).Add(load4(w, 9)).Add(load4(w, 10)))
			store4(sums, ch+12, load4(w, 12).Add(load4(w, 13)).Add(load4(w, 14)))
			if ch == c-16 {
				return
			}
		}
	case 2:
		for ch := 0; ; ch += 16 {
			ch = min(ch, c-16)
			lrnSquare8(nextSq, nextIn, ch)
			lrnSquare8(nextSq, nextIn, ch+8)
			w := unsafe.Add(sq, 4*ch)
			store4(sums, ch, load4(w, 0).Add(load4(w, 1)).Add(load4(w, 2)).Add(load4(w, 3)).Add(load4(w, 4)))
			store4(sums, ch+4, load4(w, 4).Add(load4(w, 5)).Add(load4(w, 6)).Add(load4(w, 7)).Add(load4(w, 8)))
			store4(sums, ch+8, load4(w, 8).Add(load4(w, 9)).Add(load4(w, 10)).Add(load4(w, 11)).Add(load4(w, 12)))
			store4(sums, ch+12, load4(w, 12).Add(load4(w, 13)).Add(load4(w, 14)).Add(load4(w, 15)).Add(load4(w, 16)))
			if ch == c-16 {
				return
			}
		}
	case 3:
		for ch := 0; ; ch += 16 {
			ch = min(ch, c-16)
			lrnSquare8(nextSq, nextIn, ch)
			lrnSquare8(nextSq, nextIn, ch+8)
			w := unsafe.Add(sq, 4*ch)
			store4(sums, ch, load4(w, 0).Add(load4(w, 1)).Add(load4(w, 2)).Add(load4(w, 3)).Add(load4(w, 4)).Add(load4(w, 5)).Add(load4(w, 6)))
			store4(sums, ch+4, load4(w, 4).Add(load4(w, 5)).Add(load4(w, 6)).Add(load4(w, 7)).Add(load4(w, 8)).Add(load4(w, 9)).Add(load4(w, 10)))
			store4(sums, ch+8, load4(w, 8).Add(load4(w, 9)).Add(load4(w, 10)).Add(load4(w, 11)).Add(load4(w, 12)).Add(load4(w, 13)).Add(load4(w, 14)))
			store4(sums, ch+12, load4(w, 12).Add(load4(w, 13)).Add(load4(w, 14)).Add(load4(w, 15)).Add(load4(w, 16)).Add(load4(w, 17)).Add(load4(w, 18)))
			if ch == c-16 {
				return
			}
		}
	default:
		for ch := 0; ; ch += 16 {
			ch = min(ch, c-16)
			lrnSquare8(nextSq, nextIn, ch)
			lrnSquare8(nextSq, nextIn, ch+8)
			w := unsafe.Add(sq, 4*ch)
			store4(sums, ch, load4(w, 0).Add(load4(w, 1)).Add(load4(w, 2)).Add(load4(w, 3)).Add(load4(w, 4)).Add(load4(w, 5)).Add(load4(w, 6)).Add(load4(w, 7)).Add(load4(w, 8)))
			store4(sums, ch+4, load4(w, 4).Add(load4(w, 5)).Add(load4(w, 6)).Add(load4(w, 7)).Add(load4(w, 8)).Add(load4(w, 9)).Add(load4(w, 10)).Add(load4(w, 11)).Add(load4(w, 12)))
			store4(sums, ch+8, load4(w, 8).Add(load4(w, 9)).Add(load4(w, 10)).Add(load4(w, 11)).Add(load4(w, 12)).Add(load4(w, 13)).Add(load4(w, 14)).Add(load4(w, 15)).Add(load4(w, 16)))
			store4(sums, ch+12, load4(w, 12).Add(load4(w, 13)).Add(load4(w, 14)).Add(load4(w, 15)).Add(load4(w, 16)).Add(load4(w, 17)).Add(load4(w, 18)).Add(load4(w, 19)).Add(load4(w, 20)))
			if ch == c-16 {
				return
			}
		}
	}
}

// lrnAlexNet is lrnSums and lrnScale in one loop for AlexNet's radius 2
// and β = 0.75 (Krizhevsky et al. 2012, §3.3; the LRN of every built-in
// model), without storing the sums: the additions and loads run while
// the square roots and divisions, which bound the loop, are in flight.
// It computes the same float32 operations in the same order as the two
// loops. out must not overlap in or sq.
func lrnAlexNet(out, in, sq, nextSq, nextIn unsafe.Pointer, c int, bias, alpha float32) {
	vb, va := archsimd.BroadcastFloat32x4(bias), archsimd.BroadcastFloat32x4(alpha)
	for ch := 0; ; ch += 16 {
		ch = min(ch, c-16)
		lrnSquare8(nextSq, nextIn, ch)
		lrnSquare8(nextSq, nextIn, ch+8)
		w := unsafe.Add(sq, 4*ch)
		s0 := load4(w, 0).Add(load4(w, 1)).Add(load4(w, 2)).Add(load4(w, 3)).Add(load4(w, 4))
		store4(out, ch, divPow075(load4(in, ch), vb.Add(va.Mul(s0))))
		s1 := load4(w, 4).Add(load4(w, 5)).Add(load4(w, 6)).Add(load4(w, 7)).Add(load4(w, 8))
		store4(out, ch+4, divPow075(load4(in, ch+4), vb.Add(va.Mul(s1))))
		s2 := load4(w, 8).Add(load4(w, 9)).Add(load4(w, 10)).Add(load4(w, 11)).Add(load4(w, 12))
		store4(out, ch+8, divPow075(load4(in, ch+8), vb.Add(va.Mul(s2))))
		s3 := load4(w, 12).Add(load4(w, 13)).Add(load4(w, 14)).Add(load4(w, 15)).Add(load4(w, 16))
		store4(out, ch+12, divPow075(load4(in, ch+12), vb.Add(va.Mul(s3))))
		if ch == c-16 {
			return
		}
	}
}

// lrnSquare8 sets sq[ch+k] = in[ch+k]² for k < 8 (small enough to be
// inlined; 16 are not).
func lrnSquare8(sq, in unsafe.Pointer, ch int) {
	v, w := load4(in, ch), load4(in, ch+4)
	store4(sq, ch, v.Mul(v))
	store4(sq, ch+4, w.Mul(w))
}

// lrnScale sets out[ch] = in[ch] / (bias + alpha*sums[ch])^beta for ch < C
// (C ≥ 16), with roots = powRoots(beta): four channels at a time
// (divPowVec), one loop per exponent. sums may be out: the last 16
// channels are computed before the loop and stored after it.
func lrnScale(out, in, sums unsafe.Pointer, c int, bias, alpha float32, roots int) {
	vb, va := archsimd.BroadcastFloat32x4(bias), archsimd.BroadcastFloat32x4(alpha)
	l := c - 16
	t0 := divPowVec(load4(in, l), vb.Add(va.Mul(load4(sums, l))), roots)
	t1 := divPowVec(load4(in, l+4), vb.Add(va.Mul(load4(sums, l+4))), roots)
	t2 := divPowVec(load4(in, l+8), vb.Add(va.Mul(load4(sums, l+8))), roots)
	t3 := divPowVec(load4(in, l+12), vb.Add(va.Mul(load4(sums, l+12))), roots)
	c16 := c &^ 15
	switch roots {
	case 2:
		for ch := 0; ch < c16; ch += 16 {
			store4(out, ch, divPow075(load4(in, ch), vb.Add(va.Mul(load4(sums, ch)))))
			store4(out, ch+4, divPow075(load4(in, ch+4), vb.Add(va.Mul(load4(sums, ch+4)))))
			store4(out, ch+8, divPow075(load4(in, ch+8), vb.Add(va.Mul(load4(sums, ch+8)))))
			store4(out, ch+12, divPow075(load4(in, ch+12), vb.Add(va.Mul(load4(sums, ch+12)))))
		}
	case 1:
		for ch := 0; ch < c16; ch += 16 {
			store4(out, ch, divPow05(load4(in, ch), vb.Add(va.Mul(load4(sums, ch)))))
			store4(out, ch+4, divPow05(load4(in, ch+4), vb.Add(va.Mul(load4(sums, ch+4)))))
			store4(out, ch+8, divPow05(load4(in, ch+8), vb.Add(va.Mul(load4(sums, ch+8)))))
			store4(out, ch+12, divPow05(load4(in, ch+12), vb.Add(va.Mul(load4(sums, ch+12)))))
		}
	default:
		for ch := 0; ch < c16; ch += 16 {
			store4(out, ch, load4(in, ch).Div(vb.Add(va.Mul(load4(sums, ch)))))
			store4(out, ch+4, load4(in, ch+4).Div(vb.Add(va.Mul(load4(sums, ch+4)))))
			store4(out, ch+8, load4(in, ch+8).Div(vb.Add(va.Mul(load4(sums, ch+8)))))
			store4(out, ch+12, load4(in, ch+12).Div(vb.Add(va.Mul(load4(sums, ch+12)))))
		}
	}
	store4(out, l, t0)
	store4(out, l+4, t1)
	store4(out, l+8, t2)
	store4(out, l+12, t3)
}

// powRoots returns the number of square roots divPowVec takes for s^beta:
// 1 for beta 0.5, 2 for 0.75, 0 for 1; ok is false for other exponents.
// The vector loops choose by this integer rather than by comparing beta
// there: on amd64 a scalar float comparison between AVX instructions can
// cost an SSE/AVX state transition per iteration.
func powRoots(beta float32) (roots int, ok bool) {
	switch beta {
	case 0.5:
		return 1, true
	case 0.75:
		return 2, true
	case 1:
		return 0, true
	}
	return 0, false
}

// powBetas[roots] is the exponent beta whose powRoots is roots.
var powBetas = [3]float32{1, 0.5, 0.75}

// divPowVec returns x / s^beta with roots = powRoots(beta): x/√s
// (β = 0.5, divPow05), x/(√s·√√s) (0.75, divPow075) or x/s (1), in
// float32. Square roots and divisions are correctly rounded, so the
// relative error is at most 2u, 4.5u and u respectively (u = 2⁻²⁴, to
// first order: a root halves the error of its argument, the product and
// the division add u each); TestDivPowVec checks it against the exact
// power.
func divPowVec(x, s archsimd.Float32x4, roots int) archsimd.Float32x4 {
	switch roots {
	case 1:
		return divPow05(x, s)
	case 2:
		return divPow075(x, s)
	}
	return x.Div(s)
}

// divPow05 returns x/√s.
func divPow05(x, s archsimd.Float32x4) archsimd.Float32x4 { return x.Div(s.Sqrt()) }

// divPow075 returns x/(√s·√√s) = x / s^0.75.
func divPow075(x, s archsimd.Float32x4) archsimd.Float32x4 {
	q := s.Sqrt()
	return x.Div(q.Mul(q.Sqrt()))
}
