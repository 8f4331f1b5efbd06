//go:build goexperiment.simd && (amd64 || wasm)

package kernel

import "unsafe"

// denseSIMD computes Dense as one gemmBlocked with A = x [N, K], B = w
// [K, M] (packed block by block), bias and activation in the store.
func denseSIMD(dst, x, w, bias []float32, n, k, m int, act Activation, ws []float32) {
	gemmBlocked(n, m, k, &gemmA{a: x, lda: k}, &gemmB{b: w, ldb: m}, dst, m, false, bias, act, ws)
}

// densePackedSIMD is denseSIMD with w packed once by packBSIMD.
func densePackedSIMD(dst, x, packed, bias []float32, n, k, m int, act Activation, ws []float32) {
	gemmBlocked(n, m, k, &gemmA{a: x, lda: k}, &gemmB{packed: packed, nPad: roundUp(m, gemmNR)}, dst, m, false, bias, act, ws)
}

func densePackedSIMDWorkspaceLen(n, k, m int) int { return packedABlockLen(n, k) }

// Int8 dense weights are kept as panels of qNR columns: panel j holds
// columns j*qNR.. of q [K, M], row by row (K×qNR bytes, columns past M
// zero), followed by qSlack bytes so that gemvInt8Panel may load a whole
// vector past a panel's last row.
const (
	qNR    = 16
	qSlack = 16
)

func packedInt8LenSIMD(k, m int) int { return roundUp(m, qNR)*k + qSlack }

// packInt8SIMD packs q [K, M] into dst as the panels described at qNR.
func packInt8SIMD(dst, q []int8, k, m int) {
	clear(dst)
	for p := range k {
		row := q[p*m : (p+1)*m]
		for j0 := 0; j0 < m; j0 += qNR {
			copy(dst[j0*k+p*qNR:][:qNR], row[j0:min(j0+qNR, m)])
		}
	}
}

// gemvInt8Rows is the largest batch denseInt8SIMD computes row by row with
// gemvInt8Panel (rereading the weights per row); larger batches dequantise
// the weights into packed B blocks for gemmBlocked.
const gemvInt8Rows = 3

// denseInt8SIMD computes DenseInt8: for at most gemvInt8Rows rows, for every
// panel, acc[j] = Σ_k x[k]*float32(q[k,j]) in registers (gemvInt8Panel),
// then dst = act(acc*scale + bias); for more rows a gemmBlocked whose B
// blocks are dequantised (q*scale) from the panels.
func denseInt8SIMD(dst, x []float32, q []int8, scales, bias []float32, n, k, m int, act Activation, ws []float32) {
	if n > gemvInt8Rows {
		gemmBlocked(n, m, k, &gemmA{a: x, lda: k}, &gemmB{q: q, scales: scales}, dst, m, false, bias, act, ws)
		return
	}
	var acc [qNR]float32
	for i := range n {
		xr := x[i*k : (i+1)*k]
		out := dst[i*m : (i+1)*m]
		for j0 := 0; j0 < m; j0 += qNR {
			panel := q[j0*k : (j0+qNR)*k+qSlack]
			gemvInt8Panel(k, unsafe.Pointer(&xr[0]), unsafe.Pointer(&panel[0]), &acc)
			nr := min(qNR, m-j0)
			o, sc := out[j0:j0+nr], scales[j0:j0+nr]
			for j := range o {
				v := acc[j] * sc[j]
				if bias != nil {
					v += bias[j0+j]
				}
				if act == ReLU {
					v = relu32(v)
				}
				o[j] = v
			}
		}
	}
}

func denseInt8SIMDWorkspaceLen(n, k, m int) int {
	if n > gemvInt8Rows {
		return gemmSIMDWorkspaceLen(n, m, k)
	}
	return 0
}

// packBInt8 writes rows pc..pc+kc-1, columns jc..jc+nc-1 of the
// dequantised weights q[p,j]*scales[j] (q in the panels of packInt8SIMD,
// k rows) into dst as packB does.
func packBInt8(dst []float32, q []int8, scales []float32, k, pc, kc, kp, jc, nc int) {
	clearBPadding(dst, kc, kp, nc)
	for j := range nc {
		col := jc + j
		src := q[col/qNR*qNR*k+pc*qNR+col%qNR:]
		d := dst[j/gemmNR*gemmNR*kp+j%gemmNR:]
		sc := scales[col]
		for p := range kc {
			d[p*gemmNR] = float32(src[p*qNR]) * sc
		}
	}
}
