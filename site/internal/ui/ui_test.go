package ui

import (
	"math"
	"testing"
)

// TestGridAt checks At against Origin: every pixel of every tile maps back
// to its tile, and every other pixel of the grid is a gap.
func TestGridAt(t *testing.T) {
	for _, c := range []struct{ n, tw, th, gap, maxW int }{
		{48, 28, 28, 2, 300}, {10, 4, 3, 1, 1000}, {1, 5, 5, 0, 2}, {7, 3, 2, 1, 11},
	} {
		g := NewGrid(c.n, c.tw, c.th, c.gap, c.maxW)
		w, h := g.Size()
		if g.Cols > 1 && w > c.maxW {
			t.Errorf("%+v: width %d exceeds %d", c, w, c.maxW)
		}
		owner := make([]int, w*h)
		for i := range owner {
			owner[i] = -1
		}
		for i := range g.N {
			x0, y0 := g.Origin(i)
			for y := y0; y < y0+g.TileH; y++ {
				for x := x0; x < x0+g.TileW; x++ {
					owner[y*w+x] = i
				}
			}
		}
		for y := range h {
			for x := range w {
				i, ok := g.At(x, y)
				if want := owner[y*w+x]; (want >= 0) != ok || ok && i != want {
					t.Fatalf("%+v: At(%d, %d) = %d, %v; want tile %d", c, x, y, i, ok, want)
				}
			}
		}
		if _, ok := g.At(w, 0); ok {
			t.Errorf("%+v: At(%d, 0) beyond the width is a tile", c, w)
		}
	}
}

func TestColor(t *testing.T) {
	for _, c := range []struct {
		t    float32
		want [3]byte
	}{{0, [3]byte{0x11, 0x18, 0x27}}, {1, [3]byte{0xfe, 0xf0, 0x8a}}, {2, [3]byte{0xfe, 0xf0, 0x8a}}, {0.5, [3]byte{0xea, 0x58, 0x0c}}, {-1, [3]byte{0xbf, 0xdb, 0xfe}}, {-0.25, [3]byte{0x1b, 0x3e, 0x89}}} {
		if got := Color(c.t); got != c.want {
			t.Errorf("Color(%v) = %x, want %x", c.t, got, c.want)
		}
	}
}

// TestThousands checks hand-written groupings, Intl.NumberFormat("en-US")'s.
func TestThousands(t *testing.T) {
	for _, c := range []struct {
		n    int
		want string
	}{
		{0, "0"}, {7, "7"}, {999, "999"}, {1000, "1,000"}, {125440, "125,440"}, {1234567, "1,234,567"},
		{-5, "-5"}, {-1000, "-1,000"}, {-999999, "-999,999"}, {60965224, "60,965,224"},
	} {
		if got := Thousands(c.n); got != c.want {
			t.Errorf("Thousands(%d) = %q, want %q", c.n, got, c.want)
		}
	}
}

func TestNum(t *testing.T) {
	for _, c := range []struct {
		v    float32
		want string
	}{{3, "3"}, {-1, "-1"}, {0.25, "0.25"}, {-4.0 / 3, "-1.333"}, {float32(math.Copysign(0, -1)), "0"}, {-0.0001, "0"}, {12544, "12544"}} {
		if got := Num(c.v); got != c.want {
			t.Errorf("Num(%v) = %q, want %q", c.v, got, c.want)
		}
	}
	if got := Percent(0.9734); got != "97.3%" {
		t.Errorf("Percent(0.9734) = %q, want 97.3%%", got)
	}
	if got := Shape([]int{28, 28, 64}); got != "28×28×64" {
		t.Errorf("Shape = %q", got)
	}
}

func TestKernelSide(t *testing.T) {
	for _, c := range []struct{ weights, filters, in, want int }{
		{576, 64, 1, 3}, {1200, 48, 1, 5}, {34848, 96, 3, 11}, {307200, 256, 48, 5}, {100, 4, 1, 5}, {12, 4, 1, 0}, {10, 3, 1, 0}, {5, 0, 1, 0},
	} {
		if got := KernelSide(c.weights, c.filters, c.in); got != c.want {
			t.Errorf("KernelSide(%d, %d, %d) = %d, want %d", c.weights, c.filters, c.in, got, c.want)
		}
	}
}
