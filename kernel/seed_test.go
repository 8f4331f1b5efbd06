package kernel

import (
	"fmt"
	"testing"
)

// Goldens from the seed document's examples, with every expected value
// worked out by hand (not by the code under test or the reference).

// TestSeedConv4x4x3 is the seed's tf.nn.conv2d example: a 4×4×3 input and a
// 3×3×3×7 filter bank, SAME, stride 1, gives 4×4×7 from 189 weights.
//
// Input: channel 0 holds 4y+x+1 (1..16 row by row), channel 1 holds 1,
// channel 2 holds -1. Filters:
//
//	0: the seed's diagonal (ky = kx) of ones on channel 0
//	1: a centre tap on channel 0 (the identity)
//	2: all ones on channel 1 (counts the real cells of the window)
//	3: all ones on channel 2 (minus that count)
//	4: all ones on every channel (box sum of channel 0; channels 1, 2 cancel)
//	5: right minus left neighbour on channel 0
//	6: zero, with bias 0.5
func TestSeedConv4x4x3(t *testing.T) {
	s := same(ConvShape{N: 1, H: 4, W: 4, C: 3, KH: 3, KW: 3, OC: 7})
	if got := s.FilterLen(); got != 189 {
		t.Errorf("FilterLen = %d, want 3*3*3*7 = 189", got)
	}
	if oh, ow := s.Out(); oh != 4 || ow != 4 || s.Pad != (Padding{1, 1, 1, 1}) {
		t.Errorf("SAME 3×3 on 4×4: out %d×%d pad %+v, want 4×4 with 1 on every side", oh, ow, s.Pad)
	}
	x := make([]float32, s.InLen())
	for p := range 16 {
		x[p*3], x[p*3+1], x[p*3+2] = float32(p+1), 1, -1
	}
	filter := make([]float32, s.FilterLen())
	set := func(ky, kx, ci, oc int, v float32) { filter[((ky*3+kx)*3+ci)*7+oc] = v }
	for ky := range 3 {
		for kx := range 3 {
			if ky == kx {
				set(ky, kx, 0, 0, 1)
			}
			set(ky, kx, 1, 2, 1)
			set(ky, kx, 2, 3, 1)
			for ci := range 3 {
				set(ky, kx, ci, 4, 1)
			}
		}
	}
	set(1, 1, 0, 1, 1)
	set(1, 2, 0, 5, 1)
	set(1, 0, 0, 5, -1)
	bias := []float32{0, 0, 0, 0, 0, 0, 0.5}

	// want[oc] is the 4×4 output map of filter oc.
	want := [7][16]float32{
		{7, 9, 11, 4, 15, 18, 21, 11, 23, 30, 33, 19, 13, 23, 25, 27},
		{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16},
		{4, 6, 6, 4, 6, 9, 9, 6, 6, 9, 9, 6, 4, 6, 6, 4},
		{-4, -6, -6, -4, -6, -9, -9, -6, -6, -9, -9, -6, -4, -6, -6, -4},
		{14, 24, 30, 22, 33, 54, 63, 45, 57, 90, 99, 69, 46, 72, 78, 54},
		{2, 2, 2, -3, 6, 2, 2, -7, 10, 2, 2, -11, 14, 2, 2, -15},
		{0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5},
	}
	for _, act := range []Activation{Linear, ReLU} {
		wantNHWC := make([]float32, s.OutLen())
		for oc := range 7 {
			for p, v := range want[oc] {
				if act == ReLU {
					v = max(v, 0)
				}
				wantNHWC[p*7+oc] = v
			}
		}
		// Small integers: every variant computes them exactly.
		t.Run(fmt.Sprintf("act%d", act), func(t *testing.T) {
			forVariants(t, func(t *testing.T, k *kernels) {
				dst := make([]float32, s.OutLen())
				k.conv(dst, x, filter, bias, s, act, make([]float32, k.convWorkspaceLen(s.normalized())))
				checkClose(t, "4×4×7 output", dst, wantNHWC, nil)
			})
		})
	}
}

// TestSeedPadding1D is the seed's zero-padding example: 1 2 -1 1 -3 padded
// with one zero on each side (0 1 2 -1 1 -3 0), cross-correlated with a
// moving sum [1 1 1] and a difference [-1 0 1], at strides 1 and 2, and
// unpadded (VALID).
func TestSeedPadding1D(t *testing.T) {
	x := []float32{1, 2, -1, 1, -3}
	// HWIO [1, 3, 1, 2]: filter[kx*2+oc].
	filter := []float32{1, -1, 1, 0, 1, 1}
	cases := []struct {
		name   string
		pad    Padding
		stride int
		sum    []float32 // output channel 0
		diff   []float32 // output channel 1
	}{
		{"SAME stride 1", Padding{Left: 1, Right: 1}, 1, []float32{3, 2, 2, -3, -2}, []float32{2, -2, -1, -2, -1}},
		{"SAME stride 2", Padding{Left: 1, Right: 1}, 2, []float32{3, 2, -2}, []float32{2, -1, -1}},
		{"VALID stride 1", Padding{}, 1, []float32{2, 2, -3}, []float32{-2, -1, -2}},
		{"VALID stride 2", Padding{}, 2, []float32{2, -3}, []float32{-2, -2}},
	}
	for _, c := range cases {
		s := ConvShape{N: 1, H: 1, W: 5, C: 1, KH: 1, KW: 3, OC: 2, StrideW: c.stride, Pad: c.pad}
		if c.pad != (Padding{}) {
			if p := SamePadding2D(1, 5, 1, 3, 1, c.stride, 1, 1); p != c.pad {
				t.Errorf("%s: SamePadding2D = %+v, want %+v", c.name, p, c.pad)
			}
		}
		want := make([]float32, 2*len(c.sum))
		for i := range c.sum {
			want[2*i], want[2*i+1] = c.sum[i], c.diff[i]
		}
		t.Run(c.name, func(t *testing.T) {
			forVariants(t, func(t *testing.T, k *kernels) {
				dst := make([]float32, s.OutLen())
				k.conv(dst, x, filter, nil, s.normalized(), Linear, make([]float32, k.convWorkspaceLen(s.normalized())))
				checkClose(t, "output", dst, want, nil)
			})
		})
	}
}

// TestSeedOutputSizes checks output sizes and SAME padding for stride 1 vs
// 2, SAME vs VALID, on the seed's and AlexNet's layer sizes.
func TestSeedOutputSizes(t *testing.T) {
	cases := []struct {
		in, k, s            int
		same, before, after int // SAME: ceil(in/s), padding split
		valid               int // VALID: floor((in-k)/s)+1
	}{
		{28, 3, 1, 28, 1, 1, 26},   // seednet conv
		{28, 3, 2, 14, 0, 1, 13},   // stride 2 halves; the odd padding cell goes after
		{28, 2, 2, 14, 0, 0, 14},   // seednet pool
		{4, 3, 1, 4, 1, 1, 2},      // the seed's 4×4 example
		{4, 3, 2, 2, 0, 1, 1},      // ... at stride 2
		{5, 3, 2, 3, 1, 1, 2},      // the 1-D example at stride 2
		{227, 11, 4, 57, 4, 4, 55}, // AlexNet conv1
		{55, 3, 2, 28, 1, 1, 27},   // AlexNet pool1
		{27, 3, 2, 14, 1, 1, 13},   // pool2
		{13, 3, 2, 7, 1, 1, 6},     // pool5
		{2, 3, 5, 1, 0, 1, 0},      // stride beyond the input; VALID does not fit
	}
	for _, c := range cases {
		out, before, after := SamePadding(c.in, c.k, c.s, 1)
		if out != c.same || before != c.before || after != c.after {
			t.Errorf("SamePadding(%d, %d, %d, 1) = %d, %d, %d; want %d, %d, %d", c.in, c.k, c.s, out, before, after, c.same, c.before, c.after)
		}
		if got := OutSize(c.in, before, after, c.k, c.s, 1); got != c.same {
			t.Errorf("OutSize(%d, %d, %d, %d, %d, 1) = %d, want SAME size %d", c.in, before, after, c.k, c.s, got, c.same)
		}
		if got := OutSize(c.in, 0, 0, c.k, c.s, 1); got != c.valid {
			t.Errorf("OutSize(%d, 0, 0, %d, %d, 1) = %d, want VALID size %d", c.in, c.k, c.s, got, c.valid)
		}
	}
	// Dilation 2 makes a 3-wide window span 5 cells.
	if out, before, after := SamePadding(7, 3, 1, 2); out != 7 || before != 2 || after != 2 {
		t.Errorf("SamePadding(7, 3, 1, 2) = %d, %d, %d; want 7, 2, 2", out, before, after)
	}
}

// TestSeedPoolingVsStridedConv is the seed's comparison on one 4×4 map:
// max pooling keeps the strongest response, average pooling and a strided
// convolution with averaging weights keep all of it. With SAME 3×3/2
// windows that reach into the padding, avg_pool divides by the real cells
// while the 1/9 convolution counts the padding zeros.
func TestSeedPoolingVsStridedConv(t *testing.T) {
	x := []float32{
		1, 3, 2, 0,
		5, 7, 4, 6,
		0, 2, 9, 1,
		8, 4, 3, 5,
	}
	pool2 := PoolShape{N: 1, H: 4, W: 4, C: 1, KH: 2, KW: 2, StrideH: 2, StrideW: 2}
	// SAME 3×3 stride 2 on 4: out 2, padding 0 before and 1 after, so the
	// windows hold 9, 6, 6 and 4 real cells with sums 33, 22, 26 and 18.
	pool3 := samePool(PoolShape{N: 1, H: 4, W: 4, C: 1, KH: 3, KW: 3, StrideH: 2, StrideW: 2})
	conv := func(k int, pad Padding) ConvShape {
		return ConvShape{N: 1, H: 4, W: 4, C: 1, KH: k, KW: k, OC: 1, StrideH: 2, StrideW: 2, Pad: pad}.normalized()
	}
	const ulp = 2 * unitRoundoff // one float32 rounding of the result, either side
	forVariants(t, func(t *testing.T, k *kernels) {
		dst := make([]float32, 4)
		k.maxPool(dst, x, pool2)
		checkClose(t, "max 2×2/2", dst, []float32{7, 6, 8, 9}, nil)
		k.avgPool(dst, x, pool2)
		checkClose(t, "avg 2×2/2", dst, []float32{4, 3, 3.5, 4.5}, nil)
		s := conv(2, Padding{})
		k.conv(dst, x, fill(4, 0.25), nil, s, Linear, make([]float32, k.convWorkspaceLen(s.normalized())))
		checkClose(t, "conv 2×2/2 of 1/4", dst, []float32{4, 3, 3.5, 4.5}, nil)

		k.maxPool(dst, x, pool3)
		checkClose(t, "max 3×3/2 SAME", dst, []float32{9, 9, 9, 9}, nil)
		k.avgPool(dst, x, pool3)
		want := []float32{33.0 / 9, 22.0 / 6, 26.0 / 6, 18.0 / 4}
		checkClose(t, "avg 3×3/2 SAME", dst, want, scaled(ulp, want))
		s = conv(3, pool3.Pad)
		k.conv(dst, x, fill(9, 1.0/9), nil, s, Linear, make([]float32, k.convWorkspaceLen(s.normalized())))
		want = []float32{33.0 / 9, 22.0 / 9, 26.0 / 9, 18.0 / 9}
		// 9 products with the rounded weight 1/9: γ(11) covers the sum,
		// the weight's rounding and the result's.
		checkClose(t, "conv 3×3/2 SAME of 1/9", dst, want, scaled(gamma(11), want))
	})
}
