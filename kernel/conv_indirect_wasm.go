//go:build goexperiment.simd && wasm

package kernel

import (
	"simd/archsimd"
	"unsafe"
)

// Indirect convolution (M. Dukhan, "The Indirect Convolution Algorithm",
// arXiv:1907.02129, 2019): the GEMM's A operand, the im2col matrix, is
// read straight from the image instead of being packed. Row i of A is
// output pixel i; its columns are runs of values that lie consecutively in
// the image (convSegment): the C/G channels of one tap, or, without groups
// and dilation, the KW·C values of a whole filter row. For every tile of
// four pixels the micro-kernel broadcasts each row's values from its own
// window origin, so the only copy is a zero-padded image where the
// convolution pads. Where packing A cost a fifth of the convolution in
// Node 20 (alexmnist's conv2: 0.28 of 1.40 ms; alexnet's conv1: 1.2 of
// 9.5 ms; kernel.BenchmarkConv2D), this removes it; with runs shorter
// than indirectRunMin (one input channel, a 3×3 or 5×5 window) the
// per-run set-up outweighs the saving and the GEMM packs A as before.

// convSegment is a run of n consecutive im2col columns p..p+n-1 whose values
// are consecutive in the (padded) image, starting off floats from a
// pixel's window origin.
type convSegment struct{ off, p, n int }

const (
	// indirectRunMin is the shortest run convGroupIndirect reads in place.
	indirectRunMin = 8
	// maxIndirectSegments bounds the runs of one K block (kc ≤ gemmKC
	// columns, runs of at least indirectRunMin, the first and last
	// possibly cut), so that they fit an array on the stack.
	maxIndirectSegments = gemmKC/indirectRunMin + 2
)

// indirectRun returns the length of the image runs the indirect
// convolution of s reads and whether a whole filter row is one run, or 0
// where it does not apply (runs shorter than indirectRunMin, or 1×1
// windows, whose A is the image itself).
func indirectRun(s *ConvShape) (run int, wide bool) {
	cg := s.C / s.Groups
	switch {
	case s.pointwise():
		return 0, false
	case s.Groups == 1 && s.DilationW == 1 && s.KW*cg >= indirectRunMin:
		return s.KW * cg, true
	case cg >= indirectRunMin:
		return cg, false
	}
	return 0, false
}

// indirectGeometry returns the rows and columns of the image the indirect
// convolution reads, and whether that is a zero-padded copy (the window
// reaches outside the image) rather than the image itself.
func indirectGeometry(s *ConvShape) (hp, wp int, padded bool) {
	oh, ow := s.Out()
	hp = (oh-1)*s.StrideH + (s.KH-1)*s.DilationH + 1
	wp = (ow-1)*s.StrideW + (s.KW-1)*s.DilationW + 1
	if s.Pad.Top == 0 && s.Pad.Left == 0 && hp <= s.H && wp <= s.W {
		return s.H, s.W, false
	}
	return hp, wp, true
}

// convIndirectWorkspaceLen is the scratch convGroupIndirect needs: one
// padded image where the convolution pads.
func convIndirectWorkspaceLen(s ConvShape) int {
	if run, _ := indirectRun(&s); run == 0 {
		return 0
	}
	hp, wp, padded := indirectGeometry(&s)
	if !padded {
		return 0
	}
	return hp * wp * s.C
}

// convGroupIndirect computes group g of the convolution s with the packed
// filter B (packConvSIMD's layout) as an indirect GEMM, image by image,
// and reports whether it did; it does not where indirectRun gives 0. ws
// holds convIndirectWorkspaceLen(s) elements.
func convGroupIndirect(dst, x []float32, B *gemmB, bias []float32, s *ConvShape, g int, act Activation, ws []float32) bool {
	run, wide := indirectRun(s)
	if run == 0 || B.packed == nil {
		return false
	}
	oh, ow := s.Out()
	cg, ocg := s.C/s.Groups, s.OC/s.Groups
	k := s.KH * s.KW * cg
	hp, wp, padded := indirectGeometry(s)
	var b []float32
	if bias != nil {
		b = bias[g*ocg : (g+1)*ocg]
	}
	var tile [gemmMR * gemmNR]float32
	for n := range s.N {
		img := x[n*s.H*s.W*s.C : (n+1)*s.H*s.W*s.C]
		if padded {
			img = padImage(ws[:hp*wp*s.C], img, s, hp, wp)
		}
		out := dst[n*oh*ow*s.OC+g*ocg:]
		for pc := 0; pc < k; pc += gemmKC {
			kc := min(gemmKC, k-pc)
			var blk [maxIndirectSegments]convSegment
			bs := blockSegments(blk[:0], s, g, run, wide, wp, pc, kc)
			add, last := pc > 0, pc+kc == k
			for jr := 0; jr < ocg; jr += gemmNR {
				nr := min(gemmNR, ocg-jr)
				bp := unsafe.Pointer(&B.packed[pc*B.nPad+jr*kc])
				var tb []float32
				if last && b != nil {
					tb = b[jr : jr+nr]
				}
				ep := tileEpilogue{add: add, relu: last && act == ReLU}
				if tb != nil {
					ep.bias = unsafe.Pointer(&tb[0])
				}
				oy, ox := 0, 0
				for i := 0; i < oh*ow; i += gemmMR {
					mr := min(gemmMR, oh*ow-i)
					var org [gemmMR]unsafe.Pointer
					for r := range mr {
						org[r] = unsafe.Pointer(&img[(oy*s.StrideH*wp+ox*s.StrideW)*s.C])
						if ox++; ox == ow {
							ox, oy = 0, oy+1
						}
					}
					for r := mr; r < gemmMR; r++ {
						org[r] = org[0]
					}
					c := out[i*s.OC+jr:]
					switch {
					case mr == gemmMR && nr == gemmNR:
						_ = c[(gemmMR-1)*s.OC+gemmNR-1]
						gemmIndirectTile(bs, &org, bp, unsafe.Pointer(&c[0]), s.OC, ep)
					case mr == gemmMR && nr == 4:
						_ = c[(gemmMR-1)*s.OC+3]
						gemmIndirectTile4(bs, &org, bp, unsafe.Pointer(&c[0]), s.OC, ep)
					default:
						gemmIndirectTile(bs, &org, bp, unsafe.Pointer(&tile[0]), gemmNR, tileEpilogue{})
						storePartialTile(c, s.OC, &tile, mr, nr, add, tb, ep.relu)
					}
				}
			}
		}
	}
	return true
}

// blockSegments appends to dst the runs of im2col columns pc..pc+kc-1 of
// group g (runs of run values, whole filter rows when wide) as read from an
// image whose rows are wp pixels long, with columns counted from pc.
func blockSegments(dst []convSegment, s *ConvShape, g, run int, wide bool, wp, pc, kc int) []convSegment {
	for p := pc; p < pc+kc; {
		t, within := p/run, p%run
		n := min(run-within, pc+kc-p)
		off := t*s.DilationH*wp*s.C + within
		if !wide {
			ky, kx := t/s.KW, t%s.KW
			off = (ky*s.DilationH*wp+kx*s.DilationW)*s.C + g*(s.C/s.Groups) + within
		}
		dst = append(dst, convSegment{off: off, p: p - pc, n: n})
		p += n
	}
	return dst
}

// gemmIndirectTile multiplies the 4 rows of the im2col matrix whose window
// origins are org by one packed B panel bp (the block's kc rows of gemmNR
// columns) and stores the 4×12 result through ep into C at c (row stride
// ldc). Row r's columns seg.p..seg.p+seg.n-1 are the floats at org[r] +
// seg.off. As in gemmColumn the 12 accumulators stay in registers and the
// loads are unchecked: the caller guarantees every run lies in the image
// and the panel holds the segments' columns.
func gemmIndirectTile(segs []convSegment, org *[gemmMR]unsafe.Pointer, bp, c unsafe.Pointer, ldc int, ep tileEpilogue) {
	var c00, c01, c02, c10, c11, c12, c20, c21, c22, c30, c31, c32 archsimd.Float32x4
	var a, b0, b1, b2 archsimd.Float32x4
	for _, sg := range segs {
		o := sg.off * 4
		p0, p1, p2, p3 := unsafe.Add(org[0], o), unsafe.Add(org[1], o), unsafe.Add(org[2], o), unsafe.Add(org[3], o)
		pb := unsafe.Add(bp, sg.p*gemmNR*4)
		t, end := 0, sg.n*4
		for ; t+16 <= end; t += 16 {
			b0 = archsimd.LoadFloat32x4Array((*[4]float32)(unsafe.Add(pb, 0)))
			b1 = archsimd.LoadFloat32x4Array((*[4]float32)(unsafe.Add(pb, 16)))
			b2 = archsimd.LoadFloat32x4Array((*[4]float32)(unsafe.Add(pb, 32)))
			a = archsimd.BroadcastFloat32x4(*(*float32)(unsafe.Add(p0, t+0)))
			c00 = c00.Add(a.Mul(b0))
			c01 = c01.Add(a.Mul(b1))
			c02 = c02.Add(a.Mul(b2))
			a = archsimd.BroadcastFloat32x4(*(*float32)(unsafe.Add(p1, t+0)))
			c10 = c10.Add(a.Mul(b0))
			c11 = c11.Add(a.Mul(b1))
			c12 = c12.Add(a.Mul(b2))
			a = archsimd.BroadcastFloat32x4(*(*float32)(unsafe.Add(p2, t+0)))
			c20 = c20.Add(a.Mul(b0))
			c21 = c21.Add(a.Mul(b1))
			c22 = c22.Add(a.Mul(b2))
			a = archsimd.BroadcastFloat32x4(*(*float32)(unsafe.Add(p3, t+0)))
			c30 = c30.Add(a.Mul(b0))
			c31 = c31.Add(a.Mul(b1))
			c32 = c32.Add(a.Mul(b2))

			b0 = archsimd.LoadFloat32x4Array((*[4]float32)(unsafe.Add(pb, 48)))
			b1 = archsimd.LoadFloat32x4Array((*[4]float32)(unsafe.Add(pb, 64)))
			b2 = archsimd.LoadFloat32x4Array((*[4]float32)(unsafe.Add(pb, 80)))
			a = archsimd.BroadcastFloat32x4(*(*float32)(unsafe.Add(p0, t+4)))
			c00 = c00.Add(a.Mul(b0))
			c01 = c01.Add(a.Mul(b1))
			c02 = c02.Add(a.Mul(b2))
			a = archsimd.BroadcastFloat32x4(*(*float32)(unsafe.Add(p1, t+4)))
			c10 = c10.Add(a.Mul(b0))
			c11 = c11.Add(a.Mul(b1))
			c12 = c12.Add(a.Mul(b2))
			a = archsimd.BroadcastFloat32x4(*(*float32)(unsafe.Add(p2, t+4)))
			c20 = c20.Add(a.Mul(b0))
			c21 = c21.Add(a.Mul(b1))
			c22 = c22.Add(a.Mul(b2))
			a = archsimd.BroadcastFloat32x4(*(*float32)(unsafe.Add(p3, t+4)))
			c30 = c30.Add(a.Mul(b0))
			c31 = c31.Add(a.Mul(b1))
			c32 = c32.Add(a.Mul(b2))

			b0 = archsimd.LoadFloat32x4Array((*[4]float32)(unsafe.Add(pb, 96)))
			b1 = archsimd.LoadFloat32x4Array((*[4]float32)(unsafe.Add(pb, 112)))
			b2 = archsimd.LoadFloat32x4Array((*[4]float32)(unsafe.Add(pb, 128)))
			a = archsimd.BroadcastFloat32x4(*(*float32)(unsafe.Add(p0, t+8)))
			c00 = c00.Add(a.Mul(b0))
			c01 = c01.Add(a.Mul(b1))
			c02 = c02.Add(a.Mul(b2))
			a = archsimd.BroadcastFloat32x4(*(*float32)(unsafe.Add(p1, t+8)))
			c10 = c10.Add(a.Mul(b0))
			c11 = c11.Add(a.Mul(b1))
			c12 = c12.Add(a.Mul(b2))
			a = archsimd.BroadcastFloat32x4(*(*float32)(unsafe.Add(p2, t+8)))
			c20 = c20.Add(a.Mul(b0))
			c21 = c21.Add(a.Mul(b1))
			c22 = c22.Add(a.Mul(b2))
			a = archsimd.BroadcastFloat32x4(*(*float32)(unsafe.Add(p3, t+8)))
			c30 = c30.Add(a.Mul(b0))
			c31 = c31.Add(a.Mul(b1))
			c32 = c32.Add(a.Mul(b2))

			b0 = archsimd.LoadFloat32x4Array((*[4]float32)(unsafe.Add(pb, 144)))
			b1 = archsimd.LoadFloat32x4Array((*[4]float32)(unsafe.Add(pb, 160)))
			b2 = archsimd.LoadFloat32x4Array((*[4]float32)(unsafe.Add(pb, 176)))
			a = archsimd.BroadcastFloat32x4(*(*float32)(unsafe.Add(p0, t+12)))
			c00 = c00.Add(a.Mul(b0))
			c01 = c01.Add(a.Mul(b1))
			c02 = c02.Add(a.Mul(b2))
			a = archsimd.BroadcastFloat32x4(*(*float32)(unsafe.Add(p1, t+12)))
			c10 = c10.Add(a.Mul(b0))
			c11 = c11.Add(a.Mul(b1))
			c12 = c12.Add(a.Mul(b2))
			a = archsimd.BroadcastFloat32x4(*(*float32)(unsafe.Add(p2, t+12)))
			c20 = c20.Add(a.Mul(b0))
			c21 = c21.Add(a.Mul(b1))
			c22 = c22.Add(a.Mul(b2))
			a = archsimd.BroadcastFloat32x4(*(*float32)(unsafe.Add(p3, t+12)))
			c30 = c30.Add(a.Mul(b0))
			c31 = c31.Add(a.Mul(b1))
			c32 = c32.Add(a.Mul(b2))
			pb = unsafe.Add(pb, 4*gemmNR*4)
		}
		for ; t < end; t += 4 {
			b0 = archsimd.LoadFloat32x4Array((*[4]float32)(unsafe.Add(pb, 0)))
			b1 = archsimd.LoadFloat32x4Array((*[4]float32)(unsafe.Add(pb, 16)))
			b2 = archsimd.LoadFloat32x4Array((*[4]float32)(unsafe.Add(pb, 32)))
			a = archsimd.BroadcastFloat32x4(*(*float32)(unsafe.Add(p0, t+0)))
			c00 = c00.Add(a.Mul(b0))
			c01 = c01.Add(a.Mul(b1))
			c02 = c02.Add(a.Mul(b2))
			a = archsimd.BroadcastFloat32x4(*(*float32)(unsafe.Add(p1, t+0)))
			c10 = c10.Add(a.Mul(b0))
			c11 = c11.Add(a.Mul(b1))
			c12 = c12.Add(a.Mul(b2))
			a = archsimd.BroadcastFloat32x4(*(*float32)(unsafe.Add(p2, t+0)))
			c20 = c20.Add(a.Mul(b0))
			c21 = c21.Add(a.Mul(b1))
			c22 = c22.Add(a.Mul(b2))
			a = archsimd.BroadcastFloat32x4(*(*float32)(unsafe.Add(p3, t+0)))
			c30 = c30.Add(a.Mul(b0))
			c31 = c31.Add(a.Mul(b1))
			c32 = c32.Add(a.Mul(b2))
			pb = unsafe.Add(pb, gemmNR*4)
		}
	}
	ep.store(c00, c, 0)
	ep.store(c01, c, 4)
	ep.store(c02, c, 8)
	ep.store(c10, unsafe.Add(c, 1*ldc*4), 0)
	ep.store(c11, unsafe.Add(c, 1*ldc*4), 4)
	ep.store(c12, unsafe.Add(c, 1*ldc*4), 8)
	ep.store(c20, unsafe.Add(c, 2*ldc*4), 0)
	ep.store(c21, unsafe.Add(c, 2*ldc*4), 4)
	ep.store(c22, unsafe.Add(c, 2*ldc*4), 8)
	ep.store(c30, unsafe.Add(c, 3*ldc*4), 0)
	ep.store(c31, unsafe.Add(c, 3*ldc*4), 4)
	ep.store(c32, unsafe.Add(c, 3*ldc*4), 8)
}

// gemmIndirectTile4 is gemmIndirectTile for a panel of which only the
// first 4 columns are stored (the last panel of 64 or 100 channels): one
// accumulator a row, the padding columns neither loaded nor multiplied.
func gemmIndirectTile4(segs []convSegment, org *[gemmMR]unsafe.Pointer, bp, c unsafe.Pointer, ldc int, ep tileEpilogue) {
	var c0, c1, c2, c3 archsimd.Float32x4
	for _, sg := range segs {
		o := sg.off * 4
		p0, p1, p2, p3 := unsafe.Add(org[0], o), unsafe.Add(org[1], o), unsafe.Add(org[2], o), unsafe.Add(org[3], o)
		pb := unsafe.Add(bp, sg.p*gemmNR*4)
		for t := 0; t < sg.n*4; t += 4 {
			b := archsimd.LoadFloat32x4Array((*[4]float32)(pb))
			c0 = c0.Add(archsimd.BroadcastFloat32x4(*(*float32)(unsafe.Add(p0, t))).Mul(b))
			c1 = c1.Add(archsimd.BroadcastFloat32x4(*(*float32)(unsafe.Add(p1, t))).Mul(b))
			c2 = c2.Add(archsimd.BroadcastFloat32x4(*(*float32)(unsafe.Add(p2, t))).Mul(b))
			c3 = c3.Add(archsimd.BroadcastFloat32x4(*(*float32)(unsafe.Add(p3, t))).Mul(b))
			pb = unsafe.Add(pb, gemmNR*4)
		}
	}
	ep.store(c0, c, 0)
	ep.store(c1, unsafe.Add(c, 1*ldc*4), 0)
	ep.store(c2, unsafe.Add(c, 2*ldc*4), 0)
	ep.store(c3, unsafe.Add(c, 3*ldc*4), 0)
}
