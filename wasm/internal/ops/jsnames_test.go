package ops

import (
	"maps"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestJSOpNames checks that featuremap.js's OP_NAMES and the Ops interface
// of featuremap.d.ts list exactly the ops of the Go table, Ops, so that
// neither can drift from it.
func TestJSOpNames(t *testing.T) {
	want := slices.Sorted(maps.Keys(Ops))
	js, err := os.ReadFile("../../js/featuremap.js")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`const OP_NAMES = \[([^\]]*)\];`).FindSubmatch(js)
	if m == nil {
		t.Fatal("featuremap.js: no `const OP_NAMES = [...];`")
	}
	var names []string
	for _, q := range regexp.MustCompile(`'(\w+)'`).FindAllSubmatch(m[1], -1) {
		names = append(names, string(q[1]))
	}
	if slices.Sort(names); !slices.Equal(names, want) {
		t.Errorf("featuremap.js OP_NAMES = %v, want the Go ops %v", names, want)
	}

	dts, err := os.ReadFile("../../js/featuremap.d.ts")
	if err != nil {
		t.Fatal(err)
	}
	_, body, ok := strings.Cut(string(dts), "export interface Ops {\n")
	body, _, ok2 := strings.Cut(body, "\n}\n")
	if !ok || !ok2 {
		t.Fatal("featuremap.d.ts: no `export interface Ops { … }`")
	}
	names = nil
	for _, q := range regexp.MustCompile(`(?m)^  (\w+)\(`).FindAllStringSubmatch(body, -1) {
		names = append(names, q[1])
	}
	if slices.Sort(names); !slices.Equal(names, want) {
		t.Errorf("featuremap.d.ts interface Ops declares %v, want the Go ops %v", names, want)
	}
}
