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
// call), with bias and activation fused into the store. The filter is the
// one k.packConv packs for the im2col GEMM (one K block of panels per
// group), so PackedConv holds the same panels for both methods.
//
// The sums run over the same K products as the GEMM's (in tap order,
// bias added in the store), so the error bound of a K-term dot product
// holds (variants_test.go's gamma).

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

// directRuleK is the largest reduction for which PackConv chooses the
// direct method where it applies. Measured with BenchmarkConv2D on Node 20
// (simd-packed-direct against simd-packed-im2col, batch 1, alternating
// runs): seednet's conv (K = 9) 85–88 → TODO µs, alexmnist's conv1 (K = 25)
// 141 → TODO µs.
const directRuleK = 32

// directApplies reports whether the kernel set k has a direct convolution
// and s is one it computes: at most directMaxK taps and output rows of at
// least directMR pixels.
func (s ConvShape) directApplies(k *kernels) bool {
	_, ow := s.Out()
	return directConv(k) != nil && s.KH*s.KW*(s.C/s.Groups) <= directMaxK && ow >= directMR
}

// useDirect reports whether PackConv prepares s for the direct method:
// where it applies and K ≤ directRuleK.
func (s ConvShape) useDirect(k *kernels) bool {
	return s.directApplies(k) && s.KH*s.KW*(s.C/s.Groups) <= directRuleK
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
