package kernel

// Winograd convolution F(2×2, 3×3) and F(4×4, 3×3) (Lavin and Gray, "Fast
// Algorithms for Convolutional Neural Networks", CVPR 2016,
// arXiv:1509.09308): every m×m block of outputs (m = 2 or 4) of a 3×3,
// stride-1, undilated convolution is
//
//	Y = Aᵀ [ Σ_c (G g_c Gᵀ) ⊙ (Bᵀ d_c B) ] A
//
// for the (m+2)×(m+2) input tile d_c starting at (m·ty − Top, m·tx − Left)
// of channel c (zero outside the image) and the 3×3 filter g_c of one
// output channel, with for F(2×2, 3×3)
//
//	Bᵀ = [1 0 -1 0; 0 1 1 0; 0 -1 1 0; 0 1 0 -1]
//	G  = [1 0 0; ½ ½ ½; ½ -½ ½; 0 0 1]
//	Aᵀ = [1 1 1 0; 0 1 -1 -1]
//
// (16 multiplications per 2×2 outputs instead of 36) and for F(4×4, 3×3)
//
//	Bᵀ = [4 0 -5 0 1 0; 0 -4 -4 1 1 0; 0 4 -4 -1 1 0;
//	      0 -2 -1 2 1 0; 0 2 -1 -2 1 0; 0 4 0 -5 0 1]
//	G  = [¼ 0 0; -⅙ -⅙ -⅙; -⅙ ⅙ -⅙; 1/24 1/12 ⅙; 1/24 -1/12 ⅙; 0 0 1]
//	Aᵀ = [1 1 1 1 1 0; 0 1 -1 2 -2 0; 0 1 1 4 4 0; 0 1 -1 8 -8 1]
//
// (36 per 4×4 outputs instead of 144; conv_winograd4.go writes the 1-D
// transforms). Larger windows (KH, KW ≥ 3) are cut into 3×3 blocks, each a
// Winograd convolution of the input shifted by the block's offset: along
// each axis the blocks start at 0, 3, 6, … and the last one at KH−3
// (KW−3), overlapping the one before, whose taps it repeats as zeros (5×5:
// offsets 0 and 2, 4·16 products per 2×2 outputs, 4·36 per 4×4, instead of
// 100 and 400).
//
// Over tiles, blocks and channels the (m+2)² elementwise products are
// (m+2)² matrix products: for each ξ of the transformed tile, M_ξ [T,
// OC/G] = V_ξ [T, B·C/G] · U_ξ [B·C/G, OC/G], T the tiles and B the blocks
// (column b·C/G+c of V_ξ is block b's tile of channel c). The filters are
// transformed (U = G g Gᵀ, in float32: packWinograd) and packed at
// PackConv for the kernel set's packed Dense; each call transforms the
// input tiles (V = Bᵀ d B), runs the products and transforms back (Y = Aᵀ M
// A) with bias and activation.
//
// Error: with u = 2⁻²⁴ and γ(n) = n·u/(1−n·u), each output differs from the
// exact convolution by at most γ(B·C/G+k)·(|Aᵀ| Σ_{b,c} (|G||g_bc||Gᵀ|) ⊙
// (|Bᵀ||d_bc||B|) |A| + |bias|), with k = 11 for F(2×2): four roundings of
// U (G's entries 1 and ½ are exact; two levels of three-term sums), two of
// V (two levels of two-term sums), one of each product, B·C/G−1 of the
// sum, four of the output transform (two levels of three-term sums) and
// one of the bias; and k = 19 for F(4×4): eight of U (per 1-D transform
// the rounding of G's entries ⅙, 1/12 and 1/24, of the product and of two
// sums), four of V (each 1-D transform is within γ(2) of |Bᵀ||d|, its
// multiplications being by 2 and 4, exact), one of each product, B·C/G−1
// of the sum, six of the output transform (γ(3) per 1-D transform) and one
// of the bias. That magnitude
// is larger than the direct convolution's Σ|x|·|w| (the transforms mix up
// to (m+2)² input cells and filter taps; for F(4×4) with coefficients up
// to 5 in Bᵀ and 8 in Aᵀ, against ¼ to 1/24 in G): the accuracy Winograd
// trades for speed (Lavin and Gray §5). The kernel tests check this bound
// against the float64 reference. For F(2×2) every input cell a block reads
// for an output lies in that output's window, so a NaN reaches the same
// outputs as in the direct convolution; for F(4×4) a NaN reaches every
// output of the 4×4 tiles whose input tiles hold it (cancellations in Bᵀ
// and Aᵀ do not cancel NaN). With infinite inputs the transforms may give
// NaN where the direct convolution gives ±Inf.
//
// Choice (winogradTile), from the batch-1 times of the SIMD kernels in
// Node 20 (js/wasm, `make bench-kernels` runs im2col, F(2×2) and F(4×4)
// where Winograd applies), F(4×4) / F(2×2): alexnet conv2 (27×27×96 → 256,
// 5×5, groups 2) 9.9 / 15.5 ms, conv3 (13×13×256 → 384) 5.8 / 7.3, conv4
// (13×13×384 → 384, groups 2) 4.3 / 5.7, conv5 (→ 256) 3.1 / 4.1;
// alexmnist conv3–5 (6×6 outputs) 0.77–0.79 of F(2×2); alexmnist conv2
// (13×13×48 → 128, 5×5, groups 2, 24 input channels per group) 0.96 ms
// against im2col's 1.34 (F(2×2) 1.36); 28×28×C → 64, 3×3: C = 8 0.32 ms
// against im2col's 0.40, C = 4 0.28 against 0.24. With 3×3 outputs (one
// 4×4 tile) F(4×4) took 1.37× F(2×2), with 5×5 outputs (four) 0.80×.

// winogradTileBlock bounds the number of tiles transformed and multiplied
// at a time, and so the workspace for large batches; the tiles are split
// into blocks of equal size (winogradTileBlockLen).
const winogradTileBlock = 96

// winogradTileBlockLen is the number of tiles per block for the
// convolution s with output tiles of tile×tile: the tiles split evenly
// into as few blocks of at most winogradTileBlock as possible, rounded up
// to a multiple of 4 (the GEMM's rows per tile), so that no block is left
// with a handful of tiles.
func winogradTileBlockLen(s ConvShape, tile int) int {
	th, tw := s.winogradTiles(tile)
	tiles := s.N * th * tw
	blocks := (tiles + winogradTileBlock - 1) / winogradTileBlock
	return min(tiles, roundUp((tiles+blocks-1)/blocks, 4))
}

// winogradApplies reports whether s is a convolution Winograd computes:
// stride 1, no dilation, a window of at least 3×3.
func (s ConvShape) winogradApplies() bool {
	return s.KH >= 3 && s.KW >= 3 && s.StrideH == 1 && s.StrideW == 1 && s.DilationH == 1 && s.DilationW == 1
}

// winogradTile returns the output tile PackConv prepares s for: 0 for the
// im2col GEMM, 2 for F(2×2, 3×3), 4 for F(4×4, 3×3). Winograd where it
// applies and saves at least a third of the multiplications (KH·KW ≥
// 1.5·4·B: 3×3, 5×5, 6×6, not 4×4 or 7×7); F(4×4) where one image has at
// least 4 tiles of 4×4 (a whole GEMM row tile at batch 1) and they take no
// more products than the tiles of 2×2 (36 against 16 per tile), its
// transformed filter takes at most winograd4MaxBytes, and there are at
// least 8 input channels per group and 8·B output channels per group; else
// F(2×2) where both channel counts per group are at least 8·B. The
// measurements behind these limits are in the comment above.
func (s ConvShape) winogradTile() int {
	bh, bw := s.winogradBlocks()
	if !s.winogradApplies() || s.KH*s.KW < 6*bh*bw {
		return 0
	}
	cg, ocg, minC := s.C/s.Groups, s.OC/s.Groups, 8*bh*bw
	th4, tw4 := s.winogradTiles(4)
	th2, tw2 := s.winogradTiles(2)
	if th4*tw4 >= 4 && 36*th4*tw4 <= 16*th2*tw2 && 4*36*bh*bw*cg*s.OC <= winograd4MaxBytes {
		if cg >= 8 && ocg >= minC {
			return 4
		}
		return 0
	}
	if cg >= minC && ocg >= minC {
		return 2
	}
	return 0
}

// winograd4MaxBytes bounds the transformed filter of a convolution
// prepared for F(4×4, 3×3) (4·36·B·C/G·OC bytes, 2.25 times F(2×2)'s):
// larger ones keep F(2×2), trading speed for memory (alexnet's peak RSS,
// issue 10's target 300 MiB, went from 285 to 308 MiB in `make bench` with
// F(4×4) on all of conv2–conv5; with this bound conv2 and conv5 take it).
const winograd4MaxBytes = 8 << 20

// winogradBlocks returns the number of 3×3 blocks along KH and KW.
func (s ConvShape) winogradBlocks() (bh, bw int) { return (s.KH + 2) / 3, (s.KW + 2) / 3 }

// winogradBlockOffset returns the offset of block b along a window axis of
// k taps, and the first of its three taps that is its own (the ones before
// belong to block b−1 and are zero in this block).
func winogradBlockOffset(b, k int) (off, own int) {
	off = min(3*b, k-3)
	return off, 3*b - off
}

// winogradTiles returns the tile rows and columns of one output image for
// output tiles of tile×tile.
func (s ConvShape) winogradTiles(tile int) (th, tw int) {
	oh, ow := s.Out()
	return (oh + tile - 1) / tile, (ow + tile - 1) / tile
}

// The filter transforms G (n = tile+2 rows of 3) of F(2×2, 3×3) and
// F(4×4, 3×3), rounded to float32 where packWinograd applies them.
var (
	winogradG2 = [...][3]float64{{1, 0, 0}, {0.5, 0.5, 0.5}, {0.5, -0.5, 0.5}, {0, 0, 1}}
	winogradG4 = [...][3]float64{
		{1.0 / 4, 0, 0},
		{-1.0 / 6, -1.0 / 6, -1.0 / 6},
		{-1.0 / 6, 1.0 / 6, -1.0 / 6},
		{1.0 / 24, 1.0 / 12, 1.0 / 6},
		{1.0 / 24, -1.0 / 12, 1.0 / 6},
		{0, 0, 1},
	}
)

// winogradG returns G for output tiles of tile×tile (2 or 4).
func winogradG(tile int) [][3]float64 {
	if tile == 4 {
		return winogradG4[:]
	}
	return winogradG2[:]
}

// packedWinogradLen is the length of the transformed filter for output
// tiles of tile×tile: per group, (tile+2)² matrices [B·C/G, OC/G] packed
// for k.densePacked.
func packedWinogradLen(k *kernels, s ConvShape, tile int) int {
	bh, bw := s.winogradBlocks()
	return s.Groups * (tile + 2) * (tile + 2) * k.packedDenseLen(bh*bw*(s.C/s.Groups), s.OC/s.Groups)
}

// packWinograd transforms the HWIO filter [KH, KW, C/G, OC] into U_ξ =
// G g Gᵀ for output tiles of tile×tile, every group, block, input channel
// and output channel, and stores each group's U_ξ [B·C/G, OC/G] as
// k.packDense would at dst[(g*n²+ξ)*L:], n = tile+2, L =
// k.packedDenseLen(B·C/G, OC/G), writing straight into the packed rows
// (k.packedDenseRow) with k.winogradFilter. dst must be zero (the panels'
// padding is not written).
func packWinograd(k *kernels, dst, filter []float32, s ConvShape, tile int) {
	bh, bw := s.winogradBlocks()
	cg, ocg := s.C/s.Groups, s.OC/s.Groups
	kw := bh * bw * cg
	gm := winogradG(tile)
	n := len(gm)
	l := k.packedDenseLen(kw, ocg)
	var taps [9][]float32
	var at [6]int
	for g := range s.Groups {
		for i := range n {
			for by := range bh {
				oy, ownY := winogradBlockOffset(by, s.KH)
				// Row i of G over the block's rows of taps, the rows before
				// ownY (block by−1's) weighted 0.
				var gi [3]float32
				for ky := ownY; ky < 3; ky++ {
					gi[ky] = float32(gm[i][ky])
				}
				for bx := range bw {
					ox, ownX := winogradBlockOffset(bx, s.KW)
					// G's rows over the block's columns, likewise.
					var gj [6][3]float32
					for j := range n {
						for kx := ownX; kx < 3; kx++ {
							gj[j][kx] = float32(gm[j][kx])
						}
					}
					for ci := range cg {
						for q := range taps {
							a := (((oy+q/3)*s.KW+ox+q%3)*cg+ci)*s.OC + g*ocg
							taps[q] = filter[a : a+ocg]
						}
						row, run, stride := k.packedDenseRow(kw, ocg, (by*bw+bx)*cg+ci)
						for j := range n {
							at[j] = (g*n*n+i*n+j)*l + row
						}
						k.winogradFilter(dst, at[:n], run, stride, &taps, &gi, gj[:n])
					}
				}
			}
		}
	}
}

// winogradFilterGeneric writes row i of U = G g Gᵀ for every output
// channel oc of one block and input channel to the packed row of each
// matrix ξ = (i, j): column oc at dst[at[j] + oc/run*stride + oc%run]. It
// computes in float32, rounding every product and sum, with G's entries
// rounded to float32 (gi: row i, gj: every row j, for the block's taps):
// h_kx = (gi0·g0kx + gi1·g1kx) + gi2·g2kx, g_ky,kx = taps[3·ky+kx][oc],
// then U_ij = (gj0·h0 + gj1·h1) + gj2·h2. Taps outside the block's own
// are weighted 0 rather than skipped, so the loop has no branches.
func winogradFilterGeneric(dst []float32, at []int, run, stride int, taps *[9][]float32, gi *[3]float32, gj [][3]float32) {
	for s0, off := 0, 0; s0 < len(taps[0]); s0, off = s0+run, off+stride {
		winogradFilterColumns(dst, at, off-s0, s0, min(s0+run, len(taps[0])), taps, gi, gj)
	}
}

// winogradFilterColumns is winogradFilterGeneric for the output channels
// lo..hi−1, column oc at dst[at[j]+shift+oc].
func winogradFilterColumns(dst []float32, at []int, shift, lo, hi int, taps *[9][]float32, gi *[3]float32, gj [][3]float32) {
	for oc := lo; oc < hi; oc++ {
		var h [3]float32
		for kx := range h {
			h[kx] = float32(float32(gi[0]*taps[kx][oc])+float32(gi[1]*taps[3+kx][oc])) + float32(gi[2]*taps[6+kx][oc])
		}
		for j, r := range gj {
			dst[at[j]+shift+oc] = float32(float32(r[0]*h[0])+float32(r[1]*h[1])) + float32(r[2]*h[2])
		}
	}
}

// winogradWorkspaceLen is the scratch convWinograd needs for output tiles
// of tile×tile: V and M of one block of tiles, and the workspace of its
// matrix products.
func winogradWorkspaceLen(k *kernels, s ConvShape, tile int) int {
	bh, bw := s.winogradBlocks()
	tb := winogradTileBlockLen(s, tile)
	kw, ocg := bh*bw*(s.C/s.Groups), s.OC/s.Groups
	return (tile+2)*(tile+2)*tb*(kw+ocg) + k.densePackedWorkspaceLen(tb, kw, ocg)
}

// convWinograd computes Conv2D for s (winogradApplies) with output tiles
// of tile×tile from the filter packed by packWinograd, block by block of
// tiles t = (n*TH+ty)*TW+tx and group by group: k.winogradInput writes V,
// k.densePacked the n² products M_ξ, k.winogradOutput the outputs with
// bias and act.
func convWinograd(k *kernels, dst, x, packed, bias []float32, s ConvShape, tile int, act Activation, ws []float32) {
	th, tw := s.winogradTiles(tile)
	bh, bw := s.winogradBlocks()
	kw, ocg := bh*bw*(s.C/s.Groups), s.OC/s.Groups
	l := k.packedDenseLen(kw, ocg)
	n2 := (tile + 2) * (tile + 2)
	tiles := s.N * th * tw
	tb := winogradTileBlockLen(s, tile)
	v, m, gws := ws[:n2*tb*kw], ws[n2*tb*kw:n2*tb*(kw+ocg)], ws[n2*tb*(kw+ocg):]
	for t0 := 0; t0 < tiles; t0 += tb {
		tc := min(tb, tiles-t0)
		for g := range s.Groups {
			k.winogradInput(v[:n2*tc*kw], x, &s, tile, g, t0, tc)
			for xi := range n2 {
				p := packed[(g*n2+xi)*l : (g*n2+xi+1)*l]
				k.densePacked(m[xi*tc*ocg:(xi+1)*tc*ocg], v[xi*tc*kw:(xi+1)*tc*kw], p, nil, tc, kw, ocg, Linear, gws)
			}
			var b []float32
			if bias != nil {
				b = bias[g*ocg : (g+1)*ocg]
			}
			k.winogradOutput(dst, m[:n2*tc*ocg], b, &s, tile, g, t0, tc, act)
		}
	}
}

// winogradTileOrigin returns the image offset of tile t's batch element and
// the input cell (iy, ix) at the tile's top-left corner, for output tiles
// of tile×tile.
func winogradTileOrigin(s *ConvShape, tile, t int) (img, iy, ix int) {
	th, tw := s.winogradTiles(tile)
	n, r := t/(th*tw), t%(th*tw)
	return n * s.H * s.W * s.C, tile*(r/tw) - s.Pad.Top, tile*(r%tw) - s.Pad.Left
}

// winogradCells sets off[i*n+j] to the offset in x of input cell (iy+i,
// ix+j) of group g's first channel, or -1 outside the image, for the n×n
// cells of an input tile (len(off) = n²).
func winogradCells(off []int, n int, s *ConvShape, img, iy, ix, g int) {
	for i := range n {
		for j := range n {
			y, x := iy+i, ix+j
			if y < 0 || y >= s.H || x < 0 || x >= s.W {
				off[i*n+j] = -1
				continue
			}
			off[i*n+j] = img + (y*s.W+x)*s.C + g*(s.C/s.Groups)
		}
	}
}

// winogradInputGeneric sets v[(ξ*tc+t)*B·C/G + b*C/G+c] = (Bᵀ d B)_ξ for
// tiles t0..t0+tc-1 of group g (t relative to t0), every block b and every
// channel c of the group, d the (tile+2)² input cells of channel c at the
// tile's corner shifted by the block's offset (zero outside the image).
func winogradInputGeneric(v, x []float32, s *ConvShape, tile, g, t0, tc int) {
	bh, bw := s.winogradBlocks()
	cg := s.C / s.Groups
	n := tile + 2
	var off [36]int
	for t := range tc {
		img, iy, ix := winogradTileOrigin(s, tile, t0+t)
		for by := range bh {
			oy, _ := winogradBlockOffset(by, s.KH)
			for bx := range bw {
				ox, _ := winogradBlockOffset(bx, s.KW)
				winogradCells(off[:n*n], n, s, img, iy+oy, ix+ox, g)
				vb := v[(by*bw+bx)*cg:]
				if tile == 4 {
					winograd4InputChannels(vb, x, &off, t, tc, bh*bw*cg, 0, cg)
				} else {
					winogradInputChannels(vb, x, (*[16]int)(off[:16]), t, tc, bh*bw*cg, 0, cg)
				}
			}
		}
	}
}

// winogradInputChannels is winogradInputGeneric of F(2×2, 3×3) for one
// tile t and block (whose cells are at off, and whose column 0 is v[0])
// and channels c0..c1-1; ldv is the row length of V_ξ, B·C/G.
func winogradInputChannels(v, x []float32, off *[16]int, t, tc, ldv, c0, c1 int) {
	for c := c0; c < c1; c++ {
		var d [16]float32
		for i, o := range off {
			if o >= 0 {
				d[i] = x[o+c]
			}
		}
		// Rows: r = d B, then columns: Bᵀ r.
		var r [16]float32
		for i := range 4 {
			d0, d1, d2, d3 := d[i*4], d[i*4+1], d[i*4+2], d[i*4+3]
			r[i*4], r[i*4+1], r[i*4+2], r[i*4+3] = d0-d2, d1+d2, d2-d1, d1-d3
		}
		for j := range 4 {
			r0, r1, r2, r3 := r[j], r[4+j], r[8+j], r[12+j]
			v[((0+j)*tc+t)*ldv+c] = r0 - r2
			v[((4+j)*tc+t)*ldv+c] = r1 + r2
			v[((8+j)*tc+t)*ldv+c] = r2 - r1
			v[((12+j)*tc+t)*ldv+c] = r1 - r3
		}
	}
}

// winogradOutputGeneric computes, for tiles t0..t0+tc-1 and every output
// channel oc of group g, Y = Aᵀ M A from m[(ξ*tc+t)*OC/G+oc], adds bias[oc]
// (bias nil: none), applies act and stores the tile×tile outputs that lie
// inside the output image into dst [N, OH, OW, OC].
func winogradOutputGeneric(dst, m, bias []float32, s *ConvShape, tile, g, t0, tc int, act Activation) {
	ocg := s.OC / s.Groups
	var out [16]int
	for t := range tc {
		winogradOutCells(out[:tile*tile], tile, s, t0+t, g)
		if tile == 4 {
			winograd4OutputChannels(dst, m, bias, &out, t, tc, ocg, 0, act)
		} else {
			winogradOutputChannels(dst, m, bias, (*[4]int)(out[:4]), t, tc, ocg, 0, act)
		}
	}
}

// winogradOutCells sets out[a*tile+b] to the offset in dst of output
// (tile·ty+a, tile·tx+b) of tile t, group g's first channel, or -1 outside
// the output (len(out) = tile²).
func winogradOutCells(out []int, tile int, s *ConvShape, t, g int) {
	oh, ow := s.Out()
	th, tw := s.winogradTiles(tile)
	n, r := t/(th*tw), t%(th*tw)
	oy, ox := tile*(r/tw), tile*(r%tw)
	for a := range tile {
		for b := range tile {
			out[a*tile+b] = -1
			if oy+a < oh && ox+b < ow {
				out[a*tile+b] = ((n*oh+oy+a)*ow+ox+b)*s.OC + g*(s.OC/s.Groups)
			}
		}
	}
}

// winogradOutputChannels is winogradOutputGeneric of F(2×2, 3×3) for one
// tile t, whose outputs are at out, and output channels c0..OC/G-1.
func winogradOutputChannels(dst, m, bias []float32, out *[4]int, t, tc, ocg, c0 int, act Activation) {
	for c := c0; c < ocg; c++ {
		// Rows: s = M A, then columns: Aᵀ s.
		var r [8]float32
		for i := range 4 {
			m0, m1, m2, m3 := m[((i*4)*tc+t)*ocg+c], m[((i*4+1)*tc+t)*ocg+c], m[((i*4+2)*tc+t)*ocg+c], m[((i*4+3)*tc+t)*ocg+c]
			r[i*2], r[i*2+1] = m0+m1+m2, m1-m2-m3
		}
		y := [4]float32{r[0] + r[2] + r[4], r[1] + r[3] + r[5], r[2] - r[4] - r[6], r[3] - r[5] - r[7]}
		storeWinogradOutputs(dst, y[:], bias, out[:], c, act)
	}
}

// storeWinogradOutputs adds bias[c] (bias nil: none) to the outputs y of
// channel c, applies act and stores y[i] at dst[out[i]+c] where out[i] ≥ 0.
func storeWinogradOutputs(dst, y, bias []float32, out []int, c int, act Activation) {
	for i, o := range out {
		if o < 0 {
			continue
		}
		v := y[i]
		if bias != nil {
			v += bias[c]
		}
		if act == ReLU {
			v = relu32(v)
		}
		dst[o+c] = v
	}
}
