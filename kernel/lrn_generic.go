package kernel

import "math"

// lrnGeneric computes LRN as TensorFlow.js's CPU kernel does: the sum of
// squares over the clipped window in float64, then
// x * (bias + alpha*sum)^-beta in float64, rounded once to float32.
func lrnGeneric(dst, x []float32, pixels, c int, p LRNParams) {
	for px := range pixels {
		lrnChannels(dst[px*c:(px+1)*c], x[px*c:(px+1)*c], 0, c, p)
	}
}

// lrnChannels computes channels [from, to) of one pixel's LRN (in and out
// hold that pixel's C values), accumulating the window in float64.
func lrnChannels(out, in []float32, from, to int, p LRNParams) {
	r := p.DepthRadius
	bias, alpha := float64(p.Bias), float64(p.Alpha)
	for ch := from; ch < to; ch++ {
		var sum float64
		for _, z := range in[max(ch-r, 0):min(ch+r+1, len(in))] {
			sum += float64(z) * float64(z)
		}
		out[ch] = float32(float64(in[ch]) * powNeg(bias+alpha*sum, p.Beta))
	}
}

// powNeg returns s^-beta, with the common AlexNet/TensorFlow exponents 0.5,
// 0.75 and 1 computed by square roots and division (exact to float64
// rounding, like math.Pow, but several times faster).
func powNeg(s float64, beta float32) float64 {
	switch beta {
	case 0.5:
		return 1 / math.Sqrt(s)
	case 0.75:
		r := math.Sqrt(s)
		return 1 / (r * math.Sqrt(r))
	case 1:
		return 1 / s
	}
	return math.Pow(s, -float64(beta))
}
