package mnist

import (
	"bytes"
	"testing"
)

// FuzzReadIDX: readIDX never panics, and what it accepts has the sizes it
// reports.
func FuzzReadIDX(f *testing.F) {
	f.Add(idx(3, []uint32{1, 2, 3}, []byte{1, 2, 3, 4, 5, 6}))
	f.Add(idx(3, []uint32{0xffffffff, 1, 1}, nil))
	f.Add(idx(1, []uint32{2}, []byte{7, 9}))
	f.Fuzz(func(t *testing.T, in []byte) {
		for _, ndim := range []int{1, 3} {
			dims, data, err := readIDX(bytes.NewReader(in), ndim)
			if err != nil {
				continue
			}
			n := 1
			for _, d := range dims {
				n *= d
			}
			if len(dims) != ndim || len(data) != n || len(in) != 4+4*ndim+n {
				t.Fatalf("dims %v, %d data bytes from %d input bytes", dims, len(data), len(in))
			}
		}
	})
}
