package ui

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
)

// Confusion counts classifications: Counts[t][p] is the number of examples
// of true class t predicted as p.
type Confusion struct {
	Counts [][]int
}

// NewConfusion returns an empty k×k matrix.
func NewConfusion(k int) Confusion {
	c := Confusion{Counts: make([][]int, k)}
	for i := range c.Counts {
		c.Counts[i] = make([]int, k)
	}
	return c
}

// Add records one example of class truth predicted as pred.
func (c Confusion) Add(truth, pred int) { c.Counts[truth][pred]++ }

// Total is the number of examples recorded, and Correct those on the
// diagonal.
func (c Confusion) Total() (total, correct int) {
	for t, row := range c.Counts {
		for p, n := range row {
			total += n
			if p == t {
				correct += n
			}
		}
	}
	return total, correct
}

// Class is the number of examples of class t and how many of them were
// predicted right (the class's accuracy, or recall, is right/n).
func (c Confusion) Class(t int) (n, right int) {
	for _, v := range c.Counts[t] {
		n += v
	}
	return n, c.Counts[t][t]
}

// MultiplyAdds is the number of multiply-adds of one layer for one example,
// from its summary row: a convolution applies each of its weights once per
// output position (outShape [H, W, C]: weights·H·W, with any groups,
// kernel size and stride), a dense layer each weight once; other layers
// (pooling, LRN, ReLU, softmax) do no multiply-adds and return 0.
func MultiplyAdds(typ string, weights int, outShape []int) int64 {
	switch {
	case typ == "conv2d" && len(outShape) == 3:
		return int64(weights) * int64(outShape[0]) * int64(outShape[1])
	case typ == "dense":
		return int64(weights)
	}
	return 0
}

// Median is the median of v (the mean of the middle two for an even
// length), 0 for none; v is not changed.
func Median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	// v's indices sorted by value, with the stable index sort that Order
	// uses too: the UI's binary then holds one sort, not two.
	n := len(v)
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(v[a], v[b]) })
	if n%2 == 1 {
		return v[order[n/2]]
	}
	return (v[order[n/2-1]] + v[order[n/2]]) / 2
}

// Millions renders n as "64.7 M" (one decimal), or "0.9 M".
func Millions(n int64) string {
	return strconv.FormatFloat(float64(n)/1e6, 'f', 1, 64) + " M"
}

// Polyline is the SVG points attribute of a line through (xs[i], ys[i]),
// mapped from the data box [x0, x1]×[y0, y1] to a w×h drawing with y up:
// "x,y x,y …", one decimal.
func Polyline(xs, ys []float64, x0, x1, y0, y1, w, h float64) string {
	var b strings.Builder
	for i := range min(len(xs), len(ys)) {
		if i > 0 {
			b.WriteByte(' ')
		}
		px := (xs[i] - x0) / (x1 - x0) * w
		py := h - (ys[i]-y0)/(y1-y0)*h
		b.WriteString(strconv.FormatFloat(px, 'f', 1, 64) + "," + strconv.FormatFloat(py, 'f', 1, 64))
	}
	return b.String()
}
