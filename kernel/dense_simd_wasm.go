//go:build goexperiment.simd && wasm

package kernel

import (
	"math"
	"simd/archsimd"
	"unsafe"
)

// gemvInt8MaxRows is the largest batch denseInt8SIMD computes as
// matrix-vector products over the int8 panels: every batch under wasm,
// where the GEMM's per-call dequantisation of the weights (packBInt8) cost
// more than two rows at a time of gemvInt8Panel2 at every batch measured
// (alexmnist's fc6 at batch 8: ~2.4× per image).
const gemvInt8MaxRows = math.MaxInt

// gemvInt8Panel2 is gemvInt8Panel for two rows x0 and x1 at once: each
// weight row is loaded and converted to float32 once for both, into acc0
// and acc1. The caller guarantees k ≥ 1, that x0 and x1 hold k values and
// q k*qNR bytes.
func gemvInt8Panel2(k int, x0, x1, q unsafe.Pointer, acc0, acc1 *[qNR]float32) {
	var a0, a1, a2, a3, b0, b1, b2, b3 archsimd.Float32x4
	for p := range k {
		v := archsimd.LoadInt8x16Array((*[16]int8)(unsafe.Add(q, p*qNR)))
		lo, hi := v.ExtendLo8ToInt16(), v.ExtendHi8ToInt16()
		w0, w1 := lo.ExtendLo4ToInt32().ConvertToFloat32(), lo.ExtendHi4ToInt32().ConvertToFloat32()
		w2, w3 := hi.ExtendLo4ToInt32().ConvertToFloat32(), hi.ExtendHi4ToInt32().ConvertToFloat32()
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
	a0.Store(acc0[0:])
	a1.Store(acc0[4:])
	a2.Store(acc0[8:])
	a3.Store(acc0[12:])
	b0.Store(acc1[0:])
	b1.Store(acc1[4:])
	b2.Store(acc1[8:])
	b3.Store(acc1[12:])
}
