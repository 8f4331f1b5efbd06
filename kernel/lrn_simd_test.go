//go:build goexperiment.simd && (amd64 || wasm)

package kernel

import (
	"math"
	"simd/archsimd"
	"testing"
)

// TestDivPowVec checks divPowVec against x times the exact power
// (powNegExact) over float32 s from 1e-30 to 1e30 (log-spaced, four per
// vector) and x in [-2, 2) within its stated bound: 2u (β = 0.5), 4.5u
// (0.75), u (1), u = 2⁻²⁴, plus a little for the second-order terms.
func TestDivPowVec(t *testing.T) {
	for _, c := range []struct {
		beta  float32
		bound float64
	}{{0.5, 2}, {0.75, 4.5}, {1, 1}} {
		roots, ok := powRoots(c.beta)
		if !ok || powBetas[roots] != c.beta {
			t.Fatalf("powRoots(%g) = %d, %v; powBetas does not invert it", c.beta, roots, ok)
		}
		var s, x [4]float32
		for i := 0; i <= 24000; i += 4 {
			for l := range s {
				s[l] = float32(math.Pow(10, -30+float64(i+l)/400))
				x[l] = float32((i+l)%4001)/1000 - 2
			}
			var got [4]float32
			divPowVec(archsimd.LoadFloat32x4(x[:]), archsimd.LoadFloat32x4(s[:]), roots).Store(got[:])
			for l := range s {
				want := float64(x[l]) * powNegExact(float64(s[l]), c.beta)
				if d := math.Abs(float64(got[l])-want) / math.Abs(want); d > (c.bound+0.01)*unitRoundoff && want != 0 {
					t.Fatalf("divPowVec(%g, %g, β=%g) = %g, want %g (relative error %.3g u)", x[l], s[l], c.beta, got[l], want, d/unitRoundoff)
				}
			}
		}
	}
}
