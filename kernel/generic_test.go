package kernel

import (
	"math"
	"testing"
)

// TestBranchFree checks relu32 and max32 against the builtin max on every
// pair of special and ordinary values, bit for bit (signed zeros included).
func TestBranchFree(t *testing.T) {
	negZero := float32(math.Copysign(0, -1))
	inf := float32(math.Inf(1))
	vals := []float32{0, negZero, 1, -1, 3.5, -3.5, 1e-45, -1e-45, 1.1754944e-38, -1.1754944e-38,
		math.MaxFloat32, -math.MaxFloat32, inf, -inf, 0.1, -0.1, 2, -2}
	for _, a := range vals {
		if got, want := relu32(a), max(a, 0); math.Float32bits(got) != math.Float32bits(want) {
			t.Errorf("relu32(%v) = %v, want %v", a, got, want)
		}
		for _, b := range vals {
			if got, want := max32(a, b), max(a, b); math.Float32bits(got) != math.Float32bits(want) {
				t.Errorf("max32(%v, %v) = %v, want %v", a, b, got, want)
			}
		}
	}
	for _, bits := range []uint32{0x7fc0_0000, 0xffc0_0000, 0x7f80_0001, 0xff80_0001} {
		nan := math.Float32frombits(bits)
		if got := math.Float32bits(relu32(nan)); got != bits {
			t.Errorf("relu32(NaN %#x) = %#x, want the NaN unchanged", bits, got)
		}
	}
}
