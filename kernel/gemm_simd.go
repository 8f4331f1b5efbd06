//go:build goexperiment.simd && (amd64 || wasm)

package kernel

import (
	"simd/archsimd"
	"unsafe"
)

// Blocking of the SIMD GEMM, after Goto and van de Geijn, "Anatomy of
// High-Performance Matrix Multiplication" (2008): op(A) is cut into
// gemmMC×gemmKC blocks packed as gemmMR-row panels, op(B) into
// gemmKC×gemmNC blocks packed as gemmNR-column panels; the micro-kernel
// gemmTile (one per architecture, which also sets gemmNR, a multiple of 4)
// multiplies one A panel by one B panel into a gemmMR×gemmNR register tile.
const (
	gemmMR = 4
	gemmKC = 256
	gemmMC = 128 // multiple of gemmMR
	gemmNC = 768 // multiple of every gemmNR (12 and 16)
)

// gemmSIMDWorkspaceLen is the length of one packed A block and one packed B
// block: panels padded with zeros to whole tiles.
func gemmSIMDWorkspaceLen(m, n, k int) int {
	return packedABlockLen(m, k) + roundUp(min(n, gemmNC), gemmNR)*min(k, gemmKC)
}

// packedABlockLen is the length of one packed A block of an m×k op(A).
func packedABlockLen(m, k int) int {
	return roundUp(min(m, gemmMC), gemmMR) * min(k, gemmKC)
}

// gemmA is op(A) of gemmBlocked: the matrix a (row-major, lda; transposed
// when trans is set), or, when conv.KH > 0, the im2col matrix of group g of
// the convolution input a [N, H, W, C] (see packAConv), which is never
// materialised.
type gemmA struct {
	a     []float32
	lda   int
	trans bool
	conv  ConvShape // normalized; KH == 0 for a matrix
	g     int
}

// gemmB is op(B) of gemmBlocked, one of:
//   - packed: the whole k×n matrix packed once by packBSIMD (n padded to
//     nPad columns);
//   - q: int8 panels written by packInt8SIMD with one scale per column,
//     dequantised block by block as they are used;
//   - b: a matrix (row-major, ldb; transposed when trans is set), packed
//     block by block.
type gemmB struct {
	packed []float32
	nPad   int
	q      []int8
	scales []float32
	b      []float32
	ldb    int
	trans  bool
}

// gemmBlocked computes C = op(A)·op(B) (C += … when acc is set) for an
// m×k op(A) and a k×n op(B), then, in the store of the last K block, adds
// bias[j] (when bias is not nil) and applies act. ws holds
// packedABlockLen(m, k) elements, plus one packed B block
// (gemmSIMDWorkspaceLen) unless B is packed already. Partial tiles at the
// right and bottom edges are computed on zero-padded panels and only their
// valid part is stored.
func gemmBlocked(m, n, k int, A *gemmA, B *gemmB, c []float32, ldc int, acc bool, bias []float32, act Activation, ws []float32) {
	pa := ws[:packedABlockLen(m, k)]
	var pbBlock []float32
	if B.packed == nil {
		pbBlock = ws[len(pa) : len(pa)+roundUp(min(n, gemmNC), gemmNR)*min(k, gemmKC)]
	}
	var tile [gemmMR * gemmNR]float32
	for jc := 0; jc < n; jc += gemmNC {
		nc := min(gemmNC, n-jc)
		for pc := 0; pc < k; pc += gemmKC {
			kc := min(gemmKC, k-pc)
			pb := pbBlock
			switch {
			case B.packed != nil:
				pb = B.packed[pc*B.nPad+jc*kc:]
			case B.q != nil:
				packBInt8(pb, B.q, B.scales, k, pc, kc, jc, nc)
			default:
				packB(pb, B.trans, B.b, B.ldb, pc, kc, jc, nc)
			}
			add := acc || pc > 0
			last := pc+kc == k
			for ic := 0; ic < m; ic += gemmMC {
				mc := min(gemmMC, m-ic)
				if A.conv.KH > 0 {
					packAConv(pa, A.a, &A.conv, A.g, ic, mc, pc, kc)
				} else {
					packA(pa, A.trans, A.a, A.lda, ic, mc, pc, kc)
				}
				for jr := 0; jr < nc; jr += gemmNR {
					bp := unsafe.Pointer(&pb[jr*kc])
					nr := min(gemmNR, nc-jr)
					var tb []float32
					if last && bias != nil {
						tb = bias[jc+jr : jc+jr+nr]
					}
					ep := tileEpilogue{add: add, relu: last && act == ReLU}
					if tb != nil && nr%4 == 0 {
						ep.bias = unsafe.Pointer(&tb[0])
					}
					// Whole tiles of a whole panel, or of a narrow one the
					// architecture has a kernel for: one call for the
					// column (a call per tile costs on wasm).
					ir := 0
					if nr == gemmNR || gemmNarrow(nr) {
						ir = mc / gemmMR * gemmMR
						if ir > 0 {
							cc := c[ic*ldc+jc+jr:]
							_ = cc[(ir-1)*ldc+nr-1]
							_ = pa[ir*kc-1]
							if nr == gemmNR {
								gemmColumn(kc, ir/gemmMR, unsafe.Pointer(&pa[0]), bp, unsafe.Pointer(&cc[0]), ldc, ep)
							} else {
								gemmColumnNarrow(kc, ir/gemmMR, nr, unsafe.Pointer(&pa[0]), bp, unsafe.Pointer(&cc[0]), ldc, ep)
							}
						}
					}
					for ; ir < mc; ir += gemmMR {
						gemmTile(kc, unsafe.Pointer(&pa[ir*kc]), bp, &tile)
						storePartialTile(c[(ic+ir)*ldc+jc+jr:], ldc, &tile, min(gemmMR, mc-ir), nr, add, tb, ep.relu)
					}
				}
			}
		}
	}
}

// tileEpilogue is how gemmBlocked stores a tile t into C: c = t, or
// c += t when add is set; then, on the last K block, + bias[j] (bias points
// to the tile's columns; nil: none) and ReLU when relu is set.
type tileEpilogue struct {
	add, relu bool
	bias      unsafe.Pointer
}

// store applies the epilogue to v, the sums of columns j..j+3 of the tile
// row whose first element is at row.
func (e tileEpilogue) store(v archsimd.Float32x4, row unsafe.Pointer, j int) {
	p := (*[4]float32)(unsafe.Add(row, j*4))
	if e.add {
		v = archsimd.LoadFloat32x4Array(p).Add(v)
	}
	if e.bias != nil {
		v = v.Add(archsimd.LoadFloat32x4Array((*[4]float32)(unsafe.Add(e.bias, j*4))))
	}
	if e.relu {
		v = reluVec(v)
	}
	v.StoreArray(p)
}

// gemmSIMD computes C = op(A)·op(B), or C += op(A)·op(B) when acc is set, as
// Gemm documents, with gemmBlocked.
func gemmSIMD(transA, transB bool, m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int, acc bool, ws []float32) {
	gemmBlocked(m, n, k, &gemmA{a: a, lda: lda, trans: transA}, &gemmB{b: b, ldb: ldb, trans: transB}, c, ldc, acc, nil, Linear, ws)
}

// packA copies rows ic..ic+mc-1, columns pc..pc+kc-1 of op(A) into dst as
// consecutive panels of gemmMR rows, each stored column by column
// (dst[panel*gemmMR*kc + p*gemmMR + r]), zero-filling rows past mc.
// Whole panels move four values per step: a
// vector when A is transposed (the four rows are adjacent), else one value
// from each of the four rows.
func packA(dst []float32, transA bool, a []float32, lda, ic, mc, pc, kc int) {
	for ir := 0; ir < mc; ir += gemmMR {
		panel := dst[ir*kc : (ir+gemmMR)*kc]
		i := ic + ir
		mr := min(gemmMR, mc-ir)
		if mr < gemmMR {
			clear(panel)
		}
		switch {
		case mr == gemmMR && transA: // op(A)[i][p] = a[p*lda+i]
			for p := range kc {
				archsimd.LoadFloat32x4(a[(pc+p)*lda+i:]).Store(panel[p*gemmMR:])
			}
		case mr == gemmMR:
			r0 := a[i*lda+pc : i*lda+pc+kc]
			interleave4(panel, r0, a[(i+1)*lda+pc:], a[(i+2)*lda+pc:], a[(i+3)*lda+pc:])
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

// interleave4 sets d[4*p+r] = rowR[p] for p < len(r0) and r < 4. The
// lengths are checked once; the copy goes through unchecked pointers (the
// checked loop's per-element bounds checks made it the larger part of
// packing in Node).
func interleave4(d, r0, r1, r2, r3 []float32) {
	n := len(r0)
	if n == 0 {
		return
	}
	_, _, _, _ = r1[n-1], r2[n-1], r3[n-1], d[4*n-1]
	p0, p1, p2, p3 := unsafe.Pointer(&r0[0]), unsafe.Pointer(&r1[0]), unsafe.Pointer(&r2[0]), unsafe.Pointer(&r3[0])
	q := unsafe.Pointer(&d[0])
	for o := 0; o < 4*n; o += 4 {
		*(*float32)(unsafe.Add(q, 4*o)) = *(*float32)(unsafe.Add(p0, o))
		*(*float32)(unsafe.Add(q, 4*o+4)) = *(*float32)(unsafe.Add(p1, o))
		*(*float32)(unsafe.Add(q, 4*o+8)) = *(*float32)(unsafe.Add(p2, o))
		*(*float32)(unsafe.Add(q, 4*o+12)) = *(*float32)(unsafe.Add(p3, o))
	}
}

// packB copies rows pc..pc+kc-1, columns jc..jc+nc-1 of op(B) into dst as
// consecutive panels of gemmNR columns, each stored row by row
// (dst[panel*gemmNR*kc + p*gemmNR + j]), zero-filling columns past nc.
// Without transposition it reads B row by row, so
// each row of a wide B is streamed once.
func packB(dst []float32, transB bool, b []float32, ldb, pc, kc, jc, nc int) {
	clearBPadding(dst, kc, nc)
	full := nc / gemmNR * gemmNR // columns in whole panels
	if transB {                  // op(B)[p][j] = b[j*ldb+p]
		for j := range nc {
			panel := dst[j/gemmNR*gemmNR*kc+j%gemmNR:]
			for p, v := range b[(jc+j)*ldb+pc : (jc+j)*ldb+pc+kc] {
				panel[p*gemmNR] = v
			}
		}
		return
	}
	for p := range kc {
		row := b[(pc+p)*ldb+jc : (pc+p)*ldb+jc+nc]
		for jr := 0; jr < full; jr += gemmNR {
			d := dst[jr*kc+p*gemmNR : jr*kc+(p+1)*gemmNR]
			for j := 0; j < gemmNR; j += 4 {
				archsimd.LoadFloat32x4(row[jr+j:]).Store(d[j:])
			}
		}
		if nc > full {
			copy(dst[full*kc+p*gemmNR:], row[full:])
		}
	}
}

// clearBPadding zeroes the columns of a packed B block (kc rows, nc
// columns padded to whole panels) that packing does not write.
func clearBPadding(dst []float32, kc, nc int) {
	full := nc / gemmNR * gemmNR
	if nc > full {
		clear(dst[full*kc : roundUp(nc, gemmNR)*kc])
	}
}

// packedBLenSIMD is the length of a k×n matrix packed by packBSIMD.
func packedBLenSIMD(k, n int) int { return k * roundUp(n, gemmNR) }

// packedBRowSIMD locates row p of a k×n matrix packed by packBSIMD: in
// its K block (from row pc, kc rows), in every panel of gemmNR columns.
func packedBRowSIMD(k, n, p int) (at, run, stride int) {
	pc := p / gemmKC * gemmKC
	kc := min(gemmKC, k-pc)
	return pc*roundUp(n, gemmNR) + (p-pc)*gemmNR, gemmNR, gemmNR * kc
}

// packBSIMD packs the k×n matrix b (row-major, ldb) once into dst, as
// gemmBlocked reads it (gemmB.packed): K blocks of gemmKC rows, the block
// starting at row pc at dst[pc*roundUp(n, gemmNR):], each a row of panels
// laid out as packB writes them.
func packBSIMD(dst, b []float32, ldb, k, n int) {
	nPad := roundUp(n, gemmNR)
	for pc := 0; pc < k; pc += gemmKC {
		kc := min(gemmKC, k-pc)
		packB(dst[pc*nPad:], false, b, ldb, pc, kc, 0, n)
	}
}

// storePartialTile stores the top-left mr×nr part of a tile computed into
// tile (at the right and bottom edges of C) as tileEpilogue does: c = t or
// c += t (add), then + bias[j] (bias nil: none) and ReLU (relu).
func storePartialTile(c []float32, ldc int, tile *[gemmMR * gemmNR]float32, mr, nr int, add bool, bias []float32, relu bool) {
	for r := range mr {
		row := c[r*ldc : r*ldc+nr]
		for j := range row {
			v := tile[r*gemmNR+j]
			if add {
				v = row[j] + v
			}
			if bias != nil {
				v += bias[j]
			}
			if relu {
				v = relu32(v)
			}
			row[j] = v
		}
	}
}
