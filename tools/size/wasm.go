package main

import (
	"bytes"
	"errors"
	"fmt"
)

// WebAssembly section ids (WebAssembly Core Specification 2.0, §5.5.2).
const (
	sectionCustom = 0
	sectionImport = 2
	sectionCode   = 10
	sectionData   = 11
)

// section is one section of a module: its id, its custom name (for id 0) and
// its payload, excluding the id byte and the size prefix.
type section struct {
	id      byte
	name    string
	payload []byte
}

// module is what the size report needs from a WebAssembly binary.
type module struct {
	sections []section
	// importedFuncs counts the functions imported by the import section;
	// they come first in the function index space.
	importedFuncs int
	// bodies holds each code-section entry, size prefix included, in
	// order; bodies[i] is function importedFuncs+i.
	bodies [][]byte
	// codeHeader is the code section's leading entry count (a LEB128).
	codeHeader int
	// names maps a function index to its name from the "name" custom
	// section's function-names subsection; nil if there is none (a binary
	// linked with -ldflags=-s).
	names map[uint32]string
}

// sectionSize returns the total payload bytes of the sections with this id.
func (m *module) sectionSize(id byte) int {
	n := 0
	for _, s := range m.sections {
		if s.id == id {
			n += len(s.payload)
		}
	}
	return n
}

// reader decodes the binary format's primitives and remembers the first error.
type reader struct {
	b   []byte
	err error
}

func (r *reader) fail(what string) {
	if r.err == nil {
		r.err = errors.New("wasm: truncated or malformed " + what)
	}
}

func (r *reader) byte(what string) byte {
	if r.err != nil || len(r.b) == 0 {
		r.fail(what)
		return 0
	}
	c := r.b[0]
	r.b = r.b[1:]
	return c
}

// u32 reads an unsigned LEB128 of at most 5 bytes (§5.2.2).
func (r *reader) u32(what string) uint32 {
	var v uint32
	for shift := 0; shift < 35; shift += 7 {
		c := r.byte(what)
		if r.err != nil {
			return 0
		}
		if shift == 28 && c > 0x0f {
			r.fail(what)
			return 0
		}
		v |= uint32(c&0x7f) << shift
		if c < 0x80 {
			return v
		}
	}
	r.fail(what)
	return 0
}

func (r *reader) bytes(n uint32, what string) []byte {
	if r.err != nil || uint64(n) > uint64(len(r.b)) {
		r.fail(what)
		return nil
	}
	b := r.b[:n:n]
	r.b = r.b[n:]
	return b
}

// name reads a length-prefixed string.
func (r *reader) name(what string) string {
	return string(r.bytes(r.u32(what), what))
}

// parseModule splits a WebAssembly binary into sections and decodes the
// import, code and "name" sections.
func parseModule(b []byte) (*module, error) {
	if len(b) < 8 || !bytes.Equal(b[:4], []byte("\x00asm")) {
		return nil, errors.New("wasm: not a WebAssembly binary (no \\0asm magic)")
	}
	if !bytes.Equal(b[4:8], []byte{1, 0, 0, 0}) {
		return nil, fmt.Errorf("wasm: binary format version %v, want 1", b[4:8])
	}
	m := &module{}
	r := &reader{b: b[8:]}
	for len(r.b) > 0 && r.err == nil {
		id := r.byte("section id")
		payload := r.bytes(r.u32("section size"), "section")
		s := section{id: id, payload: payload}
		if id == sectionCustom {
			pr := &reader{b: payload}
			s.name = pr.name("custom section name")
			if pr.err != nil {
				return nil, pr.err
			}
			if s.name == "name" {
				m.names = parseNames(pr.b)
			}
		}
		m.sections = append(m.sections, s)
	}
	if r.err != nil {
		return nil, r.err
	}
	for _, s := range m.sections {
		var err error
		switch s.id {
		case sectionImport:
			m.importedFuncs, err = countFuncImports(s.payload)
		case sectionCode:
			m.bodies, m.codeHeader, err = splitBodies(s.payload)
		}
		if err != nil {
			return nil, err
		}
	}
	return m, nil
}

// countFuncImports counts the function imports in an import section (§5.5.5).
func countFuncImports(p []byte) (int, error) {
	r := &reader{b: p}
	funcs := 0
	for n := r.u32("import count"); n > 0 && r.err == nil; n-- {
		r.name("import module")
		r.name("import name")
		switch kind := r.byte("import kind"); kind {
		case 0: // func: type index
			r.u32("import type index")
			funcs++
		case 1: // table: reference type, limits
			r.byte("table type")
			r.limits()
		case 2: // memory: limits
			r.limits()
		case 3: // global: value type, mutability
			r.byte("global type")
			r.byte("global mutability")
		default:
			return 0, fmt.Errorf("wasm: unknown import kind %#x", kind)
		}
	}
	return funcs, r.err
}

// limits reads a limits record: a flags byte, min and, if flagged, max.
func (r *reader) limits() {
	flags := r.byte("limits")
	r.u32("limits minimum")
	if flags&1 != 0 {
		r.u32("limits maximum")
	}
}

// splitBodies splits a code section into its entries, each with its size
// prefix, and returns the length of the leading count.
func splitBodies(p []byte) (bodies [][]byte, header int, err error) {
	r := &reader{b: p}
	n := r.u32("code entry count")
	header = len(p) - len(r.b)
	for ; n > 0 && r.err == nil; n-- {
		start := r.b
		size := r.u32("code entry size")
		r.bytes(size, "code entry")
		bodies = append(bodies, start[:len(start)-len(r.b)])
	}
	if r.err == nil && len(r.b) != 0 {
		return nil, 0, fmt.Errorf("wasm: %d bytes after the last code entry", len(r.b))
	}
	return bodies, header, r.err
}

// parseNames decodes the function-names subsection (id 1) of a "name"
// custom section (§7.4). A malformed section yields the names read so far:
// names only label the report.
func parseNames(p []byte) map[uint32]string {
	names := map[uint32]string{}
	r := &reader{b: p}
	for len(r.b) > 0 && r.err == nil {
		id := r.byte("name subsection id")
		sub := &reader{b: r.bytes(r.u32("name subsection size"), "name subsection")}
		if id != 1 {
			continue
		}
		for n := sub.u32("name count"); n > 0 && sub.err == nil; n-- {
			idx := sub.u32("function index")
			name := sub.name("function name")
			if sub.err == nil {
				names[idx] = name
			}
		}
	}
	return names
}
