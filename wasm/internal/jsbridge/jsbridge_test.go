//go:build js && wasm

package jsbridge

import (
	"errors"
	"reflect"
	"syscall/js"
	"testing"

	"github.com/featuremap/featuremap/wasm/internal/ops"
)

func jsonValue(s string) js.Value { return js.Global().Get("JSON").Call("parse", s) }

func TestValue(t *testing.T) {
	backing := float32ArrayClass.New(js.ValueOf([]any{9, 1.5, -2, 9}))
	view := backing.Call("subarray", 1, 3) // byteOffset 4
	obj := jsonValue(`{"shape":[1,2],"pad":[[0,1],[2,3]],"s":"SAME","b":true,"n":null}`)
	obj.Set("data", view)
	obj.Set("ints", js.Global().Get("Int32Array").New(3))
	obj.Set("f", js.FuncOf(func(js.Value, []js.Value) any { return nil }))
	obj.Set("big", js.Global().Call("BigInt", 7))
	bytes := uint8ArrayClass.New(js.ValueOf([]any{1, 2, 3, 250}))
	obj.Set("u8", bytes.Call("subarray", 1)) // byteOffset 1
	obj.Set("clamped", uint8ClampedClass.New(bytes.Get("buffer"), 2, 2))
	want := map[string]any{
		"shape":   []any{1.0, 2.0},
		"pad":     []any{[]any{0.0, 1.0}, []any{2.0, 3.0}},
		"s":       "SAME",
		"b":       true,
		"n":       nil,
		"data":    []float32{1.5, -2},
		"ints":    ops.Foreign("Int32Array(3)"), // elements, not bytes
		"f":       ops.Foreign("function"),
		"big":     ops.Foreign("bigint"),
		"u8":      ops.Bytes{Class: "Uint8Array", Data: []byte{2, 3, 250}},
		"clamped": ops.Bytes{Class: "Uint8ClampedArray", Data: []byte{3, 250}},
	}
	if got := Value(obj); !reflect.DeepEqual(got, want) {
		t.Errorf("Value = %#v\nwant %#v", got, want)
	}
	if got, want := Value(js.Global().Get("Array").New(maxArrayLen+1)), ops.Foreign("Array(65)"); got != want {
		t.Errorf("long array: Value = %#v, want %#v", got, want)
	}
	deep := jsonValue(`[[[[[[[[1]]]]]]]]`)
	if got, want := Value(deep).([]any)[0].([]any)[0].([]any)[0].([]any)[0].([]any)[0].([]any)[0], ops.Foreign("Array(1)"); got != want {
		t.Errorf("deep array: innermost = %#v, want %#v", got, want)
	}
}

// TestValueDescriptions: typed arrays other than the accepted ones are
// described with their element count; buffers and views with their bytes.
func TestValueDescriptions(t *testing.T) {
	g := js.Global()
	for _, tt := range []struct {
		v    js.Value
		want any
	}{
		{g.Get("Float64Array").New(2), ops.Foreign("Float64Array(2)")},
		{g.Get("Int16Array").New(5), ops.Foreign("Int16Array(5)")},
		{g.Get("BigInt64Array").New(3), ops.Foreign("BigInt64Array(3)")},
		{arrayBufferClass.New(16), ops.Foreign("ArrayBuffer(16)")},
		{g.Get("DataView").New(arrayBufferClass.New(8)), ops.Foreign("DataView(8 bytes)")},
		// Not fooled by prototypes: an object posing as a Float32Array.
		{objectClass.Call("create", float32ArrayClass.Get("prototype")), map[string]any{}},
	} {
		if got := Value(tt.v); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Value(%v) = %#v, want %#v", tt.v, got, tt.want)
		}
	}
}

// TestValueOtherRealm: typed arrays made in another realm (a node:vm
// context, as an iframe's in a browser) are what they are, whatever
// instanceof says; objects from there are read by their own properties.
func TestValueOtherRealm(t *testing.T) {
	vm := js.Global().Get("process").Call("getBuiltinModule", "node:vm")
	other := vm.Call("runInNewContext", `({
		f32: new Float32Array([1.5, -2]),
		view: new Float32Array([9, 3, 4, 9]).subarray(1, 3),
		u8: new Uint8Array([1, 2, 3]).subarray(1),
		clamped: new Uint8ClampedArray([7, 8]),
		f64: new Float64Array(2),
		buf: new ArrayBuffer(4),
		obj: JSON.parse('{"__proto__": {"strides": 2}, "a": 1}'),
	})`)
	if other.Get("f32").InstanceOf(float32ArrayClass) {
		t.Fatal("the node:vm context shares this realm's Float32Array")
	}
	want := map[string]any{
		"f32":     []float32{1.5, -2},
		"view":    []float32{3, 4},
		"u8":      ops.Bytes{Class: "Uint8Array", Data: []byte{2, 3}},
		"clamped": ops.Bytes{Class: "Uint8ClampedArray", Data: []byte{7, 8}},
		"f64":     ops.Foreign("Float64Array(2)"),
		"buf":     ops.Foreign("ArrayBuffer(4)"),
		"obj":     map[string]any{"__proto__": map[string]any{"strides": 2.0}, "a": 1.0},
	}
	if got := Value(other); !reflect.DeepEqual(got, want) {
		t.Errorf("Value = %#v\nwant %#v", got, want)
	}
	// Inherited properties are not read.
	inherits := objectClass.Call("create", jsonValue(`{"strides": 2}`))
	inherits.Set("padding", "SAME")
	if got, want := Value(inherits), map[string]any{"padding": "SAME"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Value(object with an inherited property) = %#v, want %#v", got, want)
	}
}

func TestTensorRoundTrip(t *testing.T) {
	in := ops.Tensor{Shape: []int{3}, Data: []float32{1, -0.5, 3e38}}
	v := Tensor(in)
	if !v.Get("data").InstanceOf(float32ArrayClass) {
		t.Fatalf("data is not a Float32Array")
	}
	got := Value(v).(map[string]any)
	if !reflect.DeepEqual(got["data"], in.Data) || !reflect.DeepEqual(got["shape"], []any{3.0}) {
		t.Errorf("round trip = %v, want %v", got, in)
	}
}

// ToJS is Value's inverse on the Go images that have one.
func TestToJS(t *testing.T) {
	in := map[string]any{
		"n":      1.5,
		"i":      7,
		"s":      "x",
		"b":      false,
		"floats": []float32{1, -2},
		"ints":   []int{28, 28, 1},
		"strs":   []string{"a", "b"},
		"list":   []any{map[string]any{"t": ops.Tensor{Shape: []int{2}, Data: []float32{3, 4}}}, nil},
	}
	want := map[string]any{
		"n":      1.5,
		"i":      7.0,
		"s":      "x",
		"b":      false,
		"floats": []float32{1, -2},
		"ints":   []any{28.0, 28.0, 1.0},
		"strs":   []any{"a", "b"},
		"list":   []any{map[string]any{"t": map[string]any{"shape": []any{2.0}, "data": []float32{3, 4}}}, nil},
	}
	if got := Value(ToJS(in)); !reflect.DeepEqual(got, want) {
		t.Errorf("Value(ToJS(x)) = %#v\nwant %#v", got, want)
	}
	if v := ToJS(nil); !v.IsUndefined() {
		t.Errorf("ToJS(nil) = %v, want undefined", v)
	}
}

func TestFunc(t *testing.T) {
	calls := 0
	f := Func("op", func(args []js.Value) (js.Value, error) {
		calls++
		switch args[0].String() {
		case "panic":
			var s []int
			_ = s[len(args)] // index out of range
		case "error":
			return js.Undefined(), errors.New("op: x must be positive")
		}
		return js.ValueOf(42), nil
	})
	defer f.Release()
	for _, tt := range []struct{ arg, wantErr string }{
		{"panic", "op: internal error (please report it): runtime error: index out of range [1] with length 0"},
		{"ok", ""},
		{"error", "op: x must be positive"},
		{"ok", ""},
	} {
		got := f.Invoke(tt.arg)
		switch {
		case tt.wantErr == "" && (got.Type() != js.TypeNumber || got.Int() != 42):
			t.Errorf("%s: got %v, want 42", tt.arg, got)
		case tt.wantErr != "" && (!got.InstanceOf(errorClass) || got.Get("message").String() != tt.wantErr):
			t.Errorf("%s: got %v, want Error(%q)", tt.arg, got, tt.wantErr)
		}
	}
	if calls != 4 {
		t.Errorf("calls = %d, want 4", calls)
	}
}
