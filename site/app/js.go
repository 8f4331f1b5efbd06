//go:build js && wasm

package main

import (
	"errors"
	"syscall/js"
	"unsafe"

	"honnef.co/go/js/dom/v2"
)

var document = js.Global().Get("document")

// element wraps a JavaScript element as dom/v2's *BasicHTMLElement
// directly: dom.WrapHTMLElement and Document.CreateElement switch over
// every element type, which links all of dom/v2 (about 0.5 MB more wasm).
func element(v js.Value) *dom.BasicHTMLElement {
	return &dom.BasicHTMLElement{BasicElement: &dom.BasicElement{BasicNode: &dom.BasicNode{Value: v}}}
}

// query returns the first element under root that matches selector.
func query(root target, selector string) *dom.BasicHTMLElement {
	return element(root.Underlying().Call("querySelector", selector))
}

// el creates an element of tag with class names (space separated, may be
// empty) and children: strings become text, elements are appended.
func el(tag, class string, children ...any) *dom.BasicHTMLElement {
	e := element(document.Call("createElement", tag))
	if class != "" {
		e.Class().SetString(class)
	}
	for _, c := range children {
		switch c := c.(type) {
		case string:
			e.Call("append", c)
		case target:
			e.Call("append", c.Underlying())
		}
	}
	return e
}

// appendChild appends child to parent. Use it rather than dom/v2's
// AppendChild: that takes a dom.Node, and one conversion to that interface
// links its method set, through Event.Timestamp, all of package time's
// formatting (Time.String, kept for panics): 21 KB more app.wasm with
// brotli. explain.test.mjs checks that time.Time.Format stays out.
func appendChild(parent, child target) { parent.Underlying().Call("append", child.Underlying()) }

// attrs sets attributes given as name, value pairs and returns e.
func attrs[T target](e T, kv ...string) T {
	for i := 0; i+1 < len(kv); i += 2 {
		e.Underlying().Call("setAttribute", kv[i], kv[i+1])
	}
	return e
}

// setText replaces e's content with text.
func setText(e target, text string) { e.Underlying().Set("textContent", text) }

// clear removes e's children.
func clear(e target) { setText(e, "") }

// target is anything with an underlying JavaScript object (dom/v2's
// elements; window is wrapped with jsObject).
type target interface{ Underlying() js.Value }

// jsObject adapts a js.Value to target.
type jsObject struct{ v js.Value }

func (o jsObject) Underlying() js.Value { return o.v }

// on adds a listener; the handler runs in its own goroutine, so it may
// await promises (a js.Func callback itself must not block).
func on(t target, typ string, handler func(ev js.Value)) {
	onSync(t, typ, func(ev js.Value) { go guard(func() { handler(ev) }) })
}

// guard runs f and reports a panic on the console instead of letting it end
// the program, so one failing part leaves the rest of the page working.
func guard(f func()) {
	defer func() {
		if r := recover(); r != nil {
			js.Global().Get("console").Call("error", "featuremap ui:", js.ValueOf(panicText(r)))
		}
	}()
	f()
}

// panicText describes a recovered panic value.
func panicText(r any) string {
	switch r := r.(type) {
	case error:
		return r.Error()
	case string:
		return r
	}
	return "unexpected panic"
}

// onSync adds a listener that runs synchronously, for handlers that call
// preventDefault or read pointer state, and must not block. Events stay
// js.Values: wrapping them in dom/v2's types would link every event type.
func onSync(t target, typ string, handler func(ev js.Value)) {
	t.Underlying().Call("addEventListener", typ, js.FuncOf(func(_ js.Value, args []js.Value) any {
		handler(args[0])
		return nil
	}))
}

// await waits for promise p to settle; it must not run on the JavaScript
// event loop's own goroutine (use it from `go` routines).
func await(p js.Value) (js.Value, error) {
	type result struct {
		v   js.Value
		err error
	}
	done := make(chan result, 1)
	resolve := js.FuncOf(func(_ js.Value, args []js.Value) any {
		done <- result{v: args[0]}
		return nil
	})
	reject := js.FuncOf(func(_ js.Value, args []js.Value) any {
		done <- result{err: jsError(args[0])}
		return nil
	})
	defer resolve.Release()
	defer reject.Release()
	js.Global().Get("Promise").Call("resolve", p).Call("then", resolve, reject)
	r := <-done
	return r.v, r.err
}

// yieldTask ends the page's current task and goes on in a new one, after
// whatever else the browser has queued (input, rendering, the engine's
// replies): it awaits scheduler.yield() where the browser has it, else a
// zero-delay timeout. Start-up work calls it between its parts, so that
// no task of the page's thread runs much over 50 ms.
func yieldTask() {
	if sched := js.Global().Get("scheduler"); sched.Type() == js.TypeObject && sched.Get("yield").Type() == js.TypeFunction {
		await(sched.Call("yield"))
		return
	}
	sleep(0)
}

// jsError is a Go error carrying a JavaScript exception's message.
func jsError(v js.Value) error {
	if v.Type() == js.TypeObject && v.Get("message").Type() == js.TypeString {
		return errors.New(v.Get("message").String())
	}
	return errors.New(js.Global().Get("String").Invoke(v).String())
}

// float32s copies a Float32Array into Go memory.
func float32s(v js.Value) []float32 {
	n := v.Get("length").Int()
	out := make([]float32, n)
	if n > 0 {
		u8 := js.Global().Get("Uint8Array").New(v.Get("buffer"), v.Get("byteOffset"), n*4)
		js.CopyBytesToGo(unsafe.Slice((*byte)(unsafe.Pointer(&out[0])), n*4), u8)
	}
	return out
}

// float32Array copies f into a new Float32Array.
func float32Array(f []float32) js.Value {
	a := js.Global().Get("Float32Array").New(len(f))
	if len(f) > 0 {
		u8 := js.Global().Get("Uint8Array").New(a.Get("buffer"))
		js.CopyBytesToJS(u8, unsafe.Slice((*byte)(unsafe.Pointer(&f[0])), len(f)*4))
	}
	return a
}

// tensor is the JavaScript Tensor { shape, data }.
func tensor(data []float32, shape ...int) js.Value {
	s := make([]any, len(shape))
	for i, d := range shape {
		s[i] = d
	}
	return js.ValueOf(map[string]any{"shape": s, "data": float32Array(data)})
}

// ints reads a JavaScript array of numbers.
func ints(v js.Value) []int {
	out := make([]int, v.Length())
	for i := range out {
		out[i] = v.Index(i).Int()
	}
	return out
}

// putPixels draws RGBA bytes of a w×h image onto canvas at (0, 0), resizing
// the canvas to w×h.
func putPixels(canvas *dom.HTMLCanvasElement, pix []byte, w, h int) {
	canvas.SetWidth(w)
	canvas.SetHeight(h)
	arr := js.Global().Get("Uint8ClampedArray").New(len(pix))
	js.CopyBytesToJS(arr, pix)
	img := js.Global().Get("ImageData").New(arr, w, h)
	canvas.Underlying().Call("getContext", "2d").Call("putImageData", img, 0, 0)
}

// now is performance.now() in milliseconds.
func now() float64 { return js.Global().Get("performance").Call("now").Float() }

// nextFrame waits for the next animation frame, so that long work split
// across frames never holds the main thread for long.
func nextFrame() {
	done := make(chan struct{})
	var f js.Func
	f = js.FuncOf(func(js.Value, []js.Value) any {
		f.Release()
		close(done)
		return nil
	})
	js.Global().Call("requestAnimationFrame", f)
	<-done
}

// jsArray converts a slice to a JavaScript array (js.ValueOf takes []any).
func jsArray[T any](s []T) []any {
	out := make([]any, len(s))
	for i, v := range s {
		out[i] = v
	}
	return out
}

// sleep waits ms milliseconds (setTimeout; package time would grow the
// binary). Like await, it must run in its own goroutine.
func sleep(ms int) {
	done := make(chan struct{})
	f := js.FuncOf(func(js.Value, []js.Value) any {
		close(done)
		return nil
	})
	defer f.Release()
	js.Global().Call("setTimeout", f, ms)
	<-done
}
