//go:build js && wasm

package main

import (
	"strconv"

	"github.com/featuremap/featuremap/site/internal/ui"
	"honnef.co/go/js/dom/v2"
)

var (
	// seq is the seed's 1-D zero-padding example; seqFilter sums a cell
	// and its neighbours.
	seq       = []float32{1, 2, -1, 1, -3}
	seqFilter = []float32{1, 1, 1}
)

const strideSide, poolSide = 7, 6

// strideInput is a 7×7 map of diagonal stripes.
func strideInput() []float32 {
	x := make([]float32, strideSide*strideSide)
	for i := range x {
		if (i/strideSide+i%strideSide)%3 == 0 {
			x[i] = 1
		}
	}
	return x
}

// poolInput is a 6×6 feature map of small non-negative values (as after a
// ReLU).
func poolInput() []float32 {
	x := make([]float32, poolSide*poolSide)
	for i := range x {
		x[i] = float32((3*(i/poolSide) + 5*(i%poolSide)) % 7)
	}
	return x
}

// explicit is an explicit padding [[top, bottom], [left, right]] for fm.ops.
func explicit(p [][]int) []any { return []any{jsArray(p[0]), jsArray(p[1])} }

// padding1D is the seed's 1-D example: the sequence, its zero-padded form,
// and a 3-wide filter over both.
func (e *explainer) padding1D() {
	p := e.part("pad1d")
	x := tensor(seq, 1, 1, len(seq), 1)
	one := tensor([]float32{1}, 1, 1, 1, 1)
	padded, padData, err := e.op("conv2d", x, one, map[string]any{"padding": explicit([][]int{{0, 0}, {1, 1}})})
	if err != nil {
		e.fail("pad1d", err)
		return
	}
	f := tensor(seqFilter, 1, len(seqFilter), 1, 1)
	vShape, valid, err := e.op("conv2d", x, f, map[string]any{"padding": "VALID"})
	if err != nil {
		e.fail("pad1d", err)
		return
	}
	sShape, same, err := e.op("conv2d", x, f, map[string]any{"padding": "SAME"})
	if err != nil {
		e.fail("pad1d", err)
		return
	}
	row := func(caption, name string, data []float32, w int) *dom.BasicHTMLElement {
		t, cells := grid(name, data, 1, w)
		if name == "seq-padded" {
			shadePadding(cells, 1, w, 0, 0, 1, 1)
		}
		return figure(caption, t)
	}
	appendChild(p, row("The sequence ("+strconv.Itoa(len(seq))+" cells)", "seq", seq, len(seq)))
	appendChild(p, row("Zero-padded by one cell on each side ("+strconv.Itoa(padded[2])+" cells; padding hatched)", "seq-padded", padData, padded[2]))
	appendChild(p, row("Filter", "seq-filter", seqFilter, len(seqFilter)))
	appendChild(p, row("Filter over the sequence without padding (VALID): "+strconv.Itoa(vShape[2])+" cells", "seq-valid", valid, vShape[2]))
	appendChild(p, row("Filter over the padded sequence (SAME): "+strconv.Itoa(sShape[2])+" cells, as many as the input", "seq-same", same, sShape[2]))
}

// padding2D pads the 5×5 input by one cell and compares SAME and VALID.
func (e *explainer) padding2D() {
	p := e.part("pad2d")
	opts := []map[string]any{{"padding": explicit([][]int{{1, 1}, {1, 1}})}, {"padding": "VALID"}, {"padding": "SAME"}}
	filters := [][]float32{{1}, e.filter, e.filter}
	k := []int{1, filterSide, filterSide}
	names := []string{"pad2d-padded", "pad2d-valid", "pad2d-same"}
	captions := []string{"Input zero-padded by one cell (hatched)", "Filter over the input (VALID)", "Filter over the padded input (SAME)"}
	row := el("div", "fm-row")
	for i := range opts {
		shape, y, err := e.conv2d(convInput, convSide, convSide, filters[i], k[i], k[i], opts[i])
		if err != nil {
			e.fail("pad2d", err)
			return
		}
		t, cells := grid(names[i], y, shape[1], shape[2])
		if i == 0 {
			shadePadding(cells, shape[1], shape[2], 1, 1, 1, 1)
		}
		appendChild(row, figure(captions[i]+": "+ui.Shape(shape[1:3]), t))
	}
	appendChild(p, row)
}

// stride compares stride 1 and 2 over a 7×7 input, with the output size
// worked by the formula beside the engine's output.
func (e *explainer) stride() {
	p := e.part("stride")
	x := strideInput()
	in, _ := grid("stride-in", x, strideSide, strideSide)
	row := el("div", "fm-row", figure("Input "+ui.Shape([]int{strideSide, strideSide}), in))
	var formulas []*dom.BasicHTMLElement
	for _, s := range []int{1, 2} {
		shape, y, err := e.conv2d(x, strideSide, strideSide, e.filter, filterSide, filterSide, map[string]any{"padding": "VALID", "strides": s})
		if err != nil {
			e.fail("stride", err)
			return
		}
		t, _ := grid("stride-"+strconv.Itoa(s), y, shape[1], shape[2])
		appendChild(row, figure("VALID, stride "+strconv.Itoa(s)+": "+ui.Shape(shape[1:3]), t))
		for _, padding := range []string{ui.Valid, ui.Same} {
			w := ui.Window{In: strideSide, Kernel: filterSide, Stride: s, Dilation: 1, Padding: padding}
			formulas = append(formulas, formula("stride-"+padding+"-"+strconv.Itoa(s), padding+", stride "+strconv.Itoa(s)+": ", w))
		}
	}
	appendChild(p, row)
	appendChild(p, el("ul", "fm-formulas", anySlice(formulas)...))
}

// formula is a list item with w's output-size formula; data-value holds
// the size it works out.
func formula(name, label string, w ui.Window) *dom.BasicHTMLElement {
	out, _, _, _ := w.Size()
	return attrs(el("li", "", label, el("span", "ex-formula", w.Formula())), "data-formula", name, "data-value", strconv.Itoa(out))
}

// pooling runs max pooling, average pooling and a strided convolution on
// the same feature map.
func (e *explainer) pooling() {
	p := e.part("pool")
	x := poolInput()
	xt := tensor(x, 1, poolSide, poolSide, 1)
	in, _ := grid("pool-in", x, poolSide, poolSide)
	row := el("div", "fm-row", figure("Feature map "+ui.Shape([]int{poolSide, poolSide}), in))
	window := map[string]any{"size": 2, "strides": 2}
	for _, c := range []struct {
		name, caption string
		run           func() ([]int, []float32, error)
	}{
		{"pool-max", "Max pooling 2×2, stride 2", func() ([]int, []float32, error) { return e.op("maxPool", xt, window) }},
		{"pool-avg", "Average pooling 2×2, stride 2", func() ([]int, []float32, error) { return e.op("avgPool", xt, window) }},
		{"pool-conv", "Convolution, stride 2 (SAME)", func() ([]int, []float32, error) {
			return e.conv2d(x, poolSide, poolSide, e.filter, filterSide, filterSide, map[string]any{"padding": "SAME", "strides": 2})
		}},
	} {
		shape, y, err := c.run()
		if err != nil {
			e.fail("pool", err)
			return
		}
		t, _ := grid(c.name, y, shape[1], shape[2])
		appendChild(row, figure(c.caption+": "+ui.Shape(shape[1:3]), t))
	}
	appendChild(p, row)
}
