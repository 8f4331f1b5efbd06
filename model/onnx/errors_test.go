package onnx

import (
	"bytes"
	"strings"
	"testing"
)

// graphWith wraps graph fields into a model.
func graphWith(fields ...[]byte) []byte { return pbBytes(7, fields...) }

// TestDecodeErrors: malformed input is refused with an error naming the
// path to the field at fault.
func TestDecodeErrors(t *testing.T) {
	group := func(num int, inner ...[]byte) []byte {
		return cat(pbKey(num, wireStart), cat(inner...), pbKey(num, wireEnd))
	}
	deep := pbKey(99, wireEnd)
	for range 40 {
		deep = cat(pbKey(99, wireStart), deep, pbKey(99, wireEnd))
	}
	deep = deep[len(pbKey(99, wireEnd)):]
	pads := pbBytes(5, pbString(1, "pads"), pbVarint(20, 7), pbBytes(8, []byte{0x01, 0x82}))
	for _, tc := range []struct {
		name string
		in   []byte
		want string
	}{
		{"truncated key", []byte{0x80}, "onnx: truncated varint in a field key"},
		{"long varint", cat(pbKey(1, wireVarint), bytes.Repeat([]byte{0xff}, 9), []byte{0x02}), "onnx: field 1: varint longer than 10 bytes"},
		{"field zero", pbVarint(0, 1), "invalid field number 0"},
		{"wire type 7", []byte{0x0f}, "field 1: invalid wire type 7"},
		{"length past the end", cat(pbKey(7, wireBytes), []byte{10, 1, 2}), "onnx: field 7: length 10 exceeds the 2 bytes left"},
		{"truncated fixed32", cat(pbKey(50, wireFixed32), []byte{1, 2}), "field 50: truncated fixed32"},
		{"truncated fixed64", cat(pbKey(50, wireFixed64), []byte{1, 2}), "field 50: truncated fixed64"},
		{"wrong wire type", pbString(1, "8"), "onnx: ir_version: wire type length-delimited, want varint"},
		{"stray end group", pbKey(30, wireEnd), "field 30: end of a group that was not started"},
		{"group without end", cat(pbKey(30, wireStart), pbVarint(1, 1)), "field 30: group without an end"},
		{"group ends wrong", cat(pbKey(30, wireStart), pbKey(31, wireEnd)), "field 30: group ends with field 31"},
		{"nested groups", group(30, group(31, group(32))), ""},
		{"groups too deep", deep, "messages nested deeper than 32"},
		{"packed ints truncated", graphWith(pbBytes(1, pbString(3, "a")), pbBytes(1, pbString(3, "b"), pads)),
			`onnx: graph.node[1] "b".attribute[0] "pads".ints: truncated varint in a packed field`},
		{"packed floats length", graphWith(pbBytes(5, pbString(8, "w"), pbBytes(4, []byte{1, 2, 3}))),
			`onnx: graph.initializer[0] "w".float_data: packed length 3 is not a multiple of 4`},
		{"external data", graphWith(pbBytes(5, pbString(8, "w"), pbVarint(14, 1))),
			`onnx: graph.initializer[0] "w": data stored outside the .onnx file`},
		{"external data entries", graphWith(pbBytes(5, pbBytes(13, pbString(1, "location"), pbString(2, "w.bin")))),
			`onnx: graph.initializer[0]: data stored outside`},
		{"segment", graphWith(pbBytes(5, pbBytes(3))), "graph.initializer[0]: segment: segmented tensors are not supported"},
		{"sparse initializer", graphWith(pbBytes(15)), "onnx: graph: sparse_initializer: sparse tensors are not supported"},
		{"negative dim", graphWith(pbBytes(5, pbVarint(1, 2), pbVarint(1, ^uint64(0)))), "graph.initializer[0]: dims[1] is -1, want ≥ 0"},
		{"constant tensor", graphWith(pbBytes(1, pbString(3, "c"), pbBytes(5, pbString(1, "value"), pbBytes(5, pbBytes(4, []byte{0}))))),
			`onnx: graph.node[0] "c".attribute[0] "value".t.float_data: packed length 1`},
		{"shape dim", graphWith(pbBytes(11, pbString(1, "x"), pbBytes(2, pbBytes(1, pbBytes(2, pbBytes(1, pbString(1, "N"))))))),
			`onnx: graph.input[0] "x".type.tensor_type.shape.dim[0].dim_value: wire type length-delimited, want varint`},
		{"float wire", graphWith(pbBytes(1, pbBytes(5, pbString(1, "alpha"), pbVarint(2, 1)))), `onnx: graph.node[0].attribute[0] "alpha".f: wire type varint, want fixed32`},
		{"string wire", graphWith(pbBytes(1, pbVarint(1, 3))), "onnx: graph.node[0].input: wire type varint, want length-delimited"},
		{"opset", pbBytes(8, pbString(1, "ai.onnx"), pbString(2, "13")), `onnx: opset_import[0] "ai.onnx".version: wire type`},
	} {
		_, err := Decode(tc.in)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s: %v", tc.name, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%s: err = %v, want %q", tc.name, err, tc.want)
		}
	}
}

// TestLimits: each limit refuses input just over it and accepts input at it.
func TestLimits(t *testing.T) {
	lim := Limits{MaxBytes: 1 << 20, MaxDepth: 8, MaxItems: 4, MaxRank: 3, MaxElements: 6}
	floats := func(n int) []byte { return pbBytes(4, make([]byte, 4*n)) }
	// nest returns n groups, each inside the one before: model, graph,
	// node, attribute and tensor take 5 levels, so 3 groups reach 8.
	nest := func(n int) []byte {
		var b []byte
		for range n {
			b = cat(pbKey(99, wireStart), b, pbKey(99, wireEnd))
		}
		return b
	}
	for _, tc := range []struct {
		name     string
		ok, over []byte
		want     string
	}{
		{"nodes", graphWith(bytes.Repeat(pbBytes(1), 4)), graphWith(bytes.Repeat(pbBytes(1), 5)), "graph.node: more than 4 entries (Limits.MaxItems)"},
		{"packed ints", graphWith(pbBytes(1, pbBytes(5, pbBytes(8, []byte{1, 2, 3, 4})))), graphWith(pbBytes(1, pbBytes(5, pbBytes(8, []byte{1, 2, 3, 4, 5})))),
			"graph.node[0].attribute[0].ints: more than 4 entries"},
		{"unpacked ints", graphWith(pbBytes(1, pbBytes(5, bytes.Repeat(pbVarint(8, 1), 4)))), graphWith(pbBytes(1, pbBytes(5, bytes.Repeat(pbVarint(8, 1), 5)))),
			"ints: more than 4 entries"},
		{"node inputs", graphWith(pbBytes(1, bytes.Repeat(pbString(1, "x"), 4))), graphWith(pbBytes(1, bytes.Repeat(pbString(1, "x"), 5))), "graph.node[0].input: more than 4"},
		{"dims", graphWith(pbBytes(5, bytes.Repeat(pbVarint(1, 1), 3))), graphWith(pbBytes(5, bytes.Repeat(pbVarint(1, 1), 4))), "dims: more than 3 dims (Limits.MaxRank)"},
		{"shape", graphWith(pbBytes(11, pbBytes(2, pbBytes(1, pbBytes(2, bytes.Repeat(pbBytes(1), 3)))))),
			graphWith(pbBytes(11, pbBytes(2, pbBytes(1, pbBytes(2, bytes.Repeat(pbBytes(1), 4)))))), "shape.dim: more than 3 dims"},
		{"float_data", graphWith(pbBytes(5, floats(6))), graphWith(pbBytes(5, floats(7))), "initializer[0].float_data: tensor data over the limit of 6 elements"},
		{"elements over tensors", graphWith(pbBytes(5, floats(3)), pbBytes(5, floats(3))), graphWith(pbBytes(5, floats(3)), pbBytes(5, floats(4))), "graph.initializer[1].float_data: tensor data over"},
		{"raw_data", graphWith(pbBytes(5, pbVarint(2, uint64(Float16)), pbBytes(9, make([]byte, 12)))), graphWith(pbBytes(5, pbVarint(2, uint64(Float16)), pbBytes(9, make([]byte, 14)))),
			"initializer[0].raw_data: tensor data over"},
		{"dims product", graphWith(pbBytes(5, pbVarint(1, 2), pbVarint(1, 3))), graphWith(pbBytes(5, pbVarint(1, 1<<40), pbVarint(1, 1<<40))), "dims declare over 6 elements"},
		{"depth", graphWith(pbBytes(1, pbBytes(5, pbBytes(5, nest(3))))), graphWith(pbBytes(1, pbBytes(5, pbBytes(5, nest(4))))),
			"messages nested deeper than 8"},
		{"bytes", make([]byte, 0), make([]byte, 1<<20+1), "the model is 1048577 bytes, over the limit of 1048576"},
	} {
		if _, err := lim.Decode(tc.ok); err != nil {
			t.Errorf("%s: at the limit: %v", tc.name, err)
		}
		if _, err := lim.Decode(tc.over); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: over the limit: err = %v, want %q", tc.name, err, tc.want)
		}
	}
}

// TestTensorErrors: the accessors refuse tensors whose values do not match
// their dims or type.
func TestTensorErrors(t *testing.T) {
	for _, tc := range []struct {
		t    Tensor
		want string
	}{
		{Tensor{Name: "a", DataType: Float, Dims: []int64{2, 2}, FloatData: []float32{1, 2, 3}}, `onnx: tensor "a": float_data holds 3 values, dims [2 2] want 4`},
		{Tensor{Name: "b", DataType: Float, Dims: []int64{2}, RawData: make([]byte, 12)}, "raw_data holds 3 values, dims [2] want 2"},
		{Tensor{Name: "c", DataType: Float, Dims: []int64{1}, RawData: make([]byte, 6)}, "raw_data has 6 bytes, not a multiple of 4 (FLOAT)"},
		{Tensor{Name: "d", DataType: Float, Dims: []int64{1}, RawData: make([]byte, 4), FloatData: []float32{1}}, "values in more than one field (raw_data and others)"},
		{Tensor{Name: "e", DataType: Float, Dims: []int64{1}, Int64Data: []int64{1}}, "values in more than one field (float_data and others)"},
		{Tensor{Name: "f", DataType: Uint8, Dims: []int64{1}, RawData: []byte{1}}, "data_type UINT8 cannot be read as numbers"},
		{Tensor{Name: "g", DataType: DataType(99)}, "DataType(99) cannot be read"},
		{Tensor{Name: "h", DataType: Float, Dims: []int64{1 << 40, 1 << 40}, FloatData: []float32{1}}, "dims [1099511627776 1099511627776] want 9223372036854775807"},
	} {
		if _, err := tc.t.Float32s(); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want %q", tc.t.Name, err, tc.want)
		}
	}
	ft := Tensor{Name: "x", DataType: Float, Dims: []int64{1}, FloatData: []float32{1}}
	if _, err := ft.Int64s(); err == nil || !strings.Contains(err.Error(), "data_type FLOAT, want INT64 or INT32") {
		t.Errorf("Int64s of a FLOAT tensor: err = %v", err)
	}
	it := Tensor{Name: "y", DataType: Int64, Dims: []int64{3}, Int64Data: []int64{1}}
	if _, err := it.Int64s(); err == nil || !strings.Contains(err.Error(), "int64_data holds 1 values") {
		t.Errorf("Int64s of a short tensor: err = %v", err)
	}
	empty := Tensor{Name: "z", DataType: Float, Dims: []int64{0, 3}}
	if v, err := empty.Float32s(); err != nil || len(v) != 0 {
		t.Errorf("empty tensor: %v, %v", v, err)
	}
	for _, s := range []string{AttrInts.String(), AttributeType(40).String(), Double.String(), DataType(-1).String()} {
		if s == "" {
			t.Error("empty type name")
		}
	}
	if AttrInts.String() != "INTS" || AttributeType(40).String() != "AttributeType(40)" || Float16.String() != "FLOAT16" {
		t.Error("type names")
	}
}

// TestQuote: names from the file cannot inject control characters into
// error messages.
func TestQuote(t *testing.T) {
	for in, want := range map[string]string{"conv1": `"conv1"`, "a\"b\\c": `"a\x22b\x5cc"`, "\x1b[31m": `"\x1b[31m"`, "ü": `"ü"`, "": `""`} {
		if got := quote(in); got != want {
			t.Errorf("quote(%q) = %s, want %s", in, got, want)
		}
	}
}
