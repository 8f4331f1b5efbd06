package main

import (
	"bytes"
	"encoding/json"
	"image"
	_ "image/jpeg"
	_ "image/png"
	"os"
	"path/filepath"
	"testing"

	"github.com/featuremap/featuremap/model/internal/synth"
	"github.com/featuremap/featuremap/model/mnist"
)

// The index lists every file written, with the MNIST labels; the photos
// are synth.PhotoW×PhotoH JPEGs, the drawings synth.CanvasSide² PNGs.
func TestWrite(t *testing.T) {
	d, err := mnist.Load(mnist.Test)
	if err != nil {
		t.Skip(err)
	}
	dir := t.TempDir()
	var stdout, stderr bytes.Buffer
	if code := run([]string{"-out", dir, "-photos", "2", "-first", "5", "-nondigits", "1"}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	var index struct {
		Photos    []photo
		NonDigits []nonDigit
	}
	if err := json.Unmarshal(stdout.Bytes(), &index); err != nil {
		t.Fatal(err)
	}
	if len(index.Photos) != 2 || len(index.NonDigits) != len(synth.NonDigits) {
		t.Fatalf("index %+v, want 2 photos and one drawing of each kind", index)
	}
	size := func(name string) image.Point {
		f, err := os.Open(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		cfg, _, err := image.DecodeConfig(f)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		return image.Pt(cfg.Width, cfg.Height)
	}
	for i, p := range index.Photos {
		if p.Index != 5+i || p.Label != int(d.Labels[5+i]) || size(p.File) != image.Pt(synth.PhotoW, synth.PhotoH) {
			t.Errorf("photo %+v", p)
		}
	}
	for i, n := range index.NonDigits {
		if n.Kind != synth.NonDigits[i] || size(n.File) != image.Pt(synth.CanvasSide, synth.CanvasSide) {
			t.Errorf("drawing %+v", n)
		}
	}
	if code := run([]string{"-photos", "1"}, &stdout, &stderr); code != 2 {
		t.Errorf("without -out: exit %d, want 2", code)
	}
}

// Bad flags exit 2; counts beyond the test set and an unusable output
// directory exit 1 with a message naming the problem.
func TestErrors(t *testing.T) {
	if _, err := mnist.Load(mnist.Test); err != nil {
		t.Skip(err)
	}
	var stdout, stderr bytes.Buffer
	if code := run([]string{"-no-such-flag"}, &stdout, &stderr); code != 2 {
		t.Errorf("unknown flag: exit %d, want 2", code)
	}
	stderr.Reset()
	if code := run([]string{"-out", t.TempDir(), "-photos", "10001"}, &stdout, &stderr); code != 1 || !bytes.Contains(stderr.Bytes(), []byte("has 10000 images")) {
		t.Errorf("too many photos: exit %d, %q", code, stderr.String())
	}
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	stderr.Reset()
	if code := run([]string{"-out", filepath.Join(file, "dir"), "-photos", "1"}, &stdout, &stderr); code != 1 || stderr.Len() == 0 {
		t.Errorf("output below a file: exit %d, %q", code, stderr.String())
	}
}
