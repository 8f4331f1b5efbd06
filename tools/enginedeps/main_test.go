package main

import (
	"slices"
	"testing"
)

// TestCheck runs check on a hand-made graph: fmt reached through an
// allowlisted package is reported only; reached around it, it fails with
// the path.
func TestCheck(t *testing.T) {
	g, root := parseGraph(`fmt os
os time
time
kernel fmt
strconv
ops kernel strconv
image
preprocess strconv
engine ops preprocess`)
	if root != "engine" {
		t.Fatalf("root %q, want engine", root)
	}
	linked, bad := check(g, root, []string{"kernel"}, forbidden)
	if want := []string{"fmt", "os", "time"}; !slices.Equal(linked, want) || len(bad) != 0 {
		t.Errorf("check = %v, %v; want %v, none", linked, bad, want)
	}
	g["preprocess"] = append(g["preprocess"], "image")
	linked, bad = check(g, root, []string{"kernel"}, forbidden)
	if want := [][]string{{"engine", "preprocess", "image"}}; !slices.Equal(linked, []string{"fmt", "image", "os", "time"}) || len(bad) != 1 || !slices.Equal(bad[0], want[0]) {
		t.Errorf("check with image = %v, %v; want the path %v", linked, bad, want)
	}
	if _, bad = check(g, root, nil, forbidden); len(bad) != 2 {
		t.Errorf("check without allowlist: %v, want fmt and image", bad)
	}
	g["engine"] = append(g["engine"], "github.com/featuremap/featuremap/model/onnx")
	if _, bad = check(g, root, []string{"kernel", "preprocess"}, forbiddenInEngine); len(bad) != 1 || bad[0][1] != "github.com/featuremap/featuremap/model/onnx" {
		t.Errorf("check of an engine linking an importer: %v, want the path to model/onnx", bad)
	}
}
