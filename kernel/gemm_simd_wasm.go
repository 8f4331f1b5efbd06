//go:build goexperiment.simd && wasm

package kernel

import (
	"simd/archsimd"
	"unsafe"
)

// gemmNR is the width of the wasm micro-kernel's tile: 4×12 Float32x4
// accumulators, the largest tile that neither Go nor V8 spills (8×8 and
// 4×16 tiles, with 16 accumulators, ran at about half the GFLOP/s that
// BenchmarkConv2D reports for this one; `make bench` runs the kernel
// benchmarks).
const gemmNR = 12

// gemmTile sets tile[r*gemmNR+j] = Σ_{p<kp} a[p*gemmMR+r] * b[p*gemmNR+j]
// for one packed A panel a and one packed B panel b (kp ≥ 1): gemmColumn
// for one tile, stored plainly into the tile array.
func gemmTile(kp int, pa, pb unsafe.Pointer, tile *[gemmMR * gemmNR]float32) {
	gemmColumn(kp, 1, pa, pb, unsafe.Pointer(tile), gemmNR, tileEpilogue{})
}

// gemmColumn multiplies tiles consecutive packed A panels (from ap, each
// kp*gemmMR elements, kp ≥ 1) by one packed B panel bp and stores each
// gemmMR×gemmNR result through ep into C at c (row stride ldc), tile t at
// row t*gemmMR, from the accumulators (one call per column of tiles: a call
// per tile costs on wasm). The 12 accumulators stay in registers; loads
// are unchecked, so the caller guarantees the panels hold kp*gemmMR and
// kp*gemmNR elements and C the rows and columns stored.
//
// k advances by 4 per iteration, then by 1. Go schedules an iteration's
// last additions, which feed the loop's phis, after all its
// multiplications and spills the products to the stack; unrolled ×4 that
// happens every fourth step. On L1-resident panels in Node 20 (best of
// alternating runs) the loop unrolled ×4 reached 28.5 GFLOP/s, ×2 27, ×1
// 25; BenchmarkGemmTile (`make bench-kernels`) measures this kernel with
// its store.
func gemmColumn(kp, tiles int, ap, bp, c unsafe.Pointer, ldc int, ep tileEpilogue) {
	for range tiles {
		var c00, c01, c02, c10, c11, c12, c20, c21, c22, c30, c31, c32 archsimd.Float32x4
		var a, b0, b1, b2 archsimd.Float32x4
		pa, pb := ap, bp
		p := 0
		for ; p+4 <= kp; p += 4 {
			b0 = archsimd.LoadFloat32x4Array((*[4]float32)(unsafe.Add(pb, 0)))
			b1 = archsimd.LoadFloat32x4Array((*[4]float32)(unsafe.Add(pb, 16)))
			b2 = archsimd.LoadFloat32x4Array((*[4]float32)(unsafe.Add(pb, 32)))
			a = archsimd.BroadcastFloat32x4(*(*float32)(unsafe.Add(pa, 0)))
			c00 = c00.Add(a.Mul(b0))
			c01 = c01.Add(a.Mul(b1))
			c02 = c02.Add(a.Mul(b2))
			a = archsimd.BroadcastFloat32x4(*(*float32)(unsafe.Add(pa, 4)))
			c10 = c10.Add(a.Mul(b0))
			c11 = c11.Add(a.Mul(b1))
			c12 = c12.Add(a.Mul(b2))
			a = archsimd.BroadcastFloat32x4(*(*float32)(unsafe.Add(pa, 8)))
			c20 = c20.Add(a.Mul(b0))
			c21 = c21.Add(a.Mul(b1))
			c22 = c22.Add(a.Mul(b2))
			a = archsimd.BroadcastFloat32x4(*(*float32)(unsafe.Add(pa, 12)))
			c30 = c30.Add(a.Mul(b0))
			c31 = c31.Add(a.Mul(b1))
			c32 = c32.Add(a.Mul(b2))

			b0 = archsimd.LoadFloat32x4Array((*[4]float32)(unsafe.Add(pb, 48)))
			b1 = archsimd.LoadFloat32x4Array((*[4]float32)(unsafe.Add(pb, 64)))
			b2 = archsimd.LoadFloat32x4Array((*[4]float32)(unsafe.Add(pb, 80)))
			a = archsimd.BroadcastFloat32x4(*(*float32)(unsafe.Add(pa, 16)))
			c00 = c00.Add(a.Mul(b0))
			c01 = c01.Add(a.Mul(b1))
			c02 = c02.Add(a.Mul(b2))
			a = archsimd.BroadcastFloat32x4(*(*float32)(unsafe.Add(pa, 20)))
			c10 = c10.Add(a.Mul(b0))
			c11 = c11.Add(a.Mul(b1))
			c12 = c12.Add(a.Mul(b2))
			a = archsimd.BroadcastFloat32x4(*(*float32)(unsafe.Add(pa, 24)))
			c20 = c20.Add(a.Mul(b0))
			c21 = c21.Add(a.Mul(b1))
			c22 = c22.Add(a.Mul(b2))
			a = archsimd.BroadcastFloat32x4(*(*float32)(unsafe.Add(pa, 28)))
			c30 = c30.Add(a.Mul(b0))
			c31 = c31.Add(a.Mul(b1))
			c32 = c32.Add(a.Mul(b2))

			b0 = archsimd.LoadFloat32x4Array((*[4]float32)(unsafe.Add(pb, 96)))
			b1 = archsimd.LoadFloat32x4Array((*[4]float32)(unsafe.Add(pb, 112)))
			b2 = archsimd.LoadFloat32x4Array((*[4]float32)(unsafe.Add(pb, 128)))
			a = archsimd.BroadcastFloat32x4(*(*float32)(unsafe.Add(pa, 32)))
			c00 = c00.Add(a.Mul(b0))
			c01 = c01.Add(a.Mul(b1))
			c02 = c02.Add(a.Mul(b2))
			a = archsimd.BroadcastFloat32x4(*(*float32)(unsafe.Add(pa, 36)))
			c10 = c10.Add(a.Mul(b0))
			c11 = c11.Add(a.Mul(b1))
			c12 = c12.Add(a.Mul(b2))
			a = archsimd.BroadcastFloat32x4(*(*float32)(unsafe.Add(pa, 40)))
			c20 = c20.Add(a.Mul(b0))
			c21 = c21.Add(a.Mul(b1))
			c22 = c22.Add(a.Mul(b2))
			a = archsimd.BroadcastFloat32x4(*(*float32)(unsafe.Add(pa, 44)))
			c30 = c30.Add(a.Mul(b0))
			c31 = c31.Add(a.Mul(b1))
			c32 = c32.Add(a.Mul(b2))

			b0 = archsimd.LoadFloat32x4Array((*[4]float32)(unsafe.Add(pb, 144)))
			b1 = archsimd.LoadFloat32x4Array((*[4]float32)(unsafe.Add(pb, 160)))
			b2 = archsimd.LoadFloat32x4Array((*[4]float32)(unsafe.Add(pb, 176)))
			a = archsimd.BroadcastFloat32x4(*(*float32)(unsafe.Add(pa, 48)))
			c00 = c00.Add(a.Mul(b0))
			c01 = c01.Add(a.Mul(b1))
			c02 = c02.Add(a.Mul(b2))
			a = archsimd.BroadcastFloat32x4(*(*float32)(unsafe.Add(pa, 52)))
			c10 = c10.Add(a.Mul(b0))
			c11 = c11.Add(a.Mul(b1))
			c12 = c12.Add(a.Mul(b2))
			a = archsimd.BroadcastFloat32x4(*(*float32)(unsafe.Add(pa, 56)))
			c20 = c20.Add(a.Mul(b0))
			c21 = c21.Add(a.Mul(b1))
			c22 = c22.Add(a.Mul(b2))
			a = archsimd.BroadcastFloat32x4(*(*float32)(unsafe.Add(pa, 60)))
			c30 = c30.Add(a.Mul(b0))
			c31 = c31.Add(a.Mul(b1))
			c32 = c32.Add(a.Mul(b2))
			pa = unsafe.Add(pa, 4*gemmMR*4)
			pb = unsafe.Add(pb, 4*gemmNR*4)
		}
		for ; p < kp; p++ {
			b0 = archsimd.LoadFloat32x4Array((*[4]float32)(pb))
			b1 = archsimd.LoadFloat32x4Array((*[4]float32)(unsafe.Add(pb, 16)))
			b2 = archsimd.LoadFloat32x4Array((*[4]float32)(unsafe.Add(pb, 32)))
			a = archsimd.BroadcastFloat32x4(*(*float32)(pa))
			c00 = c00.Add(a.Mul(b0))
			c01 = c01.Add(a.Mul(b1))
			c02 = c02.Add(a.Mul(b2))
			a = archsimd.BroadcastFloat32x4(*(*float32)(unsafe.Add(pa, 4)))
			c10 = c10.Add(a.Mul(b0))
			c11 = c11.Add(a.Mul(b1))
			c12 = c12.Add(a.Mul(b2))
			a = archsimd.BroadcastFloat32x4(*(*float32)(unsafe.Add(pa, 8)))
			c20 = c20.Add(a.Mul(b0))
			c21 = c21.Add(a.Mul(b1))
			c22 = c22.Add(a.Mul(b2))
			a = archsimd.BroadcastFloat32x4(*(*float32)(unsafe.Add(pa, 12)))
			c30 = c30.Add(a.Mul(b0))
			c31 = c31.Add(a.Mul(b1))
			c32 = c32.Add(a.Mul(b2))
			pa = unsafe.Add(pa, gemmMR*4)
			pb = unsafe.Add(pb, gemmNR*4)
		}
		ep.store(c00, c, 0)
		ep.store(c01, c, 4)
		ep.store(c02, c, 8)
		row := unsafe.Add(c, ldc*4)
		ep.store(c10, row, 0)
		ep.store(c11, row, 4)
		ep.store(c12, row, 8)
		row = unsafe.Add(c, 2*ldc*4)
		ep.store(c20, row, 0)
		ep.store(c21, row, 4)
		ep.store(c22, row, 8)
		row = unsafe.Add(c, 3*ldc*4)
		ep.store(c30, row, 0)
		ep.store(c31, row, 4)
		ep.store(c32, row, 8)
		ap = unsafe.Add(ap, kp*gemmMR*4)
		c = unsafe.Add(c, gemmMR*ldc*4)
	}
}

// gemmNarrow reports whether gemmColumnNarrow computes panels of nr
// columns: 4 or 8, one or two Float32x4 of the tile.
func gemmNarrow(nr int) bool { return nr == 4 || nr == 8 }

// gemmColumnNarrow is gemmColumn for a B panel whose first nr columns
// (gemmNarrow) are stored; the rest, zero padding, are neither loaded nor
// multiplied (4 or 8 accumulators instead of 12; k advances by 1).
func gemmColumnNarrow(kp, tiles, nr int, ap, bp, c unsafe.Pointer, ldc int, ep tileEpilogue) {
	for range tiles {
		if nr == 4 {
			var c00, c10, c20, c30 archsimd.Float32x4
			pa, pb := ap, bp
			for range kp {
				b0 := archsimd.LoadFloat32x4Array((*[4]float32)(pb))
				a := archsimd.BroadcastFloat32x4(*(*float32)(pa))
				c00 = c00.Add(a.Mul(b0))
				a = archsimd.BroadcastFloat32x4(*(*float32)(unsafe.Add(pa, 4)))
				c10 = c10.Add(a.Mul(b0))
				a = archsimd.BroadcastFloat32x4(*(*float32)(unsafe.Add(pa, 8)))
				c20 = c20.Add(a.Mul(b0))
				a = archsimd.BroadcastFloat32x4(*(*float32)(unsafe.Add(pa, 12)))
				c30 = c30.Add(a.Mul(b0))
				pa = unsafe.Add(pa, gemmMR*4)
				pb = unsafe.Add(pb, gemmNR*4)
			}
			ep.store(c00, c, 0)
			ep.store(c10, unsafe.Add(c, 1*ldc*4), 0)
			ep.store(c20, unsafe.Add(c, 2*ldc*4), 0)
			ep.store(c30, unsafe.Add(c, 3*ldc*4), 0)
		} else {
			var c00, c10, c20, c30, c01, c11, c21, c31 archsimd.Float32x4
			pa, pb := ap, bp
			for range kp {
				b0 := archsimd.LoadFloat32x4Array((*[4]float32)(pb))
				b1 := archsimd.LoadFloat32x4Array((*[4]float32)(unsafe.Add(pb, 16)))
				a := archsimd.BroadcastFloat32x4(*(*float32)(pa))
				c00 = c00.Add(a.Mul(b0))
				c01 = c01.Add(a.Mul(b1))
				a = archsimd.BroadcastFloat32x4(*(*float32)(unsafe.Add(pa, 4)))
				c10 = c10.Add(a.Mul(b0))
				c11 = c11.Add(a.Mul(b1))
				a = archsimd.BroadcastFloat32x4(*(*float32)(unsafe.Add(pa, 8)))
				c20 = c20.Add(a.Mul(b0))
				c21 = c21.Add(a.Mul(b1))
				a = archsimd.BroadcastFloat32x4(*(*float32)(unsafe.Add(pa, 12)))
				c30 = c30.Add(a.Mul(b0))
				c31 = c31.Add(a.Mul(b1))
				pa = unsafe.Add(pa, gemmMR*4)
				pb = unsafe.Add(pb, gemmNR*4)
			}
			ep.store(c00, c, 0)
			ep.store(c01, c, 4)
			ep.store(c10, unsafe.Add(c, 1*ldc*4), 0)
			ep.store(c11, unsafe.Add(c, 1*ldc*4), 4)
			ep.store(c20, unsafe.Add(c, 2*ldc*4), 0)
			ep.store(c21, unsafe.Add(c, 2*ldc*4), 4)
			ep.store(c30, unsafe.Add(c, 3*ldc*4), 0)
			ep.store(c31, unsafe.Add(c, 3*ldc*4), 4)
		}
		ap = unsafe.Add(ap, kp*gemmMR*4)
		c = unsafe.Add(c, gemmMR*ldc*4)
	}
}

// gemvInt8Panel sets acc[j] = Σ_{p<k} x[p] * float32(q[p*qNR+j]) for one
// int8 weight panel q (k rows of qNR = 16 bytes), two rows per step. Each
// row is loaded as an Int32x4 whose lane l holds columns 4l..4l+3, one a
// byte; shifting byte b to the top and arithmetically back down
// (int8Lanes) gives columns b, 4+b, 8+b, 12+b sign-extended, converted
// exactly to float32 and multiplied by the broadcast x[p] into accumulator
// b (seven shifts instead of the nine instructions V8 emits for
// ExtendLo/Hi8ToInt16 then ExtendLo/Hi4ToInt32: 4 % faster on L2-resident
// panels of alexnet's fc6 in Node 20). storeInt8Lanes puts the columns
// back in order. The caller guarantees k ≥ 1 and that x holds k values
// and q k*qNR bytes.
func gemvInt8Panel(k int, x, q unsafe.Pointer, acc *[qNR]float32) {
	var a0, a1, a2, a3 archsimd.Float32x4
	p := 0
	for ; p+2 <= k; p += 2 {
		pq, px := unsafe.Add(q, p*qNR), unsafe.Add(x, p*4)
		w0, w1, w2, w3 := int8Lanes(archsimd.LoadInt32x4Array((*[4]int32)(pq)))
		xb := archsimd.BroadcastFloat32x4(*(*float32)(px))
		a0 = a0.Add(w0.Mul(xb))
		a1 = a1.Add(w1.Mul(xb))
		a2 = a2.Add(w2.Mul(xb))
		a3 = a3.Add(w3.Mul(xb))
		w0, w1, w2, w3 = int8Lanes(archsimd.LoadInt32x4Array((*[4]int32)(unsafe.Add(pq, qNR))))
		xb = archsimd.BroadcastFloat32x4(*(*float32)(unsafe.Add(px, 4)))
		a0 = a0.Add(w0.Mul(xb))
		a1 = a1.Add(w1.Mul(xb))
		a2 = a2.Add(w2.Mul(xb))
		a3 = a3.Add(w3.Mul(xb))
	}
	if p < k {
		w0, w1, w2, w3 := int8Lanes(archsimd.LoadInt32x4Array((*[4]int32)(unsafe.Add(q, p*qNR))))
		xb := archsimd.BroadcastFloat32x4(*(*float32)(unsafe.Add(x, p*4)))
		a0 = a0.Add(w0.Mul(xb))
		a1 = a1.Add(w1.Mul(xb))
		a2 = a2.Add(w2.Mul(xb))
		a3 = a3.Add(w3.Mul(xb))
	}
	storeInt8Lanes(acc, a0, a1, a2, a3)
}

// int8Lanes returns, as float32, byte b of every lane of w (b = 0..3, the
// low byte first), sign-extended: columns b, 4+b, 8+b, 12+b of a 16-byte
// panel row.
func int8Lanes(w archsimd.Int32x4) (b0, b1, b2, b3 archsimd.Float32x4) {
	return w.ShiftAllLeft(24).ShiftAllRight(24).ConvertToFloat32(),
		w.ShiftAllLeft(16).ShiftAllRight(24).ConvertToFloat32(),
		w.ShiftAllLeft(8).ShiftAllRight(24).ConvertToFloat32(),
		w.ShiftAllRight(24).ConvertToFloat32()
}

// storeInt8Lanes sets acc[4l+b] = a_b[l]: the accumulators of int8Lanes'
// columns back in column order.
func storeInt8Lanes(acc *[qNR]float32, a0, a1, a2, a3 archsimd.Float32x4) {
	var t [4][4]float32
	a0.StoreArray(&t[0])
	a1.StoreArray(&t[1])
	a2.StoreArray(&t[2])
	a3.StoreArray(&t[3])
	for l := range 4 {
		acc[4*l], acc[4*l+1], acc[4*l+2], acc[4*l+3] = t[0][l], t[1][l], t[2][l], t[3][l]
	}
}

// gemvTile adds Σ_{p<k} x[p] * b[p*gemmNR+j] to acc[j] for one packed B
// panel b (k rows of gemmNR = 12 values), with three Float32x4
// accumulators. The caller guarantees k ≥ 1 and that x holds k values and
// b k*gemmNR.
func gemvTile(k int, x, b unsafe.Pointer, acc *[gemmNR]float32) {
	a0 := archsimd.LoadFloat32x4Array((*[4]float32)(acc[0:]))
	a1 := archsimd.LoadFloat32x4Array((*[4]float32)(acc[4:]))
	a2 := archsimd.LoadFloat32x4Array((*[4]float32)(acc[8:]))
	for p := range k {
		pb := unsafe.Add(b, p*gemmNR*4)
		xb := archsimd.BroadcastFloat32x4(*(*float32)(unsafe.Add(x, p*4)))
		a0 = a0.Add(xb.Mul(archsimd.LoadFloat32x4Array((*[4]float32)(pb))))
		a1 = a1.Add(xb.Mul(archsimd.LoadFloat32x4Array((*[4]float32)(unsafe.Add(pb, 16)))))
		a2 = a2.Add(xb.Mul(archsimd.LoadFloat32x4Array((*[4]float32)(unsafe.Add(pb, 32)))))
	}
	a0.StoreArray((*[4]float32)(acc[0:]))
	a1.StoreArray((*[4]float32)(acc[4:]))
	a2.StoreArray((*[4]float32)(acc[8:]))
}
