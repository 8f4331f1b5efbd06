package preprocess_test

import (
	"bytes"
	"flag"
	"fmt"
	"image"
	"image/png"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/featuremap/featuremap/model"
	"github.com/featuremap/featuremap/model/internal/synth"
	"github.com/featuremap/featuremap/model/mnist"
	"github.com/featuremap/featuremap/model/preprocess/imageinput"
)

var (
	photoN   = flag.Int("photo.n", 40, "photo-like images for TestPhotoAccuracy (generated from MNIST test digits)")
	photoPNG = flag.String("photo.png", "", "directory to write the generated photo-like images to, as PNG")
)

// classify preprocesses img for net and returns the most likely class and
// the probabilities.
func classify(t *testing.T, net *model.Net, runner *model.Runner, img image.Image) (int, []float32) {
	t.Helper()
	in := make([]float32, runner.InputLen())
	if err := imageinput.Input(in, img, net.Arch.InputSpec()); err != nil {
		t.Fatal(err)
	}
	out, err := runner.Run(in)
	if err != nil {
		t.Fatal(err)
	}
	return net.Top(out, 1)[0].Index, out
}

// TestPhotoAccuracy is issue 12's photo acceptance test: -photo.n (default
// 40) photo-like images of MNIST test digits (see synth.Photo), each read by the
// shipped models, must match the MNIST label ≥ 90 % of the time with
// alexmnist; seednet's accuracy is logged. -photo.png=DIR writes the first
// eight images and what the network sees to DIR/photos.png.
func TestPhotoAccuracy(t *testing.T) {
	if testing.Short() || runtime.GOOS == "js" {
		t.Skip("slow: runs natively without -short")
	}
	d, err := mnist.Load(mnist.Test)
	if err != nil {
		t.Skip(err)
	}
	n := min(*photoN, d.N)
	photos := make([]image.Image, n)
	r := rand.New(rand.NewPCG(21, 22))
	for i := range photos {
		photos[i] = synth.Photo(d, i, r)
	}
	if *photoPNG != "" {
		writePhotos(t, *photoPNG, photos[:min(8, n)])
	}
	for _, name := range []string{"alexmnist", "seednet"} {
		net, runner := synth.LoadShipped(t, name)
		correct := 0
		wrong := ""
		for i, img := range photos {
			if got, _ := classify(t, net, runner, img); got == int(d.Labels[i]) {
				correct++
			} else {
				wrong += fmt.Sprintf(" #%d:%d→%d", i, d.Labels[i], got)
			}
		}
		acc := float64(correct) / float64(n)
		t.Logf("%s: %d/%d photo-like digits correct (%.1f %%); wrong:%s", name, correct, n, 100*acc, wrong)
		if name == "alexmnist" && acc < 0.9 {
			t.Errorf("alexmnist reads %.1f %% of photo-like digits right, want ≥ 90 %%", 100*acc)
		}
	}
}

// writePhotos saves imgs as a contact sheet, dir/photos.png: each row a
// photo beside what the network sees.
func writePhotos(t *testing.T, dir string, imgs []image.Image) {
	field := make([]float32, 784)
	var rows [][]image.Image
	for _, img := range imgs {
		if err := imageinput.MNIST(field, img); err != nil {
			t.Fatal(err)
		}
		rows = append(rows, []image.Image{img, synth.Field(field)})
	}
	writePNG(t, filepath.Join(dir, "photos.png"), synth.Sheet(320, rows))
}

func writePNG(t *testing.T, path string, m image.Image) {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, m); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}
