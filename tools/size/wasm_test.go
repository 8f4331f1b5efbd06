package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// leb appends v as an unsigned LEB128.
func leb(b []byte, v uint32) []byte {
	for v >= 0x80 {
		b = append(b, byte(v)|0x80)
		v >>= 7
	}
	return append(b, byte(v))
}

func vecName(b []byte, s string) []byte { return append(leb(b, uint32(len(s))), s...) }

func sec(id byte, payload []byte) []byte {
	return append(leb([]byte{id}, uint32(len(payload))), payload...)
}

// handModule assembles, byte by byte from the specification, a module with
// two imports (a function and a memory), four defined functions whose bodies
// are 3, 4, 200 and 5 bytes long (the 200-byte one needs a two-byte size
// prefix), a data section and a "name" section that names the import and
// three of the four defined functions.
func handModule() []byte {
	b := []byte("\x00asm\x01\x00\x00\x00")
	b = append(b, sec(1, []byte{1, 0x60, 0, 0})...) // one type: func() -> ()
	imports := leb(nil, 2)
	imports = vecName(vecName(imports, "env"), "f")
	imports = append(imports, 0, 0) // func, type 0
	imports = vecName(vecName(imports, "env"), "mem")
	imports = append(imports, 2, 1, 1, 2) // memory, limits min 1 max 2
	b = append(b, sec(2, imports)...)
	b = append(b, sec(3, []byte{4, 0, 0, 0, 0})...) // four functions of type 0
	code := leb(nil, 4)
	for _, n := range []int{3, 4, 200, 5} {
		body := make([]byte, n) // contents are not decoded
		code = append(leb(code, uint32(n)), body...)
	}
	b = append(b, sec(10, code)...)
	b = append(b, sec(11, []byte{0, 0, 0, 0, 0, 0})...)
	names := leb(nil, 4)
	for _, n := range []struct {
		idx  uint32
		name string
	}{{0, "env.f"}, {1, "a.x"}, {2, "b_c.y"}, {3, "a.__T_.M"}} {
		names = vecName(leb(names, n.idx), n.name)
	}
	custom := vecName(nil, "name")
	custom = append(custom, 0, 1, 'm')                                    // module-name subsection, skipped
	custom = append(leb(append(custom, 1), uint32(len(names))), names...) // function names
	return append(b, sec(0, custom)...)
}

func TestParseHandModule(t *testing.T) {
	m, err := parseModule(handModule())
	if err != nil {
		t.Fatal(err)
	}
	if m.importedFuncs != 1 {
		t.Errorf("importedFuncs = %d, want 1 (the memory import is not a function)", m.importedFuncs)
	}
	var sizes []int
	for _, body := range m.bodies {
		sizes = append(sizes, len(body))
	}
	if want := []int{4, 5, 202, 6}; !slices.Equal(sizes, want) {
		t.Errorf("entry sizes with prefix = %v, want %v", sizes, want)
	}
	if got := m.sectionSize(sectionCode); got != 1+4+5+202+6 {
		t.Errorf("code section = %d bytes, want %d", got, 1+4+5+202+6)
	}
	if got := m.sectionSize(sectionData); got != 6 {
		t.Errorf("data section = %d bytes, want 6", got)
	}
	shares := codeByPackage(m, newPackageOf([]string{"a", "b/c"}))
	want := []share{{"a", 4 + 202}, {"(unnamed functions)", 6}, {"b/c", 5}, {"(code section header)", 1}}
	if !slices.Equal(shares, want) {
		t.Errorf("codeByPackage = %v, want %v", shares, want)
	}
	if sum := sumShares(shares); sum != m.sectionSize(sectionCode) {
		t.Errorf("shares sum to %d, code section is %d", sum, m.sectionSize(sectionCode))
	}
}

// TestParseMalformed: every truncation of the module either parses (a cut
// at a section boundary is a valid module) or fails; none panics. A few
// cuts inside sections must fail.
func TestParseMalformed(t *testing.T) {
	full := handModule()
	for n := range len(full) {
		parseModule(full[:n])
	}
	for _, tc := range []struct {
		name string
		b    []byte
		want string
	}{
		{"no magic", []byte("\x00wasm\x01\x00\x00\x00"), "no \\0asm magic"},
		{"version 2", []byte("\x00asm\x02\x00\x00\x00"), "version"},
		{"section past end", append([]byte("\x00asm\x01\x00\x00\x00"), 10, 5, 1), "section"},
		{"code entry past section", append([]byte("\x00asm\x01\x00\x00\x00"), sec(10, []byte{1, 9, 0})...), "code entry"},
		{"bytes after last entry", append([]byte("\x00asm\x01\x00\x00\x00"), sec(10, []byte{1, 1, 0, 7})...), "after the last code entry"},
		{"overlong LEB", append([]byte("\x00asm\x01\x00\x00\x00"), 10, 0x80, 0x80, 0x80, 0x80, 0x80, 0), "section size"},
		{"unknown import kind", append([]byte("\x00asm\x01\x00\x00\x00"), sec(2, []byte{1, 0, 0, 9})...), "import kind"},
	} {
		if _, err := parseModule(tc.b); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one containing %q", tc.name, err, tc.want)
		}
	}
}

func TestPackageOf(t *testing.T) {
	p := newPackageOf([]string{"encoding/json", "encoding/json/v2", "github.com/x/y", "runtime"})
	for name, want := range map[string]string{
		"encoding_json_v2.Marshal":        "encoding/json/v2",
		"encoding_json.Unmarshal":         "encoding/json",
		"github.com_x_y.__T_.M":           "github.com/x/y",
		"github.com_x_y.F.func1":          "github.com/x/y",
		"runtime.mallocgc":                "runtime",
		"type_.eq.github.com_x_y.T":       "(type_)",
		"_rt0_wasm_js":                    "(_rt0_wasm_js)",
		"slices.Sort_go.shape.int_":       "(slices)",
		"encoding_json_v2x.NotAPackage.F": "(encoding_json_v2x)",
	} {
		if got := p.of(name); got != want {
			t.Errorf("of(%q) = %q, want %q", name, got, want)
		}
	}
}

func TestGroup(t *testing.T) {
	for n, want := range map[int]string{0: "0", 999: "999", 1000: "1,000", 1234567: "1,234,567", -1234: "-1,234"} {
		if got := group(n); got != want {
			t.Errorf("group(%d) = %q, want %q", n, got, want)
		}
	}
}

// TestGoBinary links testdata/hello for js/wasm with and without -s and
// checks the report against what the Go linker is known to write: the
// unstripped binary names every function, every byte of its code section is
// attributed, runtime is the largest package and main.main belongs to the
// program's own package; the stripped one has the same code section and no
// names.
func TestGoBinary(t *testing.T) {
	goCmd, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command on PATH")
	}
	if testing.Short() {
		t.Skip("links a js/wasm binary")
	}
	dir := t.TempDir()
	env := []string{"GOOS=js", "GOARCH=wasm"}
	named, stripped := filepath.Join(dir, "hello.wasm"), filepath.Join(dir, "stripped", "hello.wasm")
	if err := goRun(goCmd, env, "build", "-o", named, "./testdata/hello"); err != nil {
		t.Fatal(err)
	}
	if err := goRun(goCmd, env, "build", "-ldflags=-s", "-o", stripped, "./testdata/hello"); err != nil {
		t.Fatal(err)
	}
	var deps bytes.Buffer
	if err := goOutput(&deps, goCmd, env, "list", "-deps", "./testdata/hello"); err != nil {
		t.Fatal(err)
	}
	paths := strings.Fields(deps.String())
	self := paths[len(paths)-1]
	pkg := newPackageOf(paths)
	pkg["main"] = self

	m := mustParseFile(t, named)
	if len(m.names) < len(m.bodies) {
		t.Errorf("%d names for %d functions", len(m.names), len(m.bodies))
	}
	shares := codeByPackage(m, pkg)
	if sum := sumShares(shares); sum != m.sectionSize(sectionCode) {
		t.Errorf("shares sum to %d, code section is %d", sum, m.sectionSize(sectionCode))
	}
	if shares[0].label != "runtime" {
		t.Errorf("largest package %q, want runtime", shares[0].label)
	}
	var mainBytes int
	for _, s := range shares {
		if s.label == self {
			mainBytes = s.bytes
		}
		if s.label == "(unnamed functions)" {
			t.Errorf("%d bytes of unnamed functions", s.bytes)
		}
	}
	if mainBytes == 0 {
		t.Errorf("no code attributed to %s: %v", self, shares)
	}

	s := mustParseFile(t, stripped)
	if s.names != nil {
		t.Errorf("-ldflags=-s binary has a name section")
	}
	if s.sectionSize(sectionCode) != m.sectionSize(sectionCode) {
		t.Errorf("code section %d bytes stripped, %d unstripped", s.sectionSize(sectionCode), m.sectionSize(sectionCode))
	}

	// The whole report, on the stripped binary as `make size` runs it.
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("no node on PATH for brotli")
	}
	var out bytes.Buffer
	b := binary{file: "hello.wasm", pkg: "./testdata/hello"}
	env, buildFlags := b.settings("", "")
	if err := report(&out, b, env, buildFlags, filepath.Dir(stripped), t.TempDir(), 5, goCmd, node); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"raw ", "gzip -9 ", "brotli ", "sections: code " + group(m.sectionSize(sectionCode)), "runtime", "more packages", group(m.sectionSize(sectionCode)) + " 100.0%  total"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, out.String())
		}
	}
	if strings.Contains(out.String(), "note:") {
		t.Errorf("report notes a code size difference:\n%s", out.String())
	}
}

func mustParseFile(t *testing.T, path string) *module {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	m, err := parseModule(b)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func sumShares(s []share) int {
	n := 0
	for _, x := range s {
		n += x.bytes
	}
	return n
}

func TestRunErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"-top", "0"}, 2, "-top 0, want at least 1"},
		{[]string{"extra"}, 2, `unexpected arguments ["extra"]`},
		{[]string{"-dist", t.TempDir()}, 1, "no such file or directory (run `make build` first)"},
	} {
		var stdout, stderr bytes.Buffer
		if code := run(tc.args, &stdout, &stderr); code != tc.code || !strings.Contains(stderr.String(), tc.want) {
			t.Errorf("run(%q) = %d, stderr %q; want %d and %q", tc.args, code, stderr.String(), tc.code, tc.want)
		}
	}
}

// settings adds the size settings to the engine's builds only, after simd.
func TestSettings(t *testing.T) {
	const gcflags, exp = "all=-l -gcflags=kernel/...=", "nogreenteagc,noruntimefreegc"
	for _, tc := range []struct {
		b          binary
		env, flags []string
	}{
		{binary{simd: true, sized: true}, []string{"GOOS=js", "GOARCH=wasm", "GOEXPERIMENT=simd,nogreenteagc,noruntimefreegc"}, []string{"-gcflags=all=-l", "-gcflags=kernel/...="}},
		{binary{sized: true}, []string{"GOOS=js", "GOARCH=wasm", "GOEXPERIMENT=nogreenteagc,noruntimefreegc"}, []string{"-gcflags=all=-l", "-gcflags=kernel/...="}},
		{binary{}, []string{"GOOS=js", "GOARCH=wasm"}, nil},
	} {
		env, flags := tc.b.settings(gcflags, exp)
		if !slices.Equal(env, tc.env) || !slices.Equal(flags, tc.flags) {
			t.Errorf("%+v: %q %q, want %q %q", tc.b, env, flags, tc.env, tc.flags)
		}
	}
}
