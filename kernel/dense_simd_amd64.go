//go:build goexperiment.simd && amd64

package kernel

import (
	"simd/archsimd"
	"unsafe"
)

// gemvInt8MaxRows is the largest batch denseInt8SIMD computes as
// matrix-vector products over the int8 panels; larger batches go through
// gemmBlocked, whose AVX2 tiles with fused multiply-adds outrun the
// matrix-vector products once the dequantisation is shared by enough rows.
const gemvInt8MaxRows = gemvRows

// gemvInt8Panel2 is gemvInt8Panel for two rows x0 and x1 at once: each
// weight row is loaded and converted to float32 once for both, into acc0
// and acc1. The caller guarantees k ≥ 1, that x0 and x1 hold k values and
// q k*qNR+8 bytes.
func gemvInt8Panel2(k int, x0, x1, q unsafe.Pointer, acc0, acc1 *[qNR]float32) {
	var a0, a1, b0, b1 archsimd.Float32x8
	for p := range k {
		pq := unsafe.Add(q, p*qNR)
		lo := archsimd.LoadInt8x16Array((*[16]int8)(pq)).ExtendLo8ToInt32().ConvertToFloat32()
		hi := archsimd.LoadInt8x16Array((*[16]int8)(unsafe.Add(pq, 8))).ExtendLo8ToInt32().ConvertToFloat32()
		xa := archsimd.BroadcastFloat32x8(*(*float32)(unsafe.Add(x0, p*4)))
		a0 = lo.MulAdd(xa, a0)
		a1 = hi.MulAdd(xa, a1)
		xb := archsimd.BroadcastFloat32x8(*(*float32)(unsafe.Add(x1, p*4)))
		b0 = lo.MulAdd(xb, b0)
		b1 = hi.MulAdd(xb, b1)
	}
	a0.Store(acc0[0:])
	a1.Store(acc0[8:])
	b0.Store(acc1[0:])
	b1.Store(acc1[8:])
}
