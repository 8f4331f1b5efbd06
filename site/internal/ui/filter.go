package ui

import (
	"errors"
	"strconv"
)

// ImpulseScale is the height of the impulse that FilterFromImpulse expects:
// large enough that a bias b shifts a recovered weight by only |b|/ImpulseScale.
const ImpulseScale = 1e4

// FilterFromImpulse recovers the K×K filters of a stride-1 "SAME"
// convolution with one input channel and a fused ReLU (tf.nn.conv2d then
// tf.nn.relu) from its outputs pos and neg, [H, W, OC], for inputs that are
// zero except for ±ImpulseScale at (cy, cx). The response to an impulse is
// the filter turned by 180°:
//
//	pos[cy+p-ky, cx+p-kx, o] = relu(b[o] + s*w[ky, kx, o]),  p = (K-1)/2
//
// and neg likewise with -s, so w = (pos - neg) / s up to |b|/s. It returns
// the filters as [K, K, OC] (HWIO without the single I), or an error when
// the window around (cy, cx) does not fit in H×W.
func FilterFromImpulse(pos, neg []float32, h, w, oc, k, cy, cx int) ([]float32, error) {
	p := (k - 1) / 2
	if k%2 == 0 || cy-p < 0 || cx-p < 0 || cy+p >= h || cx+p >= w {
		return nil, errors.New("ui: FilterFromImpulse: an odd " + itoa(k) + "×" + itoa(k) + " window around (" + itoa(cy) + ", " + itoa(cx) + ") must fit in " + itoa(h) + "×" + itoa(w))
	}
	if len(pos) != h*w*oc || len(neg) != h*w*oc {
		return nil, errors.New("ui: FilterFromImpulse: pos and neg have " + itoa(len(pos)) + " and " + itoa(len(neg)) + " values, want " + itoa(h) + "×" + itoa(w) + "×" + itoa(oc))
	}
	f := make([]float32, k*k*oc)
	for ky := range k {
		for kx := range k {
			src := ((cy+p-ky)*w + cx + p - kx) * oc
			for o := range oc {
				f[(ky*k+kx)*oc+o] = (pos[src+o] - neg[src+o]) / ImpulseScale
			}
		}
	}
	return f, nil
}

// KernelSide is the side K of a square K×K convolution filter bank with
// the given weight count, filters and input channels per group:
// weights = K*K*inChannels*filters. It returns 0 when no integer K fits.
func KernelSide(weights, filters, inChannels int) int {
	if filters <= 0 || inChannels <= 0 || weights%(filters*inChannels) != 0 {
		return 0
	}
	area := weights / (filters * inChannels)
	for k := 1; k*k <= area; k++ {
		if k*k == area {
			return k
		}
	}
	return 0
}

// itoa is strconv.Itoa; the package avoids fmt, which would add ~100 kB to
// the site's wasm.
func itoa(v int) string { return strconv.Itoa(v) }
