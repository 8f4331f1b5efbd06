//go:build goexperiment.simd && (amd64 || wasm)

package kernel

import (
	"simd/archsimd"
	"unsafe"
)

// winograd4InVec is winograd4In on four lanes (four = 4 in every lane).
func winograd4InVec(d0, d1, d2, d3, d4, d5, four archsimd.Float32x4) (v0, v1, v2, v3, v4, v5 archsimd.Float32x4) {
	a, b := d4.Sub(d2), d3.Sub(d1)
	b2 := b.Add(b)
	return d0.Sub(d2).Mul(four).Add(a), d4.Add(d3).Sub(d1.Add(d2).Mul(four)), d4.Sub(d3).Add(d1.Sub(d2).Mul(four)),
		a.Add(b2), a.Sub(b2), d5.Sub(d3).Sub(b.Mul(four))
}

// winograd4OutVec is winograd4Out on four lanes (four, eight = 4, 8 in
// every lane).
func winograd4OutVec(m0, m1, m2, m3, m4, m5, four, eight archsimd.Float32x4) (y0, y1, y2, y3 archsimd.Float32x4) {
	s12, d12, s34, d34 := m1.Add(m2), m1.Sub(m2), m3.Add(m4), m3.Sub(m4)
	return m0.Add(s12).Add(s34), d12.Add(d34.Add(d34)), s12.Add(s34.Mul(four)), d12.Add(d34.Mul(eight)).Add(m5)
}

// winograd4InputSIMD is winogradInputGeneric of F(4×4, 3×3) with four
// channels per step (channels are contiguous in x and in V); the last C/G
// mod 4 channels go through winograd4InputChannels. The arithmetic is the
// same, in the same order.
func winograd4InputSIMD(v, x []float32, s *ConvShape, g, t0, tc int) {
	bh, bw := s.winogradBlocks()
	cg := s.C / s.Groups
	ldv := bh * bw * cg
	c4 := cg / 4 * 4
	four := archsimd.BroadcastFloat32x4(4)
	var off [36]int
	for t := range tc {
		img, iy, ix := winogradTileOrigin(s, 4, t0+t)
		for by := range bh {
			oy, _ := winogradBlockOffset(by, s.KH)
			for bx := range bw {
				ox, _ := winogradBlockOffset(bx, s.KW)
				winogradCells(off[:], 6, s, img, iy+oy, ix+ox, g)
				vb := v[(by*bw+bx)*cg:]
				// Unchecked vectors: off holds offsets of cells inside x
				// whose C/G channels follow, and V_ξ's rows hold ldv values.
				xp := unsafe.Pointer(unsafe.SliceData(x))
				vp := unsafe.Pointer(&vb[0])
				row := tc * ldv * 4 // bytes from V_ξ to V_ξ+1
				for c := 0; c < c4; c += 4 {
					var r [36]archsimd.Float32x4
					for i := 0; i < 36; i += 6 {
						// Cell i+j, zero outside the image.
						at := func(j int) (d archsimd.Float32x4) {
							if o := off[i+j]; o >= 0 {
								d = archsimd.LoadFloat32x4Array((*[4]float32)(unsafe.Add(xp, (o+c)*4)))
							}
							return d
						}
						r[i], r[i+1], r[i+2], r[i+3], r[i+4], r[i+5] = winograd4InVec(at(0), at(1), at(2), at(3), at(4), at(5), four)
					}
					p := unsafe.Add(vp, (t*ldv+c)*4)
					for j := range 6 {
						v0, v1, v2, v3, v4, v5 := winograd4InVec(r[j], r[6+j], r[12+j], r[18+j], r[24+j], r[30+j], four)
						v0.StoreArray((*[4]float32)(unsafe.Add(p, j*row)))
						v1.StoreArray((*[4]float32)(unsafe.Add(p, (6+j)*row)))
						v2.StoreArray((*[4]float32)(unsafe.Add(p, (12+j)*row)))
						v3.StoreArray((*[4]float32)(unsafe.Add(p, (18+j)*row)))
						v4.StoreArray((*[4]float32)(unsafe.Add(p, (24+j)*row)))
						v5.StoreArray((*[4]float32)(unsafe.Add(p, (30+j)*row)))
					}
				}
				winograd4InputChannels(vb, x, &off, t, tc, ldv, c4, cg)
			}
		}
	}
}

// winograd4OutputSIMD is winogradOutputGeneric of F(4×4, 3×3) with four
// output channels per step; the last OC/G mod 4 go through
// winograd4OutputChannels. The arithmetic is the same, in the same order.
func winograd4OutputSIMD(dst, m, bias []float32, s *ConvShape, g, t0, tc int, act Activation) {
	ocg := s.OC / s.Groups
	c4 := ocg / 4 * 4
	four, eight := archsimd.BroadcastFloat32x4(4), archsimd.BroadcastFloat32x4(8)
	var out [16]int
	for t := range tc {
		winogradOutCells(out[:], 4, s, t0+t, g)
		// Unchecked vectors: M_ξ's rows hold OC/G values, out holds
		// offsets of outputs inside dst whose OC/G channels follow.
		mp := unsafe.Add(unsafe.Pointer(&m[0]), t*ocg*4)
		dp := unsafe.Pointer(unsafe.SliceData(dst))
		row := tc * ocg * 4 // bytes from M_ξ to M_ξ+1
		for c := 0; c < c4; c += 4 {
			var r [24]archsimd.Float32x4
			for i := range 6 {
				p := unsafe.Add(mp, i*6*row+c*4)
				at := func(j int) archsimd.Float32x4 {
					return archsimd.LoadFloat32x4Array((*[4]float32)(unsafe.Add(p, j*row)))
				}
				r[i*4], r[i*4+1], r[i*4+2], r[i*4+3] = winograd4OutVec(at(0), at(1), at(2), at(3), at(4), at(5), four, eight)
			}
			var b archsimd.Float32x4
			if bias != nil {
				b = archsimd.LoadFloat32x4(bias[c:])
			}
			// Output i, stored where it lies inside the output.
			store := func(i int, v archsimd.Float32x4) {
				if o := out[i]; o >= 0 {
					if bias != nil {
						v = v.Add(b)
					}
					if act == ReLU {
						v = reluVec(v)
					}
					v.StoreArray((*[4]float32)(unsafe.Add(dp, (o+c)*4)))
				}
			}
			for j := range 4 {
				y0, y1, y2, y3 := winograd4OutVec(r[j], r[4+j], r[8+j], r[12+j], r[16+j], r[20+j], four, eight)
				store(j, y0)
				store(4+j, y1)
				store(8+j, y2)
				store(12+j, y3)
			}
		}
		winograd4OutputChannels(dst, m, bias, &out, t, tc, ocg, c4, act)
	}
}
