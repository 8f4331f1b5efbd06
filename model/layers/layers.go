// Package layers is the table of layer types: each type lives in one file
// of its own (conv2d.go, dense.go, …) and declares there its attributes,
// shape inference, named parameters, cost, weight preparation, forward step
// and backward step. Package model (graph, runner, weight file, summary)
// and package model/train iterate over this table; none of them knows the
// individual types.
//
// A layer is described in two stages. An Op is a layer type with its
// attributes, as written in an architecture (it decodes and encodes them
// through Attrs, so this package does not depend on a serialisation
// format). Op.Infer checks the attributes against the input shapes and
// returns a Layer: the same layer resolved for those shapes, which knows
// its output shape, parameters, cost and how to run.
//
// Shapes omit the batch dimension, as in package model; activations are
// row-major NHWC, conv filters HWIO [KH, KW, C/G, OC] and dense weights
// [K, M], as in package kernel.
//
// Adding a layer type touches its file here (attributes, Infer and the
// Layer methods; init registers it), its kernel in package kernel if it
// needs a new one, and tests: the reference forward in
// model/reference_test.go and a case in the layer and trainer tests. The
// weight file, summary, runner, trainer, bridge and site pick it up from
// the table.
package layers

import (
	"errors"
	"math/rand/v2"
	"slices"

	"github.com/featuremap/featuremap/internal/msg"
	"github.com/featuremap/featuremap/kernel"
	"github.com/featuremap/featuremap/model/quant"
)

// MaxElems bounds every activation and parameter tensor (elements of one
// example), so that sizes computed from a hostile architecture cannot
// overflow int on 32-bit wasm and every product of two stays exact.
const MaxElems = 1 << 30

// Op is one layer type with its attributes.
type Op interface {
	// Type is the type's name in an architecture ("conv2d").
	Type() string
	// Attrs visits every attribute: a decoder sets them, an encoder writes
	// the ones that are not zero. Zero attributes take their documented
	// defaults.
	Attrs(a Attrs)
	// Infer checks the attributes against the shapes of one example of
	// each input (an architecture lists the inputs) and returns the layer
	// resolved for them. Errors do not name the layer; the caller does.
	Infer(in [][]int) (Layer, error)
}

// Layer is a layer resolved for its input shapes.
type Layer interface {
	// Out is the output shape of one example.
	Out() []int
	// Params lists the named parameter tensors, in file order.
	Params() []ParamSpec
	// Cost is the work and memory of one example.
	Cost() Cost
	// Traits tell the planners what they may do with the layer.
	Traits() Traits
	// Workspace is the scratch Step.WS must hold for a batch of n examples:
	// for Forward, and with train also for Forward and Backward in training.
	Workspace(n int, train bool) int
	// Saved is the length of Step.Saved for a batch of n examples in
	// training: what Forward keeps for Backward.
	Saved(n int) int
	// Prepare turns the parameters (parallel to Params) into the form
	// Forward reads at inference. The result may alias the tensors' Data.
	// A tensor read from an int8 file also carries its int8 values and
	// scales.
	Prepare(p []Tensor) (Prepared, error)
	// Forward computes Step.Y from Step.X at inference, and in training
	// (Step.Train) for the layers that are not TrainForwarders: package
	// function Forward picks.
	Forward(s *Step) error
	// Backward computes the input gradients Step.DX (nil entries are not
	// needed) and the parameter gradients Step.Grads (overwritten) from
	// Step.DY, after a training Forward on the same Step.
	Backward(s *Step) error
}

// TrainForwarder is a Layer whose forward pass in training differs from
// inference: ForwardTrain reads the float32 parameters (Step.Params) as
// they are after the last update, fills Step.Saved and, for parameters of
// KindStatistic, writes the batch's statistic into their Step.Grads entry.
// Only trainers call it (through Forward), so an inference engine links
// none of it.
type TrainForwarder interface {
	ForwardTrain(s *Step) error
}

// Forward runs l's forward pass on st: l.ForwardTrain in training
// (st.Train) where l is a TrainForwarder, else l.Forward.
func Forward(l Layer, st *Step) error {
	if t, ok := l.(TrainForwarder); ok && st.Train {
		return t.ForwardTrain(st)
	}
	return l.Forward(st)
}

// Prepared is a layer's parameters in the form its Forward reads, made by
// Layer.Prepare. Only the layer that made it reads it.
type Prepared any

// Step is one call of Layer.Forward or Layer.Backward on a batch of N
// examples. Slices hold N examples, row-major.
type Step struct {
	N  int
	X  [][]float32 // the inputs, one per input of the layer
	Y  []float32   // the output
	W  Prepared    // Prepare's result
	WS []float32   // scratch of Workspace(N, Train) elements

	// Training only.
	Train  bool
	Rand   []*rand.Rand // one generator per example (dropout)
	Saved  []float32    // Saved(N) elements kept from Forward for Backward
	Params []Tensor     // the float32 parameters, parallel to Params()
	Grads  [][]float32  // parallel to Params: gradients, or batch statistics
	DY     []float32    // the gradient of the loss with respect to Y
	DX     [][]float32  // gradients with respect to X; nil entries are skipped
}

// Traits are what the planners of package model may do with a layer.
type Traits struct {
	// Reshape: the output holds the input's values in the same order (a
	// view of input 0), in inference and in training.
	Reshape bool
	// InferenceIdentity: at inference the output equals input 0 (a view);
	// training differs (dropout).
	InferenceIdentity bool
	// InPlace: Forward at inference may write Y over X[0].
	InPlace bool
	// Probabilities: the output is tf.nn.softmax of the input; a trainer's
	// softmax cross-entropy on the last layer reads its input instead.
	Probabilities bool
}

// Cost is what one example costs a layer, for resource budgets.
type Cost struct {
	FLOPs int64 // floating-point operations, a multiply-add counting 2
	Bytes int64 // bytes of the output activation
}

// ParamKind says how a trainer treats a parameter.
type ParamKind uint8

const (
	// KindWeight is trained and decayed (AdamW's weight decay).
	KindWeight ParamKind = iota
	// KindBias is trained, not decayed.
	KindBias
	// KindStatistic is not trained: it is a moving average, p ← m·p +
	// (1-m)·s, of a batch statistic s that a training Forward writes into
	// the parameter's Step.Grads entry, with m = ParamSpec.Momentum.
	KindStatistic
)

// Init is how Net.InitRandom fills a parameter.
type Init uint8

const (
	InitZeros     Init = iota // 0
	InitOnes                  // 1
	InitHeUniform             // U(-√(6/fanIn), +√(6/fanIn)), fanIn = elements / last axis (He et al. 2015)
)

// ParamSpec describes one named parameter tensor of a layer; the weight
// file calls it "<layer>.<Name>".
type ParamSpec struct {
	Name  string // "weight", "bias", "gamma", …
	Shape []int
	// Quantize: an int8 weight file stores it as int8 with one float32
	// scale per index of the last axis (package quant).
	Quantize bool
	Kind     ParamKind
	Init     Init
	Momentum float32 // KindStatistic: the moving average's m
}

// Len is the element count of the parameter.
func (p ParamSpec) Len() int { return Elems(p.Shape) }

// Tensor is a named tensor of Elems(Shape) values, row-major: float32 in
// Data, or, as an int8 weight file stores a weight, int8 in Int8 with one
// float32 scale per index of the last axis in Scales (value = Int8[i] ×
// Scales[i mod len(Scales)], package model/quant) and Data nil. Read the
// values as float32 with Float32s; code that sets Data from int8 values (a
// trainer) must clear Int8 and Scales.
type Tensor struct {
	Name   string
	Shape  []int
	Data   []float32
	Int8   []int8
	Scales []float32
}

// Float32s returns the tensor's values as float32: Data, or for an int8
// tensor a new slice with Int8 dequantised (quant.Dequantize).
func (t *Tensor) Float32s() ([]float32, error) {
	if t.Int8 == nil {
		return t.Data, nil
	}
	w, err := quant.Dequantize(t.Int8, t.Scales)
	if err != nil {
		return nil, errors.New("tensor " + msg.Quote(t.Name) + ": " + err.Error())
	}
	return w, nil
}

// Attrs visits a layer's attributes by name. A decoder sets each from the
// architecture (leaving it zero when absent) and reports a value of the
// wrong kind; an encoder writes each attribute that is not zero. Ints
// fills or writes a fixed-length array such as a kernel size [KH, KW].
type Attrs interface {
	Int(name string, v *int)
	Ints(name string, v []int)
	Float(name string, v *float32)
	String(name string, v *string)
}

// types maps each type name to a constructor of its zero Op.
var types = map[string]func() Op{}

// register adds a layer type to the table; each type's file calls it once.
func register(name string, zero func() Op) {
	if _, dup := types[name]; dup || zero().Type() != name {
		panic("layers: bad registration of " + name)
	}
	types[name] = zero
}

// New returns a zero Op of the type name, ready for decoding.
func New(name string) (Op, error) {
	zero, ok := types[name]
	if !ok {
		return nil, errors.New("unknown type " + msg.Quote(name) + " (known: " + msg.Strings(Types()) + ")")
	}
	return zero(), nil
}

// Types returns the names of every layer type, sorted.
func Types() []string {
	names := make([]string, 0, len(types))
	for name := range types {
		names = append(names, name)
	}
	msg.Sort(names)
	return names
}

// Elems returns the product of shape, 1 for an empty shape.
func Elems(shape []int) int {
	p := 1
	for _, d := range shape {
		p *= d
	}
	return p
}

// CheckedElems returns the product of shape, or an error when a dimension
// is below 1 or the product exceeds MaxElems.
func CheckedElems(shape []int) (int, error) {
	p := 1
	for _, d := range shape {
		if d < 1 || p > MaxElems/d {
			return 0, errors.New("shape " + msg.Ints(shape) + " is empty or has more than " + msg.Int(MaxElems) + " elements")
		}
		p *= d
	}
	return p, nil
}

// oneInput checks that a layer of type t has a single input and returns its shape.
func oneInput(t string, in [][]int) ([]int, error) {
	if len(in) != 1 {
		return nil, errors.New(t + " takes one input, got " + msg.Int(len(in)))
	}
	return in[0], nil
}

// rows returns the number of rows of length m in n examples of shape.
func rows(n int, shape []int) int { return n * Elems(shape) / shape[len(shape)-1] }

// lastAxis returns the size of shape's last axis.
func lastAxis(shape []int) int { return shape[len(shape)-1] }

// floats32 is the byte count of n float32 values.
func floats32(n int) int64 { return 4 * int64(n) }

// clone returns a copy of a shape.
func clone(s []int) []int { return slices.Clone(s) }

// A Fuser can apply a following elementwise activation to its own output
// (conv2d, dense: the kernel's fused ReLU). Fuse returns the layer with act
// fused, or false when it cannot take it.
type Fuser interface {
	Fuse(act kernel.Activation) (Layer, bool)
}

// An Elementwise layer applies an activation to every element (relu); a
// planner may fuse it into the Fuser that produces its input.
type Elementwise interface {
	Activation() kernel.Activation
}

// A Packer is a layer whose Prepare packs its weight into a new copy in
// the layout its kernel reads (conv2d, dense). PackedBytes is the memory
// that copy holds, known before preparing, for a weight stored as int8
// (int8) or as float32; the bias is aliased, not copied. The Prepare of
// other layers with parameters holds at most a float32 copy of them.
type Packer interface {
	PackedBytes(int8 bool) int64
}

// An Affine layer computes y = x·scale[c] + shift[c] over the last axis at
// inference (batchnorm); a planner may fold it into the Folder that
// produces its input.
type Affine interface {
	ScaleShift(p Prepared) (scale, shift []float32)
}

// A Folder can absorb y·scale[c] + shift[c] over its output channels into
// its weights (conv2d and dense): CanFold says whether it can (not after a
// non-linear activation of its own), and Fold returns copies of the
// parameters p with the map folded in, for Prepare (p is not modified; an
// int8 weight stays int8, with its scales multiplied).
type Folder interface {
	CanFold() bool
	Fold(p []Tensor, scale, shift []float32) []Tensor
}

// unparameterised provides the methods of a layer without parameters whose
// output has the given shape; a layer embeds it and adds the rest.
type unparameterised struct{ shape []int }

func (u unparameterised) Out() []int                         { return u.shape }
func (u unparameterised) Params() []ParamSpec                { return nil }
func (u unparameterised) Prepare([]Tensor) (Prepared, error) { return nil, nil }

// elementwiseCost is the cost of flopsPerElem operations per output element.
func (u unparameterised) elementwiseCost(flopsPerElem int64) Cost {
	n := Elems(u.shape)
	return Cost{FLOPs: flopsPerElem * int64(n), Bytes: floats32(n)}
}
