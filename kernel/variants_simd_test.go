//go:build goexperiment.simd && (amd64 || wasm)

package kernel

func init() { testVariants = append(testVariants, &simdKernels) }
