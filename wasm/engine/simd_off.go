//go:build js && wasm && !goexperiment.simd

package main

// simd reports a build with GOEXPERIMENT=simd (featuremap.simd.wasm).
const simd = false
