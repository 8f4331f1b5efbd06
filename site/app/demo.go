//go:build js && wasm

package main

import (
	"strconv"
	"syscall/js"

	"github.com/featuremap/featuremap/site/internal/ui"
	"honnef.co/go/js/dom/v2"
)

// topK is how many probability bars the demo shows.
const topK = 5

// demo is one drawing demo: the page's (full, with feature maps, filters and
// the parameter table) or a widget's (compact).
type demo struct {
	site
	root   *dom.BasicHTMLElement
	full   bool
	pad    *pad
	picker *dom.HTMLSelectElement
	upload *dom.HTMLInputElement

	progress        *dom.HTMLProgressElement
	status          *dom.BasicHTMLElement
	prediction      *dom.BasicHTMLElement
	bars            *dom.BasicHTMLElement
	timing          *dom.BasicHTMLElement
	layers, filters *dom.BasicHTMLElement
	params          *dom.BasicHTMLElement
	zoom            *zoom
	maps            *mapsView // the feature maps' options, readouts and conv1 panel (maps.go)

	seen              *seen                 // what the network sees
	inkBox            *dom.BasicHTMLElement // the cropped ink's box, over the pad
	result, verdict   *dom.BasicHTMLElement // data-verdict: digit, not-digit or pending
	announce          *dom.BasicHTMLElement // the live region: final predictions only
	undoBtn, clearBtn *dom.BasicHTMLElement
	samples           []js.Value // the sample digits' ImageBitmaps, once loaded

	models  map[string]js.Value // loaded models by name
	model   js.Value            // the selected model, or undefined while loading
	name    string
	image   js.Value // the last uploaded image (an ImageBitmap), or undefined when the pad is the input
	running bool     // a prediction is in flight
	again   bool     // the input changed while it was
	done    int      // complete (final) predictions so far, in data-predictions
}

// newDemo builds the demo into root and loads model.
func newDemo(s site, root *dom.BasicHTMLElement, full bool, model string) {
	d := &demo{site: s, root: root, full: full, models: map[string]js.Value{}, model: js.Undefined(), image: js.Undefined()}
	yieldTask() // the UI's Go runtime started in this task
	d.build()
	d.pad.onChange = func(final bool) {
		d.image = js.Undefined()
		d.updateButtons()
		d.run(final)
	}
	d.selectModel(model)
}

// id gives e the stable hook id on the demo page only (a page may hold
// several widgets, and ids must be unique).
func (d *demo) id(e target, id string) {
	if d.full {
		e.Underlying().Set("id", id)
	}
}

// build builds the part in four tasks (yieldTask), each appended to the
// root as it is done: the drawing pad and the result, the samples, the
// feature maps, filters and parameters, then the rest.
func (d *demo) build() {
	clear(d.root)
	d.root.Class().Add("fm-demo")
	if !d.full {
		d.root.Class().Add("fm-compact")
	}

	d.picker = &dom.HTMLSelectElement{BasicHTMLElement: el("select", "")}
	d.id(d.picker, "model")
	for _, name := range modelNames {
		appendChild(d.picker, attrs(el("option", "", name), "value", name))
	}
	on(d.picker, "change", func(js.Value) { d.selectModel(d.picker.Value()) })
	d.progress = &dom.HTMLProgressElement{BasicHTMLElement: el("progress", "fm-progress")}
	d.progress.SetAttribute("aria-label", "model download")
	d.progress.SetAttribute("hidden", "")
	d.status = attrs(el("span", "fm-status"), "role", "status")
	toolbar := el("div", "fm-toolbar",
		el("label", "fm-field", "Model ", d.picker), d.progress, d.status)

	d.pad = newPad()
	d.id(d.pad.canvas, "draw")
	undo := attrs(el("button", "fm-button", "Undo"), "type", "button", "disabled", "")
	clearBtn := attrs(el("button", "fm-button", "Clear"), "type", "button", "disabled", "")
	d.undoBtn, d.clearBtn = undo, clearBtn
	onSync(undo, "click", func(js.Value) { d.pad.undo() })
	onSync(clearBtn, "click", func(js.Value) { d.pad.clear() })
	d.upload = &dom.HTMLInputElement{BasicHTMLElement: attrs(el("input", "fm-file-input"), "type", "file", "accept", "image/*")}
	d.id(d.upload, "upload")
	on(d.upload, "change", func(js.Value) {
		if files := d.upload.Underlying().Get("files"); files.Length() > 0 {
			d.open(files.Index(0))
		}
	})
	uploadLabel := el("label", "fm-button fm-file", "Upload image", d.upload)
	d.inkBox = attrs(el("div", "fm-inkbox"), "hidden", "", "aria-hidden", "true")
	d.seen = newSeen()
	d.id(d.seen.figure, "seen")
	padBox := el("div", "fm-pad",
		el("div", "fm-input-row", el("div", "fm-canvas-wrap", d.pad.canvas, d.inkBox, d.pad.keyboard()), d.seen.figure),
		el("div", "fm-buttons", undo, clearBtn, uploadLabel),
		el("p", "fm-hint", "Draw a digit with a mouse, finger or pen, or drop an image here.",
			el("span", "fm-hint-keys", " Ctrl+Z undoes a stroke. Keyboard: arrow keys move the pen, Space puts it down or lifts it.")))
	d.dropTarget(padBox)

	// The prediction changes as a stroke grows; only d.announce, set when
	// it ends, is a live region.
	d.prediction = el("p", "fm-prediction fm-empty", "Draw a digit")
	d.id(d.prediction, "prediction")
	d.verdict = attrs(el("p", "fm-verdict"), "hidden", "")
	d.id(d.verdict, "verdict")
	d.announce = attrs(el("p", "fm-sr"), "aria-live", "polite", "aria-atomic", "true")
	d.id(d.announce, "announce")
	d.bars = attrs(el("ol", "fm-bars"), "aria-label", "top "+strconv.Itoa(topK)+" classes")
	d.timing = el("p", "fm-timing")
	softmax := el("p", "fm-note fm-softmax", "The ten probabilities always add up to 100 % (a softmax), "+
		"even for a scribble: a high percentage is not certainty. So the page also checks the ink and how far the top answer leads the next.")
	d.result = attrs(el("div", "fm-result", d.prediction, d.verdict, d.bars, softmax, d.timing, d.announce), "data-verdict", "none")

	appendChild(d.root, toolbar)
	appendChild(d.root, el("div", "fm-main", padBox, d.result))
	yieldTask()
	appendChild(d.root, d.buildSamples())
	yieldTask()

	d.layers = el("div", "fm-layers")
	d.filters = el("div", "fm-filters")
	d.params = el("div", "fm-params")
	d.zoom = newZoom()
	d.maps = newMapsView(d)
	if d.full {
		appendChild(d.root, d.maps.section())
		appendChild(d.root, el("section", "fm-section", el("h2", "", "conv1's filters"),
			el("p", "fm-note", "The first layer's learned filters, as the engine computes with them (model.weights('conv1'))."),
			d.filters))
		appendChild(d.root, el("section", "fm-section", el("h2", "", "Parameters"), d.params))
		yieldTask()
		appendChild(d.root, newBYOM(d))    // byom.go
		appendChild(d.root, newQuality(d)) // quality.go
	} else {
		appendChild(d.root, el("details", "fm-section", el("summary", "", "Feature maps"), d.layers))
	}
	appendChild(d.root, d.zoom.dialog)
	onSync(jsObject{js.Global()}, "keydown", func(ev js.Value) {
		ctrl := ev.Get("ctrlKey").Bool() || ev.Get("metaKey").Bool()
		if ctrl && ev.Get("key").String() == "z" && d.root.Underlying().Call("contains", js.Global().Get("document").Get("activeElement")).Bool() {
			ev.Call("preventDefault")
			d.pad.undo()
		}
	})
}

// dropTarget makes box accept dropped image files.
func (d *demo) dropTarget(box *dom.BasicHTMLElement) {
	onSync(box, "dragover", func(ev js.Value) {
		ev.Call("preventDefault")
		box.Class().Add("fm-drop")
	})
	onSync(box, "dragleave", func(js.Value) { box.Class().Remove("fm-drop") })
	onSync(box, "drop", func(ev js.Value) {
		ev.Call("preventDefault")
		box.Class().Remove("fm-drop")
		if files := ev.Get("dataTransfer").Get("files"); files.Length() > 0 {
			go d.open(files.Index(0))
		}
	})
}

// open shows an image file on the pad and classifies it.
func (d *demo) open(file js.Value) {
	bitmap, err := await(js.Global().Call("createImageBitmap", file))
	if err != nil {
		d.fail("Cannot read " + file.Get("name").String() + ": " + err.Error())
		return
	}
	d.pad.show(bitmap)
	d.image = bitmap
	d.updateButtons()
	d.run(true)
}

// updateButtons disables Undo without strokes and Clear without strokes
// or an image.
func (d *demo) updateButtons() {
	toggle := func(b *dom.BasicHTMLElement, off bool) {
		if off {
			b.SetAttribute("disabled", "")
		} else {
			b.RemoveAttribute("disabled")
		}
	}
	toggle(d.undoBtn, d.pad.empty())
	toggle(d.clearBtn, d.pad.empty() && d.image.IsUndefined())
}

// selectModel switches to model name, loading it on first use.
func (d *demo) selectModel(name string) {
	d.picker.SetValue(name)
	d.name = name
	m, ok := d.models[name]
	if !ok {
		setState(d.root, "loading")
		d.model = js.Undefined()
		setText(d.status, "Loading "+name+"…")
		d.progress.RemoveAttribute("hidden")
		d.progress.RemoveAttribute("value")
		var err error
		m, err = d.loadModel(name, func(f float64) {
			if f >= 0 {
				d.progress.SetValue(f)
			}
		})
		d.progress.SetAttribute("hidden", "")
		if err != nil {
			d.fail("Cannot load the " + name + " model: " + err.Error())
			return
		}
		d.models[name] = m
		if d.name != name {
			return // another model was picked meanwhile
		}
	}
	d.model = m
	engine := "portable"
	if d.fm.Get("simd").Bool() {
		engine = "SIMD"
	}
	// Only a worker instance of featuremap.js has terminate (ui.js falls
	// back to this thread where a worker cannot start).
	where := "on this page's main thread"
	if d.fm.Get("terminate").Type() == js.TypeFunction {
		where = "in a Web Worker"
	}
	setText(d.status, name+" ready ("+engine+" engine "+where+")")
	if d.full {
		d.showParams(m.Call("summary"))
		yieldTask()
		d.showFilters(m)
	}
	setState(d.root, "ready")
	d.run(true)
}

// input is what the model classifies: the uploaded image, or the pad.
func (d *demo) input() js.Value {
	if !d.image.IsUndefined() {
		return d.image
	}
	return d.pad.canvas.Underlying()
}

// run classifies the input; final also computes the feature maps (after a
// stroke ends, not while drawing). Calls overlapping a running prediction
// collapse into one rerun when it finishes.
func (d *demo) run(final bool) {
	if d.model.IsUndefined() {
		return
	}
	if d.image.IsUndefined() && d.pad.empty() {
		d.showEmpty()
		return
	}
	if d.running {
		d.again = d.again || final
		return
	}
	d.running = true
	d.root.SetAttribute("aria-busy", "true")
	defer func() {
		d.running = false
		d.root.RemoveAttribute("aria-busy")
	}()
	for {
		m := d.model
		t0 := now()
		pred, err := await(m.Call("inspect", d.input(), map[string]any{"topK": topK}))
		ms := now() - t0
		if err != nil {
			d.fail("Prediction failed: " + err.Error())
			return
		}
		d.showPrediction(pred, ms)
		d.seen.show(pred.Get("input"), pred.Get("report"))
		d.showInk(pred.Get("report"))
		if !final {
			d.hideVerdict()
		}
		if final {
			if say := d.showVerdict(pred.Get("verdict"), d.prediction.Underlying().Get("textContent").String()); !d.again {
				setText(d.announce, say)
			}
			if acts, err := await(m.Call("activations", d.input())); err != nil {
				d.fail("Feature maps failed: " + err.Error())
			} else {
				d.showLayers(acts)
			}
			if !d.again {
				d.done++
				d.root.SetAttribute("data-predictions", strconv.Itoa(d.done))
			}
		}
		if !d.again {
			return
		}
		d.again, final = false, true
	}
}

func (d *demo) showEmpty() {
	setText(d.prediction, "Draw a digit")
	d.prediction.Class().Add("fm-empty")
	clear(d.bars)
	setText(d.timing, "")
	clear(d.layers)
	d.seen.clear()
	d.showInk(js.Null())
	d.hideVerdict()
	d.result.SetAttribute("data-verdict", "none")
	setText(d.announce, "")
}

func (d *demo) fail(msg string) {
	setText(d.status, msg)
	d.status.Class().Add("fm-error")
	setState(d.root, "error")
}

// showPrediction fills the top prediction, the bars and the timing.
func (d *demo) showPrediction(pred js.Value, ms float64) {
	top := pred.Get("top")
	best := top.Index(0)
	d.prediction.Class().Remove("fm-empty")
	setText(d.prediction, best.Get("label").String()+" — "+ui.Percent(float32(best.Get("p").Float())))
	clear(d.bars)
	for i := range top.Length() {
		t := top.Index(i)
		p := float32(t.Get("p").Float())
		fill := el("span", "fm-bar-fill")
		fill.Style().SetProperty("width", ui.Percent(p), "")
		appendChild(d.bars, el("li", "fm-bar",
			el("span", "fm-bar-label", t.Get("label").String()),
			el("span", "fm-bar-track", fill),
			el("span", "fm-bar-value", ui.Percent(p))))
	}
	setText(d.timing, "Inference "+strconv.FormatFloat(ms, 'f', 1, 64)+" ms (round trip to the engine)")
}

// showParams fills the parameter table from model.summary().
func (d *demo) showParams(summary js.Value) {
	clear(d.params)
	appendChild(d.params, summaryTable(summary))
}

// summaryTable renders a model.summary() as a table like Keras' summary.
func summaryTable(s js.Value) *dom.BasicHTMLElement {
	head := el("tr", "")
	for _, h := range []string{"Layer", "Type", "Output shape", "Weights", "Biases", "Params"} {
		class := "fm-num"
		switch h {
		case "Type":
			class = "fm-col-type" // hidden on narrow screens: the layer names say it
		case "Layer", "Output shape":
			class = ""
		}
		appendChild(head, attrs(el("th", class, h), "scope", "col"))
	}
	body := el("tbody", "")
	layers := s.Get("layers")
	for i := range layers.Length() {
		l := layers.Index(i)
		appendChild(body, el("tr", "",
			attrs(el("th", "", l.Get("name").String()), "scope", "row"),
			el("td", "fm-col-type", l.Get("type").String()),
			el("td", "", ui.Shape(ints(l.Get("outputShape")))),
			el("td", "fm-num", ui.Thousands(l.Get("weights").Int())),
			el("td", "fm-num", ui.Thousands(l.Get("biases").Int())),
			el("td", "fm-num", ui.Thousands(l.Get("params").Int()))))
	}
	foot := el("tfoot", "", el("tr", "",
		attrs(el("th", "", "Total"), "scope", "row"),
		el("td", "fm-col-type"), el("td", ""),
		el("td", "fm-num", ui.Thousands(s.Get("weights").Int())),
		el("td", "fm-num", ui.Thousands(s.Get("biases").Int())),
		el("td", "fm-num", ui.Thousands(s.Get("totalParams").Int()))))
	caption := el("caption", "", s.Get("name").String()+": input "+ui.Shape(ints(s.Get("inputShape"))))
	// The wrapper scrolls sideways on narrow screens; it is focusable so
	// that the keyboard can scroll it too.
	wrap := el("div", "fm-table-wrap", el("table", "fm-table", caption, el("thead", "", head), body, foot))
	return attrs(wrap, "tabindex", "0", "role", "region", "aria-label", s.Get("name").String()+" parameters")
}
