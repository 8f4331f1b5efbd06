package synth

import (
	"image"
	"math"
	"math/rand/v2"

	"github.com/featuremap/featuremap/model/mnist"
)

// NonDigits names the kinds of drawing NonDigit makes.
var NonDigits = []string{"dot", "line", "diagonal", "x", "small-circle", "letter", "pair", "scribble", "noise"}

// letters are capital letters that look like no digit, as strokes
// (polylines) in a unit box, y down.
var letters = map[byte][][][2]float64{
	'A': {{{0, 1}, {0.5, 0}, {1, 1}}, {{0.25, 0.55}, {0.75, 0.55}}},
	'E': {{{1, 0}, {0, 0}, {0, 1}, {1, 1}}, {{0, 0.5}, {0.7, 0.5}}},
	'F': {{{1, 0}, {0, 0}, {0, 1}}, {{0, 0.5}, {0.7, 0.5}}},
	'H': {{{0, 0}, {0, 1}}, {{1, 0}, {1, 1}}, {{0, 0.5}, {1, 0.5}}},
	'K': {{{0, 0}, {0, 1}}, {{1, 0}, {0, 0.55}, {1, 1}}},
	'M': {{{0, 1}, {0, 0}, {0.5, 0.6}, {1, 0}, {1, 1}}},
	'N': {{{0, 1}, {0, 0}, {1, 1}, {1, 0}}},
	'R': {{{0, 1}, {0, 0}, {0.8, 0}, {1, 0.25}, {0.8, 0.5}, {0, 0.5}}, {{0.4, 0.5}, {1, 1}}},
	'T': {{{0, 0}, {1, 0}}, {{0.5, 0}, {0.5, 1}}},
	'W': {{{0, 0}, {0.25, 1}, {0.5, 0.4}, {0.75, 1}, {1, 0}}},
	'Y': {{{0, 0}, {0.5, 0.5}, {1, 0}}, {{0.5, 0.5}, {0.5, 1}}},
}

// NonDigit draws a drawing of the given kind (one of NonDigits) on a
// CanvasSide² canvas as a person might on the site's pad: a round pen of
// radius 6–14, dark on light (light on dark if inverted). "pair" is two
// MNIST test digits (indices i, i+1 of d) side by side; "noise" is an
// empty grey page with sensor noise.
func NonDigit(kind string, d *mnist.Dataset, i int, r *rand.Rand, inverted bool) *image.Gray {
	c := newCanvas()
	pen := 6 + 8*r.Float64()
	mid := func(spread float64) (float64, float64) {
		return CanvasSide/2 + (r.Float64()*2-1)*spread, CanvasSide/2 + (r.Float64()*2-1)*spread
	}
	line := func(cx, cy, length, angle float64) {
		dx, dy := math.Cos(angle)*length/2, math.Sin(angle)*length/2
		c.stroke(pen, [][2]float64{{cx - dx, cy - dy}, {cx + dx, cy + dy}})
	}
	switch kind {
	case "dot":
		x, y := mid(90)
		c.stroke(pen+8*r.Float64(), [][2]float64{{x, y}, {x + r.Float64()*4, y + r.Float64()*4}})
	case "line":
		x, y := mid(40)
		line(x, y, 80+140*r.Float64(), (r.Float64()*2-1)*15*math.Pi/180)
	case "diagonal":
		x, y := mid(40)
		a := (45 + (r.Float64()*2-1)*10) * math.Pi / 180
		if r.IntN(2) == 0 {
			a = math.Pi - a
		}
		line(x, y, 100+120*r.Float64(), a)
	case "x":
		x, y := mid(40)
		l := 100 + 100*r.Float64()
		line(x, y, l, (45+(r.Float64()*2-1)*12)*math.Pi/180)
		line(x, y, l, (135+(r.Float64()*2-1)*12)*math.Pi/180)
	case "small-circle":
		x, y := mid(80)
		rad := 6 + 10*r.Float64()
		var pts [][2]float64
		for a := 0.0; a <= 2*math.Pi+0.1; a += 0.2 {
			pts = append(pts, [2]float64{x + rad*math.Cos(a), y + rad*math.Sin(a)})
		}
		c.stroke(pen*0.7, pts)
	case "letter":
		keys := []byte("AEFHKMNRTWY")
		strokes := letters[keys[r.IntN(len(keys))]]
		h := 110 + 100*r.Float64()
		w := h * (0.6 + 0.4*r.Float64())
		x0, y0 := CanvasSide/2-w/2+(r.Float64()*2-1)*30, CanvasSide/2-h/2+(r.Float64()*2-1)*20
		for _, s := range strokes {
			pts := make([][2]float64, len(s))
			for j, p := range s {
				pts[j] = [2]float64{x0 + p[0]*w + r.NormFloat64()*3, y0 + p[1]*h + r.NormFloat64()*3}
			}
			c.stroke(pen, pts)
		}
	case "pair":
		for k, ox := range []float64{20, CanvasSide / 2} {
			c.digit(d, i+k, ox+r.Float64()*10, 50+r.Float64()*40, 4+r.Float64())
		}
	case "scribble":
		x, y := mid(30)
		pts := [][2]float64{{x, y}}
		for range 6 + r.IntN(8) {
			x = min(CanvasSide-20, max(20, x+(r.Float64()*2-1)*120))
			y = min(CanvasSide-20, max(20, y+(r.Float64()*2-1)*120))
			pts = append(pts, [2]float64{x, y})
		}
		c.stroke(pen*0.8, pts)
	case "noise":
		base := 90 + 120*r.Float64()
		sigma := 3 + 12*r.Float64()
		for p := range c.val {
			c.val[p] = (255 - base + r.NormFloat64()*sigma) / 255
		}
	default:
		panic("synth: unknown non-digit kind " + kind)
	}
	return c.gray(inverted)
}

// canvas holds ink coverage in [0, 1] per pixel of a CanvasSide² canvas.
type canvas struct{ val []float64 }

func newCanvas() *canvas { return &canvas{val: make([]float64, CanvasSide*CanvasSide)} }

// stroke draws a polyline with a round pen of radius rad, antialiased over
// one pixel.
func (c *canvas) stroke(rad float64, pts [][2]float64) {
	for y := range CanvasSide {
		for x := range CanvasSide {
			px, py := float64(x)+0.5, float64(y)+0.5
			dist := math.Inf(1)
			for j := range pts {
				a, b := pts[j], pts[min(j+1, len(pts)-1)]
				dist = math.Min(dist, segmentDistance(px, py, a, b))
			}
			if cov := math.Min(1, math.Max(0, rad+0.5-dist)); cov > c.val[y*CanvasSide+x] {
				c.val[y*CanvasSide+x] = cov
			}
		}
	}
}

// digit draws MNIST digit i at (ox, oy) with k canvas pixels per MNIST pixel.
func (c *canvas) digit(d *mnist.Dataset, i int, ox, oy, k float64) {
	src := d.Pixels[i*784 : (i+1)*784]
	for y := range CanvasSide {
		for x := range CanvasSide {
			u, v := int((float64(x)-ox)/k), int((float64(y)-oy)/k)
			if u >= 0 && v >= 0 && u < 28 && v < 28 && float64(x) >= ox && float64(y) >= oy {
				c.val[y*CanvasSide+x] = math.Max(c.val[y*CanvasSide+x], float64(src[v*28+u])/255)
			}
		}
	}
}

func (c *canvas) gray(inverted bool) *image.Gray {
	m := image.NewGray(image.Rect(0, 0, CanvasSide, CanvasSide))
	for p, v := range c.val {
		b := uint8(math.Round(255 * math.Min(1, math.Max(0, v))))
		if !inverted {
			b = 255 - b
		}
		m.Pix[p] = b
	}
	return m
}

// segmentDistance is the distance from (px, py) to the segment a–b.
func segmentDistance(px, py float64, a, b [2]float64) float64 {
	dx, dy := b[0]-a[0], b[1]-a[1]
	t := 0.0
	if l := dx*dx + dy*dy; l > 0 {
		t = math.Min(1, math.Max(0, ((px-a[0])*dx+(py-a[1])*dy)/l))
	}
	return math.Hypot(px-a[0]-t*dx, py-a[1]-t*dy)
}
