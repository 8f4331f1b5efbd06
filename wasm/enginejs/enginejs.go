//go:build js && wasm

// Package enginejs builds the JavaScript object through which featuremap.js
// drives an engine instance (see wasm/engine for its layout). The engine
// command (wasm/engine) stores it under globalThis.__featuremap_engine, and
// so does the site's combined program (site/app built with -tags
// fmengine), which serves both the site's UI and its engine worker from
// one compiled module.
package enginejs

import (
	"syscall/js"

	"github.com/featuremap/featuremap/wasm/internal/jsbridge"
	"github.com/featuremap/featuremap/wasm/internal/models"
	"github.com/featuremap/featuremap/wasm/internal/ops"
)

// Version is the engine's release, reported as fm.version.
const Version = "0.1.0-dev"

// GlobalName is the global property an engine's exports are stored under
// (featuremap.js reads and deletes it as soon as go.run returns).
const GlobalName = "__featuremap_engine"

// Register stores a fresh engine's exports (its own model table) under
// GlobalName.
func Register() {
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
	js.Global().Set(GlobalName, map[string]any{
		"version": Version,
		"simd":    SIMD,
		"ops":     opsObj,
		"model":   modelObj,
	})
}
