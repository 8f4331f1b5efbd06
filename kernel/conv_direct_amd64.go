//go:build goexperiment.simd && amd64

package kernel

import (
	"simd/archsimd"
	"unsafe"
)

// directTile sets tile[r*gemmNR+j] = Σ_{p<kp} x[r*pstep + taps[p]] *
// b[p*gemmNR+j] (byte offsets from px) for one filter panel bp: the
// 4×16 tile of gemmTile, with the pixels' values broadcast straight from
// the image. Loads are unchecked (directColumn's contract).
func directTile(kp int, taps *[directMaxK]int, px unsafe.Pointer, pstep int, bp unsafe.Pointer, tile *[gemmMR * gemmNR]float32) {
	var c00, c01, c10, c11, c20, c21, c30, c31 archsimd.Float32x8
	for p := range kp {
		pa := unsafe.Add(px, taps[p])
		pb := unsafe.Add(bp, p*gemmNR*4)
		b0 := archsimd.LoadFloat32x8Array((*[8]float32)(pb))
		b1 := archsimd.LoadFloat32x8Array((*[8]float32)(unsafe.Add(pb, 32)))
		a0 := archsimd.BroadcastFloat32x8(*(*float32)(pa))
		c00 = a0.MulAdd(b0, c00)
		c01 = a0.MulAdd(b1, c01)
		a1 := archsimd.BroadcastFloat32x8(*(*float32)(unsafe.Add(pa, pstep)))
		c10 = a1.MulAdd(b0, c10)
		c11 = a1.MulAdd(b1, c11)
		a2 := archsimd.BroadcastFloat32x8(*(*float32)(unsafe.Add(pa, 2*pstep)))
		c20 = a2.MulAdd(b0, c20)
		c21 = a2.MulAdd(b1, c21)
		a3 := archsimd.BroadcastFloat32x8(*(*float32)(unsafe.Add(pa, 3*pstep)))
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

// directColumn computes rows output rows of ow ≥ gemmMR pixels for
// panels consecutive filter panels from bp (each kp rows of gemmNR output
// channels) and stores them into C at c (ldc elements per pixel, ow*ldc
// per row; panel j's columns from j*gemmNR), plus the gemmNR values at
// bias + j*bstep bytes for panel j (bstep = 0 with zeroRun for none) and
// with ReLU when relu is set, row by row. The
// window origin of output pixel ox of the first row is x + ox*pstep bytes,
// that of the next row rstep bytes further; tap p's input value lies
// taps[p] bytes after the origin. Each tile holds gemmMR adjacent pixels
// (the last one of a row shifted left to end at ow). Loads and stores are
// unchecked: the caller guarantees that every tap of every pixel lies in
// x, that bp holds kp*gemmNR values, bias gemmNR and C the pixels stored.
func directColumn(kp, panels int, taps *[directMaxK]int, rows, ow int, x unsafe.Pointer, pstep, rstep int, bp, c unsafe.Pointer, ldc int, bias unsafe.Pointer, bstep int, relu bool) {
	directRows(kp, panels, gemmNR, taps, rows, ow, x, pstep, rstep, bp, c, ldc, bias, bstep, relu)
}

// directColumnNarrow is directColumn for a panel whose first nr columns
// (gemmNarrow) are stored; the rest are zero padding.
func directColumnNarrow(kp, nr int, taps *[directMaxK]int, rows, ow int, x unsafe.Pointer, pstep, rstep int, bp, c unsafe.Pointer, ldc int, bias unsafe.Pointer, relu bool) {
	directRows(kp, 1, nr, taps, rows, ow, x, pstep, rstep, bp, c, ldc, bias, 0, relu)
}

// directRows is directColumn storing the first nr columns of each panel.
func directRows(kp, panels, nr int, taps *[directMaxK]int, rows, ow int, x unsafe.Pointer, pstep, rstep int, bp, c unsafe.Pointer, ldc int, bias unsafe.Pointer, bstep int, relu bool) {
	var tile [gemmMR * gemmNR]float32
	for row := range rows {
		// The row's first window origin and output pixel (computed, not
		// advanced, so that no pointer steps past x or C).
		x, c := unsafe.Add(x, row*rstep), unsafe.Add(c, row*ow*ldc*4)
		for jp := range panels {
			ep := tileEpilogue{bias: unsafe.Add(bias, jp*bstep), relu: relu}
			for ox := 0; ox < ow; ox += gemmMR {
				o := min(ox, ow-gemmMR)
				directTile(kp, taps, unsafe.Add(x, o*pstep), pstep, unsafe.Add(bp, jp*kp*gemmNR*4), &tile)
				ct := unsafe.Add(c, o*ldc*4+jp*gemmNR*4)
				for r := range gemmMR {
					row := unsafe.Add(ct, r*ldc*4)
					for j := 0; j < nr; j += 4 {
						ep.store(archsimd.LoadFloat32x4Array((*[4]float32)(tile[r*gemmNR+j:])), row, j)
					}
				}
			}
		}
	}
}
