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

// gemvInt8Dot2 returns Σ_{p<k} x[p]*float32(q0[p]) and the same with q1,
// for two rows of int8 weights, 16 values at a time: each half of 8 bytes
// is widened to an Int32x8, converted exactly to float32 and multiplied
// into the accumulators with fused multiply-adds; the two vectors of x are
// shared by both rows. The caller guarantees that k is a positive multiple
// of 16 and that x, q0 and q1 hold k values.
func gemvInt8Dot2(k int, x, q0, q1 unsafe.Pointer) (s0, s1 float32) {
	var a0, a1, b0, b1 archsimd.Float32x8
	for p := 0; p < k; p += 16 {
		px := unsafe.Add(x, p*4)
		x0 := archsimd.LoadFloat32x8Array((*[8]float32)(px))
		x1 := archsimd.LoadFloat32x8Array((*[8]float32)(unsafe.Add(px, 32)))
		v := archsimd.LoadInt8x16Array((*[16]int8)(unsafe.Add(q0, p)))
		a0 = v.ExtendLo8ToInt32().ConvertToFloat32().MulAdd(x0, a0)
		a1 = archsimd.LoadInt8x16Array((*[16]int8)(unsafe.Add(q0, p+8))).ExtendLo8ToInt32().ConvertToFloat32().MulAdd(x1, a1)
		v = archsimd.LoadInt8x16Array((*[16]int8)(unsafe.Add(q1, p)))
		b0 = v.ExtendLo8ToInt32().ConvertToFloat32().MulAdd(x0, b0)
		b1 = archsimd.LoadInt8x16Array((*[16]int8)(unsafe.Add(q1, p+8))).ExtendLo8ToInt32().ConvertToFloat32().MulAdd(x1, b1)
	}
	var a, b [8]float32
	a0.Add(a1).Store(a[:])
	b0.Add(b1).Store(b[:])
	return sum8(&a), sum8(&b)
}

// sum8 returns the sum of v's eight values, pairwise.
func sum8(v *[8]float32) float32 {
	return ((v[0] + v[4]) + (v[1] + v[5])) + ((v[2] + v[6]) + (v[3] + v[7]))
}
