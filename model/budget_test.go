package model

import (
	"bytes"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/featuremap/featuremap/model/layers"
	"github.com/featuremap/featuremap/model/safetensors"
)

// reluChain is an architecture of n ReLU layers on an input h×w×c.
func reluChain(n, h, w, c int) Arch {
	a := Arch{Name: "chain", Input: [3]int{h, w, c}}
	for i := range n {
		a.Layers = append(a.Layers, Layer{Name: "r" + strconv.Itoa(i), Op: &layers.ReLU{}})
	}
	return a
}

// allocated returns the bytes f allocates.
func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// TestBudget: architectures over each limit are refused by Graph with an
// error naming the layer (or the layer count) and the limit, before
// anything is allocated for their parameters or activations. The expected
// totals are worked out by hand in each case.
func TestBudget(t *testing.T) {
	dense := func(name string, units int) Layer { return Layer{Name: name, Op: &layers.Dense{Units: units}} }
	for _, tc := range []struct {
		name string
		arch Arch
		want string
	}{
		{"layers", reluChain(DefaultLimits.Layers+1, 1, 1, 1),
			`model: arch "chain" has 4097 layers, more than the limit of 4096`},
		{"params", Arch{Name: "wide", Input: [3]int{1, 1, 32768}, Layers: []Layer{
			{Name: "flat", Op: &layers.Flatten{}}, dense("fc1", 4096), dense("fc2", 32768)}},
			// fc1: 32768·4096 + 4096 = 134,221,824; fc2 adds 4096·32768 + 32768 = 134,250,496.
			`model: layer "fc2": the network's parameters reach 268472320, more than the limit of 268435456`},
		{"activations", reluChain(3, 8192, 8192, 2),
			// 2^27 per layer; the input does not count.
			`model: layer "r2": the network's activations per example reach 402653184, more than the limit of 268435456`},
		{"flops", Arch{Name: "big", Input: [3]int{2048, 2048, 64}, Layers: []Layer{{Name: "conv", Op: &layers.Conv2D{
			Filters: 64, Window: layers.Window{Kernel: [2]int{3, 3}, Padding: layers.PadSame}}}}},
			// Activations 2048²·64 = 2^28, exactly the limit; FLOPs 2 · 2048² · 64 · (3·3·64) = 309,237,645,312.
			`model: layer "conv": the network's FLOPs per example reach 309237645312, more than the limit of 68719476736`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var err error
			if n := allocated(func() { _, err = tc.arch.Graph() }); n > 4<<20 {
				t.Errorf("Graph allocated %d bytes, want < 4 MiB", n)
			}
			if err == nil || err.Error() != tc.want {
				t.Errorf("Graph: %v\nwant %s", err, tc.want)
			}
		})
	}
	// Just under every limit passes, and a user may raise them.
	under := reluChain(DefaultLimits.Layers, 1, 1, 1)
	if _, err := under.Graph(); err != nil {
		t.Errorf("%d layers: %v", DefaultLimits.Layers, err)
	}
	small := Limits{Layers: 2, Params: 10, Activations: 10, FLOPs: 10}
	three, two := reluChain(3, 1, 1, 1), reluChain(2, 1, 1, 5)
	if _, err := three.GraphWithin(small); err == nil || !strings.Contains(err.Error(), "limit of 2") {
		t.Errorf("3 layers within %+v: %v", small, err)
	}
	if _, err := two.GraphWithin(small); err != nil {
		t.Errorf("2 ReLUs of 5 values within %+v: %v", small, err)
	}
}

// reluFile is a weight file whose architecture lists n ReLU layers.
func reluFile(t *testing.T, n int) []byte {
	var arch strings.Builder
	arch.WriteString(`{"name":"many","input":[1,1,1],"layers":[`)
	for i := range n {
		if i > 0 {
			arch.WriteByte(',')
		}
		arch.WriteString(`{"name":"r` + strconv.Itoa(i) + `","type":"relu"}`)
	}
	arch.WriteString(`]}`)
	var file bytes.Buffer
	if err := safetensors.Encode(&file, nil, map[string]string{MetaFormat: FormatVersion, MetaArch: arch.String()}); err != nil {
		t.Fatal(err)
	}
	return file.Bytes()
}

// TestLoadHostileLayerCount: weight files whose architecture lists more
// layers than the limit (the 4 MB file of 100,000 ReLU layers took
// 16 s to load and 100 s to run) are refused at load with bounded memory:
// by the JSON reader's value limit, or by the layer limit.
func TestLoadHostileLayerCount(t *testing.T) {
	for _, tc := range []struct {
		layers int
		want   string
	}{
		{100000, "more than 65536 values"},
		{5000, `model: arch "many" has 5000 layers, more than the limit of 4096`},
	} {
		file := reluFile(t, tc.layers)
		var err error
		n := allocated(func() { _, err = Load(file) })
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%d layers: Load: %v, want %q", tc.layers, err, tc.want)
		}
		// What Load allocates is bounded by the file's size.
		if limit := uint64(40 * len(file)); n > limit {
			t.Errorf("%d layers: Load allocated %d bytes for a %d-byte file, want < %d", tc.layers, n, len(file), limit)
		}
	}
}
