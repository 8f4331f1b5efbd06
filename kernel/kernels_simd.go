//go:build goexperiment.simd && (amd64 || wasm)

package kernel

import "simd/archsimd"

// simdKernels implements the leaf operators with 128-bit simd/archsimd
// vectors (Float32x4), which exist on amd64 (AVX) and wasm (SIMD128) alike.
// The elementwise operators keep the generic versions' exact arithmetic;
// softmax stays generic (its cost is the exponentials, and it runs once per
// image on a few thousand values).
var simdKernels = kernels{
	name:             "simd",
	gemm:             gemmSIMD,
	gemmWorkspaceLen: gemmSIMDWorkspaceLen,
	biasAct:          biasActSIMD,
	maxPool:          maxPoolSIMD,
	avgPool:          avgPoolSIMD,
	relu:             reluSIMD,
	softmax:          softmaxGeneric,
	lrn:              lrnSIMD,
}

// reluVec is reluGeneric on four lanes: 0 where v < 0, else v (NaN and -0
// pass through).
func reluVec(v archsimd.Float32x4) archsimd.Float32x4 {
	var zero archsimd.Float32x4
	return zero.IfElse(v.Less(zero), v)
}

// reluSIMD sets dst[i] = max(x[i], 0); NaN stays NaN.
func reluSIMD(dst, x []float32) {
	dst = dst[:len(x)]
	i := 0
	for ; i+4 <= len(x); i += 4 {
		reluVec(archsimd.LoadFloat32x4(x[i:])).Store(dst[i:])
	}
	reluGeneric(dst[i:], x[i:])
}

// biasActSIMD sets d[r*ldd+j] = act(d[r*ldd+j] + bias[j]) for r < rows,
// j < cols; bias may be nil.
func biasActSIMD(d []float32, rows, cols, ldd int, bias []float32, act Activation) {
	switch {
	case bias == nil && act == Linear:
		return
	case bias == nil:
		for r := range rows {
			row := d[r*ldd : r*ldd+cols]
			reluSIMD(row, row)
		}
		return
	}
	bias = bias[:cols]
	for r := range rows {
		row := d[r*ldd : r*ldd+cols]
		j := 0
		for ; j+4 <= cols; j += 4 {
			v := archsimd.LoadFloat32x4(row[j:]).Add(archsimd.LoadFloat32x4(bias[j:]))
			if act == ReLU {
				v = reluVec(v)
			}
			v.Store(row[j:])
		}
		biasActGeneric(row[j:], 1, cols-j, cols-j, bias[j:], act)
	}
}

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
