package train

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// Augment is a random affine distortion applied to every training example,
// so that the network also recognises digits drawn off-centre, larger,
// smaller or slanted: a scale s, a rotation θ about the image centre and a
// shift (dx, dy), each drawn uniformly from [1-Scale, 1+Scale], ±Rotate
// degrees and ±Shift pixels. The zero Augment leaves examples unchanged.
type Augment struct {
	Shift  float64 `json:"shift"`  // pixels
	Scale  float64 `json:"scale"`  // relative, in [0, 0.5]
	Rotate float64 `json:"rotate"` // degrees
}

func (a Augment) validate() error {
	if !(a.Shift >= 0 && a.Scale >= 0 && a.Scale <= 0.5 && a.Rotate >= 0 && a.Rotate <= 180) {
		return fmt.Errorf("train: augmentation shift %g, scale %g, rotate %g: want shift ≥ 0, scale in [0, 0.5], rotate in [0, 180]", a.Shift, a.Scale, a.Rotate)
	}
	return nil
}

// apply writes the distorted src [h, w, c] to dst. Each output pixel p
// samples src bilinearly at A⁻¹(p - centre - shift) + centre, where A
// scales by s and rotates by θ; samples outside src are 0 (background).
// It draws exactly four numbers from rng, even when a is zero, so that the
// generator's later draws do not depend on the augmentation setting.
func (a Augment) apply(dst, src []float32, h, w, c int, rng *rand.Rand) {
	s := 1 + a.Scale*(2*rng.Float64()-1)
	th := a.Rotate * math.Pi / 180 * (2*rng.Float64() - 1)
	sx := a.Shift * (2*rng.Float64() - 1)
	sy := a.Shift * (2*rng.Float64() - 1)
	if a == (Augment{}) {
		copy(dst, src[:h*w*c])
		return
	}
	cy, cx := float64(h-1)/2, float64(w-1)/2
	cos, sin := math.Cos(th)/s, math.Sin(th)/s
	for y := range h {
		for x := range w {
			// Inverse map: rotate by -θ and scale by 1/s.
			u, v := float64(x)-cx-sx, float64(y)-cy-sy
			fx := cos*u + sin*v + cx
			fy := -sin*u + cos*v + cy
			x0, y0 := int(math.Floor(fx)), int(math.Floor(fy))
			ax, ay := float32(fx-float64(x0)), float32(fy-float64(y0))
			out := dst[(y*w+x)*c : (y*w+x+1)*c]
			for ch := range c {
				at := func(yy, xx int) float32 {
					if yy < 0 || yy >= h || xx < 0 || xx >= w {
						return 0
					}
					return src[(yy*w+xx)*c+ch]
				}
				top := at(y0, x0)*(1-ax) + at(y0, x0+1)*ax
				bot := at(y0+1, x0)*(1-ax) + at(y0+1, x0+1)*ax
				out[ch] = top*(1-ay) + bot*ay
			}
		}
	}
}
