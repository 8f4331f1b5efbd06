package layers

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"testing"
)

// tableReaders are the files that must go through the table, never through
// a layer type (issue 9): paths relative to this package. The site's UI is
// not one of them: it no longer links the engine's packages and reads
// layer types from the public JS API (model.activations(), summary()), as
// any other client of the API does.
var tableReaders = []string{
	"../arch.go", "../graph.go", "../net.go", "../runner.go", "../file.go", "../summary.go", "../archjson.go",
	"../train/train.go", "../train/worker.go", "../train/checkpoint.go",
	"../../wasm/internal/models/models.go",
}

// TestNoSwitchOnType parses the files that read the table and fails on
// anything that singles out a layer type: a type-name constant
// (layers.TypeConv2D), a string literal equal to a type's name ("conv2d"),
// a concrete attribute type (*layers.Conv2D), or a comparison, switch or
// map lookup on a Type() result.
func TestNoSwitchOnType(t *testing.T) {
	names := map[string]bool{}
	concrete := map[string]bool{}
	for _, name := range Types() {
		op, err := New(name)
		if err != nil {
			t.Fatal(err)
		}
		names[name] = true
		concrete[reflect.TypeOf(op).Elem().Name()] = true
	}
	for _, path := range tableReaders {
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		isTypeCall := func(e ast.Expr) bool {
			c, ok := e.(*ast.CallExpr)
			if !ok {
				return false
			}
			s, ok := c.Fun.(*ast.SelectorExpr)
			return ok && s.Sel.Name == "Type" && len(c.Args) == 0
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.SelectorExpr:
				if x, ok := n.X.(*ast.Ident); ok && x.Name == "layers" {
					if s := n.Sel.Name; (len(s) > 4 && s[:4] == "Type" && s != "Types") || concrete[s] {
						t.Errorf("%s: uses layers.%s: go through the table instead", fset.Position(n.Pos()), s)
					}
				}
			case *ast.BasicLit:
				if v, err := strconv.Unquote(n.Value); n.Kind == token.STRING && err == nil && names[v] {
					t.Errorf("%s: string %q names a layer type", fset.Position(n.Pos()), v)
				}
			case *ast.BinaryExpr:
				if (n.Op == token.EQL || n.Op == token.NEQ) && (isTypeCall(n.X) || isTypeCall(n.Y)) {
					t.Errorf("%s: compares a layer's Type()", fset.Position(n.Pos()))
				}
			case *ast.SwitchStmt:
				if n.Tag != nil && isTypeCall(n.Tag) {
					t.Errorf("%s: switches on a layer's Type()", fset.Position(n.Pos()))
				}
			case *ast.IndexExpr:
				if isTypeCall(n.Index) {
					t.Errorf("%s: looks up a layer's Type()", fset.Position(n.Pos()))
				}
			}
			return true
		})
	}
}

// TestOneFilePerType checks that every registered type lives in a file
// named after it, which registers it.
func TestOneFilePerType(t *testing.T) {
	for _, name := range Types() {
		data, err := os.ReadFile(name + ".go")
		if err != nil {
			t.Errorf("layer type %q: %v", name, err)
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), name+".go", data, 0)
		if err != nil {
			t.Fatal(err)
		}
		registers := false
		ast.Inspect(f, func(n ast.Node) bool {
			if c, ok := n.(*ast.CallExpr); ok {
				if id, ok := c.Fun.(*ast.Ident); ok && id.Name == "register" {
					registers = true
				}
			}
			return true
		})
		if !registers {
			t.Errorf("%s.go does not register its type", name)
		}
	}
	files, _ := filepath.Glob("*.go")
	if len(files) < len(Types()) {
		t.Errorf("%d files for %d types", len(files), len(Types()))
	}
	if want := []string{"avgpool", "batchnorm", "concat", "conv2d", "dense", "dropout", "flatten", "lrn", "maxpool", "relu", "softmax"}; !slices.Equal(Types(), want) {
		t.Errorf("Types() = %v, want %v", Types(), want)
	}
}
