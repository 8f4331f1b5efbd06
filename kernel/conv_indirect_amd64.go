//go:build goexperiment.simd && amd64

package kernel

// The AVX2 kernels always pack A (im2col): the indirect convolution of
// conv_indirect_wasm.go is written for the wasm micro-kernel's 4×12 tile.

// convGroupIndirect reports false: convGroupSIMD packs A.
func convGroupIndirect(_, _ []float32, _ *gemmB, _ []float32, _ *ConvShape, _ int, _ Activation, _ []float32) bool {
	return false
}

// convIndirectWorkspaceLen is 0: no indirect convolution.
func convIndirectWorkspaceLen(ConvShape) int { return 0 }
