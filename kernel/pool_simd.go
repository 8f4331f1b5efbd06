//go:build goexperiment.simd && (amd64 || wasm)

package kernel

import (
	"simd/archsimd"
	"unsafe"
)

// poolSIMD visits every output cell of a pool over x [N, H, W, C]: it calls
// first(out, in) with the window's first real input cell and then
// next(out, in) with each other one, in row-major window order; each is
// C channels. It returns the number of real cells per output through done.
func poolSIMD(dst, x []float32, s PoolShape, first, next func(out, in []float32), done func(out []float32, cells int)) {
	oh, ow := s.Out()
	c := s.C
	for n := range s.N {
		img := x[n*s.H*s.W*c : (n+1)*s.H*s.W*c]
		for oy := range oh {
			for ox := range ow {
				o := (n*oh*ow + oy*ow + ox) * c
				out := dst[o : o+c]
				y0, y1, x0, x1 := poolWindow(s, oy, ox)
				step := first
				for iy := y0; iy < y1; iy++ {
					for ix := x0; ix < x1; ix++ {
						step(out, img[(iy*s.W+ix)*c:(iy*s.W+ix+1)*c])
						step = next
					}
				}
				if done != nil {
					done(out, (y1-y0)*(x1-x0))
				}
			}
		}
	}
}

// maxPoolSIMD computes MaxPool like maxPoolGeneric: out = in where in >
// out, in row-major window order, starting from the window's first real
// cell (so a NaN there stays). For every output cell it keeps the maxima
// of 16 channels in four registers over the whole window and stores them
// once, then 4 channels at a time, then one. The window is clipped to the
// input by poolWindow, so every load lies inside x.
func maxPoolSIMD(dst, x []float32, s PoolShape) {
	oh, ow := s.Out()
	c := s.C
	rowLen := s.W * c
	for n := range s.N {
		img := x[n*s.H*rowLen : (n+1)*s.H*rowLen]
		for oy := range oh {
			for ox := range ow {
				o := (n*oh*ow + oy*ow + ox) * c
				out := dst[o : o+c]
				y0, y1, x0, x1 := poolWindow(s, oy, ox)
				// win is the window's cells [y0, y1) × [x0, x1): its first
				// cell at 0, rows rowLen apart.
				win := img[y0*rowLen+x0*c : (y1-1)*rowLen+x1*c]
				maxPoolCell(out, win, y1-y0, (x1-x0)*c, rowLen)
			}
		}
	}
}

// maxPoolCell sets out[ch] to the maximum of win[r*rowLen+j*C+ch] over
// rows r < rows and cells j*C < rowSpan (C = len(out)), as maxPoolSIMD
// orders it.
func maxPoolCell(out, win []float32, rows, rowSpan, rowLen int) {
	c := len(out)
	_ = win[(rows-1)*rowLen+rowSpan-1] // every load below lies in win
	base := unsafe.Pointer(&win[0])
	load := func(off int) archsimd.Float32x4 {
		return archsimd.LoadFloat32x4Array((*[4]float32)(unsafe.Add(base, 4*off)))
	}
	ch := 0
	for ; ch+16 <= c; ch += 16 {
		m0, m1, m2, m3 := load(ch), load(ch+4), load(ch+8), load(ch+12)
		for r := range rows {
			for j := r * rowLen; j < r*rowLen+rowSpan; j += c {
				v0, v1, v2, v3 := load(j+ch), load(j+ch+4), load(j+ch+8), load(j+ch+12)
				m0 = v0.IfElse(v0.Greater(m0), m0)
				m1 = v1.IfElse(v1.Greater(m1), m1)
				m2 = v2.IfElse(v2.Greater(m2), m2)
				m3 = v3.IfElse(v3.Greater(m3), m3)
			}
		}
		m0.Store(out[ch:])
		m1.Store(out[ch+4:])
		m2.Store(out[ch+8:])
		m3.Store(out[ch+12:])
	}
	for ; ch+4 <= c; ch += 4 {
		m := load(ch)
		for r := range rows {
			for j := r * rowLen; j < r*rowLen+rowSpan; j += c {
				v := load(j + ch)
				m = v.IfElse(v.Greater(m), m)
			}
		}
		m.Store(out[ch:])
	}
	for ; ch < c; ch++ {
		m := win[ch]
		for r := range rows {
			for j := r * rowLen; j < r*rowLen+rowSpan; j += c {
				if v := win[j+ch]; v > m {
					m = v
				}
			}
		}
		out[ch] = m
	}
}

// avgPoolSIMD computes AvgPool like avgPoolGeneric: the window's sum in
// row-major order divided by its number of real cells.
func avgPoolSIMD(dst, x []float32, s PoolShape) {
	poolSIMD(dst, x, s, copyRow, addRow, divRow)
}

func copyRow(out, in []float32) { copy(out, in) }

// addRow sets out[i] += in[i].
func addRow(out, in []float32) {
	in = in[:len(out)]
	i := 0
	for ; i+4 <= len(out); i += 4 {
		archsimd.LoadFloat32x4(out[i:]).Add(archsimd.LoadFloat32x4(in[i:])).Store(out[i:])
	}
	for ; i < len(out); i++ {
		out[i] += in[i]
	}
}

// divRow sets out[i] /= cells.
func divRow(out []float32, cells int) {
	d := float32(cells)
	vd := archsimd.BroadcastFloat32x4(d)
	i := 0
	for ; i+4 <= len(out); i += 4 {
		archsimd.LoadFloat32x4(out[i:]).Div(vd).Store(out[i:])
	}
	for ; i < len(out); i++ {
		out[i] /= d
	}
}
