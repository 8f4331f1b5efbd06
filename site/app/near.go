//go:build js && wasm

package main

import "syscall/js"

// interactions start a lazy part before it comes near (embed.js's widget
// uses the first three; click is also what assistive technology sends).
var interactions = []string{"pointerdown", "focusin", "keydown", "click"}

// whenNear runs start once, in its own goroutine, when e comes within
// about one viewport of the visible area (IntersectionObserver with a
// 100 % root margin) or the user interacts with e, whichever is first;
// without IntersectionObserver, at once. Parts that download or compute
// much wait for it, so that a first visit pays only for what is seen.
func whenNear(e target, start func()) {
	started := false
	var observer js.Value
	var seen, touched js.Func
	fire := func() {
		if started {
			return
		}
		started = true
		if observer.Truthy() {
			observer.Call("disconnect")
		}
		for _, typ := range interactions {
			e.Underlying().Call("removeEventListener", typ, touched)
		}
		seen.Release()
		touched.Release()
		go guard(start)
	}
	seen = js.FuncOf(func(_ js.Value, args []js.Value) any {
		entries := args[0]
		for i := range entries.Length() {
			if entries.Index(i).Get("isIntersecting").Bool() {
				fire()
				break
			}
		}
		return nil
	})
	touched = js.FuncOf(func(js.Value, []js.Value) any {
		fire()
		return nil
	})
	for _, typ := range interactions {
		e.Underlying().Call("addEventListener", typ, touched)
	}
	io := js.Global().Get("IntersectionObserver")
	if io.Type() != js.TypeFunction {
		fire()
		return
	}
	observer = io.New(seen, map[string]any{"rootMargin": "100% 0px"})
	observer.Call("observe", e.Underlying())
}
