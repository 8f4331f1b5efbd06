package ui

import (
	"slices"
	"testing"
)

func TestNotDigitReason(t *testing.T) {
	for _, tc := range []struct {
		reason string
		margin float32
		want   string
	}{
		{"dot", 0.9, "The ink is a dot: too small or too round to be a digit."},
		// 0.599 is 59.9 points: rounded down, never "60 … (needs 60)".
		{"uncertain", 0.599, "The network is unsure: its top two answers are only 59 percentage points apart (a digit needs 60)."},
		{"uncertain", 0.05, "The network is unsure: its top two answers are only 5 percentage points apart (a digit needs 60)."},
		{"smudge", 0, "It does not look like one digit (smudge)."},
	} {
		if got := NotDigitReason(tc.reason, tc.margin, 0.6); got != tc.want {
			t.Errorf("NotDigitReason(%q, %v) = %q, want %q", tc.reason, tc.margin, got, tc.want)
		}
	}
}

func TestSeenNote(t *testing.T) {
	got := SeenNote([]string{"letterbox", "uneven-light", "dot"}, true)
	want := "Cropped to the ink, scaled into 20×20 and centred by mass, as MNIST's digits were; letterbox bars cut off; uneven light and shadows flattened; inverted (MNIST has light ink on black)."
	if got != want {
		t.Errorf("SeenNote = %q, want %q", got, want)
	}
}

func TestGrayscale(t *testing.T) {
	// -1 → 0, 0 → 127.5 → 128, 1 → 255.
	if got, want := Grayscale([]float32{-1, 0, 1}), []byte{0, 0, 0, 255, 128, 128, 128, 255, 255, 255, 255, 255}; !slices.Equal(got, want) {
		t.Errorf("Grayscale(-1, 0, 1) = %v, want %v", got, want)
	}
	if got := Grayscale([]float32{0, 0}); !slices.Equal(got, []byte{0, 0, 0, 255, 0, 0, 0, 255}) {
		t.Errorf("Grayscale of a flat map = %v, want black", got)
	}
}
