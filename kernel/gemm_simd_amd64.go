//go:build goexperiment.simd && amd64

package kernel

import (
	"simd/archsimd"
	"unsafe"
)

// gemmNR is the width of the amd64 micro-kernel's tile: 4×16, as 4×2
// Float32x8 accumulators with fused multiply-adds (AVX2 and FMA). Eight
// accumulators, two B vectors and four broadcasts fit the 15 vector
// registers Go allocates. A 4×12 Float32x4 tile, or this one with k
// unrolled (Go hoists the second step's loads), spills, and the spills
// (legacy-SSE MOVUPS) ran at 0.1–0.6 GFLOP/s instead of 33–42 here.
const gemmNR = 16

// gemmTile sets tile[r*gemmNR+j] = Σ_{p<kp} a[p*gemmMR+r] * b[p*gemmNR+j]
// for one packed A panel a and one packed B panel b; kp is positive.
// The accumulators stay in registers; loads are unchecked, so the caller
// guarantees the panels hold kp*gemmMR and kp*gemmNR elements.
func gemmTile(kp int, a, b unsafe.Pointer, tile *[gemmMR * gemmNR]float32) {
	var c00, c01, c10, c11, c20, c21, c30, c31 archsimd.Float32x8
	for p := range kp {
		pa := unsafe.Add(a, p*gemmMR*4)
		pb := unsafe.Add(b, p*gemmNR*4)
		b0 := archsimd.LoadFloat32x8Array((*[8]float32)(pb))
		b1 := archsimd.LoadFloat32x8Array((*[8]float32)(unsafe.Add(pb, 32)))
		a0 := archsimd.BroadcastFloat32x8(*(*float32)(pa))
		c00 = a0.MulAdd(b0, c00)
		c01 = a0.MulAdd(b1, c01)
		a1 := archsimd.BroadcastFloat32x8(*(*float32)(unsafe.Add(pa, 4)))
		c10 = a1.MulAdd(b0, c10)
		c11 = a1.MulAdd(b1, c11)
		a2 := archsimd.BroadcastFloat32x8(*(*float32)(unsafe.Add(pa, 8)))
		c20 = a2.MulAdd(b0, c20)
		c21 = a2.MulAdd(b1, c21)
		a3 := archsimd.BroadcastFloat32x8(*(*float32)(unsafe.Add(pa, 12)))
		c30 = a3.MulAdd(b0, c30)
		c31 = a3.MulAdd(b1, c31)
	}
	c00.Store(tile[0:])
	c01.Store(tile[8:])
	c10.Store(tile[16:])
	c11.Store(tile[24:])
	c20.Store(tile[32:])
	c21.Store(tile[40:])
	c30.Store(tile[48:])
	c31.Store(tile[56:])
}

// gemmColumn multiplies tiles consecutive packed A panels (from a, each
// kp*gemmMR elements) by one packed B panel b and stores each gemmMR×gemmNR
// result through ep into C at c (row stride ldc), tile t at row t*gemmMR.
func gemmColumn(kp, tiles int, a, b, c unsafe.Pointer, ldc int, ep tileEpilogue) {
	var tile [gemmMR * gemmNR]float32
	for t := range tiles {
		gemmTile(kp, unsafe.Add(a, t*kp*gemmMR*4), b, &tile)
		storeTile(&tile, unsafe.Add(c, t*gemmMR*ldc*4), ldc, ep)
	}
}

// gemmNarrow reports whether gemmColumnNarrow computes panels of nr
// columns: 8, one Float32x8 of the tile.
func gemmNarrow(nr int) bool { return nr == 8 }

// gemmColumnNarrow is gemmColumn for a B panel whose first nr columns
// (gemmNarrow) are stored; the rest are zero padding.
func gemmColumnNarrow(kp, tiles, nr int, a, b, c unsafe.Pointer, ldc int, ep tileEpilogue) {
	var tile [gemmMR * gemmNR]float32
	for t := range tiles {
		gemmTile(kp, unsafe.Add(a, t*kp*gemmMR*4), b, &tile)
		ct := unsafe.Add(c, t*gemmMR*ldc*4)
		for r := range gemmMR {
			row := unsafe.Add(ct, r*ldc*4)
			for j := 0; j < nr; j += 4 {
				ep.store(archsimd.LoadFloat32x4Array((*[4]float32)(tile[r*gemmNR+j:])), row, j)
			}
		}
	}
}

// storeTile stores a whole tile (gemmMR×gemmNR, row-major) into C at c
// (row stride ldc) through ep.
func storeTile(tile *[gemmMR * gemmNR]float32, c unsafe.Pointer, ldc int, ep tileEpilogue) {
	for r := range gemmMR {
		row := unsafe.Add(c, r*ldc*4)
		for j := 0; j < gemmNR; j += 4 {
			ep.store(archsimd.LoadFloat32x4Array((*[4]float32)(tile[r*gemmNR+j:])), row, j)
		}
	}
}

// gemvInt8Panel sets acc[j] = Σ_{p<k} x[p] * float32(q[p*qNR+j]) for one
// int8 weight panel q (k rows of qNR = 16 bytes): each half row is loaded
// as an Int8x16 whose low 8 bytes are widened to an Int32x8 and converted
// exactly to float32 (the high half's load reads 8 bytes past the row,
// which qSlack provides after the last row). The caller guarantees k ≥ 1
// and that x holds k values and q k*qNR+8 bytes.
func gemvInt8Panel(k int, x, q unsafe.Pointer, acc *[qNR]float32) {
	var a0, a1 archsimd.Float32x8
	for p := range k {
		pq := unsafe.Add(q, p*qNR)
		lo := archsimd.LoadInt8x16Array((*[16]int8)(pq)).ExtendLo8ToInt32().ConvertToFloat32()
		hi := archsimd.LoadInt8x16Array((*[16]int8)(unsafe.Add(pq, 8))).ExtendLo8ToInt32().ConvertToFloat32()
		xb := archsimd.BroadcastFloat32x8(*(*float32)(unsafe.Add(x, p*4)))
		a0 = lo.MulAdd(xb, a0)
		a1 = hi.MulAdd(xb, a1)
	}
	a0.Store(acc[0:])
	a1.Store(acc[8:])
}

// gemvTile adds Σ_{p<k} x[p] * b[p*gemmNR+j] to acc[j] for one packed B
// panel b (k rows of gemmNR = 16 values), with two Float32x8 accumulators
// and fused multiply-adds. The caller guarantees k ≥ 1 and that x holds k
// values and b k*gemmNR.
func gemvTile(k int, x, b unsafe.Pointer, acc *[gemmNR]float32) {
	a0 := archsimd.LoadFloat32x8Array((*[8]float32)(acc[0:]))
	a1 := archsimd.LoadFloat32x8Array((*[8]float32)(acc[8:]))
	for p := range k {
		pb := unsafe.Add(b, p*gemmNR*4)
		xb := archsimd.BroadcastFloat32x8(*(*float32)(unsafe.Add(x, p*4)))
		a0 = xb.MulAdd(archsimd.LoadFloat32x8Array((*[8]float32)(pb)), a0)
		a1 = xb.MulAdd(archsimd.LoadFloat32x8Array((*[8]float32)(unsafe.Add(pb, 32))), a1)
	}
	a0.StoreArray((*[8]float32)(acc[0:]))
	a1.StoreArray((*[8]float32)(acc[8:]))
}
