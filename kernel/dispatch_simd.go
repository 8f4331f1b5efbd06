//go:build goexperiment.simd && (amd64 || wasm)

package kernel

import (
	"runtime"
	"simd/archsimd"
)

// active is the kernel set the exported operators use: the SIMD one where
// the CPU runs it (every wasm engine with SIMD128, which the JS loader checks
// before it picks this build; AVX2 and FMA on amd64, which the amd64 GEMM
// tile uses), else the portable one.
var active = pickKernels()

func pickKernels() *kernels {
	if runtime.GOARCH == "amd64" && !(archsimd.X86.AVX2() && archsimd.X86.FMA()) {
		return &generic
	}
	return &simdKernels
}
