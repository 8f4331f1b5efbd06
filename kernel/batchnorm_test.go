package kernel

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// bnRand returns n values uniform in [lo, hi).
func bnRand(rng *rand.Rand, n int, lo, hi float64) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = float32(lo + (hi-lo)*rng.Float64())
	}
	return s
}

// refBatchNorm is tf.nn.batch_normalization written out in float64:
// (x - mean) / √(variance + epsilon) * scale + offset.
func refBatchNorm(x, mean, variance, offset, scale []float32, eps float64, c int) []float64 {
	y := make([]float64, len(x))
	for i, v := range x {
		j := i % c
		y[i] = (float64(v)-float64(mean[j]))/math.Sqrt(float64(variance[j])+eps)*float64(scale[j]) + float64(offset[j])
	}
	return y
}

// bnTrain64 normalises x [P, C] by its own per-channel mean and biased
// variance, then scales and shifts: the training forward in float64.
func bnTrain64(x []float64, scale, offset []float64, eps float64, c int) []float64 {
	p := len(x) / c
	y := make([]float64, len(x))
	for j := range c {
		var mu, v float64
		for i := range p {
			mu += x[i*c+j]
		}
		mu /= float64(p)
		for i := range p {
			v += (x[i*c+j] - mu) * (x[i*c+j] - mu)
		}
		v /= float64(p)
		for i := range p {
			y[i*c+j] = (x[i*c+j]-mu)/math.Sqrt(v+eps)*scale[j] + offset[j]
		}
	}
	return y
}

func TestBatchNormInference(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 2026))
	const pixels, c, eps = 7, 5, 1e-3
	x := bnRand(rng, pixels*c, -3, 3)
	mean, variance := bnRand(rng, c, -1, 1), bnRand(rng, c, 0, 2)
	variance[0] = 0 // epsilon keeps it finite
	offset, scale := bnRand(rng, c, -1, 1), bnRand(rng, c, -2, 2)
	inv, shift := make([]float32, c), make([]float32, c)
	if err := BatchNormScaleShift(inv, shift, mean, variance, offset, scale, eps); err != nil {
		t.Fatal(err)
	}
	y := make([]float32, pixels*c)
	if err := ScaleShift(y, x, inv, shift, pixels, c); err != nil {
		t.Fatal(err)
	}
	for i, w := range refBatchNorm(x, mean, variance, offset, scale, eps, c) {
		// A few float32 roundings of values of magnitude ≤ ~100.
		if d := math.Abs(float64(y[i]) - w); d > 1e-5*(1+math.Abs(w)) {
			t.Fatalf("y[%d] = %v, want %v", i, y[i], w)
		}
	}
	// In place.
	if err := ScaleShift(x, x, inv, shift, pixels, c); err != nil {
		t.Fatal(err)
	}
	for i := range x {
		if x[i] != y[i] {
			t.Fatalf("in place: x[%d] = %v, want %v", i, x[i], y[i])
		}
	}
}

func TestBatchNormTraining(t *testing.T) {
	rng := rand.New(rand.NewPCG(6, 2026))
	const pixels, c, eps = 12, 3, 1e-3
	x := bnRand(rng, pixels*c, -2, 3)
	scale, offset := bnRand(rng, c, 0.5, 2), bnRand(rng, c, -1, 1)
	y, xhat := make([]float32, pixels*c), make([]float32, pixels*c)
	mean, variance, invStd := make([]float32, c), make([]float32, c), make([]float32, c)
	if err := BatchNormTraining(y, xhat, mean, variance, invStd, x, scale, offset, eps, pixels, c); err != nil {
		t.Fatal(err)
	}
	want := bnTrain64(to64(x), to64(scale), to64(offset), eps, c)
	for i, w := range want {
		if d := math.Abs(float64(y[i]) - w); d > 1e-5*(1+math.Abs(w)) {
			t.Fatalf("y[%d] = %v, want %v", i, y[i], w)
		}
	}
	// Statistics against the textbook definitions.
	for j := range c {
		var mu, v float64
		for i := range pixels {
			mu += float64(x[i*c+j]) / pixels
		}
		for i := range pixels {
			v += (float64(x[i*c+j]) - mu) * (float64(x[i*c+j]) - mu) / pixels
		}
		if math.Abs(float64(mean[j])-mu) > 1e-6 || math.Abs(float64(variance[j])-v) > 1e-6 || math.Abs(float64(invStd[j])-1/math.Sqrt(v+eps)) > 1e-5 {
			t.Errorf("channel %d: mean, variance, invStd = %v, %v, %v, want %v, %v, %v", j, mean[j], variance[j], invStd[j], mu, v, 1/math.Sqrt(v+eps))
		}
	}

	// The gradient against central finite differences of the float64
	// forward, for L = Σ r·y.
	r := bnRand(rng, pixels*c, -1, 1)
	dx, dscale, doffset := make([]float32, pixels*c), make([]float32, c), make([]float32, c)
	if err := BatchNormGrad(dx, dscale, doffset, r, xhat, scale, invStd, pixels, c); err != nil {
		t.Fatal(err)
	}
	loss := func(x, scale, offset []float64) float64 {
		var s float64
		for i, v := range bnTrain64(x, scale, offset, eps, c) {
			s += float64(r[i]) * v
		}
		return s
	}
	x64, s64, o64 := to64(x), to64(scale), to64(offset)
	for _, tc := range []struct {
		name string
		got  []float32
		v    []float64
	}{{"dx", dx, x64}, {"dscale", dscale, s64}, {"doffset", doffset, o64}} {
		for i := range tc.v {
			const h = 1e-4
			orig := tc.v[i]
			tc.v[i] = orig + h
			lp := loss(x64, s64, o64)
			tc.v[i] = orig - h
			lm := loss(x64, s64, o64)
			tc.v[i] = orig
			w := (lp - lm) / (2 * h)
			if d := math.Abs(float64(tc.got[i]) - w); d > 1e-4*(1+math.Abs(w)) {
				t.Fatalf("%s[%d] = %v, finite difference %v", tc.name, i, tc.got[i], w)
			}
		}
	}
	// dx may be nil.
	if err := BatchNormGrad(nil, dscale, doffset, r, xhat, scale, invStd, pixels, c); err != nil {
		t.Fatal(err)
	}
}

func TestBatchNormErrors(t *testing.T) {
	c4 := make([]float32, 4)
	neg := []float32{1, -1, 1, 1}
	x := make([]float32, 8)
	for _, tc := range []struct {
		err  error
		want string
	}{
		{BatchNormScaleShift(c4, c4, c4, c4, c4, c4, 0), "kernel: batchnorm: need C ≥ 1 and epsilon > 0"},
		{BatchNormScaleShift(c4, c4[:3], c4, c4, c4, c4, 1e-3), "kernel: batchnorm: len(shift) = 3, want at least 4"},
		{BatchNormScaleShift(c4, c4, c4, neg, c4, c4, 1e-3), "kernel: batchnorm: variance[1] = -1, want ≥ 0"},
		{ScaleShift(x, x[:7], c4, c4, 2, 4), "kernel: scale_shift: len(x) = 7, want at least 8"},
		{ScaleShift(x, x, c4, c4, 0, 4), "kernel: scale_shift: sizes pixels, C must be positive"},
		{BatchNormTraining(x, x[:4], c4, c4, c4, x, c4, c4, 1e-3, 2, 4), "kernel: batchnorm_training: len(xhat) = 4, want at least 8"},
		{BatchNormTraining(x, x, c4, c4, c4, x, c4, c4, -1, 2, 4), "kernel: batchnorm_training: need pixels, C ≥ 1 and epsilon > 0"},
		{BatchNormGrad(x[:3], c4, c4, x, x, c4, c4, 2, 4), "kernel: batchnorm_grad: len(dx) = 3, want at least 8"},
		{BatchNormGrad(nil, c4, c4[:1], x, x, c4, c4, 2, 4), "kernel: batchnorm_grad: len(doffset) = 1, want at least 4"},
	} {
		if tc.err == nil || !strings.HasPrefix(tc.err.Error(), tc.want) {
			t.Errorf("error = %v, want prefix %q", tc.err, tc.want)
		}
	}
}
