package kernel

import "testing"

// TestPackedBytes checks the sizes known before packing against what
// packing then holds, around the SIMD tiles' edges (OC/G and M below, at
// and above a tile, grouped and not).
func TestPackedBytes(t *testing.T) {
	for _, s := range []ConvShape{
		{N: 3, H: 5, W: 5, C: 1, KH: 3, KW: 3, OC: 1},
		{H: 6, W: 7, C: 4, KH: 2, KW: 3, OC: 12, Groups: 2, StrideH: 2},
		{H: 4, W: 4, C: 6, KH: 1, KW: 1, OC: 13},
		{H: 9, W: 9, C: 3, KH: 3, KW: 3, OC: 64, DilationH: 2, DilationW: 2, Groups: 1},
		{H: 13, W: 13, C: 256, KH: 3, KW: 3, OC: 384, Groups: 2},
	} {
		f, err := PackConv(make([]float32, s.normalized().FilterLen()), s)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := s.PackedBytes(), int64(f.Bytes()); got != want {
			t.Errorf("%+v: PackedBytes = %d, PackConv holds %d", s, got, want)
		}
	}
	for _, km := range [][2]int{{1, 1}, {5, 3}, {7, 16}, {9, 17}, {64, 100}, {300, 1000}} {
		k, m := km[0], km[1]
		pd, err := PackDense(make([]float32, k*m), k, m)
		if err != nil {
			t.Fatal(err)
		}
		q, err := PackDenseInt8(make([]int8, k*m), make([]float32, m), k, m)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := PackedDenseBytes(k, m, false), int64(pd.Bytes()); got != want {
			t.Errorf("[%d %d] float32: PackedDenseBytes = %d, PackDense holds %d", k, m, got, want)
		}
		if got, want := PackedDenseBytes(k, m, true), int64(q.Bytes()); got != want {
			t.Errorf("[%d %d] int8: PackedDenseBytes = %d, PackDenseInt8 holds %d", k, m, got, want)
		}
	}
}
