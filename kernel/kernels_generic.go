package kernel

import "math"

// generic is the portable Go implementation of every leaf operator.
var generic = kernels{
	name:             "generic",
	gemm:             gemmGeneric,
	gemmWorkspaceLen: func(m, n, k int) int { return 0 },
	biasAct:          biasActGeneric,
	maxPool:          maxPoolGeneric,
	avgPool:          avgPoolGeneric,
	relu:             reluGeneric,
	softmax:          softmaxGeneric,
	lrn:              lrnGeneric,
}

// Cache blocking of gemmGeneric: a genericKC×genericNC block of B (512 KiB)
// stays in cache while every row of A passes over it.
const (
	genericKC = 256
	genericNC = 512
)

// gemmGeneric computes C = op(A)·op(B) (C += … when acc), as Gemm documents:
//
//	for i < m, j < n: c[i*ldc+j] (+)= Σ_{p<k} opA(i,p) * opB(p,j)
//
// With B untransposed it runs i-p-j inside cache blocks of B, adding
// multiples of four rows of B at a time to a row of C (all contiguous, one
// load and store of C per four multiply-adds); with B transposed each
// element is a dot product of a row of B with a row (or column) of A. It
// needs no workspace.
func gemmGeneric(transA, transB bool, m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int, acc bool, _ []float32) {
	// opA(i, p) is a[i*ai+p*ap].
	ai, ap := lda, 1
	if transA {
		ai, ap = 1, lda
	}
	if transB {
		for i := range m {
			gemmRowTransB(c[i*ldc:i*ldc+n], a[i*ai:], ap, b, ldb, k, acc)
		}
		return
	}
	for jc := 0; jc < n; jc += genericNC {
		nc := min(genericNC, n-jc)
		for pc := 0; pc < k; pc += genericKC {
			kc := min(genericKC, k-pc)
			for i := range m {
				crow := c[i*ldc+jc : i*ldc+jc+nc]
				if pc == 0 && !acc {
					clear(crow)
				}
				gemmRowAdd(crow, a[i*ai+pc*ap:], ap, b[pc*ldb+jc:], ldb, kc)
			}
		}
	}
}

// gemmRowAdd adds Σ_{p<kc} ar[p*ap] * b[p*ldb : p*ldb+len(crow)] to crow.
func gemmRowAdd(crow, ar []float32, ap int, b []float32, ldb, kc int) {
	n := len(crow)
	p := 0
	for ; p+4 <= kc; p += 4 {
		a0, a1, a2, a3 := ar[p*ap], ar[(p+1)*ap], ar[(p+2)*ap], ar[(p+3)*ap]
		b0 := b[p*ldb : p*ldb+n]
		b1 := b[(p+1)*ldb : (p+1)*ldb+n]
		b2 := b[(p+2)*ldb : (p+2)*ldb+n]
		b3 := b[(p+3)*ldb : (p+3)*ldb+n]
		b0, b1, b2, b3 = b0[:len(crow)], b1[:len(crow)], b2[:len(crow)], b3[:len(crow)]
		for j := range crow {
			crow[j] += a0*b0[j] + a1*b1[j] + a2*b2[j] + a3*b3[j]
		}
	}
	for ; p < kc; p++ {
		av := ar[p*ap]
		brow := b[p*ldb : p*ldb+n]
		brow = brow[:len(crow)]
		for j, bv := range brow {
			crow[j] += av * bv
		}
	}
}

// gemmRowTransB computes one row of C = op(A)·Bᵀ: crow[j] (+)= Σ_p
// ar[p*ap] * b[j*ldb+p].
func gemmRowTransB(crow, ar []float32, ap int, b []float32, ldb, k int, acc bool) {
	for j := range crow {
		brow := b[j*ldb : j*ldb+k]
		var sum float32
		if ap == 1 {
			ar := ar[:len(brow)]
			for p, bv := range brow {
				sum += ar[p] * bv
			}
		} else {
			for p, bv := range brow {
				sum += ar[p*ap] * bv
			}
		}
		if acc {
			sum += crow[j]
		}
		crow[j] = sum
	}
}

// biasActGeneric sets d[r*ldd+j] = act(d[r*ldd+j] + bias[j]) for r < rows,
// j < cols; bias may be nil.
func biasActGeneric(d []float32, rows, cols, ldd int, bias []float32, act Activation) {
	if bias == nil && act == Linear {
		return
	}
	for r := range rows {
		row := d[r*ldd : r*ldd+cols]
		switch {
		case bias == nil:
			reluGeneric(row, row)
		case act == ReLU:
			bias := bias[:len(row)]
			for j, bv := range bias {
				row[j] = relu32(row[j] + bv)
			}
		default:
			bias := bias[:len(row)]
			for j, bv := range bias {
				row[j] += bv
			}
		}
	}
}

// poolWindow returns the rows [y0, y1) and columns [x0, x1) of the input
// that the window of output cell (oy, ox) covers, clipped to the input.
func poolWindow(s PoolShape, oy, ox int) (y0, y1, x0, x1 int) {
	y0 = oy*s.StrideH - s.Pad.Top
	x0 = ox*s.StrideW - s.Pad.Left
	return max(y0, 0), min(y0+s.KH, s.H), max(x0, 0), min(x0+s.KW, s.W)
}

// maxPoolGeneric computes MaxPool: each output row of C channels starts as
// the window's first real cell and takes the elementwise maximum of the rest.
// A NaN in the window gives an unspecified result, as in TensorFlow.
func maxPoolGeneric(dst, x []float32, s PoolShape) {
	oh, ow := s.Out()
	c := s.C
	for n := range s.N {
		img := x[n*s.H*s.W*c : (n+1)*s.H*s.W*c]
		for oy := range oh {
			for ox := range ow {
				o := (n*oh*ow + oy*ow + ox) * c
				out := dst[o : o+c]
				y0, y1, x0, x1 := poolWindow(s, oy, ox)
				first := true
				for iy := y0; iy < y1; iy++ {
					for ix := x0; ix < x1; ix++ {
						in := img[(iy*s.W+ix)*c : (iy*s.W+ix+1)*c]
						if first {
							copy(out, in)
							first = false
							continue
						}
						in = in[:len(out)]
						for ch, v := range in {
							out[ch] = max32(out[ch], v)
						}
					}
				}
			}
		}
	}
}

// avgPoolGeneric computes AvgPool: the window's sum divided by its number of
// real cells.
func avgPoolGeneric(dst, x []float32, s PoolShape) {
	oh, ow := s.Out()
	c := s.C
	for n := range s.N {
		img := x[n*s.H*s.W*c : (n+1)*s.H*s.W*c]
		for oy := range oh {
			for ox := range ow {
				o := (n*oh*ow + oy*ow + ox) * c
				out := dst[o : o+c]
				clear(out)
				y0, y1, x0, x1 := poolWindow(s, oy, ox)
				for iy := y0; iy < y1; iy++ {
					for ix := x0; ix < x1; ix++ {
						in := img[(iy*s.W+ix)*c : (iy*s.W+ix+1)*c]
						in = in[:len(out)]
						for ch, v := range in {
							out[ch] += v
						}
					}
				}
				count := float32((y1 - y0) * (x1 - x0))
				for ch := range out {
					out[ch] /= count
				}
			}
		}
	}
}

// reluGeneric sets dst[i] = max(x[i], 0); NaN stays NaN.
func reluGeneric(dst, x []float32) {
	dst = dst[:len(x)]
	for i, v := range x {
		dst[i] = relu32(v)
	}
}

// relu32 and max32 are branch-free forms of max(v, 0) and max(a, b): Go's
// wasm backend compiles the builtin max to a runtime call and a branch to a
// block dispatch, both several times slower, and natively random signs
// mispredict a branch.

// relu32 returns max(v, 0), +0 for -0, and v for NaN: it clears a value
// whose sign bit is set unless it is a NaN.
func relu32(v float32) float32 {
	b := math.Float32bits(v)
	neg := uint32(int32(b) >> 31)
	if b&0x7fff_ffff > 0x7f80_0000 { // NaN: compiled to a conditional move
		neg = 0
	}
	return math.Float32frombits(b &^ neg)
}

// max32 returns max(a, b) for non-NaN values (+0 above -0). It compares
// the bit patterns as integers after flipping the magnitude bits of
// negative values, which orders them like the floats.
func max32(a, b float32) float32 {
	ba, bb := int32(math.Float32bits(a)), int32(math.Float32bits(b))
	ka, kb := ba^int32(uint32(ba>>31)>>1), bb^int32(uint32(bb>>31)>>1)
	takeB := int32((int64(ka) - int64(kb)) >> 63) // all ones when b > a
	return math.Float32frombits(uint32(bb&takeB | ba&^takeB))
}

// softmaxGeneric computes Softmax row by row: the row maximum, then
// exp(x - max) (math.Exp in float64), then a division by the row sum.
func softmaxGeneric(dst, x []float32, n, m int) {
	for r := range n {
		in := x[r*m : (r+1)*m]
		out := dst[r*m : (r+1)*m]
		out = out[:len(in)]
		hi := in[0]
		for _, v := range in {
			hi = max32(hi, v)
		}
		var sum float64
		for j, v := range in {
			e := float32(math.Exp(float64(v - hi)))
			out[j] = e
			sum += float64(e)
		}
		inv := 1 / sum
		for j, e := range out {
			out[j] = float32(float64(e) * inv)
		}
	}
}

// lrnGeneric computes LRN as TensorFlow.js's CPU kernel does: the sum of
// squares over the clipped window in float64, then
// x * (bias + alpha*sum)^-beta in float64, rounded once to float32.
func lrnGeneric(dst, x []float32, pixels, c int, p LRNParams) {
	for px := range pixels {
		lrnChannels(dst[px*c:(px+1)*c], x[px*c:(px+1)*c], 0, c, p)
	}
}

// lrnChannels computes channels [from, to) of one pixel's LRN (in and out
// hold that pixel's C values), accumulating the window in float64.
func lrnChannels(out, in []float32, from, to int, p LRNParams) {
	r := p.DepthRadius
	bias, alpha := float64(p.Bias), float64(p.Alpha)
	for ch := from; ch < to; ch++ {
		var sum float64
		for _, z := range in[max(ch-r, 0):min(ch+r+1, len(in))] {
			sum += float64(z) * float64(z)
		}
		out[ch] = float32(float64(in[ch]) * powNeg(bias+alpha*sum, p.Beta))
	}
}

// powNeg returns s^-beta, with the common AlexNet/TensorFlow exponents 0.5,
// 0.75 and 1 computed by square roots and division (exact to float64
// rounding, like math.Pow, but several times faster).
func powNeg(s float64, beta float32) float64 {
	switch beta {
	case 0.5:
		return 1 / math.Sqrt(s)
	case 0.75:
		r := math.Sqrt(s)
		return 1 / (r * math.Sqrt(r))
	case 1:
		return 1 / s
	}
	return math.Pow(s, -float64(beta))
}
