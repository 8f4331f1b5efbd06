package kernel

import (
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"testing"
)

// testVariants are the kernel sets every sweep runs through: the portable one
// here, and the SIMD set appended by variants_simd_test.go's init.
var testVariants = []*kernels{&generic}

// Floating-point error bounds. A float32 sum of n terms (products rounded or
// fused, any order or blocking) differs from the exact sum by at most
// γ(n)·Σ|terms| with γ(n) = n·u/(1-n·u), u = 2⁻²⁴ (Higham, Accuracy and
// Stability of Numerical Algorithms, §3.1). The float64 reference is rounded
// once more to float32 (one more u·|exact| ≤ u·Σ|terms|), so a dot product of
// n terms is checked with γ(n+1)·Σ|terms|, where Σ|terms| is the same
// reference applied to |inputs|. ReLU is 1-Lipschitz, so the bound holds
// after it too.
const unitRoundoff = 0x1p-24

func gamma(n int) float64 {
	nu := float64(n) * unitRoundoff
	return nu / (1 - nu)
}

// scaled returns tol[i] = f·mag[i].
func scaled(f float64, mag []float32) []float64 {
	tol := make([]float64, len(mag))
	for i, v := range mag {
		tol[i] = f * float64(v)
	}
	return tol
}

func absAll(x []float32) []float32 {
	if x == nil {
		return nil
	}
	a := make([]float32, len(x))
	for i, v := range x {
		a[i] = float32(math.Abs(float64(v)))
	}
	return a
}

// checkClose reports elements where got and want differ by more than tol[i]
// (tol nil: not at all). Identical bit patterns, NaNs included, match.
func checkClose(t testing.TB, what string, got, want []float32, tol []float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: len %d, want %d", what, len(got), len(want))
	}
	bad := 0
	for i := range want {
		g, w := got[i], want[i]
		if math.Float32bits(g) == math.Float32bits(w) {
			continue
		}
		d := math.Abs(float64(g) - float64(w))
		if d == 0 || tol != nil && d <= tol[i] { // d == 0: -0 matches +0
			continue
		}
		if bad++; bad <= 5 {
			lim := 0.0
			if tol != nil {
				lim = tol[i]
			}
			t.Errorf("%s: [%d] = %v, want %v (|diff| %.3g > tolerance %.3g)", what, i, g, w, d, lim)
		}
	}
	if bad > 0 {
		// Stop at the first failing case of a sweep.
		t.Fatalf("%s: %d of %d elements differ", what, bad, len(want))
	}
}

// guardLen guard elements surround every buffer a kernel sees; guardBits is
// a NaN payload no arithmetic produces, so an overwritten guard is visible.
const (
	guardLen  = 17
	guardBits = 0x7fc0_1234
)

var guardValue = math.Float32frombits(guardBits)

// guardBuf is a buffer of n elements between two runs of guard values.
type guardBuf struct {
	all []float32
	n   int
}

// newGuardBuf returns a guardBuf buffer holding a copy of init (n = len(init)).
func newGuardBuf(init []float32) guardBuf {
	g := guardBuf{all: make([]float32, len(init)+2*guardLen), n: len(init)}
	for i := range g.all {
		g.all[i] = guardValue
	}
	copy(g.data(), init)
	return g
}

// filledGuardBuf returns a guardBuf buffer of n guard values, as a destination
// or workspace whose old contents a kernel must not read.
func filledGuardBuf(n int) guardBuf { return newGuardBuf(fill(n, guardValue)) }

// data is the buffer between the guards, with no capacity beyond it.
func (g guardBuf) data() []float32 { return g.all[guardLen : guardLen+g.n : guardLen+g.n] }

func (g guardBuf) checkGuards(t testing.TB, what string) {
	t.Helper()
	for i, v := range g.all {
		if (i < guardLen || i >= guardLen+g.n) && math.Float32bits(v) != guardBits {
			t.Errorf("%s: guard at offset %d overwritten with %v", what, i-guardLen, v)
			return
		}
	}
}

// checkUnchanged reports an input that a kernel modified.
func (g guardBuf) checkUnchanged(t testing.TB, what string, orig []float32) {
	t.Helper()
	g.checkGuards(t, what)
	for i, v := range g.data() {
		if math.Float32bits(v) != math.Float32bits(orig[i]) {
			t.Errorf("%s: input modified at [%d]: %v, was %v", what, i, v, orig[i])
			return
		}
	}
}

func fill(n int, v float32) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = v
	}
	return s
}

// randSlice returns n values uniform in [-1, 1).
func randSlice(rng *rand.Rand, n int) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = 2*rng.Float32() - 1
	}
	return s
}

// newRand returns a generator seeded by the test's name, so every test has
// its own fixed sequence.
func newRand(t testing.TB) *rand.Rand {
	h := fnv.New64a()
	h.Write([]byte(t.Name()))
	return rand.New(rand.NewPCG(h.Sum64(), 2026))
}

// forVariants runs f as a subtest for every kernel set.
func forVariants(t *testing.T, f func(t *testing.T, k *kernels)) {
	for _, k := range testVariants {
		t.Run(k.name, func(t *testing.T) { f(t, k) })
	}
}

func convName(s ConvShape) string {
	s = s.normalized()
	return fmt.Sprintf("N%d_%dx%dx%d_k%dx%dx%d_s%dx%d_d%dx%d_g%d_p%d.%d.%d.%d",
		s.N, s.H, s.W, s.C, s.KH, s.KW, s.OC, s.StrideH, s.StrideW, s.DilationH, s.DilationW,
		s.Groups, s.Pad.Top, s.Pad.Bottom, s.Pad.Left, s.Pad.Right)
}

func poolName(s PoolShape) string {
	s = s.normalized()
	return fmt.Sprintf("N%d_%dx%dx%d_k%dx%d_s%dx%d_p%d.%d.%d.%d",
		s.N, s.H, s.W, s.C, s.KH, s.KW, s.StrideH, s.StrideW, s.Pad.Top, s.Pad.Bottom, s.Pad.Left, s.Pad.Right)
}
