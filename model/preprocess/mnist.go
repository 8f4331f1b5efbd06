package preprocess

import (
	"errors"
	"math"

	"github.com/featuremap/featuremap/internal/msg"
)

// The MNIST geometry: digits fitted into a Box×Box square, placed in a
// Side×Side field.
const (
	Side = 28
	Box  = 20
)

// inkThreshold is the normalised ink level above which a pixel counts for
// the digit's bounding box; fainter pixels (paper texture, JPEG noise,
// anti-aliasing fringes) still contribute to the resampled digit.
const inkThreshold = 0.2

// minContrast is the smallest ink-to-background difference treated as a
// digit; an image with less is blank and gives an all-zero field.
const minContrast = 0.1

// MNISTPixels normalises the digit in a raw buffer of width×height pixels
// of channels bytes (1 gray, 3 RGB, 4 non-premultiplied RGBA as a canvas's
// ImageData) into dst[:784] as MNIST was made (LeCun et al.,
// "Gradient-based learning applied to document recognition", 1998, and the
// MNIST page): a 28×28×1 field of values in [0, 1], ink bright on a zero
// background, the digit's bounding box scaled (aspect ratio kept,
// area-averaged) to fit a 20×20 box and placed so that its centre of mass
// lies within half a pixel of pixel (14, 14). Its working buffers are
// bounded (about 5 MB whatever the image size) and pooled, so repeated
// calls do not allocate. Steps:
//
//  1. Intensity: an RGBA image whose border is mostly transparent (a
//     drawing on a clear canvas) uses opacity; otherwise luma, with alpha
//     composited over white.
//  2. Ink: letterbox bars are cut, the paper's polarity decided, uneven
//     light flattened and the digit's ink components chosen on a working
//     grid (see work.analyse); a pixel's ink is its darkening relative to
//     the paper under it, 0 outside the chosen components, rescaled so the
//     strongest is 1. An image whose ink differs from the paper by less
//     than 0.1 is blank: dst becomes all zeros. On a clean canvas (even
//     background, one drawing) this is the plain rescaling of intensity
//     between background and brightest ink.
//  3. The bounding box of ink above 0.2 is scaled by 20/max(box width,
//     box height) with area averaging (each output pixel is the mean of the
//     source area it covers) and its peak rescaled to 1.
//  4. The result is placed in the 28×28 field at the integer offset that
//     brings its centre of mass, in pixel indices, into [13.5, 14.5) on
//     both axes: nearest pixel (14, 14), where the MNIST digits have theirs.
//
// InputPixelsReport also returns what steps 1–3 found.
func MNISTPixels(dst []float32, pix []byte, width, height, channels int) error {
	p, err := newPixels("MNISTPixels", pix, width, height, channels)
	if err != nil {
		return err
	}
	_, err = mnist(dst, p)
	return err
}

func mnist(dst []float32, p pixels) (Report, error) {
	rep := Report{Width: p.w, Height: p.h}
	if len(dst) < Side*Side {
		return rep, errors.New("preprocess: MNIST: dst has " + msg.Int(len(dst)) + " elements, want at least " + msg.Int(Side*Side))
	}
	dst = dst[:Side*Side]
	clear(dst)

	if p.ch == 4 && p.borderMedian(func(x, y int) float32 { return float32(p.pix[y*p.stride+x*4+3]) / 255 }) < 0.5 {
		p.alphaIsInk = true
	}
	w := getWork()
	defer putWork(w)
	if !w.analyse(&p, &rep) {
		return rep, nil
	}

	// Bounding box [x0, x1) × [y0, y1) of the ink.
	x0, y0, x1, y1 := p.w, p.h, 0, 0
	c := rep.Content
	for y := c.Y0; y < c.Y1; y++ {
		for x := c.X0; x < c.X1; x++ {
			if w.ink(x, y) > inkThreshold {
				x0, x1 = min(x0, x), max(x1, x+1)
				y0, y1 = min(y0, y), max(y1, y+1)
			}
		}
	}
	if x0 >= x1 {
		rep.Flags |= Blank
		return rep, nil
	}
	rep.Ink = Rect{x0, y0, x1, y1}
	bw, bh := x1-x0, y1-y0
	scale := float64(Box) / float64(max(bw, bh))
	ow := max(1, min(Box, int(math.Round(float64(bw)*scale))))
	oh := max(1, min(Box, int(math.Round(float64(bh)*scale))))

	// Area-average the box into an ow×oh digit.
	var digit [Box * Box]float32
	var digitPeak float32
	sx, sy := float64(bw)/float64(ow), float64(bh)/float64(oh) // source pixels per output pixel
	for oy := range oh {
		fy0, fy1 := float64(y0)+float64(oy)*sy, float64(y0)+float64(oy+1)*sy
		for ox := range ow {
			fx0, fx1 := float64(x0)+float64(ox)*sx, float64(x0)+float64(ox+1)*sx
			var sum float64
			for y := int(fy0); float64(y) < fy1 && y < y1; y++ {
				wy := math.Min(fy1, float64(y+1)) - math.Max(fy0, float64(y))
				for x := int(fx0); float64(x) < fx1 && x < x1; x++ {
					wx := math.Min(fx1, float64(x+1)) - math.Max(fx0, float64(x))
					sum += wx * wy * float64(w.ink(x, y))
				}
			}
			v := float32(sum / (sx * sy))
			digit[oy*Box+ox] = v
			digitPeak = max(digitPeak, v)
		}
	}

	// Centre of mass, then placement.
	var m, mx, my float64
	for oy := range oh {
		for ox := range ow {
			v := float64(digit[oy*Box+ox] / digitPeak)
			digit[oy*Box+ox] = float32(v)
			m += v
			mx += v * float64(ox)
			my += v * float64(oy)
		}
	}
	offX := int(math.Ceil(Side/2 - 0.5 - mx/m))
	offY := int(math.Ceil(Side/2 - 0.5 - my/m))
	for oy := range oh {
		ty := oy + offY
		if ty < 0 || ty >= Side {
			continue
		}
		for ox := range ow {
			if tx := ox + offX; tx >= 0 && tx < Side {
				dst[ty*Side+tx] = digit[oy*Box+ox]
			}
		}
	}
	return rep, nil
}

// borderMedian returns the median of f over the image's outermost rows and
// columns, to 1/255 resolution.
func (p *pixels) borderMedian(f func(x, y int) float32) float32 {
	var hist [256]int
	n := 0
	add := func(x, y int) {
		hist[int(f(x, y)*255+0.5)]++
		n++
	}
	for x := range p.w {
		add(x, 0)
		if p.h > 1 {
			add(x, p.h-1)
		}
	}
	for y := 1; y < p.h-1; y++ {
		add(0, y)
		if p.w > 1 {
			add(p.w-1, y)
		}
	}
	seen := 0
	for v, c := range hist {
		seen += c
		if 2*seen >= n {
			return float32(v) / 255
		}
	}
	return 1
}
