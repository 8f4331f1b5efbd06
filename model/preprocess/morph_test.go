package preprocess

import (
	"math/rand/v2"
	"testing"
)

// naiveClosing is the definition: the minimum over the clipped window of
// the maximum over the clipped window, O(w·h·r²).
func naiveClosing(src []float32, w, h, r int) []float32 {
	ext := func(src []float32, isMax bool) []float32 {
		out := make([]float32, len(src))
		for y := range h {
			for x := range w {
				v := src[y*w+x]
				for yy := max(0, y-r); yy < min(h, y+r+1); yy++ {
					for xx := max(0, x-r); xx < min(w, x+r+1); xx++ {
						if u := src[yy*w+xx]; isMax && u > v || !isMax && u < v {
							v = u
						}
					}
				}
				out[y*w+x] = v
			}
		}
		return out
	}
	return ext(ext(src, true), false)
}

// TestClosing compares closing with naiveClosing on random grids whose
// sizes straddle the radius, and checks that a linear ramp is kept exactly
// (r cells or more from the edges) and a thin dark line on it removed
// (to within the line's width times the slope).
func TestClosing(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for iter := range 200 {
		w, h, rad := 1+r.IntN(17), 1+r.IntN(17), r.IntN(9)
		src := make([]float32, w*h)
		for i := range src {
			src[i] = float32(r.IntN(5)) / 4
		}
		dst, t1, t2 := make([]float32, w*h), make([]float32, w*h), make([]float32, w*h)
		closing(dst, src, t1, t2, make([]int32, max(w, h)), w, h, rad)
		want := naiveClosing(src, w, h, rad)
		for i := range want {
			if dst[i] != want[i] {
				t.Fatalf("iter %d (%d×%d, r %d): dst[%d] = %v, want %v", iter, w, h, rad, i, dst[i], want[i])
			}
		}
	}
	const w, h = 40, 30
	ramp, lined := make([]float32, w*h), make([]float32, w*h)
	for i := range ramp {
		x, y := i%w, i/w
		ramp[i] = 0.3 + 0.01*float32(x) + 0.005*float32(y) // exact in float32 steps of the window
		lined[i] = ramp[i]
		if x == 20 || x == 21 {
			lined[i] = 0.1
		}
	}
	dst, t1, t2 := make([]float32, w*h), make([]float32, w*h), make([]float32, w*h)
	closing(dst, ramp, t1, t2, make([]int32, w), w, h, 3)
	for i := range ramp {
		if x, y := i%w, i/w; x >= 3 && y >= 3 && x < w-3 && y < h-3 && dst[i] != ramp[i] {
			t.Fatalf("ramp: closing[%d,%d] = %v, want %v", y, x, dst[i], ramp[i])
		}
	}
	closing(dst, lined, t1, t2, make([]int32, w), w, h, 3)
	for i := range ramp {
		if x, y := i%w, i/w; x < 3 || y < 3 || x >= w-3 || y >= h-3 {
			continue // clipped windows: the ramp is kept r cells from the edges
		}
		// A window whose brightest corner falls on the line takes the
		// next cell: off by at most the line's width times the slope.
		if d := dst[i] - ramp[i]; d > 1e-6 || d < -0.02-1e-6 {
			t.Fatalf("ramp with a line: closing[%d,%d] = %v, want the ramp %v", i/w, i%w, dst[i], ramp[i])
		}
	}
}
