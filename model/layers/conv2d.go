package layers

import (
	"errors"

	"github.com/featuremap/featuremap/internal/msg"
	"github.com/featuremap/featuremap/kernel"
)

// TypeConv2D is tf.nn.conv2d plus bias and an optional fused ReLU.
const TypeConv2D = "conv2d"

func init() { register(TypeConv2D, func() Op { return new(Conv2D) }) }

// Conv2D is a 2-D convolution layer: input [H, W, C], filter "weight" HWIO
// [KH, KW, C/G, OC], "bias" [OC], output [OH, OW, OC]. Zero dilations and
// groups mean 1.
type Conv2D struct {
	Filters int // OC
	Window
	Dilations  [2]int // DH, DW
	Groups     int    // G: input and output channels split into G equal parts
	Activation string // "" or ActReLU, fused
}

func (*Conv2D) Type() string { return TypeConv2D }

func (o *Conv2D) Attrs(a Attrs) {
	a.Int("filters", &o.Filters)
	a.Ints("kernel", o.Kernel[:])
	a.Ints("strides", o.Strides[:])
	a.Ints("dilations", o.Dilations[:])
	a.Int("groups", &o.Groups)
	a.String("padding", &o.Padding)
	a.Ints("pads", o.Pads[:])
	a.String("activation", &o.Activation)
}

func (o *Conv2D) Infer(in [][]int) (Layer, error) {
	x, err := spatial(TypeConv2D, in)
	if err != nil {
		return nil, err
	}
	s := kernel.ConvShape{
		N: 1, H: x[0], W: x[1], C: x[2],
		KH: o.Kernel[0], KW: o.Kernel[1], OC: o.Filters,
		StrideH: one(o.Strides[0]), StrideW: one(o.Strides[1]),
		DilationH: one(o.Dilations[0]), DilationW: one(o.Dilations[1]),
		Groups: one(o.Groups),
	}
	switch {
	case s.OC < 1:
		return nil, errors.New("filters must be positive, got " + msg.Int(o.Filters))
	case !inRange(s.KH, s.KW, s.StrideH, s.StrideW, s.DilationH, s.DilationW):
		return nil, errors.New("kernel " + msg.Ints(o.Kernel[:]) + ", strides " + msg.Ints(o.Strides[:]) + " and dilations " + msg.Ints(o.Dilations[:]) + " must be in [1, " + msg.Int(MaxElems) + "]")
	case s.Groups < 1 || s.C%s.Groups != 0:
		return nil, errors.New("groups " + msg.Int(s.Groups) + " must divide input channels " + msg.Int(s.C))
	case s.OC%s.Groups != 0:
		return nil, errors.New("groups " + msg.Int(s.Groups) + " must divide filters " + msg.Int(s.OC))
	}
	act, err := activation(o.Activation)
	if err != nil {
		return nil, err
	}
	if s.Pad, err = o.padding(s.H, s.W, [2]int{s.StrideH, s.StrideW}, [2]int{s.DilationH, s.DilationW}); err != nil {
		return nil, err
	}
	if err := s.Validate(); err != nil {
		return nil, err
	}
	return &conv2D{s: s, act: act}, nil
}

// conv2D is a Conv2D resolved: s has N = 1.
type conv2D struct {
	s   kernel.ConvShape
	act kernel.Activation
}

// batch returns the geometry for n examples.
func (l *conv2D) batch(n int) kernel.ConvShape {
	s := l.s
	s.N = n
	return s
}

func (l *conv2D) Out() []int {
	oh, ow := l.s.Out()
	return []int{oh, ow, l.s.OC}
}

func (l *conv2D) Params() []ParamSpec {
	return weightBiasParams([]int{l.s.KH, l.s.KW, l.s.C / l.s.Groups, l.s.OC})
}

func (l *conv2D) Cost() Cost {
	return Cost{FLOPs: l.s.FLOPs(), Bytes: floats32(l.s.OutLen())}
}

func (l *conv2D) Traits() Traits { return Traits{} }

func (l *conv2D) Workspace(n int, train bool) int {
	s := l.batch(n)
	ws := s.PackedWorkspaceLen() // Forward at inference
	if train {
		ws = max(ws, s.WorkspaceLen(), s.BackpropWorkspaceLen())
	}
	return ws
}

func (l *conv2D) Saved(int) int { return 0 }

// Prepare packs the filter once for the active kernels (kernel.PackConv);
// an int8 filter is dequantised only for packing.
func (l *conv2D) Prepare(p []Tensor) (Prepared, error) {
	w, err := p[0].Float32s()
	if err != nil {
		return nil, err
	}
	f, err := kernel.PackConv(w, l.s)
	if err != nil {
		return nil, err
	}
	return &packedConv{f: f, b: p[1].Data}, nil
}

// PackedBytes is the packed filter's size (kernel.ConvShape.PackedBytes),
// float32 whichever way the filter is stored.
func (l *conv2D) PackedBytes(bool) int64 { return l.s.PackedBytes() }

// Forward reads the packed filter.
func (l *conv2D) Forward(st *Step) error {
	pc := st.W.(*packedConv)
	return pc.f.Conv2D(st.Y, st.X[0], pc.b, st.N, l.act, st.WS)
}

// ForwardTrain reads the float32 parameters as they are after the last
// update.
func (l *conv2D) ForwardTrain(st *Step) error {
	return kernel.Conv2D(st.Y, st.X[0], st.Params[0].Data, st.Params[1].Data, l.batch(st.N), l.act, st.WS)
}

func (l *conv2D) Backward(st *Step) error {
	s := l.batch(st.N)
	oh, ow := s.Out()
	if err := reluGrad(l.act, st.DY, st.Y); err != nil {
		return err
	}
	if err := kernel.Conv2DBackpropFilter(st.Grads[0], st.X[0], st.DY, s, false, st.WS); err != nil {
		return err
	}
	if err := kernel.BiasAddGrad(st.Grads[1], st.DY, st.N*oh*ow, s.OC); err != nil {
		return err
	}
	if st.DX[0] == nil {
		return nil
	}
	return kernel.Conv2DBackpropInput(st.DX[0], st.DY, st.Params[0].Data, s, st.WS)
}

// Fuse fuses act when the layer has no activation of its own.
func (l *conv2D) Fuse(act kernel.Activation) (Layer, bool) {
	if l.act != kernel.Linear {
		return nil, false
	}
	f := *l
	f.act = act
	return &f, true
}

// CanFold reports whether the layer has no activation of its own, so that
// an affine map of its output can be folded into its weights.
func (l *conv2D) CanFold() bool { return l.act == kernel.Linear }

// Fold folds a per-channel affine map into the weights.
func (l *conv2D) Fold(p []Tensor, scale, shift []float32) []Tensor {
	return foldWeightBias(p, scale, shift)
}
