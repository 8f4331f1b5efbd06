package kernel

// convGeneric computes Conv2D as a GEMM per image and group: A =
// im2col(x) [OH*OW, KH*KW*C/G] (or x itself when pointwise), B = the
// group's column block of the HWIO filter viewed as [KH*KW*C/G, OC]
// (ldb = OC), C = the group's column block of dst (ldc = OC); then bias and
// activation over all of dst. s is normalized.
func convGeneric(dst, x, filter, bias []float32, s ConvShape, act Activation, ws []float32) {
	convGenericGroups(dst, x, filter, s.OC/s.Groups, s.OC, bias, s, act, ws)
}

// convPackedGeneric is convGeneric with the filter packed by
// packConvGeneric: group g's [KH*KW*C/G, OC/G] block stored contiguously.
func convPackedGeneric(dst, x, packed, bias []float32, s ConvShape, act Activation, ws []float32) {
	ocg := s.OC / s.Groups
	convGenericGroups(dst, x, packed, s.KH*s.KW*(s.C/s.Groups)*ocg, ocg, bias, s, act, ws)
}

// convGenericGroups computes Conv2D with group g's B matrix at
// b[g*groupStride:] with leading dimension ldb.
func convGenericGroups(dst, x, b []float32, groupStride, ldb int, bias []float32, s ConvShape, act Activation, ws []float32) {
	oh, ow := s.Out()
	cg, ocg := s.C/s.Groups, s.OC/s.Groups
	rows, cols := oh*ow, s.KH*s.KW*cg
	inImg, outImg := s.H*s.W*s.C, rows*s.OC
	pointwise := s.pointwise()
	for n := range s.N {
		img := x[n*inImg : (n+1)*inImg]
		out := dst[n*outImg : (n+1)*outImg]
		for g := range s.Groups {
			a, lda := img[g*cg:], s.C
			if !pointwise {
				im2col(ws, img, s, g)
				a, lda = ws, cols
			}
			gemmGeneric(false, false, rows, ocg, cols, a, lda, b[g*groupStride:], ldb, out[g*ocg:], s.OC, false, nil)
		}
	}
	biasActGeneric(dst, s.N*rows, s.OC, s.OC, bias, act)
}

// convGenericWorkspaceLen is one image's im2col matrix for one group,
// [OH*OW, KH*KW*C/G], or nothing for a pointwise convolution.
func convGenericWorkspaceLen(s ConvShape) int {
	if s.pointwise() {
		return 0
	}
	oh, ow := s.Out()
	return oh * ow * s.KH * s.KW * (s.C / s.Groups)
}

// packConvGeneric stores each group's column block of the HWIO filter
// contiguously, [G][KH*KW*C/G][OC/G].
func packConvGeneric(dst, filter []float32, s ConvShape) {
	k, ocg := s.KH*s.KW*(s.C/s.Groups), s.OC/s.Groups
	for g := range s.Groups {
		for p := range k {
			copy(dst[(g*k+p)*ocg:][:ocg], filter[p*s.OC+g*ocg:])
		}
	}
}

func packedConvLenGeneric(s ConvShape) int { return s.FilterLen() }

// im2col writes the patches of group g of one image img [H, W, C] into col
// [OH*OW, KH*KW*C/G]: row oy*OW+ox holds, for ky, kx, ci in that order,
// img[oy*SH-Top+ky*DH, ox*SW-Left+kx*DW, g*C/G+ci], or 0 outside the image.
// The column order matches the rows of an HWIO filter.
func im2col(col, img []float32, s ConvShape, g int) {
	oh, ow := s.Out()
	cg := s.C / s.Groups
	cols := s.KH * s.KW * cg
	for oy := range oh {
		for ox := range ow {
			row := col[(oy*ow+ox)*cols : (oy*ow+ox+1)*cols]
			for ky := range s.KH {
				iy := oy*s.StrideH - s.Pad.Top + ky*s.DilationH
				for kx := range s.KW {
					ix := ox*s.StrideW - s.Pad.Left + kx*s.DilationW
					patch := row[(ky*s.KW+kx)*cg : (ky*s.KW+kx+1)*cg]
					if iy < 0 || iy >= s.H || ix < 0 || ix >= s.W {
						clear(patch)
						continue
					}
					off := (iy*s.W+ix)*s.C + g*cg
					copySmall(patch, img[off:off+cg])
				}
			}
		}
	}
}

// copySmall is copy(dst, src) for len(dst) == len(src), without the call to
// memmove that dominates im2col for few channels (seednet's C = 1).
func copySmall(dst, src []float32) {
	if len(src) >= 16 {
		copy(dst, src)
		return
	}
	src = src[:len(dst)]
	//lint:ignore S1001 the loop is the point: copy calls memmove.
	for i, v := range src {
		dst[i] = v
	}
}
