package model

import (
	"runtime"
	"strings"
	"testing"

	"github.com/featuremap/featuremap/kernel"
)

// activeKernels names the kernel set the exported kernels use ("generic"
// without SIMD), from a packed filter's variant.
func activeKernels(t *testing.T) string {
	f, err := kernel.PackConv(make([]float32, 1), kernel.ConvShape{N: 1, H: 1, W: 1, C: 1, KH: 1, KW: 1, OC: 1})
	if err != nil {
		t.Fatal(err)
	}
	name, _, _ := strings.Cut(f.Variant(), ":")
	return name
}

// TestFootprintSeednet checks seednet's footprint against values worked
// out by hand. seednet: input 28×28×1 → conv1 3×3×1×64 SAME + ReLU (fused)
// → pool1 2×2/2 → flatten (a view) → fc 12544→10 → softmax (in place).
//
// Activations, batch 1: conv1's 28·28·64 = 50176 values live while pool1
// writes its 14·14·64 = 12544, so those two sit side by side; the input
// (784, dead once conv1 has run) goes after conv1, and fc's 10 (with
// softmax over them) at 0, where conv1 was: 50176 + 12544 = 62720 values,
// 250880 bytes. Keeping every activation, all five buffers lie end to end
// in decreasing size, each at a multiple of 16 values: 50176, 12544, 784,
// 10 → 16, 10: 63530 → 63536 values, 254144 bytes.
//
// Parameters: an int8 file keeps its bytes (File); the float32 values are
// the biases and scales, 4·(64+64+10+10) = 592 bytes. A float32 file keeps
// 4·126090 = 504360 bytes of parameters and not itself.
//
// Packed and workspace with the portable kernels (their layouts are the
// weights as given): conv1 4·576 = 2304 bytes, float32 fc 4·125440 =
// 501760, int8 fc 125440 + 4·10 scales = 125480; the only workspace is
// conv1's im2col, 28·28 rows of 3·3·1, 4·7056 = 28224 bytes.
func TestFootprintSeednet(t *testing.T) {
	net := seededNet(t, mustBuiltin(t, "seednet"), 1)
	generic := activeKernels(t) == "generic"
	for _, c := range []struct {
		int8 bool
		keep bool
		want Footprint // File -1: the file's length
	}{
		{true, false, Footprint{File: -1, Params: 592, Packed: 2304 + 125480, Activations: 250880, Workspace: 28224}},
		{true, true, Footprint{File: -1, Params: 592, Packed: 2304 + 125480, Activations: 254144, Workspace: 28224}},
		{false, false, Footprint{Params: 504360, Packed: 2304 + 501760, Activations: 250880, Workspace: 28224}},
	} {
		data := encode(t, net, EncodeOptions{Int8: c.int8})
		want := c.want
		if want.File < 0 {
			want.File = int64(len(data))
		}
		opts := RunnerOptions{KeepActivations: c.keep}
		got, err := load(t, data).Footprint(opts)
		if err != nil {
			t.Fatal(err)
		}
		_, priced, err := PriceFile(data, opts)
		if err != nil {
			t.Fatal(err)
		}
		if priced != got {
			t.Errorf("int8 %v, keep %v: PriceFile = %+v, the loaded Net's Footprint %+v", c.int8, c.keep, priced, got)
		}
		if !generic { // packing layouts and workspaces are the SIMD kernels' own
			want.Packed, want.Workspace = got.Packed, got.Workspace
		}
		if got != want {
			t.Errorf("int8 %v, keep %v: Footprint = %+v, want %+v", c.int8, c.keep, got, want)
		}
	}
}

// TestFootprintAllocates checks Footprint against what NewRunner then
// holds, on every kernel set: its arena is exactly Activations +
// Workspace, and the bytes it allocates are at least the footprint's
// Runner part and at most that plus the packing's transients (an int8
// filter dequantised, at most 4 bytes per conv weight; a Winograd filter's
// transform before packing, at most 64/25 of that: kernel.packWinograd)
// and bookkeeping.
func TestFootprintAllocates(t *testing.T) {
	for _, name := range []string{"seednet", "alexmnist"} {
		net := seededNet(t, mustBuiltin(t, name), 2)
		for _, int8 := range []bool{false, true} {
			loaded := load(t, encode(t, net, EncodeOptions{Int8: int8}))
			convWeights := int64(0)
			for _, p := range loaded.Params() {
				if strings.HasPrefix(p.Name, "conv") && strings.HasSuffix(p.Name, ".weight") {
					convWeights += int64(numElems(p.Shape))
				}
			}
			for _, opts := range []RunnerOptions{{}, {Batch: 3}, {KeepActivations: true}} {
				fp, err := loaded.Footprint(opts)
				if err != nil {
					t.Fatal(err)
				}
				var before, after runtime.MemStats
				runtime.ReadMemStats(&before)
				r, err := NewRunner(loaded, opts)
				runtime.ReadMemStats(&after)
				if err != nil {
					t.Fatal(err)
				}
				if got := 4 * int64(r.ArenaLen()); got != fp.Activations+fp.Workspace {
					t.Errorf("%s int8 %v %+v: arena %d bytes, footprint %d + %d", name, int8, opts, got, fp.Activations, fp.Workspace)
				}
				allocated := int64(after.TotalAlloc - before.TotalAlloc)
				slack := 4*convWeights + 4*convWeights*64/25 + 64<<10
				if allocated < fp.Runner() || allocated > fp.Runner()+slack {
					t.Errorf("%s int8 %v %+v: NewRunner allocated %d bytes, footprint %+v (%d), slack %d", name, int8, opts, allocated, fp, fp.Runner(), slack)
				}
			}
		}
	}
}

// TestPriceFileErrors: a header PriceFile cannot read is refused as Load
// refuses it, and a runner that cannot be planned is refused too.
func TestPriceFileErrors(t *testing.T) {
	if _, _, err := PriceFile([]byte("not a weight file"), RunnerOptions{}); err == nil || !strings.HasPrefix(err.Error(), "model: safetensors: ") {
		t.Errorf("PriceFile(text) error = %v", err)
	}
	data := encode(t, seededNet(t, mustBuiltin(t, "seednet"), 1), EncodeOptions{Int8: true})
	if _, _, err := PriceFile(data, RunnerOptions{Batch: -1}); err == nil || !strings.Contains(err.Error(), "batch must be in [1,") {
		t.Errorf("PriceFile(batch -1) error = %v", err)
	}
}
