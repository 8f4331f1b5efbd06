package layers

import (
	"errors"

	"github.com/featuremap/featuremap/internal/msg"
)

// TypeDropout is inverted dropout (Srivastava et al. 2014): the identity at
// inference (a view).
const TypeDropout = "dropout"

func init() { register(TypeDropout, func() Op { return new(Dropout) }) }

// Dropout zeroes each element with probability Rate in training and scales
// the others by 1/(1-Rate), so inference needs no rescaling.
type Dropout struct {
	Rate float32 // in [0, 1)
}

func (*Dropout) Type() string    { return TypeDropout }
func (o *Dropout) Attrs(a Attrs) { a.Float("rate", &o.Rate) }

func (o *Dropout) Infer(in [][]int) (Layer, error) {
	x, err := oneInput(TypeDropout, in)
	if err != nil {
		return nil, err
	}
	if !(o.Rate >= 0 && o.Rate < 1) {
		return nil, errors.New("dropout rate must be in [0, 1), got " + msg.Float32(o.Rate))
	}
	return &dropout{unparameterised{clone(x)}, o.Rate}, nil
}

type dropout struct {
	unparameterised
	rate float32
}

func (l *dropout) Traits() Traits          { return Traits{InferenceIdentity: true} }
func (l *dropout) Cost() Cost              { return Cost{} } // a view at inference
func (l *dropout) Workspace(int, bool) int { return 0 }

// Saved is the mask: 0 or 1/(1-rate) per element.
func (l *dropout) Saved(n int) int { return n * Elems(l.shape) }

// Forward copies (dropout is the identity at inference).
func (l *dropout) Forward(st *Step) error {
	k := Elems(l.shape)
	copy(st.Y[:st.N*k], st.X[0][:st.N*k])
	return nil
}

// ForwardTrain draws each example's mask from its own generator,
// Step.Rand[j], element by element; at rate 0 the mask is all ones.
func (l *dropout) ForwardTrain(st *Step) error {
	k := Elems(l.shape)
	x, y := st.X[0][:st.N*k], st.Y[:st.N*k]
	if l.rate == 0 {
		copy(y, x)
		for i := range st.Saved[:st.N*k] {
			st.Saved[i] = 1
		}
		return nil
	}
	keep := 1 / (1 - l.rate)
	for j := range st.N {
		m := st.Saved[j*k : (j+1)*k]
		for i := range m {
			if st.Rand[j].Float32() < l.rate {
				m[i] = 0
			} else {
				m[i] = keep
			}
		}
		for i, v := range x[j*k : (j+1)*k] {
			y[j*k+i] = v * m[i]
		}
	}
	return nil
}

func (l *dropout) Backward(st *Step) error {
	if st.DX[0] == nil {
		return nil
	}
	for j, g := range st.DY[:st.N*Elems(l.shape)] {
		st.DX[0][j] = g * st.Saved[j]
	}
	return nil
}
