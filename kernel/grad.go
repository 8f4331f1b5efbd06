package kernel

import (
	"errors"
	"math"

	"github.com/featuremap/featuremap/internal/msg"
)

// This file holds the backward (gradient) operators used for training. Each
// is named after the TensorFlow op that computes the same gradient and takes
// flat NHWC buffers with the forward operator's shape. They validate like the
// forward operators and, like them, allocate nothing after validation.

// BackpropWorkspaceLen is the scratch length Conv2DBackpropInput and
// Conv2DBackpropFilter need: the im2col matrix of all N images for one group,
// [N*OH*OW, KH*KW*C/G] (none for a pointwise convolution), plus the GEMM's
// own scratch for the larger of the two products.
func (s ConvShape) BackpropWorkspaceLen() int {
	s = s.normalized()
	oh, ow := s.Out()
	rows, cols, ocg := s.N*oh*ow, s.KH*s.KW*(s.C/s.Groups), s.OC/s.Groups
	col := 0
	if !s.pointwise() {
		col = rows * cols
	}
	return col + max(GemmWorkspaceLen(rows, cols, ocg), GemmWorkspaceLen(cols, ocg, rows))
}

// validateBackprop checks s and that ws holds s.BackpropWorkspaceLen()
// elements; the callers check their tensors with checkLen.
func (s ConvShape) validateBackprop(op string, ws []float32) error {
	if err := s.Validate(); err != nil {
		return err
	}
	return checkLen(op, "ws", len(ws), s.BackpropWorkspaceLen())
}

// Conv2DBackpropInput computes the gradient of Conv2D (without bias and
// activation) with respect to its input, as tf.raw_ops.Conv2DBackpropInput:
// for every n, iy, ix and channel c = g*C/G+ci
//
//	dx[n,iy,ix,c] = Σ dy[n,oy,ox,oc] * filter[ky,kx,ci,oc]
//
// over oc in group g and every oy, ox, ky, kx with oy*SH-Top+ky*DH = iy and
// ox*SW-Left+kx*DW = ix. It runs one GEMM per group over all images,
// dcol [N*OH*OW, KH*KW*C/G] = dy_g · filter_gᵀ, then scatters dcol back
// (col2im, the adjoint of Conv2D's im2col). dx is overwritten. ws must hold
// s.BackpropWorkspaceLen() elements; dx must not overlap dy, filter or ws.
func Conv2DBackpropInput(dx, dy, filter []float32, s ConvShape, ws []float32) error {
	const op = "conv2d_backprop_input"
	if err := s.validateBackprop(op, ws); err != nil {
		return err
	}
	s = s.normalized()
	if err := firstErr(checkLen(op, "dx", len(dx), s.InLen()), checkLen(op, "dy", len(dy), s.OutLen()), checkLen(op, "filter", len(filter), s.FilterLen())); err != nil {
		return err
	}
	oh, ow := s.Out()
	cg, ocg := s.C/s.Groups, s.OC/s.Groups
	rows, cols := s.N*oh*ow, s.KH*s.KW*cg
	if s.pointwise() {
		// dx_g [N*H*W, C/G] (ldc = C) = dy_g [N*H*W, OC/G] · filter_gᵀ.
		for g := range s.Groups {
			gemm(false, true, rows, cg, ocg, dy[g*ocg:], s.OC, filter[g*ocg:], s.OC, dx[g*cg:], s.C, false, ws)
		}
		return nil
	}
	dcol, gemmWS := ws[:rows*cols], ws[rows*cols:]
	clear(dx[:s.InLen()])
	for g := range s.Groups {
		gemm(false, true, rows, cols, ocg, dy[g*ocg:], s.OC, filter[g*ocg:], s.OC, dcol, cols, false, gemmWS)
		inImg, colImg := s.H*s.W*s.C, oh*ow*cols
		for n := range s.N {
			col2imAdd(dx[n*inImg:(n+1)*inImg], dcol[n*colImg:(n+1)*colImg], s, g)
		}
	}
	return nil
}

// Conv2DBackpropFilter computes the gradient of Conv2D with respect to its
// filter, as tf.raw_ops.Conv2DBackpropFilter: for every ky, kx, ci, oc in
// group g
//
//	dfilter[ky,kx,ci,oc] = Σ_{n,oy,ox} x[n, oy*SH-Top+ky*DH, ox*SW-Left+kx*DW, g*C/G+ci] * dy[n,oy,ox,oc]
//
// with cells outside the input zero. It runs one GEMM per group over all
// images: dfilter_g [KH*KW*C/G, OC/G] = im2col(x_g)ᵀ · dy_g. dfilter is
// overwritten, or added to when accumulate is set. ws must hold
// s.BackpropWorkspaceLen() elements; dfilter must not overlap x, dy or ws.
func Conv2DBackpropFilter(dfilter, x, dy []float32, s ConvShape, accumulate bool, ws []float32) error {
	const op = "conv2d_backprop_filter"
	if err := s.validateBackprop(op, ws); err != nil {
		return err
	}
	s = s.normalized()
	if err := firstErr(checkLen(op, "dfilter", len(dfilter), s.FilterLen()), checkLen(op, "x", len(x), s.InLen()), checkLen(op, "dy", len(dy), s.OutLen())); err != nil {
		return err
	}
	oh, ow := s.Out()
	cg, ocg := s.C/s.Groups, s.OC/s.Groups
	rows, cols := s.N*oh*ow, s.KH*s.KW*cg
	if s.pointwise() {
		for g := range s.Groups {
			gemm(true, false, cg, ocg, rows, x[g*cg:], s.C, dy[g*ocg:], s.OC, dfilter[g*ocg:], s.OC, accumulate, ws)
		}
		return nil
	}
	col, gemmWS := ws[:rows*cols], ws[rows*cols:]
	inImg, colImg := s.H*s.W*s.C, oh*ow*cols
	for g := range s.Groups {
		for n := range s.N {
			im2col(col[n*colImg:(n+1)*colImg], x[n*inImg:(n+1)*inImg], s, g)
		}
		gemm(true, false, cols, ocg, rows, col, cols, dy[g*ocg:], s.OC, dfilter[g*ocg:], s.OC, accumulate, gemmWS)
	}
	return nil
}

// col2imAdd is the adjoint of im2col: it adds each entry of dcol
// [OH*OW, KH*KW*C/G] for group g back into the image cell img [H, W, C] it
// was copied from, skipping padding cells.
func col2imAdd(img, dcol []float32, s ConvShape, g int) {
	oh, ow := s.Out()
	cg := s.C / s.Groups
	cols := s.KH * s.KW * cg
	for oy := range oh {
		for ox := range ow {
			row := dcol[(oy*ow+ox)*cols : (oy*ow+ox+1)*cols]
			for ky := range s.KH {
				iy := oy*s.StrideH - s.Pad.Top + ky*s.DilationH
				if iy < 0 || iy >= s.H {
					continue
				}
				for kx := range s.KW {
					ix := ox*s.StrideW - s.Pad.Left + kx*s.DilationW
					if ix < 0 || ix >= s.W {
						continue
					}
					patch := row[(ky*s.KW+kx)*cg : (ky*s.KW+kx+1)*cg]
					dst := img[(iy*s.W+ix)*s.C+g*cg:][:cg]
					for i, v := range patch {
						dst[i] += v
					}
				}
			}
		}
	}
}

// BiasAddGrad computes the gradient of a bias added to every row of dy
// [rows, C], as tf.raw_ops.BiasAddGrad: db[c] = Σ_r dy[r,c]. db is
// overwritten; the sum runs in row order.
func BiasAddGrad(db, dy []float32, rows, c int) error {
	const op = "bias_add_grad"
	if rows < 1 || c < 1 {
		return errors.New("kernel: " + op + ": sizes rows, C must be positive, got " + msg.Int(rows) + ", " + msg.Int(c))
	}
	if err := firstErr(checkLen(op, "dy", len(dy), rows*c), checkLen(op, "db", len(db), c)); err != nil {
		return err
	}
	db = db[:c]
	clear(db)
	for r := range rows {
		for j, v := range dy[r*c : (r+1)*c] {
			db[j] += v
		}
	}
	return nil
}

// ReluGrad computes tf.raw_ops.ReluGrad: dx[i] = dy[i] if y[i] > 0, else 0,
// for i < len(dy), where y is the input or the output of the ReLU (they have
// the same sign). dx may be dy.
func ReluGrad(dx, dy, y []float32) error {
	const op = "relu_grad"
	if err := firstErr(checkLen(op, "y", len(y), len(dy)), checkLen(op, "dx", len(dx), len(dy))); err != nil {
		return err
	}
	y, dx = y[:len(dy)], dx[:len(dy)]
	for i, g := range dy {
		if y[i] > 0 {
			dx[i] = g
		} else {
			dx[i] = 0
		}
	}
	return nil
}

// MaxPoolGrad computes tf.raw_ops.MaxPoolGrad: each dy[n,oy,ox,c] is added
// to dx at the cell of its window that holds the maximum of x, the first one
// in window order (ky, then kx) on ties, as TensorFlow's CPU kernel; padding
// cells are never chosen. dx is overwritten and must not overlap x or dy.
func MaxPoolGrad(dx, x, dy []float32, s PoolShape) error {
	const op = "maxpool_grad"
	if err := s.Validate(op); err != nil {
		return err
	}
	s = s.normalized()
	if err := firstErr(checkLen(op, "x", len(x), s.InLen()), checkLen(op, "dy", len(dy), s.OutLen()), checkLen(op, "dx", len(dx), s.InLen())); err != nil {
		return err
	}
	clear(dx[:s.InLen()])
	oh, ow := s.Out()
	for n := range s.N {
		img := n * s.H * s.W * s.C
		for oy := range oh {
			y0, y1 := poolRange(oy, s.StrideH, s.Pad.Top, s.KH, s.H)
			for ox := range ow {
				x0, x1 := poolRange(ox, s.StrideW, s.Pad.Left, s.KW, s.W)
				g := dy[((n*oh+oy)*ow+ox)*s.C:][:s.C]
				for c := range s.C {
					best, arg := float32(math.Inf(-1)), -1
					for iy := y0; iy < y1; iy++ {
						for ix := x0; ix < x1; ix++ {
							i := img + (iy*s.W+ix)*s.C + c
							if v := x[i]; v > best || arg < 0 {
								best, arg = v, i
							}
						}
					}
					dx[arg] += g[c]
				}
			}
		}
	}
	return nil
}

// AvgPoolGrad computes tf.raw_ops.AvgPoolGrad: each dy[n,oy,ox,c] is spread
// evenly over the real (non-padding) cells of its window, divided by their
// count as AvgPool divides. dx is overwritten and must not overlap dy.
func AvgPoolGrad(dx, dy []float32, s PoolShape) error {
	const op = "avgpool_grad"
	if err := s.Validate(op); err != nil {
		return err
	}
	s = s.normalized()
	if err := firstErr(checkLen(op, "dy", len(dy), s.OutLen()), checkLen(op, "dx", len(dx), s.InLen())); err != nil {
		return err
	}
	clear(dx[:s.InLen()])
	oh, ow := s.Out()
	for n := range s.N {
		img := n * s.H * s.W * s.C
		for oy := range oh {
			y0, y1 := poolRange(oy, s.StrideH, s.Pad.Top, s.KH, s.H)
			for ox := range ow {
				x0, x1 := poolRange(ox, s.StrideW, s.Pad.Left, s.KW, s.W)
				inv := 1 / float32((y1-y0)*(x1-x0))
				g := dy[((n*oh+oy)*ow+ox)*s.C:][:s.C]
				for iy := y0; iy < y1; iy++ {
					for ix := x0; ix < x1; ix++ {
						d := dx[img+(iy*s.W+ix)*s.C:][:s.C]
						for c, v := range g {
							d[c] += v * inv
						}
					}
				}
			}
		}
	}
	return nil
}

// poolRange returns the input cells [lo, hi) that window o of a pooling with
// stride st, leading padding pad and size k covers inside an input of size n.
func poolRange(o, st, pad, k, n int) (lo, hi int) {
	lo = o*st - pad
	return max(lo, 0), min(lo+k, n)
}

// LRNGrad computes tf.raw_ops.LRNGrad, the gradient of LRN for x and its
// output y = LRN(x) over [P, C]: with the window W(c) = {j : |j-c| ≤ r} and
// norm[c] = Bias + Alpha * Σ_{j∈W(c)} x[j]², for every pixel and channel k
//
//	dx[k] = dy[k] * norm[k]^-Beta - 2*Alpha*Beta * x[k] * Σ_{c∈W(k)} dy[c] * y[c] / norm[c]
//
// (y[c]/norm[c] = x[c]*norm[c]^(-Beta-1)). Both window sums take O(C) time
// for any radius (windowSums). ws must hold 2*C elements; dx must not
// overlap dy, x, y or ws.
func LRNGrad(dx, dy, x, y []float32, pixels, c int, p LRNParams, ws []float32) error {
	const op = "lrn_grad"
	switch {
	case pixels < 1 || c < 1:
		return errors.New("kernel: " + op + ": sizes pixels, C must be positive, got " + msg.Int(pixels) + ", " + msg.Int(c))
	case p.DepthRadius < 0:
		return errors.New("kernel: " + op + ": depth radius must not be negative, got " + msg.Int(p.DepthRadius))
	}
	n := pixels * c
	if err := firstErr(checkLen(op, "dy", len(dy), n), checkLen(op, "x", len(x), n), checkLen(op, "y", len(y), n),
		checkLen(op, "dx", len(dx), n), checkLen(op, "ws", len(ws), 2*c)); err != nil {
		return err
	}
	r := p.DepthRadius
	bias, alpha := float64(p.Bias), float64(p.Alpha)
	k2ab := 2 * alpha * float64(p.Beta)
	scale, t := ws[:c], ws[c:2*c]
	for px := range pixels {
		xs, ys, gs, ds := x[px*c:][:c], y[px*c:][:c], dy[px*c:][:c], dx[px*c:][:c]
		windowSums(scale, xs, r, true)
		for ch, sq := range scale {
			norm := bias + alpha*float64(sq)
			scale[ch] = float32(powNeg(norm, p.Beta))
			t[ch] = float32(float64(gs[ch]) * float64(ys[ch]) / norm)
		}
		windowSums(ds, t, r, false)
		for k, acc := range ds {
			ds[k] = float32(float64(gs[k])*float64(scale[k]) - k2ab*float64(xs[k])*float64(acc))
		}
	}
	return nil
}

// SoftmaxCrossEntropy computes tf.nn.sparse_softmax_cross_entropy_with_logits
// for logits [N, M] and class labels [N]: for every n
//
//	loss[n] = log Σ_j exp(logits[n,j]) - logits[n,labels[n]]
//	dlogits[n,m] = softmax(logits[n])[m] - (m == labels[n] ? 1 : 0)
//
// the gradient of loss[n] with respect to logits[n] (not divided by N).
// It is computed after subtracting the row maximum, so any finite logits
// give finite results. It returns the mean loss over the N rows, in float64.
// loss may be nil; dlogits may be logits.
func SoftmaxCrossEntropy(loss, dlogits, logits []float32, labels []int, n, m int) (float64, error) {
	const op = "softmax_cross_entropy"
	if n < 1 || m < 1 {
		return 0, errors.New("kernel: " + op + ": sizes N, M must be positive, got " + msg.Int(n) + ", " + msg.Int(m))
	}
	if err := firstErr(checkLen(op, "logits", len(logits), n*m), checkLen(op, "dlogits", len(dlogits), n*m), checkLen(op, "labels", len(labels), n)); err != nil {
		return 0, err
	}
	if loss != nil {
		if err := checkLen(op, "loss", len(loss), n); err != nil {
			return 0, err
		}
	}
	for i, l := range labels[:n] {
		if l < 0 || l >= m {
			return 0, errors.New("kernel: " + op + ": labels[" + msg.Int(i) + "] = " + msg.Int(l) + ", want a class in [0, " + msg.Int(m) + ")")
		}
	}
	var total float64
	for i := range n {
		z, d := logits[i*m:][:m], dlogits[i*m:][:m]
		mx := z[0]
		for _, v := range z[1:] {
			mx = max(mx, v)
		}
		var sum float64
		for _, v := range z {
			sum += math.Exp(float64(v - mx))
		}
		lse := math.Log(sum)
		l := lse - float64(z[labels[i]]-mx)
		total += l
		if loss != nil {
			loss[i] = float32(l)
		}
		for j, v := range z {
			d[j] = float32(math.Exp(float64(v-mx) - lse))
		}
		d[labels[i]]--
	}
	return total / float64(n), nil
}
