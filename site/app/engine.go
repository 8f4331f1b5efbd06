//go:build js && wasm && fmengine

package main

import "github.com/featuremap/featuremap/wasm/enginejs"

// With -tags fmengine this program is also the featuremap engine: the
// site's one WebAssembly module (app.wasm, app.simd.wasm), which ui.js
// compiles once and instantiates twice, on the page for the UI and in the
// engine's worker, where featuremap.js runs it (init's module option).
// Every instance stores the engine's exports; ui.js deletes them where the
// UI runs, and featuremap.js takes them where the engine runs.
func init() { enginejs.Register() }
