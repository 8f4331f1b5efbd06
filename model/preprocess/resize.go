package preprocess

import (
	"errors"
	"math"

	"github.com/featuremap/featuremap/internal/msg"
)

// ResizePixels resizes a raw buffer of width×height pixels of channels
// bytes (1 gray, 3 RGB, 4 non-premultiplied RGBA, alpha composited over
// white) to outH×outW with bilinear interpolation and half-pixel centres,
// as tf.image.resize(method="bilinear", antialias=False), ignoring the
// aspect ratio, and writes dst[(y*outW+x)*outC+c] normalised by n. outC is
// 1 (luma, ITU-R BT.601) or 3 (RGB; gray is replicated). It does not
// allocate.
func ResizePixels(dst []float32, pix []byte, width, height, channels, outH, outW, outC int, n Norm) error {
	p, err := newPixels("ResizePixels", pix, width, height, channels)
	if err != nil {
		return err
	}
	return resize(dst, p, outH, outW, outC, n)
}

func resize(dst []float32, p pixels, outH, outW, outC int, n Norm) error {
	if outH <= 0 || outW <= 0 || outH > 1<<15 || outW > 1<<15 {
		return errors.New("preprocess: Resize: output size " + msg.Int(outH) + "×" + msg.Int(outW) + ", want 1 to 32768 pixels each way")
	}
	if outC != 1 && outC != 3 {
		return errors.New("preprocess: Resize: output channels " + msg.Int(outC) + ", want 1 or 3")
	}
	if len(dst) != outH*outW*outC {
		return errors.New("preprocess: Resize: dst has " + msg.Int(len(dst)) + " elements, want " + msg.Int(outH) + "×" + msg.Int(outW) + "×" + msg.Int(outC) + " = " + msg.Int(outH*outW*outC))
	}
	if err := n.check("Resize", outC); err != nil {
		return err
	}
	for oy := range outH {
		y0, y1, fy := bilinear(oy, outH, p.h)
		for ox := range outW {
			x0, x1, fx := bilinear(ox, outW, p.w)
			var v [3]float32
			for _, s := range [4]struct {
				x, y int
				w    float32
			}{{x0, y0, (1 - fx) * (1 - fy)}, {x1, y0, fx * (1 - fy)}, {x0, y1, (1 - fx) * fy}, {x1, y1, fx * fy}} {
				r, g, b := p.rgb(s.x, s.y)
				if outC == 1 {
					v[0] += s.w * (0.299*r + 0.587*g + 0.114*b)
				} else {
					v[0], v[1], v[2] = v[0]+s.w*r, v[1]+s.w*g, v[2]+s.w*b
				}
			}
			for c := range outC {
				dst[(oy*outW+ox)*outC+c] = n.Apply(v[c], c)
			}
		}
	}
	return nil
}

// bilinear returns the two source indices and the weight of the second for
// output index i of out along an axis of in pixels, with half-pixel
// centres as TensorFlow's compute_interpolation_weights:
// s = (i+0.5)·in/out − 0.5, lo = max(⌊s⌋, 0), hi = min(⌈s⌉, in−1),
// weight s − ⌊s⌋.
func bilinear(i, out, in int) (lo, hi int, w float32) {
	s := (float64(i)+0.5)*float64(in)/float64(out) - 0.5
	f := math.Floor(s)
	lo = max(int(f), 0)
	hi = min(int(math.Ceil(s)), in-1)
	return lo, hi, float32(s - f)
}
