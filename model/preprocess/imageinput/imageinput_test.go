package imageinput

import (
	"image"
	"image/color"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/featuremap/featuremap/model/preprocess"
)

// TestImageKinds checks that every image kind gives the input its raw RGBA
// bytes give through preprocess.InputPixels (the oracle): in place for
// Gray, NRGBA and RGBA (also as sub-images, whose rows start mid-buffer),
// converted for the others.
func TestImageKinds(t *testing.T) {
	const w, h = 7, 5
	full := image.NewNRGBA(image.Rect(0, 0, w+3, h+2))
	for i := range full.Pix {
		full.Pix[i] = byte(i*37 + 11)
	}
	for y := 0; y < h+2; y++ {
		for x := 0; x < w+3; x++ {
			full.Pix[full.PixOffset(x, y)+3] = 255 // opaque: every kind holds the same colours
		}
	}
	sub := full.SubImage(image.Rect(2, 1, 2+w, 1+h)).(*image.NRGBA)
	packed := make([]byte, 0, w*h*4)
	gray := image.NewGray(image.Rect(0, 0, w, h))
	rgba := image.NewRGBA(image.Rect(0, 0, w, h))
	ycc := image.NewYCbCr(image.Rect(0, 0, w, h), image.YCbCrSubsampleRatio444)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			c := sub.NRGBAAt(2+x, 1+y)
			packed = append(packed, c.R, c.G, c.B, c.A)
			rgba.Set(x, y, c)
		}
	}
	spec := preprocess.Spec{Kind: preprocess.KindResize, H: 3, W: 4, C: 3}
	want := make([]float32, 3*4*3)
	if err := preprocess.InputPixels(want, packed, w, h, 4, spec); err != nil {
		t.Fatal(err)
	}
	for name, img := range map[string]image.Image{"NRGBA sub-image": sub, "RGBA": rgba} {
		got := make([]float32, len(want))
		if err := Input(got, img, spec); err != nil {
			t.Fatal(err)
		}
		for i := range got {
			if d := got[i] - want[i]; d > 1e-3 || d < -1e-3 {
				t.Fatalf("%s: input[%d] = %v, want %v", name, i, got[i], want[i])
			}
		}
	}
	// Gray and YCbCr (converted to NRGBA) against their own RGBA bytes.
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			gray.SetGray(x, y, color.Gray{uint8(x*30 + y*7)})
			ycc.Y[ycc.YOffset(x, y)], ycc.Cb[ycc.COffset(x, y)], ycc.Cr[ycc.COffset(x, y)] = uint8(x*30), uint8(100+y), uint8(140-x)
		}
	}
	for name, img := range map[string]image.Image{"Gray": gray, "YCbCr": ycc} {
		raw := make([]byte, 0, w*h*4)
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				c := color.NRGBAModel.Convert(img.At(x, y)).(color.NRGBA)
				raw = append(raw, c.R, c.G, c.B, c.A)
			}
		}
		if err := preprocess.InputPixels(want, raw, w, h, 4, spec); err != nil {
			t.Fatal(err)
		}
		got := make([]float32, len(want))
		if err := Input(got, img, spec); err != nil {
			t.Fatal(err)
		}
		for i := range got {
			if d := got[i] - want[i]; d > 1e-3 || d < -1e-3 {
				t.Fatalf("%s: input[%d] = %v, want %v", name, i, got[i], want[i])
			}
		}
	}
}

func TestEmptyImage(t *testing.T) {
	dst := make([]float32, 784)
	if err := MNIST(dst, image.NewGray(image.Rect(0, 0, 0, 5))); err == nil || !strings.Contains(err.Error(), "preprocess: MNIST: image size 0×5") {
		t.Errorf("empty image error = %v", err)
	}
	if err := Resize(dst, image.NewGray(image.Rect(0, 0, 1<<15+1, 1)), 1, 1, 1, preprocess.Norm{}); err == nil || !strings.Contains(err.Error(), "image size 32769×1") {
		t.Errorf("wide image error = %v", err)
	}
}

// TestInputReport: InputReport gives the input and the report that
// preprocess.InputPixelsReport (the oracle) gives on the image's RGBA bytes.
func TestInputReport(t *testing.T) {
	const w, h = 40, 30
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for i := range img.Pix {
		img.Pix[i] = 255 // white paper
	}
	for y := 8; y < 24; y++ { // a dark vertical stroke: a "1"
		for x := 18; x < 22; x++ {
			img.Set(x, y, color.RGBA{20, 20, 20, 255})
		}
	}
	spec := preprocess.Spec{Kind: preprocess.KindMNIST, H: 28, W: 28, C: 1}
	want := make([]float32, 784)
	wantRep, err := preprocess.InputPixelsReport(want, img.Pix, w, h, 4, spec)
	if err != nil {
		t.Fatal(err)
	}
	got := make([]float32, 784)
	rep, err := InputReport(got, img, spec)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, want) || !reflect.DeepEqual(rep, wantRep) {
		t.Errorf("InputReport gives %+v, InputPixelsReport %+v (inputs equal: %v)", rep, wantRep, slices.Equal(got, want))
	}
	if _, err := InputReport(got, image.NewRGBA(image.Rectangle{}), spec); err == nil {
		t.Error("InputReport of an empty image: no error")
	}
}
