package onnx

import (
	"bytes"
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// fuzzLimits are small enough that the fuzzer reaches them.
var fuzzLimits = Limits{MaxBytes: 1 << 20, MaxDepth: 12, MaxItems: 64, MaxRank: 6, MaxElements: 4096}

// FuzzDecode feeds arbitrary bytes to Decode: it must not panic nor
// allocate more than a bounded multiple of the input (each entry of a
// repeated field costs at least two bytes of input and at most a few
// hundred bytes of structs); tensors it accepts must read as numbers with
// as many values as their dims say, or fail with an error; and a model it
// accepts must encode to bytes that decode and encode again to the same
// bytes. The seeds are the fixtures, random models and truncations of
// them; testdata/fuzz/FuzzDecode keeps the corpus.
func FuzzDecode(f *testing.F) {
	for _, name := range fixtureNames {
		b, err := os.ReadFile(filepath.Join("testdata", "fixtures", name+".onnx"))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
		f.Add(b[:len(b)/2])
	}
	refs, _ := filepath.Glob(filepath.Join("testdata", "reference", "*test_Conv2d*", "model.onnx"))
	for _, r := range refs {
		b, err := os.ReadFile(r)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	for seed := range 4 {
		b := randomModel(uint64(seed)).Marshal()
		f.Add(b)
		f.Add(b[:len(b)*2/3])
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		m, err := fuzzLimits.Decode(data)
		runtime.ReadMemStats(&after)
		if grew := after.TotalAlloc - before.TotalAlloc; grew > 512*uint64(len(data))+1<<16 {
			t.Fatalf("decoding %d bytes allocated %d bytes", len(data), grew)
		}
		if err != nil {
			return
		}
		if g := m.Graph; g != nil {
			tensors := []*Tensor{}
			for i := range g.Initializers {
				tensors = append(tensors, &g.Initializers[i])
			}
			for _, n := range g.Nodes {
				for _, a := range n.Attributes {
					if a.T != nil {
						tensors = append(tensors, a.T)
					}
				}
			}
			for _, tn := range tensors {
				if v, err := tn.Float32s(); err == nil && int64(len(v)) != dimsProduct(tn.Dims) {
					t.Fatalf("tensor %q: %d values, dims %v", tn.Name, len(v), tn.Dims)
				}
			}
		}
		b := m.Marshal()
		again, err := DefaultLimits.Decode(b)
		if err != nil {
			t.Fatalf("decoding the re-encoded model: %v", err)
		}
		if !bytes.Equal(again.Marshal(), b) {
			t.Fatal("encode, decode, encode changed the bytes")
		}
	})
}
