//go:build goexperiment.simd && (amd64 || wasm)

package kernel

import (
	"simd/archsimd"
	"unsafe"
)

// maxPoolSIMD computes MaxPool like maxPoolGeneric, four channels at a
// time: for every output cell, the window's cells (clipped to the input by
// poolWindow, so every load lies inside x) are combined in registers and
// stored once. Runs of output cells whose windows are full 2×2, or 3×3
// with stride 2 and C ≥ 16 (AlexNet's pools), go through one call of
// maxPoolRow2x2 or maxPoolRow3x3s2, which write the window out cell by
// cell; other windows loop over their cells (maxPoolCell). When C is not a multiple of 4, the last four channels
// C-4..C-1 are one more vector, overlapping the one before (both store the
// same maxima); C < 4 goes one channel at a time. Maxima combine as vmax
// (v where v > m), so a NaN in a window gives an unspecified result, as in
// maxPoolGeneric and TensorFlow.
func maxPoolSIMD(dst, x []float32, s PoolShape) {
	oh, ow := s.Out()
	c := s.C
	rowLen := s.W * c
	_, _ = x[s.InLen()-1], dst[s.OutLen()-1]
	// Output columns [oxLo, oxHi) have windows inside the input's width.
	oxLo := min((s.Pad.Left+s.StrideW-1)/s.StrideW, ow)
	oxHi := max(min((s.W-s.KW+s.Pad.Left)/s.StrideW+1, ow), oxLo)
	if s.W < s.KW {
		oxHi = oxLo
	}
	square := c >= 4 && s.KH == s.KW && (s.KH == 2 || s.KH == 3 && s.StrideW == 2 && c >= 16)
	for n := range s.N {
		img := unsafe.Pointer(&x[n*s.H*rowLen])
		for oy := range oh {
			outRow := unsafe.Pointer(&dst[(n*oh+oy)*ow*c])
			for ox := 0; ox < ow; ox++ {
				y0, y1, x0, x1 := poolWindow(s, oy, ox)
				out := unsafe.Add(outRow, 4*ox*c)
				win := unsafe.Add(img, 4*(y0*rowLen+x0*c))
				rows, cols := y1-y0, x1-x0
				switch {
				case c < 4:
					maxPoolCellScalar(out, win, rows, cols, c, rowLen)
				case square && ox == oxLo && rows == s.KH && oxHi > oxLo:
					if s.KH == 2 {
						maxPoolRow2x2(out, win, oxHi-oxLo, c, rowLen, s.StrideW*c)
					} else {
						maxPoolRow3x3s2(out, win, oxHi-oxLo, c, rowLen)
					}
					ox = oxHi - 1
				default:
					maxPoolCell(out, win, rows, cols, c, rowLen)
				}
			}
		}
	}
}

// maxPoolRow2x2 stores at out, out+C, … the C channel maxima of cells 2×2
// windows, the first at win, each next one step floats further; rows are
// rowLen floats apart (C ≥ 4). For C ≥ 16 it walks the row 16 channels at
// a time (the last 16 overlapping the ones before), its loop holding no
// branch but its back edge (under wasm each branch is a jump through the
// function's dispatch loop) and loads at offsets k, k+4, k+8, k+12 from
// four pointers. Each vector is stored before the next is loaded: Go's
// register allocator (1.27.3) keeps at most 16 vectors in wasm locals and
// spills the rest to the stack, and a store keeps the later loads after
// it.
func maxPoolRow2x2(out, win unsafe.Pointer, cells, c, rowLen, step int) {
	// Cells advance by float offsets (k into the input, m into out), not
	// by stepping pointers, which would end one cell past the last one.
	if c < 16 {
		k, m := 0, 0
		for range cells {
			for ch := 0; ch < c; ch += 4 {
				ch = min(ch, c-4)
				a := k + ch
				store4(out, m+ch, vmax(vmax(load4(win, a), load4(win, a+c)), vmax(load4(win, a+rowLen), load4(win, a+rowLen+c))))
			}
			k, m = k+step, m+c
		}
		return
	}
	for ch := 0; ; ch += 16 {
		ch = min(ch, c-16)
		a, o := unsafe.Add(win, 4*ch), unsafe.Add(out, 4*ch)
		b := unsafe.Add(a, 4*c)
		d := unsafe.Add(a, 4*rowLen)
		e := unsafe.Add(d, 4*c)
		k, m := 0, 0
		for range cells {
			store4(o, m, vmax(vmax(load4(a, k), load4(b, k)), vmax(load4(d, k), load4(e, k))))
			store4(o, m+4, vmax(vmax(load4(a, k+4), load4(b, k+4)), vmax(load4(d, k+4), load4(e, k+4))))
			store4(o, m+8, vmax(vmax(load4(a, k+8), load4(b, k+8)), vmax(load4(d, k+8), load4(e, k+8))))
			store4(o, m+12, vmax(vmax(load4(a, k+12), load4(b, k+12)), vmax(load4(d, k+12), load4(e, k+12))))
			k, m = k+step, m+c
		}
		if ch == c-16 {
			return
		}
	}
}

// maxPoolRow3x3s2 is maxPoolRow2x2 for 3×3 windows, stride 2 and C ≥ 16:
// the last column of a window is the first of the next, so, per 16
// channels (the last 16 overlapping the ones before), it walks the row
// with the column maxima m(j) = max of rows 0..2 of column j, each cell
// taking max(m(2i), m(2i+1), m(2i+2)) and passing m(2i+2) on: 6 loads and
// 6 maxima per vector instead of 9 and 8.
func maxPoolRow3x3s2(out, win unsafe.Pointer, cells, c, rowLen int) {
	for ch := 0; ; ch += 16 {
		ch = min(ch, c-16)
		col := unsafe.Add(win, 4*ch)
		o := unsafe.Add(out, 4*ch)
		p0, p1, p2, p3 := maxCol3(col, 0, rowLen), maxCol3(col, 4, rowLen), maxCol3(col, 8, rowLen), maxCol3(col, 12, rowLen)
		m := 0 // the cell's float offset in out (a pointer would end past it)
		for range cells {
			mid := unsafe.Add(col, 4*c)
			n := unsafe.Add(col, 8*c)
			q0 := maxCol3(n, 0, rowLen)
			store4(o, m, vmax(vmax(p0, maxCol3(mid, 0, rowLen)), q0))
			q1 := maxCol3(n, 4, rowLen)
			store4(o, m+4, vmax(vmax(p1, maxCol3(mid, 4, rowLen)), q1))
			q2 := maxCol3(n, 8, rowLen)
			store4(o, m+8, vmax(vmax(p2, maxCol3(mid, 8, rowLen)), q2))
			q3 := maxCol3(n, 12, rowLen)
			store4(o, m+12, vmax(vmax(p3, maxCol3(mid, 12, rowLen)), q3))
			p0, p1, p2, p3 = q0, q1, q2, q3
			col, m = n, m+c
		}
		if ch == c-16 {
			return
		}
	}
}

// maxCol3 returns the maxima of the four channels at p + 4i bytes over
// three rows rowLen floats apart.
func maxCol3(p unsafe.Pointer, i, rowLen int) archsimd.Float32x4 {
	return vmax(vmax(load4(p, i), load4(p, rowLen+i)), load4(p, 2*rowLen+i))
}

// maxPoolCell stores at out the C channel maxima of the rows×cols window
// whose first cell is at win, rows rowLen floats apart (C ≥ 4).
func maxPoolCell(out, win unsafe.Pointer, rows, cols, c, rowLen int) {
	span := cols * c
	ch := 0
	for ; ch+16 <= c; ch += 16 {
		m0, m1, m2, m3 := load4(win, ch), load4(win, ch+4), load4(win, ch+8), load4(win, ch+12)
		for r := range rows {
			for j := r * rowLen; j < r*rowLen+span; j += c {
				m0 = vmax(m0, load4(win, j+ch))
				m1 = vmax(m1, load4(win, j+ch+4))
				m2 = vmax(m2, load4(win, j+ch+8))
				m3 = vmax(m3, load4(win, j+ch+12))
			}
		}
		store4(out, ch, m0)
		store4(out, ch+4, m1)
		store4(out, ch+8, m2)
		store4(out, ch+12, m3)
	}
	for ; ch < c; ch += 4 {
		ch = min(ch, c-4)
		m := load4(win, ch)
		for r := range rows {
			for j := r * rowLen; j < r*rowLen+span; j += c {
				m = vmax(m, load4(win, j+ch))
			}
		}
		store4(out, ch, m)
	}
}

// maxPoolCellScalar is maxPoolCell one channel at a time, for any C.
func maxPoolCellScalar(out, win unsafe.Pointer, rows, cols, c, rowLen int) {
	for ch := range c {
		m := *(*float32)(unsafe.Add(win, 4*ch))
		for r := range rows {
			for j := r * rowLen; j < r*rowLen+cols*c; j += c {
				if v := *(*float32)(unsafe.Add(win, 4*(j+ch))); v > m {
					m = v
				}
			}
		}
		*(*float32)(unsafe.Add(out, 4*ch)) = m
	}
}

// vmax returns v where v > m, else m (keeping m where either is NaN).
func vmax(m, v archsimd.Float32x4) archsimd.Float32x4 {
	return v.IfElse(v.Greater(m), m)
}

// load4 returns the four float32 values at p + 4i bytes.
func load4(p unsafe.Pointer, i int) archsimd.Float32x4 {
	return archsimd.LoadFloat32x4Array((*[4]float32)(unsafe.Add(p, 4*i)))
}

// store4 stores v at p + 4i bytes.
func store4(p unsafe.Pointer, i int, v archsimd.Float32x4) {
	v.StoreArray((*[4]float32)(unsafe.Add(p, 4*i)))
}

// avgPoolSIMD computes AvgPool like avgPoolGeneric: for every output cell,
// the sum of the window's real cells from 0 in row-major order (clipped to
// the input by poolWindow, so every load lies inside x), divided by their
// number (avgPoolCell).
func avgPoolSIMD(dst, x []float32, s PoolShape) {
	oh, ow := s.Out()
	c := s.C
	rowLen := s.W * c
	_, _ = x[s.InLen()-1], dst[s.OutLen()-1]
	for n := range s.N {
		img := unsafe.Pointer(&x[n*s.H*rowLen])
		for oy := range oh {
			outRow := unsafe.Pointer(&dst[(n*oh+oy)*ow*c])
			for ox := range ow {
				y0, y1, x0, x1 := poolWindow(s, oy, ox)
				avgPoolCell(unsafe.Add(outRow, 4*ox*c), unsafe.Add(img, 4*(y0*rowLen+x0*c)), y1-y0, x1-x0, c, rowLen)
			}
		}
	}
}

// avgPoolCell stores at out the C channel means of the rows×cols window
// whose first cell is at win, rows rowLen floats apart: 16 channels at a
// time in registers, then four (the last four overlapping the ones before
// when C is not a multiple of 4), or one at a time for C < 4.
func avgPoolCell(out, win unsafe.Pointer, rows, cols, c, rowLen int) {
	span := cols * c
	cells := float32(rows * cols)
	if c < 4 {
		for ch := range c {
			var sum float32
			for r := range rows {
				for j := r * rowLen; j < r*rowLen+span; j += c {
					sum += *(*float32)(unsafe.Add(win, 4*(j+ch)))
				}
			}
			*(*float32)(unsafe.Add(out, 4*ch)) = sum / cells
		}
		return
	}
	d := archsimd.BroadcastFloat32x4(cells)
	ch := 0
	for ; ch+16 <= c; ch += 16 {
		var s0, s1, s2, s3 archsimd.Float32x4
		for r := range rows {
			for j := r * rowLen; j < r*rowLen+span; j += c {
				s0 = s0.Add(load4(win, j+ch))
				s1 = s1.Add(load4(win, j+ch+4))
				s2 = s2.Add(load4(win, j+ch+8))
				s3 = s3.Add(load4(win, j+ch+12))
			}
		}
		store4(out, ch, s0.Div(d))
		store4(out, ch+4, s1.Div(d))
		store4(out, ch+8, s2.Div(d))
		store4(out, ch+12, s3.Div(d))
	}
	for ; ch < c; ch += 4 {
		ch = min(ch, c-4)
		var s archsimd.Float32x4
		for r := range rows {
			for j := r * rowLen; j < r*rowLen+span; j += c {
				s = s.Add(load4(win, j+ch))
			}
		}
		store4(out, ch, s.Div(d))
	}
}
