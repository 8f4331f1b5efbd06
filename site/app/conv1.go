//go:build js && wasm

package main

import (
	"strconv"
	"syscall/js"

	"github.com/featuremap/featuremap/site/internal/ui"
	"honnef.co/go/js/dom/v2"
)

// probe is the first convolution's products panel: for one map c and cell
// (y, x) of conv1 — picked by clicking a conv1 tile or moving the keyboard
// cursor over them — the K×K window of what the network sees (the input
// layer of model.activations()), the map's filter (model.weights), their
// products, the sum, the bias and the ReLU: the value the map shows.
type probe struct {
	d     *demo
	panel *dom.BasicHTMLElement
	layer string // the convolution whose tiles pick a cell, "" for none
	input *layerOut
	conv  *layerOut
	c     int
	y, x  int
	// filters caches model.weights(layer) by model name.
	filters map[string]probeFilter
}

// probeFilter is a one-channel convolution's filter bank [KH, KW, 1, OC]
// and biases [OC], as model.weights returns them.
type probeFilter struct {
	weight     []float32
	kh, kw, oc int
	bias       []float32
	err        string
}

func newProbe(d *demo) *probe {
	return &probe{d: d, panel: attrs(el("section", "fm-probe"), "hidden", "", "aria-label", "how the picked conv1 value is computed"), filters: map[string]probeFilter{}}
}

// update takes new activations: the input layer and the convolution that
// reads it; the pick moves to the strongest cell of the strongest map.
func (p *probe) update(acts []layerOut) {
	p.layer, p.input, p.conv = "", nil, nil
	for i := range acts {
		if acts[i].typ == "input" && len(acts[i].shape) == 4 && acts[i].shape[3] == 1 {
			p.input = &acts[i]
		}
		if acts[i].typ == "conv2d" && len(acts[i].shape) == 4 {
			p.conv = &acts[i]
			break
		}
	}
	if p.conv == nil {
		p.panel.SetAttribute("hidden", "")
		return
	}
	p.layer = p.conv.name
	m := p.conv.maps()
	best := float32(-1)
	for i, v := range m.Data {
		if v > best {
			best = v
			p.c, p.y, p.x = i%m.C, i/m.C/m.W, i/m.C%m.W
		}
	}
	go guard(p.show)
}

// pick shows map c's cell (y, x).
func (p *probe) pick(c, y, x int) {
	p.c, p.y, p.x = c, y, x
	go guard(p.show)
}

// filter returns the current model's filters of p.layer, loading them once.
func (p *probe) filter() probeFilter {
	key := p.d.name + "/" + p.layer
	if f, ok := p.filters[key]; ok {
		return f
	}
	var f probeFilter
	w, err := await(p.d.model.Call("weights", p.layer))
	switch {
	case err != nil:
		f.err = "Cannot read " + p.layer + "'s filters: " + err.Error()
	default:
		shape := ints(w.Get("weight").Get("shape"))
		if len(shape) != 4 || shape[2] != 1 || w.Get("bias").Type() != js.TypeObject {
			f.err = p.layer + "'s filters, " + ui.Shape(shape) + ", do not read a one-channel input with a bias; the products are not shown."
			break
		}
		f.kh, f.kw, f.oc = shape[0], shape[1], shape[3]
		f.weight, f.bias = float32s(w.Get("weight").Get("data")), float32s(w.Get("bias").Get("data"))
	}
	p.filters[key] = f
	return f
}

// show fills the panel for the current pick.
func (p *probe) show() {
	if p.conv == nil {
		return
	}
	conv, input := p.conv, p.input
	f := p.filter()
	if conv != p.conv { // new activations arrived meanwhile
		return
	}
	clear(p.panel)
	p.panel.RemoveAttribute("hidden")
	m := conv.maps()
	c, y, x := p.c, p.y, p.x
	where := "map " + strconv.Itoa(c+1) + ", row " + strconv.Itoa(y+1) + ", column " + strconv.Itoa(x+1)
	appendChild(p.panel, el("h3", "", "Inside "+p.layer+": "+where))
	link := attrs(el("a", "", "How a convolution works, step by step"), "href", p.d.base+"explain.html#convolution")
	got := m.At(c, y, x)
	for _, k := range []string{"data-sum", "data-bias", "data-relu"} {
		p.panel.RemoveAttribute(k)
	}
	attrs(p.panel, "data-layer", p.layer, "data-channel", strconv.Itoa(c), "data-row", strconv.Itoa(y), "data-col", strconv.Itoa(x), "data-map", f32(got))
	switch {
	case f.err != "":
		appendChild(p.panel, el("p", "fm-note", f.err))
		return
	case input == nil:
		appendChild(p.panel, el("p", "fm-note", "This engine's activations() does not return the network's input, so the window cannot be shown. The map shows "+ui.Num(got)+"."))
		appendChild(p.panel, el("p", "", link))
		return
	}
	in := input.maps()
	pr, ok := ui.ConvProducts(in.Data, in.H, in.W, f.weight, f.kh, f.kw, f.oc, f.bias, c, y, x)
	if !ok || f.oc != m.C {
		appendChild(p.panel, el("p", "fm-note", p.layer+"'s filters ("+ui.Shape([]int{f.kh, f.kw, 1, f.oc})+") do not fit its input "+ui.Shape(input.shape[1:])+" and output "+ui.Shape(conv.shape[1:])+"."))
		return
	}
	k := strconv.Itoa(pr.KH) + "×" + strconv.Itoa(pr.KW)
	appendChild(p.panel, el("p", "fm-note", "Each value of a "+p.layer+" map is a sum of products: the map's "+k+
		" filter laid over what the network sees around the cell, multiplied cell by cell, plus the map's bias; then ReLU turns a negative sum into 0. "+
		"Shaded cells hang over the border: SAME padding fills them with zeros. Click another "+p.layer+" tile to move the window."))
	z := pr.Sum + pr.Bias
	relu := max(z, 0)
	appendChild(p.panel, el("div", "fm-probe-grids",
		probeGrid("The input window", pr.Input, pr.KH, pr.KW, pr.Padding),
		el("span", "fm-probe-op", "×"),
		probeGrid("Filter "+strconv.Itoa(c+1)+" (model.weights)", pr.Filter, pr.KH, pr.KW, nil),
		el("span", "fm-probe-op", "="),
		probeGrid("Products", pr.Product, pr.KH, pr.KW, pr.Padding)))
	appendChild(p.panel, el("p", "fm-probe-sum",
		"Sum of the "+strconv.Itoa(pr.KH*pr.KW)+" products "+ui.Num(pr.Sum)+" + bias "+ui.Num(pr.Bias)+" = "+ui.Num(z)+
			"; ReLU → "+ui.Num(relu)+". The map shows "+ui.Num(got)+"."))
	appendChild(p.panel, el("p", "", link))
	attrs(p.panel, "data-sum", f32(pr.Sum), "data-bias", f32(pr.Bias), "data-relu", f32(relu))
}

// f32 renders v exactly (the shortest decimal that reads back as v).
func f32(v float32) string { return strconv.FormatFloat(float64(v), 'g', -1, 32) }

// probeGrid is a K×K table of values under a caption; padding cells are
// shaded apart from data.
func probeGrid(caption string, v []float32, kh, kw int, padding []bool) *dom.BasicHTMLElement {
	t := el("table", "fm-grid fm-probe-grid", el("caption", "", caption))
	for i := range kh {
		tr := el("tr", "")
		for j := range kw {
			k := i*kw + j
			td := el("td", "", ui.Num(v[k]))
			if v[k] < 0 {
				td.Class().Add("fm-neg")
			}
			if padding != nil && padding[k] {
				td.Class().Add("fm-padcell")
				attrs(td, "title", "padding")
			}
			appendChild(tr, td)
		}
		appendChild(t, tr)
	}
	return t
}
