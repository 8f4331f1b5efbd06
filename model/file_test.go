package model

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/featuremap/featuremap/model/layers"
	"github.com/featuremap/featuremap/model/safetensors"
)

func encode(t testing.TB, net *Net, opts EncodeOptions) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := net.Encode(&b, opts); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func load(t testing.TB, data []byte) *Net {
	t.Helper()
	net, err := Load(data)
	if err != nil {
		t.Fatal(err)
	}
	return net
}

func run(t testing.TB, net *Net, x []float32) []float32 {
	t.Helper()
	out, err := newRunner(t, net, 1, false).Run(x)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestWeightFileGolden pins the encoding of the fixture, float32 and int8,
// in testdata/tiny{,.int8}.safetensors (rewritten with -update).
func TestWeightFileGolden(t *testing.T) {
	net := seededNet(t, tinyArch(), 1)
	for path, opts := range map[string]EncodeOptions{
		"testdata/tiny.safetensors":      {},
		"testdata/tiny.int8.safetensors": {Int8: true},
	} {
		data := encode(t, net, opts)
		if again := encode(t, net, opts); !bytes.Equal(data, again) {
			t.Errorf("%s: two encodings differ", path)
		}
		if *update {
			if err := os.WriteFile(path, data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (run go test -update to create it)", err)
		}
		if !bytes.Equal(data, want) {
			t.Errorf("%s: encoding changed (%d bytes, golden %d); run go test -update if intended", path, len(data), len(want))
		}
	}
}

// TestRoundTripFloat32 checks that a float32 file gives back the same arch,
// bit-identical parameters and identical outputs.
func TestRoundTripFloat32(t *testing.T) {
	for _, a := range []Arch{tinyArch(), mustBuiltin(t, "alexmnist")} {
		net := seededNet(t, a, 11)
		got := load(t, encode(t, net, EncodeOptions{}))
		if !reflect.DeepEqual(got.Arch, net.Arch) {
			t.Errorf("%s: arch changed:\n%+v\n%+v", a.Name, got.Arch, net.Arch)
		}
		if !reflect.DeepEqual(got.Params(), net.Params()) {
			t.Errorf("%s: parameters changed", a.Name)
		}
		x := testInput(numElems(a.Input[:]), 0.3)
		if y0, y1 := run(t, net, x), run(t, got, x); !reflect.DeepEqual(y0, y1) {
			t.Errorf("%s: outputs %v, want %v", a.Name, y1, y0)
		}
	}
}

// TestRoundTripInt8 checks the dequantised weights against the float32 ones
// (|w - w'| ≤ scale/2 = max|w[:,c]|/254 per output channel) and bounds the
// change of the network's output.
func TestRoundTripInt8(t *testing.T) {
	for _, tc := range []struct {
		arch    Arch
		maxProb float64 // bound on |Δ probability|
	}{
		{tinyArch(), 0.01},
		{mustBuiltin(t, "seednet"), 0.01},
		{mustBuiltin(t, "alexmnist"), 0.01},
	} {
		net := seededNet(t, tc.arch, 13)
		data := encode(t, net, EncodeOptions{Int8: true})
		got := load(t, data)
		if n32 := len(encode(t, net, EncodeOptions{})); tc.arch.Name != "tiny" && len(data) >= n32/3 {
			t.Errorf("%s: int8 file is %d bytes, float32 %d: want under a third", tc.arch.Name, len(data), n32)
		}
		for i, p := range net.Params() {
			q := got.Params()[i]
			if strings.HasSuffix(p.Name, ".bias") {
				if !reflect.DeepEqual(p.Data, q.Data) {
					t.Errorf("%s: bias changed", p.Name)
				}
				continue
			}
			// An int8 weight stays int8 (no float32 copy) and reads back
			// through Float32s.
			if q.Data != nil || len(q.Int8) != len(p.Data) {
				t.Fatalf("%s: loaded with %d float32 and %d int8 values, want only the %d int8", p.Name, len(q.Data), len(q.Int8), len(p.Data))
			}
			qd, err := q.Float32s()
			if err != nil {
				t.Fatal(err)
			}
			oc := p.Shape[len(p.Shape)-1]
			maxAbs := make([]float64, oc)
			for j, v := range p.Data {
				maxAbs[j%oc] = math.Max(maxAbs[j%oc], math.Abs(float64(v)))
			}
			for j, v := range p.Data {
				// scale/2, plus the float32 rounding of scale and of q*scale.
				if d := math.Abs(float64(v) - float64(qd[j])); d > maxAbs[j%oc]/254*(1+1e-6)+math.Abs(float64(v))*0x1p-23 {
					t.Fatalf("%s[%d]: %g dequantised to %g, error above %g", p.Name, j, v, qd[j], maxAbs[j%oc]/254)
				}
			}
		}
		x := testInput(numElems(tc.arch.Input[:]), 0.7)
		y0, y1 := run(t, net, x), run(t, got, x)
		for i := range y0 {
			if d := math.Abs(float64(y0[i] - y1[i])); d > tc.maxProb {
				t.Errorf("%s: output[%d] = %g with int8 weights, %g with float32", tc.arch.Name, i, y1[i], y0[i])
			}
		}
	}
}

// TestLoadFloat16 checks that F16 weights and biases load (rounded to binary16).
func TestLoadFloat16(t *testing.T) {
	net := seededNet(t, tinyArch(), 1)
	var tensors []safetensors.Tensor
	for _, p := range net.Params() {
		tensors = append(tensors, safetensors.NewF16(p.Name, p.Shape, p.Data))
	}
	got := load(t, fileWith(t, net, tensors, nil))
	for i, p := range net.Params() {
		for j, v := range p.Data {
			// binary16 has an 11-bit significand: relative error ≤ 2^-11
			// for normal numbers, 2^-25 absolute below them.
			if d := math.Abs(float64(v - got.Params()[i].Data[j])); d > math.Abs(float64(v))/2048+0x1p-25 {
				t.Fatalf("%s[%d]: %g loaded as %g", p.Name, j, v, got.Params()[i].Data[j])
			}
		}
	}
}

// fileWith encodes tensors with net's metadata, modified by meta.
func fileWith(t *testing.T, net *Net, tensors []safetensors.Tensor, meta func(map[string]string)) []byte {
	t.Helper()
	arch, err := json.Marshal(net.Arch)
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]string{MetaFormat: FormatVersion, MetaArch: string(arch)}
	if meta != nil {
		meta(m)
	}
	var b bytes.Buffer
	if err := safetensors.Encode(&b, tensors, m); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestLoadErrors(t *testing.T) {
	net := seededNet(t, tinyArch(), 1)
	good := encode(t, net, EncodeOptions{Int8: true})
	f, err := safetensors.Parse(good)
	if err != nil {
		t.Fatal(err)
	}
	// edit returns the int8 file's tensors with edit applied to a copy.
	edit := func(fn func(ts []safetensors.Tensor) []safetensors.Tensor) []safetensors.Tensor {
		ts := make([]safetensors.Tensor, len(f.Tensors))
		copy(ts, f.Tensors)
		return fn(ts)
	}
	find := func(ts []safetensors.Tensor, name string) int {
		for i := range ts {
			if ts[i].Name == name {
				return i
			}
		}
		t.Fatalf("no tensor %q", name)
		return -1
	}
	arch := func(mod func(*Arch)) func(map[string]string) {
		return func(m map[string]string) {
			a := tinyArch()
			mod(&a)
			data, _ := json.Marshal(a)
			m[MetaArch] = string(data)
		}
	}
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"truncated", good[:len(good)-1], "model: safetensors: "},
		{"empty", nil, "model: safetensors: file is 0 bytes"},
		{"format", fileWith(t, net, f.Tensors, func(m map[string]string) { m[MetaFormat] = "featuremap/2" }),
			`model: __metadata__["format"] = "featuremap/2", want "featuremap/1"`},
		{"no arch", fileWith(t, net, f.Tensors, func(m map[string]string) { delete(m, MetaArch) }),
			`model: __metadata__["arch"] is missing`},
		{"arch syntax", fileWith(t, net, f.Tensors, func(m map[string]string) { m[MetaArch] = `{"name": ` }),
			`model: __metadata__["arch"]: json: offset 9: `},
		{"arch unknown field", fileWith(t, net, f.Tensors, func(m map[string]string) { m[MetaArch] = `{"name":"t","layerz":[]}` }),
			`model: __metadata__["arch"]: json: unknown field "layerz"`},
		{"arch trailing", fileWith(t, net, f.Tensors, func(m map[string]string) { m[MetaArch] += `{}` }),
			`model: __metadata__["arch"]: data after the JSON object`},
		{"layer unknown type", fileWith(t, net, f.Tensors, func(m map[string]string) {
			m[MetaArch] = `{"name":"t","input":[1,1,1],"layers":[{"name":"x","type":"conv3d"}]}`
		}), `model: __metadata__["arch"]: layer "x": unknown type "conv3d"`},
		{"layer unknown attribute", fileWith(t, net, f.Tensors, func(m map[string]string) {
			m[MetaArch] = `{"name":"t","input":[1,1,1],"layers":[{"name":"r","type":"relu","units":3}]}`
		}), `model: __metadata__["arch"]: layer "r": relu has no attribute "units"`},
		{"layer attribute kind", fileWith(t, net, f.Tensors, func(m map[string]string) {
			m[MetaArch] = `{"name":"t","input":[1,1,1],"layers":[{"name":"f","type":"dense","units":"3"}]}`
		}), `model: __metadata__["arch"]: layer "f": attribute "units": json: cannot unmarshal string`},
		{"layer attribute length", fileWith(t, net, f.Tensors, func(m map[string]string) {
			m[MetaArch] = `{"name":"t","input":[1,1,1],"layers":[{"name":"p","type":"maxpool","kernel":[2,2,2]}]}`
		}), `model: __metadata__["arch"]: layer "p": attribute "kernel" must have 2 values, got 3`},
		{"arch duplicate key", fileWith(t, net, f.Tensors, func(m map[string]string) { m[MetaArch] = `{"name":"t","name":"u"}` }),
			`model: __metadata__["arch"]: json: offset `},
		{"arch field kind", fileWith(t, net, f.Tensors, func(m map[string]string) { m[MetaArch] = `{"name":"t","input":[1,1]}` }),
			`model: __metadata__["arch"]: field "input": must have 3 values, got 2`},
		{"arch layers kind", fileWith(t, net, f.Tensors, func(m map[string]string) { m[MetaArch] = `{"name":"t","layers":{}}` }),
			`model: __metadata__["arch"]: field "layers": json: cannot unmarshal object into a list of layers`},
		{"preprocess unknown field", fileWith(t, net, f.Tensors, func(m map[string]string) { m[MetaArch] = `{"name":"t","preprocess":{"kind":"mnist","skew":1}}` }),
			`model: __metadata__["arch"]: field "preprocess": json: unknown field "skew" in preprocess`},
		{"preprocess scale range", fileWith(t, net, f.Tensors, func(m map[string]string) { m[MetaArch] = `{"name":"t","preprocess":{"scale":1e39}}` }),
			`model: __metadata__["arch"]: field "preprocess": "scale": json: number 1e39 is out of the float32 range`},
		{"arch too deep", fileWith(t, net, f.Tensors, func(m map[string]string) {
			m[MetaArch] = `{"name":"t","input":[1,1,1],"layers":[{"name":"p","type":"maxpool","kernel":[[2],2]}]}`
		}), `model: __metadata__["arch"]: json: offset `},
		{"arch invalid", fileWith(t, net, f.Tensors, arch(func(a *Arch) { a.Layers[0].Op.(*layers.Conv2D).Groups = 3 })),
			`model: layer "c1": groups 3 must divide input channels 2`},
		{"arch too big", fileWith(t, net, f.Tensors, arch(func(a *Arch) { a.Layers[8].Op.(*layers.Dense).Units = 1 << 20 })),
			fmt.Sprintf(`model: arch "tiny" has %d parameters, more than the file's`,
				3*3*1*4+4+1*1*2*2+2+(3*3*6)<<20+1<<20+3<<20+3)},
		{"missing", fileWith(t, net, edit(func(ts []safetensors.Tensor) []safetensors.Tensor {
			i := find(ts, "fc1.bias")
			return append(ts[:i], ts[i+1:]...)
		}), nil), `model: tensor "fc1.bias" is missing`},
		{"shape", fileWith(t, net, edit(func(ts []safetensors.Tensor) []safetensors.Tensor {
			i := find(ts, "fc1.bias")
			ts[i] = safetensors.NewF32("fc1.bias", []int{1, 5}, make([]float32, 5))
			return ts
		}), nil), `model: tensor "fc1.bias": shape [1 5], want [5]`},
		{"int8 bias", fileWith(t, net, edit(func(ts []safetensors.Tensor) []safetensors.Tensor {
			i := find(ts, "fc1.bias")
			ts[i] = safetensors.NewI8("fc1.bias", []int{5}, make([]int8, 5))
			return ts
		}), nil), `model: tensor "fc1.bias": dtype I8, want F32 or F16`},
		{"no scales", fileWith(t, net, edit(func(ts []safetensors.Tensor) []safetensors.Tensor {
			i := find(ts, "c2.weight_scale")
			return append(ts[:i], ts[i+1:]...)
		}), nil), `model: tensor "c2.weight": int8 weights need the scales tensor "c2.weight_scale"`},
		{"scales shape", fileWith(t, net, edit(func(ts []safetensors.Tensor) []safetensors.Tensor {
			i := find(ts, "c2.weight_scale")
			ts[i] = safetensors.NewF32("c2.weight_scale", []int{3}, []float32{1, 1, 1})
			return ts
		}), nil), `model: tensor "c2.weight_scale": shape [3], want [2]`},
		{"scales NaN", fileWith(t, net, edit(func(ts []safetensors.Tensor) []safetensors.Tensor {
			i := find(ts, "c2.weight_scale")
			ts[i] = safetensors.NewF32("c2.weight_scale", []int{2}, []float32{1, float32(math.NaN())})
			return ts
		}), nil), `model: tensor "c2.weight_scale": scale[1] = NaN, want finite and ≥ 0`},
		{"scales int8", fileWith(t, net, edit(func(ts []safetensors.Tensor) []safetensors.Tensor {
			i := find(ts, "c2.weight_scale")
			ts[i] = safetensors.NewI8("c2.weight_scale", []int{2}, []int8{1, 1})
			return ts
		}), nil), `model: safetensors: tensor "c2.weight_scale": dtype I8, want F32 or F16`},
		{"extra", fileWith(t, net, edit(func(ts []safetensors.Tensor) []safetensors.Tensor {
			return append(ts, safetensors.NewF32("c9.weight", []int{1}, []float32{1}))
		}), nil), `model: tensor "c9.weight" is not a parameter of arch "tiny"`},
		{"stray scales", fileWith(t, net, edit(func(ts []safetensors.Tensor) []safetensors.Tensor {
			i := find(ts, "c2.weight")
			ts[i] = safetensors.NewF32("c2.weight", []int{1, 1, 2, 2}, make([]float32, 4))
			return ts
		}), nil), `model: tensor "c2.weight_scale" is not a parameter of arch "tiny"`},
	}
	for _, tc := range tests {
		_, err := Load(tc.data)
		if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("%s: Load error = %v, want prefix %q", tc.name, err, tc.want)
		}
	}
}

// FuzzLoad feeds Load real and damaged weight files: it must never panic,
// and a file it accepts must survive a float32 round trip unchanged.
func FuzzLoad(f *testing.F) {
	for _, path := range []string{"testdata/tiny.safetensors", "testdata/tiny.int8.safetensors"} {
		data, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
		f.Add(data[:len(data)/2])
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		net, err := Load(data)
		if err != nil {
			return
		}
		again := load(t, encode(t, net, EncodeOptions{}))
		if !reflect.DeepEqual(again.Arch, net.Arch) {
			t.Fatalf("arch changed in a round trip:\n%+v\n%+v", net.Arch, again.Arch)
		}
		// An int8 round trip writes the stored int8 values and scales as read.
		again8 := load(t, encode(t, net, EncodeOptions{Int8: true}))
		for i, p := range net.Params() {
			if q := again.Params()[i]; !bitsEqual(values(t, p), values(t, q)) {
				t.Fatalf("%s changed in a round trip", p.Name)
			}
			if q := again8.Params()[i]; p.Int8 != nil && (!slices.Equal(p.Int8, q.Int8) || !bitsEqual(p.Scales, q.Scales)) {
				t.Fatalf("%s changed in an int8 round trip", p.Name)
			}
		}
	})
}

// values returns p's values as float32 (Tensor.Float32s).
func values(t *testing.T, p Tensor) []float32 {
	t.Helper()
	v, err := p.Float32s()
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// bitsEqual compares float32 slices bit for bit (NaN equals itself).
func bitsEqual(a, b []float32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if math.Float32bits(a[i]) != math.Float32bits(b[i]) {
			return false
		}
	}
	return true
}

// TestShippedArchBytes checks that the arch JSON of the shipped weight
// files (written by the earlier encoding/json encoder, the oracle here) is
// reproduced byte for byte, and that re-encoding each file in its own
// format (float32 or int8), with the file's other metadata (the training
// record tools/train adds) put back, gives back the same bytes.
func TestShippedArchBytes(t *testing.T) {
	paths, _ := filepath.Glob("../site/models/*.safetensors")
	if len(paths) == 0 {
		t.Skip("no shipped models in site/models")
	}
	for _, path := range paths {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		f, err := safetensors.Parse(data)
		if err != nil {
			t.Fatal(err)
		}
		net, err := Load(data)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		got, err := json.Marshal(net.Arch)
		if err != nil || string(got) != f.Metadata[MetaArch] {
			t.Errorf("%s: arch JSON\n%s, %v; want\n%s", path, got, err, f.Metadata[MetaArch])
		}
		int8 := false
		for _, ts := range f.Tensors {
			int8 = int8 || ts.DType == safetensors.I8
		}
		g, err := safetensors.Parse(encode(t, net, EncodeOptions{Int8: int8}))
		if err != nil {
			t.Fatal(err)
		}
		meta := map[string]string{}
		for k, v := range f.Metadata {
			meta[k] = v
		}
		meta[MetaArch] = g.Metadata[MetaArch]
		var again bytes.Buffer
		if err := safetensors.Encode(&again, g.Tensors, meta); err != nil || !bytes.Equal(again.Bytes(), data) {
			t.Errorf("%s: re-encoding changed the file (%d bytes, was %d), %v", path, again.Len(), len(data), err)
		}
	}
}

// TestInitRandomLoadedInt8: InitRandom on a Net loaded with int8 weights
// makes them float32 and gives what it gives a New Net.
func TestInitRandomLoadedInt8(t *testing.T) {
	arch := tinyArch()
	want, err := New(arch)
	if err != nil {
		t.Fatal(err)
	}
	want.InitRandom(5)
	got := load(t, encode(t, seededNet(t, arch, 1), EncodeOptions{Int8: true}))
	got.InitRandom(5)
	for i, p := range want.Params() {
		if q := got.Params()[i]; q.Int8 != nil || q.Scales != nil || !bitsEqual(p.Data, q.Data) {
			t.Fatalf("%s: InitRandom on the loaded Net gave %v (int8 %v), want %v", p.Name, q.Data, q.Int8, p.Data)
		}
	}
}
