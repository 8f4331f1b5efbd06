package ops

import (
	"encoding/json"
	"math"
	"slices"
	"strings"
	"testing"
)

// tensorArg is the Go image of { shape, data: new Float32Array(data) }.
func tensorArg(shape []float64, data ...float32) map[string]any {
	s := make([]any, len(shape))
	for i, n := range shape {
		s[i] = n
	}
	return map[string]any{"shape": s, "data": data}
}

// ones is tensorArg filled with ones.
func ones(shape ...float64) map[string]any {
	n := 1
	for _, d := range shape {
		n *= int(d)
	}
	data := make([]float32, n)
	for i := range data {
		data[i] = 1
	}
	return tensorArg(shape, data...)
}

func pairArg(a, b float64) []any { return []any{a, b} }

// Hand-computed examples of the argument handling: defaults, SAME's extra
// cell after, explicit padding, ranks, bias forms.
func TestOps(t *testing.T) {
	tests := []struct {
		name      string
		op        Op
		args      []any
		wantShape []int
		want      []float32
	}{
		{"conv2d 1x1", Conv2D, []any{tensorArg([]float64{1, 1, 2, 1}, 2, 3), tensorArg([]float64{1, 1, 1, 1}, 4)}, []int{1, 1, 2, 1}, []float32{8, 12}},
		// SAME, 1×2 filter over 2 columns: total padding 1, all of it on the right.
		{"conv2d SAME pads after", Conv2D, []any{tensorArg([]float64{1, 2, 1}, 1, 2), tensorArg([]float64{1, 2, 1, 1}, 1, 10), map[string]any{"padding": "SAME"}}, []int{1, 2, 1}, []float32{21, 2}},
		{"conv2d explicit left", Conv2D, []any{tensorArg([]float64{1, 2, 1}, 1, 2), tensorArg([]float64{1, 2, 1, 1}, 1, 10), map[string]any{"padding": []any{pairArg(0, 0), pairArg(1, 0)}}}, []int{1, 2, 1}, []float32{10, 21}},
		{"conv2d bias tensor, strides 2", Conv2D, []any{tensorArg([]float64{1, 3, 1}, 1, 2, 3), tensorArg([]float64{1, 1, 1, 1}, 1), map[string]any{"strides": 2.0, "bias": tensorArg([]float64{1}, 0.5)}}, []int{1, 2, 1}, []float32{1.5, 3.5}},
		{"conv2d groups 2", Conv2D, []any{tensorArg([]float64{1, 1, 2}, 1, 2), tensorArg([]float64{1, 1, 1, 2}, 10, 100), map[string]any{"groups": 2.0}}, []int{1, 1, 2}, []float32{10, 200}},
		{"conv2d dilations", Conv2D, []any{tensorArg([]float64{1, 3, 1}, 1, 2, 3), tensorArg([]float64{1, 2, 1, 1}, 1, 10), map[string]any{"dilations": pairArg(1, 2)}}, []int{1, 1, 1}, []float32{31}},
		// strides default to size.
		{"maxPool", MaxPool, []any{tensorArg([]float64{1, 2, 4, 1}, 1, 2, 3, 4, 5, 6, 7, 8), map[string]any{"size": 2.0}}, []int{1, 1, 2, 1}, []float32{6, 8}},
		// The padding cell is not counted: the second window averages one cell.
		{"avgPool SAME", AvgPool, []any{tensorArg([]float64{1, 3, 1}, 1, 2, 3), map[string]any{"size": pairArg(1, 2), "strides": 2.0, "padding": "SAME"}}, []int{1, 2, 1}, []float32{1.5, 3}},
		{"dense", Dense, []any{tensorArg([]float64{1, 2}, 1, 2), tensorArg([]float64{2, 2}, 1, 2, 3, 4), []float32{10, 20}}, []int{1, 2}, []float32{17, 30}},
		{"relu scalar", Relu, []any{tensorArg(nil, -3)}, []int{}, []float32{0}},
		{"softmax", Softmax, []any{tensorArg([]float64{2, 2}, 0, 0, 1, 1)}, []int{2, 2}, []float32{0.5, 0.5, 0.5, 0.5}},
		// TF defaults r 5, bias 1, alpha 1, beta 0.5: x / sqrt(1 + 1² + 2²).
		{"lrn defaults", LRN, []any{tensorArg([]float64{1, 2}, 1, 2)}, []int{1, 2}, []float32{1 / float32(math.Sqrt(6)), 2 / float32(math.Sqrt(6))}},
		// Rows of [2, 1] and [2, 2] side by side (the last axis by default).
		{"concat last", Concat, []any{[]any{tensorArg([]float64{2, 1}, 1, 2), tensorArg([]float64{2, 2}, 3, 4, 5, 6)}}, []int{2, 3}, []float32{1, 3, 4, 2, 5, 6}},
		{"concat axis 0", Concat, []any{[]any{tensorArg([]float64{1, 2}, 1, 2), tensorArg([]float64{2, 2}, 3, 4, 5, 6)}, map[string]any{"axis": 0.0}}, []int{3, 2}, []float32{1, 2, 3, 4, 5, 6}},
		{"concat axis -2", Concat, []any{[]any{tensorArg([]float64{1, 1, 2}, 1, 2), tensorArg([]float64{1, 1, 2}, 3, 4)}, map[string]any{"axis": -2.0}}, []int{1, 2, 2}, []float32{1, 2, 3, 4}},
	}
	for _, tt := range tests {
		got, err := tt.op(tt.args)
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		if !slices.Equal(got.Shape, tt.wantShape) {
			t.Errorf("%s: shape %v, want %v", tt.name, got.Shape, tt.wantShape)
		}
		for i := range tt.want {
			if i >= len(got.Data) || math.Abs(float64(got.Data[i]-tt.want[i])) > 1e-6 {
				t.Errorf("%s: data %v, want %v", tt.name, got.Data, tt.want)
				break
			}
		}
	}
}

// TestErrors checks whole messages; one ending in … is a prefix.
func TestErrors(t *testing.T) {
	x, f := ones(1, 4, 4, 3), ones(3, 3, 3, 8)
	tests := []struct {
		op   Op
		args []any
		want string
	}{
		{Conv2D, nil, "conv2d: x must be a tensor { shape, data: Float32Array }, got undefined"},
		{Conv2D, []any{Foreign("function")}, "conv2d: x must be a tensor { shape, data: Float32Array }, got function"},
		{Conv2D, []any{x, ones(3, 3, 4, 8)}, "conv2d: filter.shape [3, 3, 4, 8] needs x with 4 channels, got 3 (x.shape [1, 4, 4, 3])"},
		{Conv2D, []any{x, f, map[string]any{"strides": pairArg(0, 1)}}, "conv2d: strides must be a positive integer or [sh, sw], got [0, 1]"},
		{Conv2D, []any{x, f, map[string]any{"strides": 1e300}}, "conv2d: strides must be a positive integer or [sh, sw], got 1e+300"},
		{Conv2D, []any{x, f, map[string]any{"padding": []any{pairArg(0, math.NaN()), pairArg(0, 0)}}}, "conv2d: padding must be 'SAME', 'VALID' or [[top, bottom], [left, right]] with non-negative integers, got [[0, NaN], [0, 0]]"},
		{Conv2D, []any{x, f, map[string]any{"padding": "same"}}, "conv2d: padding must be 'SAME', 'VALID' or [[top, bottom], [left, right]] with non-negative integers, got 'same'"},
		{Conv2D, []any{x, f, map[string]any{"bias": []float32{1}}}, "conv2d: bias must be a Float32Array of length 8 (one per output channel) or a tensor of shape [8], got Float32Array(1)"},
		{Conv2D, []any{x, f, map[string]any{"Strides": 1.0}}, "conv2d: unknown option 'Strides' (known: strides, padding, dilations, groups, bias)"},
		{Conv2D, []any{tensorArg([]float64{2}, 1), f}, "conv2d: x.data has 1 elements but x.shape [2] needs 2"},
		// An own "__proto__" key (JSON.parse makes one) is an unknown option, not a prototype.
		{Conv2D, []any{x, f, map[string]any{"__proto__": map[string]any{"strides": 2.0}}}, "conv2d: unknown option '__proto__' (known: strides, padding, dilations, groups, bias)"},
		{LRN, []any{x, map[string]any{"__proto__": map[string]any{"depthRadius": 2.0}}}, "lrn: unknown option '__proto__' (known: depthRadius, bias, alpha, beta)"},
		{Relu, []any{map[string]any{"shape": pairArg(1, 2), "data": Foreign("Float64Array(2)")}}, "relu: x.data must be a Float32Array, got Float64Array(2)"},
		{Conv2D, []any{tensorArg([]float64{1 << 20, 1 << 20}), f}, "conv2d: x.shape [1048576, 1048576] has more than 134217728 elements"},
		{Conv2D, []any{ones(1, 1, 1, 1), ones(1, 1, 1, 1), map[string]any{"padding": []any{pairArg(1<<24, 0), pairArg(1<<24, 0)}}}, "conv2d: output shape [1, 16777217, 16777217, 1] has more than 134217728 elements"},
		// 2 · 2000² · 64·64 = 3.3e10 FLOPs fit; 4000² does not.
		{Conv2D, []any{ones(1, 4000, 4000, 1), ones(64, 64, 1, 1), map[string]any{"padding": "SAME"}}, "conv2d: needs 1.31e+11 floating-point operations, more than the 68719476736 one call may take: use a smaller x or filter, or a model (fm.loadModel)"},
		// 1025² windows of 1024² cells; 8192·512 by 512·16384.
		{MaxPool, []any{ones(1, 2048, 2048, 1), map[string]any{"size": 1024.0, "strides": 1.0}}, "maxPool: needs 1.1e+12 floating-point operations, more than the 68719476736 one call may take: use a smaller x or filter, or a model (fm.loadModel)"},
		{Dense, []any{ones(8192, 512), ones(512, 16384)}, "dense: needs 1.37e+11 floating-point operations, more than the 68719476736 one call may take: use a smaller x or filter, or a model (fm.loadModel)"},
		{MaxPool, []any{x, map[string]any{"size": 2.0, "padding": []any{pairArg(0, 0), pairArg(0, 2)}}}, "maxPool: padding [[0, 0], [0, 2]] must be smaller than size [2, 2] in each dimension (every window needs a real cell)"},
		{AvgPool, []any{x, map[string]any{}}, "avgPool: size is required: a positive integer or [kh, kw]"},
		{Dense, []any{ones(2, 5), ones(4, 3)}, "dense: w.shape [4, 3] needs x with 4 features (x.shape [N, 4]), got x.shape [2, 5]"},
		{Softmax, []any{tensorArg(nil, 1)}, "softmax: x.shape must have at least one axis, got []"},
		{LRN, []any{x, map[string]any{"depthRadius": 2.5}}, "lrn: depthRadius must be a non-negative integer, got 2.5"},
		{LRN, []any{x, map[string]any{"bias": math.Inf(1)}}, "lrn: bias must be a finite number, got Infinity"},
		{Concat, []any{x}, "concat: tensors must be a non-empty array of tensors, got {data: Float32Array(48), shape: [1, 4, 4, 3]}"},
		{Concat, []any{[]any{}}, "concat: tensors must be a non-empty array of tensors, got []"},
		{Concat, []any{[]any{x, 3.0}}, "concat: tensors[1] must be a tensor { shape, data: Float32Array }, got 3"},
		{Concat, []any{[]any{x, ones(1, 4, 3)}}, "concat: tensors[1].shape [1, 4, 3] must have the rank of tensors[0].shape [1, 4, 4, 3]"},
		{Concat, []any{[]any{x, ones(1, 4, 5, 3)}}, "concat: tensors[1].shape [1, 4, 5, 3] must match tensors[0].shape [1, 4, 4, 3] on every axis but axis 3"},
		{Concat, []any{[]any{x, x}, map[string]any{"axis": 4.0}}, "concat: axis must be an integer in [-4, 3] for tensors of rank 4, got 4"},
		{Concat, []any{[]any{x}, map[string]any{"axis": -5.0}}, "concat: axis must be an integer in [-4, 3] for tensors of rank 4, got -5"},
		{Concat, []any{[]any{x}, map[string]any{"dim": 1.0}}, "concat: unknown option 'dim' (known: axis)"},
		{Concat, []any{[]any{tensorArg(nil, 1)}}, "concat: tensors[0].shape must have at least one axis, got []"},
	}
	for _, tt := range tests {
		_, err := tt.op(tt.args)
		if prefix, ok := strings.CutSuffix(tt.want, "…"); ok && err != nil && strings.HasPrefix(err.Error(), prefix) {
			continue
		}
		if err == nil || err.Error() != tt.want {
			t.Errorf("got error %v\nwant        %s", err, tt.want)
		}
	}
}

// FuzzOps feeds every op JSON-decoded arguments (the shapes of JavaScript
// values; "data" fields become Float32Arrays): no panic, and every error
// names its op.
func FuzzOps(f *testing.F) {
	f.Add(`[{"shape":[1,4,4,3],"data":48},{"shape":[3,3,3,8],"data":216},{"padding":"SAME","strides":[2,1]}]`)
	f.Add(`[{"shape":[1,5,5,2],"data":50},{"size":[3,2],"padding":[[1,0],[0,1]]}]`)
	f.Add(`[{"shape":[2,3],"data":6},{"shape":[3,2],"data":6},{"shape":[2],"data":2}]`)
	f.Add(`[{"shape":[2,3],"data":6},{"depthRadius":1,"beta":0.75}]`)
	f.Fuzz(func(t *testing.T, s string) {
		var args []any
		if json.Unmarshal([]byte(s), &args) != nil || len(args) > 4 {
			return
		}
		for i := range args {
			args[i] = withData(args[i], 0)
		}
		for name, op := range Ops {
			if _, err := op(args); err != nil && !strings.HasPrefix(err.Error(), name+": ") {
				t.Errorf("%s: error %q does not start with the op's name", name, err)
			}
		}
	})
}

// withData replaces every "data": n (n ≤ 4096) by a Float32Array of n values.
func withData(v any, depth int) any {
	switch v := v.(type) {
	case map[string]any:
		for k, e := range v {
			if n, ok := e.(float64); ok && k == "data" && n >= 0 && n <= 4096 && n == math.Trunc(n) {
				data := make([]float32, int(n))
				for i := range data {
					data[i] = float32(i%7) - 3
				}
				v[k] = data
			} else if depth < 4 {
				v[k] = withData(e, depth+1)
			}
		}
	case []any:
		for i, e := range v {
			if depth < 4 {
				v[i] = withData(e, depth+1)
			}
		}
	}
	return v
}
