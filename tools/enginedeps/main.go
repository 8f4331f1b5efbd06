// Command enginedeps is the guard that keeps the WebAssembly engine small:
// it fails if ./wasm/engine, built for js/wasm with and without
// GOEXPERIMENT=simd, links a package its job does not need — fmt, reflect,
// os, time, encoding/json (and its internals) or any image package — or
// links the importers (model/convert, model/onnx, model/tfjs), which
// belong in the converter module (./wasm/converter, held to the same
// standard-library rule).
//
// Packages still being rewritten are on an allowlist (-allow, by default
// wasm/internal/jsbridge and wasm/internal/models): what they pull
// in is reported, not failed. Every other package the engine links must
// not reach a forbidden package except through an allowlisted one, so a
// new import of fmt anywhere else fails at once. Empty the allowlist when
// those packages are done.
//
//	enginedeps [-allow pkg,pkg] [-go go]
package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"slices"
	"strings"
)

// defaultAllow lists the packages that may still link a forbidden package
// (for a change in progress, as -allow): none.
var defaultAllow = []string{}

// forbidden reports whether a WebAssembly binary must not link the
// standard package p.
func forbidden(p string) bool {
	switch p {
	case "fmt", "reflect", "os", "time":
		return true
	}
	return p == "encoding/json" || strings.HasPrefix(p, "encoding/json/") || p == "image" || strings.HasPrefix(p, "image/")
}

// importers are the packages that only the converter module links.
var importers = []string{
	"github.com/featuremap/featuremap/model/convert",
	"github.com/featuremap/featuremap/model/onnx",
	"github.com/featuremap/featuremap/model/tfjs",
}

// forbiddenInEngine reports whether the engine must not link p: a
// forbidden standard package or an importer.
func forbiddenInEngine(p string) bool { return forbidden(p) || slices.Contains(importers, p) }

// build is one WebAssembly binary the guard checks.
type build struct {
	pkg    string
	env    []string // on top of GOOS=js GOARCH=wasm
	banned func(p string) bool
}

var builds = []build{
	{"./wasm/engine", nil, forbiddenInEngine},
	{"./wasm/engine", []string{"GOEXPERIMENT=simd"}, forbiddenInEngine},
	{"./wasm/converter", nil, forbidden},
}

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

func run(args []string, stdout, stderr io.Writer) int {
	flags := flag.NewFlagSet("enginedeps", flag.ContinueOnError)
	flags.SetOutput(stderr)
	allowFlag := flags.String("allow", strings.Join(defaultAllow, ","), "comma-separated packages that may still link forbidden packages")
	goCmd := flags.String("go", "go", "go command")
	if err := flags.Parse(args); err != nil || flags.NArg() > 0 {
		fmt.Fprintln(stderr, "usage: enginedeps [-allow pkg,pkg] [-go go]")
		return 2
	}
	var allow []string
	if *allowFlag != "" {
		allow = strings.Split(*allowFlag, ",")
	}
	failed := false
	for _, b := range builds {
		env := append([]string{"GOOS=js", "GOARCH=wasm"}, b.env...)
		cmd := exec.Command(*goCmd, "list", "-deps", "-f", "{{.ImportPath}} {{join .Imports \" \"}}", b.pkg)
		cmd.Env = append(os.Environ(), env...)
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, stderr
		if err := cmd.Run(); err != nil {
			fmt.Fprintf(stderr, "enginedeps: go list: %v\n", err)
			return 1
		}
		g, root := parseGraph(out.String())
		build := strings.Join(env, " ") + " " + b.pkg
		linked, bad := check(g, root, allow, b.banned)
		if len(linked) > 0 {
			fmt.Fprintf(stdout, "%s: still linked through the allowlist: %s\n", build, strings.Join(linked, " "))
		} else if b.pkg == "./wasm/engine" {
			fmt.Fprintf(stdout, "%s: links none of fmt, reflect, os, time, encoding/json, image and no importer\n", build)
		} else {
			fmt.Fprintf(stdout, "%s: links none of fmt, reflect, os, time, encoding/json, image\n", build)
		}
		for _, path := range bad {
			fmt.Fprintf(stderr, "enginedeps: %s: forbidden import path %s\n", build, strings.Join(path, " → "))
			failed = true
		}
	}
	if failed {
		return 1
	}
	return 0
}

// parseGraph reads `go list -deps` lines "pkg import import…"; the root,
// listed last, is returned too.
func parseGraph(out string) (map[string][]string, string) {
	g := map[string][]string{}
	root := ""
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		f := strings.Fields(line)
		if len(f) == 0 {
			continue
		}
		g[f[0]], root = f[1:], f[0]
	}
	return g, root
}

// check returns the packages reachable from root at all that forbidden
// reports (sorted) and, for each of them reachable without passing through
// an allowlisted package, one import path from root to it.
func check(g map[string][]string, root string, allow []string, forbidden func(string) bool) (linked []string, bad [][]string) {
	seen := map[string]bool{}
	var all func(p string)
	all = func(p string) {
		if seen[p] {
			return
		}
		seen[p] = true
		if forbidden(p) {
			linked = append(linked, p)
		}
		for _, q := range g[p] {
			all(q)
		}
	}
	all(root)
	slices.Sort(linked)

	// Breadth-first from root, not entering allowlisted packages, so the
	// path found to each forbidden package is a shortest one.
	parent := map[string]string{root: ""}
	queue := []string{root}
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		if forbidden(p) {
			var path []string
			for q := p; q != ""; q = parent[q] {
				path = append(path, q)
			}
			slices.Reverse(path)
			bad = append(bad, path)
			continue
		}
		for _, q := range g[p] {
			if _, ok := parent[q]; ok || slices.Contains(allow, q) {
				continue
			}
			parent[q] = p
			queue = append(queue, q)
		}
	}
	return linked, bad
}
