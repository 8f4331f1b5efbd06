package preprocess

import (
	"errors"
	"math"
	"strconv"

	"github.com/featuremap/featuremap/internal/msg"
)

// Norm maps a pixel value v in [0, 255] of channel c to a network input:
//
//	x = (v' * Scale - Mean[c]) / Std[c],   v' = 255 - v if Invert else v
//
// Scale 0 means 1; empty Mean and Std mean 0 and 1; a single value applies
// to every channel (the fields of model.Preprocess).
type Norm struct {
	Invert    bool
	Scale     float32
	Mean, Std []float32
}

// check validates n for c channels.
func (n Norm) check(op string, c int) error {
	for _, v := range []struct {
		name string
		vals []float32
	}{{"Mean", n.Mean}, {"Std", n.Std}} {
		if len(v.vals) > 1 && len(v.vals) != c {
			return errors.New("preprocess: " + op + ": Norm." + v.name + " has " + msg.Int(len(v.vals)) + " values, want 0, 1 or " + msg.Int(c))
		}
	}
	for _, s := range n.Std {
		if s == 0 || math.IsNaN(float64(s)) {
			return errors.New("preprocess: " + op + ": Norm.Std " + msg.Float32s(n.Std) + ", want nonzero values")
		}
	}
	return nil
}

// Apply maps pixel value v in [0, 255] of channel c to the input value.
func (n Norm) Apply(v float32, c int) float32 {
	if n.Invert {
		v = 255 - v
	}
	if n.Scale != 0 {
		v *= n.Scale
	}
	if len(n.Mean) > 0 {
		v -= n.Mean[min(c, len(n.Mean)-1)]
	}
	if len(n.Std) > 0 {
		v /= n.Std[min(c, len(n.Std)-1)]
	}
	return v
}

// Fitting kinds, the values of Spec.Kind (and of model.Preprocess.Kind).
const (
	KindResize = "resize" // ResizePixels to H×W
	KindMNIST  = "mnist"  // MNISTPixels; H×W×C must be 28×28×1
)

// Spec says how an image becomes a network input [H, W, C].
type Spec struct {
	Kind    string // KindResize, KindMNIST, or "" meaning KindResize
	H, W, C int
	Norm    Norm
}

// CheckSize reports an error unless s's input has at least one and at most
// maxPixels pixels (H×W), so that a caller can refuse a model whose
// declared input it would not fill from an image (usually maxPixels is
// MaxPixels) before allocating that input.
func (s Spec) CheckSize(maxPixels int64) error {
	if s.H <= 0 || s.W <= 0 || s.C <= 0 || int64(s.H) > maxPixels/int64(s.W) {
		return errors.New("preprocess: the input " + msg.Int(s.H) + "×" + msg.Int(s.W) + "×" + msg.Int(s.C) + " is more than the limit of " + strconv.FormatInt(maxPixels, 10) + " pixels an image is preprocessed into")
	}
	return nil
}

// InputPixels turns a raw buffer of width×height pixels of channels bytes
// (1 gray, 3 RGB, 4 non-premultiplied RGBA as a canvas's ImageData) into
// the network input dst, [H, W, C], without allocating (after the first
// calls, for KindMNIST's pooled buffers). With KindMNIST the
// digit is normalised by MNISTPixels, whose value u in [0, 1] stands for
// the pixel value v = 255u (ink bright) that s.Norm maps; with KindResize
// the image is resized by ResizePixels with s.Norm.
func InputPixels(dst []float32, pix []byte, width, height, channels int, s Spec) error {
	_, err := InputPixelsReport(dst, pix, width, height, channels, s)
	return err
}

// InputPixelsReport is InputPixels that also returns what the MNIST
// preprocessing found (a zero Report for other kinds): dst is what the
// network sees, the Report why (ink box, components, findings such as
// Blank, Dot, Line or Several).
func InputPixelsReport(dst []float32, pix []byte, width, height, channels int, s Spec) (Report, error) {
	p, err := newPixels("InputPixels", pix, width, height, channels)
	if err != nil {
		return Report{}, err
	}
	return input(dst, p, s)
}

func input(dst []float32, p pixels, s Spec) (Report, error) {
	switch s.Kind {
	case "", KindResize:
		return Report{}, resize(dst, p, s.H, s.W, s.C, s.Norm)
	case KindMNIST:
		if s.H != Side || s.W != Side || s.C != 1 {
			return Report{}, errors.New("preprocess: Input: kind " + msg.Quote(KindMNIST) + " needs a " + msg.Int(Side) + "×" + msg.Int(Side) + "×1 input, have " + msg.Int(s.H) + "×" + msg.Int(s.W) + "×" + msg.Int(s.C))
		}
		if len(dst) != Side*Side {
			return Report{}, errors.New("preprocess: Input: dst has " + msg.Int(len(dst)) + " elements, want " + msg.Int(Side*Side))
		}
		if err := s.Norm.check("Input", 1); err != nil {
			return Report{}, err
		}
		rep, err := mnist(dst, p)
		if err != nil {
			return rep, err
		}
		for i, u := range dst {
			dst[i] = s.Norm.Apply(255*u, 0)
		}
		return rep, nil
	}
	return Report{}, errors.New("preprocess: Input: kind " + msg.Quote(s.Kind) + ", want " + msg.Quote(KindResize) + " or " + msg.Quote(KindMNIST))
}
