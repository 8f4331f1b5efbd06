package float16

import (
	"math"
	"testing"
)

// reference decodes binary16 from its definition: (-1)^s × 2^(e-15) × 1.m,
// or 2⁻¹⁴ × 0.m for subnormals, in float64.
func reference(h uint16) float64 {
	s, e, m := h>>15, int(h>>10)&0x1f, float64(h&0x3ff)
	v := math.Ldexp(1+m/1024, e-15)
	switch e {
	case 0:
		v = math.Ldexp(m/1024, -14)
	case 0x1f:
		v = math.Inf(1)
		if m != 0 {
			v = math.NaN()
		}
	}
	if s == 1 {
		v = -v
	}
	return v
}

// TestExhaustive: every binary16 value decodes to the value its definition
// gives, and encodes back to the same bits (NaNs stay NaNs).
func TestExhaustive(t *testing.T) {
	for h := range 1 << 16 {
		f := ToFloat32(uint16(h))
		want := reference(uint16(h))
		back := FromFloat32(f)
		if math.IsNaN(want) {
			if !math.IsNaN(float64(f)) || back&0x7c00 != 0x7c00 || back&0x3ff == 0 {
				t.Errorf("%#04x: NaN decoded as %v, encoded back as %#04x", h, f, back)
			}
			continue
		}
		if float64(f) != want || math.Signbit(float64(f)) != math.Signbit(want) {
			t.Errorf("ToFloat32(%#04x) = %v, want %v", h, f, want)
		}
		if back != uint16(h) {
			t.Errorf("%#04x → %v → %#04x", h, f, back)
		}
	}
}

// TestRounding: float32 values between two binary16 neighbours round to the
// nearer, ties to the even one; overflow goes to infinity.
func TestRounding(t *testing.T) {
	for _, tc := range []struct {
		f float32
		h uint16
	}{
		{1 + 1.0/2048, 0x3c00},               // tie between 1 and 1+2⁻¹⁰: even (1)
		{1 + 3.0/2048, 0x3c02},               // tie between 1+2⁻¹⁰ and 1+2⁻⁹: even
		{1 + 1.0/2048 + 1.0/(1<<20), 0x3c01}, // just above the tie
		{65520, 0x7c00},                      // rounds past 65504
		{65519, 0x7bff},
		{1.0 / (1 << 25), 0x0000}, // half the smallest subnormal: tie to even (0)
		{1.5 / (1 << 25), 0x0001},
		{-1.0 / (1 << 26), 0x8000},
	} {
		if got := FromFloat32(tc.f); got != tc.h {
			t.Errorf("FromFloat32(%v) = %#04x, want %#04x", tc.f, got, tc.h)
		}
	}
}
