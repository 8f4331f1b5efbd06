//go:build goexperiment.simd && (amd64 || wasm)

package kernel

import (
	"simd/archsimd"
	"unsafe"
)

// winogradInputSIMD is winogradInputGeneric with four channels per step
// (channels are contiguous in x and in V); the last C/G mod 4 channels go
// through winogradInputChannels. The arithmetic is the same, in the same
// order. F(4×4, 3×3) goes to winograd4InputSIMD.
func winogradInputSIMD(v, x []float32, s *ConvShape, tile, g, t0, tc int) {
	if tile == 4 {
		winograd4InputSIMD(v, x, s, g, t0, tc)
		return
	}
	bh, bw := s.winogradBlocks()
	cg := s.C / s.Groups
	ldv := bh * bw * cg
	c4 := cg / 4 * 4
	var off [16]int
	for t := range tc {
		img, iy, ix := winogradTileOrigin(s, 2, t0+t)
		for by := range bh {
			oy, _ := winogradBlockOffset(by, s.KH)
			for bx := range bw {
				ox, _ := winogradBlockOffset(bx, s.KW)
				winogradCells(off[:], 4, s, img, iy+oy, ix+ox, g)
				vb := v[(by*bw+bx)*cg:]
				// Unchecked vectors: off holds offsets of cells inside x
				// whose C/G channels follow, and V_ξ's rows hold ldv values.
				xp := unsafe.Pointer(unsafe.SliceData(x))
				vp := unsafe.Pointer(&vb[0])
				row := tc * ldv * 4 // bytes from V_ξ to V_ξ+1
				for c := 0; c < c4; c += 4 {
					var d [16]archsimd.Float32x4
					for i, o := range off {
						if o >= 0 {
							d[i] = archsimd.LoadFloat32x4Array((*[4]float32)(unsafe.Add(xp, (o+c)*4)))
						}
					}
					var r [16]archsimd.Float32x4
					for i := range 4 {
						d0, d1, d2, d3 := d[i*4], d[i*4+1], d[i*4+2], d[i*4+3]
						r[i*4], r[i*4+1], r[i*4+2], r[i*4+3] = d0.Sub(d2), d1.Add(d2), d2.Sub(d1), d1.Sub(d3)
					}
					p := unsafe.Add(vp, (t*ldv+c)*4)
					for j := range 4 {
						r0, r1, r2, r3 := r[j], r[4+j], r[8+j], r[12+j]
						r0.Sub(r2).StoreArray((*[4]float32)(unsafe.Add(p, j*row)))
						r1.Add(r2).StoreArray((*[4]float32)(unsafe.Add(p, (4+j)*row)))
						r2.Sub(r1).StoreArray((*[4]float32)(unsafe.Add(p, (8+j)*row)))
						r1.Sub(r3).StoreArray((*[4]float32)(unsafe.Add(p, (12+j)*row)))
					}
				}
				winogradInputChannels(vb, x, &off, t, tc, ldv, c4, cg)
			}
		}
	}
}

// winogradOutputSIMD is winogradOutputGeneric with four output channels per
// step; the last OC/G mod 4 go through winogradOutputChannels. The
// arithmetic is the same, in the same order. F(4×4, 3×3) goes to
// winograd4OutputSIMD.
func winogradOutputSIMD(dst, m, bias []float32, s *ConvShape, tile, g, t0, tc int, act Activation) {
	if tile == 4 {
		winograd4OutputSIMD(dst, m, bias, s, g, t0, tc, act)
		return
	}
	ocg := s.OC / s.Groups
	c4 := ocg / 4 * 4
	var out [4]int
	for t := range tc {
		winogradOutCells(out[:], 2, s, t0+t, g)
		// Unchecked vectors: M_ξ's rows hold OC/G values, out holds
		// offsets of outputs inside dst whose OC/G channels follow.
		mp := unsafe.Add(unsafe.Pointer(&m[0]), t*ocg*4)
		dp := unsafe.Pointer(unsafe.SliceData(dst))
		row := tc * ocg * 4 // bytes from M_ξ to M_ξ+1
		for c := 0; c < c4; c += 4 {
			var r [8]archsimd.Float32x4
			for i := range 4 {
				p := unsafe.Add(mp, i*4*row+c*4)
				m0 := archsimd.LoadFloat32x4Array((*[4]float32)(p))
				m1 := archsimd.LoadFloat32x4Array((*[4]float32)(unsafe.Add(p, row)))
				m2 := archsimd.LoadFloat32x4Array((*[4]float32)(unsafe.Add(p, 2*row)))
				m3 := archsimd.LoadFloat32x4Array((*[4]float32)(unsafe.Add(p, 3*row)))
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
				v.StoreArray((*[4]float32)(unsafe.Add(dp, (o+c)*4)))
			}
		}
		winogradOutputChannels(dst, m, bias, &out, t, tc, ocg, c4, act)
	}
}

// winogradFilterSIMD is winogradFilterGeneric with four output channels
// per step (they are contiguous in the taps and, within a panel of run
// columns, in dst); the arithmetic is the same, in the same order. The
// last channels of a panel (fewer than four) go through
// winogradFilterColumns. Bounds are checked once, for the last channel.
func winogradFilterSIMD(dst []float32, at []int, run, stride int, taps *[9][]float32, gi *[3]float32, gj [][3]float32) {
	n := len(taps[0])
	var tp [9]unsafe.Pointer
	for q := range taps {
		_ = taps[q][n-1]
		tp[q] = unsafe.Pointer(unsafe.SliceData(taps[q]))
	}
	var r0, r1, r2 [6]archsimd.Float32x4
	for j, r := range gj[:min(len(gj), 6)] {
		_ = dst[at[j]+(n-1)/run*stride+(n-1)%run]
		r0[j], r1[j], r2[j] = archsimd.BroadcastFloat32x4(r[0]), archsimd.BroadcastFloat32x4(r[1]), archsimd.BroadcastFloat32x4(r[2])
	}
	g0, g1, g2 := archsimd.BroadcastFloat32x4(gi[0]), archsimd.BroadcastFloat32x4(gi[1]), archsimd.BroadcastFloat32x4(gi[2])
	dp := unsafe.Pointer(unsafe.SliceData(dst))
	load := func(q, oc int) archsimd.Float32x4 {
		return archsimd.LoadFloat32x4Array((*[4]float32)(unsafe.Add(tp[q], 4*oc)))
	}
	for s0, off := 0, 0; s0 < n; s0, off = s0+run, off+stride {
		hi := min(s0+run, n)
		oc := s0
		for ; oc+4 <= hi; oc += 4 {
			h0 := g0.Mul(load(0, oc)).Add(g1.Mul(load(3, oc))).Add(g2.Mul(load(6, oc)))
			h1 := g0.Mul(load(1, oc)).Add(g1.Mul(load(4, oc))).Add(g2.Mul(load(7, oc)))
			h2 := g0.Mul(load(2, oc)).Add(g1.Mul(load(5, oc))).Add(g2.Mul(load(8, oc)))
			d := unsafe.Add(dp, 4*(off+oc-s0))
			for j := range gj {
				u := r0[j].Mul(h0).Add(r1[j].Mul(h1)).Add(r2[j].Mul(h2))
				u.StoreArray((*[4]float32)(unsafe.Add(d, 4*at[j])))
			}
		}
		if oc < hi {
			winogradFilterColumns(dst, at, off-s0, oc, hi, taps, gi, gj)
		}
	}
}
