package ui

// Products is one output cell of a convolution of a one-channel input with
// stride 1 and SAME padding (the site's conv1): the K×K window of the input
// around (Y, X), filter channel C, their products and the sum. TensorFlow's
// SAME padding with stride 1 pads (K−1)/2 cells before (top, left) and the
// rest after, so the window's top-left input cell is (Y − (KH−1)/2,
// X − (KW−1)/2); window cells outside the input are padding zeros.
type Products struct {
	KH, KW, C, Y, X int
	Input           []float32 // [KH, KW]: the window (0 on padding)
	Padding         []bool    // [KH, KW]: whether the cell is padding
	Filter          []float32 // [KH, KW]: filter C
	Product         []float32 // [KH, KW]: Input·Filter
	Sum             float32   // Σ Product, in row-major order
	Bias            float32
}

// ConvProducts works out output cell (y, x) of channel c for input [H, W]
// (one channel) and filter [KH, KW, 1, OC] (HWIO) with bias[c]. It returns
// ok = false when the arguments do not fit together.
func ConvProducts(input []float32, h, w int, filter []float32, kh, kw, oc int, bias []float32, c, y, x int) (Products, bool) {
	if len(input) != h*w || len(filter) != kh*kw*oc || len(bias) != oc || c < 0 || c >= oc || y < 0 || y >= h || x < 0 || x >= w {
		return Products{}, false
	}
	p := Products{KH: kh, KW: kw, C: c, Y: y, X: x, Bias: bias[c],
		Input: make([]float32, kh*kw), Padding: make([]bool, kh*kw), Filter: make([]float32, kh*kw), Product: make([]float32, kh*kw)}
	top, left := y-(kh-1)/2, x-(kw-1)/2
	for i := range kh {
		for j := range kw {
			k := i*kw + j
			iy, ix := top+i, left+j
			if iy < 0 || iy >= h || ix < 0 || ix >= w {
				p.Padding[k] = true
			} else {
				p.Input[k] = input[iy*w+ix]
			}
			p.Filter[k] = filter[k*oc+c]
			p.Product[k] = p.Input[k] * p.Filter[k]
			p.Sum += p.Product[k]
		}
	}
	return p, true
}
