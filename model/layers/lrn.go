package layers

import (
	"errors"
	"math"

	"github.com/featuremap/featuremap/internal/msg"
	"github.com/featuremap/featuremap/kernel"
)

// TypeLRN is tf.nn.local_response_normalization over the last axis.
const TypeLRN = "lrn"

func init() { register(TypeLRN, func() Op { return new(LRN) }) }

// LRN is local response normalisation (Krizhevsky et al. 2012, §3.3) with
// TensorFlow's parameters: out = x / (Bias + Alpha·Σ_{|j-c|≤DepthRadius} x_j²)^Beta.
// Alpha is per element, as in TensorFlow (ONNX and Caffe divide it by the
// window size 2r+1).
type LRN struct {
	DepthRadius int // r: the window is 2r+1 channels
	Bias        float32
	Alpha       float32
	Beta        float32
}

func (*LRN) Type() string { return TypeLRN }

func (o *LRN) Attrs(a Attrs) {
	a.Int("depth_radius", &o.DepthRadius)
	a.Float("bias", &o.Bias)
	a.Float("alpha", &o.Alpha)
	a.Float("beta", &o.Beta)
}

func (o *LRN) Infer(in [][]int) (Layer, error) {
	x, err := oneInput(TypeLRN, in)
	if err != nil {
		return nil, err
	}
	if o.DepthRadius < 0 {
		return nil, errors.New("depth_radius must not be negative, got " + msg.Int(o.DepthRadius))
	}
	if !(o.Bias > 0) || !(o.Alpha >= 0) || !(o.Beta >= 0) || math.IsInf(float64(o.Alpha+o.Beta+o.Bias), 0) {
		return nil, errors.New("lrn needs bias > 0, alpha ≥ 0, beta ≥ 0 (finite), got " + msg.Float32(o.Bias) + ", " + msg.Float32(o.Alpha) + ", " + msg.Float32(o.Beta))
	}
	return &lrn{unparameterised{clone(x)}, kernel.LRNParams{DepthRadius: o.DepthRadius, Bias: o.Bias, Alpha: o.Alpha, Beta: o.Beta}}, nil
}

type lrn struct {
	unparameterised
	p kernel.LRNParams
}

func (l *lrn) Traits() Traits { return Traits{} }
func (l *lrn) Saved(int) int  { return 0 }

// Cost counts, per element, the square, the window sum, the power and the
// division. kernel.LRN sums windows of radius up to lrnDirectRadius
// directly and wider ones from running block sums at a cost independent of
// the window, so depth_radius cannot make a layer arbitrarily expensive.
func (l *lrn) Cost() Cost {
	return l.elementwiseCost(int64(2*(2*min(l.p.DepthRadius, lrnDirectRadius)+1) + 4))
}

// lrnDirectRadius is the widest radius whose window kernel.LRN sums channel
// by channel.
const lrnDirectRadius = 4

func (l *lrn) Workspace(_ int, train bool) int {
	if train {
		return 2 * lastAxis(l.shape) // LRNGrad
	}
	return 0
}

func (l *lrn) Forward(st *Step) error {
	return kernel.LRN(st.Y, st.X[0], rows(st.N, l.shape), lastAxis(l.shape), l.p)
}

func (l *lrn) Backward(st *Step) error {
	if st.DX[0] == nil {
		return nil
	}
	return kernel.LRNGrad(st.DX[0], st.DY, st.X[0], st.Y, rows(st.N, l.shape), lastAxis(l.shape), l.p, st.WS)
}
