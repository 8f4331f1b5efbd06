package ui

import (
	"math"
	"strconv"
)

// Softmax is the explainer's worked softmax of logits z, in float64:
// shifted[i] = z[i] − max(z), exps[i] = e^shifted[i], sum = Σ exps and
// p[i] = exps[i] / sum. Subtracting the largest logit leaves p unchanged
// (the factor e^−max cancels) and keeps every exponential in (0, 1], so
// nothing overflows (as tf.nn.softmax does it).
func Softmax(z []float32) (shifted, exps, p []float64, sum float64) {
	top := math.Inf(-1)
	for _, v := range z {
		top = max(top, float64(v))
	}
	shifted, exps, p = make([]float64, len(z)), make([]float64, len(z)), make([]float64, len(z))
	for i, v := range z {
		shifted[i] = float64(v) - top
		exps[i] = math.Exp(shifted[i])
		sum += exps[i]
	}
	for i := range exps {
		p[i] = exps[i] / sum
	}
	return shifted, exps, p, sum
}

// Sig renders v with at most n significant digits ("0.2447", "1.234e-09").
func Sig(v float64, n int) string {
	if v == 0 {
		return "0"
	}
	return strconv.FormatFloat(v, 'g', n, 64)
}
