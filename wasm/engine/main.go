//go:build js && wasm

// Command engine is featuremap's WebAssembly engine, started by featuremap.js
// (wasm/js). It stores its exports under the global property globalName,
// which featuremap.js reads and deletes as soon as go.run returns (main runs
// synchronously up to its first block, so engines started one after the
// other never see each other's), and then serves calls until the page or
// process ends. It links no os or fmt: it takes no arguments.
//
//	globalThis.__featuremap_engine = {
//	  version, simd,
//	  ops: { conv2d, maxPool, … },                                    // package ops
//	  model: { loadModel, predict, activations, weights, dispose,   // package models
//	           stagedError },                                       // jsbridge.Staged
//	}
//
// Every function there returns its result or a JavaScript Error, which
// featuremap.js throws (see package jsbridge). The fast path of predict,
// predictBatch and activations is exported from the WebAssembly instance
// itself (exports.go): numbers in, a number out, -1 on failure, after which
// model.stagedError() returns the Error.
package main

import (
	"syscall/js"

	"github.com/featuremap/featuremap/wasm/internal/jsbridge"
	"github.com/featuremap/featuremap/wasm/internal/models"
	"github.com/featuremap/featuremap/wasm/internal/ops"
)

// version is the engine's release, reported as fm.version.
const version = "0.1.0-dev"

// globalName is the global property the exports are stored under
// (featuremap.js's name).
const globalName = "__featuremap_engine"

func main() {
	opsObj := js.Global().Get("Object").New()
	for name, op := range ops.Ops {
		opsObj.Set(name, jsbridge.Export(name, op))
	}
	modelObj := js.Global().Get("Object").New()
	table := models.NewTable()
	for name, fn := range table.Funcs() {
		modelObj.Set(name, jsbridge.Export(name, fn))
	}
	staged = jsbridge.NewStaged(table)
	modelObj.Set("stagedError", staged.ErrorFunc())
	js.Global().Set(globalName, map[string]any{
		"version": version,
		"simd":    simd,
		"ops":     opsObj,
		"model":   modelObj,
	})
	select {}
}
