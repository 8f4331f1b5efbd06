//go:build js && wasm

package main

import (
	"errors"
	"strconv"
	"syscall/js"

	"honnef.co/go/js/dom/v2"
)

// samplesFile holds the sample digits, 0 to 9 left to right, each 28×28
// (MNIST test images, written by tools/samples).
const samplesFile = "samples.png"

// buildSamples returns a row of buttons, one per sample digit, that put
// the digit on the pad and classify it: something to try without drawing,
// for keyboards and for anyone without an image at hand.
func (d *demo) buildSamples() *dom.BasicHTMLElement {
	list := el("div", "fm-sample-list")
	buttons := make([]*dom.BasicHTMLElement, 10)
	for i := range buttons {
		c := &dom.HTMLCanvasElement{BasicHTMLElement: el("canvas", "fm-sample-canvas")}
		c.SetWidth(28)
		c.SetHeight(28)
		b := attrs(el("button", "fm-sample", c), "type", "button", "disabled", "",
			"aria-label", "MNIST test digit "+strconv.Itoa(i), "data-digit", strconv.Itoa(i))
		on(b, "click", func(js.Value) { d.useSample(i) })
		buttons[i] = b
		appendChild(list, b)
	}
	go guard(func() { d.loadSamples(buttons) })
	return el("div", "fm-samples", el("p", "fm-samples-title", "Or try a digit from the MNIST test set:"), list)
}

// loadSamples cuts samplesFile into one ImageBitmap per digit, draws each
// on its button and enables it. The file is fetched, not put in an <img>,
// so that a widget embedded from another origin needs no img-src in the
// host page's Content-Security-Policy (its connect-src already allows the
// engine's files).
func (d *demo) loadSamples(buttons []*dom.BasicHTMLElement) {
	warn := func(err error) {
		js.Global().Get("console").Call("warn", "featuremap: cannot load the sample digits: "+err.Error())
	}
	resp, err := await(js.Global().Call("fetch", d.base+samplesFile))
	if err != nil {
		warn(err)
		return
	}
	if !resp.Get("ok").Bool() {
		warn(errors.New(samplesFile + ": HTTP " + strconv.Itoa(resp.Get("status").Int())))
		return
	}
	blob, err := await(resp.Call("blob"))
	if err != nil {
		warn(err)
		return
	}
	img, err := await(js.Global().Call("createImageBitmap", blob))
	if err != nil {
		warn(err)
		return
	}
	d.samples = make([]js.Value, len(buttons))
	for i, b := range buttons {
		bm, err := await(js.Global().Call("createImageBitmap", img, 28*i, 0, 28, 28))
		if err != nil {
			return
		}
		d.samples[i] = bm
		b.Underlying().Get("firstChild").Call("getContext", "2d").Call("drawImage", bm, 0, 0)
		b.RemoveAttribute("disabled")
	}
}

// useSample shows sample digit i on the pad and classifies it.
func (d *demo) useSample(i int) {
	if i >= len(d.samples) || d.samples[i].IsUndefined() {
		return
	}
	d.pad.show(d.samples[i])
	d.image = d.samples[i]
	d.updateButtons()
	d.run(true)
}
