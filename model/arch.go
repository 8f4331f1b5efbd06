// Package model describes convolutional networks, infers their shapes and
// parameter counts, holds their float32 parameters and runs inference on
// them with the operators of package kernel.
//
// An Arch is the JSON-serialisable description of a network (it travels in
// a weight file's "__metadata__"["arch"]). Arch.Graph resolves it: every
// layer's inputs, output shape and kernel geometry. A Net is an Arch plus
// its parameters; a Runner plans one arena of activations for a Net and a
// batch size and runs it without allocating.
//
// Shapes follow package kernel: activations are row-major NHWC, conv filters
// HWIO [KH, KW, C/G, OC], dense weights [K, M]. Shapes in this package omit
// the batch dimension unless they say otherwise.
package model

import "github.com/featuremap/featuremap/model/preprocess"

// Layer types, the values of Layer.Type.
const (
	TypeConv2D  = "conv2d"  // tf.nn.conv2d + bias + optional fused ReLU
	TypeMaxPool = "maxpool" // tf.nn.max_pool
	TypeAvgPool = "avgpool" // tf.nn.avg_pool (divides by the real cells)
	TypeLRN     = "lrn"     // tf.nn.local_response_normalization
	TypeReLU    = "relu"    // tf.nn.relu
	TypeDense   = "dense"   // tf.matmul + bias + optional fused ReLU, on a flat input
	TypeFlatten = "flatten" // reshape to [H*W*C] (a view)
	TypeDropout = "dropout" // identity at inference (a view)
	TypeSoftmax = "softmax" // tf.nn.softmax over the last axis
	TypeConcat  = "concat"  // concatenation along the last (channel) axis
)

// Padding modes, the values of Layer.Padding.
const (
	PadValid    = "VALID"    // no padding (also the meaning of "")
	PadSame     = "SAME"     // TensorFlow SAME: out = ceil(in/stride), extra cell after
	PadExplicit = "EXPLICIT" // Layer.Pads = [top, bottom, left, right]
)

// ActReLU is the only non-linear value of Layer.Activation ("" is linear).
const ActReLU = "relu"

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

// Layer is one layer of an Arch. Only the attributes of its Type are read;
// zero strides, dilations and groups mean 1.
type Layer struct {
	Name string `json:"name"` // unique; parameter tensors are "<name>.weight", "<name>.bias"
	Type string `json:"type"` // one of the Type* constants
	// Inputs names the layers (or InputName) this layer reads; empty means
	// the previous layer, or the network input for the first layer. Only
	// concat takes more than one input.
	Inputs []string `json:"inputs,omitempty"`

	Filters    int    `json:"filters,omitempty"`    // conv2d: OC
	Units      int    `json:"units,omitempty"`      // dense: M
	Kernel     [2]int `json:"kernel,omitzero"`      // conv2d filter / pool window KH, KW
	Strides    [2]int `json:"strides,omitzero"`     // conv2d, pools: SH, SW
	Dilations  [2]int `json:"dilations,omitzero"`   // conv2d: DH, DW
	Groups     int    `json:"groups,omitempty"`     // conv2d: G
	Padding    string `json:"padding,omitempty"`    // conv2d, pools: PadValid, PadSame or PadExplicit
	Pads       [4]int `json:"pads,omitzero"`        // with PadExplicit: top, bottom, left, right
	Activation string `json:"activation,omitempty"` // conv2d, dense: "" or ActReLU, fused

	DepthRadius int     `json:"depth_radius,omitempty"` // lrn: r (window 2r+1)
	Bias        float32 `json:"bias,omitempty"`         // lrn: bias (k)
	Alpha       float32 `json:"alpha,omitempty"`        // lrn: alpha, per element as in TensorFlow
	Beta        float32 `json:"beta,omitempty"`         // lrn: beta

	Rate float32 `json:"rate,omitempty"` // dropout: fraction dropped in training, in [0, 1)
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
