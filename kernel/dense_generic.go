package kernel

// denseGeneric computes Dense as a GEMM with A = x [N, K] and B = w [K, M],
// then bias and activation. The generic packed form of w is w itself
// (packDenseGeneric), so it also computes the packed Dense.
func denseGeneric(dst, x, w, bias []float32, n, k, m int, act Activation, _ []float32) {
	gemmGeneric(false, false, n, m, k, x, k, w, m, dst, m, false, nil)
	biasActGeneric(dst, n, m, m, bias, act)
}

// packDenseGeneric copies w [K, M] (row-major, ldb = M) into dst.
func packDenseGeneric(dst, w []float32, ldb, k, m int) {
	for p := range k {
		copy(dst[p*m:(p+1)*m], w[p*ldb:])
	}
}

func packedDenseLenGeneric(k, m int) int { return k * m }

// packedDenseRowGeneric: row p of w [K, M] is w's own row.
func packedDenseRowGeneric(_, m, p int) (at, run, stride int) { return p * m, m, 0 }

// denseInt8Generic computes DenseInt8 row by row: acc[j] = Σ_k
// x[k]*float32(q[k,j]) accumulated in dst's row (rows of q added in
// order, as gemmRowAdd does), then dst = act(acc*scale[j] + bias[j]). Its
// packed form of q is q itself.
func denseInt8Generic(dst, x []float32, q []int8, scales, bias []float32, n, k, m int, act Activation, _ []float32) {
	scales = scales[:m]
	for i := range n {
		out := dst[i*m : (i+1)*m]
		clear(out)
		for p, xv := range x[i*k : (i+1)*k] {
			qr := q[p*m : (p+1)*m]
			qr = qr[:len(out)]
			for j, qv := range qr {
				out[j] += xv * float32(qv)
			}
		}
		for j, sc := range scales {
			v := out[j] * sc
			if bias != nil {
				v += bias[j]
			}
			if act == ReLU {
				v = relu32(v)
			}
			out[j] = v
		}
	}
}

func packInt8Generic(dst, q []int8, k, m int) { copy(dst, q[:k*m]) }

func packedInt8LenGeneric(k, m int) int { return k * m }
