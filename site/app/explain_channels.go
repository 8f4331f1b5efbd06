//go:build js && wasm

package main

import (
	"strconv"
	"strings"
	"syscall/js"

	"github.com/featuremap/featuremap/site/internal/ui"
	"honnef.co/go/js/dom/v2"
)

// The study note's tf.nn.conv2d example: a 4×4 RGB image (4×4×3) and 7
// filters of 3×3×3 with one bias each, SAME padding, stride 1.
const rgbSide, rgbC, rgbK, rgbFilters = 4, 3, 3, 7

var channelNames = []string{"R", "G", "B"}

// rgbExample returns the example's input [4, 4, 3] (small whole numbers),
// filters [3, 3, 3, 7] (HWIO, each weight −1, 0 or 1) and biases [7].
func rgbExample() (x, f, b []float32) {
	x = make([]float32, rgbSide*rgbSide*rgbC)
	for i := range x {
		y, xx, c := i/(rgbSide*rgbC), i/rgbC%rgbSide, i%rgbC
		x[i] = float32((y*(c+1) + 2*xx + c + xx*y) % 3)
	}
	f = make([]float32, rgbK*rgbK*rgbC*rgbFilters)
	for i := range f {
		ky, kx, c, o := i/(rgbK*rgbC*rgbFilters), i/(rgbC*rgbFilters)%rgbK, i/rgbFilters%rgbC, i%rgbFilters
		f[i] = float32((7*ky+5*kx+2*c+2*o+ky*kx*o+c*kx+o/3*(1+kx+2*ky))%3) - 1
	}
	b = []float32{1, 0, -1, 2, 0, 1, -2}
	return x, f, b
}

// plane is channel c of an h×w×cs tensor (or of filter o of an HWIO bank
// with cs·os values per cell).
func plane(data []float32, h, w, stride, offset int) []float32 {
	out := make([]float32, h*w)
	for i := range out {
		out[i] = data[i*stride+offset]
	}
	return out
}

// channels draws the example as 3 input planes, 7 filters (3 slices and a
// bias each) and 7 output maps, and works one output value out.
func (e *explainer) channels() {
	x, f, b := rgbExample()
	shape, y, err := e.op("conv2d", tensor(x, 1, rgbSide, rgbSide, rgbC), tensor(f, rgbK, rgbK, rgbC, rgbFilters),
		map[string]any{"padding": "SAME", "bias": float32Array(b)})
	if err != nil {
		e.fail("channels", err)
		return
	}
	p := e.part("channels")
	oh, ow := shape[1], shape[2]

	inputs := el("div", "fm-row ex-planes")
	inCells := make([][]*dom.BasicHTMLElement, rgbC)
	for c := range rgbC {
		t, cells := grid("rgb-in-"+channelNames[c], plane(x, rgbSide, rgbSide, rgbC, c), rgbSide, rgbSide)
		inCells[c] = cells
		appendChild(inputs, figure("Channel "+strconv.Itoa(c+1)+" ("+channelNames[c]+")", attrs(t, "class", "fm-grid ex-small ex-"+channelNames[c])))
	}
	filters := el("div", "ex-filters")
	for o := range rgbFilters {
		slices := el("div", "ex-slices")
		for c := range rgbC {
			t, _ := grid("rgb-filter-"+strconv.Itoa(o+1)+"-"+channelNames[c], plane(f, rgbK, rgbK, rgbC*rgbFilters, c*rgbFilters+o), rgbK, rgbK)
			appendChild(slices, attrs(t, "class", "fm-grid ex-tiny ex-"+channelNames[c], "aria-label", "filter "+strconv.Itoa(o+1)+", "+channelNames[c]+" slice"))
		}
		appendChild(filters, el("figure", "fm-figure ex-filter",
			el("figcaption", "", "Filter "+strconv.Itoa(o+1)+" · bias ", attrs(el("span", "", ui.Num(b[o])), "data-value", "rgb-bias-"+strconv.Itoa(o+1))),
			slices))
	}
	outputs := el("div", "fm-row")
	outCells := make([][]*dom.BasicHTMLElement, rgbFilters)
	for o := range rgbFilters {
		t, cells := grid("rgb-out-"+strconv.Itoa(o+1), plane(y, oh, ow, rgbFilters, o), oh, ow)
		outCells[o] = cells
		appendChild(outputs, figure("Map "+strconv.Itoa(o+1), attrs(t, "class", "fm-grid ex-small ex-out")))
	}
	work := attrs(el("p", "fm-window"), "aria-live", "polite")
	_, pad, _, _ := ui.Window{In: rgbSide, Kernel: rgbK, Stride: 1, Dilation: 1, Padding: ui.Same}.Size()
	// show works output value (oy, ox) of map o out: the 3×3 window of each
	// channel times that channel's slice of filter o, plus its bias.
	show := func(o, oy, ox int) {
		for _, cells := range append(append([][]*dom.BasicHTMLElement{}, inCells...), outCells...) {
			for _, c := range cells {
				c.Class().Remove("fm-hl")
			}
		}
		outCells[o][oy*ow+ox].Class().Add("fm-hl")
		var sums []string
		for c := range rgbC {
			var terms []string
			for ky := range rgbK {
				for kx := range rgbK {
					iy, ix := oy+ky-pad, ox+kx-pad
					v := float32(0)
					if iy >= 0 && iy < rgbSide && ix >= 0 && ix < rgbSide {
						v = x[(iy*rgbSide+ix)*rgbC+c]
						inCells[c][iy*rgbSide+ix].Class().Add("fm-hl")
					}
					terms = append(terms, product(v, f[((ky*rgbK+kx)*rgbC+c)*rgbFilters+o]))
				}
			}
			sums = append(sums, channelNames[c]+": "+strings.Join(terms, " + "))
		}
		setText(work, "Map "+strconv.Itoa(o+1)+", row "+strconv.Itoa(oy+1)+", column "+strconv.Itoa(ox+1)+" = ("+strings.Join(sums, ") + (")+
			") + bias "+ui.Num(b[o])+" = "+ui.Num(y[(oy*ow+ox)*rgbFilters+o])+". Cells outside the image are padding zeros.")
	}
	// Each map is one tab stop; the arrow keys move within it (a roving
	// tabindex), and the focused value is worked out.
	for o := range rgbFilters {
		for i, c := range outCells[o] {
			tab := "-1"
			if i == 0 {
				tab = "0"
			}
			attrs(c, "tabindex", tab, "aria-label", "map "+strconv.Itoa(o+1)+", row "+strconv.Itoa(i/ow+1)+", column "+strconv.Itoa(i%ow+1)+": "+ui.Num(y[i*rgbFilters+o]))
			c.Class().Add("ex-pick")
			onSync(c, "click", func(js.Value) { show(o, i/ow, i%ow) })
			onSync(c, "focus", func(js.Value) { show(o, i/ow, i%ow) })
			onSync(c, "keydown", func(ev js.Value) {
				var j int
				switch ev.Get("key").String() {
				case "ArrowLeft":
					j = i - min(i%ow, 1)
				case "ArrowRight":
					j = i + min(ow-1-i%ow, 1)
				case "ArrowUp":
					j = i - ow*min(i/ow, 1)
				case "ArrowDown":
					j = i + ow*min(oh-1-i/ow, 1)
				default:
					return
				}
				ev.Call("preventDefault")
				c.SetAttribute("tabindex", "-1")
				next := outCells[o][j]
				next.SetAttribute("tabindex", "0")
				next.Underlying().Call("focus")
			})
		}
	}

	weights := rgbK * rgbK * rgbC * rgbFilters
	appendChild(p, el("h3", "", "The input: 4×4 pixels, 3 channels"))
	appendChild(p, inputs)
	appendChild(p, el("h3", "", "7 filters, each 3×3×3, each with a bias"))
	appendChild(p, el("p", "fm-note", "A filter has one 3×3 slice per input channel: it reads all three colours at once."))
	appendChild(p, filters)
	appendChild(p, el("h3", "", "The output: one map per filter"))
	appendChild(p, el("p", "fm-note", "Select a value (or tab to a map and use the arrow keys) to see how it is computed."))
	appendChild(p, outputs)
	appendChild(p, work)
	appendChild(p, el("ul", "fm-formulas",
		el("li", "", "tf.nn.conv2d of a "+ui.Shape([]int{rgbSide, rgbSide, rgbC})+" input with "+strconv.Itoa(rgbFilters)+" filters of "+
			ui.Shape([]int{rgbK, rgbK, rgbC})+" (SAME, stride 1) gives a ", value("seed-out", ui.Shape(shape[1:])), " output: ",
			value("rgb-maps", strconv.Itoa(shape[3])), " filters → "+strconv.Itoa(shape[3])+" maps."),
		el("li", "", "Weights: "+strconv.Itoa(rgbK)+" × "+strconv.Itoa(rgbK)+" × "+strconv.Itoa(rgbC)+" × "+strconv.Itoa(rgbFilters)+" = ",
			value("seed-weights", ui.Thousands(weights)), " (the note's count); plus ", value("rgb-biases", strconv.Itoa(len(b))),
			" biases, one per filter: ", value("rgb-params", ui.Thousands(weights+len(b))), " parameters.")))
	show(0, 0, 0)
}
