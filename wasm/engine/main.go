//go:build js && wasm

// Command engine is featuremap's WebAssembly engine, started by featuremap.js
// (wasm/js). It stores its exports (package enginejs) under the global
// property __featuremap_engine, which featuremap.js reads and deletes as
// soon as go.run returns (main runs synchronously up to its first block, so
// engines started one after the other never see each other's), and then
// serves calls until the page or process ends. It links no os or fmt: it
// takes no arguments.
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
// itself (wasm/enginejs/exports.go): numbers in, a number out, -1 on failure, after which
// model.stagedError() returns the Error.
package main

import "github.com/featuremap/featuremap/wasm/enginejs"

func main() {
	enginejs.Register()
	select {}
}
