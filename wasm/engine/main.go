//go:build js && wasm

// Command engine is featuremap's WebAssembly engine, started by featuremap.js
// (wasm/js). It takes one argument, a global property name: it stores its
// exports there and then serves calls until the page or process ends.
//
//	globalThis[name] = {
//	  version, simd,
//	  ops: { conv2d, maxPool, … },                                    // package ops
//	  model: { loadModel, predict, activations, weights, dispose,   // package models
//	           stage, place, run, runActivations },                 // jsbridge.Staged
//	}
//
// Every exported function returns its result or a JavaScript Error, which
// featuremap.js throws (see package jsbridge).
package main

import (
	"fmt"
	"os"
	"syscall/js"

	"github.com/featuremap/featuremap/wasm/internal/jsbridge"
	"github.com/featuremap/featuremap/wasm/internal/models"
	"github.com/featuremap/featuremap/wasm/internal/ops"
)

// version is the engine's release, reported as fm.version.
const version = "0.1.0-dev"

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: featuremap.wasm GLOBAL_NAME (started by featuremap.js)")
		os.Exit(2)
	}
	opsObj := js.Global().Get("Object").New()
	for name, op := range ops.Ops {
		opsObj.Set(name, jsbridge.Export(name, op))
	}
	modelObj := js.Global().Get("Object").New()
	table := models.NewTable()
	for name, fn := range table.Funcs() {
		modelObj.Set(name, jsbridge.Export(name, fn))
	}
	for name, fn := range jsbridge.Staged(table) {
		modelObj.Set(name, fn)
	}
	js.Global().Set(os.Args[1], map[string]any{
		"version": version,
		"simd":    simd,
		"ops":     opsObj,
		"model":   modelObj,
	})
	select {}
}
