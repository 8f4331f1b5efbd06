package model

import (
	"errors"
	"strconv"

	"github.com/featuremap/featuremap/internal/msg"
)

// Limits bound what a network may cost, so that a hostile or mistaken
// architecture (a weight file of a few hundred bytes can declare anything)
// is refused with an error naming the layer and the limit before anything
// is allocated for it. Every field must be positive; DefaultLimits holds
// the values Arch.Graph and Load use.
type Limits struct {
	// Layers bounds the number of layers.
	Layers int
	// Params bounds the parameters of the whole network, in elements
	// (float32 after loading).
	Params int64
	// Activations bounds the sum of every layer's output for one example,
	// in elements: what a Runner that keeps activations holds.
	Activations int64
	// FLOPs bounds the floating-point operations of one example.
	FLOPs int64
}

// DefaultLimits admit AlexNet (61 M parameters, 1.45 GFLOP per image) and
// networks of VGG-16's size (138 M parameters, 31 GFLOP) with room to
// spare; a single image of the largest admitted network still takes
// seconds, not hours, on one core.
var DefaultLimits = Limits{
	Layers:      4096,
	Params:      1 << 28, // 1 GiB of float32
	Activations: 1 << 28, // 1 GiB of float32 per example
	FLOPs:       1 << 36, // about 69 GFLOP per example
}

// errBudget builds the error for a network whose running total exceeds a
// limit at the named layer.
func errBudget(layer, what string, total, limit int64) error {
	return errors.New("model: layer " + msg.Quote(layer) + ": the network's " + what + " reach " +
		strconv.FormatInt(total, 10) + ", more than the limit of " + strconv.FormatInt(limit, 10))
}

// check prices g (whose layer count GraphWithin checked) against lim, layer by layer, and names the first layer at
// which a running total exceeds its limit. Costs come from the layer table
// (layers.Layer.Cost, Params); sums saturate, so hostile shapes cannot
// overflow them.
func (g *Graph) check(lim Limits) error {
	var params, acts, flops int64
	for i := range g.Nodes {
		n := &g.Nodes[i]
		c := n.Impl.Cost()
		params = addSat(params, int64(n.NumParams()))
		acts = addSat(acts, int64(n.Len()))
		flops = addSat(flops, c.FLOPs)
		switch {
		case params > lim.Params:
			return errBudget(n.Layer.Name, "parameters", params, lim.Params)
		case acts > lim.Activations:
			return errBudget(n.Layer.Name, "activations per example", acts, lim.Activations)
		case flops > lim.FLOPs:
			return errBudget(n.Layer.Name, "FLOPs per example", flops, lim.FLOPs)
		}
	}
	return nil
}

// addSat returns a + b for non-negative a and b, saturating at the largest int64.
func addSat(a, b int64) int64 {
	if b < 0 || a > 1<<63-1-b {
		return 1<<63 - 1
	}
	return a + b
}
