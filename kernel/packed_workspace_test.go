package kernel

import "testing"

// TestPackedWorkspaceLen: the lengths known before packing equal the packed
// forms' own, for every variant's shapes the real models use.
func TestPackedWorkspaceLen(t *testing.T) {
	for _, s := range []ConvShape{
		{N: 1, H: 28, W: 28, C: 1, KH: 3, KW: 3, OC: 64, StrideH: 1, StrideW: 1, Pad: SamePadding2D(28, 28, 3, 3, 1, 1, 1, 1)},
		{N: 3, H: 13, W: 13, C: 48, KH: 5, KW: 5, OC: 128, StrideH: 1, StrideW: 1, Groups: 2, Pad: SamePadding2D(13, 13, 5, 5, 1, 1, 1, 1)},
		{N: 2, H: 6, W: 6, C: 8, KH: 1, KW: 1, OC: 4, StrideH: 1, StrideW: 1},
	} {
		p, err := PackConv(make([]float32, s.FilterLen()), s)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := s.PackedWorkspaceLen(), p.WorkspaceLen(s.N); got != want {
			t.Errorf("%+v: PackedWorkspaceLen %d, packed filter's %d", s, got, want)
		}
	}
	for _, d := range [][3]int{{1, 12544, 10}, {64, 1152, 512}, {2, 9216, 40}} {
		n, k, m := d[0], d[1], d[2]
		pf, err := PackDense(make([]float32, k*m), k, m)
		if err != nil {
			t.Fatal(err)
		}
		pq, err := PackDenseInt8(make([]int8, k*m), make([]float32, m), k, m)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := PackedDenseWorkspaceLen(n, k, m, false), pf.WorkspaceLen(n); got != want {
			t.Errorf("float32 %v: %d, packed %d", d, got, want)
		}
		if got, want := PackedDenseWorkspaceLen(n, k, m, true), pq.WorkspaceLen(n); got != want {
			t.Errorf("int8 %v: %d, packed %d", d, got, want)
		}
	}
}
