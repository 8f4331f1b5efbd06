package onnx

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// The models in testdata/reference come from ONNX's own backend test data
// (see testdata/reference/copy.sh): written by PyTorch's exporter and by
// onnx's Python helpers through C++ protobuf, the reference encoder, with
// inputs and outputs as serialized TensorProtos.

// referenceDirs lists the reference model directories.
func referenceDirs(t *testing.T) []string {
	t.Helper()
	dirs, err := filepath.Glob(filepath.Join("testdata", "reference", "*", "model.onnx"))
	if err != nil || len(dirs) < 20 {
		t.Fatalf("reference models: %d found, %v", len(dirs), err)
	}
	for i := range dirs {
		dirs[i] = filepath.Dir(dirs[i])
	}
	return dirs
}

// ortFails lists the reference models onnxruntime-web cannot run: PyTorch
// 0.3 exported them at opset 6, for which it has no AveragePool,
// BatchNormalization or Gemm kernel.
var ortFails = []string{"pytorch-converted_test_AvgPool2d", "pytorch-converted_test_BatchNorm2d_eval", "pytorch-converted_test_Linear"}

// TestReference decodes the reference models and their test tensors and
// compares every field with what onnx-proto decodes from the same files.
func TestReference(t *testing.T) {
	var models, tensors []string
	var decoded []*Model
	var decodedTensors []*Tensor
	for _, dir := range referenceDirs(t) {
		f := filepath.Join(dir, "model.onnx")
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		m, err := Decode(data)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if m.Graph == nil || len(m.Graph.Nodes) == 0 || len(m.OpsetImports) == 0 {
			t.Fatalf("%s: no graph, nodes or opset", f)
		}
		models, decoded = append(models, f), append(decoded, m)
		pbs, _ := filepath.Glob(filepath.Join(dir, "*.pb"))
		for _, pb := range pbs {
			data, err := os.ReadFile(pb)
			if err != nil {
				t.Fatal(err)
			}
			tn, err := DecodeTensor(data)
			if err != nil {
				t.Fatalf("%s: %v", pb, err)
			}
			tensors, decodedTensors = append(tensors, pb), append(decodedTensors, tn)
		}
	}
	t.Run("onnx-proto", func(t *testing.T) {
		var want []json.RawMessage
		if err := json.Unmarshal(node(t, append([]string{"decode"}, models...)...), &want); err != nil || len(want) != len(models) {
			t.Fatalf("onnx-proto decoded %d models: %v", len(want), err)
		}
		for i := range models {
			sameAsOracle(t, models[i], decoded[i], want[i])
		}
		var wantTensors []struct {
			Dims     []int64
			DataType DataType
			Values   []float64
		}
		if err := json.Unmarshal(node(t, append([]string{"tensor"}, tensors...)...), &wantTensors); err != nil || len(wantTensors) != len(tensors) {
			t.Fatalf("onnx-proto decoded %d tensors: %v", len(wantTensors), err)
		}
		for i, w := range wantTensors {
			tn := decodedTensors[i]
			if !slices.Equal(tn.Dims, w.Dims) || tn.DataType != w.DataType {
				t.Errorf("%s: dims %v type %v, onnx-proto %v %v", tensors[i], tn.Dims, tn.DataType, w.Dims, w.DataType)
				continue
			}
			var got []float64
			if tn.DataType == Int64 {
				v, err := tn.Int64s()
				if err != nil {
					t.Fatalf("%s: %v", tensors[i], err)
				}
				for _, x := range v {
					got = append(got, float64(x))
				}
			} else {
				v, err := tn.Float32s()
				if err != nil {
					t.Fatalf("%s: %v", tensors[i], err)
				}
				for _, x := range v {
					got = append(got, float64(x))
				}
			}
			if !slices.Equal(got, w.Values) {
				t.Errorf("%s: values differ from onnx-proto's", tensors[i])
			}
		}
	})
}

// TestReferenceORT re-encodes the reference models with Marshal, runs them
// in onnxruntime-web on their test inputs, and compares the outputs with
// the reference outputs (output_0.pb), with the backend tests' relative
// tolerance 1e-3: what Marshal writes is the same model.
func TestReferenceORT(t *testing.T) {
	dir := t.TempDir()
	var args, names []string
	for _, ref := range referenceDirs(t) {
		name := filepath.Base(ref)
		if slices.Contains(ortFails, name) {
			continue
		}
		data, err := os.ReadFile(filepath.Join(ref, "model.onnx"))
		if err != nil {
			t.Fatal(err)
		}
		m, err := Decode(data)
		if err != nil {
			t.Fatal(err)
		}
		f := filepath.Join(dir, name+".onnx")
		if err := os.WriteFile(f, m.Marshal(), 0o600); err != nil {
			t.Fatal(err)
		}
		args, names = append(args, f, ref), append(names, name)
	}
	var got []struct {
		Dims []int64
		Data []float64
	}
	if err := json.Unmarshal(node(t, append([]string{"ortpb"}, args...)...), &got); err != nil || len(got) != len(names) {
		t.Fatalf("onnxruntime-web ran %d models: %v", len(got), err)
	}
	for i, name := range names {
		data, err := os.ReadFile(filepath.Join("testdata", "reference", name, "output_0.pb"))
		if err != nil {
			t.Fatal(err)
		}
		out, err := DecodeTensor(data)
		if err != nil {
			t.Fatal(err)
		}
		want, err := out.Float32s()
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got[i].Dims, out.Dims) || len(got[i].Data) != len(want) {
			t.Errorf("%s: output dims %v, reference %v", name, got[i].Dims, out.Dims)
			continue
		}
		worst := 0.0
		for j, w := range want {
			worst = max(worst, math.Abs(got[i].Data[j]-float64(w))/(1e-5+math.Abs(float64(w))))
		}
		if worst > 1e-3 {
			t.Errorf("%s: output differs from the reference by %.3g (relative)", name, worst)
		}
	}
	if testing.Verbose() {
		t.Logf("%d re-encoded reference models match their reference outputs in onnxruntime-web: %s", len(names), strings.Join(names, " "))
	}
}
