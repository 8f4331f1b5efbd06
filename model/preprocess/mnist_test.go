package preprocess

import (
	"image"
	"image/color"
	"image/draw"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

func grayCanvas(w, h int, bg uint8) *image.Gray {
	m := image.NewGray(image.Rect(0, 0, w, h))
	for i := range m.Pix {
		m.Pix[i] = bg
	}
	return m
}

func fill(m draw.Image, r image.Rectangle, c color.Color) {
	draw.Draw(m, r, image.NewUniform(c), image.Point{}, draw.Src)
}

func run(t *testing.T, img image.Image) []float32 {
	t.Helper()
	dst := make([]float32, Side*Side)
	if err := MNIST(dst, img); err != nil {
		t.Fatal(err)
	}
	return dst
}

// TestMNISTBox: a 40×80 bar scales by 20/80 to 10×20, whose centre of mass
// (5, 10) goes to (14, 14): ones in rows 4–23, columns 9–18.
func TestMNISTBox(t *testing.T) {
	want := make([]float32, Side*Side)
	for y := 4; y < 24; y++ {
		for x := 9; x < 19; x++ {
			want[y*Side+x] = 1
		}
	}
	bar := image.Rect(30, 20, 70, 100)

	light := grayCanvas(200, 150, 0)
	fill(light, bar, color.Gray{255})
	dark := grayCanvas(200, 150, 255)
	fill(dark, bar, color.Gray{0})
	clear := image.NewNRGBA(image.Rect(0, 0, 200, 150)) // transparent, black ink
	fill(clear, bar, color.NRGBA{0, 0, 0, 255})
	premul := image.NewRGBA(image.Rect(0, 0, 200, 150)) // opaque black, white ink
	fill(premul, premul.Rect, color.Black)
	fill(premul, bar, color.White)
	photo := image.NewNRGBA(image.Rect(0, 0, 200, 150)) // gray paper, blue ink
	fill(photo, photo.Rect, color.NRGBA{200, 200, 190, 255})
	fill(photo, bar, color.NRGBA{20, 30, 120, 255})
	sub := grayCanvas(300, 300, 0) // a sub-image with an offset origin and stride
	fill(sub, bar.Add(image.Pt(50, 60)), color.Gray{255})

	for name, img := range map[string]image.Image{
		"light on dark": light, "dark on light": dark, "transparent canvas": clear,
		"RGBA": premul, "coloured": photo, "sub-image": sub.SubImage(image.Rect(50, 60, 250, 210)),
	} {
		got := run(t, img)
		for i := range want {
			if math.Abs(float64(got[i]-want[i])) > 1e-6 {
				t.Errorf("%s: dst[%d,%d] = %v, want %v", name, i/Side, i%Side, got[i], want[i])
				break
			}
		}
	}

	// The raw ImageData path gives the same as the image path.
	raw := make([]float32, Side*Side)
	if err := MNISTPixels(raw, clear.Pix, 200, 150, 4); err != nil {
		t.Fatal(err)
	}
	for i := range want {
		if raw[i] != want[i] {
			t.Fatalf("MNISTPixels: dst[%d] = %v, want %v", i, raw[i], want[i])
		}
	}
}

// centreOfMass returns the intensity-weighted mean pixel index.
func centreOfMass(v []float32) (cx, cy float64) {
	var m float64
	for i, x := range v {
		m += float64(x)
		cx += float64(x) * float64(i%Side)
		cy += float64(x) * float64(i/Side)
	}
	return cx / m, cy / m
}

// drawStroke paints a pen of radius r along the segment a→b.
func drawStroke(m *image.Gray, a, b image.Point, r float64, ink uint8) {
	steps := int(math.Hypot(float64(b.X-a.X), float64(b.Y-a.Y))) + 1
	for s := 0; s <= steps; s++ {
		cx := float64(a.X) + float64(b.X-a.X)*float64(s)/float64(steps)
		cy := float64(a.Y) + float64(b.Y-a.Y)*float64(s)/float64(steps)
		for y := int(cy - r); y <= int(cy+r); y++ {
			for x := int(cx - r); x <= int(cx+r); x++ {
				if image.Pt(x, y).In(m.Rect) && math.Hypot(float64(x)-cx, float64(y)-cy) <= r {
					m.SetGray(x, y, color.Gray{ink})
				}
			}
		}
	}
}

// TestMNISTInvariants draws random strokes on random canvases and checks
// the output: values in [0, 1] with peak 1, the ink's longer side 20 pixels
// (±1 for the fringe), the centre of mass within half a pixel of pixel
// (14, 14) (where MNIST's own digits have it, in [13.5, 14.5)),
// and the same result for the inverted image.
func TestMNISTInvariants(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	for iter := range 60 {
		w, h := 30+r.IntN(300), 30+r.IntN(300)
		img := grayCanvas(w, h, 0)
		pen := 0.5 + r.Float64()*float64(min(w, h))/20
		for range 1 + r.IntN(3) {
			drawStroke(img, image.Pt(r.IntN(w), r.IntN(h)), image.Pt(r.IntN(w), r.IntN(h)), pen, 255)
		}
		got := run(t, img)
		var peak float32
		x0, y0, x1, y1 := Side, Side, 0, 0
		for i, v := range got {
			if v < 0 || v > 1 {
				t.Fatalf("iter %d: dst[%d] = %v outside [0, 1]", iter, i, v)
			}
			peak = max(peak, v)
			if v > inkThreshold {
				x0, x1, y0, y1 = min(x0, i%Side), max(x1, i%Side+1), min(y0, i/Side), max(y1, i/Side+1)
			}
		}
		if peak != 1 {
			t.Errorf("iter %d: peak %v, want 1", iter, peak)
		}
		if side := max(x1-x0, y1-y0); side < Box-1 || side > Box {
			t.Errorf("iter %d: ink box %d×%d, want the longer side %d", iter, x1-x0, y1-y0, Box)
		}
		if cx, cy := centreOfMass(got); cx < 13.5-1e-9 || cx >= 14.5 || cy < 13.5-1e-9 || cy >= 14.5 {
			t.Errorf("iter %d: centre of mass (%.3f, %.3f), want in [13.5, 14.5)", iter, cx, cy)
		}
		for i := range img.Pix {
			img.Pix[i] = 255 - img.Pix[i]
		}
		inv := run(t, img)
		for i := range got {
			if math.Abs(float64(inv[i]-got[i])) > 1e-5 {
				t.Fatalf("iter %d: inverted image differs at %d: %v vs %v", iter, i, inv[i], got[i])
			}
		}
	}
}

func TestMNISTBlank(t *testing.T) {
	dst := make([]float32, Side*Side)
	for i := range dst {
		dst[i] = 7
	}
	img := grayCanvas(50, 40, 128)
	img.Pix[100] = 150 // below the contrast threshold
	if err := MNIST(dst, img); err != nil {
		t.Fatal(err)
	}
	for i, v := range dst {
		if v != 0 {
			t.Fatalf("blank image: dst[%d] = %v, want 0", i, v)
		}
	}
}

func TestMNISTErrors(t *testing.T) {
	dst := make([]float32, Side*Side)
	for _, tc := range []struct {
		dst      []float32
		pix      []byte
		w, h, ch int
		want     string
	}{
		{dst, make([]byte, 8), 2, 2, 2, "channels 2, want 1 (gray), 3 (RGB) or 4 (RGBA)"},
		{dst, nil, 0, 2, 1, "size 0×2"},
		{dst, make([]byte, 15), 2, 2, 4, "pix has 15 bytes, want width×height×channels = 2×2×4 = 16"},
		{dst[:783], make([]byte, 4), 2, 2, 1, "dst has 783 elements, want at least 784"},
	} {
		if err := MNISTPixels(tc.dst, tc.pix, tc.w, tc.h, tc.ch); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("MNISTPixels error = %v, want %q", err, tc.want)
		}
	}
}

func TestMNISTAllocs(t *testing.T) {
	img := image.NewNRGBA(image.Rect(0, 0, 280, 280))
	fill(img, image.Rect(100, 60, 140, 200), color.NRGBA{0, 0, 0, 255})
	dst := make([]float32, Side*Side)
	if n := testing.AllocsPerRun(5, func() { _ = MNISTPixels(dst, img.Pix, 280, 280, 4) }); n != 0 && !raceEnabled {
		t.Errorf("MNISTPixels allocates %v times per run, want 0", n)
	}
}
