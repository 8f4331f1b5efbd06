//go:build goexperiment.simd && (amd64 || wasm)

package kernel

import "simd/archsimd"

// lrnSIMD computes LRN in float32, four channels at a time: for each group
// of four channels whose whole window lies inside the pixel, the 2r+1
// shifted vectors of squares are summed, and for the exponents 0.5, 0.75 and
// 1 the power is taken with square roots and a division (as powNeg does in
// float64). Channels near the ends and other exponents go through
// lrnGeneric's float64 formula one pixel at a time. The results agree with
// lrnGeneric to a few float32 rounding steps.
func lrnSIMD(dst, x []float32, pixels, c int, p LRNParams) {
	r := p.DepthRadius
	if p.Beta != 0.5 && p.Beta != 0.75 && p.Beta != 1 || c < 2*r+4 {
		lrnGeneric(dst, x, pixels, c, p)
		return
	}
	bias := archsimd.BroadcastFloat32x4(p.Bias)
	alpha := archsimd.BroadcastFloat32x4(p.Alpha)
	one := archsimd.BroadcastFloat32x4(1)
	for px := range pixels {
		in := x[px*c : (px+1)*c]
		out := dst[px*c : (px+1)*c]
		// The vector loop covers channels [r, end); end-r is a multiple of 4.
		end := r + (c-2*r)/4*4
		for ch := r; ch < end; ch += 4 {
			var sum archsimd.Float32x4
			for j := ch - r; j <= ch+r; j++ {
				v := archsimd.LoadFloat32x4(in[j:])
				sum = sum.Add(v.Mul(v))
			}
			s := bias.Add(alpha.Mul(sum))
			var scale archsimd.Float32x4
			switch p.Beta {
			case 0.5:
				scale = one.Div(s.Sqrt())
			case 0.75:
				q := s.Sqrt()
				scale = one.Div(q.Mul(q.Sqrt()))
			default:
				scale = one.Div(s)
			}
			archsimd.LoadFloat32x4(in[ch:]).Mul(scale).Store(out[ch:])
		}
		lrnChannels(out, in, 0, r, p)
		lrnChannels(out, in, end, c, p)
	}
}
