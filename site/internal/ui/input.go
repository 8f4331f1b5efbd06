package ui

// Norm is how the demo page's "Use your own model" section turns pixel
// values into a model's input, as the user set it: every value v in
// [0, 255] of channel c becomes
//
//	x = (v' * Scale - Mean[c]) / Std[c],   v' = 255 - v if Invert else v
//
// (the formula of featuremap's weight files, model.Preprocess). Mean and
// Std hold one value for every channel or one for all.
type Norm struct {
	Invert    bool
	Scale     float32
	Mean, Std []float32
}

// Normalize returns the [H, W, C] input of RGBA pixels (4 bytes each, row
// major) for C = 1 (luma, ITU-R BT.601: 0.299 R + 0.587 G + 0.114 B; a gray
// pixel keeps its value exactly) or C = 3 (R, G, B), normalised by n.
// Alpha is ignored: the page draws onto an opaque background first.
func Normalize(rgba []byte, c int, n Norm) []float32 {
	px := len(rgba) / 4
	out := make([]float32, px*c)
	for i := range px {
		r, g, b := rgba[4*i], rgba[4*i+1], rgba[4*i+2]
		for k := range c {
			var v float32
			switch {
			case c == 3:
				v = float32(rgba[4*i+k])
			case r == g && g == b:
				v = float32(r)
			default:
				v = 0.299*float32(r) + 0.587*float32(g) + 0.114*float32(b)
			}
			if n.Invert {
				v = 255 - v
			}
			out[i*c+k] = (v*n.Scale - pick(n.Mean, k, 0)) / pick(n.Std, k, 1)
		}
	}
	return out
}

// pick returns s[k], s[0] when s has one value, or def when it has none.
func pick(s []float32, k int, def float32) float32 {
	switch {
	case len(s) == 0:
		return def
	case len(s) == 1:
		return s[0]
	}
	return s[k]
}

// InkBox returns the bounding box [x0, x1) × [y0, y1) of the ink in a w×h
// RGBA image: pixels whose green value (gray, for the demo's pad) is below
// 128 when darkInk, above it otherwise. ok is false when there is none.
func InkBox(rgba []byte, w, h int, darkInk bool) (x0, y0, x1, y1 int, ok bool) {
	x0, y0 = w, h
	for y := range h {
		for x := range w {
			if g := rgba[4*(y*w+x)+1]; (g < 128) == darkInk {
				x0, y0 = min(x0, x), min(y0, y)
				x1, y1 = max(x1, x+1), max(y1, y+1)
			}
		}
	}
	return x0, y0, x1, y1, x1 > x0
}
