//go:build race

package models

// raceEnabled: the race detector makes sync.Pool (preprocessing's pooled
// buffers) drop items at random, so allocation counts differ under it.
const raceEnabled = true
