package kernel

import "math"

// The naive reference: every operator written straight from its TensorFlow
// definition with direct index arithmetic, float64 accumulation and one
// rounding to float32 at the end. Every kernel variant is tested against it.

// refConv2D is tf.nn.conv2d with explicit padding, groups, bias and act.
func refConv2D(x, filter, bias []float32, s ConvShape, act Activation) []float32 {
	s = s.normalized()
	oh, ow := s.Out()
	cg, ocg := s.C/s.Groups, s.OC/s.Groups
	dst := make([]float32, s.N*oh*ow*s.OC)
	for n := range s.N {
		for oy := range oh {
			for ox := range ow {
				for oc := range s.OC {
					g := oc / ocg
					var sum float64
					if bias != nil {
						sum = float64(bias[oc])
					}
					for ky := range s.KH {
						for kx := range s.KW {
							iy := oy*s.StrideH - s.Pad.Top + ky*s.DilationH
							ix := ox*s.StrideW - s.Pad.Left + kx*s.DilationW
							if iy < 0 || iy >= s.H || ix < 0 || ix >= s.W {
								continue
							}
							for ci := range cg {
								xv := x[((n*s.H+iy)*s.W+ix)*s.C+g*cg+ci]
								fv := filter[((ky*s.KW+kx)*cg+ci)*s.OC+oc]
								sum += float64(xv) * float64(fv)
							}
						}
					}
					dst[((n*oh+oy)*ow+ox)*s.OC+oc] = refAct(sum, act)
				}
			}
		}
	}
	return dst
}

func refAct(v float64, act Activation) float32 {
	if act == ReLU && v < 0 {
		v = 0
	}
	return float32(v)
}

// refGemm returns a copy of c (zeros of length (m-1)*ldc+n when c is nil)
// with c[i*ldc+j] = Σ_p opA(i,p)*opB(p,j), plus the old value when acc.
func refGemm(transA, transB bool, m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int, acc bool) []float32 {
	out := make([]float32, (m-1)*ldc+n)
	copy(out, c)
	for i := range m {
		for j := range n {
			var sum float64
			if acc {
				sum = float64(out[i*ldc+j])
			}
			for p := range k {
				ai, bi := i*lda+p, p*ldb+j
				if transA {
					ai = p*lda + i
				}
				if transB {
					bi = j*ldb + p
				}
				av, bv := a[ai], b[bi]
				sum += float64(av) * float64(bv)
			}
			out[i*ldc+j] = float32(sum)
		}
	}
	return out
}

// refDense is act(x·w + bias) for x [N, K], w [K, M].
func refDense(x, w, bias []float32, n, k, m int, act Activation) []float32 {
	dst := make([]float32, n*m)
	for i := range n {
		for j := range m {
			var sum float64
			if bias != nil {
				sum = float64(bias[j])
			}
			for p := range k {
				sum += float64(x[i*k+p]) * float64(w[p*m+j])
			}
			dst[i*m+j] = refAct(sum, act)
		}
	}
	return dst
}

// refPool calls visit(o, cells) for every output index o with the input
// indices of the window's real cells.
func refPool(s PoolShape, visit func(o int, cells []int)) {
	s = s.normalized()
	oh, ow := s.Out()
	var cells []int
	for n := range s.N {
		for oy := range oh {
			for ox := range ow {
				for c := range s.C {
					cells = cells[:0]
					for ky := range s.KH {
						for kx := range s.KW {
							iy := oy*s.StrideH - s.Pad.Top + ky
							ix := ox*s.StrideW - s.Pad.Left + kx
							if iy >= 0 && iy < s.H && ix >= 0 && ix < s.W {
								cells = append(cells, ((n*s.H+iy)*s.W+ix)*s.C+c)
							}
						}
					}
					visit(((n*oh+oy)*ow+ox)*s.C+c, cells)
				}
			}
		}
	}
}

// refMaxPool is tf.nn.max_pool: the maximum over the window's real cells.
func refMaxPool(x []float32, s PoolShape) []float32 {
	dst := make([]float32, s.OutLen())
	refPool(s, func(o int, cells []int) {
		m := float32(math.Inf(-1))
		for _, i := range cells {
			m = max(m, x[i])
		}
		dst[o] = m
	})
	return dst
}

// refAvgPool is tf.nn.avg_pool: the mean over the window's real cells.
func refAvgPool(x []float32, s PoolShape) []float32 {
	dst := make([]float32, s.OutLen())
	refPool(s, func(o int, cells []int) {
		var sum float64
		for _, i := range cells {
			sum += float64(x[i])
		}
		dst[o] = float32(sum / float64(len(cells)))
	})
	return dst
}

// refRelu is tf.nn.relu; NaN stays NaN.
func refRelu(x []float32) []float32 {
	dst := make([]float32, len(x))
	for i, v := range x {
		if v < 0 {
			v = 0
		}
		dst[i] = v
	}
	return dst
}

// refSoftmax is tf.nn.softmax over the rows of x [N, M].
func refSoftmax(x []float32, n, m int) []float32 {
	dst := make([]float32, n*m)
	for r := range n {
		row := x[r*m : (r+1)*m]
		hi := math.Inf(-1)
		for _, v := range row {
			hi = math.Max(hi, float64(v))
		}
		var sum float64
		for _, v := range row {
			sum += math.Exp(float64(v) - hi)
		}
		for j, v := range row {
			dst[r*m+j] = float32(math.Exp(float64(v)-hi) / sum)
		}
	}
	return dst
}

// refLRN is tf.nn.local_response_normalization over the channels of x [P, C].
func refLRN(x []float32, pixels, c int, p LRNParams) []float32 {
	dst := make([]float32, pixels*c)
	for px := range pixels {
		for ch := range c {
			var sum float64
			for j := ch - p.DepthRadius; j <= ch+p.DepthRadius; j++ {
				if j >= 0 && j < c {
					v := float64(x[px*c+j])
					sum += v * v
				}
			}
			base := float64(p.Bias) + float64(p.Alpha)*sum
			dst[px*c+ch] = float32(float64(x[px*c+ch]) * math.Pow(base, -float64(p.Beta)))
		}
	}
	return dst
}
