package kernel

import (
	"fmt"
	"math"
	"testing"
)

// TestConvDirect forces the direct method (conv_direct.go) on every kernel
// set that has one and compares it with the reference through
// checkPackedConvMethod (guard values, NaN-filled destination and
// workspace, inputs unchanged): output rows of 4 pixels and more (a last
// tile overlapping the one before where the width is not a multiple of 4),
// one and several channels, strides, dilations, SAME, VALID and asymmetric
// padding, groups, batches, and output channels per group filling whole
// panels (of 12 on wasm, 16 on amd64) and narrow last ones (4 or 8), up to
// directMaxK taps. Then one NaN input cell must make exactly the outputs
// NaN whose window holds it.
func TestConvDirect(t *testing.T) {
	shapes := []ConvShape{
		same(ConvShape{N: 1, H: 28, W: 28, C: 1, KH: 3, KW: 3, OC: 64}), // seednet
		same(ConvShape{N: 1, H: 28, W: 28, C: 1, KH: 5, KW: 5, OC: 48}), // alexmnist conv1
		same(ConvShape{N: 2, H: 5, W: 4, C: 1, KH: 3, KW: 3, OC: 12}),
		same(ConvShape{N: 1, H: 3, W: 5, C: 1, KH: 3, KW: 3, OC: 16}),
		same(ConvShape{N: 3, H: 6, W: 7, C: 1, KH: 3, KW: 3, OC: 8}),
		same(ConvShape{N: 1, H: 7, W: 9, C: 1, KH: 5, KW: 5, OC: 4}),
		same(ConvShape{N: 1, H: 5, W: 11, C: 2, KH: 3, KW: 3, OC: 20}),
		same(ConvShape{N: 2, H: 6, W: 13, C: 3, KH: 3, KW: 3, OC: 40}),
		same(ConvShape{N: 1, H: 9, W: 9, C: 7, KH: 3, KW: 3, OC: 32}),
		{N: 1, H: 8, W: 8, C: 4, KH: 4, KW: 4, OC: 24}, // 64 taps
		{N: 1, H: 6, W: 9, C: 1, KH: 2, KW: 3, OC: 28}, // VALID
		{N: 1, H: 7, W: 8, C: 2, KH: 3, KW: 2, OC: 8, Pad: Padding{Top: 2, Bottom: 0, Left: 1, Right: 3}},
		same(ConvShape{N: 1, H: 11, W: 17, C: 3, KH: 3, KW: 3, OC: 16, StrideH: 2, StrideW: 3}),
		{N: 2, H: 12, W: 14, C: 1, KH: 3, KW: 3, OC: 8, StrideH: 2, StrideW: 2},
		same(ConvShape{N: 1, H: 10, W: 12, C: 2, KH: 3, KW: 3, OC: 16, DilationH: 2, DilationW: 3}),
		same(ConvShape{N: 2, H: 6, W: 8, C: 4, KH: 3, KW: 3, OC: 48, Groups: 2}),
		same(ConvShape{N: 1, H: 5, W: 6, C: 6, KH: 3, KW: 3, OC: 24, Groups: 3}),
		{N: 1, H: 4, W: 5, C: 8, KH: 1, KW: 1, OC: 32, Groups: 4}, // pointwise, grouped
		same(ConvShape{N: 1, H: 9, W: 6, C: 1, KH: 5, KW: 1, OC: 56}),
	}
	ran := 0
	forVariants(t, func(t *testing.T, k *kernels) {
		rng := newRand(t)
		for i, s := range shapes {
			s = s.normalized()
			if err := s.Validate(); err != nil {
				t.Fatalf("%s: bad test shape: %v", convName(s), err)
			}
			if !s.directApplies(k) {
				continue
			}
			ran++
			x, filter := randSlice(rng, s.InLen()), randSlice(rng, s.FilterLen())
			var bias []float32
			if i%2 == 0 {
				bias = randSlice(rng, s.OC)
			}
			act := Activation(i % 3 % 2)
			want := refConv2D(x, filter, bias, s, act)
			mag := refConv2D(absAll(x), absAll(filter), absAll(bias), s, Linear)
			tol := scaled(gamma(s.KH*s.KW*(s.C/s.Groups)+2), mag)
			checkPackedConvMethod(t, k, s, newGuardBuf(x), newGuardBuf(filter), newGuardBuf(bias), act, 0, true, want, tol)

			x[rng.IntN(len(x))] = float32(math.NaN())
			want = refConv2D(x, filter, bias, s, act)
			p, err := packConvMethod(k, filter, s, 0)
			if err != nil {
				t.Fatal(err)
			}
			p.direct = true
			got := make([]float32, s.OutLen())
			if err := p.Conv2D(got, x, bias, s.N, act, make([]float32, p.WorkspaceLen(s.N))); err != nil {
				t.Fatal(err)
			}
			for j := range want {
				if g, w := math.IsNaN(float64(got[j])), math.IsNaN(float64(want[j])); g != w {
					t.Fatalf("%s with a NaN input: output [%d] NaN %v, want %v", convName(s), j, g, w)
				}
			}
		}
	})
	// Under wasm every shape above applies, on amd64 those with OC/G a
	// multiple of 8.
	if s := shapes[0]; directConv(active, &s) != nil && ran < len(shapes)*3/4 {
		t.Fatalf("the direct method ran on %d of %d shapes", ran, len(shapes))
	}
}

// TestDirectChoice checks which convolutions PackConv prepares for the
// direct method (where the active kernels have one) and that the packed
// filter reports it, and its workspace, as PackedWorkspaceLen predicts.
func TestDirectChoice(t *testing.T) {
	for _, c := range []struct {
		s    ConvShape
		want bool
	}{
		{same(ConvShape{N: 1, H: 28, W: 28, C: 1, KH: 3, KW: 3, OC: 64}), true},
		{same(ConvShape{N: 1, H: 28, W: 28, C: 1, KH: 5, KW: 5, OC: 48}), true},
		{same(ConvShape{N: 1, H: 32, W: 32, C: 3, KH: 3, KW: 3, OC: 32, StrideH: 2, StrideW: 2}), true},
		{same(ConvShape{N: 1, H: 28, W: 28, C: 2, KH: 5, KW: 5, OC: 48}), true},                        // 50 taps
		{same(ConvShape{N: 1, H: 28, W: 28, C: 3, KH: 5, KW: 5, OC: 48}), false},                       // 75 taps
		{same(ConvShape{N: 1, H: 13, W: 13, C: 256, KH: 3, KW: 3, OC: 384}), false},                    // Winograd
		{same(ConvShape{N: 1, H: 13, W: 13, C: 48, KH: 5, KW: 5, OC: 128, Groups: 2}), false},          // long K
		{same(ConvShape{N: 1, H: 3, W: 3, C: 1, KH: 3, KW: 3, OC: 8}), false},                          // rows of 3
		{same(ConvShape{N: 1, H: 14, W: 14, C: 32, KH: 1, KW: 1, OC: 32}), false},                      // pointwise
		{ConvShape{N: 1, H: 227, W: 227, C: 3, KH: 11, KW: 11, OC: 96, StrideH: 4, StrideW: 4}, false}, // alexnet conv1
		{same(ConvShape{N: 1, H: 8, W: 8, C: 1, KH: 3, KW: 3, OC: 6}), false},                          // OC/G not a multiple of 4
	} {
		s := c.s.normalized()
		p, err := PackConv(make([]float32, s.FilterLen()), s)
		if err != nil {
			t.Fatal(err)
		}
		want := c.want && directConv(active, &s) != nil
		if p.direct != want {
			t.Errorf("%s: direct %v, want %v (%s)", convName(s), p.direct, want, p.Variant())
		}
		if got, want := s.PackedWorkspaceLen(), p.WorkspaceLen(1); got != want {
			t.Errorf("%s: PackedWorkspaceLen %d, packed filter's WorkspaceLen %d", convName(s), got, want)
		}
	}
}

// BenchmarkConv2DDirectRule runs both methods of a packed filter, the
// im2col GEMM and the direct convolution, on shapes with few input
// channels beside seednet's and alexmnist's (BenchmarkConv2D): the
// measurements behind useDirect (`make bench-kernels` runs them under
// js/wasm, batch 1).
func BenchmarkConv2DDirectRule(b *testing.B) {
	for _, c := range []struct {
		name string
		s    ConvShape
	}{
		{"32x32x3-3x3x32", same(ConvShape{N: 1, H: 32, W: 32, C: 3, KH: 3, KW: 3, OC: 32})},
		{"32x32x3-3x3x32-stride2", same(ConvShape{N: 1, H: 32, W: 32, C: 3, KH: 3, KW: 3, OC: 32, StrideH: 2, StrideW: 2})},
		{"32x32x6-3x3x32", same(ConvShape{N: 1, H: 32, W: 32, C: 6, KH: 3, KW: 3, OC: 32})},
		{"28x28x2-5x5x48", same(ConvShape{N: 1, H: 28, W: 28, C: 2, KH: 5, KW: 5, OC: 48})},
		{"14x14x32-1x1x32", ConvShape{N: 1, H: 14, W: 14, C: 32, KH: 1, KW: 1, OC: 32}},
	} {
		s := c.s.normalized()
		var x, filter, bias, dst []float32
		for _, k := range testVariants {
			if !s.directApplies(k) {
				continue
			}
			for _, direct := range []bool{false, true} {
				method := "packed-im2col"
				if direct {
					method = "packed-direct"
				}
				b.Run(fmt.Sprintf("%s/K%d/batch1/%s-%s", c.name, s.KH*s.KW*s.C/s.Groups, k.name, method), func(b *testing.B) {
					if x == nil {
						rng := newRand(b)
						x, filter, bias, dst = randSlice(rng, s.InLen()), randSlice(rng, s.FilterLen()), randSlice(rng, s.OC), make([]float32, s.OutLen())
					}
					p, err := packConvMethod(k, filter, s, 0)
					if err != nil {
						b.Fatal(err)
					}
					p.direct = direct
					ws := make([]float32, p.WorkspaceLen(1))
					for b.Loop() {
						if err := p.Conv2D(dst, x, bias, 1, ReLU, ws); err != nil {
							b.Fatal(err)
						}
					}
					reportGFLOPs(b, s.FLOPs())
				})
			}
		}
	}
}
