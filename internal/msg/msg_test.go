package msg

import (
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"testing"
)

// fmt is the oracle: every helper must write what the verb it stands for
// writes.
func TestFormatsLikeFmt(t *testing.T) {
	for _, s := range [][]int{nil, {}, {7}, {1, 28, 28, 1}, {-3, 0, math.MaxInt}} {
		if got, want := Ints(s), fmt.Sprintf("%v", s); got != want {
			t.Errorf("Ints(%#v) = %q, want %q", s, got, want)
		}
	}
	for _, s := range [][]int64{nil, {}, {-1}, {1, 3, math.MinInt64, math.MaxInt64}} {
		if got, want := Int64s(s), fmt.Sprintf("%v", s); got != want {
			t.Errorf("Int64s(%#v) = %q, want %q", s, got, want)
		}
	}
	for _, s := range [][]uint64{nil, {}, {0}, {3, 3, 1, 64, math.MaxUint64}} {
		if got, want := Uint64s(s), fmt.Sprintf("%v", s); got != want {
			t.Errorf("Uint64s(%#v) = %q, want %q", s, got, want)
		}
	}
	floats := []float32{0, float32(math.Copysign(0, -1)), 0.5, 1, 1e-7, 1e21, 123456789, 0.003921569, float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.NaN()), math.MaxFloat32, math.SmallestNonzeroFloat32}
	for _, v := range floats {
		if got, want := Float32(v), fmt.Sprintf("%g", v); got != want {
			t.Errorf("Float32(%v) = %q, want %q", v, got, want)
		}
		if got, want := Float(float64(v)/3, 64), fmt.Sprintf("%g", float64(v)/3); got != want {
			t.Errorf("Float(%v, 64) = %q, want %q", float64(v)/3, got, want)
		}
	}
	if got, want := Float32s(floats), fmt.Sprintf("%v", floats); got != want {
		t.Errorf("Float32s = %q, want %q", got, want)
	}
	for _, s := range [][]string{nil, {"a"}, {"conv2d", "", "max pool"}} {
		if got, want := Strings(s), fmt.Sprintf("%v", s); got != want {
			t.Errorf("Strings(%q) = %q, want %q", s, got, want)
		}
	}
	if got, want := Int(-42), fmt.Sprintf("%d", -42); got != want {
		t.Errorf("Int = %q, want %q", got, want)
	}
}

func TestWrap(t *testing.T) {
	err := Wrap("model: tensor \"x\": ", io.ErrUnexpectedEOF)
	if want := fmt.Errorf("model: tensor %q: %w", "x", io.ErrUnexpectedEOF); err.Error() != want.Error() {
		t.Errorf("Wrap = %q, want %q", err, want)
	}
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Error("Wrap does not unwrap to its error")
	}
}

func TestSort(t *testing.T) {
	for _, s := range [][]string{nil, {"b"}, {"relu", "conv2d", "dense", "batchnorm", "concat", "dropout", "flatten", "lrn", "maxpool", "avgpool", "softmax", "relu"}, {"é", "e", "E", ""}} {
		got, want := slices.Clone(s), slices.Clone(s)
		Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("Sort(%q) = %q, want %q", s, got, want)
		}
	}
}
