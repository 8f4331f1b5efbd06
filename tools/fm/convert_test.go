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
