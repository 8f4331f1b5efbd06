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
