//go:build js && wasm

// Package jsbridge holds all of featuremap's syscall/js plumbing: converting
// JavaScript arguments to the Go values of package ops, tensors back to
// JavaScript, and exported functions that turn Go errors and panics into JS
// Error values. Tensor data crosses as bytes (one copy each way, no
// per-element calls): js/wasm is little-endian, like every JS engine's
// typed arrays.
package jsbridge

import (
	"fmt"
	"runtime"
	"syscall/js"
	"unsafe"

	"github.com/featuremap/featuremap/wasm/internal/ops"
)

var (
	arrayClass        = js.Global().Get("Array")
	arrayBufferClass  = js.Global().Get("ArrayBuffer")
	errorClass        = js.Global().Get("Error")
	float32ArrayClass = js.Global().Get("Float32Array")
	objectClass       = js.Global().Get("Object")
	uint8ArrayClass   = js.Global().Get("Uint8Array")
	uint8ClampedClass = js.Global().Get("Uint8ClampedArray")

	// typedArrayName is the getter of %TypedArray%.prototype[Symbol.toStringTag]:
	// called on a typed array of any realm it returns its type's name
	// ("Float32Array"), on anything else undefined. Unlike instanceof, it
	// cannot be fooled by prototypes and works across realms (node:vm,
	// iframes).
	typedArrayName = getter(objectClass.Call("getPrototypeOf", uint8ArrayClass.Get("prototype")), js.Global().Get("Symbol").Get("toStringTag"))
	// arrayBufferByteLength is the getter of ArrayBuffer.prototype.byteLength,
	// which throws unless called on an ArrayBuffer (of any realm).
	arrayBufferByteLength = getter(arrayBufferClass.Get("prototype"), "byteLength")
)

// getter returns the get function of the property key of obj.
func getter(obj js.Value, key any) js.Value {
	return objectClass.Call("getOwnPropertyDescriptor", obj, key).Get("get")
}

// arrayBufferLength returns v's byteLength when v is an ArrayBuffer.
func arrayBufferLength(v js.Value) (n int, ok bool) {
	defer func() {
		if recover() != nil { // the getter threw: not an ArrayBuffer
			ok = false
		}
	}()
	return arrayBufferByteLength.Call("call", v).Int(), true
}

// syscall/js keeps the JavaScript object behind every js.Value alive until
// Go's garbage collector finalizes the Value. A tensor's Go side is small
// next to its typed array, so Go's heap hardly grows and collects rarely,
// and the arrays returned to JavaScript (and the ones passed in, such as
// weight files) would pile up in the JavaScript heap: hundreds of MB for
// alexmnist's activations (wasm/js/test/leak.test.mjs). So Func runs the
// collector once gcEvery bytes of typed arrays have crossed the bridge.
const gcEvery = 4 << 20

// crossed counts the typed-array bytes copied either way since the last
// collection that Func ran.
var crossed int

// Limits of Value: argument objects are small (shapes, option pairs);
// anything bigger or deeper is reported as a Foreign description instead of
// being walked property by property.
const (
	maxDepth    = 6
	maxArrayLen = 64
	maxKeys     = 32
)

// Value converts a JavaScript argument to its Go image, as documented in
// package ops. A Float32Array is copied in bulk.
func Value(v js.Value) any { return value(v, 0) }

func value(v js.Value, depth int) any {
	t, ok := typeOf(v)
	if !ok {
		return ops.Foreign("bigint")
	}
	switch t {
	case js.TypeUndefined, js.TypeNull:
		return nil
	case js.TypeBoolean:
		return v.Bool()
	case js.TypeNumber:
		return v.Float()
	case js.TypeString:
		return v.String()
	case js.TypeObject:
	default:
		return ops.Foreign(t.String())
	}
	if name := typedArrayName.Call("call", v); name.Type() == js.TypeString {
		n := v.Length()
		switch name := name.String(); {
		case name == "Float32Array" && n <= ops.MaxElements:
			return Float32s(v)
		case (name == "Uint8Array" || name == "Uint8ClampedArray") && n <= ops.MaxBytes:
			return ops.Bytes{Class: className(v), Data: Bytes(v)}
		default:
			return ops.Foreign(fmt.Sprintf("%s(%d)", name, n)) // elements, not bytes
		}
	}
	if n, ok := arrayBufferLength(v); ok {
		return ops.Foreign(fmt.Sprintf("ArrayBuffer(%d)", n))
	}
	switch {
	case arrayBufferClass.Call("isView", v).Bool(): // a DataView
		return ops.Foreign(fmt.Sprintf("%s(%d bytes)", className(v), v.Get("byteLength").Int()))
	case arrayClass.Call("isArray", v).Bool():
		n := v.Length()
		if n > maxArrayLen || depth >= maxDepth {
			return ops.Foreign(fmt.Sprintf("Array(%d)", n))
		}
		a := make([]any, n)
		for i := range a {
			a[i] = value(v.Index(i), depth+1)
		}
		return a
	}
	keys := objectClass.Call("keys", v)
	n := keys.Length()
	if n > maxKeys || depth >= maxDepth {
		return ops.Foreign(fmt.Sprintf("%s with %d properties", className(v), n))
	}
	m := make(map[string]any, n)
	for i := range n {
		k := keys.Index(i).String()
		m[k] = value(v.Get(k), depth+1)
	}
	return m
}

// typeOf is v.Type(), which panics on the one type js.Type lacks: BigInt.
func typeOf(v js.Value) (t js.Type, ok bool) {
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	return v.Type(), true
}

// className is the name of v's constructor, or "Object".
func className(v js.Value) string {
	if c := v.Get("constructor"); c.Type() == js.TypeFunction {
		if name := c.Get("name"); name.Type() == js.TypeString && name.String() != "" {
			return name.String()
		}
	}
	return "Object"
}

// bytesOf views f's memory as bytes.
func bytesOf(f []float32) []byte {
	if len(f) == 0 {
		return nil
	}
	return unsafe.Slice((*byte)(unsafe.Pointer(&f[0])), 4*len(f))
}

// Float32s copies the Float32Array v (any byteOffset, any realm) into a new
// slice.
func Float32s(v js.Value) []float32 {
	f := make([]float32, v.Length())
	b := bytesOf(f)
	if len(b) == 0 {
		return f
	}
	src := uint8ArrayClass.New(v.Get("buffer"), v.Get("byteOffset"), len(b))
	if n := js.CopyBytesToGo(b, src); n != len(b) {
		panic(fmt.Sprintf("jsbridge: copied %d of the Float32Array's %d bytes", n, len(b)))
	}
	crossed += len(b)
	return f
}

// Bytes copies the Uint8Array or Uint8ClampedArray v (any realm) into a
// new slice. It copies through a Uint8Array of this realm over v's bytes:
// js.CopyBytesToGo checks its source with instanceof.
func Bytes(v js.Value) []byte {
	b := make([]byte, v.Length())
	if len(b) == 0 {
		return b
	}
	src := uint8ArrayClass.New(v.Get("buffer"), v.Get("byteOffset"), len(b))
	if n := js.CopyBytesToGo(b, src); n != len(b) {
		panic(fmt.Sprintf("jsbridge: copied %d of the %s's %d bytes", n, className(v), len(b)))
	}
	crossed += len(b)
	return b
}

// NewFloat32Array returns a new Float32Array holding a copy of f.
func NewFloat32Array(f []float32) js.Value {
	b := bytesOf(f)
	dst := uint8ArrayClass.New(len(b))
	if n := js.CopyBytesToJS(dst, b); n != len(b) {
		panic(fmt.Sprintf("jsbridge: copied %d of %d bytes into a Float32Array", n, len(b)))
	}
	crossed += len(b)
	return float32ArrayClass.New(dst.Get("buffer"))
}

// Tensor returns the JavaScript tensor { shape, data: Float32Array } of t.
func Tensor(t ops.Tensor) js.Value {
	obj := objectClass.New()
	obj.Set("shape", ToJS(t.Shape))
	obj.Set("data", NewFloat32Array(t.Data))
	return obj
}

// ToJS returns the JavaScript value of a Go image of one (see package ops),
// the inverse of Value: nil, bool, float64, int, string, []float32 (a new
// Float32Array holding a copy), ops.Tensor, []int, []string, []any and
// map[string]any.
// Other types panic: they are programming errors, reported by Func.
func ToJS(v any) js.Value {
	switch v := v.(type) {
	case nil:
		return js.Undefined()
	case bool, float64, int, string:
		return js.ValueOf(v)
	case []float32:
		return NewFloat32Array(v)
	case ops.Tensor:
		return Tensor(v)
	case []int:
		a := arrayClass.New(len(v))
		for i, e := range v {
			a.SetIndex(i, e)
		}
		return a
	case []string:
		a := arrayClass.New(len(v))
		for i, e := range v {
			a.SetIndex(i, e)
		}
		return a
	case []any:
		a := arrayClass.New(len(v))
		for i, e := range v {
			a.SetIndex(i, ToJS(e))
		}
		return a
	case map[string]any:
		obj := objectClass.New()
		for k, e := range v {
			obj.Set(k, ToJS(e))
		}
		return obj
	}
	panic(fmt.Sprintf("jsbridge: ToJS: no JavaScript value for %T", v))
}

// Error returns a new JavaScript Error with message msg.
func Error(msg string) js.Value { return errorClass.New(msg) }

// Export exports fn, which takes and returns Go images of JavaScript values
// (see Value and ToJS), with Func.
func Export[T any](name string, fn func(args []any) (T, error)) js.Func {
	return Func(name, func(args []js.Value) (js.Value, error) {
		in := make([]any, len(args))
		for i, a := range args {
			in[i] = Value(a)
		}
		out, err := fn(in)
		if err != nil {
			return js.Undefined(), err
		}
		return ToJS(out), nil
	})
}

// Func exports fn to JavaScript. The JS function returns fn's result, or an
// Error instance when fn fails or panics: the caller (featuremap.js) throws
// it. A panic is recovered, so the Go instance keeps serving calls; name
// prefixes its message. After a call that brings the typed-array bytes
// crossed since the last collection to gcEvery, Func collects garbage, so
// that the arrays of earlier calls are released (see gcEvery).
func Func(name string, fn func(args []js.Value) (js.Value, error)) js.Func {
	return js.FuncOf(func(_ js.Value, args []js.Value) (result any) {
		defer func() {
			if r := recover(); r != nil {
				result = Error(fmt.Sprintf("%s: internal error (please report it): %v", name, r))
			}
			if crossed >= gcEvery {
				crossed = 0
				runtime.GC()
			}
		}()
		v, err := fn(args)
		if err != nil {
			return Error(err.Error())
		}
		return v
	})
}
