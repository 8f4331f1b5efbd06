package main

import (
	"bytes"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/featuremap/featuremap/model/mnist"
)

// The sheet holds, at x = 28d, MNIST test image indices[d] inverted, and
// that image is labelled d.
func TestSamples(t *testing.T) {
	d, err := mnist.Load(mnist.Test)
	if err != nil {
		t.Skip(err)
	}
	out := filepath.Join(t.TempDir(), "samples.png")
	var stdout, stderr bytes.Buffer
	if code := run([]string{"-out", out}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	f, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(f))
	if err != nil {
		t.Fatal(err)
	}
	g, ok := img.(*image.Gray)
	if !ok || g.Bounds() != image.Rect(0, 0, 280, 28) {
		t.Fatalf("%T %v, want a 280×28 gray image", img, img.Bounds())
	}
	_, indices, err := sheet(d)
	if err != nil {
		t.Fatal(err)
	}
	for digit, i := range indices {
		if int(d.Labels[i]) != digit {
			t.Errorf("sample %d is test image %d, labelled %d", digit, i, d.Labels[i])
		}
		for p := range 784 {
			if got, want := g.GrayAt(digit*28+p%28, p/28).Y, 255-d.Pixels[i*784+p]; got != want {
				t.Fatalf("sample %d pixel %d = %d, want %d", digit, p, got, want)
			}
		}
	}
	if !strings.Contains(stdout.String(), "MNIST test images [3 2 1 18 4 8 11 0 61 7]") {
		t.Errorf("stdout %q", stdout.String())
	}
	// The site's copy is this command's output.
	shipped, err := os.ReadFile(filepath.Join("..", "..", "site", "static", "samples.png"))
	if err != nil || !bytes.Equal(shipped, f) {
		t.Errorf("site/static/samples.png differs from `go run ./tools/samples`'s output (%v)", err)
	}
}
