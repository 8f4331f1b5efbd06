package converter

import (
	"bytes"
	"encoding/binary"
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/featuremap/featuremap/model"
	"github.com/featuremap/featuremap/model/convert"
	"github.com/featuremap/featuremap/wasm/internal/ops"
)

// seednet is the built-in seednet with random weights (seed 1).
func seednet(t *testing.T) *model.Net {
	t.Helper()
	arch, err := model.Builtin("seednet")
	if err != nil {
		t.Fatal(err)
	}
	net, err := model.New(arch)
	if err != nil {
		t.Fatal(err)
	}
	net.InitRandom(1)
	return net
}

// sameNet fails unless got has want's summary and, bit for bit, its
// parameters.
func sameNet(t *testing.T, got, want *model.Net) {
	t.Helper()
	if g, w := got.Graph.Summary().String(), want.Graph.Summary().String(); g != w {
		t.Errorf("summary\n%s\nwant\n%s", g, w)
	}
	if len(got.Params()) != len(want.Params()) {
		t.Fatalf("%d parameters, want %d", len(got.Params()), len(want.Params()))
	}
	for i, p := range got.Params() {
		q := want.Params()[i]
		if p.Name != q.Name || !slices.Equal(p.Shape, q.Shape) || !slices.Equal(p.Data, q.Data) {
			t.Errorf("parameter %s %v differs from %s %v", p.Name, p.Shape, q.Name, q.Shape)
		}
	}
}

// An exported ONNX model converts to a weight file that loads as the
// network it was exported from.
func TestConvertONNX(t *testing.T) {
	net := seednet(t)
	onnx, err := convert.ToONNX(net)
	if err != nil {
		t.Fatal(err)
	}
	out, err := Convert([]any{ops.Bytes{Class: "Uint8Array", Data: onnx}})
	if err != nil {
		t.Fatal(err)
	}
	got, err := model.Load(out)
	if err != nil {
		t.Fatal(err)
	}
	sameNet(t, got, net)
}

// tinyTFJS is a TF.js layers model: Conv2D, MaxPooling2D, Flatten, Dense
// (weights 3·3·1·2 + 2 and 8·2 + 2) in one weight group of two shards.
const tinyTFJS = `{"format": "layers-model", "modelTopology": {"class_name": "Sequential", "config": {"name": "tiny", "layers": [
  {"class_name": "Conv2D", "config": {"name": "c", "batch_input_shape": [null, 4, 4, 1], "filters": 2, "kernel_size": [3, 3], "padding": "same", "activation": "relu"}},
  {"class_name": "MaxPooling2D", "config": {"name": "p", "pool_size": [2, 2]}},
  {"class_name": "Flatten", "config": {"name": "f"}},
  {"class_name": "Dense", "config": {"name": "d", "units": 2, "activation": "softmax"}}]}},
  "weightsManifest": [{"paths": ["a.bin", "b.bin"], "weights": [
    {"name": "c/kernel", "shape": [3, 3, 1, 2], "dtype": "float32"}, {"name": "c/bias", "shape": [2], "dtype": "float32"},
    {"name": "d/kernel", "shape": [8, 2], "dtype": "float32"}, {"name": "d/bias", "shape": [2], "dtype": "float32"}]}]}`

// A model.json converts with its weight group as FromTFJS reads it.
func TestConvertTFJS(t *testing.T) {
	shard := make([]byte, 4*(3*3*1*2+2+8*2+2))
	for i := range len(shard) / 4 {
		binary.LittleEndian.PutUint32(shard[4*i:], math.Float32bits(float32(i)/16-1))
	}
	want, err := convert.FromTFJS([]byte(tinyTFJS), func(p string) ([]byte, error) {
		if p == "a.bin" {
			return shard, nil
		}
		return nil, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	weights := []any{[]any{"a.bin", ops.Bytes{Class: "Uint8Array", Data: shard}}}
	out, err := Convert([]any{ops.Bytes{Class: "Uint8Array", Data: []byte(tinyTFJS)}, weights})
	if err != nil {
		t.Fatal(err)
	}
	got, err := model.Load(out)
	if err != nil {
		t.Fatal(err)
	}
	sameNet(t, got, want)
}

// Errors name the argument, or the node, op and attribute the importer
// cannot convert.
func TestConvertErrors(t *testing.T) {
	onnx, err := convert.ToONNX(seednet(t))
	if err != nil {
		t.Fatal(err)
	}
	// The first node's op "Conv" renamed "Cosh" (same length).
	at := bytes.Index(onnx, []byte("\x22\x04Conv"))
	if at < 0 {
		t.Fatal(`no "Conv" op in the exported model`)
	}
	cosh := slices.Clone(onnx)
	copy(cosh[at+2:], "Cosh")
	model := func(b []byte) ops.Bytes { return ops.Bytes{Class: "Uint8Array", Data: b} }
	pair := []any{"a.bin", model(nil)}
	for i, tc := range []struct {
		args []any
		want string
	}{
		{nil, "loadModel: bytes must be a Uint8Array or ArrayBuffer holding an ONNX model or a TensorFlow.js model.json, got undefined"},
		{[]any{model(cosh)}, "loadModel: cannot convert the ONNX model (" + strconv.Itoa(len(cosh)) + ` bytes): onnx: node "conv1" (Cosh): op Cosh is not supported`},
		{[]any{model([]byte(tinyTFJS)), "a.bin"}, "loadModel: cannot convert the TensorFlow.js model (" + strconv.Itoa(len(tinyTFJS)) + " bytes): weights must be an array of [path, Uint8Array] pairs, got 'a.bin'"},
		{[]any{model([]byte(tinyTFJS)), []any{pair, []any{"b.bin"}}}, "weights[1] must be a [path, Uint8Array] pair, got ['b.bin']"},
		{[]any{model([]byte(tinyTFJS)), []any{pair}}, `tfjs: `},
	} {
		_, err := Convert(tc.args)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Convert, case %d: %v, want %q", i, err, tc.want)
		}
	}
}
