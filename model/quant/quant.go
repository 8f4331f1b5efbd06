// Package quant converts float32 weights to int8 with one float32 scale per
// output channel and back.
//
// The scheme is symmetric linear quantisation per channel (as in TensorFlow
// Lite's int8 quantisation specification for convolution and dense weights):
// for channel c,
//
//	scale[c] = max_i |w[i,c]| / 127
//	q[i,c]   = round(w[i,c] / scale[c])      (half away from zero; in [-127, 127])
//	w'[i,c]  = float32(q[i,c]) * scale[c]
//
// so zero maps to exactly zero and |w - w'| ≤ scale[c]/2. The channel is the
// LAST axis: element i belongs to channel i % channels, which is the output
// channel of HWIO convolution filters [KH, KW, C/G, OC] and of dense weights
// [K, M]. An all-zero channel gets scale 0 (its q are 0, and so is w').
package quant

import (
	"errors"
	"math"

	"github.com/featuremap/featuremap/internal/msg"
)

// QuantizeInt8PerChannel quantises w, whose last axis has the given number
// of channels, to int8 with one scale per channel (see the package comment).
// It returns an error if channels does not divide len(w) or if w holds a NaN
// or an infinity.
func QuantizeInt8PerChannel(w []float32, channels int) (q []int8, scales []float32, err error) {
	if err := checkChannels(len(w), channels); err != nil {
		return nil, nil, err
	}
	scales = make([]float32, channels)
	for i, v := range w {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			return nil, nil, errors.New("quant: w[" + msg.Int(i) + "] = " + msg.Float32(v) + ", want a finite value")
		}
		scales[i%channels] = max(scales[i%channels], float32(math.Abs(float64(v))))
	}
	for c := range scales {
		scales[c] /= 127
	}
	q = make([]int8, len(w))
	for i, v := range w {
		s := scales[i%channels]
		if s == 0 {
			continue // all-zero channel (or one whose scale underflows)
		}
		r := math.Round(float64(v) / float64(s))
		q[i] = int8(max(-127, min(127, r)))
	}
	return q, scales, nil
}

// Dequantize returns w'[i] = float32(q[i]) * scales[i % len(scales)].
func Dequantize(q []int8, scales []float32) ([]float32, error) {
	if err := checkChannels(len(q), len(scales)); err != nil {
		return nil, err
	}
	w := make([]float32, len(q))
	for i, v := range q {
		w[i] = float32(v) * scales[i%len(scales)]
	}
	return w, nil
}

// Error is the quantisation error of one tensor.
type Error struct {
	// MaxAbs is max_i |w[i] - w'[i]|.
	MaxAbs float64
	// MaxRel is max_i |w[i] - w'[i]| / max_j |w[j]| over i, j in the same
	// channel (0 for an all-zero channel): the error relative to the
	// channel's range, at most 1/254 for this scheme.
	MaxRel float64
}

// Measure compares w with its quantised form (q, scales).
func Measure(w []float32, q []int8, scales []float32) (Error, error) {
	if len(q) != len(w) {
		return Error{}, errors.New("quant: len(q) = " + msg.Int(len(q)) + ", want len(w) = " + msg.Int(len(w)))
	}
	if err := checkChannels(len(w), len(scales)); err != nil {
		return Error{}, err
	}
	channels := len(scales)
	maxAbsW := make([]float64, channels)
	maxErr := make([]float64, channels)
	for i, v := range w {
		c := i % channels
		e := math.Abs(float64(v) - float64(float32(q[i])*scales[c]))
		maxAbsW[c] = max(maxAbsW[c], math.Abs(float64(v)))
		maxErr[c] = max(maxErr[c], e)
	}
	var r Error
	for c := range channels {
		r.MaxAbs = max(r.MaxAbs, maxErr[c])
		if maxAbsW[c] > 0 {
			r.MaxRel = max(r.MaxRel, maxErr[c]/maxAbsW[c])
		}
	}
	return r, nil
}

func checkChannels(n, channels int) error {
	if channels <= 0 || n%channels != 0 {
		return errors.New("quant: " + msg.Int(channels) + " channels, want a positive number dividing the " + msg.Int(n) + " elements")
	}
	return nil
}
