//go:build goexperiment.simd && (amd64 || wasm)

package kernel

import (
	"simd/archsimd"
	"unsafe"
)

// Blocking of gemmSIMD, after Goto and van de Geijn, "Anatomy of
// High-Performance Matrix Multiplication" (2008): op(A) is cut into
// gemmMC×gemmKC blocks packed as gemmMR-row panels, op(B) into
// gemmKC×gemmNC blocks packed as gemmNR-column panels; the micro-kernel
// gemmTile (one per architecture, which also sets gemmNR, a multiple of 4)
// multiplies one A panel by one B panel into a gemmMR×gemmNR register tile.
const (
	gemmMR = 4
	gemmKC = 256 // even: the wasm micro-kernel steps k by 2
	gemmMC = 128 // multiple of gemmMR
	gemmNC = 768 // multiple of every gemmNR (12 and 16)
)

// gemmSIMDWorkspaceLen is the length of one packed A block and one packed B
// block: panels padded with zeros to whole tiles and to an even depth.
func gemmSIMDWorkspaceLen(m, n, k int) int {
	kc := roundUp(min(k, gemmKC), 2)
	return (roundUp(min(m, gemmMC), gemmMR) + roundUp(min(n, gemmNC), gemmNR)) * kc
}

func roundUp(x, to int) int { return (x + to - 1) / to * to }

// gemmSIMD computes C = op(A)·op(B), or C += op(A)·op(B) when acc is set, as
// Gemm documents, with the packed blocks and the micro-kernel described at
// gemmMR. Partial tiles at the right and bottom edges are computed on
// zero-padded panels and only their valid part is stored.
func gemmSIMD(transA, transB bool, m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int, acc bool, ws []float32) {
	kcMax := roundUp(min(k, gemmKC), 2)
	pa := ws[:roundUp(min(m, gemmMC), gemmMR)*kcMax]
	pb := ws[len(pa) : len(pa)+roundUp(min(n, gemmNC), gemmNR)*kcMax]
	var tile [gemmMR * gemmNR]float32
	for jc := 0; jc < n; jc += gemmNC {
		nc := min(gemmNC, n-jc)
		for pc := 0; pc < k; pc += gemmKC {
			kc := min(gemmKC, k-pc)
			kp := roundUp(kc, 2)
			packB(pb, transB, b, ldb, pc, kc, kp, jc, nc)
			add := acc || pc > 0
			for ic := 0; ic < m; ic += gemmMC {
				mc := min(gemmMC, m-ic)
				packA(pa, transA, a, lda, ic, mc, pc, kc, kp)
				for jr := 0; jr < nc; jr += gemmNR {
					bp := unsafe.Pointer(&pb[jr*kp])
					nr := min(gemmNR, nc-jr)
					for ir := 0; ir < mc; ir += gemmMR {
						gemmTile(kp, unsafe.Pointer(&pa[ir*kp]), bp, &tile)
						storeTile(c[(ic+ir)*ldc+jc+jr:], ldc, &tile, min(gemmMR, mc-ir), nr, add)
					}
				}
			}
		}
	}
}

// packA copies rows ic..ic+mc-1, columns pc..pc+kc-1 of op(A) into dst as
// consecutive panels of gemmMR rows, each stored column by column
// (dst[panel*gemmMR*kp + p*gemmMR + r]), zero-filling rows past mc and
// columns past kc up to kp. Whole panels move four values per step: a
// vector when A is transposed (the four rows are adjacent), else one value
// from each of the four rows.
func packA(dst []float32, transA bool, a []float32, lda, ic, mc, pc, kc, kp int) {
	for ir := 0; ir < mc; ir += gemmMR {
		panel := dst[ir*kp : (ir+gemmMR)*kp]
		i := ic + ir
		mr := min(gemmMR, mc-ir)
		if mr < gemmMR || kc < kp {
			clear(panel)
		}
		switch {
		case mr == gemmMR && transA: // op(A)[i][p] = a[p*lda+i]
			for p := range kc {
				archsimd.LoadFloat32x4(a[(pc+p)*lda+i:]).Store(panel[p*gemmMR:])
			}
		case mr == gemmMR:
			r0 := a[i*lda+pc : i*lda+pc+kc]
			r1 := a[(i+1)*lda+pc:][:len(r0)]
			r2 := a[(i+2)*lda+pc:][:len(r0)]
			r3 := a[(i+3)*lda+pc:][:len(r0)]
			for p, v := range r0 {
				d := (*[gemmMR]float32)(panel[p*gemmMR:])
				d[0], d[1], d[2], d[3] = v, r1[p], r2[p], r3[p]
			}
		default:
			for r := range mr {
				for p := range kc {
					if transA {
						panel[p*gemmMR+r] = a[(pc+p)*lda+i+r]
					} else {
						panel[p*gemmMR+r] = a[(i+r)*lda+pc+p]
					}
				}
			}
		}
	}
}

// packB copies rows pc..pc+kc-1, columns jc..jc+nc-1 of op(B) into dst as
// consecutive panels of gemmNR columns, each stored row by row
// (dst[panel*gemmNR*kp + p*gemmNR + j]), zero-filling columns past nc and
// rows past kc up to kp. Without transposition it reads B row by row, so
// each row of a wide B is streamed once.
func packB(dst []float32, transB bool, b []float32, ldb, pc, kc, kp, jc, nc int) {
	full := nc / gemmNR * gemmNR // columns in whole panels
	if nc > full || kc < kp {
		clear(dst[full*kp : roundUp(nc, gemmNR)*kp])
		for jr := 0; jr < full && kc < kp; jr += gemmNR {
			clear(dst[jr*kp+kc*gemmNR : (jr+gemmNR)*kp])
		}
	}
	if transB { // op(B)[p][j] = b[j*ldb+p]
		for j := range nc {
			panel := dst[j/gemmNR*gemmNR*kp+j%gemmNR:]
			for p, v := range b[(jc+j)*ldb+pc : (jc+j)*ldb+pc+kc] {
				panel[p*gemmNR] = v
			}
		}
		return
	}
	for p := range kc {
		row := b[(pc+p)*ldb+jc : (pc+p)*ldb+jc+nc]
		for jr := 0; jr < full; jr += gemmNR {
			d := dst[jr*kp+p*gemmNR : jr*kp+(p+1)*gemmNR]
			for j := 0; j < gemmNR; j += 4 {
				archsimd.LoadFloat32x4(row[jr+j:]).Store(d[j:])
			}
		}
		if nc > full {
			copy(dst[full*kp+p*gemmNR:], row[full:])
		}
	}
}

// storeTile writes the top-left mr×nr part of tile into c (row stride ldc),
// adding to c's values when add is set.
func storeTile(c []float32, ldc int, tile *[gemmMR * gemmNR]float32, mr, nr int, add bool) {
	for r := range mr {
		src := tile[r*gemmNR : r*gemmNR+nr]
		dst := c[r*ldc : r*ldc+nr]
		if !add {
			copy(dst, src)
			continue
		}
		j := 0
		for ; j+4 <= nr; j += 4 {
			archsimd.LoadFloat32x4(dst[j:]).Add(archsimd.LoadFloat32x4(src[j:])).Store(dst[j:])
		}
		for ; j < nr; j++ {
			dst[j] += src[j]
		}
	}
}
