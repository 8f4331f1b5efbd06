package kernel

// poolWindow returns the rows [y0, y1) and columns [x0, x1) of the input
// that the window of output cell (oy, ox) covers, clipped to the input.
func poolWindow(s PoolShape, oy, ox int) (y0, y1, x0, x1 int) {
	y0 = oy*s.StrideH - s.Pad.Top
	x0 = ox*s.StrideW - s.Pad.Left
	return max(y0, 0), min(y0+s.KH, s.H), max(x0, 0), min(x0+s.KW, s.W)
}

// maxPoolGeneric computes MaxPool: each output row of C channels starts as
// the window's first real cell and takes the elementwise maximum of the rest.
// A NaN in the window gives an unspecified result, as in TensorFlow.
func maxPoolGeneric(dst, x []float32, s PoolShape) {
	oh, ow := s.Out()
	c := s.C
	for n := range s.N {
		img := x[n*s.H*s.W*c : (n+1)*s.H*s.W*c]
		for oy := range oh {
			for ox := range ow {
				o := (n*oh*ow + oy*ow + ox) * c
				out := dst[o : o+c]
				y0, y1, x0, x1 := poolWindow(s, oy, ox)
				first := true
				for iy := y0; iy < y1; iy++ {
					for ix := x0; ix < x1; ix++ {
						in := img[(iy*s.W+ix)*c : (iy*s.W+ix+1)*c]
						if first {
							copy(out, in)
							first = false
							continue
						}
						in = in[:len(out)]
						for ch, v := range in {
							out[ch] = max32(out[ch], v)
						}
					}
				}
			}
		}
	}
}

// avgPoolGeneric computes AvgPool: the window's sum divided by its number of
// real cells.
func avgPoolGeneric(dst, x []float32, s PoolShape) {
	oh, ow := s.Out()
	c := s.C
	for n := range s.N {
		img := x[n*s.H*s.W*c : (n+1)*s.H*s.W*c]
		for oy := range oh {
			for ox := range ow {
				o := (n*oh*ow + oy*ow + ox) * c
				out := dst[o : o+c]
				clear(out)
				y0, y1, x0, x1 := poolWindow(s, oy, ox)
				for iy := y0; iy < y1; iy++ {
					for ix := x0; ix < x1; ix++ {
						in := img[(iy*s.W+ix)*c : (iy*s.W+ix+1)*c]
						in = in[:len(out)]
						for ch, v := range in {
							out[ch] += v
						}
					}
				}
				count := float32((y1 - y0) * (x1 - x0))
				for ch := range out {
					out[ch] /= count
				}
			}
		}
	}
}
