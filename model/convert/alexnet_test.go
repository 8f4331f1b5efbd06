package convert

import (
	"encoding/binary"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"testing"

	"github.com/featuremap/featuremap/model"
	"github.com/featuremap/featuremap/model/onnx"
)

// bvlcAlexNet builds the BVLC AlexNet (Caffe's bvlc_alexnet deploy.prototxt,
// as its ONNX model-zoo export lays it out: Conv with symmetric pads and
// group 2, LRN size 5, MaxPool 3/2, Gemm with transB=1 on the flattened
// 256×6×6 map) with random weights, its channel widths divided by div.
func bvlcAlexNet(div int, seed uint64) *onnx.Model {
	rng := rand.New(rand.NewPCG(seed, 1))
	g := &onnx.Graph{Name: "bvlc_alexnet"}
	cur := "data"
	init := func(name string, dims []int64, scale float32) string {
		n := int64(1)
		for _, d := range dims {
			n *= d
		}
		raw := make([]byte, 4*n)
		for i := range n {
			binary.LittleEndian.PutUint32(raw[4*i:], math.Float32bits((2*rng.Float32()-1)*scale))
		}
		g.Initializers = append(g.Initializers, onnx.Tensor{Name: name, Dims: dims, DataType: onnx.Float, RawData: raw})
		return name
	}
	node := func(op, name string, in []string, attrs ...onnx.Attribute) {
		g.Nodes = append(g.Nodes, onnx.Node{Name: name, OpType: op, Inputs: in, Outputs: []string{name}, Attributes: attrs})
		cur = name
	}
	c := 3
	conv := func(name string, oc, k, s, p, group int) {
		oc /= div
		scale := float32(math.Sqrt(3 / float64(c/group*k*k)))
		node("Conv", name, []string{cur, init(name+"_w", []int64{int64(oc), int64(c / group), int64(k), int64(k)}, scale), init(name+"_b", []int64{int64(oc)}, 0.1)},
			ints("kernel_shape", k, k), ints("strides", s, s), ints("pads", p, p, p, p), intAttr("group", group))
		node("Relu", name+"_relu", []string{cur})
		c = oc
	}
	lrn := func(name string) {
		node("LRN", name, []string{cur}, intAttr("size", 5), floatAttr("alpha", 1e-4), floatAttr("beta", 0.75), floatAttr("bias", 1))
	}
	pool := func(name string) {
		node("MaxPool", name, []string{cur}, ints("kernel_shape", 3, 3), ints("strides", 2, 2), ints("pads", 0, 0, 0, 0))
	}
	fc := func(name string, k, m int, relu bool) {
		node("Gemm", name, []string{cur, init(name+"_w", []int64{int64(m), int64(k)}, float32(math.Sqrt(3/float64(k)))), init(name+"_b", []int64{int64(m)}, 0.1)},
			intAttr("transB", 1), floatAttr("alpha", 1), floatAttr("beta", 1))
		if relu {
			node("Relu", name+"_relu", []string{cur})
			node("Dropout", name+"_drop", []string{cur}, floatAttr("ratio", 0.5))
		}
	}
	conv("conv1", 96, 11, 4, 0, 1)
	lrn("norm1")
	pool("pool1")
	conv("conv2", 256, 5, 1, 2, 2)
	lrn("norm2")
	pool("pool2")
	conv("conv3", 384, 3, 1, 1, 1)
	conv("conv4", 384, 3, 1, 1, 2)
	conv("conv5", 256, 3, 1, 1, 2)
	pool("pool5")
	node("Flatten", "flatten", []string{cur}, intAttr("axis", 1))
	fc("fc6", c*36, 4096/div, true)
	fc("fc7", 4096/div, 4096/div, true)
	fc("fc8", 4096/div, 1000, false)
	node("Softmax", "prob", []string{cur}, intAttr("axis", 1))
	dim := func(v int64) onnx.Dim { return onnx.Dim{Value: v, HasValue: true} }
	g.Inputs = []onnx.ValueInfo{{Name: "data", Tensor: &onnx.TensorType{ElemType: onnx.Float, HasShape: true, Shape: []onnx.Dim{dim(1), dim(3), dim(227), dim(227)}}}}
	g.Outputs = []onnx.ValueInfo{{Name: "prob"}}
	return &onnx.Model{IRVersion: 3, ProducerName: "featuremap test", OpsetImports: []onnx.OpsetID{{Version: 9}}, Graph: g}
}

// TestAlexNet converts the BVLC AlexNet structure (opset 9, full width):
// 60,965,224 parameters, the layers of the built-in alexnet, and the same
// probabilities as ONNX Runtime Web on one random image. With -short
// (make test-race) it checks a quarter-width AlexNet against ORT only.
func TestAlexNet(t *testing.T) {
	needNode(t, "onnxruntime-web")
	if testing.Short() {
		data := bvlcAlexNet(4, 1).Marshal()
		net, err := FromONNX(data)
		if err != nil {
			t.Fatal(err)
		}
		compareAlexNet(t, net, data)
		return
	}
	data := bvlcAlexNet(1, 1).Marshal()
	net, err := FromONNX(data)
	if err != nil {
		t.Fatal(err)
	}
	if got := net.NumParams(); got != 60965224 {
		t.Errorf("NumParams = %d, want 60,965,224", got)
	}
	if got := net.Graph.Summary().TotalParams; got != 60965224 {
		t.Errorf("Summary().TotalParams = %d, want 60,965,224", got)
	}
	builtin, err := model.Builtin("alexnet")
	if err != nil {
		t.Fatal(err)
	}
	bn, err := model.New(builtin)
	if err != nil {
		t.Fatal(err)
	}
	var shapes, want [][]int
	for i := range net.Graph.Nodes {
		if p := net.Graph.Nodes[i].Params; len(p) > 0 {
			shapes = append(shapes, p[0].Shape)
		}
	}
	for i := range bn.Graph.Nodes {
		if p := bn.Graph.Nodes[i].Params; len(p) > 0 {
			want = append(want, p[0].Shape)
		}
	}
	if !slices.EqualFunc(shapes, want, slices.Equal) {
		t.Errorf("weight shapes %v, built-in alexnet %v", shapes, want)
	}
	compareAlexNet(t, net, data)
}

// compareAlexNet runs the AlexNet net converted from data in featuremap
// and in ONNX Runtime Web on one random image.
func compareAlexNet(t *testing.T, net *model.Net, data []byte) {
	x := make([]float32, 3*227*227)
	rng := rand.New(rand.NewPCG(2, 2))
	for i := range x {
		x[i] = 2*rng.Float32() - 1
	}
	ort, dims := runORT(t, [][]byte{data}, [][]float32{x}, [][]int{{1, 3, 227, 227}})
	if !slices.Equal(dims[0], []int{1, 1000}) {
		t.Fatalf("ORT output dims %v", dims[0])
	}
	got := runNet(t, net, nchwToNHWC(x, 1, 3, 227, 227), 1)
	e := relErr(got, ort[0], 1)
	t.Logf("alexnet: relative error %.3g against ORT", e)
	if e > 1e-4 {
		t.Errorf("relative error %.3g > 1e-4", e)
	}
}

// TestExportShipped exports the shipped models to ONNX, runs them in ONNX
// Runtime Web and compares with featuremap on the same random inputs; and
// FromONNX reads the export back as the same architecture and parameters.
func TestExportShipped(t *testing.T) {
	needNode(t, "onnxruntime-web")
	files, _ := filepath.Glob(filepath.Join("..", "..", "site", "models", "*.safetensors"))
	if len(files) == 0 {
		t.Fatal("no site/models/*.safetensors")
	}
	const batch = 8
	var models [][]byte
	var inputs [][]float32
	var dims [][]int
	var nets []*model.Net
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		net, err := Load(b)
		if err != nil {
			t.Fatal(err)
		}
		data, err := ToONNX(net)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		back, err := Load(data)
		if err != nil {
			t.Fatalf("%s: reading the export back: %v", f, err)
		}
		if back.Graph.Summary().String() != net.Graph.Summary().String() || !slices.Equal(back.Arch.Labels, net.Arch.Labels) || !reflect.DeepEqual(back.Arch.Preprocess, net.Arch.Preprocess) {
			t.Errorf("%s: export read back as\n%v\nwant\n%v", f, back.Graph.Summary(), net.Graph.Summary())
		}
		for i, p := range net.Params() {
			want, err := p.Float32s() // int8 weights as the engine computes with them
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(back.Params()[i].Data, want) {
				t.Errorf("%s: parameter %s differs after the round trip", f, p.Name)
			}
		}
		in := net.Graph.Input
		x := make([]float32, batch*in[0]*in[1]*in[2])
		rng := rand.New(rand.NewPCG(3, 3))
		for i := range x {
			x[i] = rng.Float32()
		}
		models, inputs, nets = append(models, data), append(inputs, x), append(nets, net)
		dims = append(dims, []int{batch, in[2], in[0], in[1]})
	}
	ort, _ := runORT(t, models, inputs, dims)
	for i, net := range nets {
		d := dims[i]
		got := runNet(t, net, nchwToNHWC(inputs[i], d[0], d[1], d[2], d[3]), batch)
		e := relErr(got, ort[i], batch)
		t.Logf("%s: relative error %.3g against ORT", files[i], e)
		if e > 1e-4 {
			t.Errorf("%s: relative error %.3g > 1e-4", files[i], e)
		}
	}
}
