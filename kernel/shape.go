package kernel

import (
	"errors"

	"github.com/featuremap/featuremap/internal/msg"
)

// ConvShape is the geometry of one tf.nn.conv2d call with explicit padding:
// input [N, H, W, C], filter [KH, KW, C/G, OC], output [N, OH, OW, OC].
// Zero strides, dilations and groups mean 1.
type ConvShape struct {
	N, H, W, C           int
	KH, KW, OC           int
	StrideH, StrideW     int
	DilationH, DilationW int
	Groups               int
	Pad                  Padding
}

// normalized returns s with zero strides, dilations and groups set to 1.
func (s ConvShape) normalized() ConvShape {
	one := func(v *int) {
		if *v == 0 {
			*v = 1
		}
	}
	one(&s.StrideH)
	one(&s.StrideW)
	one(&s.DilationH)
	one(&s.DilationW)
	one(&s.Groups)
	return s
}

// Out returns the output height and width.
func (s ConvShape) Out() (oh, ow int) {
	s = s.normalized()
	oh = OutSize(s.H, s.Pad.Top, s.Pad.Bottom, s.KH, s.StrideH, s.DilationH)
	ow = OutSize(s.W, s.Pad.Left, s.Pad.Right, s.KW, s.StrideW, s.DilationW)
	return oh, ow
}

// InLen, FilterLen and OutLen are the element counts of the input, the
// filter and the output.
func (s ConvShape) InLen() int { return s.N * s.H * s.W * s.C }

// FilterLen is KH*KW*(C/G)*OC.
func (s ConvShape) FilterLen() int {
	s = s.normalized()
	return s.KH * s.KW * (s.C / s.Groups) * s.OC
}

// OutLen is N*OH*OW*OC.
func (s ConvShape) OutLen() int {
	oh, ow := s.Out()
	return s.N * oh * ow * s.OC
}

// FLOPs counts multiply-adds as two operations: 2*N*OH*OW*OC*KH*KW*C/G.
func (s ConvShape) FLOPs() int64 {
	s = s.normalized()
	oh, ow := s.Out()
	return 2 * int64(s.N) * int64(oh) * int64(ow) * int64(s.OC) * int64(s.KH*s.KW*(s.C/s.Groups))
}

// Validate reports the first inconsistent field of s.
func (s ConvShape) Validate() error {
	s = s.normalized()
	const op = "conv2d"
	switch {
	case s.N < 1 || s.H < 1 || s.W < 1 || s.C < 1:
		return errors.New("kernel: " + op + ": input shape [N H W C] must be positive, got [" + msg.Int(s.N) + " " + msg.Int(s.H) + " " + msg.Int(s.W) + " " + msg.Int(s.C) + "]")
	case s.KH < 1 || s.KW < 1 || s.OC < 1:
		return errors.New("kernel: " + op + ": filter shape [KH KW OC] must be positive, got [" + msg.Int(s.KH) + " " + msg.Int(s.KW) + " " + msg.Int(s.OC) + "]")
	case s.StrideH < 1 || s.StrideW < 1:
		return errors.New("kernel: " + op + ": strides must be positive, got [" + msg.Int(s.StrideH) + " " + msg.Int(s.StrideW) + "]")
	case s.DilationH < 1 || s.DilationW < 1:
		return errors.New("kernel: " + op + ": dilations must be positive, got [" + msg.Int(s.DilationH) + " " + msg.Int(s.DilationW) + "]")
	case s.Groups < 1 || s.C%s.Groups != 0 || s.OC%s.Groups != 0:
		return errors.New("kernel: " + op + ": groups = " + msg.Int(s.Groups) + " must divide input channels " + msg.Int(s.C) + " and output channels " + msg.Int(s.OC))
	}
	if err := s.Pad.validate(op); err != nil {
		return err
	}
	if oh, ow := s.Out(); oh < 1 || ow < 1 {
		return errors.New("kernel: " + op + ": output is empty (" + msg.Int(oh) + "×" + msg.Int(ow) + "): the dilated " + msg.Int(s.KH) + "×" + msg.Int(s.KW) + " filter does not fit the padded " + msg.Int(s.H) + "×" + msg.Int(s.W) + " input")
	}
	return nil
}

// PoolShape is the geometry of one tf.nn.max_pool or tf.nn.avg_pool call with
// explicit padding: input [N, H, W, C], window KH×KW, output [N, OH, OW, C].
// Zero strides mean 1.
type PoolShape struct {
	N, H, W, C       int
	KH, KW           int
	StrideH, StrideW int
	Pad              Padding
}

func (s PoolShape) normalized() PoolShape {
	if s.StrideH == 0 {
		s.StrideH = 1
	}
	if s.StrideW == 0 {
		s.StrideW = 1
	}
	return s
}

// Out returns the output height and width.
func (s PoolShape) Out() (oh, ow int) {
	s = s.normalized()
	return OutSize(s.H, s.Pad.Top, s.Pad.Bottom, s.KH, s.StrideH, 1),
		OutSize(s.W, s.Pad.Left, s.Pad.Right, s.KW, s.StrideW, 1)
}

// InLen is N*H*W*C.
func (s PoolShape) InLen() int { return s.N * s.H * s.W * s.C }

// OutLen is N*OH*OW*C.
func (s PoolShape) OutLen() int {
	oh, ow := s.Out()
	return s.N * oh * ow * s.C
}

// Validate reports the first inconsistent field of s. TensorFlow also
// requires every window to hold at least one real cell: padding must be
// smaller than the window.
func (s PoolShape) Validate(op string) error {
	s = s.normalized()
	switch {
	case s.N < 1 || s.H < 1 || s.W < 1 || s.C < 1:
		return errors.New("kernel: " + op + ": input shape [N H W C] must be positive, got [" + msg.Int(s.N) + " " + msg.Int(s.H) + " " + msg.Int(s.W) + " " + msg.Int(s.C) + "]")
	case s.KH < 1 || s.KW < 1:
		return errors.New("kernel: " + op + ": window size must be positive, got [" + msg.Int(s.KH) + " " + msg.Int(s.KW) + "]")
	case s.StrideH < 1 || s.StrideW < 1:
		return errors.New("kernel: " + op + ": strides must be positive, got [" + msg.Int(s.StrideH) + " " + msg.Int(s.StrideW) + "]")
	}
	if err := s.Pad.validate(op); err != nil {
		return err
	}
	if max(s.Pad.Top, s.Pad.Bottom) >= s.KH || max(s.Pad.Left, s.Pad.Right) >= s.KW {
		return errors.New("kernel: " + op + ": padding " + paddingText(s.Pad) + " must be smaller than the " + msg.Int(s.KH) + "×" + msg.Int(s.KW) + " window")
	}
	if oh, ow := s.Out(); oh < 1 || ow < 1 {
		return errors.New("kernel: " + op + ": output is empty (" + msg.Int(oh) + "×" + msg.Int(ow) + "): the " + msg.Int(s.KH) + "×" + msg.Int(s.KW) + " window does not fit the padded " + msg.Int(s.H) + "×" + msg.Int(s.W) + " input")
	}
	return nil
}

// checkLen reports a buffer shorter than want elements.
func checkLen(op, name string, got, want int) error {
	if got < want {
		return errors.New("kernel: " + op + ": len(" + name + ") = " + msg.Int(got) + ", want at least " + msg.Int(want))
	}
	return nil
}

// roundUp returns x rounded up to a multiple of to.
func roundUp(x, to int) int { return (x + to - 1) / to * to }
