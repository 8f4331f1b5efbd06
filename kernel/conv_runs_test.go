package kernel

import "testing"

// TestConvLongRuns checks, in every variant, geometries whose im2col rows
// packAConv copies run by run (runs of C/G ≥ packAConvRunMin channels per
// tap, with groups or dilation, or of whole filter rows): runs cut at the
// 256-column K blocks, 4-column last panels, windows reaching past every
// edge of the image or stopping short of it, and batches, against the
// float64 reference.
func TestConvLongRuns(t *testing.T) {
	shapes := []ConvShape{
		same(ConvShape{N: 2, H: 13, W: 13, C: 48, KH: 5, KW: 5, OC: 128, Groups: 2}), // alexmnist's conv2
		same(ConvShape{N: 1, H: 7, W: 9, C: 24, KH: 5, KW: 5, OC: 26, Groups: 2}),    // OC/G = 13
		same(ConvShape{N: 1, H: 6, W: 5, C: 18, KH: 3, KW: 3, OC: 8, Groups: 2}),     // OC/G = 4
		same(ConvShape{N: 2, H: 9, W: 8, C: 24, KH: 5, KW: 5, OC: 28, StrideH: 2, StrideW: 2}),
		{N: 1, H: 12, W: 11, C: 8, KH: 3, KW: 3, OC: 12, DilationH: 2, DilationW: 2},
		{N: 1, H: 15, W: 15, C: 16, KH: 7, KW: 7, OC: 16, Groups: 2, Pad: Padding{Top: 3, Bottom: 3, Left: 3, Right: 3}},
		{N: 1, H: 10, W: 12, C: 3, KH: 3, KW: 3, OC: 24, StrideH: 4, StrideW: 4},                                // VALID, cells left over
		{N: 2, H: 10, W: 12, C: 9, KH: 3, KW: 3, OC: 17, StrideH: 3, StrideW: 3, Pad: Padding{Top: 2, Left: 1}}, // padded, right edge unread
		{N: 1, H: 5, W: 6, C: 8, KH: 3, KW: 2, OC: 12, Pad: Padding{Top: 0, Bottom: 2, Left: 3, Right: 0}},
		{N: 1, H: 23, W: 23, C: 3, KH: 11, KW: 11, OC: 12, StrideH: 4, StrideW: 4}, // alexnet's conv1, smaller
	}
	forVariants(t, func(t *testing.T, k *kernels) {
		rng := newRand(t)
		for i, s := range shapes {
			checkConv(t, k, rng, s.normalized(), i%2 == 0, Activation(i%3%2))
		}
	})
}
