//go:build js && wasm

package main

import (
	"strconv"
	"strings"
	"syscall/js"

	"github.com/featuremap/featuremap/site/internal/ui"
	"honnef.co/go/js/dom/v2"
)

// The explainer (explain.html) fills the page's [data-fm] containers. Its
// examples' inputs are written here; every result shown is computed by
// the engine (fm.ops) or read from a model (summary, activations, weights)
// at run time, and every formula is worked by the page from the inputs
// (site/internal/ui), so that the two check each other. The page does not
// link the engine's Go packages. Parts: explain.go (the page and the
// convolution), explain_sizes.go (padding, stride, pooling),
// explain_channels.go (many channels, many filters), explain_playground.go,
// explain_digit.go (ReLU and softmax on the learner's digit) and
// explain_models.go (parameters, AlexNet). For tests, the root's
// data-updates counts recomputations after filter edits, and
// [data-fm=digit]'s data-runs the complete updates for a drawing.

var (
	// convInput and convFilter are cs231n's classic 5×5 image and 3×3
	// filter with 1s on its diagonals (the seed's "Convolved Feature").
	convInput = []float32{
		1, 1, 1, 0, 0,
		0, 1, 1, 1, 0,
		0, 0, 1, 1, 1,
		0, 0, 1, 1, 0,
		0, 1, 1, 0, 0,
	}
	convFilter = []float32{1, 0, 1, 0, 1, 0, 1, 0, 1}
)

const convSide, filterSide = 5, 3

// explainer is the explainer page.
type explainer struct {
	site
	root    *dom.BasicHTMLElement
	filter  []float32 // the editable 3×3 filter
	step    int       // the convolution window shown
	updates int       // recomputations done, in data-updates
	failed  bool
	edits   serial
	models  map[string]js.Value // loaded models by name
}

func explain(s site, root *dom.BasicHTMLElement) {
	e := &explainer{site: s, root: root, filter: append([]float32(nil), convFilter...), models: map[string]js.Value{}}
	setState(root, "loading")
	e.buildConv()
	e.edited()
	e.padding1D()
	e.channels()
	e.playground()
	e.alexnet()
	e.seednet()
	e.digit()
	if !e.failed {
		setState(root, "ready")
	}
}

// serial runs a recomputation now, or, when one is running (edits arrive
// in separate goroutines), once more after it: never two at a time.
type serial struct{ running, pending bool }

func (s *serial) run(f func()) {
	if s.running {
		s.pending = true
		return
	}
	s.running = true
	defer func() { s.running = false }()
	for {
		s.pending = false
		f()
		if !s.pending {
			return
		}
	}
}

// part returns the container [data-fm=name], emptied.
func (e *explainer) part(name string) *dom.BasicHTMLElement {
	p := query(e.root, `[data-fm="`+name+`"]`)
	clear(p)
	return p
}

func (e *explainer) fail(where string, err error) {
	e.failed = true
	setState(e.root, "error")
	p := query(e.root, `[data-fm="`+where+`"]`)
	appendChild(p, el("p", "fm-error", "Cannot compute this part: "+err.Error()))
}

// op calls fm.ops[name](args…) in the worker and returns the result's
// shape and data.
func (e *explainer) op(name string, args ...any) ([]int, []float32, error) {
	y, err := await(e.fm.Get("ops").Call(name, args...))
	if err != nil {
		return nil, nil, err
	}
	return ints(y.Get("shape")), float32s(y.Get("data")), nil
}

// conv2d runs fm.ops.conv2d on an h×w one-channel input and a kh×kw filter.
func (e *explainer) conv2d(x []float32, h, w int, f []float32, kh, kw int, opts map[string]any) ([]int, []float32, error) {
	return e.op("conv2d", tensor(x, 1, h, w, 1), tensor(f, kh, kw, 1, 1), opts)
}

// model loads a model once.
func (e *explainer) model(name string) (js.Value, error) {
	if m, ok := e.models[name]; ok {
		return m, nil
	}
	m, err := e.loadModel(name, func(float64) {})
	if err == nil {
		e.models[name] = m
	}
	return m, err
}

// grid renders an h×w map as a table whose cells carry the values; name
// goes into data-tensor for tests.
func grid(name string, data []float32, h, w int) (*dom.BasicHTMLElement, []*dom.BasicHTMLElement) {
	t := attrs(el("table", "fm-grid"), "data-tensor", name, "data-shape", strconv.Itoa(h)+","+strconv.Itoa(w))
	cells := make([]*dom.BasicHTMLElement, len(data))
	for y := range h {
		row := el("tr", "")
		for x := range w {
			v := data[y*w+x]
			c := el("td", "", ui.Num(v))
			if v < 0 {
				c.Class().Add("fm-neg")
			}
			cells[y*w+x] = c
			appendChild(row, c)
		}
		appendChild(t, row)
	}
	return t, cells
}

// shadePadding marks the cells of an h×w grid that lie in the padding
// (top, bottom, left, right cells wide) apart from the data's own zeros.
func shadePadding(cells []*dom.BasicHTMLElement, h, w, top, bottom, left, right int) {
	for y := range h {
		for x := range w {
			if y < top || y >= h-bottom || x < left || x >= w-right {
				attrs(cells[y*w+x], "title", "padding").Class().Add("ex-pad")
			}
		}
	}
}

// product is "a·b", with a negative b in parentheses.
func product(a, b float32) string {
	if b < 0 {
		return ui.Num(a) + "·(" + ui.Num(b) + ")"
	}
	return ui.Num(a) + "·" + ui.Num(b)
}

// figure is a captioned block.
func figure(caption string, children ...any) *dom.BasicHTMLElement {
	return el("figure", "fm-figure", append([]any{el("figcaption", "", caption)}, children...)...)
}

// value is a number the tests read by name.
func value(name, text string) *dom.BasicHTMLElement {
	return attrs(el("strong", "", text), "data-value", name)
}

// button is a plain button.
func button(text string) *dom.BasicHTMLElement {
	return attrs(el("button", "fm-button", text), "type", "button")
}

func anySlice(nodes []*dom.BasicHTMLElement) []any {
	out := make([]any, len(nodes))
	for i, n := range nodes {
		out[i] = n
	}
	return out
}

// buildConv builds the filter editor, which updates every part that uses
// the filter.
func (e *explainer) buildConv() {
	p := e.part("filter")
	t := attrs(el("table", "fm-grid fm-filter-edit"), "data-tensor", "filter")
	for y := range filterSide {
		row := el("tr", "")
		for x := range filterSide {
			i := y*filterSide + x
			in := &dom.HTMLInputElement{BasicHTMLElement: attrs(el("input", "fm-cell-input"), "type", "number", "step", "1", "min", "-9", "max", "9",
				"value", ui.Num(e.filter[i]), "aria-label", "filter row "+strconv.Itoa(y+1)+", column "+strconv.Itoa(x+1))}
			on(in, "input", func(js.Value) {
				v, err := strconv.ParseFloat(in.Value(), 32)
				if err != nil {
					return
				}
				e.filter[i] = float32(v)
				e.edited()
			})
			appendChild(row, el("td", "", in))
		}
		appendChild(t, row)
	}
	appendChild(p, t)
}

// edited recomputes everything that depends on the filter (at the start
// and after each edit).
func (e *explainer) edited() {
	e.edits.run(func() {
		e.convolution()
		e.padding2D()
		e.stride()
		e.pooling()
		e.updates++
		e.root.SetAttribute("data-updates", strconv.Itoa(e.updates))
	})
}

// convolution shows the filter stepping over the input (VALID, stride 1)
// and the current window's dot product.
func (e *explainer) convolution() {
	p := e.part("conv")
	shape, y, err := e.conv2d(convInput, convSide, convSide, e.filter, filterSide, filterSide, map[string]any{"padding": "VALID"})
	if err != nil {
		e.fail("conv", err)
		return
	}
	oh, ow := shape[1], shape[2]
	inTable, inCells := grid("conv-in", convInput, convSide, convSide)
	outTable, outCells := grid("conv-out", y, oh, ow)
	explanation := attrs(el("p", "fm-window"), "aria-live", "polite")
	slider := &dom.HTMLInputElement{BasicHTMLElement: attrs(el("input", "fm-slider"), "type", "range", "min", "0", "max", strconv.Itoa(oh*ow-1),
		"value", strconv.Itoa(e.step), "aria-label", "window to show")}
	show := func(i int) {
		e.step = i
		for _, c := range inCells {
			c.Class().Remove("fm-hl")
		}
		for _, c := range outCells {
			c.Class().Remove("fm-hl")
		}
		oy, ox := i/ow, i%ow
		var terms []string
		for ky := range filterSide {
			for kx := range filterSide {
				j := (oy+ky)*convSide + ox + kx
				inCells[j].Class().Add("fm-hl")
				terms = append(terms, product(convInput[j], e.filter[ky*filterSide+kx]))
			}
		}
		outCells[i].Class().Add("fm-hl")
		slider.SetValue(strconv.Itoa(i))
		setText(explanation, "Window "+strconv.Itoa(i+1)+" of "+strconv.Itoa(oh*ow)+" (row "+strconv.Itoa(oy+1)+", column "+strconv.Itoa(ox+1)+"): "+
			strings.Join(terms, " + ")+" = "+ui.Num(y[i]))
	}
	prev, next := button("◀ Previous"), button("Next ▶")
	n := oh * ow
	onSync(prev, "click", func(js.Value) { show((e.step + n - 1) % n) })
	onSync(next, "click", func(js.Value) { show((e.step + 1) % n) })
	onSync(slider, "input", func(js.Value) {
		if v, err := strconv.Atoi(slider.Value()); err == nil {
			show(v)
		}
	})
	appendChild(p, el("div", "fm-row",
		figure("Input "+ui.Shape([]int{convSide, convSide}), inTable),
		figure("Feature map "+ui.Shape([]int{oh, ow})+" (VALID, stride 1)", outTable)))
	appendChild(p, el("div", "fm-buttons", prev, slider, next))
	appendChild(p, explanation)
	show(min(e.step, n-1))
}
