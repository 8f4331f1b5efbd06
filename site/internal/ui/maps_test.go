package ui

import (
	"math"
	"slices"
	"testing"
)

// TestTileSide: tiles grow with the map's resolution (the issue: conv1's
// 28×28 maps were drawn smaller than pool1's 13×13).
func TestTileSide(t *testing.T) {
	prev := 0
	for h := 1; h <= 64; h++ {
		s := TileSide(h)
		if s <= prev || s < h {
			t.Fatalf("TileSide(%d) = %d, after %d", h, s, prev)
		}
		prev = s
	}
	if TileSide(28) != 56 || TileSide(13) != 29 || TileSide(2) != 18 {
		t.Errorf("TileSide(28, 13, 2) = %d, %d, %d", TileSide(28), TileSide(13), TileSide(2))
	}
}

func TestMapsPaint(t *testing.T) {
	// Two channels of a 1×2 map: channel 1 is [-2, 1], painted as a 4×2
	// tile (each cell 2×2 pixels) at (1, 0) of a 5×2 image.
	m := Maps{Data: []float32{0, -2, 4, 1}, H: 1, W: 2, C: 2}
	if m.Peak(1) != 2 || m.Peak(-1) != 4 || m.Peak(0) != 4 {
		t.Errorf("peaks %v %v %v, want 2 4 4", m.Peak(1), m.Peak(-1), m.Peak(0))
	}
	pix := make([]byte, 5*2*4)
	m.Paint(pix, 5*4, 1, 0, 1, 4, 2, m.Peak(1))
	at := func(x, y int) [3]byte { return [3]byte(pix[(y*5+x)*4:]) }
	for _, c := range []struct {
		x, y int
		want [3]byte
	}{{1, 0, Color(-1)}, {2, 1, Color(-1)}, {3, 0, Color(0.5)}, {4, 1, Color(0.5)}, {0, 0, [3]byte{}}} {
		if got := at(c.x, c.y); got != c.want {
			t.Errorf("pixel (%d, %d) = %v, want %v", c.x, c.y, got, c.want)
		}
	}
	// The shared scale: the layer's peak 4 makes 1 a quarter.
	m.Paint(pix, 5*4, 1, 0, 1, 4, 2, m.Peak(-1))
	if got := at(4, 0); got != Color(0.25) {
		t.Errorf("shared scale: %v, want Color(0.25) %v", got, Color(0.25))
	}
	// A tile smaller than the map keeps every pixel inside the tile.
	big := Maps{Data: make([]float32, 28*28), H: 28, W: 28, C: 1}
	big.Paint(make([]byte, 13*13*4), 13*4, 0, 0, 0, 13, 13, 0)
}

func TestMapsOrder(t *testing.T) {
	// 2 cells × 3 channels: means 0.5, 2, 1; maxima 1, 2, 2.
	m := Maps{Data: []float32{0, 2, 2, 1, 2, 0}, H: 1, W: 2, C: 3}
	for _, c := range []struct {
		by   string
		want []int
	}{{"", []int{0, 1, 2}}, {"mean", []int{1, 2, 0}}, {"max", []int{1, 2, 0}}} {
		if got := m.Order(c.by); !slices.Equal(got, c.want) {
			t.Errorf("Order(%q) = %v, want %v", c.by, got, c.want)
		}
	}
	if lo, hi := m.Range(2); lo != 0 || hi != 2 || m.Mean(0) != 0.5 {
		t.Errorf("Range(2) = %v, %v; Mean(0) = %v", lo, hi, m.Mean(0))
	}
	inf := Maps{Data: []float32{float32(math.Inf(1)), 3}, H: 1, W: 2, C: 1}
	if inf.Peak(0) != 3 {
		t.Errorf("Peak skips infinities: %v", inf.Peak(0))
	}
}

// TestConvProducts: the hand-worked cs231n-style example, a 3×3 input of
// 1…9 and a 3×3 filter, at the centre and at a corner (SAME padding: the
// window hangs one cell over the top and left).
func TestConvProducts(t *testing.T) {
	in := []float32{1, 2, 3, 4, 5, 6, 7, 8, 9}
	// One output channel: filter [[1,0,-1],[1,0,-1],[1,0,-1]] (HWIO, OC=1).
	f := []float32{1, 0, -1, 1, 0, -1, 1, 0, -1}
	p, ok := ConvProducts(in, 3, 3, f, 3, 3, 1, []float32{0.5}, 0, 1, 1)
	if !ok || p.Sum != (1+4+7)-(3+6+9) || p.Bias != 0.5 || slices.Contains(p.Padding, true) {
		t.Fatalf("centre: %+v", p)
	}
	p, _ = ConvProducts(in, 3, 3, f, 3, 3, 1, []float32{0}, 0, 0, 0)
	if p.Sum != -(2+5) || !slices.Equal(p.Padding, []bool{true, true, true, true, false, false, true, false, false}) || p.Input[4] != 1 {
		t.Fatalf("corner: %+v", p)
	}
	// Channel 1 of a two-channel bank reads every other value.
	f2 := []float32{9, 1, 9, 0, 9, 0, 9, 0, 9, 0, 9, 0, 9, 0, 9, 0, 9, 0}
	if p, _ := ConvProducts(in, 3, 3, f2, 3, 3, 2, []float32{0, 0}, 1, 1, 1); p.Sum != 1 || p.Filter[0] != 1 {
		t.Errorf("channel 1: %+v", p)
	}
	for _, bad := range [][3]int{{2, 0, 0}, {0, 3, 0}, {0, 0, -1}} {
		if _, ok := ConvProducts(in, 3, 3, f2, 3, 3, 2, []float32{0, 0}, bad[0], bad[1], bad[2]); ok {
			t.Errorf("ConvProducts at %v accepted", bad)
		}
	}
}
