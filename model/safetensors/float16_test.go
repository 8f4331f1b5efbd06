package safetensors

import (
	"math"
	"math/rand/v2"
	"sort"
	"testing"
)

func TestFloat16Known(t *testing.T) {
	for _, tc := range []struct {
		h uint16
		f float32
	}{
		{0x0000, 0},
		{0x3c00, 1},
		{0xc000, -2},
		{0x3555, 0.333251953125},
		{0x7bff, 65504},
		{0x0400, 1.0 / (1 << 14)}, // smallest normal
		{0x0001, 1.0 / (1 << 24)}, // smallest subnormal
		{0x03ff, 1023.0 / (1 << 24)},
		{0x7c00, float32(math.Inf(1))},
		{0xfc00, float32(math.Inf(-1))},
	} {
		if got := Float16ToFloat32(tc.h); got != tc.f {
			t.Errorf("Float16ToFloat32(%#04x) = %v, want %v", tc.h, got, tc.f)
		}
		if got := Float32ToFloat16(tc.f); got != tc.h {
			t.Errorf("Float32ToFloat16(%v) = %#04x, want %#04x", tc.f, got, tc.h)
		}
	}
	if got := Float16ToFloat32(0x8000); got != 0 || !math.Signbit(float64(got)) {
		t.Errorf("Float16ToFloat32(0x8000) = %v, want -0", got)
	}
	if h := Float32ToFloat16(float32(math.NaN())); h&0x7c00 != 0x7c00 || h&0x3ff == 0 {
		t.Errorf("Float32ToFloat16(NaN) = %#04x, not a NaN", h)
	}
	if f := Float16ToFloat32(0x7e00); !math.IsNaN(float64(f)) {
		t.Errorf("Float16ToFloat32(0x7e00) = %v, want NaN", f)
	}
}

// TestFloat16Exhaustive: every binary16 value survives binary16 → binary32 →
// binary16 unchanged (NaNs stay NaNs).
func TestFloat16Exhaustive(t *testing.T) {
	for h := range 1 << 16 {
		f := Float16ToFloat32(uint16(h))
		back := Float32ToFloat16(f)
		if math.IsNaN(float64(f)) {
			if back&0x7c00 != 0x7c00 || back&0x3ff == 0 {
				t.Errorf("%#04x: NaN came back as %#04x", h, back)
			}
			continue
		}
		if back != uint16(h) {
			t.Errorf("%#04x → %v → %#04x", h, f, back)
		}
	}
}

// TestFloat16Rounding compares Float32ToFloat16 with a search for the
// nearest binary16 value (ties to even mantissa, overflow to infinity at
// 65520 = 65504 + half an ulp), on random values and on every midpoint.
func TestFloat16Rounding(t *testing.T) {
	// All non-negative finite binary16 values in increasing order.
	var vals []float64
	for h := range 0x7c00 {
		vals = append(vals, float64(Float16ToFloat32(uint16(h))))
	}
	nearest := func(x float64) uint16 {
		neg := x < 0
		x = math.Abs(x)
		var h uint16
		if x >= 65520 {
			h = 0x7c00
		} else {
			i := sort.SearchFloat64s(vals, x) // vals[i-1] < x <= vals[i]
			switch {
			case i == len(vals):
				h = uint16(i - 1)
			case vals[i] == x || i == 0:
				h = uint16(i)
			default:
				lo, hi := x-vals[i-1], vals[i]-x
				h = uint16(i)
				if lo < hi || lo == hi && (i-1)%2 == 0 {
					h = uint16(i - 1)
				}
			}
		}
		if neg {
			h |= 0x8000
		}
		return h
	}
	check := func(f float32) {
		if got, want := Float32ToFloat16(f), nearest(float64(f)); got != want {
			t.Errorf("Float32ToFloat16(%g) = %#04x, want %#04x", f, got, want)
		}
	}
	for i := 1; i < len(vals); i++ {
		mid := float32((vals[i-1] + vals[i]) / 2) // exact in binary32
		check(mid)
		check(-mid)
		check(math.Nextafter32(mid, 0))
		check(math.Nextafter32(mid, 1e9))
	}
	r := rand.New(rand.NewPCG(3, 4))
	for range 200000 {
		f := math.Float32frombits(r.Uint32())
		if math.IsNaN(float64(f)) || math.IsInf(float64(f), 0) {
			continue
		}
		check(f)
	}
	for _, f := range []float32{65519.99, 65520, 65536, 1e30, 1e-30, 2.9802322e-08, 2.9802326e-08} {
		check(f)
	}
}
