//go:build js && wasm && !goexperiment.simd

package enginejs

// SIMD reports a build with GOEXPERIMENT=simd (featuremap.simd.wasm).
const SIMD = false
