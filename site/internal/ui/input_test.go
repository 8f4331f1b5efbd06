package ui

import (
	"slices"
	"testing"
)

// Normalize against values worked by hand.
func TestNormalize(t *testing.T) {
	// Two pixels: gray 51, and pure red.
	rgba := []byte{51, 51, 51, 255, 255, 0, 0, 255}
	gray := Normalize(rgba, 1, Norm{Scale: 0.5})
	if want := []float32{25.5, 0.299 * 255 * 0.5}; gray[0] != want[0] || gray[1]-want[1] > 1e-4 || want[1]-gray[1] > 1e-4 {
		t.Errorf("C=1: %v, want %v", gray, want)
	}
	inv := Normalize(rgba[:4], 1, Norm{Invert: true, Scale: 1, Mean: []float32{4}, Std: []float32{2}})
	if want := []float32{(255 - 51 - 4) / 2.0}; !slices.Equal(inv, want) {
		t.Errorf("C=1 inverted: %v, want %v", inv, want)
	}
	rgb := Normalize(rgba, 3, Norm{Scale: 1, Mean: []float32{1, 2, 3}, Std: []float32{1, 2, 4}})
	if want := []float32{50, 49.0 / 2, 48.0 / 4, 254, -1, -0.75}; !slices.Equal(rgb, want) {
		t.Errorf("C=3: %v, want %v", rgb, want)
	}
}

func TestInkBox(t *testing.T) {
	const w, h = 5, 4
	img := make([]byte, 4*w*h)
	for i := range img {
		img[i] = 255
	}
	if _, _, _, _, ok := InkBox(img, w, h, true); ok {
		t.Error("blank image has ink")
	}
	for _, p := range [][2]int{{1, 2}, {3, 1}} {
		img[4*(p[1]*w+p[0])+1] = 0
	}
	x0, y0, x1, y1, ok := InkBox(img, w, h, true)
	if !ok || x0 != 1 || y0 != 1 || x1 != 4 || y1 != 3 {
		t.Errorf("InkBox = %d %d %d %d %v, want 1 1 4 3 true", x0, y0, x1, y1, ok)
	}
	if x0, y0, x1, y1, _ := InkBox(img, w, h, false); x0 != 0 || y0 != 0 || x1 != w || y1 != h {
		t.Errorf("light ink: %d %d %d %d, want the whole image", x0, y0, x1, y1)
	}
}
