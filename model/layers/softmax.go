package layers

import "github.com/featuremap/featuremap/kernel"

// TypeSoftmax is tf.nn.softmax over the last axis.
const TypeSoftmax = "softmax"

func init() { register(TypeSoftmax, func() Op { return new(Softmax) }) }

// Softmax normalises the last axis into probabilities. It has no
// attributes.
type Softmax struct{}

func (*Softmax) Type() string { return TypeSoftmax }
func (*Softmax) Attrs(Attrs)  {}

func (*Softmax) Infer(in [][]int) (Layer, error) {
	x, err := oneInput(TypeSoftmax, in)
	if err != nil {
		return nil, err
	}
	return softmax{unparameterised{clone(x)}}, nil
}

type softmax struct{ unparameterised }

func (l softmax) Traits() Traits          { return Traits{InPlace: true, Probabilities: true} }
func (l softmax) Cost() Cost              { return l.elementwiseCost(4) } // max, exp, sum, divide
func (l softmax) Workspace(int, bool) int { return 0 }
func (l softmax) Saved(int) int           { return 0 }

func (l softmax) Forward(st *Step) error {
	return kernel.Softmax(st.Y, st.X[0], rows(st.N, l.shape), lastAxis(l.shape))
}

// Backward is the softmax's Jacobian-vector product, per row:
// dx[i] = y[i]·(dy[i] - Σ_j dy[j]·y[j]).
func (l softmax) Backward(st *Step) error {
	if st.DX[0] == nil {
		return nil
	}
	m := lastAxis(l.shape)
	for r := range rows(st.N, l.shape) {
		y, dy, dx := st.Y[r*m:][:m], st.DY[r*m:][:m], st.DX[0][r*m:][:m]
		var dot float64
		for i, g := range dy {
			dot += float64(g) * float64(y[i])
		}
		for i, g := range dy {
			dx[i] = float32(float64(y[i]) * (float64(g) - dot))
		}
	}
	return nil
}
