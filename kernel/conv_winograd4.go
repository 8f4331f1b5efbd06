package kernel

// The tile transforms of Winograd F(4×4, 3×3) (conv_winograd.go): Bᵀ d B
// of a 6×6 input tile and Aᵀ M A of a 6×6 product tile, row by row and
// then column by column, each 1-D transform written so that its only
// multiplications are by 2, 4 and 8 (exact) and every result is within
// γ(2) (input) or γ(3) (output) of its exact value relative to the
// transform of the absolute values.

// winograd4In is one 1-D input transform Bᵀ d of six values:
//
//	v0 = 4(d0−d2) + (d4−d2)       v3 = (d4−d2) + 2(d3−d1)
//	v1 = (d4+d3) − 4(d1+d2)       v4 = (d4−d2) − 2(d3−d1)
//	v2 = (d4−d3) + 4(d1−d2)       v5 = (d5−d3) − 4(d3−d1)
func winograd4In(d0, d1, d2, d3, d4, d5 float32) (v0, v1, v2, v3, v4, v5 float32) {
	a, b := d4-d2, d3-d1
	return 4*(d0-d2) + a, (d4 + d3) - 4*(d1+d2), (d4 - d3) + 4*(d1-d2), a + 2*b, a - 2*b, (d5 - d3) - 4*b
}

// winograd4Out is one 1-D output transform Aᵀ m of six values:
//
//	y0 = (m0 + (m1+m2)) + (m3+m4)   y2 = (m1+m2) + 4(m3+m4)
//	y1 = (m1−m2) + 2(m3−m4)         y3 = ((m1−m2) + 8(m3−m4)) + m5
func winograd4Out(m0, m1, m2, m3, m4, m5 float32) (y0, y1, y2, y3 float32) {
	s12, d12, s34, d34 := m1+m2, m1-m2, m3+m4, m3-m4
	return (m0 + s12) + s34, d12 + 2*d34, s12 + 4*s34, (d12 + 8*d34) + m5
}

// winograd4InputChannels is winogradInputGeneric of F(4×4, 3×3) for one
// tile t and block (whose cells are at off, and whose column 0 is v[0])
// and channels c0..c1-1; ldv is the row length of V_ξ, B·C/G.
func winograd4InputChannels(v, x []float32, off *[36]int, t, tc, ldv, c0, c1 int) {
	for c := c0; c < c1; c++ {
		var d [36]float32
		for i, o := range off {
			if o >= 0 {
				d[i] = x[o+c]
			}
		}
		// Rows: r = d B, then columns: Bᵀ r.
		var r [36]float32
		for i := range 6 {
			q := d[i*6 : i*6+6]
			r[i*6], r[i*6+1], r[i*6+2], r[i*6+3], r[i*6+4], r[i*6+5] = winograd4In(q[0], q[1], q[2], q[3], q[4], q[5])
		}
		for j := range 6 {
			v0, v1, v2, v3, v4, v5 := winograd4In(r[j], r[6+j], r[12+j], r[18+j], r[24+j], r[30+j])
			v[((0+j)*tc+t)*ldv+c] = v0
			v[((6+j)*tc+t)*ldv+c] = v1
			v[((12+j)*tc+t)*ldv+c] = v2
			v[((18+j)*tc+t)*ldv+c] = v3
			v[((24+j)*tc+t)*ldv+c] = v4
			v[((30+j)*tc+t)*ldv+c] = v5
		}
	}
}

// winograd4OutputChannels is winogradOutputGeneric of F(4×4, 3×3) for one
// tile t, whose outputs are at out, and output channels c0..OC/G-1.
func winograd4OutputChannels(dst, m, bias []float32, out *[16]int, t, tc, ocg, c0 int, act Activation) {
	for c := c0; c < ocg; c++ {
		// Rows: r = M A, then columns: Aᵀ r.
		var r [24]float32
		for i := range 6 {
			at := func(j int) float32 { return m[((i*6+j)*tc+t)*ocg+c] }
			r[i*4], r[i*4+1], r[i*4+2], r[i*4+3] = winograd4Out(at(0), at(1), at(2), at(3), at(4), at(5))
		}
		var y [16]float32
		for j := range 4 {
			y[j], y[4+j], y[8+j], y[12+j] = winograd4Out(r[j], r[4+j], r[8+j], r[12+j], r[16+j], r[20+j])
		}
		storeWinogradOutputs(dst, y[:], bias, out[:], c, act)
	}
}
