//go:build js && wasm

package enginejs

import "github.com/featuremap/featuremap/wasm/internal/jsbridge"

// staged is the models' fast path, set by Register before JavaScript can call
// the exports below.
var staged *jsbridge.Staged

// The fast path's WebAssembly exports (jsbridge.Staged), which
// featuremap.js calls as instance.exports.featuremap_stage(…) and so on.
// They are exported Go names only so that linters see them used; Go code
// calls jsbridge.Staged directly.

//go:wasmexport featuremap_stage
func Stage(op, handle, kind, n, width, height float64) float64 {
	return staged.Stage(op, handle, kind, n, width, height)
}

//go:wasmexport featuremap_place
func Place(op, handle, i, batch float64) float64 { return staged.Place(op, handle, i, batch) }

//go:wasmexport featuremap_run
func Run(op, handle, batch, last float64) float64 { return staged.Run(op, handle, batch, last) }

//go:wasmexport featuremap_runActivations
func RunActivations(handle float64) float64 { return staged.RunActivations(handle) }
