package layers

import "github.com/featuremap/featuremap/kernel"

// TypeMaxPool is tf.nn.max_pool (padding cells are ignored).
const TypeMaxPool = "maxpool"

func init() { register(TypeMaxPool, func() Op { return new(MaxPool) }) }

// MaxPool is a max-pooling layer: [H, W, C] → [OH, OW, C].
type MaxPool struct{ Window }

func (*MaxPool) Type() string    { return TypeMaxPool }
func (o *MaxPool) Attrs(a Attrs) { o.attrs(a) }

func (o *MaxPool) Infer(in [][]int) (Layer, error) {
	s, err := o.pool(TypeMaxPool, in)
	if err != nil {
		return nil, err
	}
	return maxPool{poolGeometry{s}}, nil
}

type maxPool struct{ poolGeometry }

func (l maxPool) Forward(st *Step) error {
	return kernel.MaxPool(st.Y, st.X[0], l.batch(st.N))
}

func (l maxPool) Backward(st *Step) error {
	if st.DX[0] == nil {
		return nil
	}
	return kernel.MaxPoolGrad(st.DX[0], st.X[0], st.DY, l.batch(st.N))
}
