package model

import (
	"cmp"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/featuremap/featuremap/internal/order"
	"github.com/featuremap/featuremap/model/layers"
)

// Tensor is a named tensor, float32 or (a weight read from an int8 weight
// file) int8 with per-channel scales: layers.Tensor.
type Tensor = layers.Tensor

// ParamName is the name of a layer's parameter tensor: "<layer>.<param>",
// such as "conv1.weight" or "bn1.gamma".
func ParamName(layer, param string) string { return layer + "." + param }

// Net is an architecture with its parameters: float32, or int8 with
// scales as an int8 weight file stores weights (Load). The parameter slices
// are owned by the Net; float32 ones may be updated in place (training) but
// not resized.
type Net struct {
	Arch  Arch
	Graph *Graph // resolved Arch; Graph.Arch points to Arch
	// params lists every parameter in layer order, each layer's in the
	// order of its Node.Params.
	params []Tensor
	// first[i] is the index in params of layer i's first parameter;
	// first[len(Nodes)] = len(params).
	first []int
	// file is the length of the weight file whose bytes the int8
	// parameters are views of (Load), 0 without any.
	file int
}

// New resolves arch within DefaultLimits and returns a Net with every
// parameter zero. The Net keeps its own copy of arch.Layers.
func New(arch Arch) (*Net, error) {
	n, err := newNet(arch, DefaultLimits)
	if err != nil {
		return nil, err
	}
	for i := range n.params {
		n.params[i].Data = make([]float32, numElems(n.params[i].Shape))
	}
	return n, nil
}

// newNet resolves arch within lim and lists the parameters, with nil Data.
func newNet(arch Arch, lim Limits) (*Net, error) {
	arch.Layers = slices.Clone(arch.Layers)
	n := &Net{Arch: arch}
	g, err := n.Arch.GraphWithin(lim)
	if err != nil {
		return nil, err
	}
	n.Graph = g
	n.first = make([]int, len(g.Nodes)+1)
	for i := range g.Nodes {
		nd := &g.Nodes[i]
		n.first[i] = len(n.params)
		for _, p := range nd.Params {
			n.params = append(n.params, Tensor{Name: ParamName(nd.Layer.Name, p.Name), Shape: p.Shape})
		}
	}
	n.first[len(g.Nodes)] = len(n.params)
	return n, nil
}

// Params returns every parameter tensor in layer order, each layer's in
// the order of its Node.Params. The Data slices alias the Net's storage.
func (n *Net) Params() []Tensor { return n.params }

// Param returns the parameter tensor named name ("<layer>.<param>").
func (n *Net) Param(name string) (Tensor, bool) {
	for _, t := range n.params {
		if t.Name == name {
			return t, true
		}
	}
	return Tensor{}, false
}

// LayerParams returns the parameters of layer i (an index into
// Arch.Layers), parallel to its Node.Params; empty for a layer without
// parameters. The slice aliases the Net's list.
func (n *Net) LayerParams(i int) []Tensor { return n.params[n.first[i]:n.first[i+1]:n.first[i+1]] }

// NumParams returns the total number of parameters.
func (n *Net) NumParams() int {
	total := 0
	for _, t := range n.params {
		total += numElems(t.Shape)
	}
	return total
}

// InitRandom fills every parameter as its layers.ParamSpec.Init says:
// weights He-uniform random (Keras he_uniform: U(-√(6/fanIn), +√(6/fanIn)),
// He et al. 2015, with fanIn = the elements per index of the last axis:
// KH*KW*C/G for conv2d and K for dense), biases zero, batch-norm scales
// and variances one. The values depend only on seed and the architecture:
// they are built from integer PCG output, bit-identical on every platform.
// Int8 parameters (a loaded Net's) become float32.
func (n *Net) InitRandom(seed uint64) {
	for i, p := range n.params {
		if p.Data == nil {
			n.params[i].Data, n.params[i].Int8, n.params[i].Scales = make([]float32, numElems(p.Shape)), nil, nil
		}
	}
	rng := rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))
	for i := range n.Graph.Nodes {
		for k, p := range n.LayerParams(i) {
			switch n.Graph.Nodes[i].Params[k].Init {
			case layers.InitHeUniform:
				fanIn := len(p.Data) / p.Shape[len(p.Shape)-1]
				limit := float32(math.Sqrt(6 / float64(fanIn)))
				for j := range p.Data {
					// 24 random bits give every float32 in [0, 1) on a 2^-24 grid exactly.
					u := float32(rng.Uint32()>>8) * (1.0 / (1 << 24))
					p.Data[j] = (2*u - 1) * limit
				}
			case layers.InitOnes:
				for j := range p.Data {
					p.Data[j] = 1
				}
			default:
				clear(p.Data)
			}
		}
	}
}

// Prediction is one class of a network's output.
type Prediction struct {
	Index int     `json:"index"`
	Label string  `json:"label"` // Arch.Labels[Index], or "" without labels
	P     float32 `json:"p"`
}

// Top returns the min(k, len(probs)) largest values of probs (one
// example's output), largest first, ties in index order.
func (n *Net) Top(probs []float32, k int) []Prediction {
	idx := make([]int, len(probs))
	for i := range idx {
		idx[i] = i
	}
	order.Stable(idx, func(a, b int) int { return cmp.Compare(probs[b], probs[a]) })
	top := make([]Prediction, min(max(k, 0), len(probs)))
	for i := range top {
		j := idx[i]
		top[i] = Prediction{Index: j, P: probs[j]}
		if j < len(n.Arch.Labels) {
			top[i].Label = n.Arch.Labels[j]
		}
	}
	return top
}
