package ui

import (
	"errors"
	"strconv"
	"strings"
)

// Padding modes of a Window, as tf.nn.conv2d names them (Explicit takes
// Before and After cells).
const (
	Valid    = "VALID"
	Same     = "SAME"
	Explicit = "EXPLICIT"
)

// Window is one spatial dimension of a convolution or pooling window: an
// input of In cells, a kernel of Kernel cells Dilation apart, moved Stride
// cells at a time, with Padding. The explainer shows its output size as a
// formula with the learner's numbers, worked here rather than asked of the
// engine, so that the page's arithmetic and fm.ops check each other.
type Window struct {
	In, Kernel, Stride, Dilation int
	Padding                      string
	Before, After                int // Explicit padding cells
}

// Span is the number of input cells one window covers,
// dilation·(kernel − 1) + 1.
func (w Window) Span() int { return w.Dilation*(w.Kernel-1) + 1 }

// Size is the window's output size and the padding cells before and after
// the input (TensorFlow's rules: SAME gives ⌈in / stride⌉ outputs with
// max((out − 1)·stride + span − in, 0) padding cells, the odd one after;
// VALID and explicit padding give ⌊(in + before + after − span) / stride⌋ + 1).
// The error says, in a learner's words, why no output exists.
func (w Window) Size() (out, before, after int, err error) {
	switch {
	case w.In < 1:
		return 0, 0, 0, errors.New("the input needs at least 1 cell")
	case w.Kernel < 1:
		return 0, 0, 0, errors.New("the kernel needs at least 1 cell")
	case w.Stride < 1:
		return 0, 0, 0, errors.New("the stride must be at least 1")
	case w.Dilation < 1:
		return 0, 0, 0, errors.New("the dilation must be at least 1 (1 means no gaps)")
	}
	switch w.Padding {
	case Same:
		out = (w.In + w.Stride - 1) / w.Stride
		total := max((out-1)*w.Stride+w.Span()-w.In, 0)
		return out, total / 2, total - total/2, nil
	case Valid:
	case Explicit:
		if w.Before < 0 || w.After < 0 {
			return 0, 0, 0, errors.New("padding cannot be negative")
		}
		before, after = w.Before, w.After
	default:
		return 0, 0, 0, errors.New("padding must be VALID, SAME or explicit cells")
	}
	padded := w.In + before + after
	if w.Span() > padded {
		kernel := "The " + strconv.Itoa(w.Kernel) + "-cell kernel is larger than "
		if w.Dilation > 1 {
			kernel = "With dilation " + strconv.Itoa(w.Dilation) + " the " + strconv.Itoa(w.Kernel) + "-cell kernel spans " + strconv.Itoa(w.Span()) + " cells, more than "
		}
		input := "the input (" + strconv.Itoa(w.In) + " cells)"
		if before+after > 0 {
			input = "the padded input (" + strconv.Itoa(w.In) + " + " + strconv.Itoa(before+after) + " = " + strconv.Itoa(padded) + " cells)"
		}
		return 0, before, after, errors.New(kernel + input + ": not one window fits, so there is no output. Use a smaller kernel or dilation, or pad the input.")
	}
	return (padded-w.Span())/w.Stride + 1, before, after, nil
}

// Warnings are valid but surprising settings, in a learner's words.
func (w Window) Warnings() []string {
	var out []string
	if w.Stride > w.Span() {
		out = append(out, "The stride ("+strconv.Itoa(w.Stride)+") is larger than the window ("+strconv.Itoa(w.Span())+" cells): some input cells are never read.")
	}
	if w.Padding == Explicit && max(w.Before, w.After) >= w.Span() {
		out = append(out, "The padding is as wide as the window: the windows at the edge see only padding zeros.")
	}
	return out
}

// Formula is the output-size computation with w's numbers, ending in
// "= out", for example "⌊(7 − 3) / 2⌋ + 1 = 3" (VALID) or "⌈7 / 2⌉ = 4"
// (SAME); with a dilation it first works out the span. It is empty when
// Size fails.
func (w Window) Formula() string {
	out, before, after, err := w.Size()
	if err != nil {
		return ""
	}
	var b strings.Builder
	span := strconv.Itoa(w.Span())
	if w.Dilation > 1 {
		b.WriteString("window span = dilation·(kernel − 1) + 1 = " + strconv.Itoa(w.Dilation) + "·(" + strconv.Itoa(w.Kernel) + " − 1) + 1 = " + span + "; ")
	}
	in, s := strconv.Itoa(w.In), strconv.Itoa(w.Stride)
	k := "kernel"
	if w.Dilation > 1 {
		k = "span"
	}
	if w.Padding == Same {
		b.WriteString("out = ⌈in / stride⌉ = ⌈" + in + " / " + s + "⌉ = " + strconv.Itoa(out))
		b.WriteString("; padding = max((out − 1)·stride + " + k + " − in, 0) = max(" + strconv.Itoa(out-1) + "·" + s + " + " + span + " − " + in + ", 0) = " +
			strconv.Itoa(before+after) + ": " + strconv.Itoa(before) + " before, " + strconv.Itoa(after) + " after")
		return b.String()
	}
	b.WriteString("out = ⌊(in")
	if w.Padding == Explicit {
		b.WriteString(" + before + after")
	}
	b.WriteString(" − " + k + ") / stride⌋ + 1 = ⌊(" + in)
	if w.Padding == Explicit {
		b.WriteString(" + " + strconv.Itoa(before) + " + " + strconv.Itoa(after))
	}
	b.WriteString(" − " + span + ") / " + s + "⌋ + 1 = " + strconv.Itoa(out))
	return b.String()
}
