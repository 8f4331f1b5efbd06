package layers

import "github.com/featuremap/featuremap/kernel"

// TypeAvgPool is tf.nn.avg_pool: the mean over the window's real
// (non-padding) cells.
const TypeAvgPool = "avgpool"

func init() { register(TypeAvgPool, func() Op { return new(AvgPool) }) }

// AvgPool is an average-pooling layer: [H, W, C] → [OH, OW, C].
type AvgPool struct{ Window }

func (*AvgPool) Type() string    { return TypeAvgPool }
func (o *AvgPool) Attrs(a Attrs) { o.attrs(a) }

func (o *AvgPool) Infer(in [][]int) (Layer, error) {
	s, err := o.pool(TypeAvgPool, in)
	if err != nil {
		return nil, err
	}
	return avgPool{poolGeometry{s}}, nil
}

type avgPool struct{ poolGeometry }

func (l avgPool) Forward(st *Step) error {
	return kernel.AvgPool(st.Y, st.X[0], l.batch(st.N))
}

func (l avgPool) Backward(st *Step) error {
	if st.DX[0] == nil {
		return nil
	}
	return kernel.AvgPoolGrad(st.DX[0], st.DY, l.batch(st.N))
}
