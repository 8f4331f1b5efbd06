package ui

// KernelSide is the side K of a square K×K convolution filter bank with
// the given weight count, filters and input channels per group:
// weights = K*K*inChannels*filters. It returns 0 when no integer K fits.
func KernelSide(weights, filters, inChannels int) int {
	if filters <= 0 || inChannels <= 0 || weights%(filters*inChannels) != 0 {
		return 0
	}
	area := weights / (filters * inChannels)
	for k := 1; k*k <= area; k++ {
		if k*k == area {
			return k
		}
	}
	return 0
}
