//go:build goexperiment.simd && wasm

package kernel

import (
	"simd/archsimd"
	"unsafe"
)

// directColumn computes rows output rows of ow ≥ gemmMR pixels for
// panels consecutive filter panels from bp (each kp rows of gemmNR output
// channels, packed as packB does) and stores them into C at c (ldc
// elements per pixel, ow*ldc per row; panel j's columns from j*gemmNR),
// plus the gemmNR values at bias + j*bstep bytes for panel j (bstep = 0
// with zeroRun for none) and with ReLU when relu is set.
//
// The window origin of output pixel ox of the first row is x + ox*pstep
// bytes, that of the next row rstep bytes further; tap p's input value
// lies taps[p] bytes after the origin. Row by row, all panels: a row of
// outputs stays in the L1 cache while its panels fill it (panel by panel
// over the whole image, seednet's 200 KB of outputs would pass through the
// cache once per panel). Each tile of gemmMR adjacent pixels (the last one
// of a row shifted left to end at ow) keeps its 4×12 Float32x4
// accumulators in registers over the kp taps, as gemmColumn does (k
// unrolled ×5, or 9 taps straight-line), with the pixels' values broadcast
// straight from x. The accumulators start at the bias, and ReLU is a mask
// (reluMasked): on wasm every branch of Go's code is a jump through the
// function's block table, and a tile stores 12 vectors after only 9 taps
// in seednet.
//
// Loads and stores are unchecked: the caller guarantees that every tap of
// every pixel lies in x, that bp holds panels*kp*gemmNR values, the bias
// panels*gemmNR (or bstep = 0) and C the pixels stored.
func directColumn(kp, panels int, taps *[directMaxK]int, rows, ow int, x unsafe.Pointer, pstep, rstep int, bp, c unsafe.Pointer, ldc int, bias unsafe.Pointer, bstep int, relu bool) {
	t := unsafe.Pointer(taps)
	p2, p3 := 2*pstep, 3*pstep
	ldb := ldc * 4
	for range rows {
		for jp := range panels {
			for ox := 0; ox < ow; ox += gemmMR {
				o := min(ox, ow-gemmMR)
				px := unsafe.Add(x, o*pstep)
				pbias := unsafe.Add(bias, jp*bstep)
				b0 := archsimd.LoadFloat32x4Array((*[4]float32)(pbias))
				b1 := archsimd.LoadFloat32x4Array((*[4]float32)(unsafe.Add(pbias, 16)))
				b2 := archsimd.LoadFloat32x4Array((*[4]float32)(unsafe.Add(pbias, 32)))
				c00, c01, c02 := b0, b1, b2
				c10, c11, c12 := b0, b1, b2
				c20, c21, c22 := b0, b1, b2
				c30, c31, c32 := b0, b1, b2
				var a archsimd.Float32x4
				var pa unsafe.Pointer
				pb, pt := unsafe.Add(bp, jp*kp*gemmNR*4), t
				p := 0
				if kp == 9 {
					// A 3×3 window on one channel (seednet) in one basic
					// block: Go spills the accumulators at every loop's
					// back edge and exit (the loops below ran 10 % slower on
					// seednet's conv; straight-line 25 taps, alexmnist's
					// conv1, ran 5 % slower than the loops, which unrolled
					// ×5 leave no remainder there: 7 % faster than ×4).
					pa = unsafe.Add(px, *(*int)(unsafe.Add(pt, 0)))
					b0 = archsimd.LoadFloat32x4Array((*[4]float32)(unsafe.Add(pb, 0)))
					b1 = archsimd.LoadFloat32x4Array((*[4]float32)(unsafe.Add(pb, 16)))
					b2 = archsimd.LoadFloat32x4Array((*[4]float32)(unsafe.Add(pb, 32)))
					a = archsimd.BroadcastFloat32x4(*(*float32)(pa))
					c00 = c00.Add(a.Mul(b0))
					c01 = c01.Add(a.Mul(b1))
					c02 = c02.Add(a.Mul(b2))
					a = archsimd.BroadcastFloat32x4(*(*float32)(unsafe.Add(pa, pstep)))
					c10 = c10.Add(a.Mul(b0))
					c11 = c11.Add(a.Mul(b1))
					c12 = c12.Add(a.Mul(b2))
					a = archsimd.BroadcastFloat32x4(*(*float32)(unsafe.Add(pa, p2)))
					c20 = c20.Add(a.Mul(b0))
					c21 = c21.Add(a.Mul(b1))
					c22 = c22.Add(a.Mul(b2))
					a = archsimd.BroadcastFloat32x4(*(*float32)(unsafe.Add(pa, p3)))
					c30 = c30.Add(a.Mul(b0))
					c31 = c31.Add(a.Mul(b1))
					c32 = c32.Add(a.Mul(b2))

					pa = unsafe.Add(px, *(*int)(unsafe.Add(pt, 8)))
					b0 = archsimd.LoadFloat32x4Array((*[4]float32)(unsafe.Add(pb, 48)))
					b1 = archsimd.LoadFloat32x4Array((*[4]float32)(unsafe.Add(pb, 64)))
					b2 = archsimd.LoadFloat32x4Array((*[4]float32)(unsafe.Add(pb, 80)))
					a = archsimd.BroadcastFloat32x4(*(*float32)(pa))
					c00 = c00.Add(a.Mul(b0))
					c01 = c01.Add(a.Mul(b1))
					c02 = c02.Add(a.Mul(b2))
					a = archsimd.BroadcastFloat32x4(*(*float32)(unsafe.Add(pa, pstep)))
					c10 = c10.Add(a.Mul(b0))
					c11 = c11.Add(a.Mul(b1))
					c12 = c12.Add(a.Mul(b2))
					a = archsimd.BroadcastFloat32x4(*(*float32)(unsafe.Add(pa, p2)))
					c20 = c20.Add(a.Mul(b0))
					c21 = c21.Add(a.Mul(b1))
					c22 = c22.Add(a.Mul(b2))
					a = archsimd.BroadcastFloat32x4(*(*float32)(unsafe.Add(pa, p3)))
					c30 = c30.Add(a.Mul(b0))
					c31 = c31.Add(a.Mul(b1))
					c32 = c32.Add(a.Mul(b2))

					pa = unsafe.Add(px, *(*int)(unsafe.Add(pt, 16)))
					b0 = archsimd.LoadFloat32x4Array((*[4]float32)(unsafe.Add(pb, 96)))
					b1 = archsimd.LoadFloat32x4Array((*[4]float32)(unsafe.Add(pb, 112)))
					b2 = archsimd.LoadFloat32x4Array((*[4]float32)(unsafe.Add(pb, 128)))
					a = archsimd.BroadcastFloat32x4(*(*float32)(pa))
					c00 = c00.Add(a.Mul(b0))
					c01 = c01.Add(a.Mul(b1))
					c02 = c02.Add(a.Mul(b2))
					a = archsimd.BroadcastFloat32x4(*(*float32)(unsafe.Add(pa, pstep)))
					c10 = c10.Add(a.Mul(b0))
					c11 = c11.Add(a.Mul(b1))
					c12 = c12.Add(a.Mul(b2))
					a = archsimd.BroadcastFloat32x4(*(*float32)(unsafe.Add(pa, p2)))
					c20 = c20.Add(a.Mul(b0))
					c21 = c21.Add(a.Mul(b1))
					c22 = c22.Add(a.Mul(b2))
					a = archsimd.BroadcastFloat32x4(*(*float32)(unsafe.Add(pa, p3)))
					c30 = c30.Add(a.Mul(b0))
					c31 = c31.Add(a.Mul(b1))
					c32 = c32.Add(a.Mul(b2))

					pa = unsafe.Add(px, *(*int)(unsafe.Add(pt, 24)))
					b0 = archsimd.LoadFloat32x4Array((*[4]float32)(unsafe.Add(pb, 144)))
					b1 = archsimd.LoadFloat32x4Array((*[4]float32)(unsafe.Add(pb, 160)))
					b2 = archsimd.LoadFloat32x4Array((*[4]float32)(unsafe.Add(pb, 176)))
					a = archsimd.BroadcastFloat32x4(*(*float32)(pa))
					c00 = c00.Add(a.Mul(b0))
					c01 = c01.Add(a.Mul(b1))
					c02 = c02.Add(a.Mul(b2))
					a = archsimd.BroadcastFloat32x4(*(*float32)(unsafe.Add(pa, pstep)))
					c10 = c10.Add(a.Mul(b0))
					c11 = c11.Add(a.Mul(b1))
					c12 = c12.Add(a.Mul(b2))
					a = archsimd.BroadcastFloat32x4(*(*float32)(unsafe.Add(pa, p2)))
					c20 = c20.Add(a.Mul(b0))
					c21 = c21.Add(a.Mul(b1))
					c22 = c22.Add(a.Mul(b2))
					a = archsimd.BroadcastFloat32x4(*(*float32)(unsafe.Add(pa, p3)))
					c30 = c30.Add(a.Mul(b0))
					c31 = c31.Add(a.Mul(b1))
					c32 = c32.Add(a.Mul(b2))

					pa = unsafe.Add(px, *(*int)(unsafe.Add(pt, 32)))
					b0 = archsimd.LoadFloat32x4Array((*[4]float32)(unsafe.Add(pb, 192)))
					b1 = archsimd.LoadFloat32x4Array((*[4]float32)(unsafe.Add(pb, 208)))
					b2 = archsimd.LoadFloat32x4Array((*[4]float32)(unsafe.Add(pb, 224)))
					a = archsimd.BroadcastFloat32x4(*(*float32)(pa))
					c00 = c00.Add(a.Mul(b0))
					c01 = c01.Add(a.Mul(b1))
					c02 = c02.Add(a.Mul(b2))
					a = archsimd.BroadcastFloat32x4(*(*float32)(unsafe.Add(pa, pstep)))
					c10 = c10.Add(a.Mul(b0))
					c11 = c11.Add(a.Mul(b1))
					c12 = c12.Add(a.Mul(b2))
					a = archsimd.BroadcastFloat32x4(*(*float32)(unsafe.Add(pa, p2)))
					c20 = c20.Add(a.Mul(b0))
					c21 = c21.Add(a.Mul(b1))
					c22 = c22.Add(a.Mul(b2))
					a = archsimd.BroadcastFloat32x4(*(*float32)(unsafe.Add(pa, p3)))
					c30 = c30.Add(a.Mul(b0))
					c31 = c31.Add(a.Mul(b1))
					c32 = c32.Add(a.Mul(b2))

					pa = unsafe.Add(px, *(*int)(unsafe.Add(pt, 40)))
					b0 = archsimd.LoadFloat32x4Array((*[4]float32)(unsafe.Add(pb, 240)))
					b1 = archsimd.LoadFloat32x4Array((*[4]float32)(unsafe.Add(pb, 256)))
					b2 = archsimd.LoadFloat32x4Array((*[4]float32)(unsafe.Add(pb, 272)))
					a = archsimd.BroadcastFloat32x4(*(*float32)(pa))
					c00 = c00.Add(a.Mul(b0))
					c01 = c01.Add(a.Mul(b1))
					c02 = c02.Add(a.Mul(b2))
					a = archsimd.BroadcastFloat32x4(*(*float32)(unsafe.Add(pa, pstep)))
					c10 = c10.Add(a.Mul(b0))
					c11 = c11.Add(a.Mul(b1))
					c12 = c12.Add(a.Mul(b2))
					a = archsimd.BroadcastFloat32x4(*(*float32)(unsafe.Add(pa, p2)))
					c20 = c20.Add(a.Mul(b0))
					c21 = c21.Add(a.Mul(b1))
					c22 = c22.Add(a.Mul(b2))
					a = archsimd.BroadcastFloat32x4(*(*float32)(unsafe.Add(pa, p3)))
					c30 = c30.Add(a.Mul(b0))
					c31 = c31.Add(a.Mul(b1))
					c32 = c32.Add(a.Mul(b2))

					pa = unsafe.Add(px, *(*int)(unsafe.Add(pt, 48)))
					b0 = archsimd.LoadFloat32x4Array((*[4]float32)(unsafe.Add(pb, 288)))
					b1 = archsimd.LoadFloat32x4Array((*[4]float32)(unsafe.Add(pb, 304)))
					b2 = archsimd.LoadFloat32x4Array((*[4]float32)(unsafe.Add(pb, 320)))
					a = archsimd.BroadcastFloat32x4(*(*float32)(pa))
					c00 = c00.Add(a.Mul(b0))
					c01 = c01.Add(a.Mul(b1))
					c02 = c02.Add(a.Mul(b2))
					a = archsimd.BroadcastFloat32x4(*(*float32)(unsafe.Add(pa, pstep)))
					c10 = c10.Add(a.Mul(b0))
					c11 = c11.Add(a.Mul(b1))
					c12 = c12.Add(a.Mul(b2))
					a = archsimd.BroadcastFloat32x4(*(*float32)(unsafe.Add(pa, p2)))
					c20 = c20.Add(a.Mul(b0))
					c21 = c21.Add(a.Mul(b1))
					c22 = c22.Add(a.Mul(b2))
					a = archsimd.BroadcastFloat32x4(*(*float32)(unsafe.Add(pa, p3)))
					c30 = c30.Add(a.Mul(b0))
					c31 = c31.Add(a.Mul(b1))
					c32 = c32.Add(a.Mul(b2))

					pa = unsafe.Add(px, *(*int)(unsafe.Add(pt, 56)))
					b0 = archsimd.LoadFloat32x4Array((*[4]float32)(unsafe.Add(pb, 336)))
					b1 = archsimd.LoadFloat32x4Array((*[4]float32)(unsafe.Add(pb, 352)))
					b2 = archsimd.LoadFloat32x4Array((*[4]float32)(unsafe.Add(pb, 368)))
					a = archsimd.BroadcastFloat32x4(*(*float32)(pa))
					c00 = c00.Add(a.Mul(b0))
					c01 = c01.Add(a.Mul(b1))
					c02 = c02.Add(a.Mul(b2))
					a = archsimd.BroadcastFloat32x4(*(*float32)(unsafe.Add(pa, pstep)))
					c10 = c10.Add(a.Mul(b0))
					c11 = c11.Add(a.Mul(b1))
					c12 = c12.Add(a.Mul(b2))
					a = archsimd.BroadcastFloat32x4(*(*float32)(unsafe.Add(pa, p2)))
					c20 = c20.Add(a.Mul(b0))
					c21 = c21.Add(a.Mul(b1))
					c22 = c22.Add(a.Mul(b2))
					a = archsimd.BroadcastFloat32x4(*(*float32)(unsafe.Add(pa, p3)))
					c30 = c30.Add(a.Mul(b0))
					c31 = c31.Add(a.Mul(b1))
					c32 = c32.Add(a.Mul(b2))

					pa = unsafe.Add(px, *(*int)(unsafe.Add(pt, 64)))
					b0 = archsimd.LoadFloat32x4Array((*[4]float32)(unsafe.Add(pb, 384)))
					b1 = archsimd.LoadFloat32x4Array((*[4]float32)(unsafe.Add(pb, 400)))
					b2 = archsimd.LoadFloat32x4Array((*[4]float32)(unsafe.Add(pb, 416)))
					a = archsimd.BroadcastFloat32x4(*(*float32)(pa))
					c00 = c00.Add(a.Mul(b0))
					c01 = c01.Add(a.Mul(b1))
					c02 = c02.Add(a.Mul(b2))
					a = archsimd.BroadcastFloat32x4(*(*float32)(unsafe.Add(pa, pstep)))
					c10 = c10.Add(a.Mul(b0))
					c11 = c11.Add(a.Mul(b1))
					c12 = c12.Add(a.Mul(b2))
					a = archsimd.BroadcastFloat32x4(*(*float32)(unsafe.Add(pa, p2)))
					c20 = c20.Add(a.Mul(b0))
					c21 = c21.Add(a.Mul(b1))
					c22 = c22.Add(a.Mul(b2))
					a = archsimd.BroadcastFloat32x4(*(*float32)(unsafe.Add(pa, p3)))
					c30 = c30.Add(a.Mul(b0))
					c31 = c31.Add(a.Mul(b1))
					c32 = c32.Add(a.Mul(b2))
					p = 9
				}
				for ; p+5 <= kp; p += 5 {
					pa = unsafe.Add(px, *(*int)(unsafe.Add(pt, 0)))
					b0 = archsimd.LoadFloat32x4Array((*[4]float32)(unsafe.Add(pb, 0)))
					b1 = archsimd.LoadFloat32x4Array((*[4]float32)(unsafe.Add(pb, 16)))
					b2 = archsimd.LoadFloat32x4Array((*[4]float32)(unsafe.Add(pb, 32)))
					a = archsimd.BroadcastFloat32x4(*(*float32)(pa))
					c00 = c00.Add(a.Mul(b0))
					c01 = c01.Add(a.Mul(b1))
					c02 = c02.Add(a.Mul(b2))
					a = archsimd.BroadcastFloat32x4(*(*float32)(unsafe.Add(pa, pstep)))
					c10 = c10.Add(a.Mul(b0))
					c11 = c11.Add(a.Mul(b1))
					c12 = c12.Add(a.Mul(b2))
					a = archsimd.BroadcastFloat32x4(*(*float32)(unsafe.Add(pa, p2)))
					c20 = c20.Add(a.Mul(b0))
					c21 = c21.Add(a.Mul(b1))
					c22 = c22.Add(a.Mul(b2))
					a = archsimd.BroadcastFloat32x4(*(*float32)(unsafe.Add(pa, p3)))
					c30 = c30.Add(a.Mul(b0))
					c31 = c31.Add(a.Mul(b1))
					c32 = c32.Add(a.Mul(b2))

					pa = unsafe.Add(px, *(*int)(unsafe.Add(pt, 8)))
					b0 = archsimd.LoadFloat32x4Array((*[4]float32)(unsafe.Add(pb, 48)))
					b1 = archsimd.LoadFloat32x4Array((*[4]float32)(unsafe.Add(pb, 64)))
					b2 = archsimd.LoadFloat32x4Array((*[4]float32)(unsafe.Add(pb, 80)))
					a = archsimd.BroadcastFloat32x4(*(*float32)(pa))
					c00 = c00.Add(a.Mul(b0))
					c01 = c01.Add(a.Mul(b1))
					c02 = c02.Add(a.Mul(b2))
					a = archsimd.BroadcastFloat32x4(*(*float32)(unsafe.Add(pa, pstep)))
					c10 = c10.Add(a.Mul(b0))
					c11 = c11.Add(a.Mul(b1))
					c12 = c12.Add(a.Mul(b2))
					a = archsimd.BroadcastFloat32x4(*(*float32)(unsafe.Add(pa, p2)))
					c20 = c20.Add(a.Mul(b0))
					c21 = c21.Add(a.Mul(b1))
					c22 = c22.Add(a.Mul(b2))
					a = archsimd.BroadcastFloat32x4(*(*float32)(unsafe.Add(pa, p3)))
					c30 = c30.Add(a.Mul(b0))
					c31 = c31.Add(a.Mul(b1))
					c32 = c32.Add(a.Mul(b2))

					pa = unsafe.Add(px, *(*int)(unsafe.Add(pt, 16)))
					b0 = archsimd.LoadFloat32x4Array((*[4]float32)(unsafe.Add(pb, 96)))
					b1 = archsimd.LoadFloat32x4Array((*[4]float32)(unsafe.Add(pb, 112)))
					b2 = archsimd.LoadFloat32x4Array((*[4]float32)(unsafe.Add(pb, 128)))
					a = archsimd.BroadcastFloat32x4(*(*float32)(pa))
					c00 = c00.Add(a.Mul(b0))
					c01 = c01.Add(a.Mul(b1))
					c02 = c02.Add(a.Mul(b2))
					a = archsimd.BroadcastFloat32x4(*(*float32)(unsafe.Add(pa, pstep)))
					c10 = c10.Add(a.Mul(b0))
					c11 = c11.Add(a.Mul(b1))
					c12 = c12.Add(a.Mul(b2))
					a = archsimd.BroadcastFloat32x4(*(*float32)(unsafe.Add(pa, p2)))
					c20 = c20.Add(a.Mul(b0))
					c21 = c21.Add(a.Mul(b1))
					c22 = c22.Add(a.Mul(b2))
					a = archsimd.BroadcastFloat32x4(*(*float32)(unsafe.Add(pa, p3)))
					c30 = c30.Add(a.Mul(b0))
					c31 = c31.Add(a.Mul(b1))
					c32 = c32.Add(a.Mul(b2))

					pa = unsafe.Add(px, *(*int)(unsafe.Add(pt, 24)))
					b0 = archsimd.LoadFloat32x4Array((*[4]float32)(unsafe.Add(pb, 144)))
					b1 = archsimd.LoadFloat32x4Array((*[4]float32)(unsafe.Add(pb, 160)))
					b2 = archsimd.LoadFloat32x4Array((*[4]float32)(unsafe.Add(pb, 176)))
					a = archsimd.BroadcastFloat32x4(*(*float32)(pa))
					c00 = c00.Add(a.Mul(b0))
					c01 = c01.Add(a.Mul(b1))
					c02 = c02.Add(a.Mul(b2))
					a = archsimd.BroadcastFloat32x4(*(*float32)(unsafe.Add(pa, pstep)))
					c10 = c10.Add(a.Mul(b0))
					c11 = c11.Add(a.Mul(b1))
					c12 = c12.Add(a.Mul(b2))
					a = archsimd.BroadcastFloat32x4(*(*float32)(unsafe.Add(pa, p2)))
					c20 = c20.Add(a.Mul(b0))
					c21 = c21.Add(a.Mul(b1))
					c22 = c22.Add(a.Mul(b2))
					a = archsimd.BroadcastFloat32x4(*(*float32)(unsafe.Add(pa, p3)))
					c30 = c30.Add(a.Mul(b0))
					c31 = c31.Add(a.Mul(b1))
					c32 = c32.Add(a.Mul(b2))

					pa = unsafe.Add(px, *(*int)(unsafe.Add(pt, 32)))
					b0 = archsimd.LoadFloat32x4Array((*[4]float32)(unsafe.Add(pb, 192)))
					b1 = archsimd.LoadFloat32x4Array((*[4]float32)(unsafe.Add(pb, 208)))
					b2 = archsimd.LoadFloat32x4Array((*[4]float32)(unsafe.Add(pb, 224)))
					a = archsimd.BroadcastFloat32x4(*(*float32)(pa))
					c00 = c00.Add(a.Mul(b0))
					c01 = c01.Add(a.Mul(b1))
					c02 = c02.Add(a.Mul(b2))
					a = archsimd.BroadcastFloat32x4(*(*float32)(unsafe.Add(pa, pstep)))
					c10 = c10.Add(a.Mul(b0))
					c11 = c11.Add(a.Mul(b1))
					c12 = c12.Add(a.Mul(b2))
					a = archsimd.BroadcastFloat32x4(*(*float32)(unsafe.Add(pa, p2)))
					c20 = c20.Add(a.Mul(b0))
					c21 = c21.Add(a.Mul(b1))
					c22 = c22.Add(a.Mul(b2))
					a = archsimd.BroadcastFloat32x4(*(*float32)(unsafe.Add(pa, p3)))
					c30 = c30.Add(a.Mul(b0))
					c31 = c31.Add(a.Mul(b1))
					c32 = c32.Add(a.Mul(b2))
					pt = unsafe.Add(pt, 5*8)
					pb = unsafe.Add(pb, 5*gemmNR*4)
				}
				for ; p < kp; p++ {
					pa = unsafe.Add(px, *(*int)(unsafe.Add(pt, 0)))
					b0 = archsimd.LoadFloat32x4Array((*[4]float32)(unsafe.Add(pb, 0)))
					b1 = archsimd.LoadFloat32x4Array((*[4]float32)(unsafe.Add(pb, 16)))
					b2 = archsimd.LoadFloat32x4Array((*[4]float32)(unsafe.Add(pb, 32)))
					a = archsimd.BroadcastFloat32x4(*(*float32)(pa))
					c00 = c00.Add(a.Mul(b0))
					c01 = c01.Add(a.Mul(b1))
					c02 = c02.Add(a.Mul(b2))
					a = archsimd.BroadcastFloat32x4(*(*float32)(unsafe.Add(pa, pstep)))
					c10 = c10.Add(a.Mul(b0))
					c11 = c11.Add(a.Mul(b1))
					c12 = c12.Add(a.Mul(b2))
					a = archsimd.BroadcastFloat32x4(*(*float32)(unsafe.Add(pa, p2)))
					c20 = c20.Add(a.Mul(b0))
					c21 = c21.Add(a.Mul(b1))
					c22 = c22.Add(a.Mul(b2))
					a = archsimd.BroadcastFloat32x4(*(*float32)(unsafe.Add(pa, p3)))
					c30 = c30.Add(a.Mul(b0))
					c31 = c31.Add(a.Mul(b1))
					c32 = c32.Add(a.Mul(b2))
					pt = unsafe.Add(pt, 8)
					pb = unsafe.Add(pb, gemmNR*4)
				}
				if relu {
					c00, c01, c02 = reluMasked(c00), reluMasked(c01), reluMasked(c02)
					c10, c11, c12 = reluMasked(c10), reluMasked(c11), reluMasked(c12)
					c20, c21, c22 = reluMasked(c20), reluMasked(c21), reluMasked(c22)
					c30, c31, c32 = reluMasked(c30), reluMasked(c31), reluMasked(c32)
				}
				pc := unsafe.Add(c, o*ldb+jp*gemmNR*4)
				c00.StoreArray((*[4]float32)(unsafe.Add(pc, 0)))
				c01.StoreArray((*[4]float32)(unsafe.Add(pc, 16)))
				c02.StoreArray((*[4]float32)(unsafe.Add(pc, 32)))
				c10.StoreArray((*[4]float32)(unsafe.Add(unsafe.Add(pc, 1*ldb), 0)))
				c11.StoreArray((*[4]float32)(unsafe.Add(unsafe.Add(pc, 1*ldb), 16)))
				c12.StoreArray((*[4]float32)(unsafe.Add(unsafe.Add(pc, 1*ldb), 32)))
				c20.StoreArray((*[4]float32)(unsafe.Add(unsafe.Add(pc, 2*ldb), 0)))
				c21.StoreArray((*[4]float32)(unsafe.Add(unsafe.Add(pc, 2*ldb), 16)))
				c22.StoreArray((*[4]float32)(unsafe.Add(unsafe.Add(pc, 2*ldb), 32)))
				c30.StoreArray((*[4]float32)(unsafe.Add(unsafe.Add(pc, 3*ldb), 0)))
				c31.StoreArray((*[4]float32)(unsafe.Add(unsafe.Add(pc, 3*ldb), 16)))
				c32.StoreArray((*[4]float32)(unsafe.Add(unsafe.Add(pc, 3*ldb), 32)))
			}
		}
		x = unsafe.Add(x, rstep)
		c = unsafe.Add(c, ow*ldb)
	}
}

// directColumnNarrow is directColumn for one panel whose first nr columns
// (gemmNarrow: 4 or 8) are stored; the rest, zero padding, are neither
// loaded nor multiplied: each group of 4 columns is a 4×4 tile of its own
// (k advances by 1), the narrow panel being the smaller part of a
// convolution.
func directColumnNarrow(kp, nr int, taps *[directMaxK]int, rows, ow int, x unsafe.Pointer, pstep, rstep int, bp, c unsafe.Pointer, ldc int, bias unsafe.Pointer, relu bool) {
	t := unsafe.Pointer(taps)
	p2, p3 := 2*pstep, 3*pstep
	ldb := ldc * 4
	for range rows {
		for ox := 0; ox < ow; ox += gemmMR {
			o := min(ox, ow-gemmMR)
			px := unsafe.Add(x, o*pstep)
			for j := 0; j < nr*4; j += 16 {
				b := archsimd.LoadFloat32x4Array((*[4]float32)(unsafe.Add(bias, j)))
				c0, c1, c2, c3 := b, b, b, b
				pb, pt := unsafe.Add(bp, j), t
				for range kp {
					pa := unsafe.Add(px, *(*int)(pt))
					b = archsimd.LoadFloat32x4Array((*[4]float32)(pb))
					c0 = c0.Add(archsimd.BroadcastFloat32x4(*(*float32)(pa)).Mul(b))
					c1 = c1.Add(archsimd.BroadcastFloat32x4(*(*float32)(unsafe.Add(pa, pstep))).Mul(b))
					c2 = c2.Add(archsimd.BroadcastFloat32x4(*(*float32)(unsafe.Add(pa, p2))).Mul(b))
					c3 = c3.Add(archsimd.BroadcastFloat32x4(*(*float32)(unsafe.Add(pa, p3))).Mul(b))
					pt = unsafe.Add(pt, 8)
					pb = unsafe.Add(pb, gemmNR*4)
				}
				if relu {
					c0, c1, c2, c3 = reluMasked(c0), reluMasked(c1), reluMasked(c2), reluMasked(c3)
				}
				pc := unsafe.Add(c, o*ldb+j)
				c0.StoreArray((*[4]float32)(pc))
				c1.StoreArray((*[4]float32)(unsafe.Add(pc, ldb)))
				c2.StoreArray((*[4]float32)(unsafe.Add(pc, 2*ldb)))
				c3.StoreArray((*[4]float32)(unsafe.Add(pc, 3*ldb)))
			}
		}
		x = unsafe.Add(x, rstep)
		c = unsafe.Add(c, ow*ldb)
	}
}

// reluMasked is reluVec as two operations (compare, and-not): the sign
// mask of the lanes below 0 clears them; NaN and -0 pass through.
func reluMasked(v archsimd.Float32x4) archsimd.Float32x4 {
	var zero archsimd.Float32x4
	return v.ToBits().AndNot(v.Less(zero).ToInt32x4().ToBits()).BitsToFloat32()
}
