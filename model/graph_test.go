package model

import (
	"encoding/json"
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/featuremap/featuremap/model/layers"
)

// layerCount is the expected parameter count of one layer, written out by
// hand from the layer's definition.
type layerCount struct {
	name            string
	weights, biases int
}

func TestBuiltinParamCounts(t *testing.T) {
	tests := []struct {
		arch   string
		output []int
		counts []layerCount
		total  int
	}{
		{"seednet", []int{10}, []layerCount{
			{"conv1", 3 * 3 * 1 * 64, 64}, // the seed: 576 + 64
			{"fc", 14 * 14 * 64 * 10, 10}, // the seed: 125,440 + 10
		}, 126_090},
		{"alexmnist", []int{10}, []layerCount{
			{"conv1", 5 * 5 * 1 * 48, 48},
			{"conv2", 5 * 5 * (48 / 2) * 128, 128},
			{"conv3", 3 * 3 * 128 * 192, 192},
			{"conv4", 3 * 3 * (192 / 2) * 192, 192},
			{"conv5", 3 * 3 * (192 / 2) * 128, 128},
			{"fc6", 2 * 2 * 128 * 512, 512},
			{"fc7", 512 * 512, 512},
			{"fc8", 512 * 10, 10},
		}, 1_106_794},
		{"alexnet", []int{1000}, []layerCount{
			{"conv1", 11 * 11 * 3 * 96, 96},
			{"conv2", 5 * 5 * (96 / 2) * 256, 256},
			{"conv3", 3 * 3 * 256 * 384, 384},
			{"conv4", 3 * 3 * (384 / 2) * 384, 384},
			{"conv5", 3 * 3 * (384 / 2) * 256, 256},
			{"fc6", 6 * 6 * 256 * 4096, 4096},
			{"fc7", 4096 * 4096, 4096},
			{"fc8", 4096 * 1000, 1000},
		}, 60_965_224},
	}
	for _, tc := range tests {
		t.Run(tc.arch, func(t *testing.T) {
			a, err := Builtin(tc.arch)
			if err != nil {
				t.Fatal(err)
			}
			g, err := a.Graph()
			if err != nil {
				t.Fatal(err)
			}
			s := g.Summary()
			want := map[string]layerCount{}
			sum := 0
			for _, c := range tc.counts {
				want[c.name] = c
				sum += c.weights + c.biases
			}
			if sum != tc.total {
				t.Fatalf("test table: layer counts sum to %d, total says %d", sum, tc.total)
			}
			for _, r := range s.Layers {
				c := want[r.Name] // zero for layers without parameters
				if r.Weights != c.weights || r.Biases != c.biases || r.Params != c.weights+c.biases {
					t.Errorf("layer %s: weights, biases, params = %d, %d, %d, want %d, %d, %d",
						r.Name, r.Weights, r.Biases, r.Params, c.weights, c.biases, c.weights+c.biases)
				}
			}
			if s.TotalParams != tc.total || s.Weights+s.Biases != tc.total {
				t.Errorf("total = %d (weights %d + biases %d), want %d", s.TotalParams, s.Weights, s.Biases, tc.total)
			}
			if out := s.Layers[len(s.Layers)-1].OutputShape; !reflect.DeepEqual(out, tc.output) {
				t.Errorf("output shape %v, want %v", out, tc.output)
			}
			if net, err := New(a); err != nil || net.NumParams() != tc.total {
				t.Errorf("New: %d parameters, %v; want %d", net.NumParams(), err, tc.total)
			}
		})
	}
}

// TestBuiltinShapes checks the spatial sizes design.md states.
func TestBuiltinShapes(t *testing.T) {
	want := map[string]map[string][]int{
		"seednet":   {"conv1": {28, 28, 64}, "pool1": {14, 14, 64}, "flatten": {12544}},
		"alexmnist": {"pool1": {13, 13, 48}, "pool2": {6, 6, 128}, "pool5": {2, 2, 128}},
		// (227-11)/4+1 = 55; (55-3)/2+1 = 27; (27-3)/2+1 = 13; (13-3)/2+1 = 6.
		"alexnet": {"conv1": {55, 55, 96}, "pool1": {27, 27, 96}, "conv2": {27, 27, 256}, "pool2": {13, 13, 256}, "conv5": {13, 13, 256}, "pool5": {6, 6, 256}},
	}
	for arch, layers := range want {
		a, err := Builtin(arch)
		if err != nil {
			t.Fatal(err)
		}
		g, err := a.Graph()
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range g.Nodes {
			if w, ok := layers[n.Layer.Name]; ok && !reflect.DeepEqual(n.Shape, w) {
				t.Errorf("%s %s: shape %v, want %v", arch, n.Layer.Name, n.Shape, w)
			}
		}
	}
}

func TestBuiltinUnknown(t *testing.T) {
	if !reflect.DeepEqual(Builtins(), []string{"alexmnist", "alexnet", "seednet"}) {
		t.Errorf("Builtins() = %v", Builtins())
	}
	for _, name := range Builtins() {
		if a, err := Builtin(name); err != nil || a.Name != name {
			t.Errorf("Builtin(%q) = arch %q, %v", name, a.Name, err)
		}
	}
	if _, err := Builtin("lenet"); err == nil || !strings.Contains(err.Error(), `"lenet"`) {
		t.Errorf("Builtin(lenet) error = %v, want one naming it", err)
	}
}

func TestSummaryString(t *testing.T) {
	a, _ := Builtin("seednet")
	g, err := a.Graph()
	if err != nil {
		t.Fatal(err)
	}
	got := g.Summary().String()
	want := `Model: "seednet", input (None, 28, 28, 1)
Layer (type)       Output shape        Weights  Biases   Params
===============================================================
conv1 (conv2d)     (None, 28, 28, 64)      576      64      640
pool1 (maxpool)    (None, 14, 14, 64)        0       0        0
flatten (flatten)  (None, 12544)             0       0        0
fc (dense)         (None, 10)          125,440      10  125,450
softmax (softmax)  (None, 10)                0       0        0
===============================================================
Total params: 126,090 (weights 126,016, biases 74)
`
	if got != want {
		t.Errorf("summary:\n%s\nwant:\n%s", got, want)
	}
	var b strings.Builder
	if n, err := g.Summary().WriteTo(&b); err != nil || int(n) != len(want) || b.String() != want {
		t.Errorf("WriteTo wrote %d bytes, %v", n, err)
	}
}

func TestThousands(t *testing.T) {
	for v, want := range map[int]string{0: "0", 7: "7", 999: "999", 1000: "1,000", 125440: "125,440", 60965224: "60,965,224"} {
		if got := thousands(v); got != want {
			t.Errorf("thousands(%d) = %q, want %q", v, got, want)
		}
	}
}

// TestArchJSON checks that an Arch survives JSON and omits unset attributes.
func TestArchJSON(t *testing.T) {
	for _, name := range Builtins() {
		a, _ := Builtin(name)
		data, err := json.Marshal(a)
		if err != nil {
			t.Fatal(err)
		}
		var b Arch
		if err := json.Unmarshal(data, &b); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(a, b) {
			t.Errorf("%s: JSON round trip changed the arch:\n%+v\n%+v", name, a, b)
		}
	}
	a, _ := Builtin("seednet")
	data, _ := json.Marshal(a.Layers[1])
	if want := `{"name":"pool1","type":"maxpool","kernel":[2,2],"strides":[2,2],"padding":"VALID"}`; string(data) != want {
		t.Errorf("pool layer JSON = %s, want %s", data, want)
	}
}

// TestPreprocessJSON: encoding/json on the field tags is the oracle for
// Preprocess's own MarshalJSON, and UnmarshalJSON reads it back.
func TestPreprocessJSON(t *testing.T) {
	type tagged Preprocess // the same fields and tags, without the methods
	for _, p := range []Preprocess{{}, {Kind: PreprocessResize}, {Kind: "mnist", Invert: true, Scale: 0.003921569, Mean: []float32{0.5, 1e-7}, Std: []float32{2}, Dataset: "mnist"}} {
		got, err := p.MarshalJSON()
		want, _ := json.Marshal(tagged(p))
		if err != nil || string(got) != string(want) {
			t.Errorf("MarshalJSON = %s, %v; want %s", got, err, want)
		}
		var back Preprocess
		if err := back.UnmarshalJSON(got); err != nil || !reflect.DeepEqual(back, p) {
			t.Errorf("UnmarshalJSON(%s) = %+v, %v", got, back, err)
		}
	}
	if _, err := (Preprocess{Scale: float32(math.NaN())}).MarshalJSON(); err == nil {
		t.Error("NaN scale written")
	}
	var p Preprocess
	if err := p.UnmarshalJSON([]byte(`{"kind":"resize","size":3}`)); err == nil {
		t.Error("unknown field read")
	}
}

func TestGraphErrors(t *testing.T) {
	convL := func(mod func(*layers.Conv2D)) Layer {
		c := &layers.Conv2D{Filters: 4, Window: layers.Window{Kernel: [2]int{3, 3}}}
		mod(c)
		return Layer{Name: "conv2", Op: c}
	}
	relu := func(name string, inputs ...string) Layer {
		return Layer{Name: name, Inputs: inputs, Op: &layers.ReLU{}}
	}
	flatten := Layer{Name: "f", Op: &layers.Flatten{}}
	tests := []struct {
		name   string
		input  [3]int
		layers []Layer
		labels []string
		want   string
	}{
		{"groups", [3]int{8, 8, 3}, []Layer{convL(func(l *layers.Conv2D) { l.Groups = 2 })}, nil,
			`model: layer "conv2": groups 2 must divide input channels 3`},
		{"groups filters", [3]int{8, 8, 4}, []Layer{convL(func(l *layers.Conv2D) { l.Groups = 2; l.Filters = 3 })}, nil,
			`model: layer "conv2": groups 2 must divide filters 3`},
		{"filters", [3]int{8, 8, 3}, []Layer{convL(func(l *layers.Conv2D) { l.Filters = 0 })}, nil,
			`model: layer "conv2": filters must be positive`},
		{"too big", [3]int{2, 2, 3}, []Layer{convL(func(*layers.Conv2D) {})}, nil,
			`model: layer "conv2": kernel: conv2d: output is empty`},
		{"huge dilation", [3]int{8, 8, 3}, []Layer{convL(func(l *layers.Conv2D) { l.Dilations = [2]int{1 << 62, 1} })}, nil,
			`model: layer "conv2": kernel [3 3], strides [0 0] and dilations [4611686018427387904 1] must be in [1, 1073741824]`},
		{"padding", [3]int{8, 8, 3}, []Layer{convL(func(l *layers.Conv2D) { l.Padding = "same" })}, nil,
			`model: layer "conv2": padding must be "VALID", "SAME" or "EXPLICIT", got "same"`},
		{"pads without explicit", [3]int{8, 8, 3}, []Layer{convL(func(l *layers.Conv2D) { l.Pads = [4]int{1, 1, 1, 1} })}, nil,
			`model: layer "conv2": pads [1 1 1 1] need padding "EXPLICIT", got ""`},
		{"activation", [3]int{8, 8, 3}, []Layer{convL(func(l *layers.Conv2D) { l.Activation = "tanh" })}, nil,
			`model: layer "conv2": activation must be "relu" or empty, got "tanh"`},
		{"dense on 3-D", [3]int{8, 8, 3}, []Layer{{Name: "fc", Op: &layers.Dense{Units: 10}}}, nil,
			`model: layer "fc": dense needs a flat input [K], got [8 8 3]: add a flatten layer`},
		{"conv on flat", [3]int{8, 8, 3}, []Layer{flatten, convL(func(*layers.Conv2D) {})}, nil,
			`model: layer "conv2": conv2d needs an input [H W C], got [192]`},
		{"pool padding", [3]int{8, 8, 3}, []Layer{{Name: "p", Op: &layers.MaxPool{Window: layers.Window{Kernel: [2]int{2, 2}, Padding: layers.PadExplicit, Pads: [4]int{2, 0, 0, 0}}}}}, nil,
			`model: layer "p": kernel: maxpool: padding`},
		{"no type", [3]int{8, 8, 3}, []Layer{{Name: "x"}}, nil,
			`model: layer "x": no type`},
		{"unknown input", [3]int{8, 8, 3}, []Layer{relu("r", "conv9")}, nil,
			`model: layer "r": input "conv9" is not an earlier layer`},
		{"two inputs", [3]int{8, 8, 3}, []Layer{relu("r", "input", "input")}, nil,
			`model: layer "r": relu takes one input, got 2`},
		{"duplicate", [3]int{8, 8, 3}, []Layer{relu("r"), relu("r")}, nil,
			`model: layer "r": name used twice`},
		{"reserved", [3]int{8, 8, 3}, []Layer{relu("input")}, nil,
			`model: layer 0: name "input" is empty or reserved`},
		{"concat", [3]int{8, 8, 3}, []Layer{{Name: "p", Op: &layers.MaxPool{Window: layers.Window{Kernel: [2]int{2, 2}, Strides: [2]int{2, 2}}}}, {Name: "c", Inputs: []string{"input", "p"}, Op: &layers.Concat{}}}, nil,
			`model: layer "c": concat inputs must agree on every axis but axis 3, got [8 8 3] and [4 4 3]`},
		{"concat axis", [3]int{8, 8, 3}, []Layer{{Name: "c", Inputs: []string{"input", "input"}, Op: &layers.Concat{Axis: 4}}}, nil,
			`model: layer "c": axis must be in [1, 3] or [-3, -1] for inputs of rank 3 plus the batch, got 4`},
		{"concat rank", [3]int{8, 8, 3}, []Layer{flatten, {Name: "c", Inputs: []string{"input", "f"}, Op: &layers.Concat{}}}, nil,
			`model: layer "c": concat inputs must have the same rank, got [8 8 3] and [192]`},
		{"dropout", [3]int{8, 8, 3}, []Layer{{Name: "d", Op: &layers.Dropout{Rate: 1}}}, nil,
			`model: layer "d": dropout rate must be in [0, 1), got 1`},
		{"lrn", [3]int{8, 8, 3}, []Layer{{Name: "n", Op: &layers.LRN{DepthRadius: 2}}}, nil,
			`model: layer "n": lrn needs bias > 0`},
		{"batchnorm", [3]int{8, 8, 3}, []Layer{{Name: "bn", Op: &layers.BatchNorm{Momentum: 1}}}, nil,
			`model: layer "bn": batchnorm needs epsilon > 0 (finite) and momentum in [0, 1), got 0, 1`},
		{"input", [3]int{0, 8, 3}, []Layer{relu("r")}, nil,
			`model: input shape [H W C] must be positive, got [0 8 3]`},
		{"input too big", [3]int{1 << 20, 1 << 20, 3}, []Layer{relu("r")}, nil,
			`model: input shape [1048576 1048576 3]: shape [1048576 1048576 3] is empty or has more than`},
		{"dense too big", [3]int{1 << 15, 1 << 15, 1}, []Layer{flatten, {Name: "fc", Op: &layers.Dense{Units: 1 << 20}}}, nil,
			`model: layer "fc": shape [1073741824 1048576] is empty or has more than`},
		{"labels", [3]int{8, 8, 3}, []Layer{flatten, {Name: "fc", Op: &layers.Dense{Units: 2}}}, []string{"a", "b", "c"},
			`model: 3 labels for 2 outputs`},
		{"no layers", [3]int{8, 8, 3}, nil, nil, `model: arch "t" has no layers`},
	}
	for _, tc := range []struct {
		p    Preprocess
		want string
	}{
		{Preprocess{Kind: "crop"}, `model: preprocess kind must be "resize", "mnist" or empty, got "crop"`},
		{Preprocess{Scale: -1}, `model: preprocess scale must be finite and ≥ 0, got -1`},
		{Preprocess{Mean: []float32{1, 2}}, `model: preprocess mean [1 2] and std [] need 1 or 3 values`},
		{Preprocess{Std: []float32{1, 0, 1}}, `model: preprocess std [1 0 1] must be finite and non-zero`},
	} {
		a := Arch{Name: "t", Input: [3]int{8, 8, 3}, Layers: []Layer{relu("r")}, Preprocess: tc.p}
		if _, err := a.Graph(); err == nil || err.Error() != tc.want {
			t.Errorf("preprocess %+v: error = %v, want %q", tc.p, err, tc.want)
		}
	}
	for _, tc := range tests {
		a := Arch{Name: "t", Input: tc.input, Layers: tc.layers, Labels: tc.labels}
		_, err := a.Graph()
		if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("%s: error = %v, want prefix %q", tc.name, err, tc.want)
		}
		if _, err2 := New(a); err2 == nil || err2.Error() != err.Error() {
			t.Errorf("%s: New error = %v, want %v", tc.name, err2, err)
		}
	}
}

func TestGraphPadding(t *testing.T) {
	// SAME on 5 with k = 4, s = 2: out = 3, total = (3-1)*2 + 4 - 5 = 3,
	// top 1 and bottom 2 (TensorFlow puts the extra cell after): the output
	// row 0 sees input rows -1…2, so with a filter of ones on a column of
	// ones its three rows hold 3, 4 and 2 (the last window covers rows 3…6,
	// two of them padding).
	a := Arch{Name: "t", Input: [3]int{5, 7, 1}, Layers: []Layer{
		{Name: "c", Op: &layers.Conv2D{Filters: 1, Window: layers.Window{Kernel: [2]int{4, 1}, Strides: [2]int{2, 3}, Padding: layers.PadSame}}},
		{Name: "p", Op: &layers.AvgPool{Window: layers.Window{Kernel: [2]int{2, 2}, Padding: layers.PadExplicit, Pads: [4]int{1, 0, 0, 1}}}},
	}}
	net, err := New(a)
	if err != nil {
		t.Fatal(err)
	}
	g := net.Graph
	// Width: ceil(7/3) = 3.
	if !reflect.DeepEqual(g.Nodes[0].Shape, []int{3, 3, 1}) {
		t.Errorf("conv shape %v, want [3 3 1]", g.Nodes[0].Shape)
	}
	// Explicit: (3+1+0-2)/1+1 = 3, (3+0+1-2)+1 = 3.
	if !reflect.DeepEqual(g.Nodes[1].Shape, []int{3, 3, 1}) {
		t.Errorf("pool shape %v, want [3 3 1]", g.Nodes[1].Shape)
	}
	w := net.LayerParams(0)[0].Data
	for i := range w {
		w[i] = 1
	}
	r, err := NewRunner(net, RunnerOptions{KeepActivations: true})
	if err != nil {
		t.Fatal(err)
	}
	x := make([]float32, 5*7)
	for i := range x {
		x[i] = 1
	}
	if _, err := r.Run(x); err != nil {
		t.Fatal(err)
	}
	if got, want := r.Activations()[0].Data, []float32{3, 3, 3, 4, 4, 4, 2, 2, 2}; !reflect.DeepEqual(got, want) {
		t.Errorf("SAME conv of ones = %v, want %v (top 1, bottom 2)", got, want)
	}
}
