package layers

import (
	"errors"

	"github.com/featuremap/featuremap/internal/msg"
	"github.com/featuremap/featuremap/kernel"
)

// Padding modes, the values of the "padding" attribute.
const (
	PadValid    = "VALID"    // no padding (also the meaning of "")
	PadSame     = "SAME"     // TensorFlow SAME: out = ceil(in/stride), extra cell after
	PadExplicit = "EXPLICIT" // "pads" = [top, bottom, left, right]
)

// ActReLU is the only non-linear value of the "activation" attribute of
// conv2d and dense ("" is linear).
const ActReLU = "relu"

// Window is the sliding-window geometry shared by conv2d and the pools.
// Zero strides mean 1.
type Window struct {
	Kernel  [2]int // KH, KW
	Strides [2]int // SH, SW
	Padding string // PadValid, PadSame or PadExplicit
	Pads    [4]int // with PadExplicit: top, bottom, left, right
}

// padding resolves w's padding mode for an H×W input and a KH×KW window
// with strides s and dilations d.
func (w *Window) padding(h, wd int, s, d [2]int) (kernel.Padding, error) {
	if w.Pads != [4]int{} && w.Padding != PadExplicit {
		return kernel.Padding{}, errors.New("pads " + msg.Ints(w.Pads[:]) + " need padding " + msg.Quote(PadExplicit) + ", got " + msg.Quote(w.Padding))
	}
	switch w.Padding {
	case "", PadValid:
		return kernel.Padding{}, nil
	case PadSame:
		return kernel.SamePadding2D(h, wd, w.Kernel[0], w.Kernel[1], s[0], s[1], d[0], d[1]), nil
	case PadExplicit:
		p := kernel.Padding{Top: w.Pads[0], Bottom: w.Pads[1], Left: w.Pads[2], Right: w.Pads[3]}
		for _, v := range w.Pads {
			if v < 0 || v > MaxElems {
				return p, errors.New("pads must be in [0, " + msg.Int(MaxElems) + "], got " + msg.Ints(w.Pads[:]))
			}
		}
		return p, nil
	}
	return kernel.Padding{}, errors.New("padding must be " + msg.Quote(PadValid) + ", " + msg.Quote(PadSame) + " or " + msg.Quote(PadExplicit) + ", got " + msg.Quote(w.Padding))
}

// activation parses the "activation" attribute.
func activation(name string) (kernel.Activation, error) {
	switch name {
	case "":
		return kernel.Linear, nil
	case ActReLU:
		return kernel.ReLU, nil
	}
	return 0, errors.New("activation must be " + msg.Quote(ActReLU) + " or empty, got " + msg.Quote(name))
}

// one returns v, or 1 when v is 0.
func one(v int) int {
	if v == 0 {
		return 1
	}
	return v
}

// inRange reports whether every v is in [1, MaxElems].
func inRange(vs ...int) bool {
	for _, v := range vs {
		if v < 1 || v > MaxElems {
			return false
		}
	}
	return true
}

// spatial checks that a layer of type t has one input [H W C] and returns it.
func spatial(t string, in [][]int) ([]int, error) {
	s, err := oneInput(t, in)
	if err != nil {
		return nil, err
	}
	if len(s) != 3 {
		return nil, errors.New(t + " needs an input [H W C], got " + msg.Ints(s))
	}
	return s, nil
}

// attrs visits the window's attributes in file order.
func (w *Window) attrs(a Attrs) {
	a.Ints("kernel", w.Kernel[:])
	a.Ints("strides", w.Strides[:])
	a.String("padding", &w.Padding)
	a.Ints("pads", w.Pads[:])
}

// pool resolves a pooling window of type t on its input.
func (w *Window) pool(t string, in [][]int) (kernel.PoolShape, error) {
	x, err := spatial(t, in)
	if err != nil {
		return kernel.PoolShape{}, err
	}
	s := kernel.PoolShape{
		N: 1, H: x[0], W: x[1], C: x[2],
		KH: w.Kernel[0], KW: w.Kernel[1],
		StrideH: one(w.Strides[0]), StrideW: one(w.Strides[1]),
	}
	if !inRange(s.KH, s.KW, s.StrideH, s.StrideW) {
		return s, errors.New("kernel " + msg.Ints(w.Kernel[:]) + " and strides " + msg.Ints(w.Strides[:]) + " must be in [1, " + msg.Int(MaxElems) + "]")
	}
	if s.Pad, err = w.padding(s.H, s.W, [2]int{s.StrideH, s.StrideW}, [2]int{1, 1}); err != nil {
		return s, err
	}
	return s, s.Validate(t)
}

// poolGeometry is what both pools share once resolved: s has N = 1.
type poolGeometry struct{ s kernel.PoolShape }

func (g poolGeometry) batch(n int) kernel.PoolShape {
	s := g.s
	s.N = n
	return s
}

func (g poolGeometry) Out() []int {
	oh, ow := g.s.Out()
	return []int{oh, ow, g.s.C}
}

func (g poolGeometry) Params() []ParamSpec                { return nil }
func (g poolGeometry) Traits() Traits                     { return Traits{} }
func (g poolGeometry) Workspace(int, bool) int            { return 0 }
func (g poolGeometry) Saved(int) int                      { return 0 }
func (g poolGeometry) Prepare([]Tensor) (Prepared, error) { return nil, nil }

// Cost counts one operation per window cell.
func (g poolGeometry) Cost() Cost {
	return Cost{FLOPs: int64(g.s.OutLen()) * int64(g.s.KH*g.s.KW), Bytes: floats32(g.s.OutLen())}
}
