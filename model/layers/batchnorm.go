package layers

import (
	"errors"
	"math"

	"github.com/featuremap/featuremap/internal/msg"
	"github.com/featuremap/featuremap/kernel"
)

// TypeBatchNorm is batch normalisation over the last axis (Ioffe & Szegedy
// 2015): tf.nn.batch_normalization with the moving statistics at inference,
// the batch's own statistics in training.
const TypeBatchNorm = "batchnorm"

func init() { register(TypeBatchNorm, func() Op { return new(BatchNorm) }) }

// Default attributes of BatchNorm, Keras' BatchNormalization defaults.
const (
	DefaultBNEpsilon  = 1e-3
	DefaultBNMomentum = 0.99
)

// BatchNorm normalises each channel c (the last axis) of its input:
//
//	y = (x - mean[c]) / √(variance[c] + Epsilon) · gamma[c] + beta[c]
//
// with the parameters "gamma", "beta", "mean" and "variance", [C] each. In
// training, mean and variance are the batch's (over N·H·W, the variance
// biased) and the parameters mean and variance follow them as moving
// averages: p ← Momentum·p + (1-Momentum)·batch value.
type BatchNorm struct {
	Epsilon  float32 // > 0; 0 means DefaultBNEpsilon
	Momentum float32 // in [0, 1); 0 means DefaultBNMomentum
}

func (*BatchNorm) Type() string { return TypeBatchNorm }

func (o *BatchNorm) Attrs(a Attrs) {
	a.Float("epsilon", &o.Epsilon)
	a.Float("momentum", &o.Momentum)
}

func (o *BatchNorm) Infer(in [][]int) (Layer, error) {
	x, err := oneInput(TypeBatchNorm, in)
	if err != nil {
		return nil, err
	}
	eps, mom := o.Epsilon, o.Momentum
	if eps == 0 {
		eps = DefaultBNEpsilon
	}
	if mom == 0 {
		mom = DefaultBNMomentum
	}
	if !(eps > 0) || math.IsInf(float64(eps), 0) || !(mom > 0 && mom < 1) {
		return nil, errors.New("batchnorm needs epsilon > 0 (finite) and momentum in [0, 1), got " + msg.Float32(o.Epsilon) + ", " + msg.Float32(o.Momentum))
	}
	return &batchNorm{unparameterised{clone(x)}, eps, mom}, nil
}

type batchNorm struct {
	unparameterised
	eps, momentum float32
}

func (l *batchNorm) c() int { return lastAxis(l.shape) }

func (l *batchNorm) Params() []ParamSpec {
	c := []int{l.c()}
	return []ParamSpec{
		{Name: "gamma", Shape: c, Kind: KindWeight, Init: InitOnes},
		{Name: "beta", Shape: c, Kind: KindBias, Init: InitZeros},
		{Name: "mean", Shape: c, Kind: KindStatistic, Init: InitZeros, Momentum: l.momentum},
		{Name: "variance", Shape: c, Kind: KindStatistic, Init: InitOnes, Momentum: l.momentum},
	}
}

func (l *batchNorm) Traits() Traits          { return Traits{InPlace: true} }
func (l *batchNorm) Cost() Cost              { return l.elementwiseCost(2) }
func (l *batchNorm) Workspace(int, bool) int { return 0 }

// Saved holds xhat [N, …] and invStd [C].
func (l *batchNorm) Saved(n int) int { return n*Elems(l.shape) + l.c() }

// scaleShift is the prepared form: y = x·scale + shift per channel.
type scaleShift struct{ scale, shift []float32 }

// Prepare computes tf.nn.batch_normalization's per-channel factors from
// gamma, beta, mean and variance.
func (l *batchNorm) Prepare(p []Tensor) (Prepared, error) {
	c := l.c()
	ss := &scaleShift{make([]float32, c), make([]float32, c)}
	if err := kernel.BatchNormScaleShift(ss.scale, ss.shift, p[2].Data, p[3].Data, p[1].Data, p[0].Data, l.eps); err != nil {
		return nil, err
	}
	return ss, nil
}

// ScaleShift returns the prepared per-channel factors.
func (l *batchNorm) ScaleShift(p Prepared) (scale, shift []float32) {
	ss := p.(*scaleShift)
	return ss.scale, ss.shift
}

func (l *batchNorm) Forward(st *Step) error {
	ss := st.W.(*scaleShift)
	return kernel.ScaleShift(st.Y, st.X[0], ss.scale, ss.shift, rows(st.N, l.shape), l.c())
}

// ForwardTrain normalises with the batch's statistics (Layer.Forward says
// what it saves and writes).
func (l *batchNorm) ForwardTrain(st *Step) error {
	c := l.c()
	r := rows(st.N, l.shape)
	xhat, invStd := st.Saved[:r*c], st.Saved[r*c:r*c+c]
	return kernel.BatchNormTraining(st.Y, xhat, st.Grads[2], st.Grads[3], invStd, st.X[0],
		st.Params[0].Data, st.Params[1].Data, l.eps, r, c)
}

func (l *batchNorm) Backward(st *Step) error {
	c := l.c()
	r := rows(st.N, l.shape)
	xhat, invStd := st.Saved[:r*c], st.Saved[r*c:r*c+c]
	return kernel.BatchNormGrad(st.DX[0], st.Grads[0], st.Grads[1], st.DY, xhat, st.Params[0].Data, invStd, r, c)
}
