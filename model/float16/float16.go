// Package float16 converts between IEEE 754 binary16 ("half precision") bits
// and float32. Weight files store binary16 in safetensors (F16), in ONNX
// (TensorProto FLOAT16) and in TensorFlow.js shards (quantization dtype
// float16); all of them decode through ToFloat32.
package float16

import "math"

// ToFloat32 converts IEEE 754 binary16 bits to float32 exactly (every
// binary16 value, subnormals, infinities and NaN payloads included, is
// representable in binary32).
func ToFloat32(h uint16) float32 {
	sign := uint32(h&0x8000) << 16
	exp := uint32(h>>10) & 0x1f
	mant := uint32(h & 0x3ff)
	switch {
	case exp == 0x1f: // infinity or NaN
		return math.Float32frombits(sign | 0x7f800000 | mant<<13)
	case exp == 0: // zero or subnormal: mant × 2⁻²⁴, exact in binary32
		v := float32(mant) * (1.0 / (1 << 24))
		if sign != 0 {
			v = -v
		}
		return v
	}
	return math.Float32frombits(sign | (exp+127-15)<<23 | mant<<13)
}

// FromFloat32 converts f to IEEE 754 binary16 bits, rounding to nearest with
// ties to even; values beyond the largest finite binary16 (65504) that round
// up become ±Inf, NaN stays NaN (quiet, payload's top bits kept).
func FromFloat32(f float32) uint16 {
	b := math.Float32bits(f)
	sign := uint16(b>>16) & 0x8000
	exp := int(b>>23) & 0xff
	mant := b & 0x7fffff
	if exp == 0xff {
		if mant != 0 {
			return sign | 0x7e00 | uint16(mant>>13)
		}
		return sign | 0x7c00
	}
	e := exp - 127 + 15 // biased binary16 exponent
	if e >= 0x1f {
		return sign | 0x7c00
	}
	if e > 0 {
		// Normal: drop 13 mantissa bits. A carry out of the mantissa
		// increments the exponent, up to infinity, which is what rounding
		// requires.
		h := uint32(e)<<10 | mant>>13
		if rem := mant & 0x1fff; rem > 0x1000 || rem == 0x1000 && h&1 == 1 {
			h++
		}
		return sign | uint16(h)
	}
	// Subnormal result: the value is full × 2^(exp-150), a binary16
	// subnormal is q × 2⁻²⁴, so q = full >> (126-exp) rounded.
	s := uint(126 - exp)
	if s > 24 {
		return sign // below half the smallest subnormal
	}
	full := mant | 0x800000
	q := full >> s
	rem, half := full&(1<<s-1), uint32(1)<<(s-1)
	if rem > half || rem == half && q&1 == 1 {
		q++
	}
	return sign | uint16(q)
}
