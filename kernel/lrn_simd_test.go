//go:build goexperiment.simd && (amd64 || wasm)

package kernel

import (
	"math"
	"simd/archsimd"
	"testing"
)

// TestPowNegVec checks powNegVec against the exact power (powNegExact) over float32 s
// from 1e-30 to 1e30 (log-spaced, four per vector) within its stated bound:
// 1.5u (β = 0.5), 4.5u (0.75), u (1), u = 2⁻²⁴, plus a little for the
// second-order terms.
func TestPowNegVec(t *testing.T) {
	for _, c := range []struct {
		beta  float32
		bound float64
	}{{0.5, 1.5}, {0.75, 4.5}, {1, 1}} {
		var s [4]float32
		for i := 0; i <= 24000; i += 4 {
			for l := range s {
				s[l] = float32(math.Pow(10, -30+float64(i+l)/400))
			}
			var got [4]float32
			roots, ok := powRoots(c.beta)
			if !ok {
				t.Fatalf("powRoots(%g) is not ok", c.beta)
			}
			powNegVec(archsimd.LoadFloat32x4(s[:]), archsimd.BroadcastFloat32x4(1), roots).Store(got[:])
			for l := range s {
				want := powNegExact(float64(s[l]), c.beta)
				if d := math.Abs(float64(got[l])-want) / want; d > (c.bound+0.01)*unitRoundoff {
					t.Fatalf("powNegVec(%g, %g) = %g, want %g (relative error %.3g u)", s[l], c.beta, got[l], want, d/unitRoundoff)
				}
			}
		}
	}
}
