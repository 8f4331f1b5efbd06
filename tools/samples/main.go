// Command samples writes the demo's row of sample digits,
// site/static/samples.png: the first MNIST test image of each digit 0–9,
// side by side (a 280×28 grayscale PNG, digit d at x = 28d), drawn as dark
// ink on white paper (MNIST's values inverted), as a person would write
// them. It prints the test-set index of each.
//
//	go run ./tools/samples [-out site/static/samples.png]
package main

import (
	"bytes"
	"flag"
	"fmt"
	"image"
	"image/png"
	"io"
	"os"

	"github.com/featuremap/featuremap/model/mnist"
)

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("samples", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("out", "site/static/samples.png", "the PNG file to write")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	d, err := mnist.Load(mnist.Test)
	if err != nil {
		fmt.Fprintln(stderr, "samples:", err)
		return 1
	}
	img, indices, err := sheet(d)
	if err != nil {
		fmt.Fprintln(stderr, "samples:", err)
		return 1
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		fmt.Fprintln(stderr, "samples:", err)
		return 1
	}
	if err := os.WriteFile(*out, b.Bytes(), 0o644); err != nil {
		fmt.Fprintln(stderr, "samples:", err)
		return 1
	}
	fmt.Fprintf(stdout, "%s: MNIST test images %v (digits 0–9)\n", *out, indices)
	return 0
}

// sheet draws the first test image of each digit side by side, inverted,
// and returns their indices in d.
func sheet(d *mnist.Dataset) (*image.Gray, []int, error) {
	const side = 28
	if d.Rows != side || d.Cols != side {
		return nil, nil, fmt.Errorf("images are %d×%d, want %d×%d", d.Rows, d.Cols, side, side)
	}
	img := image.NewGray(image.Rect(0, 0, 10*side, side))
	indices := make([]int, 10)
	for digit := range 10 {
		i := 0
		for i < d.N && int(d.Labels[i]) != digit {
			i++
		}
		if i == d.N {
			return nil, nil, fmt.Errorf("no test image of digit %d", digit)
		}
		indices[digit] = i
		for y := range side {
			for x := range side {
				img.Pix[y*img.Stride+digit*side+x] = 255 - d.Pixels[i*side*side+y*side+x]
			}
		}
	}
	return img, indices, nil
}
