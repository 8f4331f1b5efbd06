//go:build js && wasm

package main

import (
	"slices"
	"strconv"
	"syscall/js"

	"github.com/featuremap/featuremap/site/internal/ui"
	"honnef.co/go/js/dom/v2"
)

// Tiles are drawn at an integer scale that makes them at least minTile
// pixels on a side, with gap pixels between them.
const (
	minTile = 28
	gap     = 2
	// vectorWidth is the width a dense layer's output is drawn at.
	vectorWidth = 256
	maxCell     = 24
)

// paper is the page background (site.css --paper), opaque.
var paper = [4]byte{0xf9, 0xfa, 0xfb, 0xff}

// gridWidth is the width available to a tile grid.
func (d *demo) gridWidth() int {
	return max(int(d.layers.Underlying().Get("clientWidth").Float()), 260)
}

// showLayers draws every layer's output as a grid of tiles, one canvas per
// layer, yielding a frame between layers so the page stays responsive. A
// layer whose output repeats the previous one's values (a reshape such as
// flatten, or dropout at inference) is not drawn again.
func (d *demo) showLayers(acts js.Value) {
	clear(d.layers)
	width := d.gridWidth()
	var prev []float32
	for i := range acts.Length() {
		a := acts.Index(i)
		data := float32s(a.Get("data"))
		repeats := slices.Equal(data, prev)
		prev = data
		if repeats {
			continue
		}
		typ := a.Get("type").String()
		if typ == "input" { // drawn beside the pad, as what the network sees (seen.go)
			continue
		}
		name, shape := a.Get("name").String(), ints(a.Get("shape"))
		maps := ui.NewMaps(data, shape)
		title := name + " (" + typ + ") · " + ui.Shape(shape[1:])
		d.layers.AppendChild(d.tiles(title, name, maps, width))
		nextFrame()
	}
}

// showFilters draws conv1's filters, model.weights('conv1').weight of
// shape [KH, KW, 1, OC], as OC tiles of KH×KW.
func (d *demo) showFilters(m js.Value) {
	clear(d.filters)
	p, err := await(m.Call("weights", "conv1"))
	if err != nil {
		d.filters.AppendChild(el("p", "fm-note fm-error", "Cannot read conv1's filters: "+err.Error()))
		return
	}
	w := p.Get("weight")
	shape := ints(w.Get("shape"))
	if len(shape) != 4 || shape[2] != 1 {
		d.filters.AppendChild(el("p", "fm-note", "conv1's filters, "+ui.Shape(shape)+", are not one-channel 2-D filters [KH, KW, 1, OC]; they are not drawn."))
		return
	}
	kh, kw, oc := shape[0], shape[1], shape[3]
	maps := ui.Maps{Data: float32s(w.Get("data")), H: kh, W: kw, C: oc}
	d.filters.AppendChild(d.tiles(strconv.Itoa(oc)+" filters of "+ui.Shape([]int{kh, kw}), "conv1 filter", maps, d.gridWidth()))
}

// tiles draws maps as a grid on one canvas in a figure; selecting a tile
// (click, or Enter on the focused canvas for the first) enlarges it.
func (d *demo) tiles(title, label string, maps ui.Maps, width int) *dom.BasicHTMLElement {
	scale := max(1, (minTile+maps.H-1)/maps.H)
	if maps.C == 1 {
		// A vector (a dense layer) as one larger image, cells at most maxCell.
		scale = max(scale, min(min(width, vectorWidth)/maps.W, maxCell))
	}
	g := ui.NewGrid(maps.C, maps.W*scale, maps.H*scale, gap, width)
	gw, gh := g.Size()
	pix := make([]byte, gw*gh*4)
	for i := range pix {
		pix[i] = paper[i%4] // gaps in the page's colour
	}
	for c := range maps.C {
		x, y := g.Origin(c)
		maps.Paint(pix, gw*4, x, y, c, scale)
	}
	canvas := &dom.HTMLCanvasElement{BasicHTMLElement: el("canvas", "fm-tiles")}
	putPixels(canvas, pix, gw, gh)
	attrs(canvas, "tabindex", "0", "role", "button",
		"aria-label", title+": "+strconv.Itoa(maps.C)+" maps; press Enter to enlarge")
	open := func(c int) { d.zoom.open(label, maps, c) }
	onSync(canvas, "click", func(ev js.Value) {
		e := ev
		r := canvas.GetBoundingClientRect()
		x := int((e.Get("clientX").Float() - r.Left()) * float64(gw) / r.Width())
		y := int((e.Get("clientY").Float() - r.Top()) * float64(gh) / r.Height())
		if c, ok := g.At(x, y); ok {
			open(c)
		}
	})
	onSync(canvas, "keydown", func(ev js.Value) {
		if k := ev.Get("key").String(); k == "Enter" || k == " " {
			ev.Call("preventDefault")
			open(0)
		}
	})
	return el("figure", "fm-figure", el("figcaption", "", title), canvas)
}

// zoom is the dialog that shows one map enlarged, with its value range;
// arrow keys and buttons step through the layer's maps.
type zoom struct {
	dialog  *dom.BasicHTMLElement
	canvas  *dom.HTMLCanvasElement
	caption *dom.BasicHTMLElement
	label   string
	maps    ui.Maps
	c       int
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

func (z *zoom) open(label string, maps ui.Maps, c int) {
	z.label, z.maps = label, maps
	z.show(c)
	if !z.dialog.Underlying().Get("open").Bool() {
		z.dialog.Underlying().Call("showModal")
	}
}

func (z *zoom) step(dc int) { z.show((z.c + dc + z.maps.C) % z.maps.C) }

func (z *zoom) show(c int) {
	z.c = c
	m := z.maps
	pix := make([]byte, m.W*m.H*4)
	m.Paint(pix, m.W*4, 0, 0, c, 1)
	putPixels(z.canvas, pix, m.W, m.H)
	lo, hi := m.Range(c)
	setText(z.caption, z.label+" "+strconv.Itoa(c+1)+" of "+strconv.Itoa(m.C)+" · "+ui.Shape([]int{m.H, m.W})+
		" · values "+ui.Num(lo)+" to "+ui.Num(hi))
}
