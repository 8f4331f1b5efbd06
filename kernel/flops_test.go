package kernel

import "testing"

// TestConvShapeFLOPs checks FLOPs (2 per multiply-add) on hand-computed
// cases: the seed's 4×4×3 * 3×3×3×7 SAME example, AlexMNIST's grouped
// conv2, and a strided, dilated VALID case whose output size is worked out
// by hand.
func TestConvShapeFLOPs(t *testing.T) {
	for _, c := range []struct {
		name string
		s    ConvShape
		want int64
	}{
		// 4×4 outputs × 7 filters × 27 multiply-adds each.
		{"seed", ConvShape{N: 1, H: 4, W: 4, C: 3, KH: 3, KW: 3, OC: 7, Pad: SamePadding2D(4, 4, 3, 3, 1, 1, 1, 1)}, 2 * 16 * 7 * 27},
		// 13×13 outputs × 128 filters × 5·5·24 (48 channels in 2 groups).
		{"alexmnist conv2", ConvShape{N: 1, H: 13, W: 13, C: 48, KH: 5, KW: 5, OC: 128, Groups: 2, Pad: Padding{2, 2, 2, 2}}, 2 * 169 * 128 * 600},
		// Batch 3 of 10×9: dilation 2 makes the 3×3 window span 5, so
		// OH = (10-5)/2+1 = 3 and OW = (9-5)/2+1 = 3; 4 filters × 9·2.
		{"strided dilated batch", ConvShape{N: 3, H: 10, W: 9, C: 2, KH: 3, KW: 3, OC: 4, StrideH: 2, StrideW: 2, DilationH: 2, DilationW: 2}, 2 * 3 * 9 * 4 * 18},
	} {
		if got := c.s.FLOPs(); got != c.want {
			t.Errorf("%s: FLOPs = %d, want %d", c.name, got, c.want)
		}
	}
}
