package preprocess

import (
	"image"
	"image/color"
	"math"
	"strings"
	"testing"
)

func resizeRaw(t *testing.T, pix []byte, w, h, ch, oh, ow, oc int, n Norm) []float32 {
	t.Helper()
	dst := make([]float32, oh*ow*oc)
	if err := ResizePixels(dst, pix, w, h, ch, oh, ow, oc, n); err != nil {
		t.Fatal(err)
	}
	return dst
}

func near(a, b []float32, tol float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if math.Abs(float64(a[i]-b[i])) > tol {
			return false
		}
	}
	return true
}

// TestResizeTF: tf.image.resize([[0, 1], [2, 3]], [4, 4], "bilinear")
// (half-pixel centres), worked by hand.
func TestResizeTF(t *testing.T) {
	got := resizeRaw(t, []byte{0, 1, 2, 3}, 2, 2, 1, 4, 4, 1, Norm{})
	want := []float32{
		0, 0.25, 0.75, 1,
		0.5, 0.75, 1.25, 1.5,
		1.5, 1.75, 2.25, 2.5,
		2, 2.25, 2.75, 3,
	}
	if !near(got, want, 1e-5) {
		t.Errorf("upscale = %v, want %v", got, want)
	}
	// Halving samples at source positions 0.5 and 2.5: pair means.
	if got := resizeRaw(t, []byte{0, 10, 20, 40}, 4, 1, 1, 1, 2, 1, Norm{}); !near(got, []float32{5, 30}, 1e-5) {
		t.Errorf("downscale = %v, want [5 30]", got)
	}
	// Same size is the identity.
	if got := resizeRaw(t, []byte{9, 8, 7, 6, 5, 4}, 3, 2, 1, 2, 3, 1, Norm{}); !near(got, []float32{9, 8, 7, 6, 5, 4}, 0) {
		t.Errorf("identity = %v", got)
	}
}

func TestResizeChannels(t *testing.T) {
	red := []byte{255, 0, 0}
	if got := resizeRaw(t, red, 1, 1, 3, 1, 1, 1, Norm{}); !near(got, []float32{0.299 * 255}, 1e-3) {
		t.Errorf("red to luma = %v, want %v", got, 0.299*255)
	}
	if got := resizeRaw(t, []byte{100}, 1, 1, 1, 1, 1, 3, Norm{}); !near(got, []float32{100, 100, 100}, 0) {
		t.Errorf("gray to RGB = %v", got)
	}
	// Half-transparent black over white is mid gray; RGBA keeps colour.
	if got := resizeRaw(t, []byte{0, 0, 0, 0, 10, 20, 30, 255}, 2, 1, 4, 1, 2, 3, Norm{}); !near(got, []float32{255, 255, 255, 10, 20, 30}, 1e-4) {
		t.Errorf("RGBA = %v", got)
	}
	// Normalisation per channel: (v/255 - mean) / std.
	n := Norm{Scale: 1.0 / 255, Mean: []float32{0.5, 0, 1}, Std: []float32{0.5, 2, 1}}
	if got := resizeRaw(t, []byte{255, 51, 0}, 1, 1, 3, 1, 1, 3, n); !near(got, []float32{1, 0.1, -1}, 1e-6) {
		t.Errorf("normalised = %v, want [1 0.1 -1]", got)
	}
	// image.Image path, with a single Mean broadcast to all channels.
	img := image.NewRGBA(image.Rect(0, 0, 1, 1))
	img.Set(0, 0, color.RGBA{10, 20, 30, 255})
	dst := make([]float32, 3)
	if err := Resize(dst, img, 1, 1, 3, Norm{Mean: []float32{10}}); err != nil || !near(dst, []float32{0, 10, 20}, 1e-5) {
		t.Errorf("Resize(image) = %v, %v", dst, err)
	}
}

func TestResizeErrors(t *testing.T) {
	pix := make([]byte, 4)
	for _, tc := range []struct {
		dst        []float32
		oh, ow, oc int
		n          Norm
		want       string
	}{
		{make([]float32, 4), 0, 4, 1, Norm{}, "output size 0×4"},
		{make([]float32, 4), 2, 2, 2, Norm{}, "output channels 2, want 1 or 3"},
		{make([]float32, 5), 2, 2, 1, Norm{}, "dst has 5 elements, want 2×2×1 = 4"},
		{make([]float32, 12), 2, 2, 3, Norm{Mean: []float32{1, 2}}, "Norm.Mean has 2 values, want 0, 1 or 3"},
		{make([]float32, 4), 2, 2, 1, Norm{Std: []float32{0}}, "Norm.Std [0], want nonzero values"},
	} {
		if err := ResizePixels(tc.dst, pix, 2, 2, 1, tc.oh, tc.ow, tc.oc, tc.n); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("ResizePixels error = %v, want %q", err, tc.want)
		}
	}
}

func TestResizeAllocs(t *testing.T) {
	pix := make([]byte, 300*200*4)
	dst := make([]float32, 227*227*3)
	n := Norm{Scale: 1, Mean: []float32{123.68, 116.78, 103.94}}
	if a := testing.AllocsPerRun(3, func() { _ = ResizePixels(dst, pix, 300, 200, 4, 227, 227, 3, n) }); a != 0 {
		t.Errorf("ResizePixels allocates %v times per run, want 0", a)
	}
}
