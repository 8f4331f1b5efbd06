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
		"ints":    ops.Foreign("Int32Array(12)"),
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
