//go:build goexperiment.simd && (amd64 || wasm)

package kernel

import "simd/archsimd"

// winogradInputSIMD is winogradInputGeneric with four channels per step
// (channels are contiguous in x and in V); the last C/G mod 4 channels go
// through winogradInputChannels. The arithmetic is the same, in the same
// order.
func winogradInputSIMD(v, x []float32, s *ConvShape, g, t0, tc int) {
	cg := s.C / s.Groups
	c4 := cg / 4 * 4
	var off [16]int
	for t := range tc {
		img, iy, ix := winogradTileOrigin(s, t0+t)
		winogradCells(&off, s, img, iy, ix, g)
		for c := 0; c < c4; c += 4 {
			var d [16]archsimd.Float32x4
			for i, o := range off {
				if o >= 0 {
					d[i] = archsimd.LoadFloat32x4(x[o+c:])
				}
			}
			var r [16]archsimd.Float32x4
			for i := range 4 {
				d0, d1, d2, d3 := d[i*4], d[i*4+1], d[i*4+2], d[i*4+3]
				r[i*4], r[i*4+1], r[i*4+2], r[i*4+3] = d0.Sub(d2), d1.Add(d2), d2.Sub(d1), d1.Sub(d3)
			}
			for j := range 4 {
				r0, r1, r2, r3 := r[j], r[4+j], r[8+j], r[12+j]
				r0.Sub(r2).Store(v[((0+j)*tc+t)*cg+c:])
				r1.Add(r2).Store(v[((4+j)*tc+t)*cg+c:])
				r2.Sub(r1).Store(v[((8+j)*tc+t)*cg+c:])
				r1.Sub(r3).Store(v[((12+j)*tc+t)*cg+c:])
			}
		}
		winogradInputChannels(v, x, &off, t, tc, cg, c4)
	}
}

// winogradOutputSIMD is winogradOutputGeneric with four output channels per
// step; the last OC/G mod 4 go through winogradOutputChannels. The
// arithmetic is the same, in the same order.
func winogradOutputSIMD(dst, m, bias []float32, s *ConvShape, g, t0, tc int, act Activation) {
	ocg := s.OC / s.Groups
	c4 := ocg / 4 * 4
	var out [4]int
	for t := range tc {
		winogradOutCells(&out, s, t0+t, g)
		for c := 0; c < c4; c += 4 {
			var r [8]archsimd.Float32x4
			for i := range 4 {
				m0 := archsimd.LoadFloat32x4(m[((i*4)*tc+t)*ocg+c:])
				m1 := archsimd.LoadFloat32x4(m[((i*4+1)*tc+t)*ocg+c:])
				m2 := archsimd.LoadFloat32x4(m[((i*4+2)*tc+t)*ocg+c:])
				m3 := archsimd.LoadFloat32x4(m[((i*4+3)*tc+t)*ocg+c:])
				r[i*2], r[i*2+1] = m0.Add(m1).Add(m2), m1.Sub(m2).Sub(m3)
			}
			y := [4]archsimd.Float32x4{
				r[0].Add(r[2]).Add(r[4]), r[1].Add(r[3]).Add(r[5]),
				r[2].Sub(r[4]).Sub(r[6]), r[3].Sub(r[5]).Sub(r[7]),
			}
			var b archsimd.Float32x4
			if bias != nil {
				b = archsimd.LoadFloat32x4(bias[c:])
			}
			for i, o := range out {
				if o < 0 {
					continue
				}
				v := y[i]
				if bias != nil {
					v = v.Add(b)
				}
				if act == ReLU {
					v = reluVec(v)
				}
				v.Store(dst[o+c:])
			}
		}
		winogradOutputChannels(dst, m, bias, &out, t, tc, ocg, c4, act)
	}
}
