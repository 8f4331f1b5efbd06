package preprocess

// closing sets dst to the grey-level morphological closing of src, a w×h
// grid, by a (2r+1)×(2r+1) square clipped at the edges: a max filter
// (dilation) then a min filter (erosion), each separable into a row pass
// and a column pass (Soille, "Morphological Image Analysis", 2003, ch. 4).
// On an image whose paper is bright it removes the dark features narrower
// than 2r+1 cells (ink strokes) and keeps what is wider: illumination
// gradients (a linear ramp is kept exactly, away from the edges), vignetting and the edge of a
// shadow; dst estimates the lit paper under the ink. Within r cells of an
// edge the clipped windows overestimate a slope by up to r times it.
//
// tmp1 and tmp2 have at least w×h elements and q at least max(w, h); no
// two of dst, src, tmp1, tmp2 overlap. Each pass is O(w×h) whatever r.
func closing(dst, src, tmp1, tmp2 []float32, q []int32, w, h, r int) {
	runningExtreme(tmp2, src, tmp1, q, w, h, r, true)
	runningExtreme(dst, tmp2, tmp1, q, w, h, r, false)
}

// runningExtreme sets dst[y*w+x] to the maximum (isMax) or minimum of src
// over the window [x-r, x+r]×[y-r, y+r] clipped to the grid, through tmp.
func runningExtreme(dst, src, tmp []float32, q []int32, w, h, r int, isMax bool) {
	for y := range h {
		slidingExtreme(tmp, src, q, y*w, 1, w, r, isMax)
	}
	for x := range w {
		slidingExtreme(dst, tmp, q, x, w, h, r, isMax)
	}
}

// slidingExtreme sets dst[off+i*stride] = extreme of src[off+j*stride] over
// j in [i-r, i+r] ∩ [0, n), for i in [0, n), with a monotonic queue of
// indices (van Herk 1992 gives the same bound with two scans).
func slidingExtreme(dst, src []float32, q []int32, off, stride, n, r int, isMax bool) {
	at := func(j int32) float32 { return src[off+int(j)*stride] }
	head, tail := 0, 0
	next := 0
	for i := range n {
		for ; next < n && next <= i+r; next++ {
			v := src[off+next*stride]
			for tail > head && (isMax && v >= at(q[tail-1]) || !isMax && v <= at(q[tail-1])) {
				tail--
			}
			q[tail] = int32(next)
			tail++
		}
		for int(q[head]) < i-r {
			head++
		}
		dst[off+i*stride] = at(q[head])
	}
}
