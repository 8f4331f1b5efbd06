package kernel

import (
	"errors"

	"github.com/featuremap/featuremap/internal/msg"
)

// Activation is an elementwise function fused into the end of an operator.
type Activation uint8

const (
	Linear Activation = iota // identity
	ReLU                     // max(x, 0), as tf.nn.relu
)

// Conv2D computes tf.nn.conv2d with explicit padding, plus an optional bias
// and fused activation, for every n, oy, ox, g and oc in group g:
//
//	dst[n,oy,ox,oc] = act(bias[oc] + Σ_{ky,kx,ci} x[n, oy*SH-Top+ky*DH, ox*SW-Left+kx*DW, g*C/G+ci] * filter[ky,kx,ci,oc])
//
// where cells outside the input are zero. bias may be nil. ws must hold
// s.WorkspaceLen() elements; dst must not overlap x, filter, bias or ws.
func Conv2D(dst, x, filter, bias []float32, s ConvShape, act Activation, ws []float32) error {
	const op = "conv2d"
	if err := s.Validate(); err != nil {
		return err
	}
	s = s.normalized()
	if err := firstErr(
		checkLen(op, "x", len(x), s.InLen()),
		checkLen(op, "filter", len(filter), s.FilterLen()),
		checkLen(op, "dst", len(dst), s.OutLen()),
		checkLen(op, "ws", len(ws), s.WorkspaceLen()),
	); err != nil {
		return err
	}
	if bias != nil {
		if err := checkLen(op, "bias", len(bias), s.OC); err != nil {
			return err
		}
	}
	active.conv(dst, x, filter, bias, s, act, ws)
	return nil
}

// Dense computes a fully connected layer (tf.matmul plus bias), for every n, m:
//
//	dst[n,m] = act(bias[m] + Σ_k x[n,k] * w[k,m])
//
// with x [N, K], w [K, M], dst [N, M]. bias may be nil. ws must hold
// DenseWorkspaceLen(n, k, m) elements.
func Dense(dst, x, w, bias []float32, n, k, m int, act Activation, ws []float32) error {
	const op = "dense"
	if n < 1 || k < 1 || m < 1 {
		return errors.New("kernel: " + op + ": sizes N, K, M must be positive, got " + msg.Int(n) + ", " + msg.Int(k) + ", " + msg.Int(m))
	}
	if err := firstErr(
		checkLen(op, "x", len(x), n*k),
		checkLen(op, "w", len(w), k*m),
		checkLen(op, "dst", len(dst), n*m),
		checkLen(op, "ws", len(ws), DenseWorkspaceLen(n, k, m)),
	); err != nil {
		return err
	}
	if bias != nil {
		if err := checkLen(op, "bias", len(bias), m); err != nil {
			return err
		}
	}
	active.dense(dst, x, w, bias, n, k, m, act, ws)
	return nil
}

// Gemm computes C = op(A)·op(B), or C += op(A)·op(B) when accumulate is set,
// where op(A) is m×k and op(B) is k×n, all row-major with leading dimensions
// lda, ldb, ldc. op(A) is Aᵀ when transA is set (then A is k×m), likewise B.
// ws must hold GemmWorkspaceLen(m, n, k) elements. It is the building block of
// Conv2D and Dense, exported for training (backward passes).
func Gemm(transA, transB bool, m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int, accumulate bool, ws []float32) error {
	const op = "gemm"
	if m < 1 || n < 1 || k < 1 {
		return errors.New("kernel: " + op + ": sizes m, n, k must be positive, got " + msg.Int(m) + ", " + msg.Int(n) + ", " + msg.Int(k))
	}
	ar, ac := m, k
	if transA {
		ar, ac = k, m
	}
	br, bc := k, n
	if transB {
		br, bc = n, k
	}
	switch {
	case lda < ac:
		return errors.New("kernel: " + op + ": lda = " + msg.Int(lda) + ", want at least " + msg.Int(ac))
	case ldb < bc:
		return errors.New("kernel: " + op + ": ldb = " + msg.Int(ldb) + ", want at least " + msg.Int(bc))
	case ldc < n:
		return errors.New("kernel: " + op + ": ldc = " + msg.Int(ldc) + ", want at least " + msg.Int(n))
	}
	if err := firstErr(
		checkLen(op, "a", len(a), (ar-1)*lda+ac),
		checkLen(op, "b", len(b), (br-1)*ldb+bc),
		checkLen(op, "c", len(c), (m-1)*ldc+n),
		checkLen(op, "ws", len(ws), GemmWorkspaceLen(m, n, k)),
	); err != nil {
		return err
	}
	gemm(transA, transB, m, n, k, a, lda, b, ldb, c, ldc, accumulate, ws)
	return nil
}

// MaxPool computes tf.nn.max_pool with explicit padding: for every n, oy, ox, c
//
//	dst[n,oy,ox,c] = max_{ky,kx} x[n, oy*SH-Top+ky, ox*SW-Left+kx, c]
//
// over the window's cells that lie inside the input (padding is ignored).
func MaxPool(dst, x []float32, s PoolShape) error {
	const op = "maxpool"
	if err := s.Validate(op); err != nil {
		return err
	}
	s = s.normalized()
	if err := firstErr(checkLen(op, "x", len(x), s.InLen()), checkLen(op, "dst", len(dst), s.OutLen())); err != nil {
		return err
	}
	maxPool(dst, x, s)
	return nil
}

// AvgPool computes tf.nn.avg_pool with explicit padding: the mean of the
// window's cells that lie inside the input. As in TensorFlow, the divisor is
// the number of real (non-padding) cells, not KH*KW.
func AvgPool(dst, x []float32, s PoolShape) error {
	const op = "avgpool"
	if err := s.Validate(op); err != nil {
		return err
	}
	s = s.normalized()
	if err := firstErr(checkLen(op, "x", len(x), s.InLen()), checkLen(op, "dst", len(dst), s.OutLen())); err != nil {
		return err
	}
	avgPool(dst, x, s)
	return nil
}

// Relu sets dst[i] = max(x[i], 0) for i < len(x) (tf.nn.relu). dst may be x.
// NaN stays NaN.
func Relu(dst, x []float32) error {
	if err := checkLen("relu", "dst", len(dst), len(x)); err != nil {
		return err
	}
	relu(dst[:len(x)], x)
	return nil
}

// Softmax computes tf.nn.softmax over the last axis of x [N, M]:
//
//	dst[n,m] = exp(x[n,m] - max_j x[n,j]) / Σ_j exp(x[n,j] - max_j x[n,j])
//
// Subtracting the row maximum keeps it finite for any finite input. dst may be x.
func Softmax(dst, x []float32, n, m int) error {
	const op = "softmax"
	if n < 1 || m < 1 {
		return errors.New("kernel: " + op + ": sizes N, M must be positive, got " + msg.Int(n) + ", " + msg.Int(m))
	}
	if err := firstErr(checkLen(op, "x", len(x), n*m), checkLen(op, "dst", len(dst), n*m)); err != nil {
		return err
	}
	softmax(dst, x, n, m)
	return nil
}

// LRNParams are the arguments of tf.nn.local_response_normalization.
// TensorFlow's defaults are DepthRadius 5, Bias 1, Alpha 1, Beta 0.5.
type LRNParams struct {
	DepthRadius int
	Bias        float32
	Alpha       float32
	Beta        float32
}

// LRN computes tf.nn.local_response_normalization over the channels of x
// [P, C] (P = N*H*W pixels): for every p, c
//
//	dst[p,c] = x[p,c] / (Bias + Alpha * Σ_{|j-c| ≤ DepthRadius} x[p,j]²)^Beta
//
// (Krizhevsky et al. 2012, §3.3, with Alpha per element as in TensorFlow;
// ONNX and Caffe divide alpha by the window size 2r+1). dst must not overlap x.
func LRN(dst, x []float32, pixels, c int, p LRNParams) error {
	const op = "lrn"
	switch {
	case pixels < 1 || c < 1:
		return errors.New("kernel: " + op + ": sizes pixels, C must be positive, got " + msg.Int(pixels) + ", " + msg.Int(c))
	case p.DepthRadius < 0:
		return errors.New("kernel: " + op + ": depth radius must not be negative, got " + msg.Int(p.DepthRadius))
	}
	if err := firstErr(checkLen(op, "x", len(x), pixels*c), checkLen(op, "dst", len(dst), pixels*c)); err != nil {
		return err
	}
	lrn(dst, x, pixels, c, p)
	return nil
}

func firstErr(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
