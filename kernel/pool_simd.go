//go:build goexperiment.simd && (amd64 || wasm)

package kernel

import "simd/archsimd"

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

// maxPoolSIMD computes MaxPool like maxPoolGeneric (out = in where in > out,
// so a NaN in the first cell stays), four channels at a time.
func maxPoolSIMD(dst, x []float32, s PoolShape) {
	poolSIMD(dst, x, s, copyRow, maxRow, nil)
}

// avgPoolSIMD computes AvgPool like avgPoolGeneric: the window's sum in
// row-major order divided by its number of real cells.
func avgPoolSIMD(dst, x []float32, s PoolShape) {
	poolSIMD(dst, x, s, copyRow, addRow, divRow)
}

func copyRow(out, in []float32) { copy(out, in) }

// maxRow sets out[i] = in[i] where in[i] > out[i].
func maxRow(out, in []float32) {
	in = in[:len(out)]
	i := 0
	for ; i+4 <= len(out); i += 4 {
		o, v := archsimd.LoadFloat32x4(out[i:]), archsimd.LoadFloat32x4(in[i:])
		v.IfElse(v.Greater(o), o).Store(out[i:])
	}
	for ; i < len(out); i++ {
		if in[i] > out[i] {
			out[i] = in[i]
		}
	}
}

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
