//go:build goexperiment.simd && (amd64 || wasm)

package kernel

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
