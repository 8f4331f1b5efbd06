package model

import (
	"errors"
	"math"

	"github.com/featuremap/featuremap/internal/msg"
	"github.com/featuremap/featuremap/model/layers"
)

// NetworkInput is the producer index of the network input in Node.Inputs.
const NetworkInput = -1

// Graph is an Arch with every layer resolved: producers, output shapes and
// parameters. It is computed once by Arch.Graph and not modified after.
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
	// Impl is the layer resolved for its input shapes (package layers): it
	// runs the layer's steps.
	Impl layers.Layer
	// Params are Impl.Params(): the named parameter tensors.
	Params []layers.ParamSpec
}

// Weights is the element count of the node's parameters of kind
// layers.KindWeight.
func (n *Node) Weights() int { return n.paramsOf(layers.KindWeight) }

// Biases is the element count of the node's parameters of kind
// layers.KindBias.
func (n *Node) Biases() int { return n.paramsOf(layers.KindBias) }

// NumParams is the element count of all the node's parameters.
func (n *Node) NumParams() int {
	total := 0
	for _, p := range n.Params {
		total += p.Len()
	}
	return total
}

func (n *Node) paramsOf(k layers.ParamKind) int {
	total := 0
	for _, p := range n.Params {
		if p.Kind == k {
			total += p.Len()
		}
	}
	return total
}

// Len is the element count of the node's output for one example.
func (n *Node) Len() int { return layers.Elems(n.Shape) }

// numElems returns the product of shape.
func numElems(shape []int) int { return layers.Elems(shape) }

// Graph resolves a within DefaultLimits: see GraphWithin.
func (a *Arch) Graph() (*Graph, error) { return a.GraphWithin(DefaultLimits) }

// GraphWithin resolves a: it checks every layer's attributes, infers every
// output shape and prices the network against lim (Limits) before anything
// is allocated for its parameters or activations. Errors name the layer:
// `model: layer "conv2": …`.
func (a *Arch) GraphWithin(lim Limits) (*Graph, error) {
	if len(a.Layers) == 0 {
		return nil, errors.New("model: arch " + msg.Quote(a.Name) + " has no layers")
	}
	if len(a.Layers) > lim.Layers {
		return nil, errors.New("model: arch " + msg.Quote(a.Name) + " has " + msg.Int(len(a.Layers)) + " layers, more than the limit of " + msg.Int(lim.Layers))
	}
	if a.Input[0] < 1 || a.Input[1] < 1 || a.Input[2] < 1 {
		return nil, errors.New("model: input shape [H W C] must be positive, got " + msg.Ints(a.Input[:]))
	}
	if _, err := layers.CheckedElems(a.Input[:]); err != nil {
		return nil, errors.New("model: input shape " + msg.Ints(a.Input[:]) + ": " + err.Error())
	}
	g := &Graph{Arch: a, Input: a.Input[:], Nodes: make([]Node, len(a.Layers))}
	index := make(map[string]int, len(a.Layers))
	for i := range a.Layers {
		l := &a.Layers[i]
		if l.Name == "" || l.Name == InputName {
			return nil, errors.New("model: layer " + msg.Int(i) + ": name " + msg.Quote(l.Name) + " is empty or reserved")
		}
		if _, dup := index[l.Name]; dup {
			return nil, errors.New("model: layer " + msg.Quote(l.Name) + ": name used twice")
		}
		if err := g.resolve(i, index); err != nil {
			return nil, errors.New("model: layer " + msg.Quote(l.Name) + ": " + err.Error())
		}
		index[l.Name] = i
	}
	if err := g.check(lim); err != nil {
		return nil, err
	}
	if err := a.Preprocess.validate(a.Input[2]); err != nil {
		return nil, err
	}
	if len(a.Labels) > 0 {
		if out := g.Nodes[len(g.Nodes)-1].Len(); len(a.Labels) != out {
			return nil, errors.New("model: " + msg.Int(len(a.Labels)) + " labels for " + msg.Int(out) + " outputs")
		}
	}
	return g, nil
}

// resolve sets node i's inputs, implementation, shape and parameters.
func (g *Graph) resolve(i int, index map[string]int) error {
	n := &g.Nodes[i]
	n.Layer = &g.Arch.Layers[i]
	if n.Layer.Op == nil {
		return errors.New("no type (Op is nil)")
	}
	if err := g.resolveInputs(n, i, index); err != nil {
		return err
	}
	in := make([][]int, len(n.Inputs))
	for k, p := range n.Inputs {
		in[k] = g.InShape(p)
	}
	impl, err := n.Layer.Op.Infer(in)
	if err != nil {
		return err
	}
	n.Impl, n.Shape, n.Params = impl, impl.Out(), impl.Params()
	if _, err := layers.CheckedElems(n.Shape); err != nil {
		return err
	}
	for _, p := range n.Params {
		if _, err := layers.CheckedElems(p.Shape); err != nil {
			return err
		}
	}
	return nil
}

func (g *Graph) resolveInputs(n *Node, i int, index map[string]int) error {
	names := n.Layer.Inputs
	if len(names) == 0 {
		n.Inputs = []int{i - 1} // i-1 = NetworkInput for the first layer
		return nil
	}
	n.Inputs = make([]int, len(names))
	for k, name := range names {
		if name == InputName {
			n.Inputs[k] = NetworkInput
			continue
		}
		j, ok := index[name]
		if !ok {
			return errors.New("input " + msg.Quote(name) + " is not an earlier layer")
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

// Cost returns the sum of every layer's cost for one example.
func (g *Graph) Cost() layers.Cost {
	var c layers.Cost
	for i := range g.Nodes {
		lc := g.Nodes[i].Impl.Cost()
		c.FLOPs += lc.FLOPs
		c.Bytes += lc.Bytes
	}
	return c
}

// validate checks p for an input with c channels.
func (p *Preprocess) validate(c int) error {
	if p.Kind != "" && p.Kind != PreprocessResize && p.Kind != PreprocessMNIST {
		return errors.New("model: preprocess kind must be " + msg.Quote(PreprocessResize) + ", " + msg.Quote(PreprocessMNIST) + " or empty, got " + msg.Quote(p.Kind))
	}
	if !(p.Scale >= 0) || math.IsInf(float64(p.Scale), 0) {
		return errors.New("model: preprocess scale must be finite and ≥ 0, got " + msg.Float32(p.Scale))
	}
	for _, v := range [][]float32{p.Mean, p.Std} {
		if len(v) > 1 && len(v) != c {
			return errors.New("model: preprocess mean " + msg.Float32s(p.Mean) + " and std " + msg.Float32s(p.Std) + " need 1 or " + msg.Int(c) + " values")
		}
	}
	for _, v := range p.Std {
		if v == 0 || math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			return errors.New("model: preprocess std " + msg.Float32s(p.Std) + " must be finite and non-zero")
		}
	}
	return nil
}
