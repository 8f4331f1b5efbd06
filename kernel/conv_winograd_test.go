package kernel

import (
	"math"
	"testing"
)

// winogradTolerance is the error bound conv_winograd.go states, for every
// output of the convolution s: γ(B·C/G+9)·mag, with mag computed in float64
// from the absolute values of the transforms' matrices, the blocks' input
// tiles, the blocks' filter taps and the bias (γ(B·C/G+8) for the kernel,
// one more u for the reference's rounding to float32). bias may be empty
// (none).
func winogradTolerance(x, filter, bias []float32, s ConvShape) []float64 {
	s = s.normalized()
	oh, ow := s.Out()
	bh, bw := s.winogradBlocks()
	cg, ocg := s.C/s.Groups, s.OC/s.Groups
	absBt := [4][4]float64{{1, 0, 1, 0}, {0, 1, 1, 0}, {0, 1, 1, 0}, {0, 1, 0, 1}}
	absG := [4][3]float64{{1, 0, 0}, {0.5, 0.5, 0.5}, {0.5, 0.5, 0.5}, {0, 0, 1}}
	absAt := [2][4]float64{{1, 1, 1, 0}, {0, 1, 1, 1}}
	f := gamma(bh*bw*cg + 9)
	tol := make([]float64, s.OutLen())
	for n := range s.N {
		for oy := range oh {
			for ox := range ow {
				ty, tx, a, b := oy/2, ox/2, oy%2, ox%2
				for oc := range s.OC {
					g := oc / ocg
					mag := 0.0
					if len(bias) > 0 {
						mag = math.Abs(float64(bias[oc]))
					}
					for by := range bh {
						offY, ownY := winogradBlockOffset(by, s.KH)
						for bx := range bw {
							offX, ownX := winogradBlockOffset(bx, s.KW)
							for ci := range cg {
								// |Bᵀ| |d| |B| and |G| |w| |Gᵀ| at every ξ = (i, j).
								for i := range 4 {
									for j := range 4 {
										if absAt[a][i] == 0 || absAt[b][j] == 0 {
											continue
										}
										var v, u float64
										for k := range 4 {
											for l := range 4 {
												iy, ix := 2*ty-s.Pad.Top+offY+k, 2*tx-s.Pad.Left+offX+l
												if iy < 0 || iy >= s.H || ix < 0 || ix >= s.W {
													continue
												}
												v += absBt[i][k] * absBt[j][l] * math.Abs(float64(x[((n*s.H+iy)*s.W+ix)*s.C+g*cg+ci]))
											}
										}
										for k := ownY; k < 3; k++ {
											for l := ownX; l < 3; l++ {
												u += absG[i][k] * absG[j][l] * math.Abs(float64(filter[(((offY+k)*s.KW+offX+l)*cg+ci)*s.OC+oc]))
											}
										}
										mag += absAt[a][i] * absAt[b][j] * u * v
									}
								}
							}
						}
					}
					tol[((n*oh+oy)*ow+ox)*s.OC+oc] = f * mag
				}
			}
		}
	}
	return tol
}

// TestConvWinograd forces Winograd on every kernel set and compares it
// with the reference within winogradTolerance: 3×3 windows and larger ones
// cut into blocks (5×5, 6×6, 7×7, 3×5, 4×3), output sizes around the 2×2
// tile edge (odd and even, 1 to 9), SAME, VALID and asymmetric explicit
// padding, groups, batches, channels around the 4-lane edge of the
// transforms and the 4×12 GEMM tile, tile counts around
// winogradTileBlock, with guard values and NaN-filled destination and
// workspace (checkPackedConv). Then one NaN input cell must make exactly
// the outputs NaN whose window holds it, as in the reference.
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
			checkPackedConv(t, k, s, newGuardBuf(x), newGuardBuf(filter), newGuardBuf(bias), act, true, want, nil)

			x[rng.IntN(len(x))] = float32(math.NaN())
			want = refConv2D(x, filter, bias, s, act)
			p, err := packConvMethod(k, filter, s, true)
			if err != nil {
				t.Fatal(err)
			}
			got := make([]float32, s.OutLen())
			if err := p.Conv2D(got, x, bias, s.N, act, make([]float32, p.WorkspaceLen(s.N))); err != nil {
				t.Fatal(err)
			}
			for j := range want {
				if g, w := math.IsNaN(float64(got[j])), math.IsNaN(float64(want[j])); g != w {
					t.Fatalf("%s with a NaN input: output [%d] NaN %v, want %v", convName(s), j, g, w)
				}
			}
		}
	})
}

// TestWinogradChoice checks which convolutions PackConv prepares for
// Winograd.
func TestWinogradChoice(t *testing.T) {
	for _, c := range []struct {
		s    ConvShape
		want bool
	}{
		{same(ConvShape{N: 1, H: 13, W: 13, C: 256, KH: 3, KW: 3, OC: 384}), true},
		{same(ConvShape{N: 1, H: 13, W: 13, C: 384, KH: 3, KW: 3, OC: 256, Groups: 2}), true},
		{same(ConvShape{N: 1, H: 28, W: 28, C: 1, KH: 3, KW: 3, OC: 64}), false},                          // one input channel
		{same(ConvShape{N: 1, H: 13, W: 13, C: 64, KH: 3, KW: 3, OC: 64, StrideH: 2, StrideW: 2}), false}, // strided
		{same(ConvShape{N: 1, H: 13, W: 13, C: 64, KH: 3, KW: 3, OC: 64, DilationH: 2}), false},           // dilated
		{same(ConvShape{N: 1, H: 27, W: 27, C: 96, KH: 5, KW: 5, OC: 256, Groups: 2}), true},
		{same(ConvShape{N: 1, H: 27, W: 27, C: 96, KH: 4, KW: 4, OC: 96}), false},             // 4 blocks save nothing
		{same(ConvShape{N: 1, H: 27, W: 27, C: 96, KH: 7, KW: 7, OC: 96}), false},             // 9 blocks save too little
		{same(ConvShape{N: 1, H: 13, W: 13, C: 4, KH: 3, KW: 3, OC: 384}), false},             // few input channels
		{same(ConvShape{N: 1, H: 13, W: 13, C: 384, KH: 3, KW: 3, OC: 4}), false},             // few output channels
		{same(ConvShape{N: 1, H: 13, W: 13, C: 48, KH: 5, KW: 5, OC: 128, Groups: 2}), false}, // few channels for 4 blocks
	} {
		p, err := PackConv(make([]float32, c.s.FilterLen()), c.s)
		if err != nil {
			t.Fatal(err)
		}
		if p.winograd != c.want {
			t.Errorf("%s: Winograd %v, want %v (%s)", convName(c.s), p.winograd, c.want, p.Variant())
		}
	}
}
