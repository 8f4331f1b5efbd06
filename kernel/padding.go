package kernel

import (
	"errors"

	"github.com/featuremap/featuremap/internal/msg"
)

// Padding is an explicit zero-padding of the two spatial dimensions, in cells.
type Padding struct {
	Top, Bottom, Left, Right int
}

// SamePadding returns TensorFlow's "SAME" output size and padding for one
// dimension of size in, with window k, stride s and dilation d:
//
//	out   = ceil(in / s)
//	total = max((out-1)*s + (k-1)*d + 1 - in, 0)
//	before = total / 2, after = total - before   (the extra cell goes after)
func SamePadding(in, k, s, d int) (out, before, after int) {
	out = (in + s - 1) / s
	total := max((out-1)*s+(k-1)*d+1-in, 0)
	return out, total / 2, total - total/2
}

// OutSize returns the output size of one dimension of size in, padded by
// before and after, for window k, stride s and dilation d (TensorFlow
// "VALID" when before = after = 0):
//
//	out = floor((in + before + after - (k-1)*d - 1) / s) + 1
//
// It returns 0 when the dilated window does not fit.
func OutSize(in, before, after, k, s, d int) int {
	span := in + before + after - (k-1)*d
	if span <= 0 {
		return 0
	}
	return (span-1)/s + 1
}

// SamePadding2D returns the "SAME" padding of an H×W input for a KH×KW window
// with strides SH, SW and dilations DH, DW.
func SamePadding2D(h, w, kh, kw, sh, sw, dh, dw int) Padding {
	_, t, b := SamePadding(h, kh, sh, dh)
	_, l, r := SamePadding(w, kw, sw, dw)
	return Padding{Top: t, Bottom: b, Left: l, Right: r}
}

func (p Padding) validate(op string) error {
	if p.Top < 0 || p.Bottom < 0 || p.Left < 0 || p.Right < 0 {
		return errors.New("kernel: " + op + ": padding must not be negative, got " + paddingText(p))
	}
	return nil
}

// paddingText formats p as fmt's %+v does: "{Top:1 Bottom:1 Left:0 Right:0}".
func paddingText(p Padding) string {
	return "{Top:" + msg.Int(p.Top) + " Bottom:" + msg.Int(p.Bottom) + " Left:" + msg.Int(p.Left) + " Right:" + msg.Int(p.Right) + "}"
}
