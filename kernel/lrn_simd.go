//go:build goexperiment.simd && (amd64 || wasm)

package kernel

import "simd/archsimd"

// lrnSIMD computes LRN in float32 for the exponents 0.5, 0.75 and 1 (others
// go to lrnGeneric). Per pixel, the window sums of squares come from 2r+1
// shifted vectors of squares for four channels at a time where the whole
// window lies inside the pixel and r ≤ lrnDirectMaxRadius (channels near the
// ends summed one by one), else from windowSums; then lrnScale applies
// (bias + alpha*sum)^-beta. Error bound, relative to the exact result, to
// first order in u = 2⁻²⁴: β·(γ(2r+1) + 2u) from the sum and the two
// roundings of bias + alpha*sum (β·4u through windowSums), plus 4.5u from
// powNegVec and u from the product with x.
func lrnSIMD(dst, x []float32, pixels, c int, p LRNParams) {
	if p.Beta != 0.5 && p.Beta != 0.75 && p.Beta != 1 {
		lrnGeneric(dst, x, pixels, c, p)
		return
	}
	r := p.DepthRadius
	bias := archsimd.BroadcastFloat32x4(p.Bias)
	alpha := archsimd.BroadcastFloat32x4(p.Alpha)
	for px := range pixels {
		in := x[px*c : (px+1)*c]
		out := dst[px*c : (px+1)*c]
		if r > lrnDirectMaxRadius || c < 2*r+4 {
			windowSums(out, in, r, true)
			lrnScale(out, in, 0, c, p)
			continue
		}
		// The vector loop covers channels [r, end); end-r is a multiple of 4.
		end := r + (c-2*r)/4*4
		for ch := r; ch < end; ch += 4 {
			var sum archsimd.Float32x4
			for j := ch - r; j <= ch+r; j++ {
				v := archsimd.LoadFloat32x4(in[j:])
				sum = sum.Add(v.Mul(v))
			}
			s := bias.Add(alpha.Mul(sum))
			archsimd.LoadFloat32x4(in[ch:]).Mul(powNegVec(s, p.Beta)).Store(out[ch:])
		}
		for _, edge := range [2][2]int{{0, r}, {end, c}} {
			for ch := edge[0]; ch < edge[1]; ch++ {
				var sum float64
				for _, v := range in[max(ch-r, 0):min(ch+r+1, c)] {
					sum += float64(v) * float64(v)
				}
				out[ch] = float32(sum)
			}
			lrnScale(out, in, edge[0], edge[1], p)
		}
	}
}

// lrnScale sets out[c] = in[c] * (bias + alpha*out[c])^-beta for
// from ≤ c < to, where out holds the window sums: four channels at a time
// in float32 with powNegVec, the rest in float64 with powNeg.
func lrnScale(out, in []float32, from, to int, p LRNParams) {
	bias := archsimd.BroadcastFloat32x4(p.Bias)
	alpha := archsimd.BroadcastFloat32x4(p.Alpha)
	ch := from
	for ; ch+4 <= to; ch += 4 {
		s := bias.Add(alpha.Mul(archsimd.LoadFloat32x4(out[ch:])))
		archsimd.LoadFloat32x4(in[ch:]).Mul(powNegVec(s, p.Beta)).Store(out[ch:])
	}
	for ; ch < to; ch++ {
		out[ch] = float32(float64(in[ch]) * powNeg(float64(p.Bias)+float64(p.Alpha)*float64(out[ch]), p.Beta))
	}
}

// powNegVec returns s^-beta for beta 0.5 (1/√s), 0.75 (1/(√s·√√s)) or 1
// (1/s) in float32. Square roots and divisions are correctly rounded, so
// the relative error is at most 1.5u, 4.5u and u respectively (u = 2⁻²⁴,
// to first order: a root halves the error of its argument); TestPowNegVec
// checks it against math.Pow.
func powNegVec(s archsimd.Float32x4, beta float32) archsimd.Float32x4 {
	one := archsimd.BroadcastFloat32x4(1)
	switch beta {
	case 0.5:
		return one.Div(s.Sqrt())
	case 0.75:
		q := s.Sqrt()
		return one.Div(q.Mul(q.Sqrt()))
	}
	return one.Div(s)
}
