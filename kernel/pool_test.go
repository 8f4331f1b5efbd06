package kernel

import (
	"math"
	"testing"
)

// TestPoolSquareWindows sweeps the 2×2 and 3×3 windows that maxPoolSIMD
// runs row by row (maxPoolRow2x2, maxPoolRow3x3s2) next to the clipped
// border windows that it sends cell by cell: channels below, at and around
// the 4- and 16-channel steps, strides 1–3, VALID, SAME and explicit
// padding, batches of 2. Besides the random inputs of checkPool, every
// input cell that no window covers holds NaN (VALID pools leave the last
// row and column out when the stride does not fit), so a kernel that read
// outside its windows would return NaN; maxima are compared exactly.
func TestPoolSquareWindows(t *testing.T) {
	forVariants(t, func(t *testing.T, k *kernels) {
		rng := newRand(t)
		for _, kk := range []int{2, 3} {
			for _, c := range []int{1, 3, 4, 5, 8, 13, 16, 17, 35, 64} {
				for _, hw := range [][2]int{{kk, kk}, {7, 8}, {9, 6}} {
					for stride := 1; stride <= 3; stride++ {
						for pad := range 3 {
							s := PoolShape{N: 2, H: hw[0], W: hw[1], C: c, KH: kk, KW: kk, StrideH: stride, StrideW: stride}
							switch pad {
							case 1:
								s = samePool(s)
							case 2:
								s.Pad = Padding{Top: 1, Left: kk - 1, Right: 1}
							}
							if s.Validate("pool") != nil {
								continue
							}
							checkPool(t, k, rng, s)
							checkMaxPoolUncoveredNaN(t, k, s)
						}
					}
				}
			}
		}
	})
}

// checkMaxPoolUncoveredNaN runs maxPool on an input whose cells outside
// every window are NaN and the others distinct numbers, and compares it
// with refMaxPool, which never reads them.
func checkMaxPoolUncoveredNaN(t *testing.T, k *kernels, s PoolShape) {
	t.Helper()
	s = s.normalized()
	covered := make([]bool, s.InLen())
	refPool(s, func(_ int, cells []int) {
		for _, i := range cells {
			covered[i] = true
		}
	})
	x := make([]float32, s.InLen())
	for i := range x {
		x[i] = float32(math.NaN())
		if covered[i] {
			x[i] = float32((i*7919)%1009) - 500
		}
	}
	name := "max uncovered NaN " + poolName(s)
	gx, gdst := newGuardBuf(x), filledGuardBuf(s.OutLen())
	k.maxPool(gdst.data(), gx.data(), s)
	checkClose(t, name, gdst.data(), refMaxPool(x, s), nil)
	gdst.checkGuards(t, name+" dst")
	gx.checkUnchanged(t, name+" x", x)
}
