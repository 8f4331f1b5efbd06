package kernel

// kernels is one implementation of the leaf operators. generic is always
// compiled; simdKernels exists under GOEXPERIMENT=simd on amd64 and wasm.
// The package variable active (dispatch_*.go) is the set the exported
// operators use. Every function assumes validated arguments and a
// normalized ConvShape; TestVariantsComplete checks that every set fills
// every field.
type kernels struct {
	name string
	// layout describes the packed weight layout of this set (which tile
	// the panels are cut for), reported by the packed types' Variant.
	layout string
	// gemm computes C = op(A)·op(B), or C += op(A)·op(B) when acc is set, as
	// Gemm documents. ws holds gemmWorkspaceLen(m, n, k) elements.
	gemm             func(transA, transB bool, m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int, acc bool, ws []float32)
	gemmWorkspaceLen func(m, n, k int) int

	// conv and dense compute Conv2D and Dense from an HWIO filter or [K, M]
	// weights as given.
	conv              func(dst, x, filter, bias []float32, s ConvShape, act Activation, ws []float32)
	convWorkspaceLen  func(s ConvShape) int
	dense             func(dst, x, w, bias []float32, n, k, m int, act Activation, ws []float32)
	denseWorkspaceLen func(n, k, m int) int

	// packConv stores an HWIO filter in packedConvLen(s) elements in the
	// layout convPacked reads; packDense stores [K, M] weights (row stride
	// ldb) in packedDenseLen(k, m) elements for densePacked.
	packConv               func(dst, filter []float32, s ConvShape)
	packedConvLen          func(s ConvShape) int
	convPacked             func(dst, x, packed, bias []float32, s ConvShape, act Activation, ws []float32)
	convPackedWorkspaceLen func(s ConvShape) int
	packDense              func(dst, w []float32, ldb, k, m int)
	packedDenseLen         func(k, m int) int
	// packedDenseRow locates row p of [K, M] weights packed by packDense:
	// column j is at at + j/run*stride + j%run.
	packedDenseRow          func(k, m, p int) (at, run, stride int)
	densePacked             func(dst, x, packed, bias []float32, n, k, m int, act Activation, ws []float32)
	densePackedWorkspaceLen func(n, k, m int) int

	// winogradInput and winogradOutput are the tile transforms of
	// convWinograd (conv_winograd.go says what they compute).
	winogradInput  func(v, x []float32, s *ConvShape, tile, g, t0, tc int)
	winogradOutput func(dst, m, bias []float32, s *ConvShape, tile, g, t0, tc int, act Activation)
	// winogradFilter is packWinograd's filter transform of one row of
	// U_ξ for one block and input channel (winogradFilterGeneric).
	winogradFilter func(dst []float32, at []int, run, stride int, taps *[9][]float32, gi *[3]float32, gj [][3]float32)

	// packInt8 stores int8 weights q [K, M] in packedInt8Len(k, m) bytes in
	// the layout denseInt8 reads; scales has M elements.
	packInt8              func(dst, q []int8, k, m int)
	packedInt8Len         func(k, m int) int
	denseInt8             func(dst, x []float32, q []int8, scales, bias []float32, n, k, m int, act Activation, ws []float32)
	denseInt8WorkspaceLen func(n, k, m int) int

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

// WorkspaceLen is the scratch length Conv2D needs on the active kernels:
// for the portable ones one image's im2col matrix for one group; for the
// SIMD ones one packed block of each GEMM operand.
func (s ConvShape) WorkspaceLen() int { return active.convWorkspaceLen(s.normalized()) }

// DenseWorkspaceLen is the scratch length Dense needs for x [N, K], w [K, M].
func DenseWorkspaceLen(n, k, m int) int { return active.denseWorkspaceLen(n, k, m) }

// GemmWorkspaceLen is the scratch length Gemm needs for an m×k by k×n product.
func GemmWorkspaceLen(m, n, k int) int { return active.gemmWorkspaceLen(m, n, k) }

// The operators of ops.go, on the active kernels.

func gemm(transA, transB bool, m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int, acc bool, ws []float32) {
	active.gemm(transA, transB, m, n, k, a, lda, b, ldb, c, ldc, acc, ws)
}

func maxPool(dst, x []float32, s PoolShape)            { active.maxPool(dst, x, s) }
func avgPool(dst, x []float32, s PoolShape)            { active.avgPool(dst, x, s) }
func relu(dst, x []float32)                            { active.relu(dst, x) }
func softmax(dst, x []float32, n, m int)               { active.softmax(dst, x, n, m) }
func lrn(dst, x []float32, pixels, c int, p LRNParams) { active.lrn(dst, x, pixels, c, p) }
