//go:build !(goexperiment.simd && (amd64 || wasm))

package kernel

// directConv returns the direct convolution of the kernel set k for s:
// none without the SIMD kernels (the portable set computes every
// convolution with im2col).
func directConv(*kernels, *ConvShape) directFunc { return nil }
