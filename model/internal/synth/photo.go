package synth

import (
	"bytes"
	"image"
	"image/color"
	"image/jpeg"
	"math"
	"math/rand/v2"

	"github.com/featuremap/featuremap/model/mnist"
)

// PhotoW and PhotoH are the generated photos' size: a phone camera frame scaled down.
const PhotoW, PhotoH = 640, 480

// Photo renders MNIST test digit i as a phone photo of a handwritten digit
// might look: dark, blue or red ink on off-white paper (sometimes ruled),
// the digit 120–240 pixels tall, rotated up to ±12° and placed off centre,
// under uneven light (a linear gradient and vignetting) and, mostly, a
// soft shadow edge crossing the page; blurred, with sensor noise, through
// a JPEG round trip at quality 50–85; a third with letterbox bars. The
// ink's opacity is the MNIST intensity, so the strokes are the digit's own.
func Photo(d *mnist.Dataset, i int, r *rand.Rand) image.Image {
	src := d.Pixels[i*784 : (i+1)*784]
	at := func(x, y int) float64 {
		if x < 0 || y < 0 || x >= 28 || y >= 28 {
			return 0
		}
		return float64(src[y*28+x]) / 255
	}
	paper := [3]float64{225 + 20*r.Float64(), 220 + 20*r.Float64(), 200 + 25*r.Float64()}
	inks := [][3]float64{{30, 30, 35}, {25, 45, 150}, {170, 25, 30}, {55, 50, 60}}
	ink := inks[r.IntN(len(inks))]
	inkAlpha := 0.85 + 0.15*r.Float64()

	k := 6 + 6*r.Float64() // photo pixels per MNIST pixel
	angle := (r.Float64()*2 - 1) * 12 * math.Pi / 180
	cos, sin := math.Cos(angle), math.Sin(angle)
	cx := PhotoW/2 + (r.Float64()*2-1)*110
	cy := PhotoH/2 + (r.Float64()*2-1)*50

	// Light: a ramp in a random direction, vignetting, a soft shadow edge.
	dir := r.Float64() * 2 * math.Pi
	ramp := 0.1 + 0.35*r.Float64()
	shadow := r.IntN(10) < 7
	shDir := r.Float64() * 2 * math.Pi
	shX, shY := PhotoW*(0.2+0.6*r.Float64()), PhotoH*(0.2+0.6*r.Float64())
	shDepth, shSoft := 0.3+0.3*r.Float64(), 3+25*r.Float64()
	light := func(x, y float64) float64 {
		u := ((x-PhotoW/2)*math.Cos(dir) + (y-PhotoH/2)*math.Sin(dir)) / 400 // about [-1, 1]
		l := 1 - ramp*(u+1)/2
		rr := math.Hypot(x-PhotoW/2, y-PhotoH/2) / 400
		l *= 1 - 0.2*rr*rr
		if shadow {
			s := (x-shX)*math.Cos(shDir) + (y-shY)*math.Sin(shDir)
			l *= 1 - shDepth/(1+math.Exp(-s/shSoft))
		}
		return l
	}
	ruled := r.IntN(10) < 4
	ruleGap, ruleOff := 28+r.IntN(14), r.IntN(28)

	img := image.NewNRGBA(image.Rect(0, 0, PhotoW, PhotoH))
	for y := range PhotoH {
		for x := range PhotoW {
			c := paper
			if ruled && (y+ruleOff)%ruleGap < 2 {
				for j, v := range [3]float64{150, 180, 225} {
					c[j] = 0.35*c[j] + 0.65*v
				}
			}
			// The digit: inverse rotation into MNIST coordinates, bilinear.
			fx, fy := float64(x)+0.5-cx, float64(y)+0.5-cy
			u := (cos*fx+sin*fy)/k + 14 - 0.5
			v := (-sin*fx+cos*fy)/k + 14 - 0.5
			if u > -1 && v > -1 && u < 28 && v < 28 {
				x0, y0 := int(math.Floor(u)), int(math.Floor(v))
				ax, ay := u-float64(x0), v-float64(y0)
				a := (1-ay)*((1-ax)*at(x0, y0)+ax*at(x0+1, y0)) + ay*((1-ax)*at(x0, y0+1)+ax*at(x0+1, y0+1))
				a *= inkAlpha
				for j := range c {
					c[j] = (1-a)*c[j] + a*ink[j]
				}
			}
			l := light(float64(x), float64(y))
			o := img.PixOffset(x, y)
			for j := range c {
				img.Pix[o+j] = uint8(min(255, max(0, c[j]*l)))
			}
			img.Pix[o+3] = 255
		}
	}
	blur121(img)
	sigma := 2 + 4*r.Float64()
	for p := 0; p < len(img.Pix); p += 4 {
		for j := range 3 {
			img.Pix[p+j] = uint8(min(255, max(0, float64(img.Pix[p+j])+r.NormFloat64()*sigma)))
		}
	}
	if r.IntN(3) == 0 { // letterbox or pillarbox bars
		black := image.NewUniform(color.NRGBA{4, 4, 4, 255})
		if r.IntN(2) == 0 {
			b := 30 + r.IntN(40)
			fillRect(img, image.Rect(0, 0, PhotoW, b), black)
			fillRect(img, image.Rect(0, PhotoH-b, PhotoW, PhotoH), black)
		} else {
			b := 40 + r.IntN(50)
			fillRect(img, image.Rect(0, 0, b, PhotoH), black)
			fillRect(img, image.Rect(PhotoW-b, 0, PhotoW, PhotoH), black)
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 50 + r.IntN(36)}); err != nil {
		panic(err)
	}
	out, err := jpeg.Decode(&buf)
	if err != nil {
		panic(err)
	}
	return out
}

func fillRect(m *image.NRGBA, rect image.Rectangle, c *image.Uniform) {
	for y := rect.Min.Y; y < rect.Max.Y; y++ {
		for x := rect.Min.X; x < rect.Max.X; x++ {
			m.Set(x, y, c.C)
		}
	}
}

// blur121 applies the separable [1 2 1]/4 kernel (a lens a little out of
// focus), edges clamped.
func blur121(m *image.NRGBA) {
	w, h := m.Rect.Dx(), m.Rect.Dy()
	tmp := make([]uint8, len(m.Pix))
	pass := func(dst, src []uint8, dx, dy int) {
		for y := range h {
			for x := range w {
				xa, ya := max(0, x-dx), max(0, y-dy)
				xb, yb := min(w-1, x+dx), min(h-1, y+dy)
				for j := range 3 {
					s := int(src[(ya*w+xa)*4+j]) + 2*int(src[(y*w+x)*4+j]) + int(src[(yb*w+xb)*4+j])
					dst[(y*w+x)*4+j] = uint8((s + 2) / 4)
				}
				dst[(y*w+x)*4+3] = 255
			}
		}
	}
	pass(tmp, m.Pix, 1, 0)
	pass(m.Pix, tmp, 0, 1)
}
