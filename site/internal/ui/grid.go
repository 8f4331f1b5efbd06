package ui

import "math"

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

// VectorShape is the H×W image a vector of k values is drawn as: W the
// smallest power of two with W*W ≥ k (so 512 → 32×16, 10 → 4×3), H = ceil(k/W).
func VectorShape(k int) (h, w int) {
	w = 1
	for w*w < k {
		w *= 2
	}
	return (k + w - 1) / w, w
}

// Maps views a layer's output [H, W, C] (row-major, channel last) as C
// feature maps of H×W. A vector [K] is one map of VectorShape(K).
type Maps struct {
	Data    []float32
	H, W, C int
}

// NewMaps returns the maps of an activation of shape [1, H, W, C] or [1, K]
// (the batch first, as model.activations returns them).
func NewMaps(data []float32, shape []int) Maps {
	if len(shape) == 4 {
		return Maps{Data: data, H: shape[1], W: shape[2], C: shape[3]}
	}
	h, w := VectorShape(len(data))
	return Maps{Data: data, H: h, W: w, C: 1}
}

// At is map c's value at (y, x); cells beyond the data (the tail of a
// vector's last row) are NaN.
func (m Maps) At(c, y, x int) float32 {
	i := (y*m.W+x)*m.C + c
	if i >= len(m.Data) {
		return float32(math.NaN())
	}
	return m.Data[i]
}

// Range is the smallest and largest finite value of map c.
func (m Maps) Range(c int) (lo, hi float32) {
	lo, hi = float32(math.Inf(1)), float32(math.Inf(-1))
	for y := range m.H {
		for x := range m.W {
			v := m.At(c, y, x)
			if v == v && !math.IsInf(float64(v), 0) {
				lo, hi = min(lo, v), max(hi, v)
			}
		}
	}
	return lo, hi
}

// Paint draws map c into the RGBA image pix (stride bytes per row) with its
// top-left at (x0, y0), each cell as scale×scale pixels, coloured by Color
// relative to the map's largest magnitude (so 0 keeps one colour across
// maps).
func (m Maps) Paint(pix []byte, stride, x0, y0, c, scale int) {
	lo, hi := m.Range(c)
	peak := max(-lo, hi)
	for y := range m.H {
		for x := range m.W {
			v := m.At(c, y, x)
			var rgb [3]byte
			if v == v {
				t := float32(0)
				if peak > 0 {
					t = v / peak
				}
				rgb = Color(t)
			} else {
				rgb = Background
			}
			for dy := range scale {
				row := (y0+y*scale+dy)*stride + (x0+x*scale)*4
				for dx := range scale {
					p := pix[row+dx*4 : row+dx*4+4]
					p[0], p[1], p[2], p[3] = rgb[0], rgb[1], rgb[2], 255
				}
			}
		}
	}
}

// Background is the colour of cells without a value.
var Background = [3]byte{0xe5, 0xe7, 0xeb}

// Colour stops: zero is near-black, positive values run through orange to
// pale yellow, negative values to blue (a diverging map whose zero is dark,
// like an MNIST digit's background).
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
