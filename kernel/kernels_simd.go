//go:build goexperiment.simd && (amd64 || wasm)

package kernel

import "strconv"

// simdKernels implements the leaf operators with simd/archsimd vectors:
// 128-bit Float32x4 (wasm SIMD128, AVX on amd64) except the amd64 GEMM and
// int8 GEMV micro-kernels (Float32x8, AVX2 and FMA). The elementwise
// operators keep the generic versions' exact arithmetic; softmax stays
// generic (its cost is the exponentials, and it runs once per image on a
// few thousand values).
var simdKernels = kernels{
	name:             "simd",
	layout:           "float32 B panels " + strconv.Itoa(gemmMR) + "×" + strconv.Itoa(gemmNR) + " in K blocks of " + strconv.Itoa(gemmKC) + "; int8 panels of " + strconv.Itoa(qNR) + " columns",
	gemm:             gemmSIMD,
	gemmWorkspaceLen: gemmSIMDWorkspaceLen,

	conv:              convSIMD,
	convWorkspaceLen:  convSIMDWorkspaceLen,
	dense:             denseSIMD,
	denseWorkspaceLen: func(n, k, m int) int { return gemmSIMDWorkspaceLen(n, m, k) },

	packConv:                packConvSIMD,
	packedConvLen:           packedConvLenSIMD,
	convPacked:              convPackedSIMD,
	convPackedWorkspaceLen:  convPackedSIMDWorkspaceLen,
	packDense:               packBSIMD,
	packedDenseLen:          packedBLenSIMD,
	packedDenseRow:          packedBRowSIMD,
	densePacked:             densePackedSIMD,
	densePackedWorkspaceLen: densePackedSIMDWorkspaceLen,

	winogradInput:  winogradInputSIMD,
	winogradOutput: winogradOutputSIMD,
	winogradFilter: winogradFilterSIMD,

	packInt8:              packInt8SIMD,
	packedInt8Len:         packedInt8LenSIMD,
	denseInt8:             denseInt8SIMD,
	denseInt8WorkspaceLen: denseInt8SIMDWorkspaceLen,

	maxPool: maxPoolSIMD,
	avgPool: avgPoolSIMD,
	relu:    reluSIMD,
	softmax: softmaxGeneric,
	lrn:     lrnSIMD,
}
