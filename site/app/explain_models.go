//go:build js && wasm

package main

import (
	"errors"
	"strconv"
	"syscall/js"

	"github.com/featuremap/featuremap/site/internal/ui"
	"honnef.co/go/js/dom/v2"
)

// seednet shows seednet's pipeline and parameter counts from its summary,
// and alexmnist's table when asked for.
func (e *explainer) seednet() {
	m, err := e.model("seednet")
	if err != nil {
		e.fail("params", err)
		return
	}
	seed := m.Call("summary")
	pipe := e.part("pipeline")
	steps := el("ol", "fm-pipeline", el("li", "", el("strong", "", "input"), " "+ui.Shape(ints(seed.Get("inputShape")))))
	layers := seed.Get("layers")
	for i := range layers.Length() {
		l := layers.Index(i)
		appendChild(steps, el("li", "", el("strong", "", l.Get("name").String()), " "+l.Get("type").String()+" → "+ui.Shape(ints(l.Get("outputShape")))))
	}
	appendChild(pipe, steps)

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
	inC := ints(seed.Get("inputShape"))[2]
	filters := ints(conv.Get("outputShape"))[2]
	k := ui.KernelSide(conv.Get("weights").Int(), filters, inC)
	poolShape := ints(pool.Get("outputShape"))
	fcOut := ints(fc.Get("outputShape"))[0]
	appendChild(p, el("ul", "fm-formulas",
		el("li", "", "conv1: "+strconv.Itoa(filters)+" filters of "+ui.Shape([]int{k, k, inC})+" → "+ui.Shape([]int{k, k, inC, filters})+" = ",
			value("conv1-weights", ui.Thousands(conv.Get("weights").Int())), " weights + ", value("conv1-biases", ui.Thousands(conv.Get("biases").Int())),
			" biases (one per filter)"),
		el("li", "", "fc: the "+ui.Shape(poolShape)+" pooled maps, flattened, to "+strconv.Itoa(fcOut)+" outputs → "+
			ui.Shape(append(poolShape, fcOut))+" = ", value("fc-weights", ui.Thousands(fc.Get("weights").Int())), " weights + ",
			value("fc-biases", ui.Thousands(fc.Get("biases").Int())), " biases"),
		el("li", "", "seednet in total: ", value("seednet-total", ui.Thousands(seed.Get("totalParams").Int())), " parameters")))
	appendChild(p, summaryTable(seed))

	more := el("details", "", el("summary", "", "alexmnist's parameter table"))
	loaded := false
	on(more, "toggle", func(js.Value) {
		if loaded || !more.Underlying().Get("open").Bool() {
			return
		}
		loaded = true
		m, err := e.model("alexmnist")
		if err != nil {
			appendChild(more, el("p", "fm-error", "Cannot load alexmnist: "+err.Error()))
			return
		}
		appendChild(more, summaryTable(m.Call("summary")))
	})
	appendChild(p, more)
}

// alexLayer is one row of AlexNet as the 2012 paper describes it, with
// its two-GPU split written as groups. Filters is a conv's filter count
// or a dense layer's outputs.
type alexLayer struct {
	name, kind      string
	kernel, stride  int
	padding         string
	groups, filters int
}

const alexInput, alexChannels = 227, 3

var alexnetLayers = []alexLayer{
	{"conv1", "conv2d", 11, 4, ui.Valid, 1, 96},
	{"lrn1", "lrn", 0, 0, "", 0, 0},
	{"pool1", "maxpool", 3, 2, ui.Valid, 0, 0},
	{"conv2", "conv2d", 5, 1, ui.Same, 2, 256},
	{"lrn2", "lrn", 0, 0, "", 0, 0},
	{"pool2", "maxpool", 3, 2, ui.Valid, 0, 0},
	{"conv3", "conv2d", 3, 1, ui.Same, 1, 384},
	{"conv4", "conv2d", 3, 1, ui.Same, 2, 384},
	{"conv5", "conv2d", 3, 1, ui.Same, 2, 256},
	{"pool5", "maxpool", 3, 2, ui.Valid, 0, 0},
	{"fc6", "dense", 0, 0, "", 0, 4096},
	{"fc7", "dense", 0, 0, "", 0, 4096},
	{"fc8", "dense", 0, 0, "", 0, 1000},
}

// alexnet shows AlexNet's layers with their kernels, strides, padding and
// groups; output sizes worked by the formula and computed by fm.ops (on
// one channel per group, which has the same height and width); parameters
// counted from the kernel sizes.
func (e *explainer) alexnet() {
	p := e.part("alexnet")
	head := el("tr", "")
	for _, h := range []string{"Layer", "Kernel", "Stride", "Padding", "Groups", "Output", "Weights", "Biases", "Params"} {
		class := "fm-num"
		switch h {
		case "Layer", "Output", "Padding":
			class = ""
		case "Weights", "Biases":
			class = "fm-num ex-col-wb" // hidden on narrow screens: Params is their sum
		}
		appendChild(head, attrs(el("th", class, h), "scope", "col"))
	}
	body := el("tbody", "")
	var derivations []*dom.BasicHTMLElement
	side, c, total := alexInput, alexChannels, 0
	for _, l := range alexnetLayers {
		kernel, stride, padding, groups := "", "", "", ""
		weights, biases := 0, 0
		switch l.kind {
		case "conv2d", "maxpool":
			w := ui.Window{In: side, Kernel: l.kernel, Stride: l.stride, Dilation: 1, Padding: l.padding}
			out, before, after, err := w.Size()
			if err != nil {
				e.fail("alexnet", errors.New(l.name+": "+err.Error()))
				return
			}
			got, err := e.alexSide(l, side)
			if err != nil {
				e.fail("alexnet", errors.New(l.name+": "+err.Error()))
				return
			}
			if got != out {
				e.fail("alexnet", errors.New(l.name+": fm.ops gives "+strconv.Itoa(got)+" but the formula "+strconv.Itoa(out)))
				return
			}
			kernel, stride, padding = ui.Shape([]int{l.kernel, l.kernel}), strconv.Itoa(l.stride), l.padding
			if before+after > 0 {
				padding += " (" + strconv.Itoa(before) + "+" + strconv.Itoa(after) + ")"
			}
			derivations = append(derivations, formula("alexnet-"+l.name, l.name+": ", w))
			side = out
			if l.kind == "conv2d" {
				groups = strconv.Itoa(l.groups)
				weights, biases = l.kernel*l.kernel*(c/l.groups)*l.filters, l.filters
				c = l.filters
			}
		case "dense":
			weights, biases = side*side*c*l.filters, l.filters
			side, c = 1, l.filters
		}
		total += weights + biases
		shape := ui.Shape([]int{side, side, c})
		if side == 1 {
			shape = strconv.Itoa(c)
		}
		appendChild(body, el("tr", "",
			attrs(el("th", "", l.name), "scope", "row"),
			el("td", "fm-num", kernel), el("td", "fm-num", stride), el("td", "ex-wrap", padding), el("td", "fm-num", groups),
			el("td", "", shape),
			el("td", "fm-num ex-col-wb", ui.Thousands(weights)), el("td", "fm-num ex-col-wb", ui.Thousands(biases)), el("td", "fm-num", ui.Thousands(weights+biases))))
	}
	foot := el("tfoot", "", el("tr", "",
		attrs(el("th", "", "Total"), "scope", "row"), el("td", "", ""), el("td", "", ""), el("td", "", ""), el("td", "", ""), el("td", "", ""),
		el("td", "ex-col-wb", ""), el("td", "ex-col-wb", ""), attrs(el("td", "fm-num", ui.Thousands(total)), "data-value", "alexnet-total")))
	caption := el("caption", "", "AlexNet: input "+ui.Shape([]int{alexInput, alexInput, alexChannels}))
	appendChild(p, attrs(el("div", "fm-table-wrap", el("table", "fm-table ex-alexnet", caption, el("thead", "", head), body, foot)),
		"tabindex", "0", "role", "region", "aria-label", "AlexNet's layers"))
	appendChild(p, el("p", "", "Each output size, worked with the formula from the stride section (TensorFlow's SAME puts the odd padding cell after):"))
	appendChild(p, el("ul", "fm-formulas", anySlice(derivations)...))
}

// alexSide runs layer l's window over a side×side input with fm.ops
// (zeros, one channel per group) and returns the output's side.
func (e *explainer) alexSide(l alexLayer, side int) (int, error) {
	if l.kind == "maxpool" {
		shape, _, err := e.op("maxPool", tensor(make([]float32, side*side), 1, side, side, 1),
			map[string]any{"size": l.kernel, "strides": l.stride, "padding": l.padding})
		if err != nil {
			return 0, err
		}
		return shape[1], nil
	}
	g := l.groups
	shape, _, err := e.op("conv2d", tensor(make([]float32, side*side*g), 1, side, side, g), tensor(make([]float32, l.kernel*l.kernel*g), l.kernel, l.kernel, 1, g),
		map[string]any{"strides": l.stride, "padding": l.padding, "groups": g})
	if err != nil {
		return 0, err
	}
	return shape[1], nil
}
