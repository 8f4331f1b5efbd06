//go:build goexperiment.simd && (amd64 || wasm)

package kernel

import "simd/archsimd"

// convSIMD computes Conv2D as one gemmBlocked per group over the whole
// batch: A = the im2col matrix [N*OH*OW, KH*KW*C/G] packed straight from x
// by packAConv (or x itself, lda = C, when pointwise), B = the group's
// column block of the HWIO filter viewed as [KH*KW*C/G, OC] (packed block
// by block), C = the group's column block of dst (ldc = OC), with bias and
// activation applied as the last K block is stored. s is normalized.
func convSIMD(dst, x, filter, bias []float32, s ConvShape, act Activation, ws []float32) {
	ocg := s.OC / s.Groups
	for g := range s.Groups {
		convGroupSIMD(dst, x, &gemmB{b: filter[g*ocg:], ldb: s.OC}, bias, s, g, act, ws)
	}
}

// convPackedSIMD is convSIMD with the filter packed once by packConvSIMD:
// group g's B is packed[g*L:(g+1)*L], L = packedBLenSIMD(KH*KW*C/G, OC/G).
func convPackedSIMD(dst, x, packed, bias []float32, s ConvShape, act Activation, ws []float32) {
	ocg := s.OC / s.Groups
	l := packedBLenSIMD(s.KH*s.KW*(s.C/s.Groups), ocg)
	for g := range s.Groups {
		convGroupSIMD(dst, x, &gemmB{packed: packed[g*l : (g+1)*l], nPad: roundUp(ocg, gemmNR)}, bias, s, g, act, ws)
	}
}

// convGroupSIMD computes the output channels of group g with the filter
// block B.
func convGroupSIMD(dst, x []float32, B *gemmB, bias []float32, s ConvShape, g int, act Activation, ws []float32) {
	oh, ow := s.Out()
	cg, ocg := s.C/s.Groups, s.OC/s.Groups
	A := gemmA{a: x, conv: s, g: g}
	if s.pointwise() {
		A = gemmA{a: x[g*cg:], lda: s.C}
	}
	var b []float32
	if bias != nil {
		b = bias[g*ocg : (g+1)*ocg]
	}
	gemmBlocked(s.N*oh*ow, ocg, s.KH*s.KW*cg, &A, B, dst[g*ocg:], s.OC, false, b, act, ws)
}

// convSIMDWorkspaceLen is the scratch convSIMD needs: one packed A block and
// one packed B block (the A block only with a packed filter).
func convSIMDWorkspaceLen(s ConvShape) int {
	oh, ow := s.Out()
	return gemmSIMDWorkspaceLen(s.N*oh*ow, s.OC/s.Groups, s.KH*s.KW*(s.C/s.Groups))
}

func convPackedSIMDWorkspaceLen(s ConvShape) int {
	oh, ow := s.Out()
	return packedABlockLen(s.N*oh*ow, s.KH*s.KW*(s.C/s.Groups))
}

// packConvSIMD packs the HWIO filter group by group for convPackedSIMD.
func packConvSIMD(dst, filter []float32, s ConvShape) {
	k, ocg := s.KH*s.KW*(s.C/s.Groups), s.OC/s.Groups
	l := packedBLenSIMD(k, ocg)
	for g := range s.Groups {
		packBSIMD(dst[g*l:(g+1)*l], filter[g*ocg:], s.OC, k, ocg)
	}
}

func packedConvLenSIMD(s ConvShape) int {
	return s.Groups * packedBLenSIMD(s.KH*s.KW*(s.C/s.Groups), s.OC/s.Groups)
}

// zeroRun stands for the cells of a run that lie outside the image.
var zeroRun [256]float32

// packAConv packs rows ic..ic+mc-1, columns pc..pc+kc-1 of the im2col
// matrix of group g of x [N, H, W, C] into dst as packA does, reading the
// image directly: row i is output pixel (n, oy, ox) with i = (n*OH+oy)*OW+ox,
// column p is filter tap (ky, kx) and channel ci with p = (ky*KW+kx)*C/G+ci,
// and the value is x[n, oy*SH-Top+ky*DH, ox*SW-Left+kx*DW, g*C/G+ci], or 0
// outside the image. Along p a tap's C/G channels are contiguous in x, so
// the panels fill run by run.
func packAConv(dst, x []float32, s *ConvShape, g, ic, mc, pc, kc int) {
	oh, ow := s.Out()
	cg := s.C / s.Groups
	// Without groups and with DW = 1, the channels of taps kx..KW-1 of one
	// filter row are contiguous in x: where all four rows have them inside
	// the image, one run spans them.
	wideRuns := s.Groups == 1 && s.DilationW == 1
	if cg < packAConvRunMin && !(wideRuns && s.KW*cg >= packAConvRunMin) {
		packAConvTaps(dst, x, s, g, ic, mc, pc, kc)
		return
	}
	// The first column's tap and channel, and the first row's pixel; both
	// advance without divisions (a call on wasm).
	ky0, kx0, ci0 := pc/cg/s.KW, pc/cg%s.KW, pc%cg
	n, oy, ox := ic/(oh*ow), ic%(oh*ow)/ow, ic%ow
	for ir := 0; ir < mc; ir += gemmMR {
		panel := dst[ir*kc : (ir+gemmMR)*kc]
		mr := min(gemmMR, mc-ir)
		// Each row's image offset and top-left input cell.
		var img, iy0, ix0 [gemmMR]int
		for r := range mr {
			img[r] = n*s.H*s.W*s.C + g*cg
			iy0[r] = oy*s.StrideH - s.Pad.Top
			ix0[r] = ox*s.StrideW - s.Pad.Left
			if ox++; ox == ow {
				if ox, oy = 0, oy+1; oy == oh {
					oy, n = 0, n+1
				}
			}
		}
		ky, kx, ci := ky0, kx0, ci0
		for p := pc; p < pc+kc; {
			dy, dx := ky*s.DilationH, kx*s.DilationW
			inside, wide := 0, wideRuns && mr == gemmMR
			off := [gemmMR]int{-1, -1, -1, -1}
			for r := range mr {
				iy, ix := iy0[r]+dy, ix0[r]+dx
				if iy < 0 || iy >= s.H || ix < 0 || ix >= s.W {
					wide = false
					continue
				}
				inside++
				off[r] = img[r] + (iy*s.W+ix)*s.C + ci
				wide = wide && ix0[r]+s.KW-1 < s.W
			}
			run := cg - ci
			if wide {
				run = (s.KW-kx)*cg - ci
			}
			run = min(run, pc+kc-p)
			d := panel[(p-pc)*gemmMR : (p-pc+run)*gemmMR]
			if inside == gemmMR || run <= len(zeroRun) {
				var src [gemmMR][]float32
				for r, o := range off {
					src[r] = zeroRun[:run:run]
					if o >= 0 {
						src[r] = x[o : o+run]
					}
				}
				interleave4(d, src[0], src[1], src[2], src[3])
			} else {
				for r, o := range off {
					if o < 0 {
						for t := range run {
							d[t*gemmMR+r] = 0
						}
						continue
					}
					for t, v := range x[o : o+run] {
						d[t*gemmMR+r] = v
					}
				}
			}
			// The next run starts a tap (or the block ends).
			p += run
			ci = 0
			if kx++; wide {
				kx = s.KW
			}
			if kx == s.KW {
				kx, ky = 0, ky+1
			}
		}
	}
}

// packAConvRunMin is the run length from which packAConv copies runs four
// rows at a time: where neither C/G nor, for wide runs, KW·C/G reaches it
// (seednet's and alexmnist's conv1: C = 1, KW = 3 or 5) the per-run set-up
// costs more than the copy, and packAConvTaps packs value by value
// (alexnet's conv1, C = 3 and KW = 11, keeps its runs of 33: value by
// value it packed five times slower).
const packAConvRunMin = 8

// packAConvTaps is packAConv row by row and value by value: for each of
// the four rows of a panel it walks the columns pc..pc+kc-1 (tap ky, kx and
// channel ci, advanced without divisions) and reads each value straight
// from x, checking the image's bounds only for rows whose window reaches
// outside it (with one channel and stride 1, four adjacent pixels' values
// of a tap are one vector).
func packAConvTaps(dst, x []float32, s *ConvShape, g, ic, mc, pc, kc int) {
	oh, ow := s.Out()
	cg := s.C / s.Groups
	ky0, kx0, ci0 := pc/cg/s.KW, pc/cg%s.KW, pc%cg
	n, oy, ox := ic/(oh*ow), ic%(oh*ow)/ow, ic%ow
	spanH, spanW := (s.KH-1)*s.DilationH, (s.KW-1)*s.DilationW
	for ir := 0; ir < mc; ir += gemmMR {
		panel := dst[ir*kc : (ir+gemmMR)*kc]
		mr := min(gemmMR, mc-ir)
		if mr < gemmMR {
			clear(panel)
		}
		// One channel, stride 1: where the four rows are adjacent pixels
		// of one output row, the four values of each tap are adjacent in x:
		// one vector where they lie inside the image, zeros where their
		// input row does not, else value by value.
		if s.C == 1 && s.StrideW == 1 && s.StrideH == 1 && mr == gemmMR && ox+gemmMR <= ow {
			img := n * s.H * s.W
			iy0, ix0 := oy-s.Pad.Top, ox-s.Pad.Left
			ky, kx := ky0, kx0
			for p := range kc {
				iy, ix := iy0+ky*s.DilationH, ix0+kx*s.DilationW
				d := panel[p*gemmMR : (p+1)*gemmMR]
				switch {
				case iy < 0 || iy >= s.H:
					clear(d)
				case ix >= 0 && ix+gemmMR <= s.W:
					archsimd.LoadFloat32x4(x[img+iy*s.W+ix:]).Store(d)
				default:
					for r := range d {
						d[r] = 0
						if ix+r >= 0 && ix+r < s.W {
							d[r] = x[img+iy*s.W+ix+r]
						}
					}
				}
				if kx++; kx == s.KW {
					kx, ky = 0, ky+1
				}
			}
			if ox += gemmMR; ox == ow {
				if ox, oy = 0, oy+1; oy == oh {
					oy, n = 0, n+1
				}
			}
			continue
		}
		for r := range mr {
			img := n*s.H*s.W*s.C + g*cg
			iy0, ix0 := oy*s.StrideH-s.Pad.Top, ox*s.StrideW-s.Pad.Left
			if ox++; ox == ow {
				if ox, oy = 0, oy+1; oy == oh {
					oy, n = 0, n+1
				}
			}
			d := panel[r : (kc-1)*gemmMR+r+1]
			ky, kx, ci := ky0, kx0, ci0
			if iy0 >= 0 && iy0+spanH < s.H && ix0 >= 0 && ix0+spanW < s.W {
				base := img + (iy0*s.W+ix0)*s.C
				o := base + (ky*s.DilationH*s.W+kx*s.DilationW)*s.C
				for p := 0; p < kc; p++ {
					d[p*gemmMR] = x[o+ci]
					if ci++; ci == cg {
						ci = 0
						if kx++; kx == s.KW {
							kx, ky = 0, ky+1
						}
						o = base + (ky*s.DilationH*s.W+kx*s.DilationW)*s.C
					}
				}
				continue
			}
			for p := 0; p < kc; p++ {
				iy, ix := iy0+ky*s.DilationH, ix0+kx*s.DilationW
				var v float32
				if iy >= 0 && iy < s.H && ix >= 0 && ix < s.W {
					v = x[img+(iy*s.W+ix)*s.C+ci]
				}
				d[p*gemmMR] = v
				if ci++; ci == cg {
					ci = 0
					if kx++; kx == s.KW {
						kx, ky = 0, ky+1
					}
				}
			}
		}
	}
}
