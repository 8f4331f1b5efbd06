package kernel

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// refConcat is tf.concat along axis of NHWC-style shapes, indexed element by
// element: the output index (i0 … ir) reads input k at the same index with
// i_axis shifted by the sizes of the inputs before k.
func refConcat(xs [][]float32, shapes [][]int, axis int) ([]float32, []int) {
	out := slices.Clone(shapes[0])
	for _, s := range shapes[1:] {
		out[axis] += s[axis]
	}
	n := 1
	for _, d := range out {
		n *= d
	}
	y := make([]float32, n)
	idx := make([]int, len(out))
	for i := range y {
		r := i
		for a := len(out) - 1; a >= 0; a-- {
			idx[a] = r % out[a]
			r /= out[a]
		}
		k, at := 0, idx[axis]
		for at >= shapes[k][axis] {
			at -= shapes[k][axis]
			k++
		}
		flat := 0
		for a, d := range shapes[k] {
			v := idx[a]
			if a == axis {
				v = at
			}
			flat = flat*d + v
		}
		y[i] = xs[k][flat]
	}
	return y, out
}

// concatArgs returns Concat's outer and widths for tf.concat along axis.
func concatArgs(shapes [][]int, axis int) (int, []int) {
	outer := 1
	for _, d := range shapes[0][:axis] {
		outer *= d
	}
	widths := make([]int, len(shapes))
	for k, s := range shapes {
		widths[k] = 1
		for _, d := range s[axis:] {
			widths[k] *= d
		}
	}
	return outer, widths
}

func TestConcatSplit(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 2026))
	for _, tc := range []struct {
		shapes [][]int
		axis   int
	}{
		{[][]int{{2, 3, 3, 4}, {2, 3, 3, 5}}, 3},
		{[][]int{{2, 3, 3, 1}, {2, 3, 3, 2}, {2, 3, 3, 7}}, 3},
		{[][]int{{2, 3, 4, 2}, {2, 3, 1, 2}}, 2},
		{[][]int{{1, 2, 2, 3}, {1, 5, 2, 3}}, 1},
		{[][]int{{2, 4}, {3, 4}}, 0},
		{[][]int{{6}}, 0},
	} {
		xs := make([][]float32, len(tc.shapes))
		for k, s := range tc.shapes {
			n := 1
			for _, d := range s {
				n *= d
			}
			xs[k] = make([]float32, n)
			for i := range xs[k] {
				xs[k][i] = rng.Float32()*2 - 1
			}
		}
		want, _ := refConcat(xs, tc.shapes, tc.axis)
		outer, widths := concatArgs(tc.shapes, tc.axis)
		const guard = 3
		buf := make([]float32, len(want)+2*guard)
		for i := range buf {
			buf[i] = -7
		}
		dst := buf[guard : guard+len(want)]
		if err := Concat(dst, xs, outer, widths); err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(dst, want) {
			t.Fatalf("Concat %v axis %d = %v, want %v", tc.shapes, tc.axis, dst, want)
		}
		for _, v := range append(buf[:guard:guard], buf[guard+len(want):]...) {
			if v != -7 {
				t.Fatalf("Concat %v axis %d wrote outside dst", tc.shapes, tc.axis)
			}
		}
		// Split undoes Concat, skipping nil parts.
		parts := make([][]float32, len(xs))
		for k := range parts {
			if k != 1 {
				parts[k] = make([]float32, len(xs[k]))
			}
		}
		if err := Split(parts, dst, outer, widths); err != nil {
			t.Fatal(err)
		}
		for k := range parts {
			if parts[k] != nil && !slices.Equal(parts[k], xs[k]) {
				t.Fatalf("Split %v axis %d: part %d = %v, want %v", tc.shapes, tc.axis, k, parts[k], xs[k])
			}
		}
	}
}

func TestConcatErrors(t *testing.T) {
	a, b := make([]float32, 6), make([]float32, 4)
	for _, tc := range []struct {
		err  error
		want string
	}{
		{Concat(make([]float32, 9), [][]float32{a, b}, 2, []int{3, 2}), "kernel: concat: len(dst) = 9, want at least 10"},
		{Concat(make([]float32, 10), [][]float32{a, b[:3]}, 2, []int{3, 2}), "kernel: concat: len(srcs[1]) = 3, want at least 4"},
		{Concat(make([]float32, 10), [][]float32{a, b}, 2, []int{3}), "kernel: concat: need outer ≥ 1 and one width per part"},
		{Concat(make([]float32, 10), nil, 2, nil), "kernel: concat: need outer ≥ 1"},
		{Concat(make([]float32, 10), [][]float32{a, b}, 0, []int{3, 2}), "kernel: concat: need outer ≥ 1"},
		{Concat(make([]float32, 10), [][]float32{a, b}, 2, []int{3, 0}), "kernel: concat: widths[1] = 0"},
		{Concat(make([]float32, 10), [][]float32{a, b}, 2, []int{1 << 62, 1 << 62}), "kernel: concat: widths[0] = 4611686018427387904"},
		{Split([][]float32{a, nil}, make([]float32, 9), 2, []int{3, 2}), "kernel: split: len(src) = 9, want at least 10"},
		{Split([][]float32{a[:5], nil}, make([]float32, 10), 2, []int{3, 2}), "kernel: split: len(dsts[0]) = 5, want at least 6"},
	} {
		if tc.err == nil || !strings.HasPrefix(tc.err.Error(), tc.want) {
			t.Errorf("error = %v, want prefix %q", tc.err, tc.want)
		}
	}
}

func TestConcatNoAllocs(t *testing.T) {
	a, b, dst := make([]float32, 6), make([]float32, 4), make([]float32, 10)
	srcs, widths := [][]float32{a, b}, []int{3, 2}
	if n := testing.AllocsPerRun(10, func() {
		if err := Concat(dst, srcs, 2, widths); err != nil {
			t.Fatal(err)
		}
		if err := Split(srcs, dst, 2, widths); err != nil {
			t.Fatal(err)
		}
	}); n != 0 {
		t.Errorf("Concat and Split allocate %v times, want 0", n)
	}
}
