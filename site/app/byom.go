//go:build js && wasm

package main

import (
	"strconv"
	"strings"
	"syscall/js"

	"github.com/featuremap/featuremap/site/internal/ui"
	"honnef.co/go/js/dom/v2"
)

// byom is the demo page's "Use your own model" section: drop or pick an
// ONNX model (.onnx), or a TensorFlow.js model.json with its weight files,
// and the section shows the model's summary, its top-k for the demo's
// input (the drawn digit or the uploaded image) and its feature maps. The
// model loads through fm.loadModel(bytes, { weights }) (featuremap.js
// converts it in the engine's worker); models the engine cannot run are
// refused with the converter's message, which names the node, op and
// attribute. The preprocessing is asked for, with defaults from the
// model's input shape: a 28×28×1 input gets MNIST's (the digit centred,
// light on dark, [0, 1]), a ×3 input a resize to H×W with ImageNet's mean
// and std; "the model file's own" leaves it to the engine (weight files
// and ONNX files exported by `fm export` carry it).
//
// Hooks for tests: section#byom's data-state ("empty", "loading", "ready",
// "error") and data-predictions (complete runs), #byom-file, #byom-status,
// the fields #byom-fit, #byom-invert, #byom-divide, #byom-mean, #byom-std,
// the top-k list #byom-top (items with data-index and data-p) and the
// summary table in #byom-summary.
type byom struct {
	d                         *demo
	root, status, form, shape *dom.BasicHTMLElement
	top, summary, layers      *dom.BasicHTMLElement
	fit                       *dom.HTMLSelectElement
	invert, divide, mean, std *dom.HTMLInputElement
	model                     js.Value // undefined until a model is loaded
	input                     []int    // the model's input shape [H, W, C]
	running, again            bool
	done                      int
}

// Fits: how the demo's input is fitted to the model's H×W.
const (
	fitDigit   = "digit"   // the ink's bounding box scaled into 20/28 of it, centred (MNIST)
	fitStretch = "stretch" // resized to H×W, aspect ratio ignored
	fitModel   = "model"   // the image as it is: the engine preprocesses it as the model file says
)

// newBYOM builds the section for demo d; it reruns whenever d completes a
// prediction (its data-predictions changes), so it follows d's input.
func newBYOM(d *demo) *dom.BasicHTMLElement {
	b := &byom{d: d, model: js.Undefined()}
	b.root = attrs(el("section", "fm-section fm-byom"), "id", "byom", "data-state", "empty", "aria-labelledby", "byom-title")
	file := &dom.HTMLInputElement{BasicHTMLElement: attrs(el("input", "fm-file-input"),
		"type", "file", "id", "byom-file", "multiple", "", "accept", ".onnx,.json,.bin,.safetensors")}
	on(file, "change", func(js.Value) {
		if files := file.Underlying().Get("files"); files.Length() > 0 {
			b.load(files)
		}
	})
	zone := el("div", "fm-byom-zone",
		el("label", "fm-button fm-file", "Choose model files", file),
		el("span", "fm-hint", "or drop an .onnx file, or a model.json with its .bin weight files, here"))
	onSync(zone, "dragover", func(ev js.Value) {
		ev.Call("preventDefault")
		zone.Class().Add("fm-drop")
	})
	onSync(zone, "dragleave", func(js.Value) { zone.Class().Remove("fm-drop") })
	onSync(zone, "drop", func(ev js.Value) {
		ev.Call("preventDefault")
		zone.Class().Remove("fm-drop")
		if files := ev.Get("dataTransfer").Get("files"); files.Length() > 0 {
			go guard(func() { b.load(files) })
		}
	})
	b.status = attrs(el("p", "fm-status"), "id", "byom-status", "role", "status")

	b.fit = &dom.HTMLSelectElement{BasicHTMLElement: attrs(el("select", ""), "id", "byom-fit")}
	for _, o := range [][2]string{{fitDigit, "centre the digit (MNIST)"}, {fitStretch, "resize to the input"}, {fitModel, "the model file's own"}} {
		appendChild(b.fit, attrs(el("option", "", o[1]), "value", o[0]))
	}
	field := func(label, id, typ string) *dom.HTMLInputElement {
		return &dom.HTMLInputElement{BasicHTMLElement: attrs(el("input", ""), "id", id, "type", typ, "aria-label", label)}
	}
	b.invert = field("invert", "byom-invert", "checkbox")
	b.divide = field("divide by", "byom-divide", "number")
	b.mean = field("mean", "byom-mean", "text")
	b.std = field("std", "byom-std", "text")
	b.shape = el("span", "fm-byom-shape")
	b.form = attrs(el("div", "fm-byom-form",
		el("span", "fm-field", "Input ", b.shape),
		el("label", "fm-field", "Fit ", b.fit),
		el("label", "fm-field", b.invert, " invert (light ink on dark)"),
		el("label", "fm-field", "Divide by ", b.divide),
		el("label", "fm-field", "Mean ", b.mean),
		el("label", "fm-field", "Std ", b.std)), "hidden", "")
	for _, f := range []target{b.fit, b.invert, b.divide, b.mean, b.std} {
		on(f, "change", func(js.Value) { b.run() })
	}

	b.top = attrs(el("ol", "fm-bars"), "id", "byom-top", "aria-label", "your model's top classes")
	b.summary = attrs(el("div", "fm-params"), "id", "byom-summary")
	b.layers = el("div", "fm-byom-layers")
	appendChild(b.root, attrs(el("h2", "", "Use your own model"), "id", "byom-title"))
	appendChild(b.root, el("p", "fm-note", "A convolutional network you trained: export it from PyTorch with torch.onnx.export, "+
		"or from Keras with tensorflowjs_converter, and drop the files here. It runs in this page on the same engine "+
		"(the importer loads on first use), on the digit or image above, preprocessed as set below."))
	for _, e := range []*dom.BasicHTMLElement{zone, b.status, b.form, b.top, b.summary, b.layers} {
		appendChild(b.root, e)
	}

	js.Global().Get("MutationObserver").New(js.FuncOf(func(js.Value, []js.Value) any {
		go guard(b.run)
		return nil
	})).Call("observe", d.root.Underlying(), map[string]any{"attributes": true, "attributeFilter": []any{"data-predictions"}})
	return b.root
}

// say shows msg in the status line, as an error when failed, and sets the
// section's state.
func (b *byom) say(msg, state string) {
	setText(b.status, msg)
	if state == "error" {
		b.status.Class().Add("fm-error")
	} else {
		b.status.Class().Remove("fm-error")
	}
	setState(b.root, state)
}

// load reads the picked or dropped files and loads the model they hold:
// one .json file (a TensorFlow.js model.json) with the weight files its
// manifest lists, matched by file name, or one model file (ONNX, or a
// featuremap weight file; loadModel tells them apart by content).
func (b *byom) load(files js.Value) {
	b.say("Reading "+strconv.Itoa(files.Length())+" file(s)…", "loading")
	var main js.Value
	mainName := ""
	byName := map[string]js.Value{}
	for i := range files.Length() {
		f := files.Index(i)
		name := f.Get("name").String()
		buf, err := await(f.Call("arrayBuffer"))
		if err != nil {
			b.say("Cannot read "+name+": "+err.Error(), "error")
			return
		}
		bytes := js.Global().Get("Uint8Array").New(buf)
		byName[name] = bytes
		if strings.HasSuffix(strings.ToLower(name), ".json") || (mainName == "" && !strings.HasSuffix(strings.ToLower(name), ".bin")) {
			main, mainName = bytes, name
		}
	}
	if mainName == "" {
		b.say("Pick an .onnx file, or a model.json with its weight files (only .bin files were given)", "error")
		return
	}
	opts := map[string]any{}
	if strings.HasSuffix(strings.ToLower(mainName), ".json") {
		weights, missing, err := manifestFiles(main, byName)
		if err != nil {
			b.say("Cannot read "+mainName+": "+err.Error(), "error")
			return
		}
		if missing != "" {
			b.say(mainName+" needs its weight file "+missing+": pick or drop it together with "+mainName, "error")
			return
		}
		opts["weights"] = weights
	}
	b.say("Loading "+mainName+"…", "loading")
	m, err := await(b.d.fm.Call("loadModel", main, opts))
	if err != nil {
		b.say("Cannot run "+mainName+": "+err.Error(), "error")
		return
	}
	if !b.model.IsUndefined() {
		b.model.Call("dispose")
	}
	b.model, b.input = m, ints(m.Get("inputShape"))
	b.defaults()
	clear(b.summary)
	appendChild(b.summary, summaryTable(m.Call("summary")))
	b.say(m.Get("name").String()+" ("+mainName+") ready: input "+ui.Shape(b.input), "ready")
	b.run()
}

// manifestFiles maps each weight file path that a model.json's
// weightsManifest lists to the picked file of the same name (the path's
// last segment): the weights option of loadModel. missing names the first
// path without a file.
func manifestFiles(modelJSON js.Value, byName map[string]js.Value) (weights js.Value, missing string, err error) {
	defer func() {
		if r := recover(); r != nil { // JSON.parse threw
			err = jsError(r.(js.Error).Value)
		}
	}()
	text := js.Global().Get("TextDecoder").New().Call("decode", modelJSON)
	manifest := js.Global().Get("JSON").Call("parse", text).Get("weightsManifest")
	weights = js.Global().Get("Object").New()
	if manifest.Type() != js.TypeObject {
		return weights, "", nil // loadModel reports it
	}
	for i := range manifest.Length() {
		paths := manifest.Index(i).Get("paths")
		if paths.Type() != js.TypeObject {
			continue
		}
		for j := range paths.Length() {
			p := paths.Index(j).String()
			f, ok := byName[p[strings.LastIndexByte(p, '/')+1:]]
			if !ok {
				return weights, p, nil
			}
			weights.Set(p, f)
		}
	}
	return weights, "", nil
}

// defaults sets the preprocessing fields for the model's input shape.
func (b *byom) defaults() {
	h, w, c := b.input[0], b.input[1], b.input[2]
	setText(b.shape, ui.Shape(b.input))
	fit, invert, mean, std := fitModel, false, "0", "1"
	switch {
	case c == 1 && h == 28 && w == 28:
		fit, invert = fitDigit, true
	case c == 1:
		fit, invert = fitStretch, true
	case c == 3:
		fit, mean, std = fitStretch, "0.485, 0.456, 0.406", "0.229, 0.224, 0.225"
	}
	b.fit.SetValue(fit)
	b.invert.SetChecked(invert)
	b.divide.SetValue("255")
	b.mean.SetValue(mean)
	b.std.SetValue(std)
	b.form.RemoveAttribute("hidden")
}

// run predicts the demo's input with the model and shows the top-k and
// feature maps. Calls during a run collapse into one rerun after it.
func (b *byom) run() {
	if b.model.IsUndefined() || (b.d.image.IsUndefined() && b.d.pad.empty()) {
		return
	}
	if b.running {
		b.again = true
		return
	}
	b.running = true
	defer func() { b.running = false }()
	for {
		m := b.model
		x, err := b.tensor()
		if err != nil {
			b.say(err.Error(), "error")
			return
		}
		pred, err := await(m.Call("predict", x, map[string]any{"topK": topK}))
		if err != nil {
			b.say("Prediction failed: "+err.Error(), "error")
			return
		}
		b.showTop(pred)
		acts, err := await(m.Call("activations", x))
		if err != nil {
			b.say("Feature maps failed: "+err.Error(), "error")
			return
		}
		b.showLayers(acts)
		if !b.again {
			b.done++
			b.root.SetAttribute("data-predictions", strconv.Itoa(b.done))
			return
		}
		b.again = false
	}
}

// fieldError is an error naming a preprocessing field.
type fieldError string

func (e fieldError) Error() string { return string(e) }

// numbers parses a field of comma-separated numbers: one, or c.
func numbers(name, s string, c int) ([]float32, error) {
	var out []float32
	for _, f := range strings.Split(s, ",") {
		v, err := strconv.ParseFloat(strings.TrimSpace(f), 32)
		if err != nil {
			return nil, fieldError(name + ": " + strconv.Quote(f) + " is not a number")
		}
		out = append(out, float32(v))
	}
	if len(out) != 1 && len(out) != c {
		return nil, fieldError(name + ": give one value or " + strconv.Itoa(c))
	}
	return out, nil
}

// tensor is the model's input for the demo's input: the image itself for
// fitModel, else its pixels fitted to H×W and normalised as the fields say.
func (b *byom) tensor() (js.Value, error) {
	src := b.d.input()
	if b.fit.Value() == fitModel {
		return src, nil
	}
	h, w, c := b.input[0], b.input[1], b.input[2]
	if c != 1 && c != 3 {
		return js.Value{}, fieldError("The model's input " + ui.Shape(b.input) + " is not an image of 1 or 3 channels: pick \"the model file's own\" preprocessing")
	}
	div, err := numbers("Divide by", b.divide.Value(), 1)
	if err != nil || div[0] == 0 {
		return js.Value{}, fieldError("Divide by: want a number other than 0")
	}
	mean, err := numbers("Mean", b.mean.Value(), c)
	if err != nil {
		return js.Value{}, err
	}
	std, err := numbers("Std", b.std.Value(), c)
	if err != nil {
		return js.Value{}, err
	}
	invert := b.invert.Checked()
	ctx := canvas2D(w, h)
	sw, sh := src.Get("width").Int(), src.Get("height").Int()
	if b.fit.Value() == fitStretch {
		ctx.Call("drawImage", src, 0, 0, w, h)
	} else {
		whole := canvas2D(sw, sh)
		whole.Call("drawImage", src, 0, 0)
		if x0, y0, x1, y1, ok := ui.InkBox(pixels(whole, sw, sh), sw, sh, invert); ok {
			// MNIST: the digit's box scaled to fit 20×20 of 28×28, centred.
			s := float64(min(w, h)) * 20 / 28 / float64(max(x1-x0, y1-y0))
			dw, dh := float64(x1-x0)*s, float64(y1-y0)*s
			ctx.Call("drawImage", src, x0, y0, x1-x0, y1-y0, (float64(w)-dw)/2, (float64(h)-dh)/2, dw, dh)
		}
	}
	n := ui.Norm{Invert: invert, Scale: 1 / div[0], Mean: mean, Std: std}
	return tensor(ui.Normalize(pixels(ctx, w, h), c, n), h, w, c), nil
}

// canvas2D returns the 2-D context of a new w×h canvas filled white (the
// pad's paper), for reading pixels back.
func canvas2D(w, h int) js.Value {
	c := el("canvas", "").Underlying()
	c.Set("width", w)
	c.Set("height", h)
	ctx := c.Call("getContext", "2d", map[string]any{"willReadFrequently": true})
	ctx.Set("fillStyle", "#fff")
	ctx.Call("fillRect", 0, 0, w, h)
	return ctx
}

// pixels reads the w×h RGBA pixels of a 2-D context.
func pixels(ctx js.Value, w, h int) []byte {
	data := ctx.Call("getImageData", 0, 0, w, h).Get("data")
	out := make([]byte, data.Length())
	js.CopyBytesToGo(out, data)
	return out
}

// showTop fills the top-k list from a prediction.
func (b *byom) showTop(pred js.Value) {
	clear(b.top)
	top := pred.Get("top")
	for i := range top.Length() {
		t := top.Index(i)
		p := float32(t.Get("p").Float())
		label := t.Get("label").String()
		if label == "" {
			label = strconv.Itoa(t.Get("index").Int())
		}
		fill := el("span", "fm-bar-fill")
		fill.Style().SetProperty("width", ui.Percent(max(0, min(p, 1))), "")
		appendChild(b.top, attrs(el("li", "fm-bar",
			el("span", "fm-bar-label", label),
			el("span", "fm-bar-track", fill),
			el("span", "fm-bar-value", ui.Percent(p))),
			"data-index", strconv.Itoa(t.Get("index").Int()), "data-p", strconv.FormatFloat(float64(p), 'g', -1, 32)))
	}
}

// showLayers draws every layer's output with the demo's tiles, skipping,
// as the demo does, a layer whose output repeats the previous one's
// values (flatten, dropout at inference).
func (b *byom) showLayers(acts js.Value) {
	clear(b.layers)
	appendChild(b.layers, el("h3", "", "Feature maps"))
	width := max(int(b.layers.Underlying().Get("clientWidth").Float()), 260)
	for _, l := range layerOuts(acts) {
		title := l.name + " (" + l.typ + ") · " + ui.Shape(l.shape[1:])
		switch len(l.shape) {
		case 4:
			appendChild(b.layers, b.d.maps.tiles(title, l, width))
		case 2:
			appendChild(b.layers, b.d.maps.strip(title, l, width))
		}
		nextFrame()
	}
}
