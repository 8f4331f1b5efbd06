//go:build goexperiment.simd && (amd64 || wasm)

package kernel

import "unsafe"

// denseSIMD computes Dense as one gemmBlocked with A = x [N, K], B = w
// [K, M] (packed block by block), bias and activation in the store.
func denseSIMD(dst, x, w, bias []float32, n, k, m int, act Activation, ws []float32) {
	gemmBlocked(n, m, k, &gemmA{a: x, lda: k}, &gemmB{b: w, ldb: m}, dst, m, false, bias, act, ws)
}

// gemvRows is the largest batch densePackedSIMD and denseInt8SIMD compute
// row by row as matrix-vector products (rereading the weights per row);
// larger batches go through gemmBlocked, whose 4-row tiles would be mostly
// empty below it.
const gemvRows = 3

// densePackedSIMD is denseSIMD with w packed once by packBSIMD. Up to
// gemvRows rows, each is a GEMV over the packed panels: for every panel of
// gemmNR columns, gemvTile accumulates Σ_k x[k]*w[k,j] over the K blocks in
// registers, then bias and activation are applied.
func densePackedSIMD(dst, x, packed, bias []float32, n, k, m int, act Activation, ws []float32) {
	nPad := roundUp(m, gemmNR)
	if n > gemvRows {
		gemmBlocked(n, m, k, &gemmA{a: x, lda: k}, &gemmB{packed: packed, nPad: nPad}, dst, m, false, bias, act, ws)
		return
	}
	var acc [gemmNR]float32
	for i := range n {
		xr := x[i*k : (i+1)*k]
		out := dst[i*m : (i+1)*m]
		for jr := 0; jr < m; jr += gemmNR {
			acc = [gemmNR]float32{}
			for pc := 0; pc < k; pc += gemmKC {
				kc := min(gemmKC, k-pc)
				panel := packed[pc*nPad+jr*kc:]
				_ = panel[kc*gemmNR-1] // the panel's kc rows
				gemvTile(kc, unsafe.Pointer(&xr[pc]), unsafe.Pointer(&panel[0]), &acc)
			}
			o := out[jr:min(jr+gemmNR, m)]
			for j := range o {
				v := acc[j]
				if bias != nil {
					v += bias[jr+j]
				}
				if act == ReLU {
					v = relu32(v)
				}
				o[j] = v
			}
		}
	}
}

func densePackedSIMDWorkspaceLen(n, k, m int) int {
	if n > gemvRows {
		return packedABlockLen(n, k)
	}
	return 0
}

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

// denseInt8SIMD computes DenseInt8: for at most gemvRows rows, for every
// panel, acc[j] = Σ_k x[k]*float32(q[k,j]) in registers (gemvInt8Panel),
// then dst = act(acc*scale + bias); for more rows a gemmBlocked whose B
// blocks are dequantised (q*scale) from the panels.
func denseInt8SIMD(dst, x []float32, q []int8, scales, bias []float32, n, k, m int, act Activation, ws []float32) {
	if n > gemvRows {
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
	if n > gemvRows {
		return gemmSIMDWorkspaceLen(n, m, k)
	}
	return 0
}

// packBInt8 writes rows pc..pc+kc-1, columns jc..jc+nc-1 of the
// dequantised weights q[p,j]*scales[j] (q in the panels of packInt8SIMD,
// k rows) into dst as packB does.
func packBInt8(dst []float32, q []int8, scales []float32, k, pc, kc, jc, nc int) {
	clearBPadding(dst, kc, nc)
	for j := range nc {
		col := jc + j
		src := q[col/qNR*qNR*k+pc*qNR+col%qNR:]
		d := dst[j/gemmNR*gemmNR*kc+j%gemmNR:]
		sc := scales[col]
		for p := range kc {
			d[p*gemmNR] = float32(src[p*qNR]) * sc
		}
	}
}
