// Package ops implements featuremap.js's fm.ops.* on JavaScript-shaped
// argument values: it parses and validates them, naming the offending argument
// in every error, and calls package kernel. It does not import syscall/js, so
// every argument error is tested natively; package jsbridge converts
// JavaScript values to and from the Go values used here.
//
// An argument is the Go image of a JavaScript value:
//
//	undefined, null   nil
//	boolean           bool
//	number            float64
//	string            string
//	Float32Array      []float32 (a copy)
//	Uint8Array,       Bytes (a copy)
//	Uint8ClampedArray
//	Array             []any
//	other object      map[string]any (own enumerable string-keyed
//	                  properties; inherited ones are never read)
//	anything else     Foreign (a description such as "Int32Array(12)",
//	                  with the element count of typed arrays)
//
// Typed arrays are recognised by their internal type, not by instanceof,
// so arrays from another realm (a node:vm context, an iframe) are accepted.
// A Float32Array of more than MaxElements values or a Uint8Array of more
// than MaxBytes bytes is not copied: it becomes a Foreign.
//
// A Tensor argument is an object { shape: number[], data: Float32Array },
// row-major, with NHWC images (see package kernel).
package ops

import (
	"errors"
	"math"
	"slices"
	"strconv"

	"github.com/featuremap/featuremap/internal/msg"
	"github.com/featuremap/featuremap/model"
)

// Foreign describes a JavaScript value that has no Go image, for error
// messages: "function", "Int32Array(12)", "Array(100000)".
type Foreign string

// Bytes is the Go image of a Uint8Array (or a subclass such as Node's
// Buffer) or a Uint8ClampedArray: a copy of its bytes, and its class name
// for messages.
type Bytes struct {
	Class string
	Data  []byte
}

// Tensor is a row-major tensor; len(Data) is the product of Shape.
type Tensor struct {
	Shape []int
	Data  []float32
}

// MaxElements bounds every tensor an op accepts or returns (512 MiB of
// float32), so that no argument makes the engine allocate without bound.
const MaxElements = 1 << 27

// MaxBytes bounds the Uint8Array and Uint8ClampedArray arguments copied
// into the engine (weight files, image pixels): 1 GiB.
const MaxBytes = 1 << 30

// checkFLOPs refuses an op call whose work, flops (computed in float64 so
// that no product of sizes overflows), exceeds what one example of a
// network may take (model.DefaultLimits.FLOPs): one call is priced like one
// example, before it runs.
func checkFLOPs(op string, flops float64) error {
	limit := model.DefaultLimits.FLOPs
	if flops <= float64(limit) {
		return nil
	}
	return errors.New(op + ": needs " + strconv.FormatFloat(flops, 'g', 3, 64) + " floating-point operations, more than the " +
		strconv.FormatInt(limit, 10) + " one call may take: use a smaller x or filter, or a model (fm.loadModel)")
}

// maxInt bounds the integer arguments (strides, sizes, paddings): large enough
// for any image, small enough that products of a few of them fit an int.
const maxInt = 1 << 24

// errorf returns the error op + ": " + format with each %s replaced by the
// next argument (a string) and each %d by the next (an int), in order: the
// two verbs the messages here need, without linking fmt.
func errorf(op, format string, a ...any) error {
	b := append([]byte(op), ": "...)
	for i := 0; i < len(format); i++ {
		if format[i] != '%' || i+1 == len(format) || len(a) == 0 {
			b = append(b, format[i])
			continue
		}
		switch v := a[0].(type) {
		case string:
			b = append(b, v...)
		case int:
			b = strconv.AppendInt(b, int64(v), 10)
		default:
			b = append(b, "%!(BAD ARG)"...)
		}
		a = a[1:]
		i++ // the verb
	}
	return errors.New(string(b))
}

// arg returns args[i], or nil (undefined) when the caller passed fewer.
func arg(args []any, i int) any {
	if i < len(args) {
		return args[i]
	}
	return nil
}

// Describe renders v the way JavaScript source would write it, shortened.
func Describe(v any) string {
	switch v := v.(type) {
	case nil:
		return "undefined"
	case bool:
		return strconv.FormatBool(v)
	case float64:
		switch {
		case math.IsNaN(v):
			return "NaN"
		case math.IsInf(v, 1):
			return "Infinity"
		case math.IsInf(v, -1):
			return "-Infinity"
		case v == math.Trunc(v) && math.Abs(v) < 1e21:
			return strconv.FormatFloat(v, 'f', -1, 64)
		}
		return strconv.FormatFloat(v, 'g', -1, 64)
	case string:
		if len(v) > 40 {
			v = v[:40] + "…"
		}
		return "'" + v + "'"
	case []float32:
		return "Float32Array(" + strconv.Itoa(len(v)) + ")"
	case []any:
		const show = 8
		parts := make([]string, 0, min(len(v), show+1))
		for i, e := range v {
			if i == show {
				parts = append(parts, "…")
				break
			}
			parts = append(parts, Describe(e))
		}
		return "[" + msg.Join(parts, ", ") + "]"
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		msg.Sort(keys)
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = k + ": " + Describe(v[k])
		}
		return "{" + msg.Join(parts, ", ") + "}"
	case Bytes:
		return v.Class + "(" + strconv.Itoa(len(v.Data)) + ")"
	case Foreign:
		return string(v)
	}
	return "(a Go value of no JavaScript kind)"
}

// FormatInts renders a shape as "[1, 4, 4, 3]".
func FormatInts(s []int) string {
	parts := make([]string, len(s))
	for i, v := range s {
		parts[i] = strconv.Itoa(v)
	}
	return "[" + msg.Join(parts, ", ") + "]"
}

// IntIn reports v as an int when it is an integral number in [lo, maxInt].
func IntIn(v any, lo int) (int, bool) {
	f, ok := v.(float64)
	if !ok || f != math.Trunc(f) || f < float64(lo) || f > maxInt {
		return 0, false
	}
	return int(f), true
}

// ParseTensor parses the Tensor argument called name. Properties other than shape
// and data are ignored. The product of the shape is at most MaxElements.
func ParseTensor(op, name string, v any) (Tensor, error) {
	m, ok := v.(map[string]any)
	if !ok {
		return Tensor{}, errorf(op, "%s must be a tensor { shape, data: Float32Array }, got %s", name, Describe(v))
	}
	dims, ok := m["shape"].([]any)
	if !ok {
		return Tensor{}, errorf(op, "%s.shape must be an array of positive integers, got %s", name, Describe(m["shape"]))
	}
	t := Tensor{Shape: make([]int, len(dims))}
	size := 1
	for i, d := range dims {
		n, ok := IntIn(d, 1)
		if !ok {
			return Tensor{}, errorf(op, "%s.shape must be an array of positive integers, got %s", name, Describe(dims))
		}
		t.Shape[i] = n
		if size > MaxElements/n {
			return Tensor{}, errorf(op, "%s.shape %s has more than %d elements", name, Describe(dims), MaxElements)
		}
		size *= n
	}
	if t.Data, ok = m["data"].([]float32); !ok {
		return Tensor{}, errorf(op, "%s.data must be a Float32Array, got %s", name, Describe(m["data"]))
	}
	if len(t.Data) != size {
		return Tensor{}, errorf(op, "%s.data has %d elements but %s.shape %s needs %d", name, len(t.Data), name, FormatInts(t.Shape), size)
	}
	return t, nil
}

// ParseOptions returns the options object v (undefined means {}), rejecting
// properties not in known, so that a misspelt option is not silently ignored.
func ParseOptions(op string, v any, known ...string) (map[string]any, error) {
	if v == nil {
		return map[string]any{}, nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, errorf(op, "options must be an object, got %s", Describe(v))
	}
	for k := range m {
		if !slices.Contains(known, k) {
			return nil, errorf(op, "unknown option '%s' (known: %s)", k, msg.Join(known, ", "))
		}
	}
	return m, nil
}

// pair parses a window size, stride or dilation: n (both dimensions) or
// [h, w] with positive integers; undefined means def. names is "sh, sw" or
// similar, for the message.
func pair(op, name, names string, v any, def [2]int) ([2]int, error) {
	if v == nil {
		return def, nil
	}
	if n, ok := IntIn(v, 1); ok {
		return [2]int{n, n}, nil
	}
	if a, ok := v.([]any); ok && len(a) == 2 {
		h, okH := IntIn(a[0], 1)
		w, okW := IntIn(a[1], 1)
		if okH && okW {
			return [2]int{h, w}, nil
		}
	}
	return def, errorf(op, "%s must be a positive integer or [%s], got %s", name, names, Describe(v))
}

// padSpec is a parsed padding argument: "SAME", or explicit cells ("VALID"
// is explicit zero padding).
type padSpec struct {
	same bool
	pad  [4]int // top, bottom, left, right
	text string // as the caller wrote it, for messages
}

// padding parses 'SAME', 'VALID' or [[top, bottom], [left, right]] with
// non-negative integers; undefined means 'VALID'.
func padding(op string, v any) (padSpec, error) {
	if v == nil {
		return padSpec{text: "'VALID'"}, nil
	}
	if s, ok := v.(string); ok {
		switch s {
		case "VALID":
			return padSpec{text: "'VALID'"}, nil
		case "SAME":
			return padSpec{same: true, text: "'SAME'"}, nil
		}
	}
	if p, ok := explicitPad(v); ok {
		return padSpec{pad: p, text: Describe(v)}, nil
	}
	return padSpec{}, errorf(op, "padding must be 'SAME', 'VALID' or [[top, bottom], [left, right]] with non-negative integers, got %s", Describe(v))
}

func explicitPad(v any) (p [4]int, ok bool) {
	rows, ok := v.([]any)
	if !ok || len(rows) != 2 {
		return p, false
	}
	for i, r := range rows {
		cells, ok := r.([]any)
		if !ok || len(cells) != 2 {
			return p, false
		}
		for j, c := range cells {
			if p[2*i+j], ok = IntIn(c, 0); !ok {
				return p, false
			}
		}
	}
	return p, true
}

// number parses an optional finite number; undefined means def.
func number(op, name string, v any, def float64) (float64, error) {
	if v == nil {
		return def, nil
	}
	f, ok := v.(float64)
	if !ok || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, errorf(op, "%s must be a finite number, got %s", name, Describe(v))
	}
	return f, nil
}

// bias parses an optional bias of n values: a Float32Array or a tensor of
// shape [n]; undefined means none (nil).
func bias(op string, v any, n int) ([]float32, error) {
	switch b := v.(type) {
	case nil:
		return nil, nil
	case []float32:
		if len(b) == n {
			return b, nil
		}
	case map[string]any:
		t, err := ParseTensor(op, "bias", b)
		if err != nil {
			return nil, err
		}
		if len(t.Shape) == 1 && t.Shape[0] == n {
			return t.Data, nil
		}
		return nil, errorf(op, "bias.shape must be [%d] (one per output channel), got %s", n, FormatInts(t.Shape))
	}
	return nil, errorf(op, "bias must be a Float32Array of length %d (one per output channel) or a tensor of shape [%d], got %s", n, n, Describe(v))
}

// checkOut rejects an output larger than MaxElements.
func checkOut(op string, shape []int) error {
	size := 1
	for _, n := range shape {
		if n > 0 && size > MaxElements/n {
			return errorf(op, "output shape %s has more than %d elements", FormatInts(shape), MaxElements)
		}
		size *= n
	}
	return nil
}
