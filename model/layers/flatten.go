package layers

// TypeFlatten reshapes one example to [H*W*C] (a view).
const TypeFlatten = "flatten"

func init() { register(TypeFlatten, func() Op { return new(Flatten) }) }

// Flatten reshapes its input to one axis, keeping the row-major order. It
// has no attributes.
type Flatten struct{}

func (*Flatten) Type() string { return TypeFlatten }
func (*Flatten) Attrs(Attrs)  {}

func (*Flatten) Infer(in [][]int) (Layer, error) {
	x, err := oneInput(TypeFlatten, in)
	if err != nil {
		return nil, err
	}
	return flatten{unparameterised{[]int{Elems(x)}}}, nil
}

type flatten struct{ unparameterised }

func (l flatten) Traits() Traits          { return Traits{Reshape: true} }
func (l flatten) Cost() Cost              { return Cost{} } // a view
func (l flatten) Workspace(int, bool) int { return 0 }
func (l flatten) Saved(int) int           { return 0 }

// Forward copies: planners make flatten a view and skip it, but a copy is
// the same values.
func (l flatten) Forward(st *Step) error {
	copy(st.Y, st.X[0][:len(st.Y)])
	return nil
}

func (l flatten) Backward(st *Step) error {
	if st.DX[0] != nil {
		copy(st.DX[0], st.DY)
	}
	return nil
}
