package order

import (
	"cmp"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestStable sorts random indices by keys with many ties and compares with
// slices.SortStableFunc, for lengths around the merge widths.
func TestStable(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for n := range 70 {
		for range 20 {
			key := make([]int, n)
			for i := range key {
				key[i] = rng.IntN(max(n/3, 1))
			}
			byKey := func(a, b int) int { return cmp.Compare(key[a], key[b]) }
			got, want := make([]int, n), make([]int, n)
			for i := range got {
				got[i], want[i] = i, i
			}
			rng.Shuffle(n, func(i, j int) { got[i], got[j] = got[j], got[i]; want[i], want[j] = want[j], want[i] })
			Stable(got, byKey)
			slices.SortStableFunc(want, byKey)
			if !slices.Equal(got, want) {
				t.Fatalf("n=%d keys %v: %v, want %v", n, key, got, want)
			}
		}
	}
}
