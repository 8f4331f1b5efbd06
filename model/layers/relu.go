package layers

import "github.com/featuremap/featuremap/kernel"

// TypeReLU is tf.nn.relu.
const TypeReLU = "relu"

func init() { register(TypeReLU, func() Op { return new(ReLU) }) }

// ReLU is max(x, 0) elementwise. It has no attributes.
type ReLU struct{}

func (*ReLU) Type() string { return TypeReLU }
func (*ReLU) Attrs(Attrs)  {}

func (*ReLU) Infer(in [][]int) (Layer, error) {
	x, err := oneInput(TypeReLU, in)
	if err != nil {
		return nil, err
	}
	return relu{unparameterised{clone(x)}}, nil
}

type relu struct{ unparameterised }

func (l relu) Traits() Traits                { return Traits{InPlace: true} }
func (l relu) Cost() Cost                    { return l.elementwiseCost(1) }
func (l relu) Workspace(int, bool) int       { return 0 }
func (l relu) Saved(int) int                 { return 0 }
func (l relu) Activation() kernel.Activation { return kernel.ReLU }
func (l relu) Forward(st *Step) error        { return kernel.Relu(st.Y, st.X[0][:len(st.Y)]) }

func (l relu) Backward(st *Step) error {
	if st.DX[0] == nil {
		return nil
	}
	return kernel.ReluGrad(st.DX[0], st.DY, st.Y)
}
