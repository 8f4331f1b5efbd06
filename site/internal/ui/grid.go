package ui

import (
	"cmp"
	"math"
	"slices"
)

// Grid lays out n tiles of TileW×TileH pixels in rows of Cols tiles, with
// Gap pixels between tiles and none around the edge. Tile i sits in row
// i/Cols, column i%Cols.
type Grid struct {
	N, TileW, TileH, Cols, Gap int
}

// NewGrid returns the grid of n tiles of tw×th pixels whose width fits in
// maxWidth pixels, with at least one column and never more columns than
// tiles.
func NewGrid(n, tw, th, gap, maxWidth int) Grid {
	cols := max(1, (maxWidth+gap)/(tw+gap))
	cols = min(cols, max(n, 1))
	return Grid{N: n, TileW: tw, TileH: th, Cols: cols, Gap: gap}
}

// Rows is the number of rows, ceil(N / Cols).
func (g Grid) Rows() int { return (g.N + g.Cols - 1) / g.Cols }

// Size is the grid's width and height in pixels.
func (g Grid) Size() (w, h int) {
	rows := g.Rows()
	return g.Cols*(g.TileW+g.Gap) - g.Gap, max(rows*(g.TileH+g.Gap)-g.Gap, 0)
}

// Origin is the top-left pixel of tile i.
func (g Grid) Origin(i int) (x, y int) {
	return (i % g.Cols) * (g.TileW + g.Gap), (i / g.Cols) * (g.TileH + g.Gap)
}

// At is the tile under pixel (x, y), or ok = false for a gap or outside.
func (g Grid) At(x, y int) (i int, ok bool) {
	if x < 0 || y < 0 {
		return 0, false
	}
	col, cx := x/(g.TileW+g.Gap), x%(g.TileW+g.Gap)
	row, cy := y/(g.TileH+g.Gap), y%(g.TileH+g.Gap)
	i = row*g.Cols + col
	if col >= g.Cols || cx >= g.TileW || cy >= g.TileH || i >= g.N {
		return 0, false
	}
	return i, true
}

// TileSide is the side in pixels a map of h cells is drawn at: it grows
// with h, so a 28×28 map is drawn larger than a 13×13 one, while small
// maps keep cells large enough to see (2h for h ≥ 16, else h + 16: 28 →
// 56, 14 → 30, 13 → 29, 6 → 22, 2 → 18).
func TileSide(h int) int { return max(2*h, h+16) }

// Maps views a layer's output [H, W, C] (row-major, channel last) as C
// feature maps of H×W.
type Maps struct {
	Data    []float32
	H, W, C int
}

// At is map c's value at (y, x).
func (m Maps) At(c, y, x int) float32 { return m.Data[(y*m.W+x)*m.C+c] }

// Range is the smallest and largest finite value of map c.
func (m Maps) Range(c int) (lo, hi float32) {
	lo, hi = float32(math.Inf(1)), float32(math.Inf(-1))
	for i := c; i < len(m.Data); i += m.C {
		if v := m.Data[i]; !math.IsInf(float64(v), 0) && v == v {
			lo, hi = min(lo, v), max(hi, v)
		}
	}
	return lo, hi
}

// Peak is the largest magnitude of map c, or of every map when c < 0 (the
// layer's shared scale); 0 when there is no finite value.
func (m Maps) Peak(c int) float32 {
	first, step := c, m.C
	if c < 0 {
		first, step = 0, 1
	}
	var peak float32
	for i := first; i < len(m.Data); i += step {
		if v := m.Data[i]; !math.IsInf(float64(v), 0) && v == v {
			peak = max(peak, v, -v)
		}
	}
	return peak
}

// Mean is the mean value of map c.
func (m Maps) Mean(c int) float32 {
	var sum float64
	for i := c; i < len(m.Data); i += m.C {
		sum += float64(m.Data[i])
	}
	return float32(sum / float64(m.H*m.W))
}

// Order lists the channels in drawing order: by = "mean" or "max" sorts
// them by that statistic, largest first (ties by channel number); anything
// else keeps the channel numbers' order.
func (m Maps) Order(by string) []int {
	order := make([]int, m.C)
	key := make([]float32, m.C)
	for c := range order {
		order[c] = c
		switch by {
		case "mean":
			key[c] = m.Mean(c)
		case "max":
			_, key[c] = m.Range(c)
		}
	}
	if by == "mean" || by == "max" {
		slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(key[b], key[a]) })
	}
	return order
}

// Paint draws map c into the RGBA image pix (stride bytes per row) as a
// tw×th tile with its top-left at (x0, y0): cell (y, x) covers the pixel
// rows y·th/H to (y+1)·th/H and the columns likewise (nearest neighbour),
// coloured by Color(v / peak). A peak ≤ 0 paints every cell as zero.
func (m Maps) Paint(pix []byte, stride, x0, y0, c, tw, th int, peak float32) {
	for py := range th {
		y := py * m.H / th
		row := (y0+py)*stride + x0*4
		for px := range tw {
			t := float32(0)
			if v := m.At(c, y, px*m.W/tw); peak > 0 && v == v {
				t = v / peak
			}
			rgb := Color(t)
			p := pix[row+px*4 : row+px*4+4]
			p[0], p[1], p[2], p[3] = rgb[0], rgb[1], rgb[2], 255
		}
	}
}

// Colour stops: zero is near-black, positive values run through orange to
// pale yellow, negative values to blue. A diverging map, so that the
// signed values of filters and logits read as signed; its zero is dark and
// the same in every tile, like an MNIST digit's background, because after
// a ReLU most values are exactly zero, and for those layers (all ≥ 0) only
// the positive half appears, read as a sequential scale.
var (
	zero     = [3]float32{0x11, 0x18, 0x27}
	positive = [2][3]float32{{0xea, 0x58, 0x0c}, {0xfe, 0xf0, 0x8a}}
	negative = [2][3]float32{{0x25, 0x63, 0xeb}, {0xbf, 0xdb, 0xfe}}
)

// Color maps t in [-1, 1] (clamped) to RGB: 0 to the dark zero colour, |t| = ½ to the
// middle stop and |t| = 1 to the light end, linearly in between.
func Color(t float32) [3]byte {
	t = min(max(t, -1), 1)
	stops := positive
	if t < 0 {
		stops, t = negative, -t
	}
	a, b, u := zero, stops[0], 2*t
	if t > 0.5 {
		a, b, u = stops[0], stops[1], 2*t-1
	}
	var rgb [3]byte
	for i := range rgb {
		rgb[i] = byte(a[i] + (b[i]-a[i])*u + 0.5)
	}
	return rgb
}
