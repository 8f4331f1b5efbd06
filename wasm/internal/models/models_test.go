package models

import (
	"bytes"
	"encoding/json"
	"math"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/featuremap/featuremap/model"
	"github.com/featuremap/featuremap/model/layers"
	"github.com/featuremap/featuremap/model/preprocess"
	"github.com/featuremap/featuremap/model/safetensors"
	"github.com/featuremap/featuremap/wasm/internal/ops"
)

// handArch is 2×2×1 → flatten → dense 2 → softmax, with hand-set weights
// (handNet), so predictions can be computed by hand. Images are resized
// (2×2 to 2×2 is the identity) and normalised: x = (v/255 - 0.5) / 0.25.
func handArch() model.Arch {
	return model.Arch{
		Name:  "hand",
		Input: [3]int{2, 2, 1},
		Layers: []model.Layer{
			{Name: "flat", Op: &layers.Flatten{}},
			{Name: "fc", Op: &layers.Dense{Units: 2}},
			{Name: "prob", Op: &layers.Softmax{}},
		},
		Labels:     []string{"dark", "light"},
		Preprocess: model.Preprocess{Kind: model.PreprocessResize, Scale: 1.0 / 255, Mean: []float32{0.5}, Std: []float32{0.25}},
	}
}

var (
	handW = []float32{1, -1, 0.5, 0.25, -2, 0, 0, 1} // [4, 2]
	handB = []float32{0.125, -0.5}
)

// handPredict is handArch's output for x, in float64: softmax(x·W + b).
func handPredict(x []float64) []float64 {
	z := []float64{float64(handB[0]), float64(handB[1])}
	for k, v := range x {
		for m := range z {
			z[m] += v * float64(handW[k*2+m])
		}
	}
	e0, e1 := math.Exp(z[0]), math.Exp(z[1])
	return []float64{e0 / (e0 + e1), e1 / (e0 + e1)}
}

func encode(t testing.TB, net *model.Net, int8 bool) ops.Bytes {
	t.Helper()
	var b bytes.Buffer
	if err := net.Encode(&b, model.EncodeOptions{Int8: int8}); err != nil {
		t.Fatal(err)
	}
	return ops.Bytes{Class: "Uint8Array", Data: b.Bytes()}
}

func handFile(t testing.TB) ops.Bytes {
	t.Helper()
	net, err := model.New(handArch())
	if err != nil {
		t.Fatal(err)
	}
	p := net.LayerParams(1)
	copy(p[0].Data, handW)
	copy(p[1].Data, handB)
	return encode(t, net, false)
}

// seednetFile is the built-in seednet with random weights, stored as int8.
func seednetFile(t testing.TB) ops.Bytes {
	t.Helper()
	return encode(t, seednetRandom(t), true)
}

// seednetRandom is the built-in seednet with random weights (seed 1).
func seednetRandom(t testing.TB) *model.Net {
	t.Helper()
	arch, err := model.Builtin("seednet")
	if err != nil {
		t.Fatal(err)
	}
	net, err := model.New(arch)
	if err != nil {
		t.Fatal(err)
	}
	net.InitRandom(1)
	return net
}

// load loads file into tab and returns its handle.
func load(t testing.TB, tab *Table, file ops.Bytes) float64 {
	t.Helper()
	info, err := tab.Load([]any{file})
	if err != nil {
		t.Fatal(err)
	}
	return float64(info.(map[string]any)["handle"].(int))
}

func probsOf(t testing.TB, res any) []float32 {
	t.Helper()
	return res.(map[string]any)["probs"].([]float32)
}

func TestLoadInfo(t *testing.T) {
	tab := NewTable()
	load(t, tab, handFile(t))
	info, err := tab.Load([]any{seednetFile(t)})
	if err != nil {
		t.Fatal(err)
	}
	m := info.(map[string]any)
	if m["handle"] != 2 || m["name"] != "seednet" || !slices.Equal(m["inputShape"].([]int), []int{28, 28, 1}) ||
		!slices.Equal(m["labels"].([]string), []string{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"}) {
		t.Errorf("info = %v", m)
	}
	// The summary is model.Summary's JSON form: the seed's counts (design.md).
	s := m["summary"].(map[string]any)
	rows := s["layers"].([]any)
	conv := rows[0].(map[string]any)
	var dense map[string]any
	for _, l := range rows {
		if l.(map[string]any)["type"] == layers.TypeDense {
			dense = l.(map[string]any)
		}
	}
	for _, c := range []struct {
		what      string
		got, want any
	}{
		{"totalParams", s["totalParams"], 126090.0},
		{"conv weights", conv["weights"], 576.0},
		{"conv biases", conv["biases"], 64.0},
		{"conv outputShape", conv["outputShape"], []any{28.0, 28.0, 64.0}},
		{"dense weights", dense["weights"], 125440.0},
		{"dense biases", dense["biases"], 10.0},
	} {
		if !reflect.DeepEqual(c.got, c.want) {
			t.Errorf("summary %s = %v, want %v", c.what, c.got, c.want)
		}
	}
}

// gray2x2 is an RGBA image of four opaque gray pixels.
func gray2x2(v ...byte) map[string]any {
	pix := make([]byte, 0, 16)
	for _, g := range v {
		pix = append(pix, g, g, g, 255)
	}
	return map[string]any{"width": 2.0, "height": 2.0, "data": ops.Bytes{Class: "Uint8ClampedArray", Data: pix}}
}

// Every input kind reaches the network as the hand computation says.
func TestPredictHand(t *testing.T) {
	tab := NewTable()
	h := load(t, tab, handFile(t))
	x := []float64{0.5, -1, 2, 0.25}
	x32 := []float32{0.5, -1, 2, 0.25}
	levels := []byte{159, 64, 255, 0}
	pixels := gray2x2(levels...)
	pixX := make([]float64, len(levels))
	for i, v := range levels {
		pixX[i] = (float64(v)/255 - 0.5) / 0.25
	}
	for _, c := range []struct {
		name  string
		input any
		want  []float64
	}{
		{"Float32Array", x32, handPredict(x)},
		{"tensor [H, W, C]", map[string]any{"shape": []any{2.0, 2.0, 1.0}, "data": x32}, handPredict(x)},
		{"tensor [1, H, W, C]", map[string]any{"shape": []any{1.0, 2.0, 2.0, 1.0}, "data": x32}, handPredict(x)},
		{"pixels", pixels, handPredict(pixX)},
	} {
		res, err := tab.Predict([]any{h, c.input})
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		probs := probsOf(t, res)
		for i, p := range probs {
			if math.Abs(float64(p)-c.want[i]) > 1e-6 {
				t.Errorf("%s: probs = %v, want %v", c.name, probs, c.want)
				break
			}
		}
		top := res.(map[string]any)["top"].([]any)
		best := 0
		if c.want[1] > c.want[0] {
			best = 1
		}
		wantTop := map[string]any{"index": best, "label": handArch().Labels[best], "p": float64(probs[best])}
		if len(top) != 2 || !reflect.DeepEqual(top[0], wantTop) || top[1].(map[string]any)["index"] != 1-best {
			t.Errorf("%s: top = %v, want %v first", c.name, top, wantTop)
		}
	}
	res, err := tab.Predict([]any{h, x32, map[string]any{"topK": 1.0}})
	if err != nil {
		t.Fatal(err)
	}
	if top := res.(map[string]any)["top"].([]any); len(top) != 1 {
		t.Errorf("topK 1: top = %v", top)
	}
}

// drawnDigit is a 40×30 RGBA canvas, transparent, with an opaque black
// stroke: a drawn "1" slightly off centre.
func drawnDigit() map[string]any {
	const w, h = 40, 30
	pix := make([]byte, w*h*4)
	for y := 5; y < 25; y++ {
		for x := 14; x < 18; x++ {
			pix[(y*w+x)*4+3] = 255
		}
	}
	return map[string]any{"width": float64(w), "height": float64(h), "data": ops.Bytes{Class: "Uint8ClampedArray", Data: pix}}
}

// An MNIST model preprocesses pixels with preprocess.InputPixels; the
// activations are the preprocessed input (what the network sees) and
// every layer's output, with the summary's shapes, and end with predict's
// probabilities; the runners are made once.
func TestSeednet(t *testing.T) {
	tab := NewTable()
	h := load(t, tab, seednetFile(t))
	digit := drawnDigit()
	in := make([]float32, 784)
	px := digit["data"].(ops.Bytes).Data
	if err := preprocess.InputPixels(in, px, 40, 30, 4, preprocess.Spec{Kind: preprocess.KindMNIST, H: 28, W: 28, C: 1, Norm: preprocess.Norm{Scale: 1.0 / 255}}); err != nil {
		t.Fatal(err)
	}
	fromPixels, err := tab.Predict([]any{h, digit})
	if err != nil {
		t.Fatal(err)
	}
	want := slices.Clone(probsOf(t, fromPixels))
	fromTensor, err := tab.Predict([]any{h, in})
	if err != nil {
		t.Fatal(err)
	}
	if got := probsOf(t, fromTensor); !slices.Equal(got, want) {
		t.Errorf("pixels gave %v, their preprocessed Float32Array %v", want, got)
	}

	acts, err := tab.Activations([]any{h, digit})
	if err != nil {
		t.Fatal(err)
	}
	e := tab.models[int(h)-1]
	sum := e.net.Graph.Summary()
	list := acts.([]any)
	if len(list) != 1+len(sum.Layers) {
		t.Fatalf("%d activations, want the input and %d layers", len(list), len(sum.Layers))
	}
	if a := list[0].(map[string]any); a["name"] != "input" || a["type"] != "input" || !slices.Equal(a["shape"].([]int), []int{1, 28, 28, 1}) || !slices.Equal(a["data"].([]float32), in) {
		t.Errorf("activation 0 = %s %s %v, want input input [1 28 28 1] holding the preprocessed image", a["name"], a["type"], a["shape"])
	}
	for i, a := range list[1:] {
		a := a.(map[string]any)
		row := sum.Layers[i]
		shape := a["shape"].([]int)
		if a["name"] != row.Name || a["type"] != row.Type || !slices.Equal(shape, append([]int{1}, row.OutputShape...)) || len(a["data"].([]float32)) != numElems(shape) {
			t.Errorf("activation %d = %s %s %v (%d values), want %s %s [1 %v]", i, a["name"], a["type"], shape, len(a["data"].([]float32)), row.Name, row.Type, row.OutputShape)
		}
	}
	if last := list[len(list)-1].(map[string]any)["data"].([]float32); !slices.Equal(last, want) {
		t.Errorf("last activation %v, want predict's %v", last, want)
	}

	run, keep := e.run, e.keep
	if _, err := tab.Predict([]any{h, digit}); err != nil {
		t.Fatal(err)
	}
	if _, err := tab.Activations([]any{h, in}); err != nil {
		t.Fatal(err)
	}
	if e.run != run || e.keep != keep {
		t.Errorf("a second call made new runners")
	}
	// Preprocessing and running an image reuse the model's buffers.
	allocs := testing.AllocsPerRun(10, func() {
		x, _, err := e.input("predict", digit)
		if err == nil {
			_, err = e.run.Run(x)
		}
		if err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 && !raceEnabled {
		t.Errorf("pixels → probabilities: %v allocations per run, want 0", allocs)
	}
}

// weights returns the layer's weight and bias tensors from Table.Weights.
func weights(t *testing.T, tab *Table, h float64, layer string) (w, b ops.Tensor) {
	t.Helper()
	res, err := tab.Weights([]any{h, layer})
	if err != nil {
		t.Fatal(err)
	}
	m := res.(map[string]any)
	return m["weight"].(ops.Tensor), m["bias"].(ops.Tensor)
}

// Weights gives the parameters the Net was made with: exactly from a
// float32 file; from an int8 file, within half a quantisation step of its
// output channel (scale = max|w| / 127, symmetric per-channel int8).
func TestWeights(t *testing.T) {
	net := seednetRandom(t)
	for i, b := range net.Params() {
		if i%2 == 1 { // the biases are zero after InitRandom: make them differ
			for j := range b.Data {
				b.Data[j] = float32(j)/8 - 1
			}
		}
	}
	tab := NewTable()
	exact := load(t, tab, encode(t, net, false))
	quant := load(t, tab, encode(t, net, true))
	for _, c := range []struct {
		layer       string
		index       int // in net.Graph.Nodes
		weightShape []int
	}{
		{"conv1", 0, []int{3, 3, 1, 64}},
		{"fc", 3, []int{12544, 10}},
	} {
		want, wantB := net.LayerParams(c.index)[0], net.LayerParams(c.index)[1]
		if name := net.Graph.Nodes[c.index].Layer.Name; name != c.layer {
			t.Fatalf("layer %d is %s, want %s", c.index, name, c.layer)
		}
		w, b := weights(t, tab, exact, c.layer)
		oc := c.weightShape[len(c.weightShape)-1]
		if !slices.Equal(w.Shape, c.weightShape) || !slices.Equal(b.Shape, []int{oc}) {
			t.Errorf("%s: shapes %v and %v, want %v and [%d]", c.layer, w.Shape, b.Shape, c.weightShape, oc)
		}
		if !slices.Equal(w.Data, want.Data) || !slices.Equal(b.Data, wantB.Data) {
			t.Errorf("%s: float32 file: weights differ from the Net's", c.layer)
		}

		w, b = weights(t, tab, quant, c.layer)
		if !slices.Equal(w.Shape, c.weightShape) || !slices.Equal(b.Data, wantB.Data) {
			t.Errorf("%s: int8 file: weight shape %v, bias %v; want %v and the Net's bias", c.layer, w.Shape, b.Data, c.weightShape)
		}
		maxAbs := make([]float64, oc)
		for j, v := range want.Data {
			maxAbs[j%oc] = max(maxAbs[j%oc], math.Abs(float64(v)))
		}
		exactCount := 0
		for j, v := range w.Data {
			step := maxAbs[j%oc] / 127
			if d := math.Abs(float64(v) - float64(want.Data[j])); d > step/2*(1+1e-5) {
				t.Fatalf("%s: int8 file: weight %d = %v, want %v ± %v", c.layer, j, v, want.Data[j], step/2)
			}
			if v == want.Data[j] {
				exactCount++
			}
		}
		if exactCount == len(w.Data) {
			t.Errorf("%s: int8 file: every weight is exact; were they quantised?", c.layer)
		}
	}
}

func numElems(s []int) int {
	n := 1
	for _, d := range s {
		n *= d
	}
	return n
}

// TestErrors checks whole messages; one ending in … is a prefix. After each
// error, the table keeps working.
func TestErrors(t *testing.T) {
	tab := NewTable()
	file := seednetFile(t)
	h := load(t, tab, file)
	gone := load(t, tab, file)
	if _, err := tab.Dispose([]any{gone}); err != nil {
		t.Fatal(err)
	}
	if _, err := tab.Dispose([]any{gone}); err != nil {
		t.Errorf("disposing twice: %v", err)
	}
	x := make([]float32, 784)
	png := ops.Bytes{Class: "Uint8Array", Data: []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")}
	hlen := int(file.Data[0]) | int(file.Data[1])<<8
	wrongVersion := bytes.Replace(file.Data, []byte(model.FormatVersion), []byte("featuremap/9"), 1)
	noShape := bytes.Replace(file.Data, []byte(`"shape"`), []byte(`"shapf"`), 1)
	tests := []struct {
		fn   Func
		args []any
		want string
	}{
		{tab.Load, nil, "loadModel: bytes must be a Uint8Array or ArrayBuffer holding a weight file, got undefined"},
		{tab.Load, []any{"model.safetensors"}, "loadModel: bytes must be a Uint8Array or ArrayBuffer holding a weight file, got 'model.safetensors'"},
		{tab.Load, []any{ops.Bytes{Class: "Uint8Array", Data: file.Data[:len(file.Data)-1]}}, "loadModel: cannot load the weight file (" + itoa(len(file.Data)-1) + " bytes): model: safetensors: …"},
		{tab.Load, []any{ops.Bytes{Class: "Uint8Array", Data: file.Data[:100]}}, "loadModel: cannot load the weight file (100 bytes): model: safetensors: header length " + itoa(hlen) + " exceeds the 92 bytes after it (file truncated?)"},
		{tab.Load, []any{ops.Bytes{Class: "Buffer", Data: wrongVersion}}, "loadModel: cannot load the weight file (" + itoa(len(file.Data)) + ` bytes): model: __metadata__["format"] = "featuremap/9", want "featuremap/1"`},
		{tab.Load, []any{ops.Bytes{Class: "Buffer", Data: noShape}}, "loadModel: cannot load the weight file (" + itoa(len(file.Data)) + ` bytes): model: safetensors: tensor "conv1.bias": unknown field "shapf", want dtype, shape and data_offsets`},
		{tab.Load, []any{png}, `loadModel: cannot load the weight file (16 bytes): model: safetensors: this is not a weight file (it starts with "\x89PNG\r\n\x1a\n", like a PNG image)`},
		{tab.Predict, []any{gone, x}, "predict: model is disposed (load it again to use it)"},
		{tab.Activations, []any{gone, x}, "activations: model is disposed (load it again to use it)"},
		{tab.Predict, []any{99.0, x}, "predict: no model has handle 99"},
		{tab.Predict, []any{"1", x}, "predict: handle must be a positive integer, got '1'"},
		{tab.Dispose, []any{0.0}, "dispose: handle must be a positive integer, got 0"},
		{tab.Dispose, []any{7.0}, "dispose: no model has handle 7"},
		{tab.Predict, []any{h, x[:783]}, "predict: input is a Float32Array of 783 values, want 784 (inputShape [28, 28, 1])"},
		{tab.Activations, []any{h, nil}, "activations: input must be a tensor { shape, data: Float32Array }, a Float32Array of 784 values or an image, got undefined"},
		{tab.Predict, []any{h, ops.Foreign("HTMLVideoElement with 0 properties")}, "predict: input must be a tensor { shape, data: Float32Array }, a Float32Array of 784 values or an image, got HTMLVideoElement with 0 properties"},
		{tab.Predict, []any{h, map[string]any{"shape": []any{28.0, 28.0}, "data": x}}, "predict: input.shape must be [28, 28, 1] or [1, 28, 28, 1] (one example), got [28, 28]"},
		{tab.Predict, []any{h, map[string]any{"shape": []any{2.0, 28.0, 28.0, 1.0}, "data": x}}, "predict: input.data has 784 elements but input.shape [2, 28, 28, 1] needs 1568"},
		{tab.Predict, []any{h, map[string]any{"width": 2.0, "height": -1.0, "data": png}}, "predict: input.width and input.height must be positive integers, got 2 and -1"},
		{tab.Predict, []any{h, map[string]any{"width": 2.0, "height": 2.0, "data": []float32{1}}}, "predict: input.data must be a Uint8ClampedArray of RGBA pixels, got Float32Array(1)"},
		{tab.Predict, []any{h, map[string]any{"width": 3.0, "height": 2.0, "data": png}}, "predict: input.data has 16 bytes, but 3×2 RGBA pixels need 24"},
		{tab.Predict, []any{h, x, map[string]any{"topK": 0.0}}, "predict: topK must be a positive integer, got 0"},
		{tab.Predict, []any{h, x, map[string]any{"k": 3.0}}, "predict: unknown option 'k' (known: topK)"},
		{tab.Weights, []any{h, "pool1"}, `weights: layer "pool1" (maxpool) has no weights; layers with weights: conv1, fc`},
		{tab.Weights, []any{h, "conv2"}, `weights: the model has no layer "conv2"; layers with weights: conv1, fc`},
		{tab.Weights, []any{h, 0.0}, "weights: layerName must be a string, got 0"},
		{tab.Weights, []any{h}, "weights: layerName must be a string, got undefined"},
		{tab.Weights, []any{gone, "conv1"}, "weights: model is disposed (load it again to use it)"},
	}
	for _, tt := range tests {
		_, err := tt.fn(tt.args)
		prefix, isPrefix := strings.CutSuffix(tt.want, "…")
		switch {
		case err == nil:
			t.Errorf("no error, want %s", tt.want)
		case isPrefix && !strings.HasPrefix(err.Error(), prefix), !isPrefix && err.Error() != tt.want:
			t.Errorf("got error %v\nwant        %s", err, tt.want)
		}
		if _, err := tab.Predict([]any{h, x}); err != nil {
			t.Fatalf("after %q: %v", tt.want, err)
		}
	}
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

// FuzzPredict feeds predict and activations JSON-decoded inputs ("data"
// numbers become Float32Arrays, "pix" numbers Uint8ClampedArrays): no
// panic, and every error names its function.
func FuzzPredict(f *testing.F) {
	f.Add(`{"shape":[28,28,1],"data":784}`)
	f.Add(`{"width":40,"height":30,"pix":4800}`)
	f.Add(`{"width":1,"height":1,"pix":4}`)
	f.Add(`{"shape":[1,28,28,1],"data":783}`)
	tab := NewTable()
	h := load(f, tab, seednetFile(f))
	f.Fuzz(func(t *testing.T, s string) {
		var in any
		if json.Unmarshal([]byte(s), &in) != nil {
			return
		}
		if m, ok := in.(map[string]any); ok {
			for k, v := range m {
				n, ok := v.(float64)
				if !ok || n < 0 || n > 1<<16 || n != math.Trunc(n) {
					continue
				}
				switch k {
				case "data":
					m[k] = make([]float32, int(n))
				case "pix":
					pix := make([]byte, int(n))
					for i := range pix {
						pix[i] = byte(i * 7)
					}
					m["data"] = ops.Bytes{Class: "Uint8ClampedArray", Data: pix}
				}
			}
		}
		for name, fn := range map[string]Func{"predict": tab.Predict, "activations": tab.Activations} {
			if _, err := fn([]any{h, in}); err != nil && !strings.HasPrefix(err.Error(), name+": ") {
				t.Errorf("%s: error %q does not start with the function's name", name, err)
			}
		}
	})
}

// TestBatchNormConcatModel loads a file with batchnorm, concat and flatten
// layers through the table: the summary counts the batch norm's four
// tensors, weights returns them by name, and predict gives the native
// Runner's probabilities.
func TestBatchNormConcatModel(t *testing.T) {
	a := handArch()
	a.Input = [3]int{2, 2, 2}
	a.Preprocess = model.Preprocess{}
	a.Layers = []model.Layer{
		{Name: "bn", Op: &layers.BatchNorm{}},
		{Name: "cat", Inputs: []string{"bn", "input"}, Op: &layers.Concat{}},
		{Name: "flat", Op: &layers.Flatten{}},
		{Name: "fc", Op: &layers.Dense{Units: 2}},
		{Name: "prob", Op: &layers.Softmax{}},
	}
	net, err := model.New(a)
	if err != nil {
		t.Fatal(err)
	}
	net.InitRandom(3)
	for i, p := range net.LayerParams(0) {
		for j := range p.Data {
			p.Data[j] = 0.5 + float32(i+j)/4 // gamma, beta, mean, variance
		}
	}
	tab := NewTable()
	info, err := tab.Load([]any{encode(t, net, true)})
	if err != nil {
		t.Fatal(err)
	}
	h := float64(info.(map[string]any)["handle"].(int))
	bn := info.(map[string]any)["summary"].(map[string]any)["layers"].([]any)[0].(map[string]any)
	if bn["weights"] != 2.0 || bn["biases"] != 2.0 || bn["params"] != 8.0 {
		t.Errorf("batchnorm summary row %v, want 2 weights, 2 biases, 8 params", bn)
	}
	w, err := tab.Weights([]any{h, "bn"})
	if err != nil {
		t.Fatal(err)
	}
	got := w.(map[string]any)
	for k, name := range []string{"gamma", "beta", "mean", "variance"} {
		if p := got[name].(ops.Tensor); !slices.Equal(p.Data, net.LayerParams(0)[k].Data) || !slices.Equal(p.Shape, []int{2}) {
			t.Errorf("weights(bn).%s = %v, want %v", name, p, net.LayerParams(0)[k])
		}
	}
	x := []float32{1, -2, 3, 0.5, -1, 2, 0.25, 4}
	out, err := tab.Predict([]any{h, map[string]any{"shape": []any{2.0, 2.0, 2.0}, "data": x}})
	if err != nil {
		t.Fatal(err)
	}
	r, err := model.NewRunner(net, model.RunnerOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want, err := r.Run(x)
	if err != nil {
		t.Fatal(err)
	}
	// The file's int8 weights differ from net's float32 ones by at most half
	// a quantisation step.
	for i, p := range probsOf(t, out) {
		if math.Abs(float64(p-want[i])) > 0.02 {
			t.Errorf("probs %v, the runner on float32 weights gives %v", probsOf(t, out), want)
		}
	}
}

// hugeInputFile is a weight file of a parameter-free model (one ReLU) whose
// architecture declares an input of h×w×c with resize preprocessing: a few
// hundred bytes that would make predict allocate h·w·c floats for an image.
// It is written directly (model.New would refuse most of these inputs).
func hugeInputFile(t testing.TB, h, w, c int) ops.Bytes {
	t.Helper()
	arch, err := json.Marshal(model.Arch{
		Name:       "huge",
		Input:      [3]int{h, w, c},
		Layers:     []model.Layer{{Name: "r", Op: &layers.ReLU{}}},
		Preprocess: model.Preprocess{Kind: model.PreprocessResize},
	})
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := safetensors.Encode(&b, nil, map[string]string{model.MetaFormat: model.FormatVersion, model.MetaArch: string(arch)}); err != nil {
		t.Fatal(err)
	}
	return ops.Bytes{Class: "Uint8Array", Data: b.Bytes()}
}

// TestHugeImages: images larger than preprocess.MaxPixels, and models whose
// declared input is larger than an image may be preprocessed into, are
// refused with an error naming the limit before anything is allocated;
// the table keeps working.
func TestHugeImages(t *testing.T) {
	tab := NewTable()
	h := load(t, tab, seednetFile(t))
	x := make([]float32, 784)
	want, err := tab.Predict([]any{h, x})
	if err != nil {
		t.Fatal(err)
	}
	pix := ops.Bytes{Class: "Uint8ClampedArray", Data: make([]byte, 4)}
	image := func(w, h float64) map[string]any { return map[string]any{"width": w, "height": h, "data": pix} }
	for _, tc := range []struct {
		name  string
		model ops.Bytes // nil: seednet
		input map[string]any
		want  string
	}{
		{"100000×100000 image", ops.Bytes{}, image(100000, 100000), "predict: the image is 100000×100000 pixels, more than the limit of 67108864"},
		{"16777216×5 image", ops.Bytes{}, image(1<<24, 5), "predict: the image is 16777216×5 pixels, more than the limit of 67108864"},
		{"[32768, 32768, 1] model", hugeInputFile(t, 32768, 32768, 1), image(1, 1), "predict: cannot preprocess an image into the model's input [32768, 32768, 1]: more than the limit of 67108864 pixels or 134217728 values"},
		{"[16384, 16384, 1] model", hugeInputFile(t, 16384, 16384, 1), image(1, 1), "predict: cannot preprocess an image into the model's input [16384, 16384, 1]: more than the limit"},
		{"[8192, 8192, 3] model", hugeInputFile(t, 8192, 8192, 3), image(1, 1), "predict: cannot preprocess an image into the model's input [8192, 8192, 3]: more than the limit"},
		{"[1, 100000000, 1] model", hugeInputFile(t, 1, 100000000, 1), image(1, 1), "predict: cannot preprocess an image into the model's input [1, 100000000, 1]: more than the limit"},
	} {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		handle := h
		if tc.model.Data != nil {
			info, err := tab.Load([]any{tc.model})
			if err != nil { // a load-time budget may refuse it first: also fine
				t.Logf("%s: refused at load: %v", tc.name, err)
				continue
			}
			handle = float64(info.(map[string]any)["handle"].(int))
		}
		_, err := tab.Predict([]any{handle, tc.input})
		runtime.ReadMemStats(&after)
		if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want %q", tc.name, err, tc.want)
		}
		if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 8<<20 {
			t.Errorf("%s: refusing it allocated %d bytes, want < 8 MiB", tc.name, alloc)
		}
		got, err := tab.Predict([]any{h, x})
		if err != nil || !slices.Equal(probsOf(t, got), probsOf(t, want)) {
			t.Fatalf("%s: seednet afterwards: %v, %v", tc.name, got, err)
		}
	}
}
