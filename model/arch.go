// Package model describes convolutional networks, infers their shapes and
// parameter counts, holds their float32 parameters and runs inference on
// them with the operators of package kernel.
//
// An Arch is the JSON-serialisable description of a network (it travels in
// a weight file's "__metadata__"["arch"]); its layers' types and their
// attributes, shape inference, parameters and steps come from the table in
// package layers. Arch.Graph resolves it: every layer's inputs, output
// shape and parameters. A Net is an Arch plus its parameters; a Runner
// plans one arena of activations for a Net and a batch size and runs it
// without allocating.
//
// Shapes follow package kernel: activations are row-major NHWC, conv filters
// HWIO [KH, KW, C/G, OC], dense weights [K, M]. Shapes in this package omit
// the batch dimension unless they say otherwise.
package model

import (
	"github.com/featuremap/featuremap/model/layers"
	"github.com/featuremap/featuremap/model/preprocess"
)

// InputName is the name by which Layer.Inputs refers to the network input.
// No layer may be named so.
const InputName = "input"

// Arch describes a network: its input, its layers in topological order and
// how to turn an image into its input. The last layer is the output.
type Arch struct {
	Name       string     `json:"name"`
	Input      [3]int     `json:"input"` // H, W, C of one example
	Layers     []Layer    `json:"layers"`
	Labels     []string   `json:"labels,omitempty"` // one per output class, may be empty
	Preprocess Preprocess `json:"preprocess,omitzero"`
	// Accuracy is the measured top-1 accuracy on Preprocess.Dataset's test
	// set, in [0, 1]; 0 when unmeasured.
	Accuracy float64 `json:"accuracy,omitempty"`
}

// Layer is one layer of an Arch: its name, its inputs and its type with
// the type's attributes (package layers holds the types). In JSON it is one
// flat object: {"name", "type", "inputs", then the type's attributes}.
type Layer struct {
	Name string // unique; parameter tensors are "<name>.<param>" (ParamName)
	// Inputs names the layers (or InputName) this layer reads; empty means
	// the previous layer, or the network input for the first layer. Only
	// concat takes more than one input.
	Inputs []string
	Op     layers.Op // e.g. &layers.Conv2D{Filters: 64, …}
}

// Type returns the layer's type name, "" without an Op.
func (l *Layer) Type() string {
	if l.Op == nil {
		return ""
	}
	return l.Op.Type()
}

// Preprocess kinds, the values of Preprocess.Kind.
const (
	PreprocessResize = "resize"
	PreprocessMNIST  = "mnist"
)

// Preprocess says how an image becomes the network input [H, W, C]. Every
// pixel value v in [0, 255] of channel c becomes
//
//	x = (v' * Scale - Mean[c]) / Std[c],   v' = 255 - v if Invert else v
//
// with Scale 0 meaning 1, and Mean and Std empty meaning 0 and 1 (one value
// applies to every channel). Images with another channel count are converted
// (luma for C = 1, gray replicated for C = 3).
type Preprocess struct {
	// Kind is how the image is fitted to H×W: PreprocessResize (bilinear,
	// aspect ratio ignored) or PreprocessMNIST (the MNIST recipe: the digit's
	// bounding box scaled into 20×20 and centred by its centre of mass in
	// 28×28); empty means the input already has the shape [H, W, C].
	Kind    string    `json:"kind,omitempty"`
	Invert  bool      `json:"invert,omitempty"`
	Scale   float32   `json:"scale,omitempty"`
	Mean    []float32 `json:"mean,omitempty"`
	Std     []float32 `json:"std,omitempty"`
	Dataset string    `json:"dataset,omitempty"` // e.g. "mnist": the data the model was trained on
}

// InputSpec is how an image becomes this network's input: the preprocessing
// of a.Preprocess fitted to a.Input.
func (a *Arch) InputSpec() preprocess.Spec {
	p := a.Preprocess
	return preprocess.Spec{
		Kind: p.Kind, H: a.Input[0], W: a.Input[1], C: a.Input[2],
		Norm: preprocess.Norm{Invert: p.Invert, Scale: p.Scale, Mean: p.Mean, Std: p.Std},
	}
}
