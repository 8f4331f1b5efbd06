//go:build goexperiment.simd && wasm

package kernel

import (
	"math"
	"simd/archsimd"
	"unsafe"
)

// gemvInt8MaxRows is the largest batch denseInt8SIMD computes as
// matrix-vector products over the int8 panels: every batch under wasm,
// where the GEMM with its per-call dequantisation of the weights
// (packBInt8) was the slower of the two on alexmnist's fc6 shape (512×512)
// at batch 8 (about 3.5× per image) and at batch 64 (about 1.15×), Go
// 1.27.3 in Node 20 (BenchmarkDense's int8 forms, GOOS=js GOARCH=wasm
// GOEXPERIMENT=simd).
const gemvInt8MaxRows = math.MaxInt

// gemvInt8Panel2 is gemvInt8Panel for two rows x0 and x1 at once: each
// weight row is loaded and converted to float32 once for both, into acc0
// and acc1. The caller guarantees k ≥ 1, that x0 and x1 hold k values and
// q k*qNR bytes.
func gemvInt8Panel2(k int, x0, x1, q unsafe.Pointer, acc0, acc1 *[qNR]float32) {
	var a0, a1, a2, a3, b0, b1, b2, b3 archsimd.Float32x4
	for p := range k {
		w0, w1, w2, w3 := int8Lanes(archsimd.LoadInt32x4Array((*[4]int32)(unsafe.Add(q, p*qNR))))
		xa := archsimd.BroadcastFloat32x4(*(*float32)(unsafe.Add(x0, p*4)))
		a0 = a0.Add(w0.Mul(xa))
		a1 = a1.Add(w1.Mul(xa))
		a2 = a2.Add(w2.Mul(xa))
		a3 = a3.Add(w3.Mul(xa))
		xb := archsimd.BroadcastFloat32x4(*(*float32)(unsafe.Add(x1, p*4)))
		b0 = b0.Add(w0.Mul(xb))
		b1 = b1.Add(w1.Mul(xb))
		b2 = b2.Add(w2.Mul(xb))
		b3 = b3.Add(w3.Mul(xb))
	}
	storeInt8Lanes(acc0, a0, a1, a2, a3)
	storeInt8Lanes(acc1, b0, b1, b2, b3)
}

// gemvInt8Dot2 returns Σ_{p<k} x[p]*float32(q0[p]) and the same with q1,
// for two rows of int8 weights, 16 values at a time: each Int8x16 is
// widened to four Int32x4 and converted exactly to float32, and the four
// vectors of x are shared by both rows. The caller guarantees that k is a
// positive multiple of 16 and that x, q0 and q1 hold k values.
func gemvInt8Dot2(k int, x, q0, q1 unsafe.Pointer) (s0, s1 float32) {
	var a0, a1, a2, a3, b0, b1, b2, b3 archsimd.Float32x4
	for p := 0; p < k; p += 16 {
		px := unsafe.Add(x, p*4)
		x0 := archsimd.LoadFloat32x4Array((*[4]float32)(px))
		x1 := archsimd.LoadFloat32x4Array((*[4]float32)(unsafe.Add(px, 16)))
		x2 := archsimd.LoadFloat32x4Array((*[4]float32)(unsafe.Add(px, 32)))
		x3 := archsimd.LoadFloat32x4Array((*[4]float32)(unsafe.Add(px, 48)))
		v := archsimd.LoadInt8x16Array((*[16]int8)(unsafe.Add(q0, p)))
		lo, hi := v.ExtendLo8ToInt16(), v.ExtendHi8ToInt16()
		a0 = a0.Add(lo.ExtendLo4ToInt32().ConvertToFloat32().Mul(x0))
		a1 = a1.Add(lo.ExtendHi4ToInt32().ConvertToFloat32().Mul(x1))
		a2 = a2.Add(hi.ExtendLo4ToInt32().ConvertToFloat32().Mul(x2))
		a3 = a3.Add(hi.ExtendHi4ToInt32().ConvertToFloat32().Mul(x3))
		v = archsimd.LoadInt8x16Array((*[16]int8)(unsafe.Add(q1, p)))
		lo, hi = v.ExtendLo8ToInt16(), v.ExtendHi8ToInt16()
		b0 = b0.Add(lo.ExtendLo4ToInt32().ConvertToFloat32().Mul(x0))
		b1 = b1.Add(lo.ExtendHi4ToInt32().ConvertToFloat32().Mul(x1))
		b2 = b2.Add(hi.ExtendLo4ToInt32().ConvertToFloat32().Mul(x2))
		b3 = b3.Add(hi.ExtendHi4ToInt32().ConvertToFloat32().Mul(x3))
	}
	return sumLanes(a0.Add(a1).Add(a2.Add(a3))), sumLanes(b0.Add(b1).Add(b2.Add(b3)))
}

// sumLanes returns v's four lanes added: (v0+v2) + (v1+v3).
func sumLanes(v archsimd.Float32x4) float32 {
	return (v.GetElem(0) + v.GetElem(2)) + (v.GetElem(1) + v.GetElem(3))
}
