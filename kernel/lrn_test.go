package kernel

import (
	"fmt"
	"math"
	"math/big"
	"testing"
)

// TestLRNWideWindow checks that LRN's cost does not depend on the depth
// radius: a radius of 2^24 over 65,536 channels (a window no input can
// fill) must take time linear in the channels, here checked for its result
// against an independent float64 formula: when r ≥ C-1 every window is the
// whole pixel, so out[c] = x[c] * (bias + alpha*Σ_j x[j]²)^-beta. A kernel
// whose cost grew with the radius would not finish.
func TestLRNWideWindow(t *testing.T) {
	const c, pixels = 1 << 16, 2
	for _, p := range []LRNParams{
		{DepthRadius: 1 << 24, Bias: 1, Alpha: 1e-4, Beta: 0.75},
		{DepthRadius: c - 1, Bias: 2, Alpha: 1e-3, Beta: 0.5},
		{DepthRadius: 1 << 30, Bias: 1, Alpha: 1e-5, Beta: 0.6},
	} {
		forVariants(t, func(t *testing.T, k *kernels) {
			rng := newRand(t)
			x := randSlice(rng, pixels*c)
			want := make([]float32, len(x))
			for px := range pixels {
				var sum float64
				for _, v := range x[px*c : (px+1)*c] {
					sum += float64(v) * float64(v)
				}
				f := math.Pow(float64(p.Bias)+float64(p.Alpha)*sum, -float64(p.Beta))
				for i := px * c; i < (px+1)*c; i++ {
					want[i] = float32(float64(x[i]) * f)
				}
			}
			dst := make([]float32, len(x))
			k.lrn(dst, x, pixels, c, p)
			checkClose(t, fmt.Sprintf("lrn %+v", p), dst, want, scaled(float64(p.Beta)*4*unitRoundoff+7*unitRoundoff, absAll(want)))
		})
	}
}

// TestWindowSums checks windowSums against direct sums for every radius
// from 0 to beyond the length and lengths around the block edges, with
// signed terms whose magnitudes span 2^±40 (the case where a running sum
// with subtractions would cancel): the bound is 2u·Σ|terms|.
func TestWindowSums(t *testing.T) {
	rng := newRand(t)
	for n := 1; n <= 40; n++ {
		in := randSlice(rng, n)
		for i := range in {
			in[i] *= float32(math.Ldexp(1, rng.IntN(81)-40))
		}
		for r := range n + 3 {
			for _, square := range []bool{false, true} {
				want, mag := make([]float32, n), make([]float32, n)
				for c := range n {
					var s, m float64
					for j := max(c-r, 0); j <= min(c+r, n-1); j++ {
						v := float64(in[j])
						if square {
							v *= v
						}
						s += v
						m += math.Abs(v)
					}
					want[c], mag[c] = float32(s), float32(m)
				}
				g := filledGuardBuf(n)
				windowSums(g.data(), in, r, square)
				name := fmt.Sprintf("windowSums n=%d r=%d square=%v", n, r, square)
				checkClose(t, name, g.data(), want, scaled(3*unitRoundoff, mag))
				g.checkGuards(t, name)
			}
		}
	}
}

// powNegExact returns s^-beta for beta 0.5, 0.75 or 1 from 256-bit
// math/big arithmetic (1/√s, 1/√√(s³), 1/s), rounded once: the oracle of
// the power tests (math.Pow itself may be off by more than 1 ulp).
func powNegExact(s float64, beta float32) float64 {
	x := new(big.Float).SetPrec(256).SetFloat64(s)
	switch beta {
	case 0.5:
		x.Sqrt(x)
	case 0.75:
		x.Mul(x, new(big.Float).SetPrec(256).Mul(x, x))
		x.Sqrt(x)
		x.Sqrt(x)
	}
	f, _ := new(big.Float).SetPrec(256).Quo(big.NewFloat(1).SetPrec(256), x).Float64()
	return f
}

// TestPowNeg checks powNeg over s from 1e-30 to 1e30 (log-spaced) against
// the exact power for the exponents it computes with roots: within its
// stated 4.5·2⁻⁵³ relative error plus the oracle's rounding (2⁻⁵³).
func TestPowNeg(t *testing.T) {
	for _, beta := range []float32{0.5, 0.75, 1} {
		for i := 0; i <= 6000; i++ {
			s := math.Pow(10, -30+float64(i)/100)
			got, want := powNeg(s, beta), powNegExact(s, beta)
			if d := math.Abs(got-want) / want; d > 5.5*0x1p-53 {
				t.Fatalf("powNeg(%g, %g) = %g, want %g (relative error %.3g)", s, beta, got, want, d)
			}
		}
	}
}
