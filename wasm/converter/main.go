//go:build js && wasm

// Command converter is featuremap.convert.wasm, the importer module that
// featuremap.js (wasm/js) starts only when loadModel is given an ONNX model
// or a TensorFlow.js model.json: it turns them into featuremap weight
// files (package converter), which the engine loads. Keeping the importers
// out of the engine (wasm/engine) keeps the engine small. Like the engine,
// it stores its exports under a global property, which featuremap.js reads
// and deletes as soon as go.run returns, and then serves calls:
//
//	globalThis.__featuremap_converter = { version, convert(bytes[, weights]) }
//
// convert returns a Uint8Array or a JavaScript Error (package jsbridge).
package main

import (
	"strconv"
	"syscall/js"

	"github.com/featuremap/featuremap/wasm/internal/converter"
	"github.com/featuremap/featuremap/wasm/internal/jsbridge"
)

// version is the converter's release, the engine's (wasm/engine).
const version = "0.1.0-dev"

// globalName is the global property the exports are stored under
// (featuremap.js's name).
const globalName = "__featuremap_converter"

func main() {
	uint8Array := js.Global().Get("Uint8Array")
	convert := jsbridge.Func("loadModel", func(args []js.Value) (js.Value, error) {
		in := make([]any, len(args))
		for i, a := range args {
			in[i] = jsbridge.Value(a)
		}
		out, err := converter.Convert(in)
		if err != nil {
			return js.Undefined(), err
		}
		dst := uint8Array.New(len(out))
		if n := js.CopyBytesToJS(dst, out); n != len(out) {
			panic("converter: copied " + strconv.Itoa(n) + " of the weight file's " + strconv.Itoa(len(out)) + " bytes")
		}
		return dst, nil
	})
	js.Global().Set(globalName, map[string]any{
		"version": version,
		"convert": convert,
	})
	select {}
}
