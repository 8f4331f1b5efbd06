package convert

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/featuremap/featuremap/model/onnx"
)

// convModel is a one-Conv ONNX model [1, 2, 5, 5] → Conv 3×3 → output,
// with extra attributes and the op type given.
func convModel(op string, attrs ...onnx.Attribute) *onnx.Model {
	w := make([]float32, 4*2*3*3)
	return &onnx.Model{IRVersion: 8, OpsetImports: []onnx.OpsetID{{Version: 13}}, Graph: &onnx.Graph{
		Name:         "one",
		Nodes:        []onnx.Node{{Name: "c1", OpType: op, Inputs: []string{"x", "w"}, Outputs: []string{"y"}, Attributes: append([]onnx.Attribute{ints("kernel_shape", 3, 3)}, attrs...)}},
		Initializers: []onnx.Tensor{{Name: "w", Dims: []int64{4, 2, 3, 3}, DataType: onnx.Float, FloatData: w}},
		Inputs: []onnx.ValueInfo{{Name: "x", Tensor: &onnx.TensorType{ElemType: onnx.Float, HasShape: true,
			Shape: []onnx.Dim{{Param: "N"}, {Value: 2, HasValue: true}, {Value: 5, HasValue: true}, {Value: 5, HasValue: true}}}}},
		Outputs: []onnx.ValueInfo{{Name: "y"}},
	}}
}

// TestONNXErrors: what FromONNX cannot map exactly fails with the node,
// its op and the attribute.
func TestONNXErrors(t *testing.T) {
	pool := func(op string, attrs ...onnx.Attribute) *onnx.Model {
		m := convModel("Conv")
		m.Graph.Nodes[0].Outputs[0] = "c"
		m.Graph.Nodes = append(m.Graph.Nodes, onnx.Node{Name: "p1", OpType: op, Inputs: []string{"c"}, Outputs: []string{"y"}, Attributes: append([]onnx.Attribute{ints("kernel_shape", 2, 2)}, attrs...)})
		return m
	}
	for _, c := range []struct {
		m    *onnx.Model
		want string
	}{
		{convModel("ConvTranspose"), `node "c1" (ConvTranspose): op ConvTranspose is not supported`},
		{convModel("Conv", onnx.Attribute{Name: "weird", Type: onnx.AttrInt, I: 1}), `node "c1" (Conv): attribute "weird" is not supported`},
		{convModel("Conv", onnx.Attribute{Name: "auto_pad", Type: onnx.AttrString, S: "FULL"}), `node "c1" (Conv): attribute "auto_pad" = "FULL"`},
		{convModel("Conv", ints("pads", 1, 1)), `node "c1" (Conv): attribute "pads" = [1 1]: want 4 values (2-D)`},
		{convModel("Conv", intAttr("group", 3)), `node "c1" (Conv): attribute "group" = 3`},
		{convModel("Conv", onnx.Attribute{Name: "strides", Type: onnx.AttrInt, I: 2}), `node "c1" (Conv): attribute "strides" has type INT, want INTS`},
		{pool("AveragePool", intAttr("count_include_pad", 2)), `node "p1" (AveragePool): attribute "count_include_pad" = 2: want 0 or 1`},
		{pool("AveragePool", intAttr("ceil_mode", 1)), `node "p1" (AveragePool): attribute "ceil_mode" = 1 is not supported for AveragePool`},
		{pool("MaxPool", ints("dilations", 2, 2)), `node "p1" (MaxPool): attribute "dilations" = [2 2]`},
		{pool("MaxPool", intAttr("storage_order", 1)), `node "p1" (MaxPool): attribute "storage_order" = 1`},
		{pool("LRN", intAttr("size", 4)), `node "p1" (LRN): attribute "kernel_shape" is not supported`},
		{pool("Softmax"), `node "p1" (Softmax): attribute "kernel_shape" is not supported`},
	} {
		_, err := FromONNX(c.m.Marshal())
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("got %v\nwant an error containing %s", err, c.want)
		}
	}
	ceil := pool("MaxPool") // 3×3 map, 1×1 windows, stride 2, one row and column of padding after: a third window of padding only
	ceil.Graph.Nodes[1].Attributes = []onnx.Attribute{ints("kernel_shape", 1, 1), ints("strides", 2, 2), ints("pads", 0, 0, 1, 1), intAttr("ceil_mode", 1)}
	if _, err := FromONNX(ceil.Marshal()); err == nil || !strings.Contains(err.Error(), `node "p1" (MaxPool): attribute "ceil_mode" = 1 makes a last window of padding only`) {
		t.Errorf("ceil_mode with a window of padding only: %v", err)
	}
	lrn := pool("LRN")
	lrn.Graph.Nodes[1].Attributes = []onnx.Attribute{intAttr("size", 4)}
	if _, err := FromONNX(lrn.Marshal()); err == nil || !strings.Contains(err.Error(), `node "p1" (LRN): attribute "size" = 4: want an odd window size`) {
		t.Errorf("LRN size 4: %v", err)
	}
	sm := pool("Softmax")
	sm.Graph.Nodes[1].Attributes = []onnx.Attribute{intAttr("axis", -1)}
	if _, err := FromONNX(sm.Marshal()); err == nil || !strings.Contains(err.Error(), `node "p1" (Softmax): attribute "axis" = 3 on a rank-4 input`) {
		t.Errorf("Softmax over W: %v", err)
	}
	old := convModel("Conv")
	old.OpsetImports[0].Version = 7
	if _, err := FromONNX(old.Marshal()); err == nil || !strings.Contains(err.Error(), "opset 7 of the default domain is not supported (want 9 to 21)") {
		t.Errorf("opset 7: %v", err)
	}
}

// FuzzLoad: Load never panics and never hangs on any bytes; the seeds are
// random ONNX models and a weight file's start.
func FuzzLoad(f *testing.F) {
	for i := range 4 {
		m, _, _ := randomONNX(uint64(i))
		f.Add(m.Marshal())
	}
	f.Add(convModel("Conv").Marshal())
	f.Add([]byte("\x10\x00\x00\x00\x00\x00\x00\x00{\"__metadata__\":{}}"))
	f.Fuzz(func(t *testing.T, data []byte) {
		if n, err := Load(data); err == nil && n.NumParams() > len(data) {
			t.Fatalf("%d parameters from %d bytes", n.NumParams(), len(data))
		}
	})
}

// TestLoadMutated: Load and FromTFJS never panic on seeded random byte
// mutations (changed, cut, inserted bytes) of valid models, a
// deterministic complement to FuzzLoad (it found a Relu node without
// outputs that used to panic).
func TestLoadMutated(t *testing.T) {
	var seeds [][]byte
	for i := range 4 {
		m, _, _ := randomONNX(uint64(i))
		seeds = append(seeds, m.Marshal())
	}
	rng := rand.New(rand.NewPCG(1, 2))
	mutate := func(s []byte) []byte {
		s = append([]byte(nil), s...)
		for range 1 + rng.IntN(4) {
			switch i := rng.IntN(len(s)); rng.IntN(3) {
			case 0:
				s[i] = byte(rng.Uint32())
			case 1:
				s = s[:i]
			default:
				s = append(s[:i], append([]byte{byte(rng.Uint32())}, s[i:]...)...)
			}
			if len(s) == 0 {
				return s
			}
		}
		return s
	}
	for i := range 4000 {
		Load(mutate(seeds[i%len(seeds)]))
	}
	shard := make([]byte, 4*(3*3*1*2+2+2*4+8*2+2))
	for range 4000 {
		FromTFJS(mutate([]byte(tinyTFJS)), func(string) ([]byte, error) { return mutate(shard), nil })
	}
}

// tinyTFJS is a functional TF.js model: Conv2D, BatchNormalization,
// MaxPooling2D, Flatten, Dense (weights 3·3·1·2 + 2, 2·4, 8·2 + 2).
const tinyTFJS = `{"format": "layers-model", "modelTopology": {"class_name": "Model", "config": {"name": "tiny", "layers": [
  {"name": "in", "class_name": "InputLayer", "config": {"batch_input_shape": [null, 4, 4, 1]}, "inbound_nodes": []},
  {"name": "c", "class_name": "Conv2D", "config": {"filters": 2, "kernel_size": [3, 3], "padding": "same", "activation": "relu"}, "inbound_nodes": [[["in", 0, 0, {}]]]},
  {"name": "bn", "class_name": "BatchNormalization", "config": {"axis": -1, "epsilon": 0.001}, "inbound_nodes": [[["c", 0, 0, {}]]]},
  {"name": "p", "class_name": "MaxPooling2D", "config": {"pool_size": [2, 2]}, "inbound_nodes": [[["bn", 0, 0, {}]]]},
  {"name": "f", "class_name": "Flatten", "config": {}, "inbound_nodes": [[["p", 0, 0, {}]]]},
  {"name": "d", "class_name": "Dense", "config": {"units": 2, "activation": "softmax"}, "inbound_nodes": [[["f", 0, 0, {}]]]}],
  "input_layers": [["in", 0, 0]], "output_layers": [["d", 0, 0]]}},
  "weightsManifest": [{"paths": ["w.bin"], "weights": [
    {"name": "c/kernel", "shape": [3, 3, 1, 2], "dtype": "float32"}, {"name": "c/bias", "shape": [2], "dtype": "float32"},
    {"name": "bn/gamma", "shape": [2], "dtype": "float32"}, {"name": "bn/beta", "shape": [2], "dtype": "float32"},
    {"name": "bn/moving_mean", "shape": [2], "dtype": "float32"}, {"name": "bn/moving_variance", "shape": [2], "dtype": "float32"},
    {"name": "d/kernel", "shape": [8, 2], "dtype": "float32"}, {"name": "d/bias", "shape": [2], "dtype": "float32"}]}]}`

func TestTinyTFJS(t *testing.T) {
	shard := make([]byte, 4*(3*3*1*2+2+2*4+8*2+2))
	net, err := FromTFJS([]byte(tinyTFJS), func(p string) ([]byte, error) {
		if p != "w.bin" {
			t.Errorf("shard %q, want w.bin", p)
		}
		return shard, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := net.NumParams(); got != 46 {
		t.Errorf("NumParams = %d, want 46", got)
	}
	keras3 := strings.Replace(tinyTFJS, `"batch_input_shape"`, `"batch_shape"`, 1)
	if _, err := FromTFJS([]byte(keras3), func(string) ([]byte, error) { return shard, nil }); err != nil {
		t.Errorf("Keras 3 batch_shape: %v", err)
	}
	bad := strings.Replace(tinyTFJS, `"class_name": "MaxPooling2D"`, `"class_name": "MaxPooling3D"`, 1)
	if _, err := FromTFJS([]byte(bad), func(string) ([]byte, error) { return shard, nil }); err == nil || !strings.Contains(err.Error(), `tfjs: layer "p" (MaxPooling3D): layer class MaxPooling3D is not supported`) {
		t.Errorf("MaxPooling3D: %v", err)
	}
	bad = strings.Replace(tinyTFJS, `"activation": "relu"`, `"activation": "elu"`, 1)
	if _, err := FromTFJS([]byte(bad), func(string) ([]byte, error) { return shard, nil }); err == nil || !strings.Contains(err.Error(), `tfjs: layer "c" (Conv2D): config "activation" = "elu"`) {
		t.Errorf("elu: %v", err)
	}
}
