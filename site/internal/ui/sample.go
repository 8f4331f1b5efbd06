package ui

import "errors"

// Sample is the site's bundled sample of MNIST test images
// (site/static/mnist-sample.bin, written by tools/mnistsample).
type Sample struct {
	N, Rows, Cols int
	Labels        []byte // [N], 0–9
	Index         []int  // [N], each image's index in the MNIST test set
	Pixels        []byte // [N, Rows, Cols], 0 = background, 255 = full ink
}

// ParseSample decodes a sample file: "MNS1", uint16 n, uint8 rows and
// cols, n labels, n uint16 test-set indices, then n·rows·cols pixels (all
// little-endian). The length is checked against the header before
// anything is sliced; labels must be 0–9.
func ParseSample(b []byte) (Sample, error) {
	if len(b) < 8 || string(b[:4]) != "MNS1" {
		return Sample{}, errors.New("mnist sample: not a sample file (want the magic MNS1)")
	}
	n, rows, cols := int(b[4])|int(b[5])<<8, int(b[6]), int(b[7])
	if n == 0 || rows == 0 || cols == 0 {
		return Sample{}, errors.New("mnist sample: no images")
	}
	if len(b) != 8+n*(3+rows*cols) {
		return Sample{}, errors.New("mnist sample: the file has the wrong length for its header")
	}
	s := Sample{N: n, Rows: rows, Cols: cols, Labels: b[8 : 8+n], Index: make([]int, n), Pixels: b[8+3*n:]}
	for i, l := range s.Labels {
		if l > 9 {
			return Sample{}, errors.New("mnist sample: a label is not a digit 0–9")
		}
		s.Index[i] = int(b[8+n+2*i]) | int(b[8+n+2*i+1])<<8
	}
	return s, nil
}

// Image writes image i into dst[:Rows*Cols] as pixel·scale, the network
// input of a model whose weight file says preprocess scale (1/255 for
// the site's MNIST models, as `fm eval` feeds them).
func (s Sample) Image(dst []float32, i int, scale float32) {
	size := s.Rows * s.Cols
	for j, p := range s.Pixels[i*size : (i+1)*size] {
		dst[j] = float32(p) * scale
	}
}
