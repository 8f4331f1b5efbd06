//go:build js && wasm

// Command app is the featuremap site's user interface, compiled to
// WebAssembly and started by site/static/ui.js. It stores
//
//	globalThis.__featuremap_ui = { mount(kind, root, fm, options) }
//
// kind is "demo" (the demo page, with the stable element ids), "widget"
// (the <featuremap-demo> element), "explain" (the explainer page) or
// "snippet" (the embed page's copy-paste snippet); fm is
// a featuremap.js instance running in a Web Worker; options carries base,
// the site's root URL (models are under base + "models/"), model, the
// model to start with, and loadModel(url, onProgress), which loads a
// model into fm (ui.js starts the first one early). mount returns at once; when the part is ready
// root.dataset.state becomes "ready" (or "error"). For tests and
// embedders, a demo's root counts its complete predictions (prediction,
// bars and feature maps updated) in data-predictions, and the explainer's
// root its recomputations after a filter edit in data-updates.
package main

import (
	"syscall/js"

	"honnef.co/go/js/dom/v2"
)

// globalName is where main stores its exports for ui.js (which deletes it
// after reading). A fixed name, rather than one passed in os.Args, keeps
// package os, and with it time and more, out of the binary.
const globalName = "__featuremap_ui"

func main() {
	mount := js.FuncOf(func(_ js.Value, args []js.Value) any {
		if len(args) < 4 {
			return js.Global().Get("Error").New("mount: want (kind, root, fm, options)")
		}
		kind, root, fm, opts := args[0].String(), element(args[1]), args[2], args[3]
		site := site{fm: fm, base: opts.Get("base").String(), load: opts.Get("loadModel")}
		switch kind {
		case "demo", "widget":
			model := "alexmnist"
			if m := opts.Get("model"); m.Type() == js.TypeString && m.String() != "" {
				model = m.String()
			}
			go guard(func() { newDemo(site, root, kind == "demo", model) })
		case "explain":
			go guard(func() { explain(site, root) })
		case "snippet":
			snippet(site, root)
		default:
			return js.Global().Get("Error").New("mount: kind must be demo, widget, explain or snippet, got " + kind)
		}
		return nil
	})
	if document.Truthy() { // not in the engine's worker (engine.go)
		js.Global().Set(globalName, map[string]any{"mount": mount})
	}
	select {}
}

// site is what every part needs: the engine, where the models are and
// how to load one (ui.js's loadModel).
type site struct {
	fm   js.Value
	base string
	load js.Value
}

// modelNames are the trained models the site offers, in menu order.
var modelNames = []string{"seednet", "alexmnist"}

// modelURL is the URL of a model's weight file.
func (s site) modelURL(name string) string { return s.base + "models/" + name + ".safetensors" }

// loadModel loads a model (through ui.js, with the Cache API cache),
// reporting progress as fractions in [0, 1] (negative while the size is
// unknown).
func (s site) loadModel(name string, progress func(float64)) (js.Value, error) {
	onProgress := js.FuncOf(func(_ js.Value, args []js.Value) any {
		p := args[0]
		if t := p.Get("total"); t.Type() == js.TypeNumber && t.Float() > 0 {
			progress(p.Get("loaded").Float() / t.Float())
		} else {
			progress(-1)
		}
		return nil
	})
	defer onProgress.Release()
	return await(s.load.Invoke(s.modelURL(name), onProgress))
}

// setState sets root's data-state, which tests and embedders wait on.
func setState(root *dom.BasicHTMLElement, state string) { root.SetAttribute("data-state", state) }
