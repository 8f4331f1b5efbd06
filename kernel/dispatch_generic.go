//go:build !(goexperiment.simd && (amd64 || wasm))

package kernel

// active is the kernel set the exported operators use: without SIMD support
// in the build, always the portable one.
var active = &generic
