package preprocess

import (
	"testing"
)

// FuzzMNISTPixels: any raw buffer either is rejected or gives a field of
// values in [0, 1]. (The peak is not always 1: like MNIST, placement by
// centre of mass may push part of a lopsided digit out of the field, as in
// testdata/fuzz/FuzzMNISTPixels/59de9324492cf25a.)
func FuzzMNISTPixels(f *testing.F) {
	f.Add([]byte{0, 255, 0, 0}, 2, 1)
	f.Add([]byte{255, 255, 255, 255, 0, 0, 0, 255, 9, 9, 9, 0}, 3, 4)
	f.Add(make([]byte, 9), 3, 1)
	f.Fuzz(func(t *testing.T, pix []byte, width, channels int) {
		if width <= 0 || channels <= 0 || len(pix)%(width*channels) != 0 {
			return
		}
		dst := make([]float32, Side*Side)
		if err := MNISTPixels(dst, pix, width, len(pix)/(width*channels), channels); err != nil {
			return
		}
		for i, v := range dst {
			if !(v >= 0 && v <= 1) {
				t.Fatalf("dst[%d] = %v outside [0, 1]", i, v)
			}
		}
	})
}
