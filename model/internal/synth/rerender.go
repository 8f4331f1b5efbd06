// Package synth makes test images from MNIST digits and from strokes: digits
// re-rendered as drawn on a canvas (Rerender) or photographed on paper
// (Photo), and drawings that are not digits (NonDigit). Everything is
// deterministic given the random source. Tests only.
package synth

import (
	"image"
	"math"
	"math/rand/v2"

	"github.com/featuremap/featuremap/model/mnist"
)

// CanvasSide is the side of the canvases digits are re-rendered onto.
const CanvasSide = 280

// Rerender draws MNIST digit i onto a CanvasSide² gray canvas the way a
// person might: scaled so the 28×28 field spans 40–100 % of the canvas,
// shifted anywhere the ink stays on the canvas, with a thicker pen
// (dilated) if thick, dark on light if inverted. Pixels are bilinear
// samples of the digit (zero outside it).
func Rerender(d *mnist.Dataset, i int, r *rand.Rand, thick, inverted bool) *image.Gray {
	src := d.Pixels[i*28*28 : (i+1)*28*28]
	at := func(x, y int) float64 {
		if x < 0 || y < 0 || x >= 28 || y >= 28 {
			return 0
		}
		return float64(src[y*28+x])
	}
	bx0, by0, bx1, by1 := 28, 28, 0, 0
	for p, v := range src {
		if v > 0 {
			bx0, bx1 = min(bx0, p%28), max(bx1, p%28+1)
			by0, by1 = min(by0, p/28), max(by1, p/28+1)
		}
	}
	k := (0.4 + 0.6*r.Float64()) * CanvasSide / 28 // canvas pixels per MNIST pixel
	place := func(b0, b1 int) float64 {            // offset keeping [b0, b1)·k on the canvas
		lo, hi := -float64(b0)*k, CanvasSide-float64(b1)*k
		return lo + r.Float64()*(hi-lo)
	}
	ox, oy := place(bx0, bx1), place(by0, by1)
	c := image.NewGray(image.Rect(0, 0, CanvasSide, CanvasSide))
	val := make([]float64, CanvasSide*CanvasSide)
	for y := range CanvasSide {
		v := (float64(y)+0.5-oy)/k - 0.5
		y0 := int(math.Floor(v))
		fy := v - float64(y0)
		for x := range CanvasSide {
			u := (float64(x)+0.5-ox)/k - 0.5
			x0 := int(math.Floor(u))
			fx := u - float64(x0)
			val[y*CanvasSide+x] = (1-fy)*((1-fx)*at(x0, y0)+fx*at(x0+1, y0)) + fy*((1-fx)*at(x0, y0+1)+fx*at(x0+1, y0+1))
		}
	}
	if thick {
		rad := max(1, int(k*0.6))
		out := make([]float64, len(val))
		for y := range CanvasSide {
			for x := range CanvasSide {
				var m float64
				for dy := -rad; dy <= rad; dy++ {
					for dx := -rad; dx <= rad; dx++ {
						if yy, xx := y+dy, x+dx; dx*dx+dy*dy <= rad*rad && yy >= 0 && xx >= 0 && yy < CanvasSide && xx < CanvasSide {
							m = max(m, val[yy*CanvasSide+xx])
						}
					}
				}
				out[y*CanvasSide+x] = m
			}
		}
		val = out
	}
	for p, v := range val {
		b := uint8(math.Round(min(255, v)))
		if inverted {
			b = 255 - b
		}
		c.Pix[p] = b
	}
	return c
}
