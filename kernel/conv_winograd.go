package kernel

// Winograd convolution F(2×2, 3×3) (Lavin and Gray, "Fast Algorithms for
// Convolutional Neural Networks", CVPR 2016, arXiv:1509.09308): every 2×2
// block of outputs of a 3×3, stride-1, undilated convolution is
//
//	Y = Aᵀ [ Σ_c (G g_c Gᵀ) ⊙ (Bᵀ d_c B) ] A
//
// for the 4×4 input tile d_c starting at (2·ty − Top, 2·tx − Left) of
// channel c (zero outside the image) and the 3×3 filter g_c of one output
// channel, with
//
//	Bᵀ = [1 0 -1 0; 0 1 1 0; 0 -1 1 0; 0 1 0 -1]
//	G  = [1 0 0; ½ ½ ½; ½ -½ ½; 0 0 1]
//	Aᵀ = [1 1 1 0; 0 1 -1 -1]
//
// 16 multiplications per 2×2 outputs instead of 36. Larger windows
// (KH, KW ≥ 3) are cut into 3×3 blocks, each a Winograd convolution of the
// input shifted by the block's offset: along each axis the blocks start at
// 0, 3, 6, … and the last one at KH−3 (KW−3), overlapping the one before,
// whose taps it repeats as zeros (5×5: offsets 0 and 2, 4·16 products per
// 2×2 outputs instead of 100). Every input cell a block reads for an output
// lies in that output's window, so a NaN reaches the same outputs as in the
// direct convolution.
//
// Over tiles, blocks and channels the 16 elementwise products are 16 matrix
// products: for each ξ of the 4×4 transformed tile, M_ξ [T, OC/G] = V_ξ [T,
// B·C/G] · U_ξ [B·C/G, OC/G], T the tiles and B the blocks (column b·C/G+c
// of V_ξ is block b's tile of channel c). The filters are transformed (U =
// G g Gᵀ, in float64, rounded once) and packed at PackConv for the kernel
// set's packed Dense; each call transforms the input tiles (V = Bᵀ d B),
// runs the 16 products and transforms back (Y = Aᵀ M A) with bias and
// activation.
//
// Error: with u = 2⁻²⁴ and γ(n) = n·u/(1−n·u), each output differs from the
// exact convolution by at most γ(B·C/G+8)·(|Aᵀ| Σ_{b,c} (|G||g_bc||Gᵀ|) ⊙
// (|Bᵀ||d_bc||B|) |A| + |bias|): one rounding of U, two of V (two levels of
// two-term sums), one of each product, B·C/G−1 of the sum, four of the
// output transform (two levels of three-term sums) and one of the bias.
// That magnitude is larger than the direct convolution's Σ|x|·|w| (the
// transforms mix up to 3×3 input cells and filter taps with coefficients
// of 1 and ½): the accuracy Winograd trades for speed (Lavin and Gray §5).
// The kernel tests check this bound against the float64 reference. With
// infinite inputs the transforms may give NaN where the direct convolution
// gives ±Inf.

// winogradTileBlock bounds the number of tiles transformed and multiplied
// at a time, and so the workspace for large batches; the tiles are split
// into blocks of equal size (winogradTileBlockLen).
const winogradTileBlock = 96

// winogradTileBlockLen is the number of tiles per block for the
// convolution s: the tiles split evenly into as few blocks of at most
// winogradTileBlock as possible, rounded up to a multiple of 4 (the GEMM's
// rows per tile), so that no block is left with a handful of tiles.
func winogradTileBlockLen(s ConvShape) int {
	th, tw := s.winogradTiles()
	tiles := s.N * th * tw
	blocks := (tiles + winogradTileBlock - 1) / winogradTileBlock
	return min(tiles, roundUp((tiles+blocks-1)/blocks, 4))
}

// winogradApplies reports whether s is a convolution Winograd computes:
// stride 1, no dilation, a window of at least 3×3.
func (s ConvShape) winogradApplies() bool {
	return s.KH >= 3 && s.KW >= 3 && s.StrideH == 1 && s.StrideW == 1 && s.DilationH == 1 && s.DilationW == 1
}

// useWinograd reports whether PackConv prepares s for Winograd: where it
// applies, saves at least a third of the multiplications (KH·KW ≥ 1.5·4·B:
// 3×3, 5×5, 6×6, not 4×4 or 7×7), and both channel counts per group are at
// least 8·B (with fewer, the transforms, which grow with B, outweigh the
// saved multiplications: alexmnist's 5×5 conv2 with 24 channels per group
// ran no faster, alexnet's with 48 faster; `make bench-kernels` runs both
// methods where Winograd applies).
func (s ConvShape) useWinograd() bool {
	bh, bw := s.winogradBlocks()
	minC := 8 * bh * bw
	return s.winogradApplies() && s.KH*s.KW >= 6*bh*bw &&
		s.C/s.Groups >= minC && s.OC/s.Groups >= minC
}

// winogradBlocks returns the number of 3×3 blocks along KH and KW.
func (s ConvShape) winogradBlocks() (bh, bw int) { return (s.KH + 2) / 3, (s.KW + 2) / 3 }

// winogradBlockOffset returns the offset of block b along a window axis of
// k taps, and the first of its three taps that is its own (the ones before
// belong to block b−1 and are zero in this block).
func winogradBlockOffset(b, k int) (off, own int) {
	off = min(3*b, k-3)
	return off, 3*b - off
}

// winogradTiles returns the tile rows and columns of one output image.
func (s ConvShape) winogradTiles() (th, tw int) {
	oh, ow := s.Out()
	return (oh + 1) / 2, (ow + 1) / 2
}

// packedWinogradLen is the length of the transformed filter: per group, 16
// matrices [B·C/G, OC/G] packed for k.densePacked.
func packedWinogradLen(k *kernels, s ConvShape) int {
	bh, bw := s.winogradBlocks()
	return s.Groups * 16 * k.packedDenseLen(bh*bw*(s.C/s.Groups), s.OC/s.Groups)
}

// packWinograd transforms the HWIO filter [KH, KW, C/G, OC] into U_ξ =
// G g Gᵀ for every group, block, input channel and output channel, and
// packs each group's U_ξ [B·C/G, OC/G] with k.packDense at
// dst[(g*16+ξ)*L:], L = k.packedDenseLen(B·C/G, OC/G).
func packWinograd(k *kernels, dst, filter []float32, s ConvShape) {
	bh, bw := s.winogradBlocks()
	cg, ocg := s.C/s.Groups, s.OC/s.Groups
	kw := bh * bw * cg
	l := k.packedDenseLen(kw, ocg)
	u := make([]float32, 16*kw*ocg) // u[ξ][b*C/G+ci][oc] of one group
	var gt [4][3]float64            // G g
	for g := range s.Groups {
		for by := range bh {
			oy, ownY := winogradBlockOffset(by, s.KH)
			for bx := range bw {
				ox, ownX := winogradBlockOffset(bx, s.KW)
				for ci := range cg {
					for oc := range ocg {
						// Tap (ky, kx) of the block, zero where it is not its own.
						f := func(ky, kx int) float64 {
							if ky < ownY || kx < ownX {
								return 0
							}
							return float64(filter[(((oy+ky)*s.KW+ox+kx)*cg+ci)*s.OC+g*ocg+oc])
						}
						for kx := range 3 {
							f0, f1, f2 := f(0, kx), f(1, kx), f(2, kx)
							gt[0][kx], gt[1][kx], gt[2][kx], gt[3][kx] = f0, (f0+f1+f2)/2, (f0-f1+f2)/2, f2
						}
						row := (by*bw+bx)*cg + ci
						for i, r := range gt {
							ur := [4]float64{r[0], (r[0] + r[1] + r[2]) / 2, (r[0] - r[1] + r[2]) / 2, r[2]}
							for j, v := range ur {
								u[((i*4+j)*kw+row)*ocg+oc] = float32(v)
							}
						}
					}
				}
			}
		}
		for xi := range 16 {
			k.packDense(dst[(g*16+xi)*l:(g*16+xi+1)*l], u[xi*kw*ocg:], ocg, kw, ocg)
		}
	}
}

// winogradWorkspaceLen is the scratch convWinograd needs: V and M of one
// block of tiles, and the workspace of its matrix products.
func winogradWorkspaceLen(k *kernels, s ConvShape) int {
	bh, bw := s.winogradBlocks()
	tb := winogradTileBlockLen(s)
	kw, ocg := bh*bw*(s.C/s.Groups), s.OC/s.Groups
	return 16*tb*(kw+ocg) + k.densePackedWorkspaceLen(tb, kw, ocg)
}

// convWinograd computes Conv2D for s (winogradApplies) from the filter
// packed by packWinograd, block by block of tiles t = (n*TH+ty)*TW+tx and
// group by group: k.winogradInput writes V, k.densePacked the 16 products
// M_ξ, k.winogradOutput the outputs with bias and act.
func convWinograd(k *kernels, dst, x, packed, bias []float32, s ConvShape, act Activation, ws []float32) {
	th, tw := s.winogradTiles()
	bh, bw := s.winogradBlocks()
	kw, ocg := bh*bw*(s.C/s.Groups), s.OC/s.Groups
	l := k.packedDenseLen(kw, ocg)
	tiles := s.N * th * tw
	tb := winogradTileBlockLen(s)
	v, m, gws := ws[:16*tb*kw], ws[16*tb*kw:16*tb*(kw+ocg)], ws[16*tb*(kw+ocg):]
	for t0 := 0; t0 < tiles; t0 += tb {
		tc := min(tb, tiles-t0)
		for g := range s.Groups {
			k.winogradInput(v[:16*tc*kw], x, &s, g, t0, tc)
			for xi := range 16 {
				k.densePacked(m[xi*tc*ocg:(xi+1)*tc*ocg], v[xi*tc*kw:(xi+1)*tc*kw], packed[(g*16+xi)*l:(g*16+xi+1)*l], nil, tc, kw, ocg, Linear, gws)
			}
			var b []float32
			if bias != nil {
				b = bias[g*ocg : (g+1)*ocg]
			}
			k.winogradOutput(dst, m[:16*tc*ocg], b, &s, g, t0, tc, act)
		}
	}
}

// winogradTileOrigin returns the image offset of tile t's batch element and
// the input cell (iy, ix) at the tile's top-left corner.
func winogradTileOrigin(s *ConvShape, t int) (img, iy, ix int) {
	th, tw := s.winogradTiles()
	n, r := t/(th*tw), t%(th*tw)
	return n * s.H * s.W * s.C, 2*(r/tw) - s.Pad.Top, 2*(r%tw) - s.Pad.Left
}

// winogradCells sets off[i*4+j] to the offset in x of input cell (iy+i,
// ix+j) of group g's first channel, or -1 outside the image, and reports
// whether all 16 cells are inside.
func winogradCells(off *[16]int, s *ConvShape, img, iy, ix, g int) bool {
	inside := true
	for i := range 4 {
		for j := range 4 {
			y, x := iy+i, ix+j
			if y < 0 || y >= s.H || x < 0 || x >= s.W {
				off[i*4+j] = -1
				inside = false
				continue
			}
			off[i*4+j] = img + (y*s.W+x)*s.C + g*(s.C/s.Groups)
		}
	}
	return inside
}

// winogradInputGeneric sets v[(ξ*tc+t)*B·C/G + b*C/G+c] = (Bᵀ d B)_ξ for
// tiles t0..t0+tc-1 of group g (t relative to t0), every block b and every
// channel c of the group, d the 4×4 input cells of channel c at the tile's
// corner shifted by the block's offset (zero outside the image).
func winogradInputGeneric(v, x []float32, s *ConvShape, g, t0, tc int) {
	bh, bw := s.winogradBlocks()
	cg := s.C / s.Groups
	var off [16]int
	for t := range tc {
		img, iy, ix := winogradTileOrigin(s, t0+t)
		for by := range bh {
			oy, _ := winogradBlockOffset(by, s.KH)
			for bx := range bw {
				ox, _ := winogradBlockOffset(bx, s.KW)
				winogradCells(&off, s, img, iy+oy, ix+ox, g)
				winogradInputChannels(v[(by*bw+bx)*cg:], x, &off, t, tc, bh*bw*cg, 0, cg)
			}
		}
	}
}

// winogradInputChannels is winogradInputGeneric for one tile t and block
// (whose cells are at off, and whose column 0 is v[0]) and channels
// c0..c1-1; ldv is the row length of V_ξ, B·C/G.
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
// (bias nil: none), applies act and stores the 2×2 outputs that lie inside
// the output image into dst [N, OH, OW, OC].
func winogradOutputGeneric(dst, m, bias []float32, s *ConvShape, g, t0, tc int, act Activation) {
	ocg := s.OC / s.Groups
	var out [4]int
	for t := range tc {
		winogradOutCells(&out, s, t0+t, g)
		winogradOutputChannels(dst, m, bias, &out, t, tc, ocg, 0, act)
	}
}

// winogradOutCells sets out[a*2+b] to the offset in dst of output (2ty+a,
// 2tx+b) of tile t, group g's first channel, or -1 outside the output.
func winogradOutCells(out *[4]int, s *ConvShape, t, g int) {
	oh, ow := s.Out()
	th, tw := s.winogradTiles()
	n, r := t/(th*tw), t%(th*tw)
	oy, ox := 2*(r/tw), 2*(r%tw)
	for a := range 2 {
		for b := range 2 {
			out[a*2+b] = -1
			if oy+a < oh && ox+b < ow {
				out[a*2+b] = ((n*oh+oy+a)*ow+ox+b)*s.OC + g*(s.OC/s.Groups)
			}
		}
	}
}

// winogradOutputChannels is winogradOutputGeneric for one tile t, whose
// outputs are at out, and output channels c0..OC/G-1.
func winogradOutputChannels(dst, m, bias []float32, out *[4]int, t, tc, ocg, c0 int, act Activation) {
	for c := c0; c < ocg; c++ {
		// Rows: s = M A, then columns: Aᵀ s.
		var r [8]float32
		for i := range 4 {
			m0, m1, m2, m3 := m[((i*4)*tc+t)*ocg+c], m[((i*4+1)*tc+t)*ocg+c], m[((i*4+2)*tc+t)*ocg+c], m[((i*4+3)*tc+t)*ocg+c]
			r[i*2], r[i*2+1] = m0+m1+m2, m1-m2-m3
		}
		y := [4]float32{r[0] + r[2] + r[4], r[1] + r[3] + r[5], r[2] - r[4] - r[6], r[3] - r[5] - r[7]}
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
}
