package kernel

import "math"

// biasActGeneric sets d[r*ldd+j] = act(d[r*ldd+j] + bias[j]) for r < rows,
// j < cols; bias may be nil.
func biasActGeneric(d []float32, rows, cols, ldd int, bias []float32, act Activation) {
	if bias == nil && act == Linear {
		return
	}
	for r := range rows {
		row := d[r*ldd : r*ldd+cols]
		switch {
		case bias == nil:
			reluGeneric(row, row)
		case act == ReLU:
			bias := bias[:len(row)]
			for j, bv := range bias {
				row[j] = relu32(row[j] + bv)
			}
		default:
			bias := bias[:len(row)]
			for j, bv := range bias {
				row[j] += bv
			}
		}
	}
}

// reluGeneric sets dst[i] = max(x[i], 0); NaN stays NaN.
func reluGeneric(dst, x []float32) {
	dst = dst[:len(x)]
	for i, v := range x {
		dst[i] = relu32(v)
	}
}

// relu32 and max32 are branch-free forms of max(v, 0) and max(a, b): Go's
// wasm backend compiles the builtin max to a runtime call and a branch to a
// block dispatch, both several times slower, and natively random signs
// mispredict a branch.

// relu32 returns max(v, 0), +0 for -0, and v for NaN: it clears a value
// whose sign bit is set unless it is a NaN.
func relu32(v float32) float32 {
	b := math.Float32bits(v)
	neg := uint32(int32(b) >> 31)
	if b&0x7fff_ffff > 0x7f80_0000 { // NaN: compiled to a conditional move
		neg = 0
	}
	return math.Float32frombits(b &^ neg)
}

// max32 returns max(a, b) for non-NaN values (+0 above -0). It compares
// the bit patterns as integers after flipping the magnitude bits of
// negative values, which orders them like the floats.
func max32(a, b float32) float32 {
	ba, bb := int32(math.Float32bits(a)), int32(math.Float32bits(b))
	ka, kb := ba^int32(uint32(ba>>31)>>1), bb^int32(uint32(bb>>31)>>1)
	takeB := int32((int64(ka) - int64(kb)) >> 63) // all ones when b > a
	return math.Float32frombits(uint32(bb&takeB | ba&^takeB))
}

// softmaxGeneric computes Softmax row by row: the row maximum, then
// exp(x - max) (math.Exp in float64), then a division by the row sum.
func softmaxGeneric(dst, x []float32, n, m int) {
	for r := range n {
		in := x[r*m : (r+1)*m]
		out := dst[r*m : (r+1)*m]
		out = out[:len(in)]
		hi := in[0]
		for _, v := range in {
			hi = max32(hi, v)
		}
		var sum float64
		for j, v := range in {
			e := float32(math.Exp(float64(v - hi)))
			out[j] = e
			sum += float64(e)
		}
		inv := 1 / sum
		for j, e := range out {
			out[j] = float32(float64(e) * inv)
		}
	}
}
