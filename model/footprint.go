package model

import (
	"github.com/featuremap/featuremap/model/layers"
	"github.com/featuremap/featuremap/model/safetensors"
)

// Footprint is the memory, in bytes, that a loaded Net and one Runner of it
// hold once made, priced from the graph and the stored types of the weights
// before anything is allocated: Net.Footprint for a loaded Net, PriceFile
// for a weight file not yet loaded. It leaves out what is freed as soon as
// it has been used (an int8 filter dequantised for packing) and bookkeeping
// that grows with the number of layers, not with their sizes.
type Footprint struct {
	// File is the weight file's length when Load keeps it because it reads
	// int8 tensors in place (Tensor.Int8 are views of it), else 0.
	File int64
	// Params is the parameters the Net holds outside File: 4 bytes per
	// float32 value (Data, and the Scales of int8 weights) and 1 per int8
	// value not read in place.
	Params int64
	// Packed is what the Runner's layers prepare: a layers.Packer's packed
	// weight (kernel's PackedConv.Bytes, PackedDense.Bytes), and for other
	// layers with parameters at most a float32 copy of them.
	Packed int64
	// Activations is the Runner's arena of layer outputs, where buffers
	// whose values are dead are reused.
	Activations int64
	// Workspace is the kernels' scratch, which the Runner's steps share.
	Workspace int64
}

// Total is the sum of the parts.
func (f Footprint) Total() int64 { return f.File + f.Params + f.Runner() }

// Runner is what one Runner adds: Packed + Activations + Workspace (each
// Runner of a Net prepares its own weights).
func (f Footprint) Runner() int64 { return f.Packed + f.Activations + f.Workspace }

// Footprint prices n and one Runner of it for opts (what NewRunner would
// allocate, or its error).
func (n *Net) Footprint(opts RunnerOptions) (Footprint, error) {
	f := Footprint{File: int64(n.file)}
	for _, p := range n.params {
		f.Params += 4 * int64(len(p.Data)+len(p.Scales))
		if n.file == 0 {
			f.Params += int64(len(p.Int8))
		}
	}
	int8 := func(node int) bool {
		ps := n.LayerParams(node)
		return len(ps) > 0 && ps[0].Int8 != nil
	}
	return f, n.Graph.priceRunner(&f, opts, int8)
}

// PriceFile prices the weight file data as Load would load it (within
// DefaultLimits) and one Runner for opts, from the file's header alone:
// nothing is decoded or allocated for the tensors. It returns the file's
// graph too. Errors are those of its header (or of planning the Runner);
// the tensors themselves are checked by Load.
func PriceFile(data []byte, opts RunnerOptions) (*Graph, Footprint, error) {
	f, n, err := readHeader(data, DefaultLimits)
	if err != nil {
		return nil, Footprint{}, err
	}
	var fp Footprint
	for _, t := range f.Tensors {
		if t.DType == safetensors.I8 {
			fp.File = int64(len(data))
		} else {
			fp.Params += 4 * int64(t.Elems())
		}
	}
	int8 := func(node int) bool {
		ps := n.LayerParams(node)
		if len(ps) == 0 {
			return false
		}
		t, ok := f.Tensor(ps[0].Name)
		return ok && t.DType == safetensors.I8
	}
	return n.Graph, fp, n.Graph.priceRunner(&fp, opts, int8)
}

// priceRunner sets f's Runner parts for a Runner of g with opts; int8
// reports whether node's weight (its first parameter) is stored as int8.
func (g *Graph) priceRunner(f *Footprint, opts RunnerOptions, int8 func(node int) bool) error {
	p, size, err := planRunner(g, opts)
	if err != nil {
		return err
	}
	f.Activations, f.Workspace = 4*int64(size), 4*int64(p.wsLen)
	for _, ps := range p.steps {
		if pk, ok := ps.layer.(layers.Packer); ok {
			f.Packed += pk.PackedBytes(int8(ps.node))
		} else {
			f.Packed += 4 * int64(g.Nodes[ps.node].NumParams())
		}
	}
	return nil
}
