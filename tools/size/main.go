// Command size reports where the bytes of the shipped WebAssembly binaries
// go, so that a regression is visible before it reaches a browser. For each
// binary (by default the engine builds, the model converter and the site's
// UI, as `make build` writes them under -dist) it prints
//
//   - its size raw, gzip -9 (compress/gzip, BestCompression) and brotli
//     (Node's zlib.brotliCompressSync, quality 11, as a CDN or `brotli -q 11`
//     would send it);
//   - the sizes of its code and data sections;
//   - the code section by Go package, largest first, with a total.
//
// The shipped binaries are linked with -ldflags=-s, which drops the "name"
// section that maps wasm functions to Go symbols, so for the package report
// size links an unstripped copy of the same package with the same
// environment into a temporary directory (its code section must be the same
// size as the shipped one's; size says so if not) and maps the names back to
// import paths with `go list -deps`.
//
//	size [-dist dist] [-top 30] [-go go] [-node node]
package main

import (
	"bytes"
	"compress/gzip"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
)

// binary is one shipped WebAssembly file and how it is built.
type binary struct {
	file  string // relative to -dist
	pkg   string // Go package
	simd  bool   // built with GOEXPERIMENT=simd
	sized bool   // built with the size settings (-gcflags, -goexperiment)
	tags  string // go build -tags
}

// shipped lists the binaries of `make build` (see the Makefile's rules,
// whose size settings the site's combined module shares).
var shipped = []binary{
	{"featuremap/featuremap.wasm", "./wasm/engine", false, true, ""},
	{"featuremap/featuremap.simd.wasm", "./wasm/engine", true, true, ""},
	{"featuremap/featuremap.convert.wasm", "./wasm/converter", false, true, ""},
	{"site/app.wasm", "./site/app", false, true, "fmengine"},
	{"site/app.simd.wasm", "./site/app", true, true, "fmengine"},
}

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

func run(args []string, stdout, stderr io.Writer) int {
	flags := flag.NewFlagSet("size", flag.ContinueOnError)
	flags.SetOutput(stderr)
	dist := flags.String("dist", "dist", "directory `make build` wrote the binaries to")
	top := flags.Int("top", 30, "packages listed per binary; the rest are summed on one line")
	goCmd := flags.String("go", "go", "go command used to link the unstripped copies")
	node := flags.String("node", "node", "Node.js command used for brotli")
	gcflags := flags.String("gcflags", "", "space-separated -gcflags values the engine and converter are built with (the Makefile's WASM_SIZE_GCFLAGS)")
	experiments := flags.String("goexperiment", "", "GOEXPERIMENT values the engine and converter are built with, besides simd (the Makefile's WASM_SIZE_EXPERIMENTS)")
	if err := flags.Parse(args); err != nil {
		return 2
	}
	if flags.NArg() > 0 {
		fmt.Fprintf(stderr, "size: unexpected arguments %q\n", flags.Args())
		return 2
	}
	if *top < 1 {
		fmt.Fprintf(stderr, "size: -top %d, want at least 1\n", *top)
		return 2
	}
	tmp, err := os.MkdirTemp("", "featuremap-size-")
	if err != nil {
		fmt.Fprintf(stderr, "size: %v\n", err)
		return 1
	}
	defer os.RemoveAll(tmp)
	for i, b := range shipped {
		if i > 0 {
			fmt.Fprintln(stdout)
		}
		env, buildFlags := b.settings(*gcflags, *experiments)
		if err := report(stdout, b, env, buildFlags, *dist, tmp, *top, *goCmd, *node); err != nil {
			fmt.Fprintf(stderr, "size: %s: %v\n", b.file, err)
			return 1
		}
	}
	return 0
}

// settings returns b's environment (GOOS, GOARCH, GOEXPERIMENT) and go
// build flags, given the size settings.
func (b binary) settings(gcflags, experiments string) (env, buildFlags []string) {
	env = []string{"GOOS=js", "GOARCH=wasm"}
	var exp []string
	if b.simd {
		exp = append(exp, "simd")
	}
	if b.sized {
		exp = append(exp, strings.FieldsFunc(experiments, func(r rune) bool { return r == ',' || r == ' ' })...)
		for _, f := range strings.Fields(gcflags) {
			buildFlags = append(buildFlags, "-gcflags="+strings.TrimPrefix(f, "-gcflags="))
		}
	}
	if len(exp) > 0 {
		env = append(env, "GOEXPERIMENT="+strings.Join(exp, ","))
	}
	if b.tags != "" {
		buildFlags = append(buildFlags, "-tags="+b.tags)
	}
	return env, buildFlags
}

// report prints one binary's sizes and package table.
func report(w io.Writer, b binary, env, buildFlags []string, dist, tmp string, top int, goCmd, node string) error {
	path := filepath.Join(dist, b.file)
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("%v (run `make build` first)", err)
	} else if err != nil {
		return err
	}
	shippedMod, err := parseModule(data)
	if err != nil {
		return err
	}
	gz, err := gzipSize(data)
	if err != nil {
		return err
	}
	br, err := brotliSize(node, data)
	if err != nil {
		return err
	}

	unstripped := filepath.Join(tmp, strings.ReplaceAll(b.file, "/", "_"))
	args := append(append([]string{"build"}, buildFlags...), "-o", unstripped, b.pkg)
	if err := goRun(goCmd, env, args...); err != nil {
		return err
	}
	named, err := os.ReadFile(unstripped)
	if err != nil {
		return err
	}
	m, err := parseModule(named)
	if err != nil {
		return fmt.Errorf("unstripped copy: %v", err)
	}
	if m.names == nil {
		return errors.New(`unstripped copy has no "name" section`)
	}
	var deps bytes.Buffer
	if err := goOutput(&deps, goCmd, env, "list", "-deps", b.pkg); err != nil {
		return err
	}
	paths := strings.Fields(deps.String())
	pkgOf := newPackageOf(paths)
	if len(paths) > 0 {
		pkgOf["main"] = paths[len(paths)-1] // go list -deps prints the main package last
	}
	shares := codeByPackage(m, pkgOf)

	fmt.Fprintf(w, "%s  (%s)\n", path, strings.Join(env, " ")+" go "+strings.Join(args[:len(args)-3], " ")+" "+b.pkg)
	fmt.Fprintf(w, "  raw %s   gzip -9 %s   brotli %s (%s KiB)\n",
		group(len(data)), group(gz), group(br), strconv.FormatFloat(float64(br)/1024, 'f', 1, 64))
	code, dataSec := shippedMod.sectionSize(sectionCode), shippedMod.sectionSize(sectionData)
	fmt.Fprintf(w, "  sections: code %s   data %s   other %s\n",
		group(code), group(dataSec), group(len(data)-code-dataSec))
	if c := m.sectionSize(sectionCode); c != code {
		fmt.Fprintf(w, "  note: the unstripped copy's code section is %s bytes, the shipped one's %s\n", group(c), group(code))
	}
	fmt.Fprintf(w, "  code section by package (%d functions):\n", len(m.bodies))
	total := 0
	for i, s := range shares {
		total += s.bytes
		if i < top {
			fmt.Fprintf(w, "  %11s %6s  %s\n", group(s.bytes), percent(s.bytes, m.sectionSize(sectionCode)), s.label)
		}
	}
	if rest := len(shares) - top; rest > 0 {
		n := 0
		for _, s := range shares[top:] {
			n += s.bytes
		}
		fmt.Fprintf(w, "  %11s %6s  (%d more packages)\n", group(n), percent(n, m.sectionSize(sectionCode)), rest)
	}
	fmt.Fprintf(w, "  %11s %6s  total\n", group(total), percent(total, m.sectionSize(sectionCode)))
	return nil
}

// goRun and goOutput run the go command with env added to the environment.
func goRun(goCmd string, env []string, args ...string) error {
	return goOutput(io.Discard, goCmd, env, args...)
}

func goOutput(stdout io.Writer, goCmd string, env []string, args ...string) error {
	cmd := exec.Command(goCmd, args...)
	cmd.Env = append(os.Environ(), env...)
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = stdout, &stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s %s %s: %v\n%s", strings.Join(env, " "), goCmd, strings.Join(args, " "), err, stderr.Bytes())
	}
	return nil
}

// gzipSize returns the length of data compressed at gzip's level 9.
func gzipSize(data []byte) (int, error) {
	var b bytes.Buffer
	z, err := gzip.NewWriterLevel(&b, gzip.BestCompression)
	if err != nil {
		return 0, err
	}
	if _, err := z.Write(data); err != nil {
		return 0, err
	}
	if err := z.Close(); err != nil {
		return 0, err
	}
	return b.Len(), nil
}

// brotliScript prints the length of stdin compressed with brotli at Node's
// defaults (quality 11, window 22).
const brotliScript = `process.stdout.write(String(require('zlib').brotliCompressSync(require('fs').readFileSync(0)).length))`

// brotliSize returns the length of data compressed with brotli by Node (the
// standard library has no brotli encoder).
func brotliSize(node string, data []byte) (int, error) {
	cmd := exec.Command(node, "-e", brotliScript)
	cmd.Stdin = bytes.NewReader(data)
	var out, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &stderr
	if err := cmd.Run(); err != nil {
		return 0, fmt.Errorf("brotli through %s: %v\n%s", node, err, stderr.Bytes())
	}
	n, err := strconv.Atoi(out.String())
	if err != nil {
		return 0, fmt.Errorf("brotli through %s: output %q is not a length", node, out.String())
	}
	return n, nil
}

// group formats n with thousands separators: 1234567 → "1,234,567".
func group(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0 && s[i-1] != '-'; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// percent formats part/whole as "12.3%".
func percent(part, whole int) string {
	if whole == 0 {
		return "-"
	}
	return strconv.FormatFloat(100*float64(part)/float64(whole), 'f', 1, 64) + "%"
}
