package preprocess

import (
	"image"
	"image/color"
	"math"
	"testing"
)

func report(t *testing.T, img image.Image) ([]float32, Report) {
	t.Helper()
	dst := make([]float32, Side*Side)
	rep, err := rasterOf(img).InputReport(dst, Spec{Kind: KindMNIST, H: Side, W: Side, C: 1, Norm: Norm{Scale: 1.0 / 255}})
	if err != nil {
		t.Fatal(err)
	}
	return dst, rep
}

// seven draws a 7 with a pen of radius 6 on a w×h white page at (x, y),
// 60 pixels wide and 100 tall.
func seven(m *image.Gray, x, y int) {
	drawStroke(m, image.Pt(x, y), image.Pt(x+60, y), 6, 0)
	drawStroke(m, image.Pt(x+60, y), image.Pt(x+20, y+100), 6, 0)
}

func maxDiff(a, b []float32) float64 {
	var d float64
	for i := range a {
		d = math.Max(d, math.Abs(float64(a[i]-b[i])))
	}
	return d
}

// TestPhotoConditions: the same 7 on an evenly lit page is the oracle; the
// page with letterbox bars, with a shadow edge across it and with ruled
// lines must give nearly the same field, with the findings reported.
func TestPhotoConditions(t *testing.T) {
	const w, h = 320, 240
	clean := grayCanvas(w, h, 230)
	seven(clean, 130, 70)
	want, rep := report(t, clean)
	if rep.Flags != 0 || rep.Kept != 1 || !rep.LightPaper || rep.Ink != (Rect{124, 64, 197, 177}) {
		t.Fatalf("clean page: %+v, want no flags, one component kept, light paper, ink box (124,64)-(197,177)", rep)
	}

	boxed := grayCanvas(w, h, 230) // bars of 30 rows, the page between
	seven(boxed, 130, 70)
	fill(boxed, image.Rect(0, 0, w, 30), color.Gray{0})
	fill(boxed, image.Rect(0, h-30, w, h), color.Gray{0})
	got, rep := report(t, boxed)
	if rep.Flags&Letterbox == 0 || rep.Content.Y0 < 30 || rep.Content.Y1 > h-30 || maxDiff(got, want) > 1e-6 {
		t.Errorf("letterbox: %+v, field differs by %.3g; want Letterbox, content inside the bars, the clean field", rep, maxDiff(got, want))
	}

	shadow := grayCanvas(w, h, 230) // the left 40 % at 45 % of the light, edge through the 7
	seven(shadow, 130, 70)
	for y := range h {
		for x := range w {
			if 3*y < 2*x-200 { // a slanted shadow edge
				continue
			}
			shadow.Pix[y*w+x] = uint8(float64(shadow.Pix[y*w+x]) * 0.45)
		}
	}
	got, rep = report(t, shadow)
	if rep.Flags&UnevenLight == 0 || rep.Flags&NotDigit != 0 || maxDiff(got, want) > 0.15 {
		t.Errorf("shadow: %+v, field differs by %.3g; want UnevenLight, a digit, within 0.15 of the clean field", rep, maxDiff(got, want))
	}

	ruled := grayCanvas(w, h, 230) // faint lines every 30 rows, across the page
	for y := 15; y < h; y += 30 {
		fill(ruled, image.Rect(0, y, w, y+2), color.Gray{185})
	}
	seven(ruled, 130, 70)
	got, rep = report(t, ruled)
	if rep.Flags&NotDigit != 0 || maxDiff(got, want) > 0.15 {
		t.Errorf("ruled: %+v, field differs by %.3g; want a digit within 0.15 of the clean field", rep, maxDiff(got, want))
	}
}

// TestReportFlags draws shapes whose findings are known by construction.
func TestReportFlags(t *testing.T) {
	page := func(draw func(m *image.Gray)) *image.Gray {
		m := grayCanvas(280, 280, 255)
		draw(m)
		return m
	}
	for _, tc := range []struct {
		name string
		img  *image.Gray
		want Flags // of NotDigit
	}{
		{"blank", page(func(*image.Gray) {}), Blank},
		{"dot", page(func(m *image.Gray) { drawStroke(m, image.Pt(100, 120), image.Pt(102, 121), 10, 0) }), Dot},
		{"filled disc", page(func(m *image.Gray) { drawStroke(m, image.Pt(140, 140), image.Pt(140, 140), 50, 0) }), Dot},
		{"horizontal line", page(func(m *image.Gray) { drawStroke(m, image.Pt(60, 140), image.Pt(220, 150), 8, 0) }), Line},
		{"a 1 (vertical line)", page(func(m *image.Gray) { drawStroke(m, image.Pt(140, 50), image.Pt(120, 230), 8, 0) }), 0},
		{"two 1s far apart", page(func(m *image.Gray) {
			drawStroke(m, image.Pt(40, 60), image.Pt(40, 200), 8, 0)
			drawStroke(m, image.Pt(220, 60), image.Pt(220, 200), 8, 0)
		}), Several},
		{"11 side by side", page(func(m *image.Gray) {
			drawStroke(m, image.Pt(110, 60), image.Pt(110, 200), 8, 0)
			drawStroke(m, image.Pt(150, 60), image.Pt(150, 200), 8, 0)
		}), Several},
		{"a 7", page(func(m *image.Gray) { seven(m, 100, 80) }), 0},
		{"a 5 with its bar apart", page(func(m *image.Gray) {
			drawStroke(m, image.Pt(110, 60), image.Pt(110, 130), 7, 0)
			drawStroke(m, image.Pt(110, 130), image.Pt(170, 150), 7, 0)
			drawStroke(m, image.Pt(170, 150), image.Pt(150, 220), 7, 0)
			drawStroke(m, image.Pt(150, 220), image.Pt(100, 210), 7, 0)
			drawStroke(m, image.Pt(125, 50), image.Pt(180, 50), 7, 0) // 15 pixels right of the stem's top
		}), 0},
	} {
		_, rep := report(t, tc.img)
		if got := rep.Flags & NotDigit; got != tc.want {
			t.Errorf("%s: findings %v (report %+v), want %v", tc.name, got, rep, tc.want)
		}
	}
}

// TestReportResize: other kinds report nothing.
func TestReportResize(t *testing.T) {
	dst := make([]float32, 4*4*3)
	rep, err := rasterOf(grayCanvas(8, 8, 9)).InputReport(dst, Spec{H: 4, W: 4, C: 3})
	if err != nil || rep != (Report{}) {
		t.Errorf("resize: %+v, %v; want a zero Report", rep, err)
	}
}

func TestFlagNames(t *testing.T) {
	if got := (Blank | Several).String(); got != "blank|several" {
		t.Errorf("String() = %q", got)
	}
	for f, want := range map[Flags]string{0: `[]`, Dot: `["dot"]`, Letterbox | Line: `["letterbox","line"]`} {
		if got, err := f.MarshalJSON(); err != nil || string(got) != want {
			t.Errorf("%v: MarshalJSON = %s, %v; want %s", f, got, err, want)
		}
	}
	if n := len(flagNames); Flags(1)<<n <= Several || Flags(1)<<(n-1) != Several {
		t.Errorf("%d names for the flags up to Several", n)
	}
}
