package kernel

// Direct convolution for short reductions. Where K = KH·KW·C/G is small
// (seednet's conv, 3×3 on one channel: K = 9; alexmnist's conv1, 5×5 on one
// channel: K = 25), the im2col GEMM spends its time packing the im2col
// matrix and in the per-tile set-up and store, not in arithmetic. The
// direct method reads the image instead: each call copies one image into a
// zero-padded copy in the workspace (so that every tap of every output lies
// inside it), and a micro-kernel computes a register tile of directMR
// adjacent output pixels of one output row × one filter panel of output
// channels, broadcasting each pixel's input value of tap p from the padded
// copy at the pixel's window origin plus tap p's offset (precomputed per
// call), the accumulators starting at the bias and the activation applied
// in the store. The filter is the one k.packConv packs for the im2col GEMM
// (one K block of panels per group), so PackedConv holds the same panels
// for both methods.
//
// Each output is the bias plus the K products summed in tap order, so the
// error bound of a (K+1)-term sum holds (variants_test.go's gamma), and a
// NaN input cell reaches exactly the outputs whose window holds it.

// directMR is the number of adjacent output pixels of one row in the
// direct micro-kernel's tile (the GEMM's gemmMR). A row narrower than
// that is left to the GEMM; a row whose width is not a multiple of it ends
// with a tile shifted left, overlapping the one before (its pixels are
// computed twice and stored with the same values).
const directMR = 4

// directMaxK bounds the taps KH·KW·C/G of a direct convolution: the tap
// offsets live in an array of that length on the stack, and the filter's
// panels must be one K block of the GEMM's layout.
const directMaxK = 64

// directApplies reports whether the kernel set k has a direct convolution
// for s (directConv) and s is one it computes: at most directMaxK taps and
// output rows of at least directMR pixels.
func (s ConvShape) directApplies(k *kernels) bool {
	_, ow := s.Out()
	return directConv(k, &s) != nil && s.KH*s.KW*(s.C/s.Groups) <= directMaxK && ow >= directMR
}

// useDirect reports whether PackConv prepares s for the direct method:
// wherever it applies, except a pointwise convolution (whose GEMM reads x
// as it is: the padded copy saves nothing). Measured with `make
// bench-kernels` (BenchmarkConv2D and BenchmarkConv2DDirectRule under
// js/wasm, simd-packed-im2col → simd-packed-direct, batch 1, Node 20, best
// of 4 to 8 alternating runs, on a shared machine): seednet's conv (K = 9)
// 90–115 → 51–58 µs, alexmnist's conv1 (K = 25) 143–155 → 89–92 µs; 3×3
// on 32×32×3 (K = 27) 188 → 97 µs, strided 48 → 26 µs; 3×3 on 32×32×6
// (K = 54) 275 → 189 µs; 5×5 on 28×28×2 (K = 50) 225 → 174 µs (the GEMM
// packing A value by value, packAConvTaps); a pointwise 14×14×32 → 32 ran at 26 µs both ways.
func (s ConvShape) useDirect(k *kernels) bool {
	return s.directApplies(k) && !s.pointwise()
}

// directWorkspaceLen is the scratch of the direct method: one zero-padded
// image [H+Top+Bottom, W+Left+Right, C].
func directWorkspaceLen(s ConvShape) int {
	return (s.H + s.Pad.Top + s.Pad.Bottom) * (s.W + s.Pad.Left + s.Pad.Right) * s.C
}

// directFunc computes Conv2D (for every image of s.N) from a filter packed
// by the kernel set's packConv, as PackedConv.Conv2D documents; ws holds
// directWorkspaceLen(s) elements.
type directFunc func(dst, x, packed, bias []float32, s ConvShape, act Activation, ws []float32)
