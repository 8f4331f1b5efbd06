package ui

import (
	"strings"
	"testing"
)

// TestWindowSize checks output sizes and padding worked by hand from
// TensorFlow's rules (and AlexNet's published shapes).
func TestWindowSize(t *testing.T) {
	for _, c := range []struct {
		w                  Window
		out, before, after int
	}{
		{Window{In: 227, Kernel: 11, Stride: 4, Dilation: 1, Padding: Valid}, 55, 0, 0}, // (227 − 11)/4 + 1
		{Window{In: 55, Kernel: 3, Stride: 2, Dilation: 1, Padding: Valid}, 27, 0, 0},   // AlexNet's pool1
		{Window{In: 27, Kernel: 5, Stride: 1, Dilation: 1, Padding: Same}, 27, 2, 2},    // conv2: 4 padding cells
		{Window{In: 7, Kernel: 3, Stride: 2, Dilation: 1, Padding: Valid}, 3, 0, 0},     // stride 2 does not halve 7
		{Window{In: 7, Kernel: 3, Stride: 2, Dilation: 1, Padding: Same}, 4, 1, 1},      // ⌈7/2⌉; 3·2 + 3 − 7 = 2
		{Window{In: 6, Kernel: 3, Stride: 2, Dilation: 1, Padding: Same}, 3, 0, 1},      // 2·2 + 3 − 6 = 1: the odd cell after
		{Window{In: 5, Kernel: 7, Stride: 1, Dilation: 1, Padding: Same}, 5, 3, 3},      // SAME always fits
		{Window{In: 5, Kernel: 3, Stride: 1, Dilation: 1, Padding: Explicit, Before: 1, After: 1}, 5, 1, 1},
		{Window{In: 5, Kernel: 3, Stride: 1, Dilation: 2, Padding: Valid}, 1, 0, 0},   // span 5
		{Window{In: 9, Kernel: 3, Stride: 2, Dilation: 2, Padding: Same}, 5, 2, 2},    // 4·2 + 5 − 9 = 4
		{Window{In: 4, Kernel: 3, Stride: 1, Dilation: 1, Padding: Same}, 4, 1, 1},    // the note's 4×4×3 example
		{Window{In: 28, Kernel: 2, Stride: 2, Dilation: 1, Padding: Valid}, 14, 0, 0}, // seednet's pool
	} {
		out, before, after, err := c.w.Size()
		if err != nil || out != c.out || before != c.before || after != c.after {
			t.Errorf("%+v.Size() = %d, %d, %d, %v; want %d, %d, %d", c.w, out, before, after, err, c.out, c.before, c.after)
		}
	}
}

func TestWindowInvalid(t *testing.T) {
	for _, c := range []struct {
		w    Window
		want string
	}{
		{Window{In: 5, Kernel: 7, Stride: 1, Dilation: 1, Padding: Valid}, "The 7-cell kernel is larger than the input (5 cells)"},
		{Window{In: 2, Kernel: 5, Stride: 1, Dilation: 1, Padding: Explicit, Before: 1, After: 1}, "larger than the padded input (2 + 2 = 4 cells)"},
		{Window{In: 4, Kernel: 3, Stride: 1, Dilation: 2, Padding: Valid}, "With dilation 2 the 3-cell kernel spans 5 cells, more than the input (4 cells)"},
		{Window{In: 4, Kernel: 3, Stride: 0, Dilation: 1, Padding: Valid}, "stride must be at least 1"},
		{Window{In: 4, Kernel: 3, Stride: 1, Dilation: 1, Padding: Explicit, Before: -1}, "negative"},
	} {
		if _, _, _, err := c.w.Size(); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v.Size() error = %v, want one containing %q", c.w, err, c.want)
		}
		if f := c.w.Formula(); f != "" {
			t.Errorf("%+v.Formula() = %q for an invalid window", c.w, f)
		}
	}
}

func TestWindowFormula(t *testing.T) {
	for _, c := range []struct {
		w    Window
		want string
	}{
		{Window{In: 227, Kernel: 11, Stride: 4, Dilation: 1, Padding: Valid}, "out = ⌊(in − kernel) / stride⌋ + 1 = ⌊(227 − 11) / 4⌋ + 1 = 55"},
		{Window{In: 7, Kernel: 3, Stride: 2, Dilation: 1, Padding: Same},
			"out = ⌈in / stride⌉ = ⌈7 / 2⌉ = 4; padding = max((out − 1)·stride + kernel − in, 0) = max(3·2 + 3 − 7, 0) = 2: 1 before, 1 after"},
		{Window{In: 5, Kernel: 3, Stride: 1, Dilation: 1, Padding: Explicit, Before: 2, After: 1},
			"out = ⌊(in + before + after − kernel) / stride⌋ + 1 = ⌊(5 + 2 + 1 − 3) / 1⌋ + 1 = 6"},
		{Window{In: 9, Kernel: 3, Stride: 2, Dilation: 2, Padding: Valid},
			"window span = dilation·(kernel − 1) + 1 = 2·(3 − 1) + 1 = 5; out = ⌊(in − span) / stride⌋ + 1 = ⌊(9 − 5) / 2⌋ + 1 = 3"},
	} {
		if got := c.w.Formula(); got != c.want {
			t.Errorf("%+v.Formula() =\n%q, want\n%q", c.w, got, c.want)
		}
	}
}

func TestWindowWarnings(t *testing.T) {
	if w := (Window{In: 9, Kernel: 2, Stride: 3, Dilation: 1, Padding: Valid}).Warnings(); len(w) != 1 || !strings.Contains(w[0], "never read") {
		t.Errorf("stride 3 over a 2-cell kernel: warnings %q", w)
	}
	if w := (Window{In: 5, Kernel: 2, Stride: 1, Dilation: 1, Padding: Explicit, Before: 2, After: 0}).Warnings(); len(w) != 1 || !strings.Contains(w[0], "only padding") {
		t.Errorf("padding 2 around a 2-cell kernel: warnings %q", w)
	}
	if w := (Window{In: 7, Kernel: 3, Stride: 2, Dilation: 1, Padding: Same}).Warnings(); len(w) != 0 {
		t.Errorf("an ordinary window: warnings %q", w)
	}
}

// windows counts the positions of a span-cell window moved stride cells at
// a time that fit in padded cells: the slow, obvious way to an output size.
func windows(padded, span, stride int) int {
	n := 0
	for start := 0; start+span <= padded; start += stride {
		n++
	}
	return n
}

// TestWindowSizeByCounting checks Size against counted windows for every
// setting the playground offers, and SAME's padding for being the least
// that gives ⌈in / stride⌉ outputs, split with the odd cell after.
func TestWindowSizeByCounting(t *testing.T) {
	for in := 1; in <= 12; in++ {
		for k := 1; k <= 7; k++ {
			for s := 1; s <= 4; s++ {
				for d := 1; d <= 3; d++ {
					for p := 0; p <= 3; p++ {
						w := Window{In: in, Kernel: k, Stride: s, Dilation: d, Padding: Explicit, Before: p, After: p}
						if p == 0 {
							w.Padding = Valid
						}
						out, _, _, err := w.Size()
						if want := windows(in+2*p, w.Span(), s); out != want || (err != nil) != (want == 0) {
							t.Errorf("%+v.Size() = %d, %v; counted %d windows", w, out, err, want)
						}
					}
					w := Window{In: in, Kernel: k, Stride: s, Dilation: d, Padding: Same}
					out, before, after, err := w.Size()
					total := before + after
					if err != nil || out != (in+s-1)/s || windows(in+total, w.Span(), s) != out || after-before < 0 || after-before > 1 ||
						total > 0 && windows(in+total-1, w.Span(), s) >= out {
						t.Errorf("%+v.Size() = %d, %d, %d, %v", w, out, before, after, err)
					}
				}
			}
		}
	}
}
