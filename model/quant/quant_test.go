package quant

import (
	"math"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
)

func TestQuantizeHand(t *testing.T) {
	// Channels (last axis, 2): {1, 0.25} and {-1, 4}.
	w := []float32{1, -1, 0.25, 4}
	q, s, err := QuantizeInt8PerChannel(w, 2)
	if err != nil {
		t.Fatal(err)
	}
	if want := []int8{127, -32, 32, 127}; !reflect.DeepEqual(q, want) {
		t.Errorf("q = %v, want %v", q, want)
	}
	if want := []float32{float32(1) / 127, float32(4) / 127}; !reflect.DeepEqual(s, want) {
		t.Errorf("scales = %v, want %v", s, want)
	}
	e, err := Measure(w, q, s)
	if err != nil {
		t.Fatal(err)
	}
	// |0.25 - 32/127| = 0.25/127 and |-1 + 128/127| = 1/127.
	if math.Abs(e.MaxAbs-1.0/127) > 1e-7 || math.Abs(e.MaxRel-0.25/127) > 1e-7 {
		t.Errorf("Measure = %+v, want MaxAbs %v, MaxRel %v", e, 1.0/127, 0.25/127)
	}
}

// TestQuantizeRandom checks the invariants on random tensors: every element
// within half a step of its value, zero exact, the largest magnitude of each
// channel mapped to ±127, signs kept.
func TestQuantizeRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	for iter := range 200 {
		channels := 1 + r.IntN(17)
		n := channels * (1 + r.IntN(40))
		mag := math.Pow(10, float64(r.IntN(9)-6))
		w := make([]float32, n)
		for i := range w {
			if r.IntN(5) > 0 {
				w[i] = float32(r.NormFloat64() * mag)
			}
		}
		q, s, err := QuantizeInt8PerChannel(w, channels)
		if err != nil {
			t.Fatal(err)
		}
		d, err := Dequantize(q, s)
		if err != nil {
			t.Fatal(err)
		}
		peak := make([]int8, channels)
		for i, v := range w {
			c := i % channels
			if diff := math.Abs(float64(v) - float64(d[i])); diff > float64(s[c])/2*(1+1e-5) {
				t.Fatalf("iter %d: w[%d] = %v → %v, error %v > scale/2 = %v", iter, i, v, d[i], diff, s[c]/2)
			}
			if v == 0 && (q[i] != 0 || d[i] != 0) {
				t.Fatalf("iter %d: zero w[%d] → q %d, w' %v", iter, i, q[i], d[i])
			}
			if v*float32(q[i]) < 0 {
				t.Fatalf("iter %d: w[%d] = %v changed sign: q = %d", iter, i, v, q[i])
			}
			peak[c] = max(peak[c], q[i], -q[i])
		}
		for c, p := range peak {
			if s[c] != 0 && p != 127 {
				t.Fatalf("iter %d: channel %d peaks at |q| = %d, want 127", iter, c, p)
			}
		}
		e, err := Measure(w, q, s)
		if err != nil {
			t.Fatal(err)
		}
		if e.MaxRel > 1.0/254*(1+1e-5) {
			t.Errorf("iter %d: MaxRel = %v > 1/254", iter, e.MaxRel)
		}
	}
}

func TestQuantizeZeroChannel(t *testing.T) {
	w := []float32{0, 3, 0, -6}
	q, s, err := QuantizeInt8PerChannel(w, 2)
	if err != nil {
		t.Fatal(err)
	}
	if s[0] != 0 || q[0] != 0 || q[2] != 0 {
		t.Errorf("all-zero channel: scale %v, q %v; want scale 0, q 0", s[0], q)
	}
	d, _ := Dequantize(q, s)
	if d[0] != 0 || d[2] != 0 {
		t.Errorf("all-zero channel dequantised to %v", d)
	}
	if e, _ := Measure(w, q, s); e.MaxAbs > 6.0/254*(1+1e-6) || math.IsNaN(e.MaxRel) {
		t.Errorf("Measure = %+v", e)
	}
}

func TestQuantizeErrors(t *testing.T) {
	for _, tc := range []struct {
		w        []float32
		channels int
		want     string
	}{
		{[]float32{1, float32(math.NaN())}, 1, "w[1] = NaN, want a finite value"},
		{[]float32{float32(math.Inf(-1))}, 1, "w[0] = -Inf"},
		{[]float32{1, 2, 3}, 2, "2 channels, want a positive number dividing the 3 elements"},
		{[]float32{1}, 0, "0 channels"},
	} {
		if _, _, err := QuantizeInt8PerChannel(tc.w, tc.channels); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("QuantizeInt8PerChannel(%v, %d) error = %v, want %q", tc.w, tc.channels, err, tc.want)
		}
	}
	if _, err := Dequantize([]int8{1, 2, 3}, []float32{1, 1}); err == nil {
		t.Error("Dequantize with 2 scales for 3 values: no error")
	}
	if _, err := Measure([]float32{1, 2}, []int8{1}, []float32{1}); err == nil || !strings.Contains(err.Error(), "len(q) = 1") {
		t.Errorf("Measure length mismatch error = %v", err)
	}
}
