package onnx

import (
	"encoding/base64"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"testing"
)

// The independent oracle is testdata/onnxjs.mjs: onnx-proto (protobufjs
// code generated from the real onnx.proto) and onnxruntime-web, run by
// Node. The tests below compare this package's view of a model with
// onnx-proto's, as protobufjs toObject JSON (camelCase field names, int64
// as decimal strings, bytes as base64, enums as numbers).

// node runs testdata/onnxjs.mjs with args and returns its output. It skips
// the test where Node or the npm packages are missing (js/wasm builds
// cannot start processes; `npm ci` installs the packages).
func node(t *testing.T, args ...string) []byte {
	t.Helper()
	if runtime.GOOS == "js" || runtime.GOOS == "wasip1" {
		t.Skip("needs Node and onnx-proto: cannot start processes under " + runtime.GOOS)
	}
	bin, err := exec.LookPath("node")
	if err != nil {
		t.Skip("needs Node (node not in PATH)")
	}
	for _, pkg := range []string{"onnx-proto", "onnxruntime-web"} {
		if _, err := os.Stat(filepath.Join("..", "..", "node_modules", pkg, "package.json")); err != nil {
			t.Skip("needs node_modules/" + pkg + ": run npm ci in the repository root")
		}
	}
	cmd := exec.Command(bin, append([]string{filepath.Join("testdata", "onnxjs.mjs")}, args...)...)
	var stderr []byte
	out, err := cmd.Output()
	if ee, ok := err.(*exec.ExitError); ok {
		stderr = ee.Stderr
	}
	if err != nil {
		t.Fatalf("node onnxjs.mjs %v: %v\n%s", args, err, stderr)
	}
	return out
}

// schema lists, for each message, the toObject keys this package decodes
// and the message type of the nested ones ("" for scalars).
var schema = map[string]map[string]string{
	"model":      {"irVersion": "", "producerName": "", "producerVersion": "", "graph": "graph", "opsetImport": "opset", "metadataProps": "entry"},
	"opset":      {"domain": "", "version": ""},
	"entry":      {"key": "", "value": ""},
	"graph":      {"node": "node", "name": "", "initializer": "tensor", "input": "valueInfo", "output": "valueInfo", "valueInfo": "valueInfo"},
	"node":       {"input": "", "output": "", "name": "", "opType": "", "attribute": "attribute", "domain": ""},
	"attribute":  {"name": "", "type": "", "f": "", "i": "", "s": "", "t": "tensor", "floats": "", "ints": "", "strings": ""},
	"tensor":     {"dims": "", "dataType": "", "floatData": "", "int32Data": "", "int64Data": "", "name": "", "rawData": "", "doubleData": ""},
	"valueInfo":  {"name": "", "type": "typeProto"},
	"typeProto":  {"tensorType": "tensorType"},
	"tensorType": {"elemType": "", "shape": "shape"},
	"shape":      {"dim": "dim"},
	"dim":        {"dimValue": "", "dimParam": ""},
}

// normalize keeps the keys of message msg that schema lists and drops zero
// scalars ("", 0, "0"), empty lists and empty objects, so that a field
// written as zero and an absent one compare equal, as they decode equal.
func normalize(v any, msg string) any {
	switch v := v.(type) {
	case []any:
		if len(v) == 0 {
			return nil
		}
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = normalize(e, msg)
			if out[i] == nil { // keep empty entries: their position matters
				out[i] = map[string]any{}
			}
		}
		return out
	case map[string]any:
		out := map[string]any{}
		for k, e := range v {
			sub, ok := schema[msg][k]
			if !ok {
				continue
			}
			if n := normalize(e, sub); n != nil {
				out[k] = n
			}
		}
		if len(out) == 0 {
			return nil
		}
		return out
	case string:
		if v == "" || v == "0" {
			return nil
		}
	case float64:
		if v == 0 {
			return nil
		}
	}
	return v
}

// protoJSON returns m in toObject form, every field written.
func protoJSON(m *Model) any {
	i64 := func(v int64) string { return strconv.FormatInt(v, 10) }
	i64s := func(vs []int64) []any {
		out := []any{}
		for _, v := range vs {
			out = append(out, i64(v))
		}
		return out
	}
	f32s := func(vs []float32) []any {
		out := []any{}
		for _, v := range vs {
			out = append(out, float64(v))
		}
		return out
	}
	strs := func(vs []string) []any {
		out := []any{}
		for _, v := range vs {
			out = append(out, v)
		}
		return out
	}
	b64 := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	tensor := func(t *Tensor) map[string]any {
		i32 := []any{}
		for _, v := range t.Int32Data {
			i32 = append(i32, float64(v))
		}
		f64 := []any{}
		for _, v := range t.DoubleData {
			f64 = append(f64, v)
		}
		return map[string]any{"dims": i64s(t.Dims), "dataType": float64(t.DataType), "floatData": f32s(t.FloatData),
			"int32Data": i32, "int64Data": i64s(t.Int64Data), "name": t.Name, "rawData": b64(string(t.RawData)), "doubleData": f64}
	}
	valueInfos := func(vs []ValueInfo) []any {
		out := []any{}
		for _, v := range vs {
			o := map[string]any{"name": v.Name}
			if tt := v.Tensor; tt != nil {
				tj := map[string]any{"elemType": float64(tt.ElemType)}
				if tt.HasShape {
					dims := []any{}
					for _, d := range tt.Shape {
						if d.HasValue {
							dims = append(dims, map[string]any{"dimValue": i64(d.Value)})
						} else {
							dims = append(dims, map[string]any{"dimParam": d.Param})
						}
					}
					tj["shape"] = map[string]any{"dim": dims}
				}
				o["type"] = map[string]any{"tensorType": tj}
			}
			out = append(out, o)
		}
		return out
	}
	out := map[string]any{"irVersion": i64(m.IRVersion), "producerName": m.ProducerName, "producerVersion": m.ProducerVersion}
	ops := []any{}
	for _, o := range m.OpsetImports {
		ops = append(ops, map[string]any{"domain": o.Domain, "version": i64(o.Version)})
	}
	out["opsetImport"] = ops
	meta := []any{}
	for _, e := range m.Metadata {
		meta = append(meta, map[string]any{"key": e.Key, "value": e.Value})
	}
	out["metadataProps"] = meta
	if g := m.Graph; g != nil {
		nodes := []any{}
		for _, n := range g.Nodes {
			attrs := []any{}
			for _, a := range n.Attributes {
				aj := map[string]any{"name": a.Name, "type": float64(a.Type), "f": float64(a.F), "i": i64(a.I), "s": b64(a.S),
					"floats": f32s(a.Floats), "ints": i64s(a.Ints)}
				ss := []any{}
				for _, s := range a.Strings {
					ss = append(ss, b64(s))
				}
				aj["strings"] = ss
				if a.T != nil {
					aj["t"] = tensor(a.T)
				}
				attrs = append(attrs, aj)
			}
			nodes = append(nodes, map[string]any{"input": strs(n.Inputs), "output": strs(n.Outputs), "name": n.Name,
				"opType": n.OpType, "attribute": attrs, "domain": n.Domain})
		}
		inits := []any{}
		for i := range g.Initializers {
			inits = append(inits, tensor(&g.Initializers[i]))
		}
		out["graph"] = map[string]any{"node": nodes, "name": g.Name, "initializer": inits,
			"input": valueInfos(g.Inputs), "output": valueInfos(g.Outputs), "valueInfo": valueInfos(g.ValueInfo)}
	}
	return out
}

// sameAsOracle compares m with a model onnx-proto decoded (its toObject
// JSON), over the fields this package decodes.
func sameAsOracle(t *testing.T, what string, m *Model, oracle []byte) {
	t.Helper()
	var want any
	if err := json.Unmarshal(oracle, &want); err != nil {
		t.Fatalf("%s: oracle JSON: %v", what, err)
	}
	// Round trip protoJSON through JSON so both sides have the same types.
	b, err := json.Marshal(protoJSON(m))
	if err != nil {
		t.Fatal(err)
	}
	var got any
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	gn, wn := normalize(got, "model"), normalize(want, "model")
	gj, _ := json.MarshalIndent(gn, "", " ")
	wj, _ := json.MarshalIndent(wn, "", " ")
	if string(gj) != string(wj) {
		t.Errorf("%s: decoded model differs from onnx-proto's\n got: %s\nwant: %s", what, gj, wj)
	}
}
