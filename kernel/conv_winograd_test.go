package kernel

import (
	"math"
	"testing"
)

// winogradTolerance is the error bound conv_winograd.go states for output
// tiles of tile×tile (2 or 4), for every output of the convolution s:
// γ(B·C/G+k+1)·mag, k = 11 for F(2×2, 3×3) and 19 for F(4×4, 3×3), with mag
// computed in float64 from the absolute values of the transforms'
// matrices, the blocks' input tiles, the blocks' filter taps and the bias
// (one more u than the kernel's bound for the reference's rounding to
// float32). bias may be empty (none).
func winogradTolerance(x, filter, bias []float32, s ConvShape, tile int) []float64 {
	s = s.normalized()
	oh, ow := s.Out()
	bh, bw := s.winogradBlocks()
	cg, ocg := s.C/s.Groups, s.OC/s.Groups
	// |Bᵀ|, |G| and |Aᵀ| of Lavin and Gray (arXiv:1509.09308), §4.1 and
	// §4.2, written out here rather than taken from the kernel.
	absBt := [][]float64{{1, 0, 1, 0}, {0, 1, 1, 0}, {0, 1, 1, 0}, {0, 1, 0, 1}}
	absG := [][]float64{{1, 0, 0}, {0.5, 0.5, 0.5}, {0.5, 0.5, 0.5}, {0, 0, 1}}
	absAt := [][]float64{{1, 1, 1, 0}, {0, 1, 1, 1}}
	roundings := 11
	if tile == 4 {
		absBt = [][]float64{
			{4, 0, 5, 0, 1, 0}, {0, 4, 4, 1, 1, 0}, {0, 4, 4, 1, 1, 0},
			{0, 2, 1, 2, 1, 0}, {0, 2, 1, 2, 1, 0}, {0, 4, 0, 5, 0, 1},
		}
		absG = [][]float64{
			{1.0 / 4, 0, 0}, {1.0 / 6, 1.0 / 6, 1.0 / 6}, {1.0 / 6, 1.0 / 6, 1.0 / 6},
			{1.0 / 24, 1.0 / 12, 1.0 / 6}, {1.0 / 24, 1.0 / 12, 1.0 / 6}, {0, 0, 1},
		}
		absAt = [][]float64{{1, 1, 1, 1, 1, 0}, {0, 1, 1, 2, 2, 0}, {0, 1, 1, 4, 4, 0}, {0, 1, 1, 8, 8, 1}}
		roundings = 19
	}
	n := tile + 2
	f := gamma(bh*bw*cg + roundings + 1)
	// ub[((b*C/G+ci)*OC+oc)*n²+ξ] = (|G| |w| |Gᵀ|)_ξ of block b.
	ub := make([]float64, bh*bw*cg*s.OC*n*n)
	for by := range bh {
		offY, ownY := winogradBlockOffset(by, s.KH)
		for bx := range bw {
			offX, ownX := winogradBlockOffset(bx, s.KW)
			for ci := range cg {
				for oc := range s.OC {
					u := ub[(((by*bw+bx)*cg+ci)*s.OC+oc)*n*n:]
					for i := range n {
						for j := range n {
							for k := ownY; k < 3; k++ {
								for l := ownX; l < 3; l++ {
									u[i*n+j] += absG[i][k] * absG[j][l] * math.Abs(float64(filter[(((offY+k)*s.KW+offX+l)*cg+ci)*s.OC+oc]))
								}
							}
						}
					}
				}
			}
		}
	}
	th, tw := s.winogradTiles(tile)
	vb := make([]float64, bh*bw*cg*n*n) // (|Bᵀ| |d| |B|)_ξ of one tile, group and block
	tol := make([]float64, s.OutLen())
	for img := range s.N {
		for ty := range th {
			for tx := range tw {
				for g := range s.Groups {
					clear(vb)
					for by := range bh {
						offY, _ := winogradBlockOffset(by, s.KH)
						for bx := range bw {
							offX, _ := winogradBlockOffset(bx, s.KW)
							for ci := range cg {
								v := vb[((by*bw+bx)*cg+ci)*n*n:]
								for k := range n {
									for l := range n {
										iy, ix := tile*ty-s.Pad.Top+offY+k, tile*tx-s.Pad.Left+offX+l
										if iy < 0 || iy >= s.H || ix < 0 || ix >= s.W {
											continue
										}
										d := math.Abs(float64(x[((img*s.H+iy)*s.W+ix)*s.C+g*cg+ci]))
										for i := range n {
											for j := range n {
												v[i*n+j] += absBt[i][k] * absBt[j][l] * d
											}
										}
									}
								}
							}
						}
					}
					for a := 0; a < tile && tile*ty+a < oh; a++ {
						for b := 0; b < tile && tile*tx+b < ow; b++ {
							for oc := g * ocg; oc < (g+1)*ocg; oc++ {
								mag := 0.0
								if len(bias) > 0 {
									mag = math.Abs(float64(bias[oc]))
								}
								for bc := range bh * bw * cg {
									u, v := ub[(bc*s.OC+oc)*n*n:], vb[bc*n*n:]
									for i := range n {
										for j := range n {
											mag += absAt[a][i] * absAt[b][j] * u[i*n+j] * v[i*n+j]
										}
									}
								}
								tol[((img*oh+tile*ty+a)*ow+tile*tx+b)*s.OC+oc] = f * mag
							}
						}
					}
				}
			}
		}
	}
	return tol
}

// TestWinogradFilterTransform checks every value packWinograd stores (found
// with packedDenseRow) against U = G g Gᵀ in float64, G written out from
// Lavin and Gray §4.1 and §4.2: within γ(4) (F(2×2)) or γ(8) (F(4×4)) of
// |G||g||Gᵀ|, as conv_winograd.go states, plus the reference's rounding.
// Blocks of 3×3 and 5×5 windows, groups, and output channels per group
// around the 4-lane and panel edges.
func TestWinogradFilterTransform(t *testing.T) {
	g2 := [][3]float64{{1, 0, 0}, {0.5, 0.5, 0.5}, {0.5, -0.5, 0.5}, {0, 0, 1}}
	g4 := [][3]float64{{0.25, 0, 0}, {-1.0 / 6, -1.0 / 6, -1.0 / 6}, {-1.0 / 6, 1.0 / 6, -1.0 / 6},
		{1.0 / 24, 1.0 / 12, 1.0 / 6}, {1.0 / 24, -1.0 / 12, 1.0 / 6}, {0, 0, 1}}
	forVariants(t, func(t *testing.T, kern *kernels) {
		rng := newRand(t)
		for _, s := range []ConvShape{
			{N: 1, H: 8, W: 8, C: 5, KH: 3, KW: 3, OC: 13},
			{N: 1, H: 8, W: 8, C: 4, KH: 5, KW: 5, OC: 56, Groups: 2},
			{N: 1, H: 9, W: 9, C: 3, KH: 3, KW: 5, OC: 35},
		} {
			s = s.normalized()
			for _, tile := range []int{2, 4} {
				gm, roundings := g2, 4
				if tile == 4 {
					gm, roundings = g4, 8
				}
				n := tile + 2
				filter := randSlice(rng, s.FilterLen())
				dst := make([]float32, packedWinogradLen(kern, s, tile))
				packWinograd(kern, dst, filter, s, tile)
				bh, bw := s.winogradBlocks()
				cg, ocg := s.C/s.Groups, s.OC/s.Groups
				kw := bh * bw * cg
				l := kern.packedDenseLen(kw, ocg)
				for g := range s.Groups {
					for by := range bh {
						oy, ownY := winogradBlockOffset(by, s.KH)
						for bx := range bw {
							ox, ownX := winogradBlockOffset(bx, s.KW)
							for ci := range cg {
								row, run, stride := kern.packedDenseRow(kw, ocg, (by*bw+bx)*cg+ci)
								for oc := range ocg {
									for i := range n {
										for j := range n {
											var u, mag float64
											for ky := ownY; ky < 3; ky++ {
												for kx := ownX; kx < 3; kx++ {
													w := float64(filter[(((oy+ky)*s.KW+ox+kx)*cg+ci)*s.OC+g*ocg+oc])
													u += gm[i][ky] * w * gm[j][kx]
													mag += math.Abs(gm[i][ky] * w * gm[j][kx])
												}
											}
											got := float64(dst[(g*n*n+i*n+j)*l+row+oc/run*stride+oc%run])
											if tol := gamma(roundings+1) * mag; math.Abs(got-u) > tol {
												t.Fatalf("%+v F(%d×%d): group %d block (%d,%d) channel %d output %d ξ=(%d,%d): %v, want %v ± %v", s, tile, tile, g, by, bx, ci, oc, i, j, got, u, tol)
											}
										}
									}
								}
							}
						}
					}
				}
			}
		}
	})
}

// TestConvWinograd forces Winograd F(2×2, 3×3) and F(4×4, 3×3) on every
// kernel set and compares it with the reference within winogradTolerance:
// 3×3 windows and larger ones
// cut into blocks (5×5, 6×6, 7×7, 3×5, 4×3), output sizes around the 2×2
// tile edge (odd and even, 1 to 9), SAME, VALID and asymmetric explicit
// padding, groups, batches, channels around the 4-lane edge of the
// transforms and the 4×12 GEMM tile, tile counts around
// winogradTileBlock (for 2×2 tiles; 4×4 tiles cross it with larger
// images), with guard values and NaN-filled destination and
// workspace (checkPackedConv). Then one NaN input cell must make NaN the
// outputs whose window holds it, as in the reference, and others only as
// winogradNaNReach allows.
func TestConvWinograd(t *testing.T) {
	shapes := []ConvShape{
		{N: 1, H: 3, W: 3, C: 1, OC: 1, KH: 3, KW: 3},
		{N: 1, H: 4, W: 4, C: 2, OC: 3},
		same(ConvShape{N: 1, H: 1, W: 1, C: 3, KH: 3, KW: 3, OC: 5}),
		same(ConvShape{N: 1, H: 2, W: 3, C: 4, KH: 3, KW: 3, OC: 4}),
		same(ConvShape{N: 2, H: 5, W: 7, C: 5, KH: 3, KW: 3, OC: 13}),
		same(ConvShape{N: 1, H: 9, W: 8, C: 8, KH: 3, KW: 3, OC: 12}),
		same(ConvShape{N: 3, H: 6, W: 6, C: 8, KH: 3, KW: 3, OC: 8, Groups: 2}),
		same(ConvShape{N: 1, H: 7, W: 6, C: 12, KH: 3, KW: 3, OC: 20, Groups: 4}),
		{N: 1, H: 7, W: 9, C: 3, OC: 7},
		{N: 2, H: 6, W: 5, C: 6, OC: 9, Groups: 3, Pad: Padding{Top: 2, Bottom: 0, Left: 0, Right: 2}},
		{N: 1, H: 5, W: 4, C: 17, OC: 25, Pad: Padding{Top: 1, Bottom: 2, Left: 2, Right: 1}},
		same(ConvShape{N: 1, H: 8, W: 8, C: 33, KH: 3, KW: 3, OC: 65}),
		// 7×7 tiles per image: 2 images fit one block of 96 tiles, 3 do not.
		same(ConvShape{N: 2, H: 13, W: 13, C: 4, KH: 3, KW: 3, OC: 5}),
		same(ConvShape{N: 3, H: 13, W: 13, C: 5, KH: 3, KW: 3, OC: 4}),
		// 4×4 tiles: 6×6 per image, 2 images fit one block, 3 do not.
		same(ConvShape{N: 3, H: 21, W: 24, C: 3, KH: 3, KW: 3, OC: 5}),
		// Windows cut into 3×3 blocks.
		same(ConvShape{N: 1, H: 7, W: 6, C: 4, KH: 5, KW: 5, OC: 13}),
		same(ConvShape{N: 2, H: 9, W: 9, C: 8, KH: 5, KW: 5, OC: 8, Groups: 2}),
		{N: 1, H: 8, W: 9, C: 5, KH: 5, KW: 5, OC: 6},
		{N: 1, H: 6, W: 7, C: 3, KH: 5, KW: 5, OC: 5, Pad: Padding{Top: 3, Bottom: 1, Left: 0, Right: 2}},
		same(ConvShape{N: 1, H: 8, W: 7, C: 5, KH: 6, KW: 6, OC: 4}),
		same(ConvShape{N: 1, H: 9, W: 8, C: 2, KH: 7, KW: 7, OC: 3}),
		same(ConvShape{N: 1, H: 6, W: 9, C: 4, KH: 3, KW: 5, OC: 7}),
		{N: 1, H: 7, W: 5, C: 3, KH: 4, KW: 3, OC: 5},
	}
	forVariants(t, func(t *testing.T, k *kernels) {
		rng := newRand(t)
		for i, s := range shapes {
			if s.KH == 0 {
				s.KH, s.KW = 3, 3
			}
			s = s.normalized()
			if err := s.Validate(); err != nil {
				t.Fatalf("%s: bad test shape: %v", convName(s), err)
			}
			x, filter := randSlice(rng, s.InLen()), randSlice(rng, s.FilterLen())
			var bias []float32
			if i%2 == 0 {
				bias = randSlice(rng, s.OC)
			}
			act := Activation(i % 3 % 2)
			want := refConv2D(x, filter, bias, s, act)
			for _, tile := range []int{2, 4} {
				checkPackedConv(t, k, s, newGuardBuf(x), newGuardBuf(filter), newGuardBuf(bias), act, tile, want, nil)
			}

			cell := rng.IntN(len(x))
			x[cell] = float32(math.NaN())
			want = refConv2D(x, filter, bias, s, act)
			for _, tile := range []int{2, 4} {
				p, err := packConvMethod(k, filter, s, tile)
				if err != nil {
					t.Fatal(err)
				}
				got := make([]float32, s.OutLen())
				if err := p.Conv2D(got, x, bias, s.N, act, make([]float32, p.WorkspaceLen(s.N))); err != nil {
					t.Fatal(err)
				}
				reach := winogradNaNReach(s, tile, cell)
				for j := range want {
					g, w := math.IsNaN(float64(got[j])), math.IsNaN(float64(want[j]))
					if w && !g || g && !w && !reach[j] {
						t.Fatalf("%s F(%d×%d) with a NaN input: output [%d] NaN %v, want %v", convName(s), tile, tile, j, g, w)
					}
				}
			}
		}
	})
}

// winogradNaNReach reports, for every output of the convolution s, whether
// Winograd with output tiles of tile×tile may make it NaN from a NaN at
// x[cell] that the direct convolution does not: for 2×2 tiles none (each
// cell of a 4×4 input tile reaches exactly the outputs whose window holds
// it), for 4×4 tiles every output of a tile whose input cells hold it (the
// inner cells of a 6×6 input tile reach all 4×4 outputs through Bᵀ and
// Aᵀ, whose cancellations do not cancel a NaN).
func winogradNaNReach(s ConvShape, tile, cell int) []bool {
	reach := make([]bool, s.OutLen())
	if tile == 2 {
		return reach
	}
	n, iy, ix := cell/(s.H*s.W*s.C), cell/(s.W*s.C)%s.H, cell/s.C%s.W
	oh, ow := s.Out()
	for oy := range oh {
		for ox := range ow {
			// The tile's input cells span KH+tile-1 rows from its corner.
			y0, x0 := oy/tile*tile-s.Pad.Top, ox/tile*tile-s.Pad.Left
			if iy >= y0 && iy < y0+s.KH+tile-1 && ix >= x0 && ix < x0+s.KW+tile-1 {
				for oc := range s.OC {
					reach[((n*oh+oy)*ow+ox)*s.OC+oc] = true
				}
			}
		}
	}
	return reach
}

// TestWinogradChoice checks which convolutions PackConv prepares for
// Winograd, and with which output tile.
func TestWinogradChoice(t *testing.T) {
	for _, c := range []struct {
		s    ConvShape
		want int
	}{
		{same(ConvShape{N: 1, H: 13, W: 13, C: 256, KH: 3, KW: 3, OC: 384}), 2},                       // alexnet's conv3: F(4×4) would take 14 MB
		{same(ConvShape{N: 1, H: 13, W: 13, C: 384, KH: 3, KW: 3, OC: 384, Groups: 2}), 2},            // alexnet's conv4: 10.6 MB
		{same(ConvShape{N: 1, H: 13, W: 13, C: 384, KH: 3, KW: 3, OC: 256, Groups: 2}), 4},            // alexnet's conv5: 7.1 MB
		{same(ConvShape{N: 1, H: 13, W: 13, C: 256, KH: 3, KW: 3, OC: 227}), 4},                       // just under winograd4MaxBytes
		{same(ConvShape{N: 1, H: 13, W: 13, C: 256, KH: 3, KW: 3, OC: 228}), 2},                       // just over
		{same(ConvShape{N: 1, H: 6, W: 6, C: 128, KH: 3, KW: 3, OC: 192}), 4},                         // 2×2 tiles of 4×4
		{same(ConvShape{N: 1, H: 4, W: 4, C: 128, KH: 3, KW: 3, OC: 192}), 2},                         // one tile of 4×4
		{same(ConvShape{N: 1, H: 13, W: 2, C: 128, KH: 3, KW: 3, OC: 192}), 2},                        // 4×1 tiles of 4×4
		{same(ConvShape{N: 1, H: 1, W: 1, C: 128, KH: 3, KW: 3, OC: 192}), 2},                         // one output
		{same(ConvShape{N: 1, H: 28, W: 28, C: 1, KH: 3, KW: 3, OC: 64}), 0},                          // one input channel
		{same(ConvShape{N: 1, H: 28, W: 28, C: 8, KH: 3, KW: 3, OC: 64}), 4},                          // 8 input channels
		{same(ConvShape{N: 1, H: 13, W: 13, C: 64, KH: 3, KW: 3, OC: 64, StrideH: 2, StrideW: 2}), 0}, // strided
		{same(ConvShape{N: 1, H: 13, W: 13, C: 64, KH: 3, KW: 3, OC: 64, DilationH: 2}), 0},           // dilated
		{same(ConvShape{N: 1, H: 27, W: 27, C: 96, KH: 5, KW: 5, OC: 256, Groups: 2}), 4},             // alexnet's conv2
		{same(ConvShape{N: 1, H: 13, W: 13, C: 48, KH: 5, KW: 5, OC: 128, Groups: 2}), 4},             // alexmnist's conv2
		{same(ConvShape{N: 1, H: 27, W: 27, C: 96, KH: 4, KW: 4, OC: 96}), 0},                         // 4 blocks save nothing
		{same(ConvShape{N: 1, H: 27, W: 27, C: 96, KH: 7, KW: 7, OC: 96}), 0},                         // 9 blocks save too little
		{same(ConvShape{N: 1, H: 13, W: 13, C: 4, KH: 3, KW: 3, OC: 384}), 0},                         // few input channels
		{same(ConvShape{N: 1, H: 13, W: 13, C: 384, KH: 3, KW: 3, OC: 4}), 0},                         // few output channels
		{same(ConvShape{N: 1, H: 13, W: 13, C: 64, KH: 5, KW: 5, OC: 32, Groups: 2}), 0},              // few output channels for 4 blocks
		{same(ConvShape{N: 1, H: 3, W: 3, C: 48, KH: 5, KW: 5, OC: 128, Groups: 2}), 0},               // F(2×2): few input channels for 4 blocks
		{same(ConvShape{N: 1, H: 3, W: 3, C: 64, KH: 5, KW: 5, OC: 64}), 2},                           // F(2×2), 4 blocks
	} {
		p, err := PackConv(make([]float32, c.s.FilterLen()), c.s)
		if err != nil {
			t.Fatal(err)
		}
		if p.winograd != c.want {
			t.Errorf("%s: Winograd tile %d, want %d (%s)", convName(c.s), p.winograd, c.want, p.Variant())
		}
	}
}
