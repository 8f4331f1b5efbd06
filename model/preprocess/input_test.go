package preprocess

import (
	"image"
	"image/color"
	"strings"
	"testing"
)

func TestInputMNIST(t *testing.T) {
	img := grayCanvas(60, 60, 255)
	fill(img, image.Rect(10, 10, 30, 50), color.Gray{0})
	u := run(t, img)
	for _, tc := range []struct {
		norm Norm
		want func(u float32) float32
	}{
		{Norm{Scale: 1.0 / 255}, func(u float32) float32 { return u }},
		{Norm{}, func(u float32) float32 { return 255 * u }},
		{Norm{Invert: true, Scale: 1.0 / 255}, func(u float32) float32 { return 1 - u }},
		{Norm{Scale: 1.0 / 255, Mean: []float32{0.1307}, Std: []float32{0.3081}}, func(u float32) float32 { return (u - 0.1307) / 0.3081 }},
	} {
		dst := make([]float32, Side*Side)
		if err := Input(dst, img, Spec{Kind: KindMNIST, H: 28, W: 28, C: 1, Norm: tc.norm}); err != nil {
			t.Fatal(err)
		}
		for i := range dst {
			if w := tc.want(u[i]); !near(dst[i:i+1], []float32{w}, 1e-4) {
				t.Fatalf("%+v: dst[%d] = %v, want %v", tc.norm, i, dst[i], w)
			}
		}
	}
}

func TestInputResize(t *testing.T) {
	dst := make([]float32, 3)
	s := Spec{H: 1, W: 1, C: 3, Norm: Norm{Invert: true, Mean: []float32{1, 2, 3}}}
	if err := InputPixels(dst, []byte{55, 5, 255}, 1, 1, 3, s); err != nil || !near(dst, []float32{199, 248, -3}, 1e-5) {
		t.Errorf("InputPixels = %v, %v; want [199 248 -3]", dst, err)
	}
	pix := make([]byte, 64*48*4)
	big := make([]float32, 28*28)
	mn := Spec{Kind: KindMNIST, H: 28, W: 28, C: 1, Norm: Norm{Scale: 1.0 / 255}}
	if a := testing.AllocsPerRun(3, func() { _ = InputPixels(big, pix, 64, 48, 4, mn) }); a != 0 && !raceEnabled {
		t.Errorf("InputPixels allocates %v times per run, want 0", a)
	}
}

func TestInputErrors(t *testing.T) {
	pix := []byte{1, 2, 3, 4}
	for _, tc := range []struct {
		dst  []float32
		s    Spec
		want string
	}{
		{make([]float32, 4), Spec{Kind: "crop", H: 2, W: 2, C: 1}, `kind "crop", want "resize" or "mnist"`},
		{make([]float32, 4), Spec{Kind: KindMNIST, H: 2, W: 2, C: 1}, `kind "mnist" needs a 28×28×1 input, have 2×2×1`},
		{make([]float32, 10), Spec{Kind: KindMNIST, H: 28, W: 28, C: 1}, "dst has 10 elements, want 784"},
		{make([]float32, 784), Spec{Kind: KindMNIST, H: 28, W: 28, C: 1, Norm: Norm{Std: []float32{0}}}, "Norm.Std [0]"},
		{make([]float32, 12), Spec{H: 2, W: 2, C: 3, Norm: Norm{Std: []float32{1, 1}}}, "Norm.Std has 2 values, want 0, 1 or 3"},
	} {
		if err := InputPixels(tc.dst, pix, 2, 2, 1, tc.s); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("InputPixels(%+v) error = %v, want %q", tc.s, err, tc.want)
		}
	}
}

// TestInputRGBAInPlace: a premultiplied *image.RGBA (what the PNG decoder
// returns for RGB files) gives what its NRGBA equivalent gives, to the
// rounding of the premultiplied bytes, and is read without a copy.
func TestInputRGBAInPlace(t *testing.T) {
	const w, h = 37, 23
	rgba, nrgba := image.NewRGBA(image.Rect(0, 0, w, h)), image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			c := color.NRGBA{uint8(7 * x), uint8(11 * y), uint8(x * y), uint8(255 - 3*x)}
			if x > 10 && x < 20 && y > 5 && y < 18 {
				c = color.NRGBA{20, 20, 20, 255} // a dark stroke
			}
			nrgba.SetNRGBA(x, y, c)
			rgba.Set(x, y, c) // premultiplies
		}
	}
	for _, s := range []Spec{
		{Kind: KindMNIST, H: 28, W: 28, C: 1, Norm: Norm{Scale: 1.0 / 255}},
		{H: 9, W: 13, C: 3, Norm: Norm{Scale: 1.0 / 255}},
		{H: 9, W: 13, C: 1, Norm: Norm{Scale: 1.0 / 255}},
	} {
		got, want := make([]float32, s.H*s.W*s.C), make([]float32, s.H*s.W*s.C)
		if err := Input(got, rgba, s); err != nil {
			t.Fatal(err)
		}
		if err := Input(want, nrgba, s); err != nil {
			t.Fatal(err)
		}
		if !near(got, want, 3.0/255) { // a premultiplied byte is within 0.5 of c·a
			t.Errorf("%+v: RGBA input %v, NRGBA input %v", s, got, want)
		}
		if a := testing.AllocsPerRun(3, func() { _ = Input(got, rgba, s) }); a != 0 && !raceEnabled {
			t.Errorf("%+v: Input(*image.RGBA) allocates %v times per run, want 0", s, a)
		}
	}
}

func TestCheckSize(t *testing.T) {
	for _, tc := range []struct {
		s  Spec
		ok bool
	}{
		{Spec{H: 28, W: 28, C: 1}, true},
		{Spec{H: 8192, W: 8192, C: 3}, true}, // exactly MaxPixels
		{Spec{H: 8192, W: 8193, C: 3}, false},
		{Spec{H: 32768, W: 32768, C: 1}, false},
		{Spec{H: 1 << 62, W: 1 << 62, C: 1}, false}, // no overflow
		{Spec{H: 0, W: 5, C: 1}, false},
		{Spec{H: 5, W: 5, C: 0}, false},
	} {
		if err := tc.s.CheckSize(MaxPixels); (err == nil) != tc.ok {
			t.Errorf("%+v: CheckSize = %v, want ok %v", tc.s, err, tc.ok)
		}
	}
}
