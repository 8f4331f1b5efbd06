package convert

import (
	"strconv"
	"strings"
	"testing"

	"github.com/featuremap/featuremap/model/layers"
	"github.com/featuremap/featuremap/model/onnx"
)

// after returns convModel's Conv followed by the nodes extra, the first
// reading the Conv's output "c" and the last writing "y".
func after(extra ...onnx.Node) *onnx.Model {
	m := convModel("Conv")
	m.Graph.Nodes[0].Outputs[0] = "c"
	m.Graph.Nodes = append(m.Graph.Nodes, extra...)
	return m
}

// scalar is a FLOAT tensor of the values v; boolTensor a one-value BOOL tensor.
func scalar(v ...float32) *onnx.Tensor {
	return &onnx.Tensor{DataType: onnx.Float, Dims: []int64{int64(len(v))}, FloatData: v}
}

func boolTensor(v bool) *onnx.Tensor {
	b := byte(0)
	if v {
		b = 1
	}
	return &onnx.Tensor{DataType: onnx.Bool, RawData: []byte{b}}
}

// constant is a Constant node writing t to out.
func constant(out string, t *onnx.Tensor) onnx.Node {
	return onnx.Node{Name: "k_" + out, OpType: "Constant", Outputs: []string{out}, Attributes: []onnx.Attribute{{Name: "value", Type: onnx.AttrTensor, T: t}}}
}

// TestONNXConstantsAndDropout: a Dropout's ratio and training_mode may come
// from Constant nodes; the ratio reaches the layer, training mode and
// malformed constants are refused naming the node.
func TestONNXConstantsAndDropout(t *testing.T) {
	drop := func(inputs ...string) onnx.Node {
		return onnx.Node{Name: "d1", OpType: "Dropout", Inputs: append([]string{"c"}, inputs...), Outputs: []string{"y"}}
	}
	m := after(constant("r", scalar(0.25)), constant("tm", boolTensor(false)), drop("r", "tm"))
	net, err := FromONNX(m.Marshal())
	if err != nil {
		t.Fatal(err)
	}
	var rate float32 = -1
	for _, l := range net.Arch.Layers {
		if d, ok := l.Op.(*layers.Dropout); ok {
			rate = d.Rate
		}
	}
	if rate != 0.25 {
		t.Errorf("dropout rate %v, want the constant 0.25", rate)
	}
	flat := onnx.Node{Name: "f1", OpType: "Flatten", Inputs: []string{"c"}, Outputs: []string{"f"}}
	for _, c := range []struct {
		m    *onnx.Model
		want string
	}{
		{after(flat, onnx.Node{Name: "s1", OpType: "Softmax", Inputs: []string{"f"}, Outputs: []string{"y"}}),
			`node "s1" (Softmax)`},
		// A second Flatten is a view of the first, still in ONNX's c, h, w order.
		{after(flat, onnx.Node{Name: "f2", OpType: "Flatten", Inputs: []string{"f"}, Outputs: []string{"y"}}),
			`graph output "y" is a flattened [C, H, W] map, whose element order featuremap does not keep`},
		{after(constant("tm", boolTensor(true)), drop("", "tm")), `node "d1" (Dropout): input 2 (training_mode) must be a constant false`},
		{after(constant("r", scalar(0.1, 0.2)), drop("r")), `node "d1" (Dropout): input 1 (ratio) has dims [2], want a scalar`},
		{after(onnx.Node{Name: "k", OpType: "Constant", Outputs: []string{"r"}, Attributes: []onnx.Attribute{{Name: "value_float", Type: onnx.AttrFloat, F: 1}}}, drop("r")),
			`node "k" (Constant): attribute "value_float" is not supported`},
		{after(onnx.Node{Name: "k", OpType: "Constant", Outputs: []string{"r"}}, drop("r")),
			`node "k" (Constant): attribute "value" must be a TENSOR`},
		{after(onnx.Node{Name: "b1", OpType: "BatchNormalization", Inputs: []string{"c", "w", "w", "w", "w"}, Outputs: []string{"y"}, Attributes: []onnx.Attribute{intAttr("training_mode", 1)}}),
			`node "b1" (BatchNormalization): attribute "training_mode" = 1: only inference (0) is supported`},
		{after(onnx.Node{Name: "f1", OpType: "Flatten", Inputs: []string{"c"}, Outputs: []string{"y"}, Attributes: []onnx.Attribute{intAttr("axis", 2)}}),
			`node "f1" (Flatten): attribute "axis" = 2: only 1 (keep the batch axis) is supported`},
		{after(onnx.Node{Name: "f1", OpType: "Flatten", Inputs: []string{"c"}, Outputs: []string{"f"}},
			onnx.Node{Name: "g1", OpType: "Gemm", Inputs: []string{"f", "w"}, Outputs: []string{"y"}, Attributes: []onnx.Attribute{intAttr("transA", 1)}}),
			`node "g1" (Gemm): attribute "transA" = 1: only 0 is supported`},
		{after(onnx.Node{Name: "s1", OpType: "Reshape", Inputs: []string{"c"}, Outputs: []string{"y"}}), `node "s1" (Reshape): input 1 (shape) is missing`},
		{after(onnx.Node{Name: "s1", OpType: "Reshape", Inputs: []string{"c", "c"}, Outputs: []string{"y"}}),
			`node "s1" (Reshape): input 1 (shape) must be an INT64 initializer or Constant, or computed from Shape`},
		{after(constant("sh", &onnx.Tensor{DataType: onnx.Int64, Dims: []int64{2}, Int64Data: []int64{2, 5}}), onnx.Node{Name: "s1", OpType: "Reshape", Inputs: []string{"c", "sh"}, Outputs: []string{"y"}}),
			`node "s1" (Reshape): shape [2 5]: only a reshape to [N, 36] (flattening each example) is supported`},
		{after(onnx.Node{Name: "h1", OpType: "Shape", Inputs: []string{"c"}, Outputs: []string{"y"}, Attributes: []onnx.Attribute{intAttr("start", 1)}}),
			`node "h1" (Shape): attribute "start" is not supported`},
		{after(constant("tm", &onnx.Tensor{DataType: onnx.Bool, Dims: []int64{1}, Int32Data: []int32{1}}), drop("", "tm")),
			`node "d1" (Dropout): input 2 (training_mode) must be a constant false`},
		{after(onnx.Node{Name: "k1", OpType: "Concat", Inputs: []string{"c", "c"}, Outputs: []string{"y"}, Attributes: []onnx.Attribute{intAttr("axis", 2)}}),
			`node "k1" (Concat): attribute "axis" = 2: only the channel (or feature) axis 1 is supported`},
		{after(onnx.Node{Name: "f1", OpType: "Flatten", Inputs: []string{"c"}, Outputs: []string{"f"}},
			onnx.Node{Name: "k1", OpType: "Concat", Inputs: []string{"f", "f"}, Outputs: []string{"y"}}),
			`node "k1" (Concat): input 0 is a flattened [C, H, W] map, whose element order featuremap does not keep`},
		{after(onnx.Node{Name: "f1", OpType: "Flatten", Inputs: []string{"c"}, Outputs: []string{"f"}},
			onnx.Node{Name: "m1", OpType: "MatMul", Inputs: []string{"f", "w"}, Outputs: []string{"y"}}),
			`node "m1" (MatMul): input 1 must be an initializer of dims [36, M], got [4 2 3 3]`},
		{after(onnx.Node{Name: "r1", OpType: "Relu", Inputs: []string{"c"}, Outputs: []string{""}}), `node "r1" (Relu): no output`},
		{after(onnx.Node{Name: "p1", OpType: "MaxPool", Inputs: []string{"c"}, Outputs: []string{"p", "idx"}, Attributes: []onnx.Attribute{ints("kernel_shape", 2, 2)}},
			onnx.Node{Name: "i1", OpType: "Identity", Inputs: []string{"idx"}, Outputs: []string{"y"}}),
			`node "p1" (MaxPool): output 1 "idx" is used; featuremap computes only the first`},
		{after(onnx.Node{Name: "g1", OpType: "Gemm", Inputs: []string{"c", "w"}, Outputs: []string{"y"}}),
			`node "g1" (Gemm): input "c" has shape [3 3 4], want [N, K] (add a Flatten)`},
	} {
		_, err := FromONNX(c.m.Marshal())
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("got %v\nwant an error containing %s", err, c.want)
		}
	}
}

// TestTFJSConfigErrors: Keras options featuremap cannot compute exactly are
// refused naming the layer and the option.
func TestTFJSConfigErrors(t *testing.T) {
	shard := make([]byte, 4*(3*3*1*2+2+2*4+8*2+2))
	for _, c := range []struct{ from, to, want string }{
		{`"axis": -1, "epsilon"`, `"axis": 1, "epsilon"`, `tfjs: layer "bn" (BatchNormalization): config "axis" = [1]: only the channel axis (-1) is supported`},
		{`"kernel_size": [3, 3]`, `"kernel_size": [3, 3, 3]`, `tfjs: layer "c" (Conv2D): config "kernel_size"`},
		{`"padding": "same"`, `"padding": "full"`, `tfjs: layer "c" (Conv2D): config "padding" = "full"`},
		{`"filters": 2, `, `"filters": 2, "data_format": "channels_first", `, `tfjs: layer "c" (Conv2D): config "data_format" = "channels_first"`},
		{`"units": 2, `, `"units": 0, `, `tfjs: layer "d" (Dense): config "units" = 0: want a positive count`},
		{`"pool_size": [2, 2]`, `"pool_size": [0, 2]`, `tfjs: layer "p" (MaxPooling2D): config "pool_size" = [0 2]: want one or two positive sizes`},
		{`"kernel_size": [3, 3]`, `"kernel_size": "3"`, `tfjs: layer "c" (Conv2D)`},
		{`"padding": "same"`, `"padding": "causal"`, `"causal" is for 1-D convolutions`},
		{`{"name": "f", "class_name": "Flatten", "config": {}`, `{"name": "f", "class_name": "Dropout", "config": {"rate": 0.5}`, `tfjs: layer "d" (Dense): input shape [2 2 2]: want a flat [K] input (add a Flatten)`},
	} {
		bad := strings.Replace(tinyTFJS, c.from, c.to, 1)
		if bad == tinyTFJS {
			t.Fatalf("%q is not in the tiny model", c.from)
		}
		_, err := FromTFJS([]byte(bad), func(string) ([]byte, error) { return shard, nil })
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s → %s: got %v\nwant an error containing %s", c.from, c.to, err, c.want)
		}
	}
}

// TestONNXLabels: labels in metadata_props (as ToONNX writes them) are
// read back; a value that is not a list of strings is refused naming the
// entry.
func TestONNXLabels(t *testing.T) {
	labeled := func(v string) *onnx.Model {
		m := convModel("Conv")
		m.Metadata = []onnx.StringEntry{{Key: MetaLabels, Value: v}}
		return m
	}
	// One label per output value: the Conv's 3×3×4 map.
	var names []string
	for i := range 36 {
		names = append(names, `"l`+strconv.Itoa(i)+`"`)
	}
	net, err := FromONNX(labeled("[" + strings.Join(names, ",") + "]").Marshal())
	if err != nil {
		t.Fatal(err)
	}
	if got := net.Arch.Labels; len(got) != 36 || got[0] != "l0" || got[35] != "l35" {
		t.Errorf("labels %q, want l0 … l35", got)
	}
	for v, want := range map[string]string{
		`{"a":1}`:   "want a list of strings, got object",
		`["a", 2]`:  "label 1: want a string, got number",
		`["a", "b"`: "json:",
	} {
		if _, err := FromONNX(labeled(v).Marshal()); err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), MetaLabels) {
			t.Errorf("labels %s: %v, want an error naming %s and containing %q", v, err, MetaLabels, want)
		}
	}
}
