//go:build js && wasm

package main

import (
	"errors"
	"strconv"
	"strings"
	"syscall/js"

	"github.com/featuremap/featuremap/kernel"
	"github.com/featuremap/featuremap/model"
	"github.com/featuremap/featuremap/site/internal/ui"
	"honnef.co/go/js/dom/v2"
)

// The explainer's inputs. Every number shown beyond these is computed by
// the engine's kernels (fm.ops) or read from a model's summary at run time.
var (
	// convInput and convFilter are the classic 5×5 image and 3×3 filter
	// with 1s on its diagonals (cs231n; the seed's "Convolved Feature").
	convInput = []float32{
		1, 1, 1, 0, 0,
		0, 1, 1, 1, 0,
		0, 0, 1, 1, 1,
		0, 0, 1, 1, 0,
		0, 1, 1, 0, 0,
	}
	convFilter = []float32{1, 0, 1, 0, 1, 0, 1, 0, 1}
	// seq is the seed's 1-D zero-padding example; seqFilter sums a cell
	// and its neighbours.
	seq       = []float32{1, 2, -1, 1, -3}
	seqFilter = []float32{1, 1, 1}
)

const convSide, filterSide, strideSide, poolSide = 5, 3, 7, 6

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

// explainer fills the explainer page's [data-fm] containers.
type explainer struct {
	site
	root    *dom.BasicHTMLElement
	filter  []float32 // the editable 3×3 filter
	step    int       // the convolution window shown
	updates int       // recomputations done, in data-updates
	failed  bool
	// updating is set while update runs; pending, when the filter changed
	// meanwhile (edits arrive in separate goroutines).
	updating, pending bool
}

func explain(s site, root *dom.BasicHTMLElement) {
	e := &explainer{site: s, root: root, filter: append([]float32(nil), convFilter...)}
	setState(root, "loading")
	e.buildConv()
	e.edited()
	e.padding1D()
	e.seedParams()
	e.models()
	e.alexnet()
	if !e.failed {
		setState(root, "ready")
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
	p.AppendChild(el("p", "fm-error", "Cannot compute this part: "+err.Error()))
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
			row.AppendChild(c)
		}
		t.AppendChild(row)
	}
	return t, cells
}

// figure is a captioned block.
func figure(caption string, children ...any) *dom.BasicHTMLElement {
	return el("figure", "fm-figure", append([]any{el("figcaption", "", caption)}, children...)...)
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
			row.AppendChild(el("td", "", in))
		}
		t.AppendChild(row)
	}
	p.AppendChild(t)
}

// edited runs update (at the start and after each filter edit), once more
// if the filter changed while it ran, never two at a time.
func (e *explainer) edited() {
	if e.updating {
		e.pending = true
		return
	}
	e.updating = true
	defer func() { e.updating = false }()
	for {
		e.pending = false
		e.update()
		if !e.pending {
			return
		}
	}
}

// update recomputes everything that depends on the filter.
func (e *explainer) update() {
	e.convolution()
	e.padding2D()
	e.stride()
	e.pooling()
	e.updates++
	e.root.SetAttribute("data-updates", strconv.Itoa(e.updates))
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
				terms = append(terms, ui.Num(convInput[j])+"·"+ui.Num(e.filter[ky*filterSide+kx]))
			}
		}
		outCells[i].Class().Add("fm-hl")
		slider.SetValue(strconv.Itoa(i))
		setText(explanation, "Window "+strconv.Itoa(i+1)+" of "+strconv.Itoa(oh*ow)+" (row "+strconv.Itoa(oy+1)+", column "+strconv.Itoa(ox+1)+"): "+
			strings.Join(terms, " + ")+" = "+ui.Num(y[i]))
	}
	prev := attrs(el("button", "fm-button", "◀ Previous"), "type", "button")
	next := attrs(el("button", "fm-button", "Next ▶"), "type", "button")
	n := oh * ow
	onSync(prev, "click", func(js.Value) { show((e.step + n - 1) % n) })
	onSync(next, "click", func(js.Value) { show((e.step + 1) % n) })
	onSync(slider, "input", func(js.Value) {
		if v, err := strconv.Atoi(slider.Value()); err == nil {
			show(v)
		}
	})
	p.AppendChild(el("div", "fm-row",
		figure("Input "+ui.Shape([]int{convSide, convSide}), inTable),
		figure("Feature map "+ui.Shape([]int{oh, ow})+" (VALID, stride 1)", outTable)))
	p.AppendChild(el("div", "fm-buttons", prev, slider, next))
	p.AppendChild(explanation)
	show(min(e.step, n-1))
}

// padding1D is the seed's 1-D example: the sequence, its zero-padded form,
// and a 3-wide filter over both.
func (e *explainer) padding1D() {
	p := e.part("pad1d")
	x := tensor(seq, 1, 1, len(seq), 1)
	one := tensor([]float32{1}, 1, 1, 1, 1)
	pad := [][]int{{0, 0}, {1, 1}}
	padded, padData, err := e.op("conv2d", x, one, map[string]any{"padding": explicit(pad)})
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
		t, _ := grid(name, data, 1, w)
		return figure(caption, t)
	}
	p.AppendChild(row("The sequence ("+strconv.Itoa(len(seq))+" cells)", "seq", seq, len(seq)))
	p.AppendChild(row("Zero-padded by one cell on each side ("+strconv.Itoa(padded[2])+" cells)", "seq-padded", padData, padded[2]))
	p.AppendChild(row("Filter", "seq-filter", seqFilter, len(seqFilter)))
	p.AppendChild(row("Filter over the sequence without padding (VALID): "+strconv.Itoa(vShape[2])+" cells", "seq-valid", valid, vShape[2]))
	p.AppendChild(row("Filter over the padded sequence (SAME): "+strconv.Itoa(sShape[2])+" cells, as many as the input", "seq-same", same, sShape[2]))
}

// padding2D pads the 5×5 input by one cell and compares SAME and VALID.
func (e *explainer) padding2D() {
	p := e.part("pad2d")
	opts := []map[string]any{{"padding": explicit([][]int{{1, 1}, {1, 1}})}, {"padding": "VALID"}, {"padding": "SAME"}}
	filters := [][]float32{{1}, e.filter, e.filter}
	k := []int{1, filterSide, filterSide}
	names := []string{"pad2d-padded", "pad2d-valid", "pad2d-same"}
	captions := []string{"Input zero-padded by one cell", "Filter over the input (VALID)", "Filter over the padded input (SAME)"}
	row := el("div", "fm-row")
	for i := range opts {
		shape, y, err := e.conv2d(convInput, convSide, convSide, filters[i], k[i], k[i], opts[i])
		if err != nil {
			e.fail("pad2d", err)
			return
		}
		t, _ := grid(names[i], y, shape[1], shape[2])
		row.AppendChild(figure(captions[i]+": "+ui.Shape(shape[1:3]), t))
	}
	p.AppendChild(row)
}

// stride compares stride 1 and 2 over a 7×7 input and checks the output
// size formula against the kernel's output shapes.
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
		row.AppendChild(figure("Stride "+strconv.Itoa(s)+": "+ui.Shape(shape[1:3]), t))
		out := kernel.OutSize(strideSide, 0, 0, filterSide, s, 1)
		formulas = append(formulas, formula("stride-formula-"+strconv.Itoa(s),
			"VALID, stride "+strconv.Itoa(s)+": out = ⌊(in + padding − k) / stride⌋ + 1 = ⌊("+strconv.Itoa(strideSide)+" + 0 − "+strconv.Itoa(filterSide)+") / "+strconv.Itoa(s)+"⌋ + 1 = "+strconv.Itoa(out),
			out, shape[1]))
		sameShape, _, err := e.conv2d(x, strideSide, strideSide, e.filter, filterSide, filterSide, map[string]any{"padding": "SAME", "strides": s})
		if err != nil {
			e.fail("stride", err)
			return
		}
		sameOut, before, after := kernel.SamePadding(strideSide, filterSide, s, 1)
		formulas = append(formulas, formula("stride-same-"+strconv.Itoa(s),
			"SAME, stride "+strconv.Itoa(s)+": out = ⌈in / stride⌉ = ⌈"+strconv.Itoa(strideSide)+" / "+strconv.Itoa(s)+"⌉ = "+strconv.Itoa(sameOut)+
				" (padding "+strconv.Itoa(before)+" before, "+strconv.Itoa(after)+" after)",
			sameOut, sameShape[1]))
	}
	p.AppendChild(row)
	p.AppendChild(el("ul", "fm-formulas", anySlice(formulas)...))
}

// explicit is an explicit padding [[top, bottom], [left, right]] for fm.ops.
func explicit(p [][]int) []any { return []any{jsArray(p[0]), jsArray(p[1])} }

// formula is a list item showing a formula's result next to the size the
// kernel actually produced.
func formula(name, text string, want, got int) *dom.BasicHTMLElement {
	check := "✓ the kernel's output has " + strconv.Itoa(got)
	if want != got {
		check = "✗ but the kernel's output has " + strconv.Itoa(got)
	}
	return attrs(el("li", "", text+" — ", el("span", "fm-check", check)), "data-formula", name, "data-value", strconv.Itoa(want), "data-kernel", strconv.Itoa(got))
}

func anySlice(nodes []*dom.BasicHTMLElement) []any {
	out := make([]any, len(nodes))
	for i, n := range nodes {
		out[i] = n
	}
	return out
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
		{"pool-conv", "Convolution with the filter above, stride 2 (SAME)", func() ([]int, []float32, error) {
			return e.conv2d(x, poolSide, poolSide, e.filter, filterSide, filterSide, map[string]any{"padding": "SAME", "strides": 2})
		}},
	} {
		shape, y, err := c.run()
		if err != nil {
			e.fail("pool", err)
			return
		}
		t, _ := grid(c.name, y, shape[1], shape[2])
		row.AppendChild(figure(c.caption+": "+ui.Shape(shape[1:3]), t))
	}
	p.AppendChild(row)
}

// seedParams is the seed's tf.nn.conv2d example: 7 filters of 3×3×3 over a
// 4×4×3 input, SAME, stride 1.
func (e *explainer) seedParams() {
	const h, w, c, k, oc = 4, 4, 3, 3, 7
	x := make([]float32, h*w*c)
	for i := range x {
		x[i] = float32(i%5) - 2
	}
	f := make([]float32, k*k*c*oc)
	for i := range f {
		f[i] = float32(i%3) - 1
	}
	y, err := await(e.fm.Get("ops").Call("conv2d", tensor(x, 1, h, w, c), tensor(f, k, k, c, oc), map[string]any{"padding": "SAME"}))
	if err != nil {
		e.fail("seed-conv", err)
		return
	}
	out := ints(y.Get("shape"))
	filterShape := []int{k, k, c, oc}
	p := e.part("seed-conv")
	p.AppendChild(el("p", "",
		"tf.nn.conv2d of a "+ui.Shape([]int{h, w, c})+" input with a "+ui.Shape(filterShape)+" filter bank (SAME, stride 1) gives a ",
		attrs(el("strong", "", ui.Shape(out[1:])), "data-value", "seed-out"),
		" output; the filter bank holds "+ui.Shape(filterShape)+" = ",
		attrs(el("strong", "", thousands(len(f))), "data-value", "seed-weights"),
		" weights (biases not counted)."))
}

// models shows seednet's pipeline and parameter counts from its summary,
// and alexmnist's table when asked for (its weights are a larger download).
func (e *explainer) models() {
	m, err := e.loadModel("seednet", func(float64) {})
	if err != nil {
		e.fail("params", err)
		return
	}
	seed := m.Call("summary")
	m.Call("dispose")
	pipe := e.part("pipeline")
	steps := el("ol", "fm-pipeline", el("li", "", el("strong", "", "input"), " "+ui.Shape(ints(seed.Get("inputShape")))))
	layers := seed.Get("layers")
	for i := range layers.Length() {
		l := layers.Index(i)
		steps.AppendChild(el("li", "", el("strong", "", l.Get("name").String()), " "+l.Get("type").String()+" → "+ui.Shape(ints(l.Get("outputShape")))))
	}
	pipe.AppendChild(steps)

	row := func(name string) js.Value {
		for i := range layers.Length() {
			if layers.Index(i).Get("name").String() == name {
				return layers.Index(i)
			}
		}
		return js.Undefined()
	}
	conv, pool, fc := row("conv1"), row("pool1"), row("fc")
	p := e.part("params")
	if conv.IsUndefined() || pool.IsUndefined() || fc.IsUndefined() {
		e.fail("params", errors.New("seednet's summary lacks conv1, pool1 or fc"))
		return
	}
	value := func(name string, n int) *dom.BasicHTMLElement {
		return attrs(el("strong", "", thousands(n)), "data-value", name)
	}
	inC := ints(seed.Get("inputShape"))[2]
	filters := ints(conv.Get("outputShape"))[2]
	k := ui.KernelSide(conv.Get("weights").Int(), filters, inC)
	poolShape := ints(pool.Get("outputShape"))
	fcOut := ints(fc.Get("outputShape"))
	p.AppendChild(el("ul", "fm-formulas",
		el("li", "", "conv1: "+strconv.Itoa(filters)+" filters of "+ui.Shape([]int{k, k, inC})+" → ",
			value("conv1-weights", conv.Get("weights").Int()), " weights + ", value("conv1-biases", conv.Get("biases").Int()), " biases (one per filter)"),
		el("li", "", "fc: the "+ui.Shape(poolShape)+" pooled maps, flattened, to "+strconv.Itoa(fcOut[0])+" outputs → "+
			ui.Shape(append(poolShape, fcOut[0]))+" = ", value("fc-weights", fc.Get("weights").Int()), " weights + ",
			value("fc-biases", fc.Get("biases").Int()), " biases"),
		el("li", "", "seednet in total: ", value("seednet-total", seed.Get("totalParams").Int()), " parameters")))
	p.AppendChild(summaryTable(seed))

	more := el("details", "", el("summary", "", "alexmnist's parameter table (downloads the model)"))
	loaded := false
	on(more, "toggle", func(js.Value) {
		if loaded || !more.Underlying().Get("open").Bool() {
			return
		}
		loaded = true
		m, err := e.loadModel("alexmnist", func(float64) {})
		if err != nil {
			more.AppendChild(el("p", "fm-error", "Cannot load alexmnist: "+err.Error()))
			return
		}
		more.AppendChild(summaryTable(m.Call("summary")))
		m.Call("dispose")
	})
	p.AppendChild(more)
}

// alexnet shows the 2012 network's table, from the built-in architecture.
func (e *explainer) alexnet() {
	p := e.part("alexnet")
	a, err := model.Builtin("alexnet")
	if err != nil {
		e.fail("alexnet", err)
		return
	}
	g, err := a.Graph()
	if err != nil {
		e.fail("alexnet", err)
		return
	}
	p.AppendChild(summaryTable(summaryJS(g.Summary())))
}
