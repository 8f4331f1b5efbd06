package safetensors

import "github.com/featuremap/featuremap/model/float16"

// Float16ToFloat32 converts IEEE 754 binary16 bits to float32 exactly
// (float16.ToFloat32).
func Float16ToFloat32(h uint16) float32 { return float16.ToFloat32(h) }

// Float32ToFloat16 converts f to IEEE 754 binary16 bits, rounding to nearest
// with ties to even (float16.FromFloat32).
func Float32ToFloat16(f float32) uint16 { return float16.FromFloat32(f) }
