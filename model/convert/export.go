package convert

import (
	"errors"
	"math"
	"strconv"

	"github.com/featuremap/featuremap/internal/msg"
	"github.com/featuremap/featuremap/internal/tinyjson"
	"github.com/featuremap/featuremap/kernel"
	"github.com/featuremap/featuremap/model"
	"github.com/featuremap/featuremap/model/layers"
	"github.com/featuremap/featuremap/model/onnx"
)

// ExportOpset is the ONNX opset ToONNX writes.
const ExportOpset = 13

// ToONNX writes n as an ONNX model (opset ExportOpset) that ONNX Runtime
// runs: input "input" [N, C, H, W], output "output", every layer one or
// two nodes named after it, weights as float32 initializers "<layer>.weight"
// (OIHW for convolutions, [K, M] for Gemm). Padding is written as explicit
// pads, average pools with their count_include_pad, LRN's alpha multiplied by
// the window size, softmax on a map over the channel axis. The labels and
// preprocessing go into metadata_props (MetaLabels, MetaPreprocess), so
// FromONNX gives back the same Net.
func ToONNX(n *model.Net) ([]byte, error) {
	e := &exporter{n: n, g: &onnx.Graph{Name: n.Arch.Name}, out: make([]string, len(n.Graph.Nodes)), chw: make([][]int, len(n.Graph.Nodes))}
	in := n.Graph.Input
	e.g.Inputs = []onnx.ValueInfo{{Name: model.InputName, Tensor: &onnx.TensorType{ElemType: onnx.Float, HasShape: true,
		Shape: []onnx.Dim{{Param: "N"}, {Value: int64(in[2]), HasValue: true}, {Value: int64(in[0]), HasValue: true}, {Value: int64(in[1]), HasValue: true}}}}}
	for i := range n.Graph.Nodes {
		if err := e.layer(i); err != nil {
			return nil, msg.Wrap("convert: layer "+strconv.Quote(n.Graph.Nodes[i].Layer.Name)+" ("+n.Graph.Nodes[i].Layer.Type()+"): ", err)
		}
	}
	last := len(n.Graph.Nodes) - 1
	if e.chw[last] != nil {
		return nil, errors.New("convert: the output is a flattened map, whose element order ONNX would not keep")
	}
	// The last node's output is the graph's output.
	nodes := e.g.Nodes
	lastOut := e.out[last]
	for i := range nodes {
		for k, o := range nodes[i].Outputs {
			if o == lastOut {
				nodes[i].Outputs[k] = "output"
			}
		}
		for k, o := range nodes[i].Inputs {
			if o == lastOut {
				nodes[i].Inputs[k] = "output"
			}
		}
	}
	shape := []onnx.Dim{{Param: "N"}}
	s := n.Graph.Nodes[last].Shape
	if len(s) == 3 {
		s = []int{s[2], s[0], s[1]}
	}
	for _, d := range s {
		shape = append(shape, onnx.Dim{Value: int64(d), HasValue: true})
	}
	e.g.Outputs = []onnx.ValueInfo{{Name: "output", Tensor: &onnx.TensorType{ElemType: onnx.Float, HasShape: true, Shape: shape}}}
	m := &onnx.Model{IRVersion: 8, ProducerName: "featuremap", OpsetImports: []onnx.OpsetID{{Version: ExportOpset}}, Graph: e.g}
	if len(n.Arch.Labels) > 0 {
		labels := tinyjson.Value{Kind: tinyjson.Array}
		for _, l := range n.Arch.Labels {
			labels.Elems = append(labels.Elems, tinyjson.Value{Kind: tinyjson.String, Str: l})
		}
		b, _ := tinyjson.Append(nil, labels) // strings only: no error
		m.Metadata = append(m.Metadata, onnx.StringEntry{Key: MetaLabels, Value: string(b)})
	}
	b, err := n.Arch.Preprocess.MarshalJSON()
	if err != nil {
		return nil, err
	}
	m.Metadata = append(m.Metadata, onnx.StringEntry{Key: MetaPreprocess, Value: string(b)})
	return m.Marshal(), nil
}

type exporter struct {
	n   *model.Net
	g   *onnx.Graph
	out []string // out[i]: the ONNX value holding layer i's output
	chw [][]int  // chw[i]: layer i's output is a flattened [H, W, C] map, in ONNX's c, h, w order
}

func (e *exporter) input(i, k int) (string, []int) {
	p := e.n.Graph.Nodes[i].Inputs[k]
	if p == model.NetworkInput {
		return model.InputName, nil
	}
	return e.out[p], e.chw[p]
}

func (e *exporter) node(op string, inputs []string, out string, attrs ...onnx.Attribute) {
	e.g.Nodes = append(e.g.Nodes, onnx.Node{Name: out, OpType: op, Inputs: inputs, Outputs: []string{out}, Attributes: attrs})
}

func (e *exporter) init(name string, dims []int, v []float32) string {
	d := make([]int64, len(dims))
	for i, x := range dims {
		d[i] = int64(x)
	}
	raw := make([]byte, 4*len(v))
	for i, x := range v {
		b := math.Float32bits(x)
		raw[4*i], raw[4*i+1], raw[4*i+2], raw[4*i+3] = byte(b), byte(b>>8), byte(b>>16), byte(b>>24)
	}
	e.g.Initializers = append(e.g.Initializers, onnx.Tensor{Name: name, Dims: d, DataType: onnx.Float, RawData: raw})
	return name
}

func ints(name string, v ...int) onnx.Attribute {
	a := onnx.Attribute{Name: name, Type: onnx.AttrInts}
	for _, x := range v {
		a.Ints = append(a.Ints, int64(x))
	}
	return a
}

func intAttr(name string, v int) onnx.Attribute {
	return onnx.Attribute{Name: name, Type: onnx.AttrInt, I: int64(v)}
}

func floatAttr(name string, v float32) onnx.Attribute {
	return onnx.Attribute{Name: name, Type: onnx.AttrFloat, F: v}
}

// pads returns ONNX pads [top, left, bottom, right] for a window over in.
func pads(w layers.Window, in []int, dil [2]int) []int {
	s := [2]int{max(w.Strides[0], 1), max(w.Strides[1], 1)}
	switch w.Padding {
	case layers.PadSame:
		p := kernel.SamePadding2D(in[0], in[1], w.Kernel[0], w.Kernel[1], s[0], s[1], dil[0], dil[1])
		return []int{p.Top, p.Left, p.Bottom, p.Right}
	case layers.PadExplicit:
		return []int{w.Pads[0], w.Pads[2], w.Pads[1], w.Pads[3]}
	}
	return []int{0, 0, 0, 0}
}

func (e *exporter) layer(i int) error {
	nd := &e.n.Graph.Nodes[i]
	name := nd.Layer.Name
	e.out[i] = name
	x, chw := e.input(i, 0)
	var in []int
	if nd.Inputs[0] == model.NetworkInput {
		in = e.n.Graph.Input
	} else {
		in = e.n.Graph.Nodes[nd.Inputs[0]].Shape
	}
	params := e.n.LayerParams(i)
	var wv []float32 // the float32 weight of a conv2d or dense layer (int8 ones dequantised)
	if len(params) > 0 {
		var err error
		if wv, err = params[0].Float32s(); err != nil {
			return err
		}
	}
	// relu appends the fused activation of a conv2d or dense layer: the
	// layer's node keeps its name and the Relu node computes its output.
	relu := func(act string) {
		if act == layers.ActReLU {
			pre := name + "_linear"
			e.g.Nodes[len(e.g.Nodes)-1].Outputs[0] = pre
			e.node("Relu", []string{pre}, name)
			e.g.Nodes[len(e.g.Nodes)-1].Name = name + "_relu"
		}
	}
	switch op := nd.Layer.Op.(type) {
	case *layers.Conv2D:
		w := params[0]
		kh, kw, cg, oc := w.Shape[0], w.Shape[1], w.Shape[2], w.Shape[3]
		oihw := make([]float32, len(wv))
		for o := range oc {
			for c := range cg {
				for a := range kh {
					for b := range kw {
						oihw[((o*cg+c)*kh+a)*kw+b] = wv[((a*kw+b)*cg+c)*oc+o]
					}
				}
			}
		}
		dil := [2]int{max(op.Dilations[0], 1), max(op.Dilations[1], 1)}
		e.node("Conv", []string{x, e.init(params[0].Name, []int{oc, cg, kh, kw}, oihw), e.init(params[1].Name, []int{oc}, params[1].Data)}, name,
			ints("kernel_shape", kh, kw), ints("strides", max(op.Strides[0], 1), max(op.Strides[1], 1)),
			ints("dilations", dil[0], dil[1]), ints("pads", pads(op.Window, in, dil)...), intAttr("group", max(op.Groups, 1)))
		relu(op.Activation)
	case *layers.Dense:
		w := params[0]
		k, m := w.Shape[0], w.Shape[1]
		km := wv
		if chw != nil {
			h, wd, c := chw[0], chw[1], chw[2]
			km = make([]float32, len(wv))
			for ci := range c {
				for a := range h {
					for b := range wd {
						copy(km[((ci*h+a)*wd+b)*m:][:m], wv[((a*wd+b)*c+ci)*m:][:m])
					}
				}
			}
		}
		e.node("Gemm", []string{x, e.init(w.Name, []int{k, m}, km), e.init(params[1].Name, []int{m}, params[1].Data)}, name)
		relu(op.Activation)
	case *layers.MaxPool:
		e.node("MaxPool", []string{x}, name, ints("kernel_shape", op.Kernel[:]...),
			ints("strides", max(op.Strides[0], 1), max(op.Strides[1], 1)), ints("pads", pads(op.Window, in, [2]int{1, 1})...))
	case *layers.AvgPool:
		e.node("AveragePool", []string{x}, name, ints("kernel_shape", op.Kernel[:]...),
			ints("strides", max(op.Strides[0], 1), max(op.Strides[1], 1)), ints("pads", pads(op.Window, in, [2]int{1, 1})...),
			intAttr("count_include_pad", op.CountIncludePad))
	case *layers.LRN:
		size := 2*op.DepthRadius + 1
		e.node("LRN", []string{x}, name, intAttr("size", size), floatAttr("alpha", float32(float64(op.Alpha)*float64(size))),
			floatAttr("beta", op.Beta), floatAttr("bias", op.Bias))
	case *layers.ReLU:
		e.node("Relu", []string{x}, name)
		e.chw[i] = chw
	case *layers.Softmax:
		if chw != nil {
			return errors.New("softmax of a flattened map: ONNX orders its elements differently")
		}
		axis := -1
		if len(in) == 3 {
			axis = 1
		}
		e.node("Softmax", []string{x}, name, intAttr("axis", axis))
	case *layers.Flatten:
		e.node("Flatten", []string{x}, name, intAttr("axis", 1))
		if len(in) == 3 && in[0]*in[1] > 1 && in[2] > 1 {
			e.chw[i] = in
		}
	case *layers.Dropout:
		e.node("Dropout", []string{x, e.init(name+".ratio", nil, []float32{op.Rate})}, name)
		e.chw[i] = chw
	case *layers.BatchNorm:
		if chw != nil {
			return errors.New("batchnorm of a flattened map: ONNX orders its elements differently")
		}
		eps := op.Epsilon
		if eps == 0 {
			eps = layers.DefaultBNEpsilon
		}
		var ins []string
		ins = append(ins, x)
		for _, p := range params {
			ins = append(ins, e.init(p.Name, p.Shape, p.Data))
		}
		e.node("BatchNormalization", ins, name, floatAttr("epsilon", eps))
	case *layers.Concat:
		var ins []string
		for k := range nd.Inputs {
			v, c := e.input(i, k)
			if c != nil {
				return errors.New("concat of a flattened map: ONNX orders its elements differently")
			}
			ins = append(ins, v)
		}
		axis := op.Axis // Keras' count: the batch is axis 0, 0 means the last axis
		if axis < 0 {
			axis += len(in) + 1
		}
		if axis != 0 && axis != len(in) {
			return errors.New("concat on axis " + msg.Int(op.Axis) + ": only the last (channel) axis is exported")
		}
		e.node("Concat", ins, name, intAttr("axis", 1))
	default:
		return errors.New("no ONNX export for this layer type")
	}
	return nil
}
