//go:build goexperiment.simd && (amd64 || wasm)

package kernel

import "unsafe"

// The direct tile is the GEMM's: directMR pixels are gemmMR tile rows.
const _ = uint(directMR-gemmMR) + uint(gemmMR-directMR)

// directConv returns the direct convolution of the kernel set k for s: the
// SIMD set's, which reads the filter panels packConvSIMD writes, where each
// group's output channels fill whole panels of gemmNR and at most one
// narrow one (gemmNarrow: OC/G a multiple of 4 on wasm, of 8 on amd64).
func directConv(k *kernels, s *ConvShape) directFunc {
	if r := s.OC / s.Groups % gemmNR; k == &simdKernels && (r == 0 || gemmNarrow(r)) {
		return convDirectSIMD
	}
	return nil
}

// convDirectSIMD computes the convolution s (s.directApplies) image by
// image: it copies the image into the zero-padded copy in ws (padImage)
// and, for each group and each panel of gemmNR output channels of the
// filter packed by packConvSIMD (group g's panels at packed[g*L:], L =
// packedBLenSIMD(K, OC/G), panel jr at jr*K within them), runs the
// micro-kernel over every output row: directColumn for whole panels,
// directColumnNarrow for a narrow last one.
func convDirectSIMD(dst, x, packed, bias []float32, s ConvShape, act Activation, ws []float32) {
	oh, ow := s.Out()
	cg, ocg := s.C/s.Groups, s.OC/s.Groups
	kp := s.KH * s.KW * cg
	wp := s.W + s.Pad.Left + s.Pad.Right
	// taps[p] is the byte offset of tap p = (ky*KW+kx)*C/G+ci from the
	// window origin in the padded copy.
	var taps [directMaxK]int
	p := 0
	for ky := range s.KH {
		for kx := range s.KW {
			for ci := range cg {
				taps[p] = 4 * ((ky*s.DilationH*wp+kx*s.DilationW)*s.C + ci)
				p++
			}
		}
	}
	// Byte steps between adjacent output pixels' and output rows' window
	// origins.
	pstep, rstep := 4*s.StrideW*s.C, 4*s.StrideH*wp*s.C
	l := packedBLenSIMD(kp, ocg)
	pad := ws[:directWorkspaceLen(s)]
	relu := act == ReLU
	// Whole panels of gemmNR output channels per group, and the width of
	// the narrow last one (0: none).
	full, nr := ocg/gemmNR, ocg%gemmNR
	for n := range s.N {
		padImage(pad, x[n*s.H*s.W*s.C:(n+1)*s.H*s.W*s.C], &s, wp)
		out := dst[n*oh*ow*s.OC : (n+1)*oh*ow*s.OC]
		for g := range s.Groups {
			xg := unsafe.Pointer(&pad[g*cg])
			bp := unsafe.Pointer(&packed[g*l])
			c := unsafe.Pointer(&out[g*ocg])
			pbias, bstep := unsafe.Pointer(&zeroRun), 0
			if bias != nil {
				pbias, bstep = unsafe.Pointer(&bias[g*ocg]), gemmNR*4
			}
			if nr == 0 {
				directColumn(kp, full, &taps, oh, ow, xg, pstep, rstep, bp, c, s.OC, pbias, bstep, relu)
				continue
			}
			// The narrow panel row by row after the whole ones, while the
			// row is in the cache.
			for oy := range oh {
				xr, cr := unsafe.Add(xg, oy*rstep), unsafe.Add(c, oy*ow*s.OC*4)
				directColumn(kp, full, &taps, 1, ow, xr, pstep, rstep, bp, cr, s.OC, pbias, bstep, relu)
				directColumnNarrow(kp, nr, &taps, 1, ow, xr, pstep, rstep, unsafe.Add(bp, full*kp*gemmNR*4), unsafe.Add(cr, full*gemmNR*4), s.OC, unsafe.Add(pbias, full*bstep), relu)
			}
		}
	}
}

// padImage writes image [H, W, C] into dst [H+Top+Bottom, wp, C] (wp =
// W+Left+Right) at offset (Top, Left) with zeros around it.
func padImage(dst, img []float32, s *ConvShape, wp int) {
	clear(dst)
	for y := range s.H {
		copy(dst[((y+s.Pad.Top)*wp+s.Pad.Left)*s.C:][:s.W*s.C], img[y*s.W*s.C:][:s.W*s.C])
	}
}
