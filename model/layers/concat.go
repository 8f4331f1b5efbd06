package layers

import (
	"errors"

	"github.com/featuremap/featuremap/internal/msg"
	"github.com/featuremap/featuremap/kernel"
)

// TypeConcat is tf.concat of its inputs along one axis.
const TypeConcat = "concat"

func init() { register(TypeConcat, func() Op { return new(Concat) }) }

// Concat joins its inputs along Axis; they must agree on every other axis.
type Concat struct {
	// Axis counts as in Keras' Concatenate: the batch is axis 0, so for
	// [H, W, C] examples 1 is H and 3 is C; negative values count from the
	// end. 0 means -1, the last axis.
	Axis int
}

func (*Concat) Type() string    { return TypeConcat }
func (o *Concat) Attrs(a Attrs) { a.Int("axis", &o.Axis) }

func (o *Concat) Infer(in [][]int) (Layer, error) {
	if len(in) == 0 {
		return nil, errors.New("concat needs at least one input")
	}
	rank := len(in[0])
	axis := o.Axis // counted with the batch
	switch {
	case axis == 0:
		axis = rank
	case axis < 0:
		axis += rank + 1
	}
	if axis < 1 || axis > rank {
		return nil, errors.New("axis must be in [1, " + msg.Int(rank) + "] or [-" + msg.Int(rank) + ", -1] for inputs of rank " + msg.Int(rank) + " plus the batch, got " + msg.Int(o.Axis))
	}
	a := axis - 1 // in the example's shape
	out := clone(in[0])
	for _, s := range in[1:] {
		if len(s) != rank {
			return nil, errors.New("concat inputs must have the same rank, got " + msg.Ints(in[0]) + " and " + msg.Ints(s))
		}
		for k := range s {
			if k != a && s[k] != in[0][k] {
				return nil, errors.New("concat inputs must agree on every axis but axis " + msg.Int(axis) + ", got " + msg.Ints(in[0]) + " and " + msg.Ints(s))
			}
		}
		if out[a] > MaxElems-s[a] {
			return nil, errors.New("concat output has more than " + msg.Int(MaxElems) + " entries on axis " + msg.Int(axis))
		}
		out[a] += s[a]
	}
	l := &concat{unparameterised: unparameterised{out}, outer: Elems(out[:a]), widths: make([]int, len(in))}
	for k, s := range in {
		l.widths[k] = Elems(s[a:])
	}
	return l, nil
}

// concat is a Concat resolved: one example of input k is [outer, widths[k]].
type concat struct {
	unparameterised
	outer  int
	widths []int
}

func (l *concat) Traits() Traits          { return Traits{} }
func (l *concat) Cost() Cost              { return l.elementwiseCost(0) } // copies
func (l *concat) Workspace(int, bool) int { return 0 }
func (l *concat) Saved(int) int           { return 0 }

func (l *concat) Forward(st *Step) error {
	return kernel.Concat(st.Y, st.X, st.N*l.outer, l.widths)
}

func (l *concat) Backward(st *Step) error {
	return kernel.Split(st.DX, st.DY, st.N*l.outer, l.widths)
}
