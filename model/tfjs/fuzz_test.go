package tfjs

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// fuzzLimits are small enough that the fuzzer reaches them.
var fuzzLimits = Limits{MaxJSONBytes: 1 << 16, MaxLayers: 64, MaxWeights: 64, MaxRank: 6, MaxElements: 1 << 14}

// FuzzParse feeds arbitrary model.json bytes and weight bytes (the first
// shard gets them all, later shards are empty) to Parse: it must not panic
// nor allocate more than a bounded multiple of its input, and every weight
// it returns must have as many values as its shape says.
// The seeds are the tfjs fixtures; testdata/fuzz/FuzzParse keeps the
// corpus.
func FuzzParse(f *testing.F) {
	for _, v := range variants {
		dir := filepath.Join("testdata", "fixtures", v)
		modelJSON, err := os.ReadFile(filepath.Join(dir, "model.json"))
		if err != nil {
			f.Fatal(err)
		}
		shards, _ := filepath.Glob(filepath.Join(dir, "*.bin"))
		var all []byte
		for _, s := range shards {
			b, _ := os.ReadFile(s)
			all = append(all, b...)
		}
		f.Add(modelJSON, all)
		f.Add(modelJSON, all[:len(all)/2])
	}
	f.Fuzz(func(t *testing.T, modelJSON, weights []byte) {
		first := true
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		m, err := fuzzLimits.Parse(modelJSON, func(string) ([]byte, error) {
			if first {
				first = false
				return weights, nil
			}
			return nil, nil
		})
		runtime.ReadMemStats(&after)
		if grew := after.TotalAlloc - before.TotalAlloc; grew > 512*uint64(len(modelJSON)+len(weights))+1<<20 {
			t.Fatalf("parsing %d + %d bytes allocated %d bytes", len(modelJSON), len(weights), grew)
		}
		if err != nil {
			return
		}
		for _, w := range m.Weights {
			n := 1
			for _, d := range w.Shape {
				n *= d
			}
			if n != len(w.Values) {
				t.Fatalf("weight %q: %d values, shape %v", w.Name, len(w.Values), w.Shape)
			}
		}
	})
}
