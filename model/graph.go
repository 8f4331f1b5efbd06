package model

import (
	"fmt"
	"math"

	"github.com/featuremap/featuremap/kernel"
)

// NetworkInput is the producer index of the network input in Node.Inputs.
const NetworkInput = -1

// maxElems bounds every activation and parameter tensor (elements of one
// example), so that sizes computed from a hostile Arch cannot overflow int
// on 32-bit wasm and every product below stays exact.
const maxElems = 1 << 30

// Graph is an Arch with every layer resolved: producers, output shapes and
// kernel geometry. It is computed once by Arch.Graph and not modified after.
type Graph struct {
	Arch  *Arch
	Input []int  // [H, W, C]
	Nodes []Node // Nodes[i] is Arch.Layers[i]
}

// Node is one resolved layer.
type Node struct {
	Layer  *Layer
	Inputs []int // producer node indices in Graph.Nodes, or NetworkInput
	Shape  []int // output shape of one example: [H, W, C] or [K]
	// Conv is the geometry of a conv2d layer, Pool of a maxpool or avgpool
	// layer, for a batch of N = 1; set N to the batch size before use.
	Conv kernel.ConvShape
	Pool kernel.PoolShape
	// Act is the fused activation of a conv2d or dense layer.
	Act kernel.Activation
	// WeightShape and BiasShape are the parameter shapes, nil for layers
	// without parameters: conv2d [KH, KW, C/G, OC] and [OC], dense [K, M]
	// and [M].
	WeightShape, BiasShape []int
}

// Weights and Biases are the element counts of the node's parameters.
func (n *Node) Weights() int { return numElems(n.WeightShape) }

// Biases is the element count of the node's bias, 0 without one.
func (n *Node) Biases() int { return numElems(n.BiasShape) }

// Len is the element count of the node's output for one example.
func (n *Node) Len() int { return numElems(n.Shape) }

// numElems returns the product of shape, 0 for a nil shape.
func numElems(shape []int) int {
	if shape == nil {
		return 0
	}
	p := 1
	for _, d := range shape {
		p *= d
	}
	return p
}

// Graph resolves a: it checks every layer's attributes and infers every
// output shape. Errors name the layer: `model: layer "conv2": …`.
func (a *Arch) Graph() (*Graph, error) {
	if len(a.Layers) == 0 {
		return nil, fmt.Errorf("model: arch %q has no layers", a.Name)
	}
	if a.Input[0] < 1 || a.Input[1] < 1 || a.Input[2] < 1 {
		return nil, fmt.Errorf("model: input shape [H W C] must be positive, got %v", a.Input)
	}
	if _, err := checkedElems(a.Input[:]); err != nil {
		return nil, fmt.Errorf("model: input shape %v: %v", a.Input, err)
	}
	g := &Graph{Arch: a, Input: a.Input[:], Nodes: make([]Node, len(a.Layers))}
	index := make(map[string]int, len(a.Layers))
	for i := range a.Layers {
		l := &a.Layers[i]
		if l.Name == "" || l.Name == InputName {
			return nil, fmt.Errorf("model: layer %d: name %q is empty or reserved", i, l.Name)
		}
		if _, dup := index[l.Name]; dup {
			return nil, fmt.Errorf("model: layer %q: name used twice", l.Name)
		}
		n := &g.Nodes[i]
		n.Layer = l
		if err := g.resolveInputs(n, i, index); err != nil {
			return nil, fmt.Errorf("model: layer %q: %v", l.Name, err)
		}
		if err := g.infer(n); err != nil {
			return nil, fmt.Errorf("model: layer %q: %v", l.Name, err)
		}
		for _, s := range [][]int{n.Shape, n.WeightShape} {
			if _, err := checkedElems(s); err != nil {
				return nil, fmt.Errorf("model: layer %q: %v", l.Name, err)
			}
		}
		index[l.Name] = i
	}
	if err := a.Preprocess.validate(a.Input[2]); err != nil {
		return nil, err
	}
	if len(a.Labels) > 0 {
		if out := g.Nodes[len(g.Nodes)-1].Len(); len(a.Labels) != out {
			return nil, fmt.Errorf("model: %d labels for %d outputs", len(a.Labels), out)
		}
	}
	return g, nil
}

// checkedElems returns the product of shape or an error when it exceeds maxElems.
func checkedElems(shape []int) (int, error) {
	p := 1
	for _, d := range shape {
		if d < 1 || p > maxElems/d {
			return 0, fmt.Errorf("shape %v is empty or has more than %d elements", shape, maxElems)
		}
		p *= d
	}
	return p, nil
}

func (g *Graph) resolveInputs(n *Node, i int, index map[string]int) error {
	names := n.Layer.Inputs
	if len(names) == 0 {
		n.Inputs = []int{i - 1} // i-1 = NetworkInput for the first layer
		return nil
	}
	if len(names) > 1 && n.Layer.Type != TypeConcat {
		return fmt.Errorf("%s takes one input, got %d", n.Layer.Type, len(names))
	}
	n.Inputs = make([]int, len(names))
	for k, name := range names {
		if name == InputName {
			n.Inputs[k] = NetworkInput
			continue
		}
		j, ok := index[name]
		if !ok {
			return fmt.Errorf("input %q is not an earlier layer", name)
		}
		n.Inputs[k] = j
	}
	return nil
}

// InShape returns the output shape of producer p (a Node.Inputs entry).
func (g *Graph) InShape(p int) []int {
	if p == NetworkInput {
		return g.Input
	}
	return g.Nodes[p].Shape
}

// infer sets n's geometry and output shape from its input shapes.
func (g *Graph) infer(n *Node) error {
	l := n.Layer
	in := g.InShape(n.Inputs[0])
	switch l.Type {
	case TypeConv2D:
		return inferConv(n, in)
	case TypeMaxPool, TypeAvgPool:
		return inferPool(n, in)
	case TypeDense:
		if len(in) != 1 {
			return fmt.Errorf("dense needs a flat input [K], got %v: add a flatten layer", in)
		}
		if l.Units < 1 {
			return fmt.Errorf("units must be positive, got %d", l.Units)
		}
		act, err := activation(l.Activation)
		if err != nil {
			return err
		}
		n.Act = act
		n.WeightShape = []int{in[0], l.Units}
		n.BiasShape = []int{l.Units}
		n.Shape = []int{l.Units}
	case TypeLRN:
		if l.DepthRadius < 0 {
			return fmt.Errorf("depth_radius must not be negative, got %d", l.DepthRadius)
		}
		if !(l.Bias > 0) || !(l.Alpha >= 0) || !(l.Beta >= 0) || math.IsInf(float64(l.Alpha+l.Beta+l.Bias), 0) {
			return fmt.Errorf("lrn needs bias > 0, alpha ≥ 0, beta ≥ 0 (finite), got %g, %g, %g", l.Bias, l.Alpha, l.Beta)
		}
		n.Shape = in
	case TypeDropout:
		if !(l.Rate >= 0 && l.Rate < 1) {
			return fmt.Errorf("dropout rate must be in [0, 1), got %g", l.Rate)
		}
		n.Shape = in
	case TypeReLU, TypeSoftmax:
		n.Shape = in
	case TypeFlatten:
		n.Shape = []int{numElems(in)}
	case TypeConcat:
		return inferConcat(n, g)
	default:
		return fmt.Errorf("unknown type %q", l.Type)
	}
	return nil
}

func activation(name string) (kernel.Activation, error) {
	switch name {
	case "":
		return kernel.Linear, nil
	case ActReLU:
		return kernel.ReLU, nil
	}
	return 0, fmt.Errorf("activation must be %q or empty, got %q", ActReLU, name)
}

// padding resolves l's padding mode for an H×W input and a KH×KW window.
func padding(l *Layer, h, w, kh, kw, sh, sw, dh, dw int) (kernel.Padding, error) {
	if l.Pads != [4]int{} && l.Padding != PadExplicit {
		return kernel.Padding{}, fmt.Errorf("pads %v need padding %q, got %q", l.Pads, PadExplicit, l.Padding)
	}
	switch l.Padding {
	case "", PadValid:
		return kernel.Padding{}, nil
	case PadSame:
		return kernel.SamePadding2D(h, w, kh, kw, sh, sw, dh, dw), nil
	case PadExplicit:
		p := kernel.Padding{Top: l.Pads[0], Bottom: l.Pads[1], Left: l.Pads[2], Right: l.Pads[3]}
		for _, v := range l.Pads {
			if v < 0 || v > maxElems {
				return p, fmt.Errorf("pads must be in [0, %d], got %v", maxElems, l.Pads)
			}
		}
		return p, nil
	}
	return kernel.Padding{}, fmt.Errorf("padding must be %q, %q or %q, got %q", PadValid, PadSame, PadExplicit, l.Padding)
}

// one returns v, or 1 when v is 0.
func one(v int) int {
	if v == 0 {
		return 1
	}
	return v
}

// inRange reports whether every v is in [1, maxElems].
func inRange(vs ...int) bool {
	for _, v := range vs {
		if v < 1 || v > maxElems {
			return false
		}
	}
	return true
}

func spatial(in []int, t string) error {
	if len(in) != 3 {
		return fmt.Errorf("%s needs an input [H W C], got %v", t, in)
	}
	return nil
}

func inferConv(n *Node, in []int) error {
	l := n.Layer
	if err := spatial(in, l.Type); err != nil {
		return err
	}
	s := kernel.ConvShape{
		N: 1, H: in[0], W: in[1], C: in[2],
		KH: l.Kernel[0], KW: l.Kernel[1], OC: l.Filters,
		StrideH: one(l.Strides[0]), StrideW: one(l.Strides[1]),
		DilationH: one(l.Dilations[0]), DilationW: one(l.Dilations[1]),
		Groups: one(l.Groups),
	}
	switch {
	case s.OC < 1:
		return fmt.Errorf("filters must be positive, got %d", l.Filters)
	case !inRange(s.KH, s.KW, s.StrideH, s.StrideW, s.DilationH, s.DilationW):
		return fmt.Errorf("kernel %v, strides %v and dilations %v must be in [1, %d]", l.Kernel, l.Strides, l.Dilations, maxElems)
	case s.Groups < 1 || s.C%s.Groups != 0:
		return fmt.Errorf("groups %d must divide input channels %d", s.Groups, s.C)
	case s.OC%s.Groups != 0:
		return fmt.Errorf("groups %d must divide filters %d", s.Groups, s.OC)
	}
	act, err := activation(l.Activation)
	if err != nil {
		return err
	}
	if s.Pad, err = padding(l, s.H, s.W, s.KH, s.KW, s.StrideH, s.StrideW, s.DilationH, s.DilationW); err != nil {
		return err
	}
	if err := s.Validate(); err != nil {
		return err
	}
	oh, ow := s.Out()
	n.Conv, n.Act = s, act
	n.Shape = []int{oh, ow, s.OC}
	n.WeightShape = []int{s.KH, s.KW, s.C / s.Groups, s.OC}
	n.BiasShape = []int{s.OC}
	return nil
}

func inferPool(n *Node, in []int) error {
	l := n.Layer
	if err := spatial(in, l.Type); err != nil {
		return err
	}
	s := kernel.PoolShape{
		N: 1, H: in[0], W: in[1], C: in[2],
		KH: l.Kernel[0], KW: l.Kernel[1],
		StrideH: one(l.Strides[0]), StrideW: one(l.Strides[1]),
	}
	if !inRange(s.KH, s.KW, s.StrideH, s.StrideW) {
		return fmt.Errorf("kernel %v and strides %v must be in [1, %d]", l.Kernel, l.Strides, maxElems)
	}
	var err error
	if s.Pad, err = padding(l, s.H, s.W, s.KH, s.KW, s.StrideH, s.StrideW, 1, 1); err != nil {
		return err
	}
	if err := s.Validate(l.Type); err != nil {
		return err
	}
	oh, ow := s.Out()
	n.Pool = s
	n.Shape = []int{oh, ow, s.C}
	return nil
}

// inferConcat checks that all inputs agree on every axis but the last and
// sums the last.
func inferConcat(n *Node, g *Graph) error {
	first := g.InShape(n.Inputs[0])
	out := append([]int(nil), first...)
	for _, p := range n.Inputs[1:] {
		s := g.InShape(p)
		if len(s) != len(first) {
			return fmt.Errorf("concat inputs must have the same rank, got %v and %v", first, s)
		}
		for k := range len(s) - 1 {
			if s[k] != first[k] {
				return fmt.Errorf("concat inputs must agree on all axes but the last, got %v and %v", first, s)
			}
		}
		if out[len(out)-1] > maxElems-s[len(s)-1] {
			return fmt.Errorf("concat output has more than %d channels", maxElems)
		}
		out[len(out)-1] += s[len(s)-1]
	}
	n.Shape = out
	return nil
}

// validate checks p for an input with c channels.
func (p *Preprocess) validate(c int) error {
	if p.Kind != "" && p.Kind != PreprocessResize && p.Kind != PreprocessMNIST {
		return fmt.Errorf("model: preprocess kind must be %q, %q or empty, got %q", PreprocessResize, PreprocessMNIST, p.Kind)
	}
	if !(p.Scale >= 0) || math.IsInf(float64(p.Scale), 0) {
		return fmt.Errorf("model: preprocess scale must be finite and ≥ 0, got %g", p.Scale)
	}
	for _, v := range [][]float32{p.Mean, p.Std} {
		if len(v) > 1 && len(v) != c {
			return fmt.Errorf("model: preprocess mean %v and std %v need 1 or %d values", p.Mean, p.Std, c)
		}
	}
	for _, v := range p.Std {
		if v == 0 || math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			return fmt.Errorf("model: preprocess std %v must be finite and non-zero", p.Std)
		}
	}
	return nil
}
