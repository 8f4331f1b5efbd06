package main

import (
	"cmp"
	"regexp"
	"slices"
	"strings"
)

// linkerName is how Go's wasm linker writes a symbol into the "name"
// section: every character other than a letter, digit, '_' or '.' becomes
// '_' (cmd/link/internal/wasm/asm.go, nameRegexp), so "encoding/json/v2" is
// written "encoding_json_v2" and "(*T).M" "__T_.M".
var linkerName = regexp.MustCompile(`[^\w.]`)

// packageOf maps function names from the "name" section back to Go import
// paths, given the paths of the packages linked into the binary (go list
// -deps). A name belongs to the longest known package whose sanitised path
// is followed by '.'; names that match none (linker-generated functions such
// as type:.eq.T, or every name when paths is empty) are grouped by their
// text before the first '.', in parentheses.
type packageOf map[string]string

func newPackageOf(paths []string) packageOf {
	p := packageOf{}
	for _, path := range paths {
		p[linkerName.ReplaceAllString(path, "_")] = path
	}
	return p
}

func (p packageOf) of(name string) string {
	best := ""
	for i := range len(name) {
		if name[i] == '.' {
			if path, ok := p[name[:i]]; ok {
				best = path
			}
		}
	}
	if best != "" {
		return best
	}
	head, _, _ := strings.Cut(name, ".")
	return "(" + head + ")"
}

// share is a number of bytes attributed to one label.
type share struct {
	label string
	bytes int
}

// codeByPackage attributes every byte of the code section: each function
// body (with its size prefix) to its package, the section's leading entry
// count to "(code section header)" and bodies without a name to
// "(unnamed functions)". The result is sorted by size, largest first, and
// sums to the code section's payload size.
func codeByPackage(m *module, pkg packageOf) []share {
	sums := map[string]int{}
	if m.codeHeader > 0 {
		sums["(code section header)"] = m.codeHeader
	}
	for i, body := range m.bodies {
		label := "(unnamed functions)"
		if name, ok := m.names[uint32(m.importedFuncs+i)]; ok {
			label = pkg.of(name)
		}
		sums[label] += len(body)
	}
	shares := make([]share, 0, len(sums))
	for label, n := range sums {
		shares = append(shares, share{label, n})
	}
	slices.SortFunc(shares, func(a, b share) int {
		return cmp.Or(cmp.Compare(b.bytes, a.bytes), cmp.Compare(a.label, b.label))
	})
	return shares
}
