// Command synthpng writes synth's generated test images as files, for
// tests outside Go (the site's browser tests upload them to the demo):
// photo-like MNIST test digits (synth.Photo) as JPEG, and drawings that are
// not digits (synth.NonDigit) as PNG. It prints a JSON index:
//
//	{"photos": [{"file": "photo-000.jpg", "label": 7, "index": 100}, …],
//	 "nonDigits": [{"file": "dot-00.png", "kind": "dot"}, …]}
//
//	go run ./model/internal/synth/synthpng -out DIR [-photos 40] [-first 100] [-nondigits 0] [-seed 31]
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"

	"github.com/featuremap/featuremap/model/internal/synth"
	"github.com/featuremap/featuremap/model/mnist"
)

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

type photo struct {
	File  string `json:"file"`
	Label int    `json:"label"`
	Index int    `json:"index"` // in the MNIST test set
}

type nonDigit struct {
	File string `json:"file"`
	Kind string `json:"kind"`
}

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("synthpng", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("out", "", "directory to write the images to (required)")
	photos := fs.Int("photos", 40, "photo-like digits")
	first := fs.Int("first", 100, "MNIST test index of the first digit")
	nonDigits := fs.Int("nondigits", 0, "drawings of each kind of synth.NonDigits")
	seed := fs.Uint64("seed", 31, "random seed")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *out == "" || *photos < 0 || *nonDigits < 0 || *first < 0 {
		fmt.Fprintln(stderr, "synthpng: -out is required; counts must not be negative")
		return 2
	}
	if err := write(stdout, *out, *photos, *first, *nonDigits, *seed); err != nil {
		fmt.Fprintln(stderr, "synthpng:", err)
		return 1
	}
	return 0
}

func write(stdout io.Writer, dir string, photos, first, nonDigits int, seed uint64) error {
	d, err := mnist.Load(mnist.Test)
	if err != nil {
		return err
	}
	if first+photos > d.N || first+2*nonDigits+1 > d.N {
		return fmt.Errorf("the MNIST test set has %d images", d.N)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	r := rand.New(rand.NewPCG(seed, seed+1))
	var index struct {
		Photos    []photo    `json:"photos"`
		NonDigits []nonDigit `json:"nonDigits"`
	}
	save := func(name string, img image.Image, asJPEG bool) error {
		var b bytes.Buffer
		var err error
		if asJPEG {
			err = jpeg.Encode(&b, img, &jpeg.Options{Quality: 92})
		} else {
			err = png.Encode(&b, img)
		}
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dir, name), b.Bytes(), 0o644)
	}
	for i := first; i < first+photos; i++ {
		name := fmt.Sprintf("photo-%03d.jpg", i)
		if err := save(name, synth.Photo(d, i, r), true); err != nil {
			return err
		}
		index.Photos = append(index.Photos, photo{File: name, Label: int(d.Labels[i]), Index: i})
	}
	for _, kind := range synth.NonDigits {
		for j := range nonDigits {
			name := fmt.Sprintf("%s-%02d.png", kind, j)
			if err := save(name, synth.NonDigit(kind, d, first+2*j, r, j%2 == 1), false); err != nil {
				return err
			}
			index.NonDigits = append(index.NonDigits, nonDigit{File: name, Kind: kind})
		}
	}
	return json.NewEncoder(stdout).Encode(index)
}
