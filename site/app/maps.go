//go:build js && wasm

package main

import (
	"slices"
	"strconv"
	"syscall/js"

	"github.com/featuremap/featuremap/site/internal/ui"
	"honnef.co/go/js/dom/v2"
)

const (
	gap = 2 // pixels between tiles
	// maxLabelled is the longest vector drawn as labelled bars (the
	// classes); longer ones (fc6's 512 units) are drawn as a strip.
	maxLabelled = 16
	stripHeight = 48
)

// layerOut is one entry of model.activations(), copied into Go.
type layerOut struct {
	name, typ string
	shape     []int // [1, H, W, C] or [1, K]
	data      []float32
}

func (l layerOut) maps() ui.Maps {
	return ui.Maps{Data: l.data, H: l.shape[1], W: l.shape[2], C: l.shape[3]}
}

// mapsView is the feature-map section: its options (one colour scale per
// layer or per tile, the channel order, whether LRN layers are shown), one
// figure per layer with a colour legend and a readout of the cell under the
// pointer or the keyboard cursor, and conv1's products panel.
type mapsView struct {
	d        *demo
	controls *dom.BasicHTMLElement
	shared   bool
	order    string // "", "mean" or "max": ui.Maps.Order
	showLRN  bool
	acts     []layerOut
	probe    *probe
	drawn    int // renders started; a newer one stops an older one
}

func newMapsView(d *demo) *mapsView {
	v := &mapsView{d: d, shared: true}
	v.probe = newProbe(d)
	scale := el("fieldset", "fm-map-option", el("legend", "", "Colour scale"),
		v.radio("fm-scale", "Shared by the layer", true, func() { v.shared = true }),
		v.radio("fm-scale", "Each tile its own", false, func() { v.shared = false }))
	order := &dom.HTMLSelectElement{BasicHTMLElement: el("select", "")}
	for _, o := range [][2]string{{"", "channel number"}, {"mean", "mean activation"}, {"max", "largest activation"}} {
		appendChild(order, attrs(el("option", "", o[1]), "value", o[0]))
	}
	onSync(order, "change", func(js.Value) {
		v.order = order.Value()
		go guard(v.render)
	})
	lrn := attrs(el("input", ""), "type", "checkbox")
	onSync(lrn, "change", func(js.Value) {
		v.showLRN = lrn.Underlying().Get("checked").Bool()
		go guard(v.render)
	})
	v.controls = el("div", "fm-map-controls", scale,
		el("label", "fm-field", "Order tiles by ", order),
		el("label", "fm-map-option", lrn, " Show the LRN layers"))
	return v
}

// radio is a radio button of group name that sets an option and redraws.
func (v *mapsView) radio(name, label string, checked bool, set func()) *dom.BasicHTMLElement {
	in := attrs(el("input", ""), "type", "radio", "name", name)
	in.Underlying().Set("checked", checked)
	onSync(in, "change", func(js.Value) {
		set()
		go guard(v.render)
	})
	return el("label", "fm-map-option", in, " "+label)
}

// section is the demo page's feature-map section.
func (v *mapsView) section() *dom.BasicHTMLElement {
	return el("section", "fm-section", el("h2", "", "Feature maps, layer by layer"),
		el("p", "fm-note", "Each tile is one channel of a layer's output for your digit; bigger tiles are maps of higher resolution. "+
			"Point at a cell (or focus the tiles and use the arrow keys; Page Up/Down change tile) to read its value; "+
			"Enter enlarges a tile. Click a conv1 tile to see how its value is computed. The last layers are drawn as labelled bars."),
		v.controls, v.d.layers)
}

// showLayers draws every layer's output (model.activations()). A layer
// whose output repeats the previous one's values (a reshape such as
// flatten, or dropout at inference) is not drawn again.
func (d *demo) showLayers(acts js.Value) {
	v := d.maps
	v.acts = layerOuts(acts)
	v.probe.update(v.acts)
	v.render()
}

// layerOuts copies model.activations() into Go, leaving out a layer whose
// output repeats the previous one's values (a reshape such as flatten, or
// dropout at inference).
func layerOuts(acts js.Value) []layerOut {
	var out []layerOut
	var prev []float32
	for i := range acts.Length() {
		a := acts.Index(i)
		data := float32s(a.Get("data"))
		repeats := slices.Equal(data, prev)
		prev = data
		if !repeats {
			out = append(out, layerOut{name: a.Get("name").String(), typ: a.Get("type").String(), shape: ints(a.Get("shape")), data: data})
		}
	}
	return out
}

// render draws the layers kept from the last activations with the current
// options, yielding a frame between layers so the page stays responsive
// (so it runs in a goroutine, not in an event handler). The layers' element
// counts finished renders in data-drawn, for tests.
func (v *mapsView) render() {
	d := v.d
	v.drawn++
	gen := v.drawn
	clear(d.layers)
	width := d.gridWidth()
	for i, l := range v.acts {
		var next *layerOut
		if i+1 < len(v.acts) {
			next = &v.acts[i+1]
		}
		if l.typ == "lrn" && !v.showLRN || l.typ == "input" { // the input is drawn beside the pad (seen.go)
			continue
		}
		title := l.name + " (" + l.typ + ") · " + ui.Shape(l.shape[1:])
		switch {
		case len(l.shape) == 4:
			fig := v.tiles(title, l, width)
			if next != nil && next.typ == "lrn" && !v.showLRN {
				appendChild(fig, el("p", "fm-map-note", lrnNote(l, *next)))
			}
			appendChild(d.layers, fig)
			if l.name == v.probe.layer {
				appendChild(d.layers, v.probe.panel)
			}
		case len(l.shape) == 2 && l.shape[1] <= maxLabelled:
			appendChild(d.layers, v.bars(title, l))
		case len(l.shape) == 2:
			appendChild(d.layers, v.strip(title, l, width))
		}
		nextFrame()
		if gen != v.drawn {
			return
		}
	}
	d.layers.SetAttribute("data-drawn", strconv.Itoa(gen))
}

// lrnNote says what the hidden LRN layer after conv does to its values.
func lrnNote(conv, lrn layerOut) string {
	lo, hi := float32(1), float32(1)
	if len(conv.data) == len(lrn.data) {
		lo, hi = float32(2), float32(0)
		for i, x := range conv.data {
			if x != 0 {
				r := lrn.data[i] / x
				lo, hi = min(lo, r), max(hi, r)
			}
		}
		if lo > hi {
			lo, hi = 1, 1
		}
	}
	return lrn.name + " (local response normalisation) follows and is hidden: for this digit it multiplies these values by " +
		ui.Num(lo) + " to " + ui.Num(hi) + ", nearly one factor for all, so its maps look like these. Tick “Show the LRN layers” to draw it."
}

// readout is the line under a figure that names the cell under the
// pointer or cursor; its data attributes carry the exact value.
func readout() *dom.BasicHTMLElement {
	return attrs(el("output", "fm-readout", "Point at a cell to read its value."), "aria-live", "off")
}

// showValue writes a cell's value into out; keyboard moves are announced
// (aria-live), pointer moves are not.
func showValue(out *dom.BasicHTMLElement, keyboard bool, layer string, c, y, x int, val float32, text string) {
	live := "off"
	if keyboard {
		live = "polite"
	}
	out.SetAttribute("aria-live", live)
	setText(out, text+" = "+ui.Num(val))
	attrs(out, "data-layer", layer, "data-channel", strconv.Itoa(c), "data-row", strconv.Itoa(y), "data-col", strconv.Itoa(x),
		"data-value", f32(val))
}

// legend is a colour bar from low (0 when the values are ≥ 0, else
// negative) to high, with zero marked: black, the same in every tile.
func legend(low, high string, signed bool) *dom.BasicHTMLElement {
	lo := float32(0)
	if signed {
		lo = -1
	}
	// A CSS gradient through ui.Color at 9 points (not a canvas: tests and
	// users find the tiles as the figure's one canvas).
	grad := "linear-gradient(to right"
	for i := range 9 {
		rgb := ui.Color(lo + (1-lo)*float32(i)/8)
		grad += ", rgb(" + strconv.Itoa(int(rgb[0])) + " " + strconv.Itoa(int(rgb[1])) + " " + strconv.Itoa(int(rgb[2])) + ") " + strconv.Itoa(i*100/8) + "%"
	}
	bar := attrs(el("span", "fm-legend-bar"), "aria-hidden", "true")
	bar.Style().SetProperty("background-image", grad+")", "")
	zero := "0%"
	if signed {
		zero = "50%"
	}
	mark := el("span", "fm-legend-zero", "0")
	mark.Style().SetProperty("left", zero, "")
	return attrs(el("div", "fm-legend", el("span", "fm-legend-end", low), el("span", "fm-legend-scale", bar, mark), el("span", "fm-legend-end", high)),
		"role", "img", "aria-label", "colour scale from "+low+" to "+high+", zero black", "data-zero", zero, "data-low", low, "data-high", high)
}

// scaleLegend is the legend of a layer: its shared range, or each tile's.
func scaleLegend(peak float32, signed, shared bool) *dom.BasicHTMLElement {
	if shared {
		low := "0"
		if signed {
			low = ui.Num(-peak)
		}
		return legend(low, ui.Num(peak), signed)
	}
	low := "0"
	if signed {
		low = "−peak"
	}
	return legend(low, "peak of each tile", signed)
}

// tiles draws a layer's maps as a grid of tiles sized by their resolution,
// in the chosen order, with the legend and the readout.
func (v *mapsView) tiles(title string, l layerOut, width int) *dom.BasicHTMLElement {
	m := l.maps()
	tw, th := ui.TileSide(m.W), ui.TileSide(m.H)
	order := m.Order(v.order)
	g := ui.NewGrid(m.C, tw, th, gap, width)
	gw, gh := g.Size()
	pix := make([]byte, gw*gh*4)
	for i := range pix {
		pix[i] = paper[i%4] // gaps in the page's colour
	}
	peak := m.Peak(-1)
	lo, _ := rangeAll(m)
	for i, c := range order {
		x, y := g.Origin(i)
		p := peak
		if !v.shared {
			p = m.Peak(c)
		}
		m.Paint(pix, gw*4, x, y, c, tw, th, p)
	}
	canvas := &dom.HTMLCanvasElement{BasicHTMLElement: el("canvas", "fm-tiles")}
	putPixels(canvas, pix, gw, gh)
	attrs(canvas, "tabindex", "0", "role", "img",
		"aria-label", title+": "+strconv.Itoa(m.C)+" maps; arrow keys read values, Page Up and Page Down change tile, Enter enlarges",
		"data-layer", l.name, "data-h", strconv.Itoa(m.H), "data-w", strconv.Itoa(m.W), "data-tile", strconv.Itoa(tw), "data-cols", strconv.Itoa(g.Cols), "data-gap", strconv.Itoa(gap),
		"data-order", joinInts(order))
	cursor := attrs(el("div", "fm-cursor"), "hidden", "")
	out := readout()
	// cur is the cursor: tile i (in drawing order), cell (y, x).
	cur := struct{ i, y, x int }{}
	show := func(i, y, x int, keyboard bool) {
		cur.i, cur.y, cur.x = i, y, x
		c := order[i]
		ox, oy := g.Origin(i)
		pct := func(p, total int) string { return strconv.FormatFloat(float64(p)*100/float64(total), 'f', 3, 64) + "%" }
		s := cursor.Style()
		s.SetProperty("left", pct(ox+x*tw/m.W, gw), "")
		s.SetProperty("top", pct(oy+y*th/m.H, gh), "")
		s.SetProperty("width", pct((x+1)*tw/m.W-x*tw/m.W, gw), "")
		s.SetProperty("height", pct((y+1)*th/m.H-y*th/m.H, gh), "")
		cursor.RemoveAttribute("hidden")
		showValue(out, keyboard, l.name, c, y, x, m.At(c, y, x), l.name+" map "+strconv.Itoa(c+1)+" of "+strconv.Itoa(m.C)+" · row "+strconv.Itoa(y+1)+", column "+strconv.Itoa(x+1))
		if keyboard && l.name == v.probe.layer {
			v.probe.pick(c, y, x)
		}
	}
	cell := func(ev js.Value) (i, y, x int, ok bool) {
		r := canvas.GetBoundingClientRect()
		px := int((ev.Get("clientX").Float() - r.Left()) * float64(gw) / r.Width())
		py := int((ev.Get("clientY").Float() - r.Top()) * float64(gh) / r.Height())
		i, ok = g.At(px, py)
		if !ok {
			return 0, 0, 0, false
		}
		ox, oy := g.Origin(i)
		return i, (py - oy) * m.H / th, (px - ox) * m.W / tw, true
	}
	onSync(canvas, "mousemove", func(ev js.Value) {
		if i, y, x, ok := cell(ev); ok {
			show(i, y, x, false)
		}
	})
	onSync(canvas, "click", func(ev js.Value) {
		i, y, x, ok := cell(ev)
		if !ok {
			return
		}
		show(i, y, x, false)
		if l.name == v.probe.layer {
			v.probe.pick(order[i], y, x)
			v.probe.panel.Underlying().Call("scrollIntoView", map[string]any{"block": "nearest"})
			return
		}
		v.d.zoom.open(l.name, m, order, i)
	})
	onSync(canvas, "focus", func(js.Value) { show(cur.i, cur.y, cur.x, false) })
	onSync(canvas, "blur", func(js.Value) { cursor.SetAttribute("hidden", "") })
	onSync(canvas, "keydown", func(ev js.Value) {
		i, y, x := cur.i, cur.y, cur.x
		switch ev.Get("key").String() {
		case "ArrowLeft":
			x = max(x-1, 0)
		case "ArrowRight":
			x = min(x+1, m.W-1)
		case "ArrowUp":
			y = max(y-1, 0)
		case "ArrowDown":
			y = min(y+1, m.H-1)
		case "PageUp":
			i = (i + m.C - 1) % m.C
		case "PageDown":
			i = (i + 1) % m.C
		case "Enter", " ":
			ev.Call("preventDefault")
			v.d.zoom.open(l.name, m, order, i)
			return
		default:
			return
		}
		ev.Call("preventDefault")
		show(i, y, x, true)
	})
	wrap := el("div", "fm-tiles-wrap", canvas, cursor)
	return el("figure", "fm-figure", el("figcaption", "", title),
		el("div", "fm-map-meta", scaleLegend(peak, lo < 0, v.shared), out), wrap)
}

// rangeAll is the smallest and largest value of every map.
func rangeAll(m ui.Maps) (lo, hi float32) {
	lo, hi = 0, 0
	for c := range m.C {
		l, h := m.Range(c)
		lo, hi = min(lo, l), max(hi, h)
	}
	return lo, hi
}

// bars draws a short vector (the classes: fc8's scores, the softmax's
// probabilities) as one labelled bar per value; a softmax's bars are
// percentages, other layers' are signed and drawn from a zero line.
func (v *mapsView) bars(title string, l layerOut) *dom.BasicHTMLElement {
	labels := v.d.model.Get("labels")
	soft := l.typ == "softmax"
	var peak float32
	for _, x := range l.data {
		peak = max(peak, x, -x)
	}
	list := attrs(el("ol", "fm-vbars"), "aria-label", title)
	if !soft {
		list.Class().Add("fm-vbars-signed")
	}
	for i, x := range l.data {
		label := strconv.Itoa(i)
		if labels.Type() == js.TypeObject && labels.Length() == len(l.data) {
			label = labels.Index(i).String()
		}
		fill := el("span", "fm-vbar-fill")
		text := ui.Num(x)
		if soft {
			fill.Style().SetProperty("width", ui.Percent(x), "")
			text = ui.Percent(x)
		} else if peak > 0 {
			w := strconv.FormatFloat(float64(max(x, -x)/peak*50), 'f', 2, 64) + "%"
			fill.Style().SetProperty("width", w, "")
			if x < 0 {
				fill.Style().SetProperty("right", "50%", "")
				fill.Class().Add("fm-vbar-neg")
			} else {
				fill.Style().SetProperty("left", "50%", "")
			}
		}
		appendChild(list, attrs(el("li", "fm-vbar",
			el("span", "fm-vbar-label", label),
			el("span", "fm-vbar-track", fill),
			el("span", "fm-vbar-value", text)),
			"data-label", label, "data-value", f32(x)))
	}
	note := "Scores before the softmax (logits): the largest wins; the softmax turns them into probabilities that add up to 100%."
	if soft {
		note = "Probabilities: they always add up to 100%, even for a scribble that is no digit."
	}
	return el("figure", "fm-figure", el("figcaption", "", title), el("p", "fm-map-note", note), list)
}

// strip draws a long vector (a dense layer's units) as one column per
// value, coloured and as tall as its value relative to the largest.
func (v *mapsView) strip(title string, l layerOut, width int) *dom.BasicHTMLElement {
	k := len(l.data)
	col := max(1, min(4, width/k))
	w, h := k*col, stripHeight
	var peak float32
	signed := false
	for _, x := range l.data {
		peak = max(peak, x, -x)
		signed = signed || x < 0
	}
	base := h // the zero line
	if signed {
		base = h / 2
	}
	pix := make([]byte, w*h*4)
	for i := range pix {
		pix[i] = paper[i%4]
	}
	for i, x := range l.data {
		t := float32(0)
		if peak > 0 {
			t = x / peak
		}
		rgb := ui.Color(t)
		n := int(max(t, -t)*float32(base) + 0.5)
		y0, y1 := base-n, base
		if t < 0 {
			y0, y1 = base, base+n
		}
		for y := y0; y < y1; y++ {
			for dx := range col {
				copy(pix[(y*w+i*col+dx)*4:], []byte{rgb[0], rgb[1], rgb[2], 255})
			}
		}
	}
	canvas := &dom.HTMLCanvasElement{BasicHTMLElement: el("canvas", "fm-strip")}
	putPixels(canvas, pix, w, h)
	attrs(canvas, "tabindex", "0", "role", "img", "aria-label", title+": "+strconv.Itoa(k)+" values drawn as columns; arrow keys read them", "data-layer", l.name)
	out := readout()
	cur := 0
	show := func(i int, keyboard bool) {
		cur = i
		showValue(out, keyboard, l.name, i, 0, 0, l.data[i], l.name+" unit "+strconv.Itoa(i+1)+" of "+strconv.Itoa(k))
	}
	onSync(canvas, "mousemove", func(ev js.Value) {
		r := canvas.GetBoundingClientRect()
		if i := int((ev.Get("clientX").Float() - r.Left()) * float64(k) / r.Width()); i >= 0 && i < k {
			show(i, false)
		}
	})
	onSync(canvas, "focus", func(js.Value) { show(cur, false) })
	onSync(canvas, "keydown", func(ev js.Value) {
		switch ev.Get("key").String() {
		case "ArrowLeft":
			show(max(cur-1, 0), true)
		case "ArrowRight":
			show(min(cur+1, k-1), true)
		default:
			return
		}
		ev.Call("preventDefault")
	})
	return el("figure", "fm-figure", el("figcaption", "", title),
		el("div", "fm-map-meta", scaleLegend(peak, signed, true), out), canvas)
}

func joinInts(v []int) string {
	b := make([]byte, 0, len(v)*3)
	for i, n := range v {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, int64(n), 10)
	}
	return string(b)
}

// paper is the page background (site.css --paper), opaque.
var paper = [4]byte{0xf9, 0xfa, 0xfb, 0xff}

// gridWidth is the width available to a tile grid.
func (d *demo) gridWidth() int {
	return max(int(d.layers.Underlying().Get("clientWidth").Float()), 260)
}

// showFilters draws conv1's filters, model.weights('conv1').weight of
// shape [KH, KW, 1, OC], as OC tiles of KH×KW.
func (d *demo) showFilters(m js.Value) {
	clear(d.filters)
	p, err := await(m.Call("weights", "conv1"))
	if err != nil {
		appendChild(d.filters, el("p", "fm-note fm-error", "Cannot read conv1's filters: "+err.Error()))
		return
	}
	w := p.Get("weight")
	shape := ints(w.Get("shape"))
	if len(shape) != 4 || shape[2] != 1 {
		appendChild(d.filters, el("p", "fm-note", "conv1's filters, "+ui.Shape(shape)+", are not one-channel 2-D filters [KH, KW, 1, OC]; they are not drawn."))
		return
	}
	kh, kw, oc := shape[0], shape[1], shape[3]
	maps := ui.Maps{Data: float32s(w.Get("data")), H: kh, W: kw, C: oc}
	title := strconv.Itoa(oc) + " filters of " + ui.Shape([]int{kh, kw})
	tw, th := 4*kw, 4*kh
	g := ui.NewGrid(oc, tw, th, gap, d.gridWidth())
	gw, gh := g.Size()
	pix := make([]byte, gw*gh*4)
	for i := range pix {
		pix[i] = paper[i%4]
	}
	order := maps.Order("")
	for c := range oc {
		x, y := g.Origin(c)
		maps.Paint(pix, gw*4, x, y, c, tw, th, maps.Peak(c))
	}
	canvas := &dom.HTMLCanvasElement{BasicHTMLElement: el("canvas", "fm-tiles")}
	putPixels(canvas, pix, gw, gh)
	attrs(canvas, "tabindex", "0", "role", "button", "aria-label", title+"; press Enter to enlarge")
	onSync(canvas, "click", func(ev js.Value) {
		r := canvas.GetBoundingClientRect()
		x := int((ev.Get("clientX").Float() - r.Left()) * float64(gw) / r.Width())
		y := int((ev.Get("clientY").Float() - r.Top()) * float64(gh) / r.Height())
		if c, ok := g.At(x, y); ok {
			d.zoom.open("conv1 filter", maps, order, c)
		}
	})
	onSync(canvas, "keydown", func(ev js.Value) {
		if k := ev.Get("key").String(); k == "Enter" || k == " " {
			ev.Call("preventDefault")
			d.zoom.open("conv1 filter", maps, order, 0)
		}
	})
	appendChild(d.filters, el("figure", "fm-figure", el("figcaption", "", title), el("div", "fm-map-meta", legend("−peak", "peak of each filter", true)), canvas))
}

// zoom is the dialog that shows one map enlarged, with its value range;
// arrow keys and buttons step through the layer's maps in drawing order.
type zoom struct {
	dialog  *dom.BasicHTMLElement
	canvas  *dom.HTMLCanvasElement
	caption *dom.BasicHTMLElement
	label   string
	maps    ui.Maps
	order   []int
	i       int
}

func newZoom() *zoom {
	z := &zoom{canvas: &dom.HTMLCanvasElement{BasicHTMLElement: el("canvas", "fm-zoom-canvas")}, caption: el("p", "fm-zoom-caption")}
	prev := attrs(el("button", "fm-button", "◀ Previous"), "type", "button")
	next := attrs(el("button", "fm-button", "Next ▶"), "type", "button")
	closeBtn := attrs(el("button", "fm-button", "Close"), "type", "button")
	z.dialog = attrs(el("dialog", "fm-zoom", z.caption, z.canvas, el("div", "fm-buttons", prev, next, closeBtn)), "aria-label", "enlarged feature map")
	onSync(prev, "click", func(js.Value) { z.step(-1) })
	onSync(next, "click", func(js.Value) { z.step(1) })
	onSync(closeBtn, "click", func(js.Value) { z.dialog.Underlying().Call("close") })
	onSync(z.dialog, "keydown", func(ev js.Value) {
		switch ev.Get("key").String() {
		case "ArrowLeft":
			z.step(-1)
		case "ArrowRight":
			z.step(1)
		}
	})
	return z
}

// open shows maps' tile i of order (channel order[i]).
func (z *zoom) open(label string, maps ui.Maps, order []int, i int) {
	z.label, z.maps, z.order = label, maps, order
	z.show(i)
	if !z.dialog.Underlying().Get("open").Bool() {
		z.dialog.Underlying().Call("showModal")
	}
}

func (z *zoom) step(di int) { z.show((z.i + di + z.maps.C) % z.maps.C) }

func (z *zoom) show(i int) {
	z.i = i
	m, c := z.maps, z.order[i]
	pix := make([]byte, m.W*m.H*4)
	m.Paint(pix, m.W*4, 0, 0, c, m.W, m.H, m.Peak(c))
	putPixels(z.canvas, pix, m.W, m.H)
	lo, hi := m.Range(c)
	setText(z.caption, z.label+" "+strconv.Itoa(c+1)+" of "+strconv.Itoa(m.C)+" · "+ui.Shape([]int{m.H, m.W})+
		" · values "+ui.Num(lo)+" to "+ui.Num(hi))
}
