package kernel

import (
	"errors"
	"math"

	"github.com/featuremap/featuremap/internal/msg"
)

// BatchNormScaleShift computes the per-channel factors of
// tf.nn.batch_normalization(x, mean, variance, offset, scale, epsilon) at
// inference, for every c < C:
//
//	inv[c]   = scale[c] / √(variance[c] + epsilon)
//	shift[c] = offset[c] - mean[c]*inv[c]
//
// so that the normalisation is y = x*inv + shift (ScaleShift). As in
// TensorFlow, inv is rsqrt(variance+epsilon) multiplied by scale in float32.
// Each of mean, variance, offset and scale holds C values; epsilon must be
// > 0 and every variance ≥ 0.
func BatchNormScaleShift(inv, shift, mean, variance, offset, scale []float32, epsilon float32) error {
	const op = "batchnorm"
	c := len(inv)
	if c < 1 || !(epsilon > 0) {
		return errors.New("kernel: " + op + ": need C ≥ 1 and epsilon > 0, got C = " + msg.Int(c) + ", epsilon = " + msg.Float32(epsilon))
	}
	if err := firstErr(checkLen(op, "shift", len(shift), c), checkLen(op, "mean", len(mean), c), checkLen(op, "variance", len(variance), c),
		checkLen(op, "offset", len(offset), c), checkLen(op, "scale", len(scale), c)); err != nil {
		return err
	}
	for j := range c {
		if !(variance[j] >= 0) {
			return errors.New("kernel: " + op + ": variance[" + msg.Int(j) + "] = " + msg.Float32(variance[j]) + ", want ≥ 0")
		}
		inv[j] = float32(1/math.Sqrt(float64(variance[j]+epsilon))) * scale[j]
		shift[j] = offset[j] - mean[j]*inv[j]
	}
	return nil
}

// ScaleShift computes dst[p,c] = x[p,c]*scale[c] + shift[c] over x [P, C]:
// a per-channel affine map, such as batch normalisation at inference. dst may
// be x.
func ScaleShift(dst, x, scale, shift []float32, pixels, c int) error {
	const op = "scale_shift"
	if pixels < 1 || c < 1 {
		return errors.New("kernel: " + op + ": sizes pixels, C must be positive, got " + msg.Int(pixels) + ", " + msg.Int(c))
	}
	if err := firstErr(checkLen(op, "x", len(x), pixels*c), checkLen(op, "dst", len(dst), pixels*c),
		checkLen(op, "scale", len(scale), c), checkLen(op, "shift", len(shift), c)); err != nil {
		return err
	}
	scale, shift = scale[:c], shift[:c]
	for p := range pixels {
		xs, ds := x[p*c:][:c], dst[p*c:][:c]
		for j, v := range xs {
			ds[j] = v*scale[j] + shift[j]
		}
	}
	return nil
}

// BatchNormTraining normalises x [P, C] (P = N*H*W) with the statistics of
// the batch itself, as tf.compat.v1.nn.fused_batch_norm with
// is_training=True (Ioffe & Szegedy 2015, Algorithm 1): for every c
//
//	mean[c]     = Σ_p x[p,c] / P
//	variance[c] = Σ_p (x[p,c] - mean[c])² / P        (biased)
//	invStd[c]   = 1 / √(variance[c] + epsilon)
//	xhat[p,c]   = (x[p,c] - mean[c]) * invStd[c]
//	dst[p,c]    = xhat[p,c]*scale[c] + offset[c]
//
// Sums run in float64. mean, variance and invStd receive C values each,
// xhat P*C (what BatchNormGrad needs). dst may be x; xhat must not overlap x.
func BatchNormTraining(dst, xhat, mean, variance, invStd, x, scale, offset []float32, epsilon float32, pixels, c int) error {
	const op = "batchnorm_training"
	if pixels < 1 || c < 1 || !(epsilon > 0) {
		return errors.New("kernel: " + op + ": need pixels, C ≥ 1 and epsilon > 0, got " + msg.Int(pixels) + ", " + msg.Int(c) + ", " + msg.Float32(epsilon))
	}
	n := pixels * c
	if err := firstErr(checkLen(op, "x", len(x), n), checkLen(op, "dst", len(dst), n), checkLen(op, "xhat", len(xhat), n),
		checkLen(op, "mean", len(mean), c), checkLen(op, "variance", len(variance), c), checkLen(op, "invStd", len(invStd), c),
		checkLen(op, "scale", len(scale), c), checkLen(op, "offset", len(offset), c)); err != nil {
		return err
	}
	for j := range c {
		var sum float64
		for p := range pixels {
			sum += float64(x[p*c+j])
		}
		mu := sum / float64(pixels)
		var sq float64
		for p := range pixels {
			d := float64(x[p*c+j]) - mu
			sq += d * d
		}
		v := sq / float64(pixels)
		mean[j], variance[j] = float32(mu), float32(v)
		inv := 1 / math.Sqrt(v+float64(epsilon))
		invStd[j] = float32(inv)
		for p := range pixels {
			h := float32((float64(x[p*c+j]) - mu) * inv)
			xhat[p*c+j] = h
			dst[p*c+j] = h*scale[j] + offset[j]
		}
	}
	return nil
}

// BatchNormGrad is the gradient of BatchNormTraining, as
// tf.raw_ops.FusedBatchNormGrad with is_training=True: from dy [P, C] and
// the xhat and invStd that BatchNormTraining returned, for every c
//
//	doffset[c] = Σ_p dy[p,c]
//	dscale[c]  = Σ_p dy[p,c]*xhat[p,c]
//	dx[p,c]    = scale[c]*invStd[c] * (dy[p,c] - doffset[c]/P - xhat[p,c]*dscale[c]/P)
//
// Sums run in float64. dx may be nil (not needed) or dy; dscale and doffset
// are overwritten.
func BatchNormGrad(dx, dscale, doffset, dy, xhat, scale, invStd []float32, pixels, c int) error {
	const op = "batchnorm_grad"
	if pixels < 1 || c < 1 {
		return errors.New("kernel: " + op + ": sizes pixels, C must be positive, got " + msg.Int(pixels) + ", " + msg.Int(c))
	}
	n := pixels * c
	if err := firstErr(checkLen(op, "dy", len(dy), n), checkLen(op, "xhat", len(xhat), n),
		checkLen(op, "dscale", len(dscale), c), checkLen(op, "doffset", len(doffset), c),
		checkLen(op, "scale", len(scale), c), checkLen(op, "invStd", len(invStd), c)); err != nil {
		return err
	}
	if dx != nil {
		if err := checkLen(op, "dx", len(dx), n); err != nil {
			return err
		}
	}
	for j := range c {
		var sb, sg float64
		for p := range pixels {
			g := float64(dy[p*c+j])
			sb += g
			sg += g * float64(xhat[p*c+j])
		}
		doffset[j], dscale[j] = float32(sb), float32(sg)
		if dx == nil {
			continue
		}
		k := float64(scale[j]) * float64(invStd[j])
		mb, mg := sb/float64(pixels), sg/float64(pixels)
		for p := range pixels {
			i := p*c + j
			dx[i] = float32(k * (float64(dy[i]) - mb - float64(xhat[i])*mg))
		}
	}
	return nil
}
