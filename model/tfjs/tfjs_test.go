package tfjs

import (
	"encoding/json"
	"errors"
	"flag"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "regenerate testdata/fixtures with testdata/tfjs.mjs (needs Node and npm ci)")

var variants = []string{"float32", "uint8", "uint16", "float16"}

// regenerate runs testdata/tfjs.mjs, which writes the fixtures with
// @tensorflow/tfjs.
func regenerate(t *testing.T) {
	if runtime.GOOS == "js" || runtime.GOOS == "wasip1" {
		t.Fatal("-update needs Node: run it natively")
	}
	if _, err := os.Stat(filepath.Join("..", "..", "node_modules", "@tensorflow", "tfjs", "package.json")); err != nil {
		t.Fatal("-update needs node_modules/@tensorflow/tfjs: run npm ci in the repository root")
	}
	dir := filepath.Join("testdata", "fixtures")
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("node", filepath.Join("testdata", "tfjs.mjs"), dir).CombinedOutput()
	if err != nil {
		t.Fatalf("node tfjs.mjs: %v\n%s", err, out)
	}
}

// dirShards returns a shard reader for the files in dir.
func dirShards(dir string) func(string) ([]byte, error) {
	return func(p string) ([]byte, error) { return os.ReadFile(filepath.Join(dir, p)) }
}

type expected struct {
	Weights []struct {
		Name   string
		Shape  []int
		Values []float64
	}
}

// TestFixtures parses the layers models @tensorflow/tfjs saved (float32,
// and quantised to uint8, uint16 and float16) and compares every weight
// with the values tf.io.decodeWeights reads from the same files.
func TestFixtures(t *testing.T) {
	if *update {
		regenerate(t)
	}
	for _, v := range variants {
		dir := filepath.Join("testdata", "fixtures", v)
		modelJSON, err := os.ReadFile(filepath.Join(dir, "model.json"))
		if err != nil {
			t.Fatal(err)
		}
		m, err := Parse(modelJSON, dirShards(dir))
		if err != nil {
			t.Fatalf("%s: %v", v, err)
		}
		var want expected
		b, err := os.ReadFile(filepath.Join(dir, "expected.json"))
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(b, &want); err != nil {
			t.Fatal(err)
		}
		if len(m.Weights) != len(want.Weights) {
			t.Fatalf("%s: %d weights, want %d", v, len(m.Weights), len(want.Weights))
		}
		for i, w := range want.Weights {
			got := m.Weights[i]
			if got.Name != w.Name || !slices.Equal(got.Shape, w.Shape) || len(got.Values) != len(w.Values) {
				t.Fatalf("%s: weight %d is %q %v (%d values), want %q %v (%d)", v, i, got.Name, got.Shape, len(got.Values), w.Name, w.Shape, len(w.Values))
			}
			for j, x := range w.Values {
				if got.Values[j] != float32(x) {
					t.Fatalf("%s: %s[%d] = %v, tfjs reads %v", v, w.Name, j, got.Values[j], float32(x))
				}
			}
		}
		if m.ClassName != "Sequential" || m.Name != "fixture" || m.Format != "layers-model" || !strings.HasPrefix(m.GeneratedBy, "TensorFlow.js tfjs-layers v4.22.0") {
			t.Errorf("%s: model %q %q format %q by %q", v, m.ClassName, m.Name, m.Format, m.GeneratedBy)
		}
		var classes []string
		for _, l := range m.Layers {
			classes = append(classes, l.ClassName+" "+l.Name)
		}
		wantClasses := []string{"Conv2D conv1", "MaxPooling2D pool1", "BatchNormalization bn1", "Conv2D conv2",
			"AveragePooling2D pool2", "Activation act", "Flatten flat", "Dropout drop", "Dense fc"}
		if !slices.Equal(classes, wantClasses) {
			t.Errorf("%s: layers %v, want %v", v, classes, wantClasses)
		}
	}
}

// TestLayerConfig reads config values of the saved layers.
func TestLayerConfig(t *testing.T) {
	dir := filepath.Join("testdata", "fixtures", "float32")
	modelJSON, _ := os.ReadFile(filepath.Join(dir, "model.json"))
	m, err := Parse(modelJSON, dirShards(dir))
	if err != nil {
		t.Fatal(err)
	}
	conv1, conv2, bn, fc := &m.Layers[0], &m.Layers[3], &m.Layers[2], &m.Layers[8]
	check := func(what string, got, want any, err error) {
		t.Helper()
		if err != nil || !equal(got, want) {
			t.Errorf("%s = %v, %v; want %v", what, got, err, want)
		}
	}
	ks, err := conv1.Ints("kernel_size")
	check("conv1 kernel_size", ks, []int{3, 3}, err)
	shape, err := conv1.Ints("batch_input_shape")
	check("conv1 batch_input_shape", shape, []int{-1, 8, 8, 2}, err)
	st, err := conv2.Ints("strides")
	check("conv2 strides", st, []int{1, 2}, err)
	pad, err := conv2.String("padding")
	check("conv2 padding", pad, "valid", err)
	act, err := conv1.String("activation")
	check("conv1 activation", act, "relu", err)
	eps, err := bn.Float("epsilon")
	check("bn1 epsilon", eps, 1e-3, err)
	units, err := fc.Int("units")
	check("fc units", units, 5, err)
	bias, err := fc.Bool("use_bias")
	check("fc use_bias", bias, true, err)
	if !conv1.Has("filters") || conv1.Has("kernel_regularizer") || conv1.Has("absent") {
		t.Error("Has")
	}
	for _, err := range []error{
		func() error { _, err := fc.Ints("activation"); return err }(),
		func() error { _, err := fc.Int("activation"); return err }(),
		func() error { _, err := fc.Float("name"); return err }(),
		func() error { _, err := fc.Bool("units"); return err }(),
		func() error { _, err := fc.String("units"); return err }(),
		func() error { _, err := bn.Ints("epsilon"); return err }(),
	} {
		if err == nil || !strings.HasPrefix(err.Error(), "tfjs: layer ") || !strings.Contains(err.Error(), `: config "`) {
			t.Errorf("config type error: %v", err)
		}
	}
	if w := m.Weight("fc/kernel"); w == nil || !slices.Equal(w.Shape, []int{9, 5}) {
		t.Errorf("fc/kernel = %+v", w)
	}
	if m.Weight("nope") != nil {
		t.Error("Weight of an absent name")
	}
}

func equal(a, b any) bool {
	switch a := a.(type) {
	case []int:
		return slices.Equal(a, b.([]int))
	}
	return a == b
}

// TestFunctional: a functional model's inbound layers and its inputs and
// outputs, in the model_config wrapping tensorflowjs_converter writes.
func TestFunctional(t *testing.T) {
	modelJSON := `{"format":"layers-model","generatedBy":"keras v2.15.0","convertedBy":"TensorFlow.js Converter v4.22.0",
	"modelTopology":{"keras_version":"2.15.0","backend":"tensorflow","model_config":{"class_name":"Functional","config":{"name":"f",
	"layers":[{"class_name":"InputLayer","name":"in","config":{"batch_input_shape":[null,4],"name":"in"},"inbound_nodes":[]},
	{"class_name":"Dense","name":"d","config":{"units":2,"name":"d"},"inbound_nodes":[[["in",0,0,{}]]]},
	{"class_name":"Concatenate","name":"c","config":{"name":"c"},"inbound_nodes":[[["in",0,0,{}],["d",0,0,{}]]]}],
	"input_layers":[["in",0,0]],"output_layers":[["c",0,0]]}}},
	"weightsManifest":[{"paths":["a.bin","b.bin"],"weights":[{"name":"d/kernel","shape":[4,2],"dtype":"float32"},{"name":"d/bias","shape":[2],"dtype":"int32"}]}]}`
	a, b := make([]byte, 20), make([]byte, 20)
	a[0], a[1], a[2], a[3] = 0, 0, 0x80, 0x3f           // 1.0
	b[12], b[13], b[14], b[15] = 0xfe, 0xff, 0xff, 0xff // bias[0] = -2
	m, err := Parse([]byte(modelJSON), func(p string) ([]byte, error) {
		return map[string][]byte{"a.bin": a, "b.bin": b}[p], nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if m.ClassName != "Functional" || m.ConvertedBy != "TensorFlow.js Converter v4.22.0" || !slices.Equal(m.InputLayers, []string{"in"}) || !slices.Equal(m.OutputLayers, []string{"c"}) {
		t.Errorf("model %+v", m)
	}
	if !slices.Equal(m.Layers[2].Inbound, []string{"in", "d"}) || len(m.Layers[0].Inbound) != 0 {
		t.Errorf("inbound: %v, %v", m.Layers[2].Inbound, m.Layers[0].Inbound)
	}
	if k := m.Weight("d/kernel").Values; k[0] != 1 || k[1] != 0 {
		t.Errorf("kernel %v", k)
	}
	if bias := m.Weight("d/bias").Values; !slices.Equal(bias, []float32{-2, 0}) {
		t.Errorf("bias %v", bias)
	}
}

// TestDequantize: hand-worked uint8, uint16 and float16 values.
func TestDequantize(t *testing.T) {
	modelJSON := `{"modelTopology":{"class_name":"Sequential","config":[{"class_name":"Dense","config":{"name":"d"}}]},
	"weightsManifest":[{"paths":["w.bin"],"weights":[
	{"name":"a","shape":[3],"dtype":"float32","quantization":{"dtype":"uint8","scale":0.5,"min":-1}},
	{"name":"b","shape":[2],"dtype":"float32","quantization":{"dtype":"uint16","scale":0.25,"min":10,"original_dtype":"float32"}},
	{"name":"c","shape":[2],"dtype":"float32","quantization":{"dtype":"float16"}},
	{"name":"d","shape":[2],"dtype":"int32","quantization":{"dtype":"uint8","scale":0.5,"min":0}}]}]}`
	w := []byte{0, 2, 255, 1, 0, 0, 1, 0x00, 0x3c, 0x00, 0xc0, 3, 4}
	m, err := Parse([]byte(modelJSON), func(string) ([]byte, error) { return w, nil })
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string][]float32{
		"a": {-1, 0, 126.5},
		"b": {10.25, 74},
		"c": {1, -2},
		"d": {2, 2}, // round(1.5) = 2, round(2) = 2 (Math.round rounds halves up)
	} {
		if got := m.Weight(name).Values; !slices.Equal(got, want) {
			t.Errorf("%s = %v, want %v", name, got, want)
		}
	}
	if m.Layers[0].Name != "d" || m.Layers[0].Inbound != nil {
		t.Errorf("layer %+v", m.Layers[0])
	}
}

// TestErrors: malformed models are refused with an error naming the field.
func TestErrors(t *testing.T) {
	top := `"modelTopology":{"class_name":"Sequential","config":{"layers":[]}}`
	manifest := func(weights string) string {
		return `{` + top + `,"weightsManifest":[{"paths":["w.bin"],"weights":[` + weights + `]}]}`
	}
	lim := Limits{MaxJSONBytes: 4096, MaxLayers: 2, MaxWeights: 2, MaxRank: 3, MaxElements: 100}
	for _, tc := range []struct {
		name, json string
		shard      []byte
		want       string
	}{
		{"not JSON", `{`, nil, "tfjs: model.json: json: offset 1: end of input"},
		{"trailing data", `{}{}`, nil, "after the top-level value"},
		{"graph model", `{"format":"graph-model","weightsManifest":[]}`, nil, "no modelTopology"},
		{"format", `{"format":"graph-model",` + top + `}`, nil, `format "graph-model", want layers-model`},
		{"topology type", `{"modelTopology":[1]}`, nil, "modelTopology: want an object, got array"},
		{"config type", `{"modelTopology":{"config":"x"}}`, nil, "modelTopology.config: want an object or a list of layers, got string"},
		{"layer list type", `{"modelTopology":{"config":[1]}}`, nil, "modelTopology.config.layers[0]: want an object, got number"},
		{"layers", `{"modelTopology":{"config":[{},{},{}]}}`, nil, "3 layers, over the limit of 2"},
		{"shared layer", `{"modelTopology":{"class_name":"Model","config":{"layers":[{"name":"x","inbound_nodes":[[["a",0,0,{}]],[["b",0,0,{}]]]}]}}}`, nil,
			`layer 0 "x": inbound_nodes: tfjs: layer called more than once`},
		{"inbound entry", `{"modelTopology":{"class_name":"Model","config":{"layers":[{"name":"x","inbound_nodes":[[[]]]}]}}}`, nil, "empty entry"},
		{"inbound name", `{"modelTopology":{"class_name":"Model","config":{"layers":[{"name":"x","inbound_nodes":[[[1]]]}]}}}`, nil, "must start with a layer name"},
		{"inbound keras 3", `{"modelTopology":{"class_name":"Functional","config":{"layers":[{"name":"x","inbound_nodes":[{"args":[]}]}]}}}`, nil, "inbound_nodes: tfjs: want a node as an array"},
		{"output layers", `{"modelTopology":{"class_name":"Model","config":{"layers":[],"output_layers":[[]]}}}`, nil, "empty input_layers or output_layers entry"},
		{"output layer entry", `{"modelTopology":{"class_name":"Model","config":{"layers":[],"output_layers":["x"]}}}`, nil, "entries must be arrays, got string"},
		{"inbound entry type", `{"modelTopology":{"class_name":"Model","config":{"layers":[{"name":"x","inbound_nodes":[["a"]]}]}}}`, nil, `layer 0 "x": inbound_nodes: tfjs: entries must be arrays, got string`},
		{"input layers", `{"modelTopology":{"class_name":"Model","config":{"layers":[],"input_layers":[[3]]}}}`, nil, "must start with a layer name"},
		{"dtype", manifest(`{"name":"a","shape":[1],"dtype":"string"}`), nil, `weightsManifest[0].weights[0] "a": dtype "string", want float32 or int32`},
		{"quantization dtype", manifest(`{"name":"a","shape":[1],"dtype":"float32","quantization":{"dtype":"int8"}}`), nil, `quantization dtype "int8"`},
		{"float16 int32", manifest(`{"name":"a","shape":[1],"dtype":"int32","quantization":{"dtype":"float16"}}`), nil, "float16 quantization of an int32 weight"},
		{"no scale", manifest(`{"name":"a","shape":[1],"dtype":"float32","quantization":{"dtype":"uint8","min":0}}`), nil, "uint8 quantization without scale and min"},
		{"rank", manifest(`{"name":"a","shape":[1,1,1,1],"dtype":"float32"}`), nil, "rank 4 over the limit of 3"},
		{"negative dim", manifest(`{"name":"a","shape":[-1],"dtype":"float32"}`), nil, "negative dimension"},
		{"big shape", manifest(`{"name":"a","shape":[1000,1000],"dtype":"float32"}`), nil, "shape over the limit of 100 elements"},
		{"total elements", manifest(`{"name":"a","shape":[60],"dtype":"float32"},{"name":"b","shape":[60],"dtype":"float32"}`), nil, "weights over the limit of 100 elements"},
		{"weights", manifest(`{"name":"a","shape":[1],"dtype":"float32"},{"name":"b","shape":[1],"dtype":"float32"},{"name":"c","shape":[1],"dtype":"float32"}`), nil, "more than 2 weights"},
		{"duplicate", manifest(`{"name":"a","shape":[1],"dtype":"float32"},{"name":"a","shape":[1],"dtype":"float32"}`), nil, `weights[1] "a": name used twice`},
		{"short shard", manifest(`{"name":"a","shape":[2],"dtype":"float32"}`), make([]byte, 7), "hold 7 bytes, its weights need 8"},
		{"long shard", manifest(`{"name":"a","shape":[2],"dtype":"float32"}`), make([]byte, 9), "hold more than the 8 bytes"},
		{"missing shard", manifest(`{"name":"a","shape":[2],"dtype":"float32"}`), nil, `weight file "w.bin": no such file`},
		{"path", `{` + top + `,"weightsManifest":[{"paths":["../secret.bin"],"weights":[]}]}`, nil, `weight path "../secret.bin": want a plain relative path`},
		{"absolute path", `{` + top + `,"weightsManifest":[{"paths":["/etc/passwd"],"weights":[]}]}`, nil, "want a plain relative path"},
		{"shape type", manifest(`{"name":"a","shape":[1.5],"dtype":"float32"}`), nil, "weightsManifest[0].weights[0].shape: want an array of integers"},
		{"duplicate key", `{"format":"layers-model","format":"graph-model",` + top + `}`, nil, `duplicate key "format"`},
		{"quantization scale", manifest(`{"name":"a","shape":[1],"dtype":"float32","quantization":{"dtype":"uint8","scale":"1","min":0}}`), nil, "quantization.scale: want a number, got string"},
		{"json size", strings.Repeat(" ", 5000), nil, "model.json is 5000 bytes, over the limit of 4096"},
	} {
		_, err := lim.Parse([]byte(tc.json), func(string) ([]byte, error) {
			if tc.shard == nil {
				return nil, errors.New("no such file")
			}
			return tc.shard, nil
		})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want %q", tc.name, err, tc.want)
		}
	}
	if err := checkPath("a/./b"); err == nil {
		t.Error("a/./b accepted")
	}
	if err := checkPath("group1-shard1of2.bin"); err != nil {
		t.Error(err)
	}
	nan := weightSpec{name: "n", dtype: "float32", quant: "uint8", scale: math.NaN()}
	if _, err := DefaultLimits.checkSpec(0, 0, &nan); err == nil {
		t.Error("NaN scale accepted")
	}
}
