package onnx

import (
	"encoding/binary"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// TestORT writes a Conv+Relu model with Marshal, runs it in
// onnxruntime-web, and compares its output with a direct evaluation of
// the ONNX Conv definition: y[o][i][j] = relu(B[o] + Σ_{c,kh,kw}
// x[c][i·sh+kh-top][j·sw+kw-left] · W[o][c][kh][kw]), zero outside x.
// The pads are asymmetric and the strides unequal, so a decoder or runtime
// that swapped any of them would disagree.
func TestORT(t *testing.T) {
	const (
		C, H, W    = 2, 5, 4
		OC, KH, KW = 3, 3, 2
		sh, sw     = 2, 1
	)
	pads := []int64{1, 0, 0, 1} // top, left, bottom, right
	x := make([]float32, C*H*W)
	for i := range x {
		x[i] = float32(i%7-3) / 4
	}
	w := make([]float32, OC*C*KH*KW)
	for i := range w {
		w[i] = float32(i%5-2) / 8
	}
	b := []float32{0.5, -0.25, 0.125}
	raw := make([]byte, 4*len(w))
	for i, v := range w {
		binary.LittleEndian.PutUint32(raw[4*i:], math.Float32bits(v))
	}
	oh := (H+int(pads[0]+pads[2])-KH)/sh + 1
	ow := (W+int(pads[1]+pads[3])-KW)/sw + 1
	shape := func(dims ...int64) *TensorType {
		tt := &TensorType{ElemType: Float, HasShape: true}
		for _, d := range dims {
			tt.Shape = append(tt.Shape, Dim{Value: d, HasValue: true})
		}
		return tt
	}
	m := &Model{
		IRVersion:    8,
		ProducerName: "featuremap model/onnx test",
		OpsetImports: []OpsetID{{Version: 13}},
		Graph: &Graph{
			Name: "conv_relu",
			Nodes: []Node{
				{Name: "conv", OpType: "Conv", Inputs: []string{"x", "w", "b"}, Outputs: []string{"c"}, Attributes: []Attribute{
					{Name: "kernel_shape", Type: AttrInts, Ints: []int64{KH, KW}},
					{Name: "pads", Type: AttrInts, Ints: pads},
					{Name: "strides", Type: AttrInts, Ints: []int64{sh, sw}},
					{Name: "group", Type: AttrInt, I: 1},
				}},
				{Name: "relu", OpType: "Relu", Inputs: []string{"c"}, Outputs: []string{"y"}},
			},
			Initializers: []Tensor{
				{Name: "w", DataType: Float, Dims: []int64{OC, C, KH, KW}, RawData: raw},
				{Name: "b", DataType: Float, Dims: []int64{OC}, FloatData: b},
			},
			Inputs:  []ValueInfo{{Name: "x", Tensor: shape(1, C, H, W)}},
			Outputs: []ValueInfo{{Name: "y", Tensor: shape(1, OC, int64(oh), int64(ow))}},
		},
	}
	want := make([]float32, OC*oh*ow)
	for o := range OC {
		for i := range oh {
			for j := range ow {
				sum := float64(b[o])
				for c := range C {
					for kh := range KH {
						for kw := range KW {
							y, xx := i*sh+kh-int(pads[0]), j*sw+kw-int(pads[1])
							if y >= 0 && y < H && xx >= 0 && xx < W {
								sum += float64(x[(c*H+y)*W+xx]) * float64(w[((o*C+c)*KH+kh)*KW+kw])
							}
						}
					}
				}
				want[(o*oh+i)*ow+j] = float32(max(sum, 0))
			}
		}
	}

	dir := t.TempDir()
	modelFile, inputFile := filepath.Join(dir, "conv_relu.onnx"), filepath.Join(dir, "x.json")
	if err := os.WriteFile(modelFile, m.Marshal(), 0o600); err != nil {
		t.Fatal(err)
	}
	in, _ := json.Marshal(map[string]any{"name": "x", "dims": []int{1, C, H, W}, "data": x})
	if err := os.WriteFile(inputFile, in, 0o600); err != nil {
		t.Fatal(err)
	}
	var got struct {
		Dims []int
		Data []float32
	}
	if err := json.Unmarshal(node(t, "ort", modelFile, inputFile), &got); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got.Dims, []int{1, OC, oh, ow}) {
		t.Fatalf("onnxruntime-web output dims %v, want %v", got.Dims, []int{1, OC, oh, ow})
	}
	// Every product and partial sum is a multiple of 1/32 below 2⁸: exact
	// in float32 whatever the order of summation.
	if !slices.Equal(got.Data, want) {
		t.Errorf("onnxruntime-web output\n got %v\nwant %v", got.Data, want)
	}
}
