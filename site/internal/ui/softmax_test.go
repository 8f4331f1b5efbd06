package ui

import (
	"math"
	"testing"
)

// TestSoftmax checks values worked by hand: softmax(1, 2, 3) =
// (e, e², e³) / (e + e² + e³) = (0.0900306, 0.2447285, 0.6652410).
func TestSoftmax(t *testing.T) {
	shifted, exps, p, sum := Softmax([]float32{1, 2, 3})
	want := []float64{0.0900306, 0.2447285, 0.6652410}
	for i := range want {
		if math.Abs(p[i]-want[i]) > 1e-7 {
			t.Errorf("p[%d] = %v, want %v", i, p[i], want[i])
		}
	}
	if shifted[0] != -2 || shifted[2] != 0 || exps[2] != 1 || math.Abs(sum-(1+math.Exp(-1)+math.Exp(-2))) > 1e-12 {
		t.Errorf("shifted %v, exps %v, sum %v", shifted, exps, sum)
	}
	// Large logits do not overflow: only their differences matter.
	if _, _, p, _ := Softmax([]float32{1000, 1000}); p[0] != 0.5 || p[1] != 0.5 {
		t.Errorf("softmax(1000, 1000) = %v, want 0.5, 0.5", p)
	}
}

func TestSig(t *testing.T) {
	for v, want := range map[float64]string{0: "0", 0.24472847: "0.2447", 1.2345678e-9: "1.235e-09", 1: "1", 22026.4658: "2.203e+04"} {
		if got := Sig(v, 4); got != want {
			t.Errorf("Sig(%v, 4) = %q, want %q", v, got, want)
		}
	}
}
