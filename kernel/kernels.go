package kernel

// kernels is one implementation of the leaf operators. generic is always
// compiled; simdKernels exists under GOEXPERIMENT=simd on amd64 and wasm.
// The package variable active (dispatch_*.go) is the set the exported
// operators use. Every function assumes validated arguments.
type kernels struct {
	name string
	// gemm computes C = op(A)·op(B), or C += op(A)·op(B) when acc is set, as
	// Gemm documents. ws holds gemmWorkspaceLen(m, n, k) elements.
	gemm             func(transA, transB bool, m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int, acc bool, ws []float32)
	gemmWorkspaceLen func(m, n, k int) int
	// biasAct sets d[r*ldd+j] = act(d[r*ldd+j] + bias[j]) for r < rows,
	// j < cols; bias may be nil.
	biasAct func(d []float32, rows, cols, ldd int, bias []float32, act Activation)
	maxPool func(dst, x []float32, s PoolShape)
	avgPool func(dst, x []float32, s PoolShape)
	relu    func(dst, x []float32)
	softmax func(dst, x []float32, n, m int)
	lrn     func(dst, x []float32, pixels, c int, p LRNParams)
}

// pointwise reports whether the convolution reads x directly as its GEMM
// operand A (rows = pixels, lda = C): a 1×1 window, stride 1, no padding.
// Dilation does not matter for a 1×1 window.
func (s ConvShape) pointwise() bool {
	return s.KH == 1 && s.KW == 1 && s.StrideH == 1 && s.StrideW == 1 && s.Pad == Padding{}
}

// WorkspaceLen is the scratch length Conv2D needs: one image's im2col matrix
// for one group, [OH*OW, KH*KW*C/G] (none for a pointwise convolution), plus
// the GEMM's own scratch.
func (s ConvShape) WorkspaceLen() int { return s.workspaceLen(active) }

func (s ConvShape) workspaceLen(k *kernels) int {
	s = s.normalized()
	oh, ow := s.Out()
	cols := s.KH * s.KW * (s.C / s.Groups)
	im2col := 0
	if !s.pointwise() {
		im2col = oh * ow * cols
	}
	return im2col + k.gemmWorkspaceLen(oh*ow, s.OC/s.Groups, cols)
}

// DenseWorkspaceLen is the scratch length Dense needs for x [N, K], w [K, M].
func DenseWorkspaceLen(n, k, m int) int { return active.gemmWorkspaceLen(n, m, k) }

// GemmWorkspaceLen is the scratch length Gemm needs for an m×k by k×n product.
func GemmWorkspaceLen(m, n, k int) int { return active.gemmWorkspaceLen(m, n, k) }

// conv2DWith computes Conv2D with the kernels ks as a GEMM per image and
// group: A = im2col(x) [OH*OW, KH*KW*C/G] (or x itself when pointwise),
// B = the group's column block of the HWIO filter viewed as
// [KH*KW*C/G, OC] (ldb = OC), C = the group's column block of dst (ldc = OC);
// then bias and activation over all of dst. s is normalized.
func conv2DWith(ks *kernels, dst, x, filter, bias []float32, s ConvShape, act Activation, ws []float32) {
	oh, ow := s.Out()
	cg, ocg := s.C/s.Groups, s.OC/s.Groups
	rows, cols := oh*ow, s.KH*s.KW*cg
	inImg, outImg := s.H*s.W*s.C, rows*s.OC
	pointwise := s.pointwise()
	col, gemmWS := ws, ws
	if !pointwise {
		col, gemmWS = ws[:rows*cols], ws[rows*cols:]
	}
	for n := range s.N {
		img := x[n*inImg : (n+1)*inImg]
		out := dst[n*outImg : (n+1)*outImg]
		for g := range s.Groups {
			a, lda := img[g*cg:], s.C
			if !pointwise {
				im2col(col, img, s, g)
				a, lda = col, cols
			}
			ks.gemm(false, false, rows, ocg, cols, a, lda, filter[g*ocg:], s.OC, out[g*ocg:], s.OC, false, gemmWS)
		}
	}
	ks.biasAct(dst, s.N*rows, s.OC, s.OC, bias, act)
}

// im2col writes the patches of group g of one image img [H, W, C] into col
// [OH*OW, KH*KW*C/G]: row oy*OW+ox holds, for ky, kx, ci in that order,
// img[oy*SH-Top+ky*DH, ox*SW-Left+kx*DW, g*C/G+ci], or 0 outside the image.
// The column order matches the rows of an HWIO filter.
func im2col(col, img []float32, s ConvShape, g int) {
	oh, ow := s.Out()
	cg := s.C / s.Groups
	cols := s.KH * s.KW * cg
	for oy := range oh {
		for ox := range ow {
			row := col[(oy*ow+ox)*cols : (oy*ow+ox+1)*cols]
			for ky := range s.KH {
				iy := oy*s.StrideH - s.Pad.Top + ky*s.DilationH
				for kx := range s.KW {
					ix := ox*s.StrideW - s.Pad.Left + kx*s.DilationW
					patch := row[(ky*s.KW+kx)*cg : (ky*s.KW+kx+1)*cg]
					if iy < 0 || iy >= s.H || ix < 0 || ix >= s.W {
						clear(patch)
						continue
					}
					off := (iy*s.W+ix)*s.C + g*cg
					copySmall(patch, img[off:off+cg])
				}
			}
		}
	}
}

// copySmall is copy(dst, src) for len(dst) == len(src), without the call to
// memmove that dominates im2col for few channels (seednet's C = 1).
func copySmall(dst, src []float32) {
	if len(src) >= 16 {
		copy(dst, src)
		return
	}
	src = src[:len(dst)]
	//lint:ignore S1001 the loop is the point: copy calls memmove.
	for i, v := range src {
		dst[i] = v
	}
}

// denseWith computes Dense with the kernels ks: a GEMM with A = x [N, K] and
// B = w [K, M], then bias and activation.
func denseWith(ks *kernels, dst, x, w, bias []float32, n, k, m int, act Activation, ws []float32) {
	ks.gemm(false, false, n, m, k, x, k, w, m, dst, m, false, ws)
	ks.biasAct(dst, n, m, m, bias, act)
}

// The operators of ops.go, on the active kernels.

func conv2D(dst, x, filter, bias []float32, s ConvShape, act Activation, ws []float32) {
	conv2DWith(active, dst, x, filter, bias, s, act, ws)
}

func dense(dst, x, w, bias []float32, n, k, m int, act Activation, ws []float32) {
	denseWith(active, dst, x, w, bias, n, k, m, act, ws)
}

func gemm(transA, transB bool, m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int, acc bool, ws []float32) {
	active.gemm(transA, transB, m, n, k, a, lda, b, ldb, c, ldc, acc, ws)
}

func maxPool(dst, x []float32, s PoolShape)            { active.maxPool(dst, x, s) }
func avgPool(dst, x []float32, s PoolShape)            { active.avgPool(dst, x, s) }
func relu(dst, x []float32)                            { active.relu(dst, x) }
func softmax(dst, x []float32, n, m int)               { active.softmax(dst, x, n, m) }
func lrn(dst, x []float32, pixels, c int, p LRNParams) { active.lrn(dst, x, pixels, c, p) }
