package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/featuremap/featuremap/model"
)

// TestExportConvert exports a weight file to ONNX, converts the ONNX file
// back to a float32 weight file, and checks that summary reads all three
// the same way and that the float32 round trip keeps every parameter
// (fm init without -int8). SAME padding comes back as the explicit pads
// it stands for.
func TestExportConvert(t *testing.T) {
	dir := t.TempDir()
	orig, onnxFile, back := filepath.Join(dir, "a.safetensors"), filepath.Join(dir, "a.onnx"), filepath.Join(dir, "b.safetensors")
	for _, args := range [][]string{
		{"init", "-arch", "alexmnist", "-seed", "3", orig},
		{"export", "-format", "onnx", orig, onnxFile},
		{"convert", "-quantize", "none", onnxFile, back},
	} {
		if code, _, e := fm(t, args...); code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, e)
		}
	}
	var summaries []string
	for _, f := range []string{orig, onnxFile, back} {
		code, out, e := fm(t, "summary", f)
		if code != 0 {
			t.Fatalf("summary %s: exit %d: %s", f, code, e)
		}
		summaries = append(summaries, out)
	}
	if summaries[1] != summaries[0] || summaries[2] != summaries[0] {
		t.Errorf("summaries differ:\n%s\n%s\n%s", summaries[0], summaries[1], summaries[2])
	}
	var nets []*model.Net
	for _, f := range []string{orig, back} {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		n, err := model.Load(b)
		if err != nil {
			t.Fatal(err)
		}
		nets = append(nets, n)
	}
	for i, p := range nets[0].Params() {
		if q := nets[1].Params()[i]; q.Name != p.Name || !slices.Equal(q.Data, p.Data) {
			t.Errorf("parameter %s changed in the round trip", p.Name)
		}
	}
}

func TestConvertErrors(t *testing.T) {
	dir := t.TempDir()
	junk := filepath.Join(dir, "junk")
	if err := os.WriteFile(junk, []byte("not a model"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"convert", "-quantize", "int4", junk, "x"}, 2, `-quantize "int4", want int8 or none`},
		{[]string{"export", "-format", "tflite", junk, "x"}, 2, `-format "tflite", want onnx`},
		{[]string{"export", junk}, 2, "want IN OUT"},
		{[]string{"convert", junk, filepath.Join(dir, "out")}, 1, "not a weight file"},
	} {
		code, _, e := fm(t, c.args...)
		if code != c.code || !strings.Contains(e, c.msg) {
			t.Errorf("%v: exit %d, %q; want exit %d and %q", c.args, code, e, c.code, c.msg)
		}
	}
}

// TestTFJS reads a TensorFlow.js model.json whose weight shard lies beside
// it (summary and convert).
func TestTFJS(t *testing.T) {
	dir := t.TempDir()
	modelJSON := `{"format": "layers-model", "modelTopology": {"class_name": "Sequential", "config": {"name": "tiny", "layers": [
	  {"class_name": "Flatten", "config": {"name": "flat", "batch_input_shape": [null, 2, 2, 1]}},
	  {"class_name": "Dense", "config": {"name": "fc", "units": 2, "activation": "softmax"}}]}},
	  "weightsManifest": [{"paths": ["w.bin"], "weights": [
	    {"name": "fc/kernel", "shape": [4, 2], "dtype": "float32"}, {"name": "fc/bias", "shape": [2], "dtype": "float32"}]}]}`
	if err := os.WriteFile(filepath.Join(dir, "model.json"), []byte(modelJSON), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "w.bin"), make([]byte, 40), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, e := fm(t, "summary", filepath.Join(dir, "model.json"))
	if code != 0 || !strings.Contains(out, `Model: "tiny"`) || !strings.Contains(out, "fc_softmax (softmax)") || !strings.Contains(out, "Total params: 10") {
		t.Errorf("summary: exit %d\n%s%s", code, out, e)
	}
	if code, _, e := fm(t, "convert", filepath.Join(dir, "model.json"), filepath.Join(dir, "out")); code != 0 {
		t.Errorf("convert: exit %d: %s", code, e)
	}
	if err := os.Remove(filepath.Join(dir, "w.bin")); err != nil {
		t.Fatal(err)
	}
	if code, _, e := fm(t, "summary", filepath.Join(dir, "model.json")); code != 1 || !strings.Contains(e, "w.bin") {
		t.Errorf("summary without the shard: exit %d, %q", code, e)
	}
}
