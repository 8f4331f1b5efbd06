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
// vector past a panel's last row. Fewer than qNR columns (a classifier's
// last layer) are kept transposed instead, as M rows of K bytes
// (q[k,j] at j*K+k), which gemvInt8Dot2 reads without the zero columns
// that a panel would stream.
const (
	qNR    = 16
	qSlack = 16
)

func packedInt8LenSIMD(k, m int) int { return roundUp(m, qNR)*k + qSlack }

// int8Transposed reports whether packInt8SIMD keeps M columns transposed.
func int8Transposed(m int) bool { return m < qNR }

// packInt8SIMD packs q [K, M] into dst as described at qNR.
func packInt8SIMD(dst, q []int8, k, m int) {
	clear(dst)
	if int8Transposed(m) {
		for p := range k {
			for j, v := range q[p*m : (p+1)*m] {
				dst[j*k+p] = v
			}
		}
		return
	}
	for p := range k {
		row := q[p*m : (p+1)*m]
		for j0 := 0; j0 < m; j0 += qNR {
			copy(dst[j0*k+p*qNR:][:qNR], row[j0:min(j0+qNR, m)])
		}
	}
}

// denseInt8SIMD computes DenseInt8. Transposed weights (int8Transposed)
// go to denseInt8Transposed at every batch. Otherwise, for at most
// gemvInt8MaxRows rows (per architecture), panel by panel, so that the
// weights stream from memory once per call whatever the batch: the next
// panel is first brought into cache (touchLines), then for every two rows
// acc[j] = Σ_k x[k]*float32(q[k,j]) in registers (gemvInt8Panel2, and
// gemvInt8Panel for an odd last row), then dst = act(acc*scale + bias).
// For more rows, a gemmBlocked whose B blocks are dequantised (q*scale)
// from the panels.
func denseInt8SIMD(dst, x []float32, q []int8, scales, bias []float32, n, k, m int, act Activation, ws []float32) {
	if int8Transposed(m) {
		denseInt8Transposed(dst, x, q, scales, bias, n, k, m, act)
		return
	}
	if n > gemvInt8MaxRows {
		gemmBlocked(n, m, k, &gemmA{a: x, lda: k}, &gemmB{q: q, scales: scales}, dst, m, false, bias, act, ws)
		return
	}
	var acc0, acc1 [qNR]float32
	touchLines(unsafe.Pointer(&q[0]), k*qNR)
	for j0 := 0; j0 < m; j0 += qNR {
		panel := q[j0*k : (j0+qNR)*k+qSlack]
		if j0+qNR < m {
			touchLines(unsafe.Pointer(&q[(j0+qNR)*k]), k*qNR)
		}
		nr := min(qNR, m-j0)
		sc := scales[j0 : j0+nr]
		var b []float32
		if bias != nil {
			b = bias[j0 : j0+nr]
		}
		for i := 0; i < n; i += 2 {
			x0 := x[i*k : (i+1)*k]
			if i+1 < n {
				x1 := x[(i+1)*k : (i+2)*k]
				gemvInt8Panel2(k, unsafe.Pointer(&x0[0]), unsafe.Pointer(&x1[0]), unsafe.Pointer(&panel[0]), &acc0, &acc1)
				scaleBiasAct(dst[(i+1)*m+j0:(i+1)*m+j0+nr], &acc1, sc, b, act)
			} else {
				gemvInt8Panel(k, unsafe.Pointer(&x0[0]), unsafe.Pointer(&panel[0]), &acc0)
			}
			scaleBiasAct(dst[i*m+j0:i*m+j0+nr], &acc0, sc, b, act)
		}
	}
}

// touchLines loads one byte of every 64-byte cache line of the n bytes at
// p (n a multiple of 256), four lines per step, and returns their sum so
// that the loads are kept. Wasm has no prefetch instruction; these
// independent loads keep many cache misses in flight, where the
// arithmetic-heavy GEMV that follows would wait for its lines one at a
// time: on alexnet's fc6 (9216×4096, 37.7 MB of int8 panels, evicted
// from the cache as in a whole prediction) the matrix-vector product took
// 9.8 ms with the touch against 16.1 ms without (Go 1.27.3, Node 20).
//
//go:noinline
func touchLines(p unsafe.Pointer, n int) int8 {
	var t0, t1, t2, t3 int8
	for i := 0; i+256 <= n; i += 256 {
		t0 += *(*int8)(unsafe.Add(p, i))
		t1 += *(*int8)(unsafe.Add(p, i+64))
		t2 += *(*int8)(unsafe.Add(p, i+128))
		t3 += *(*int8)(unsafe.Add(p, i+192))
	}
	return t0 + t1 + t2 + t3
}

// denseInt8Transposed computes DenseInt8 on weights kept transposed
// (int8Transposed: q[k,j] at j*K+k): every output is a dot product of a row
// of x with a row of weights, two outputs at a time (gemvInt8Dot2 over the
// first K rounded down to 16, the rest added one by one), then
// act(sum*scale + bias).
func denseInt8Transposed(dst, x []float32, q []int8, scales, bias []float32, n, k, m int, act Activation) {
	k16 := k &^ 15
	scales = scales[:m]
	for i := range n {
		xr := x[i*k : (i+1)*k]
		out := dst[i*m : (i+1)*m]
		for j := 0; j < m; j += 2 {
			j1 := min(j+1, m-1) // an odd last output is computed twice
			q0, q1 := q[j*k:(j+1)*k], q[j1*k:(j1+1)*k]
			var s0, s1 float32
			if k16 > 0 {
				s0, s1 = gemvInt8Dot2(k16, unsafe.Pointer(&xr[0]), unsafe.Pointer(&q0[0]), unsafe.Pointer(&q1[0]))
			}
			for p := k16; p < k; p++ {
				s0 += xr[p] * float32(q0[p])
				s1 += xr[p] * float32(q1[p])
			}
			sums := [2]float32{s0, s1}
			for jj, sum := range sums[:j1-j+1] {
				v := sum * scales[j+jj]
				if bias != nil {
					v += bias[j+jj]
				}
				if act == ReLU {
					v = relu32(v)
				}
				out[j+jj] = v
			}
		}
	}
}

// scaleBiasAct sets o[j] = act(acc[j]*sc[j] + b[j]) (no bias when b is nil).
func scaleBiasAct(o []float32, acc *[qNR]float32, sc, b []float32, act Activation) {
	sc = sc[:len(o)]
	for j := range o {
		v := acc[j] * sc[j]
		if b != nil {
			v += b[j]
		}
		if act == ReLU {
			v = relu32(v)
		}
		o[j] = v
	}
}

func denseInt8SIMDWorkspaceLen(n, k, m int) int {
	if n > gemvInt8MaxRows && !int8Transposed(m) {
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
