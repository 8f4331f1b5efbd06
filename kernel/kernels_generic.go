package kernel

// generic is the portable Go implementation of every leaf operator.
var generic = kernels{
	name:             "generic",
	layout:           "weights as given (conv: one [KH*KW*C/G, OC/G] block per group)",
	gemm:             gemmGeneric,
	gemmWorkspaceLen: func(m, n, k int) int { return 0 },

	conv:              convGeneric,
	convWorkspaceLen:  convGenericWorkspaceLen,
	dense:             denseGeneric,
	denseWorkspaceLen: func(n, k, m int) int { return 0 },

	packConv:                packConvGeneric,
	packedConvLen:           packedConvLenGeneric,
	convPacked:              convPackedGeneric,
	convPackedWorkspaceLen:  convGenericWorkspaceLen,
	packDense:               packDenseGeneric,
	packedDenseLen:          packedDenseLenGeneric,
	packedDenseRow:          packedDenseRowGeneric,
	densePacked:             denseGeneric,
	densePackedWorkspaceLen: func(n, k, m int) int { return 0 },

	winogradInput:  winogradInputGeneric,
	winogradOutput: winogradOutputGeneric,
	winogradFilter: winogradFilterGeneric,

	packInt8:              packInt8Generic,
	packedInt8Len:         packedInt8LenGeneric,
	denseInt8:             denseInt8Generic,
	denseInt8WorkspaceLen: func(n, k, m int) int { return 0 },

	maxPool: maxPoolGeneric,
	avgPool: avgPoolGeneric,
	relu:    reluGeneric,
	softmax: softmaxGeneric,
	lrn:     lrnGeneric,
}
