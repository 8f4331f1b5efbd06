package main

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/featuremap/featuremap/model/mnist"
)

var update = flag.Bool("update", false, "rewrite site/static/mnist-sample.bin")

const golden = "../../site/static/mnist-sample.bin"

// TestGolden: the checked-in sample is what the tool writes from MNIST.
func TestGolden(t *testing.T) {
	if _, err := mnist.Dir(); err != nil {
		t.Skip(err)
	}
	if *update {
		if code := run([]string{"-out", golden}, os.Stdout, os.Stderr); code != 0 {
			t.Fatalf("exit %d", code)
		}
	}
	out := filepath.Join(t.TempDir(), "s.bin")
	var stderr bytes.Buffer
	if code := run([]string{"-out", out}, &bytes.Buffer{}, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, &stderr)
	}
	got, _ := os.ReadFile(out)
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("%s differs from the tool's output (go test ./tools/mnistsample -update)", golden)
	}
	// Spot-check against the set: the header, 30 images of each digit, and
	// image 0 of the test set (a 7) first.
	d, err := mnist.Load(mnist.Test)
	if err != nil {
		t.Fatal(err)
	}
	n := 300
	if string(got[:4]) != "MNS1" || int(got[4])|int(got[5])<<8 != n || got[6] != 28 || got[7] != 28 || len(got) != 8+n*(1+2+784) {
		t.Fatalf("header % x, %d bytes", got[:8], len(got))
	}
	var count [10]int
	for _, l := range got[8 : 8+n] {
		count[l]++
	}
	if count != [10]int{30, 30, 30, 30, 30, 30, 30, 30, 30, 30} || got[8] != d.Labels[0] || got[8+n] != 0 || got[8+n+1] != 0 {
		t.Fatalf("labels per digit %v, first label %d", count, got[8])
	}
	if !bytes.Equal(got[8+3*n:8+3*n+784], d.Pixels[:784]) {
		t.Fatal("the first image is not test image 0")
	}
}

func TestBadArgs(t *testing.T) {
	for _, args := range [][]string{{"-per", "0"}, {"-per", "501"}, {"extra"}, {"-nope"}} {
		if code := run(args, &bytes.Buffer{}, &bytes.Buffer{}); code != 2 {
			t.Errorf("%q: exit %d, want 2", args, code)
		}
	}
}
