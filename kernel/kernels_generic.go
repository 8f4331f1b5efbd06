package kernel

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
