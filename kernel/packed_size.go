package kernel

// Sizes of prepared weights, known before packing, so that a caller can
// price a network's memory before allocating it (model.Footprint).

// PackedBytes is the memory PackConv's result holds for the convolution s
// (PackedConv.Bytes; s.N is ignored), known before the filter is packed.
// s must be valid (ConvShape.Validate).
func (s ConvShape) PackedBytes() int64 {
	s.N = 1
	s = s.normalized()
	if tile := s.winogradTile(); tile != 0 {
		return 4 * int64(packedWinogradLen(active, s, tile))
	}
	return 4 * int64(active.packedConvLen(s))
}

// PackedDenseBytes is the memory the weights [K, M] hold once packed
// (PackedDense.Bytes): by PackDenseInt8 with int8, else by PackDense.
// K and M must be positive.
func PackedDenseBytes(k, m int, int8 bool) int64 {
	if int8 {
		return int64(active.packedInt8Len(k, m)) + 4*int64(m)
	}
	return 4 * int64(active.packedDenseLen(k, m))
}
