package onnx

import (
	"encoding/json"
	"flag"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "regenerate testdata/fixtures with testdata/onnxjs.mjs (needs Node and npm ci)")

var fixtureNames = []string{"cnn", "skipped", "unpacked"}

func readFixture(t *testing.T, name string) (*Model, []byte) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "fixtures", name+".onnx"))
	if err != nil {
		t.Fatal(err)
	}
	m, err := Decode(data)
	if err != nil {
		t.Fatalf("%s.onnx: %v", name, err)
	}
	return m, data
}

// TestFixtures decodes models onnx-proto wrote (testdata/fixtures/*.onnx)
// and compares every decoded field with what onnx-proto itself decodes
// from them (*.json). -update regenerates both with testdata/onnxjs.mjs.
func TestFixtures(t *testing.T) {
	if *update {
		node(t, "fixtures", filepath.Join("testdata", "fixtures"))
	}
	for _, name := range fixtureNames {
		m, _ := readFixture(t, name)
		want, err := os.ReadFile(filepath.Join("testdata", "fixtures", name+".json"))
		if err != nil {
			t.Fatal(err)
		}
		sameAsOracle(t, name, m, want)
	}
}

// TestFixtureValues reads the cnn fixture's tensors as numbers; the
// expected values are the ones onnxjs.mjs writes.
func TestFixtureValues(t *testing.T) {
	m, _ := readFixture(t, "cnn")
	byName := map[string]*Tensor{}
	for i := range m.Graph.Initializers {
		byName[m.Graph.Initializers[i].Name] = &m.Graph.Initializers[i]
	}
	w := make([]float32, 27)
	for i := range w {
		w[i] = float32(i-13) / 8
	}
	fcw := make([]float32, 24)
	for i := range fcw {
		fcw[i] = float32(math.Sin(float64(i)))
	}
	for name, want := range map[string][]float32{
		"w":         w,
		"b":         {0.5, -0.25, 1e-3},
		"fc_w":      fcw,
		"fc_b":      {0.1, -0.2},
		"shape":     {-1, 12},
		"shape_raw": {-1, 12},
		"half":      {1, -2, 0.333251953125, 65504},
		"ints":      {-7, 0, 2147483647},
		"scalar":    {2.5},
	} {
		got, err := byName[name].Float32s()
		if err != nil || !slices.Equal(got, want) {
			t.Errorf("%s.Float32s() = %v, %v; want %v", name, got, err, want)
		}
	}
	for name, want := range map[string][]int64{"shape": {-1, 12}, "shape_raw": {-1, 12}, "ints": {-7, 0, 2147483647}} {
		got, err := byName[name].Int64s()
		if err != nil || !slices.Equal(got, want) {
			t.Errorf("%s.Int64s() = %v, %v; want %v", name, got, err, want)
		}
	}
	conv := m.Graph.Nodes[0]
	if a := conv.Attribute("pads"); a == nil || a.Type != AttrInts || !slices.Equal(a.Ints, []int64{1, 1, 1, 1}) {
		t.Errorf("conv1 pads = %+v", a)
	}
	if a := conv.Attribute("auto_pad"); a == nil || a.Type != AttrString || a.S != "NOTSET" {
		t.Errorf("conv1 auto_pad = %+v", a)
	}
	if conv.Attribute("dilations") != nil {
		t.Error("conv1 has a dilations attribute it was not given")
	}
	if got := m.Graph.Nodes[2].Attribute("alpha").F; got != float32(1e-4) {
		t.Errorf("lrn1 alpha = %v", got)
	}
}

// TestSkipped: fields outside the subset leave no trace, and the nodes
// around them keep their own fields.
func TestSkipped(t *testing.T) {
	m, _ := readFixture(t, "skipped")
	n := m.Graph.Nodes[0]
	if a := n.Attribute("then_branch"); a == nil || a.Type != AttrGraph {
		t.Fatalf("then_branch = %+v, want a GRAPH attribute with no value", a)
	}
	if _, err := m.Graph.Initializers[0].Float32s(); err == nil || !strings.Contains(err.Error(), "STRING") {
		t.Errorf("a STRING tensor as numbers: err = %v", err)
	}
	if m.Graph.Inputs[0].Tensor != nil {
		t.Errorf("a sequence input decoded as tensor %+v", m.Graph.Inputs[0].Tensor)
	}
}

// TestRoundTrip: random models, the fixtures and the reference models
// survive Marshal then Decode unchanged, and onnx-proto decodes what
// Marshal wrote to the same fields.
func TestRoundTrip(t *testing.T) {
	var models []*Model
	for seed := range 20 {
		models = append(models, randomModel(uint64(seed)))
	}
	for _, name := range fixtureNames {
		m, _ := readFixture(t, name)
		models = append(models, m)
	}
	for _, dir := range referenceDirs(t) {
		data, err := os.ReadFile(filepath.Join(dir, "model.onnx"))
		if err != nil {
			t.Fatal(err)
		}
		m, err := Decode(data)
		if err != nil {
			t.Fatal(err)
		}
		models = append(models, m)
	}
	dir := t.TempDir()
	var files []string
	for i, m := range models {
		b := m.Marshal()
		got, err := Decode(b)
		if err != nil {
			t.Fatalf("model %d: decoding the encoded model: %v", i, err)
		}
		if !reflect.DeepEqual(got, m) {
			t.Fatalf("model %d: round trip changed it:\n got %+v\nwant %+v", i, got.Graph, m.Graph)
		}
		f := filepath.Join(dir, "m"+string(rune('a'+i%26))+string(rune('a'+i/26))+".onnx")
		if err := os.WriteFile(f, b, 0o600); err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	t.Run("onnx-proto", func(t *testing.T) {
		var decoded []json.RawMessage
		if err := json.Unmarshal(node(t, append([]string{"decode"}, files...)...), &decoded); err != nil || len(decoded) != len(models) {
			t.Fatalf("onnx-proto's output: %d models, %v", len(decoded), err)
		}
		for i, m := range models {
			sameAsOracle(t, files[i], m, decoded[i])
		}
	})
}

// TestNodeAccessors reads the cnn fixture's attributes through the typed
// accessors, with defaults for absent ones and errors for mistyped ones.
func TestNodeAccessors(t *testing.T) {
	m, _ := readFixture(t, "cnn")
	conv, lrn, sm := &m.Graph.Nodes[0], &m.Graph.Nodes[2], &m.Graph.Nodes[7]
	if v, err := conv.IntsAttr("pads", nil); err != nil || !slices.Equal(v, []int64{1, 1, 1, 1}) {
		t.Errorf("pads = %v, %v", v, err)
	}
	if v, err := conv.IntsAttr("dilations", []int64{1, 1}); err != nil || !slices.Equal(v, []int64{1, 1}) {
		t.Errorf("dilations = %v, %v", v, err)
	}
	if v, err := conv.IntAttr("group", 0); err != nil || v != 1 {
		t.Errorf("group = %v, %v", v, err)
	}
	if v, err := conv.StringAttr("auto_pad", ""); err != nil || v != "NOTSET" {
		t.Errorf("auto_pad = %v, %v", v, err)
	}
	if v, err := lrn.FloatAttr("beta", 0); err != nil || v != 0.75 {
		t.Errorf("beta = %v, %v", v, err)
	}
	if v, err := sm.IntAttr("axis", 1); err != nil || v != -1 {
		t.Errorf("axis = %v, %v", v, err)
	}
	for _, err := range []error{
		func() error { _, err := conv.IntAttr("pads", 0); return err }(),
		func() error { _, err := conv.FloatAttr("group", 0); return err }(),
		func() error { _, err := conv.StringAttr("strides", ""); return err }(),
		func() error { _, err := lrn.IntsAttr("alpha", nil); return err }(),
	} {
		if err == nil || !strings.HasPrefix(err.Error(), "onnx: node ") || !strings.Contains(err.Error(), "has type") {
			t.Errorf("mistyped attribute: err = %v", err)
		}
	}
	if _, err := conv.IntAttr("pads", 0); err.Error() != `onnx: node "conv1" (Conv): attribute "pads" has type INTS, want INT` {
		t.Errorf("error text: %v", err)
	}
	if m.OpsetVersion("") != 13 || m.OpsetVersion("ai.onnx") != 13 || m.OpsetVersion("com.example") != 2 || m.OpsetVersion("x") != 0 {
		t.Errorf("opset versions of %+v", m.OpsetImports)
	}
	if m.Graph.Initializer("fc_w") == nil || m.Graph.Initializer("nope") != nil {
		t.Error("Initializer lookup")
	}
}
