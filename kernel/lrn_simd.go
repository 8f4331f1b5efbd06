//go:build goexperiment.simd && (amd64 || wasm)

package kernel

import (
	"simd/archsimd"
	"unsafe"
)

// lrnSIMD computes LRN in float32 for the exponents 0.5, 0.75 and 1 (others
// go to lrnGeneric). For r ≤ lrnDirectMaxRadius and C ≤ lrnMaxPadded, per
// pixel, the squares go into sq, a copy of the pixel padded with r zeros on
// each side, and every window sum of four channels is 2r+1 shifted vectors
// of sq (all channels alike, the pixel's ends included; adding the padding's
// zeros is exact); otherwise the sums come from windowSums. Then
// (bias + alpha*sum)^-beta (powNegVec) scales x, the last C mod 4 channels
// one by one (lrnScale). Error bound, relative to the exact result, to first
// order in u = 2⁻²⁴: β·(γ(2r+1) + 2u) from the sum and the two roundings of
// bias + alpha*sum (β·4u through windowSums), plus 4.5u from powNegVec and
// u from the product with x.
func lrnSIMD(dst, x []float32, pixels, c int, p LRNParams) {
	roots, ok := powRoots(p.Beta)
	if !ok {
		lrnGeneric(dst, x, pixels, c, p)
		return
	}
	r := p.DepthRadius
	if r > lrnDirectMaxRadius || c > lrnMaxPadded {
		for px := range pixels {
			in, out := x[px*c:(px+1)*c], dst[px*c:(px+1)*c]
			windowSums(out, in, r, true)
			lrnScale(out, in, 0, c, p)
		}
		return
	}
	bias := archsimd.BroadcastFloat32x4(p.Bias)
	alpha := archsimd.BroadcastFloat32x4(p.Alpha)
	one := archsimd.BroadcastFloat32x4(1)
	// sq[r+ch] = x[ch]² for the current pixel; sq[:r] and sq[r+c:] stay 0.
	var sq [lrnMaxPadded + 2*lrnDirectMaxRadius + 4]float32
	c4 := c &^ 3
	// The vector loops load and store through unchecked pointers (with
	// bounds checks they took about twice as long under wasm): x and dst
	// hold pixels*C values (checked here), sq C+2r+3.
	_, _ = x[pixels*c-1], dst[pixels*c-1]
	sqp := unsafe.Pointer(&sq[0])
	for px := range pixels {
		in, out := unsafe.Pointer(&x[px*c]), unsafe.Pointer(&dst[px*c])
		for ch := 0; ch < c4; ch += 4 {
			v := load4(in, ch)
			v.Mul(v).StoreArray((*[4]float32)(unsafe.Add(sqp, 4*(r+ch))))
		}
		for ch := c4; ch < c; ch++ {
			v := x[px*c+ch]
			sq[r+ch] = v * v
		}
		for ch := 0; ch < c4; ch += 4 {
			// Channels ch..ch+3 sum w[j : j+4] = sq[ch+j : ch+j+4] over
			// j ≤ 2r, in order of j. The sums are written out per radius,
			// in this loop: as a loop over j (a vector carried from one
			// iteration to the next) the whole LRN ran several times
			// slower under wasm (Go 1.27.3, V8 in Node 20; BenchmarkLRN
			// with GOOS=js GOARCH=wasm GOEXPERIMENT=simd), and as a
			// function, which Go does not inline, markedly slower too.
			w := unsafe.Add(sqp, 4*ch)
			var sum archsimd.Float32x4
			switch r {
			case 0:
				sum = load4(w, 0)
			case 1:
				sum = load4(w, 0).Add(load4(w, 1)).Add(load4(w, 2))
			case 2:
				sum = load4(w, 0).Add(load4(w, 1)).Add(load4(w, 2)).Add(load4(w, 3)).Add(load4(w, 4))
			case 3:
				sum = load4(w, 0).Add(load4(w, 1)).Add(load4(w, 2)).Add(load4(w, 3)).Add(load4(w, 4)).Add(load4(w, 5)).Add(load4(w, 6))
			default:
				sum = load4(w, 0).Add(load4(w, 1)).Add(load4(w, 2)).Add(load4(w, 3)).Add(load4(w, 4)).Add(load4(w, 5)).Add(load4(w, 6)).Add(load4(w, 7)).Add(load4(w, 8))
			}
			s := bias.Add(alpha.Mul(sum))
			load4(in, ch).Mul(powNegVec(s, one, roots)).StoreArray((*[4]float32)(unsafe.Add(out, 4*ch)))
		}
		inS, outS := x[px*c:(px+1)*c], dst[px*c:(px+1)*c]
		for ch := c4; ch < c; ch++ {
			var sum float32
			for _, v := range sq[ch : ch+2*r+1] {
				sum += v
			}
			outS[ch] = sum
		}
		lrnScale(outS, inS, c4, c, p)
	}
}

// load4 returns the four float32 values at p + 4i bytes.
func load4(p unsafe.Pointer, i int) archsimd.Float32x4 {
	return archsimd.LoadFloat32x4Array((*[4]float32)(unsafe.Add(p, 4*i)))
}

// lrnMaxPadded is the most channels lrnSIMD pads on its stack (4 KiB);
// wider pixels take windowSums.
const lrnMaxPadded = 1024

// lrnScale sets out[c] = in[c] * (bias + alpha*out[c])^-beta for
// from ≤ c < to, where out holds the window sums: four channels at a time
// in float32 with powNegVec, the rest in float64 with powNeg.
func lrnScale(out, in []float32, from, to int, p LRNParams) {
	roots, _ := powRoots(p.Beta)
	bias := archsimd.BroadcastFloat32x4(p.Bias)
	alpha := archsimd.BroadcastFloat32x4(p.Alpha)
	one := archsimd.BroadcastFloat32x4(1)
	ch := from
	for ; ch+4 <= to; ch += 4 {
		s := bias.Add(alpha.Mul(archsimd.LoadFloat32x4(out[ch:])))
		archsimd.LoadFloat32x4(in[ch:]).Mul(powNegVec(s, one, roots)).Store(out[ch:])
	}
	for ; ch < to; ch++ {
		out[ch] = float32(float64(in[ch]) * powNeg(float64(p.Bias)+float64(p.Alpha)*float64(out[ch]), p.Beta))
	}
}

// powRoots returns the number of square roots powNegVec takes for s^-beta:
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

// powNegVec returns s^-beta, with roots = powRoots(beta) and one = 1 in
// every lane: 1/√s (β = 0.5), 1/(√s·√√s) (0.75) or 1/s (1), in float32.
// Square roots and divisions are correctly rounded, so the relative error
// is at most 1.5u, 4.5u and u respectively (u = 2⁻²⁴, to first order: a
// root halves the error of its argument); TestPowNegVec checks it against
// the exact power.
func powNegVec(s, one archsimd.Float32x4, roots int) archsimd.Float32x4 {
	switch roots {
	case 1:
		return one.Div(s.Sqrt())
	case 2:
		q := s.Sqrt()
		return one.Div(q.Mul(q.Sqrt()))
	}
	return one.Div(s)
}
