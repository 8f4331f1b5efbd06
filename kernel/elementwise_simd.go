//go:build goexperiment.simd && (amd64 || wasm)

package kernel

import "simd/archsimd"

// reluVec is reluGeneric on four lanes: 0 where v < 0, else v (NaN and -0
// pass through).
func reluVec(v archsimd.Float32x4) archsimd.Float32x4 {
	var zero archsimd.Float32x4
	return zero.IfElse(v.Less(zero), v)
}

// reluSIMD sets dst[i] = max(x[i], 0); NaN stays NaN.
func reluSIMD(dst, x []float32) {
	dst = dst[:len(x)]
	i := 0
	for ; i+4 <= len(x); i += 4 {
		reluVec(archsimd.LoadFloat32x4(x[i:])).Store(dst[i:])
	}
	reluGeneric(dst[i:], x[i:])
}

// biasActSIMD sets d[r*ldd+j] = act(d[r*ldd+j] + bias[j]) for r < rows,
// j < cols; bias may be nil.
func biasActSIMD(d []float32, rows, cols, ldd int, bias []float32, act Activation) {
	switch {
	case bias == nil && act == Linear:
		return
	case bias == nil:
		for r := range rows {
			row := d[r*ldd : r*ldd+cols]
			reluSIMD(row, row)
		}
		return
	}
	bias = bias[:cols]
	for r := range rows {
		row := d[r*ldd : r*ldd+cols]
		j := 0
		for ; j+4 <= cols; j += 4 {
			v := archsimd.LoadFloat32x4(row[j:]).Add(archsimd.LoadFloat32x4(bias[j:]))
			if act == ReLU {
				v = reluVec(v)
			}
			v.Store(row[j:])
		}
		biasActGeneric(row[j:], 1, cols-j, cols-j, bias[j:], act)
	}
}
