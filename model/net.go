package model

import (
	"cmp"
	"math"
	"math/rand/v2"
	"slices"
)

// Tensor is a named float32 tensor; Data is row-major with len = the product of Shape.
type Tensor struct {
	Name  string
	Shape []int
	Data  []float32
}

// WeightName and BiasName are the parameter tensor names of a layer.
func WeightName(layer string) string { return layer + ".weight" }

// BiasName is "<layer>.bias".
func BiasName(layer string) string { return layer + ".bias" }

// Net is an architecture with its float32 parameters. The parameter slices
// are owned by the Net; they may be updated in place (training) but not
// resized.
type Net struct {
	Arch  Arch
	Graph *Graph // resolved Arch; Graph.Arch points to Arch
	// params lists every parameter in layer order, weight before bias.
	params []Tensor
	// byLayer[i] is the index in params of layer i's weight, or -1.
	byLayer []int
}

// New resolves arch and returns a Net with every parameter zero. The Net
// keeps its own copy of arch.Layers.
func New(arch Arch) (*Net, error) {
	n, err := newNet(arch)
	if err != nil {
		return nil, err
	}
	for i := range n.params {
		n.params[i].Data = make([]float32, numElems(n.params[i].Shape))
	}
	return n, nil
}

// newNet resolves arch and lists the parameters, with nil Data.
func newNet(arch Arch) (*Net, error) {
	arch.Layers = slices.Clone(arch.Layers)
	n := &Net{Arch: arch}
	g, err := n.Arch.Graph()
	if err != nil {
		return nil, err
	}
	n.Graph = g
	n.byLayer = make([]int, len(g.Nodes))
	for i := range g.Nodes {
		nd := &g.Nodes[i]
		n.byLayer[i] = -1
		if nd.WeightShape == nil {
			continue
		}
		n.byLayer[i] = len(n.params)
		name := nd.Layer.Name
		n.params = append(n.params,
			Tensor{Name: WeightName(name), Shape: nd.WeightShape},
			Tensor{Name: BiasName(name), Shape: nd.BiasShape})
	}
	return n, nil
}

// Params returns every parameter tensor in layer order, weight before bias.
// The Data slices alias the Net's storage.
func (n *Net) Params() []Tensor { return n.params }

// Param returns the parameter tensor named name ("<layer>.weight" or
// "<layer>.bias").
func (n *Net) Param(name string) (Tensor, bool) {
	for _, t := range n.params {
		if t.Name == name {
			return t, true
		}
	}
	return Tensor{}, false
}

// LayerParams returns the weight and bias of layer i (an index into
// Arch.Layers), or zero Tensors when the layer has no parameters.
func (n *Net) LayerParams(i int) (weight, bias Tensor) {
	k := n.byLayer[i]
	if k < 0 {
		return Tensor{}, Tensor{}
	}
	return n.params[k], n.params[k+1]
}

// NumParams returns the total number of parameters.
func (n *Net) NumParams() int {
	total := 0
	for _, t := range n.params {
		total += len(t.Data)
	}
	return total
}

// InitRandom sets every weight to He-uniform random values (Keras
// he_uniform: U(-√(6/fanIn), +√(6/fanIn)), He et al. 2015, with fanIn =
// KH*KW*C/G for conv2d and K for dense) and every bias to zero. The values
// depend only on seed and the architecture: they are built from integer
// PCG output, bit-identical on every platform.
func (n *Net) InitRandom(seed uint64) {
	rng := rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))
	for i := range n.Graph.Nodes {
		w, b := n.LayerParams(i)
		if w.Data == nil {
			continue
		}
		fanIn := len(w.Data) / w.Shape[len(w.Shape)-1]
		limit := float32(math.Sqrt(6 / float64(fanIn)))
		for j := range w.Data {
			// 24 random bits give every float32 in [0, 1) on a 2^-24 grid exactly.
			u := float32(rng.Uint32()>>8) * (1.0 / (1 << 24))
			w.Data[j] = (2*u - 1) * limit
		}
		clear(b.Data)
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
	slices.SortStableFunc(idx, func(a, b int) int { return cmp.Compare(probs[b], probs[a]) })
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
