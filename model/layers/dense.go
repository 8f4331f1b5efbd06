package layers

import (
	"errors"

	"github.com/featuremap/featuremap/internal/msg"
	"github.com/featuremap/featuremap/kernel"
)

// TypeDense is tf.matmul plus bias and an optional fused ReLU, on a flat
// input.
const TypeDense = "dense"

func init() { register(TypeDense, func() Op { return new(Dense) }) }

// Dense is a fully connected layer: input [K], "weight" [K, M], "bias" [M],
// output [M].
type Dense struct {
	Units      int    // M
	Activation string // "" or ActReLU, fused
}

func (*Dense) Type() string { return TypeDense }

func (o *Dense) Attrs(a Attrs) {
	a.Int("units", &o.Units)
	a.String("activation", &o.Activation)
}

func (o *Dense) Infer(in [][]int) (Layer, error) {
	x, err := oneInput(TypeDense, in)
	if err != nil {
		return nil, err
	}
	if len(x) != 1 {
		return nil, errors.New("dense needs a flat input [K], got " + msg.Ints(x) + ": add a flatten layer")
	}
	if o.Units < 1 {
		return nil, errors.New("units must be positive, got " + msg.Int(o.Units))
	}
	act, err := activation(o.Activation)
	if err != nil {
		return nil, err
	}
	return &dense{k: x[0], m: o.Units, act: act}, nil
}

// dense is a Dense resolved: x [N, K] → y [N, M].
type dense struct {
	k, m int
	act  kernel.Activation
}

func (l *dense) Out() []int          { return []int{l.m} }
func (l *dense) Params() []ParamSpec { return weightBiasParams([]int{l.k, l.m}) }
func (l *dense) Traits() Traits      { return Traits{} }
func (l *dense) Saved(int) int       { return 0 }

func (l *dense) Cost() Cost {
	return Cost{FLOPs: 2 * int64(l.k) * int64(l.m), Bytes: floats32(l.m)}
}

func (l *dense) Workspace(n int, train bool) int {
	// At inference Prepare packs int8 or float32 weights, whichever the file has.
	ws := max(kernel.PackedDenseWorkspaceLen(n, l.k, l.m, true), kernel.PackedDenseWorkspaceLen(n, l.k, l.m, false))
	if train {
		ws = max(ws, kernel.DenseWorkspaceLen(n, l.k, l.m), kernel.GemmWorkspaceLen(l.k, l.m, n), kernel.GemmWorkspaceLen(n, l.k, l.m))
	}
	return ws
}

// Prepare packs the weights once for the active kernels: as int8 with
// their per-output-channel scales when the file stored them so
// (kernel.PackDenseInt8: a fully connected layer is memory-bound, and int8
// streams a quarter of the bytes), else as float32 (kernel.PackDense).
func (l *dense) Prepare(p []Tensor) (Prepared, error) {
	w := p[0]
	var pd *kernel.PackedDense
	var err error
	if w.Int8 != nil {
		pd, err = kernel.PackDenseInt8(w.Int8, w.Scales, l.k, l.m)
	} else {
		pd, err = kernel.PackDense(w.Data, l.k, l.m)
	}
	if err != nil {
		return nil, err
	}
	return &packedDense{w: pd, b: p[1].Data}, nil
}

// PackedBytes is the packed weights' size (kernel.PackedDenseBytes).
func (l *dense) PackedBytes(int8 bool) int64 { return kernel.PackedDenseBytes(l.k, l.m, int8) }

// Forward reads the packed weights.
func (l *dense) Forward(st *Step) error {
	pd := st.W.(*packedDense)
	return pd.w.Dense(st.Y, st.X[0], pd.b, st.N, l.act, st.WS)
}

// ForwardTrain reads the float32 parameters as they are after the last
// update.
func (l *dense) ForwardTrain(st *Step) error {
	return kernel.Dense(st.Y, st.X[0], st.Params[0].Data, st.Params[1].Data, st.N, l.k, l.m, l.act, st.WS)
}

// Backward is two GEMMs: dW [K, M] = xᵀ · dy and dx [N, K] = dy · Wᵀ; the
// bias gradient sums dy's rows.
func (l *dense) Backward(st *Step) error {
	n, k, m := st.N, l.k, l.m
	dy := st.DY[:n*m]
	if err := reluGrad(l.act, dy, st.Y); err != nil {
		return err
	}
	if err := kernel.Gemm(true, false, k, m, n, st.X[0], k, dy, m, st.Grads[0], m, false, st.WS); err != nil {
		return err
	}
	if err := kernel.BiasAddGrad(st.Grads[1], dy, n, m); err != nil {
		return err
	}
	if st.DX[0] == nil {
		return nil
	}
	return kernel.Gemm(false, true, n, k, m, dy, m, st.Params[0].Data, m, st.DX[0], k, false, st.WS)
}

// Fuse fuses act when the layer has no activation of its own.
func (l *dense) Fuse(act kernel.Activation) (Layer, bool) {
	if l.act != kernel.Linear {
		return nil, false
	}
	f := *l
	f.act = act
	return &f, true
}

// CanFold reports whether the layer has no activation of its own, so that
// an affine map of its output can be folded into its weights.
func (l *dense) CanFold() bool { return l.act == kernel.Linear }

// Fold folds a per-unit affine map into the weights.
func (l *dense) Fold(p []Tensor, scale, shift []float32) []Tensor {
	return foldWeightBias(p, scale, shift)
}
