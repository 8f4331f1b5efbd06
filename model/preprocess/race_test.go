//go:build race

package preprocess

// raceEnabled: the race detector makes sync.Pool drop items at random, so
// the pooled MNIST buffers are reallocated and allocation counts differ.
const raceEnabled = true
