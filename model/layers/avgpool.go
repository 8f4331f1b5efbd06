package layers

import (
	"errors"

	"github.com/featuremap/featuremap/internal/msg"
	"github.com/featuremap/featuremap/kernel"
)

// TypeAvgPool is tf.nn.avg_pool: the mean over the window's real
// (non-padding) cells; with count_include_pad, ONNX's AveragePool
// count_include_pad=1 (PyTorch's AvgPool2d default): the window's sum
// divided by KH·KW, padding cells counting as zeros.
const TypeAvgPool = "avgpool"

func init() { register(TypeAvgPool, func() Op { return new(AvgPool) }) }

// AvgPool is an average-pooling layer: [H, W, C] → [OH, OW, C].
type AvgPool struct {
	Window
	// CountIncludePad 1 divides every window by KH·KW; 0 (TensorFlow)
	// by its real cells.
	CountIncludePad int
}

func (*AvgPool) Type() string { return TypeAvgPool }
func (o *AvgPool) Attrs(a Attrs) {
	o.attrs(a)
	a.Int("count_include_pad", &o.CountIncludePad)
}

func (o *AvgPool) Infer(in [][]int) (Layer, error) {
	s, err := o.pool(TypeAvgPool, in)
	if err != nil {
		return nil, err
	}
	switch o.CountIncludePad {
	case 0:
		return avgPool{poolGeometry: poolGeometry{s}}, nil
	case 1:
		return avgPool{poolGeometry{s}, realShare(s)}, nil
	}
	return nil, errors.New("count_include_pad must be 0 or 1, got " + msg.Int(o.CountIncludePad))
}

// realShare returns, for each output position of s, the share of its
// window's KH·KW cells that lie inside the input; nil when every window
// lies inside (then both divisors agree). The floor output size keeps
// every window inside the padded input, so KH·KW is ONNX's divisor too.
func realShare(s kernel.PoolShape) []float32 {
	oh, ow := s.Out()
	inside := func(o, stride, pad, k, n int) int {
		start := o*stride - pad
		return min(start+k, n) - max(start, 0)
	}
	share := make([]float32, oh*ow)
	partial := false
	for oy := range oh {
		rh := inside(oy, s.StrideH, s.Pad.Top, s.KH, s.H)
		for ox := range ow {
			rw := inside(ox, s.StrideW, s.Pad.Left, s.KW, s.W)
			share[oy*ow+ox] = float32(rh*rw) / float32(s.KH*s.KW)
			partial = partial || rh*rw != s.KH*s.KW
		}
	}
	if !partial {
		return nil
	}
	return share
}

// avgPool is an AvgPool resolved; share (count_include_pad) scales the
// mean over the real cells of each output position into the mean over
// the whole window.
type avgPool struct {
	poolGeometry
	share []float32
}

// scale multiplies v (n examples of the output) by share per position.
func (l avgPool) scale(dst, v []float32, n int) {
	c := l.s.C
	for i := range n * len(l.share) {
		f := l.share[i%len(l.share)]
		for k := range c {
			dst[i*c+k] = v[i*c+k] * f
		}
	}
}

func (l avgPool) Workspace(n int, train bool) int {
	if train && l.share != nil {
		return n * l.s.OutLen() // the scaled dy
	}
	return 0
}

func (l avgPool) Forward(st *Step) error {
	if err := kernel.AvgPool(st.Y, st.X[0], l.batch(st.N)); err != nil || l.share == nil {
		return err
	}
	l.scale(st.Y, st.Y, st.N)
	return nil
}

func (l avgPool) Backward(st *Step) error {
	if st.DX[0] == nil {
		return nil
	}
	dy := st.DY
	if l.share != nil {
		dy = st.WS[:st.N*l.s.OutLen()]
		l.scale(dy, st.DY, st.N)
	}
	return kernel.AvgPoolGrad(st.DX[0], dy, l.batch(st.N))
}
