package safetensors

import (
	"bytes"
	"encoding/binary"
	"strings"
	"testing"
)

func TestParseErrors(t *testing.T) {
	body4 := []byte{1, 2, 3, 4}
	withLen := func(n uint64, rest string) []byte {
		return append(binary.LittleEndian.AppendUint64(nil, n), rest...)
	}
	for _, tc := range []struct {
		name string
		file []byte
		want string
	}{
		{"short", []byte{1, 2, 3}, "file is 3 bytes, shorter than the 8-byte header length"},
		{"huge header length", withLen(1<<62, "{}"), "header length 4611686018427387904 exceeds the limit"},
		{"truncated header", withLen(100, "{}"), "header length 100 exceeds the 2 bytes after it"},
		{"invalid UTF-8", rawFile("{\"\xff\":1}", nil), "not valid UTF-8"},
		{"not an object", rawFile(`[1]`, nil), "does not start with '{'"},
		{"empty header", rawFile(``, nil), "does not start with '{'"},
		{"bad JSON", rawFile(`{"a":}`, nil), `tensor "a"`},
		{"unterminated", rawFile(`{"a":{"dtype":"I8","shape":[4],"data_offsets":[0,4]}`, body4), "header"},
		{"trailing bytes", rawFile(`{} x`, nil), "2 unexpected bytes after the JSON object"},
		{"duplicate tensor", rawFile(`{"a":{"dtype":"I8","shape":[2],"data_offsets":[0,2]},"a":{"dtype":"I8","shape":[2],"data_offsets":[2,4]}}`, body4), `duplicate key "a"`},
		{"duplicate metadata key", rawFile(`{"__metadata__":{"k":"1","k":"2"}}`, nil), `__metadata__: duplicate key "k"`},
		{"metadata not strings", rawFile(`{"__metadata__":{"k":1}}`, nil), `__metadata__: key "k": value is not a string`},
		{"metadata not object", rawFile(`{"__metadata__":"x"}`, nil), `__metadata__: got string, want an object of strings`},
		{"unknown dtype", rawFile(`{"a":{"dtype":"F64","shape":[],"data_offsets":[0,8]}}`, make([]byte, 8)), `tensor "a": dtype "F64", want F32, F16 or I8`},
		{"missing dtype", rawFile(`{"a":{"shape":[4],"data_offsets":[0,4]}}`, body4), `tensor "a": missing dtype`},
		{"missing shape", rawFile(`{"a":{"dtype":"I8","data_offsets":[0,4]}}`, body4), `tensor "a": missing shape`},
		{"missing offsets", rawFile(`{"a":{"dtype":"I8","shape":[4]}}`, body4), `tensor "a": missing data_offsets`},
		{"unknown field", rawFile(`{"a":{"dtype":"I8","shape":[4],"data_offsets":[0,4],"x":1}}`, body4), `tensor "a": unknown field "x"`},
		{"entry not object", rawFile(`{"a":[1]}`, nil), `tensor "a"`},
		{"negative dim", rawFile(`{"a":{"dtype":"I8","shape":[-4],"data_offsets":[0,4]}}`, body4), `tensor "a"`},
		{"fractional dim", rawFile(`{"a":{"dtype":"I8","shape":[1.5],"data_offsets":[0,4]}}`, body4), `tensor "a"`},
		{"huge dim", rawFile(`{"a":{"dtype":"I8","shape":[0,4294967296],"data_offsets":[0,0]}}`, nil), `tensor "a": shape [0 4294967296]: dimension 4294967296 exceeds`},
		{"rank 9", rawFile(`{"a":{"dtype":"I8","shape":[1,1,1,1,1,1,1,1,4],"data_offsets":[0,4]}}`, body4), `tensor "a": rank 9, at most 8`},
		{"overflowing shape", rawFile(`{"a":{"dtype":"F32","shape":[2147483647,2147483647,2147483647,2147483647],"data_offsets":[0,4]}}`, body4), `tensor "a": shape [2147483647 2147483647 2147483647 2147483647] × F32 overflows`},
		{"three offsets", rawFile(`{"a":{"dtype":"I8","shape":[4],"data_offsets":[0,4,4]}}`, body4), `tensor "a": data_offsets has 3 numbers`},
		{"begin after end", rawFile(`{"a":{"dtype":"I8","shape":[0],"data_offsets":[4,0]}}`, body4), `tensor "a": data_offsets [4, 0] outside the 4-byte data section`},
		{"end past data", rawFile(`{"a":{"dtype":"I8","shape":[8],"data_offsets":[0,8]}}`, body4), `tensor "a": data_offsets [0, 8] outside the 4-byte data section`},
		{"huge offset", rawFile(`{"a":{"dtype":"I8","shape":[1],"data_offsets":[18446744073709551615,0]}}`, body4), `tensor "a": data_offsets [18446744073709551615, 0] outside`},
		{"size mismatch", rawFile(`{"conv1.weight":{"dtype":"I8","shape":[3,3,1,64],"data_offsets":[0,100]}}`, make([]byte, 100)),
			`safetensors: tensor "conv1.weight": data_offsets [0, 100] hold 100 bytes, shape [3 3 1 64] × I8 needs 576`},
		{"overlap", rawFile(`{"a":{"dtype":"I8","shape":[3],"data_offsets":[0,3]},"b":{"dtype":"I8","shape":[2],"data_offsets":[2,4]}}`, body4), `tensor "b": data_offsets [2, 4] overlap tensor "a", which ends at 3`},
		{"gap", rawFile(`{"a":{"dtype":"I8","shape":[1],"data_offsets":[0,1]},"b":{"dtype":"I8","shape":[2],"data_offsets":[2,4]}}`, body4), `tensor "b": data_offsets [2, 4] leave bytes [1, 2) of the data section unused`},
		{"uncovered tail", rawFile(`{"a":{"dtype":"I8","shape":[2],"data_offsets":[0,2]}}`, body4), "tensors cover 2 bytes of the 4-byte data section"},
		{"tensor named like metadata", rawFile(`{"__metadata__":{},"__metadata__":{}}`, nil), `duplicate key "__metadata__"`},
		{"empty name", rawFile(`{"":{"dtype":"I8","shape":[0],"data_offsets":[0,0]}}`, nil), "empty tensor name"},
		{"duplicate field", rawFile(`{"a":{"dtype":"I8","shape":[4],"dtype":"I8","data_offsets":[0,4]}}`, body4), `tensor "a": duplicate field "dtype"`},
		{"dtype not a string", rawFile(`{"a":{"dtype":8,"shape":[4],"data_offsets":[0,4]}}`, body4), `tensor "a": dtype: json: offset 14: got number, want string`},
		{"shape not numbers", rawFile(`{"a":{"dtype":"I8","shape":["4"],"data_offsets":[0,4]}}`, body4), `tensor "a": shape: json: offset 28: got string, want number`},
		{"nested shape", rawFile(`{"a":{"dtype":"I8","shape":[[4]],"data_offsets":[0,4]}}`, body4), `tensor "a": shape: json: offset 28: got array, want number`},
		{"offsets not an array", rawFile(`{"a":{"dtype":"I8","shape":[4],"data_offsets":4}}`, body4), `tensor "a": data_offsets: json: offset 46: got number, want array`},
		{"metadata nested", rawFile(`{"__metadata__":{"k":{"x":"1"}}}`, nil), `__metadata__: key "k": value is not a string`},
		{"key not a string", rawFile(`{1:2}`, nil), `header: json: offset 1: character '1' where an object key belongs`},
		{"bad escape in metadata", rawFile(`{"__metadata__":{"k":"\q"}}`, nil), `__metadata__: key "k": json: offset 23: invalid escape`},
		{"lone surrogate in name", rawFile(`{"\ud800":{}}`, nil), `header: json: offset 2: unpaired surrogate`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, err := Parse(tc.file)
			if err == nil {
				t.Fatalf("Parse = %+v, want error %q", f, tc.want)
			}
			if !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "safetensors: ") {
				t.Errorf("Parse error = %q, want it to contain %q", err, tc.want)
			}
		})
	}
}

// TestNotWeightFile: input that starts like HTML, text, JSON or a known
// binary format is named as such instead of reporting an absurd header
// length; a damaged weight file keeps the length message.
func TestNotWeightFile(t *testing.T) {
	for _, tc := range []struct {
		name string
		file string
		want string
	}{
		{"HTML", "<!DOCTYPE html>\n<html><body>404 Not Found</body></html>", `safetensors: this is not a weight file (it starts with "<!DOCTYPE html>")`},
		{"leading blank lines", "\r\n\n  <html lang=en>", `(it starts with "<html lang=en>")`},
		{"JSON", `{"format": "layers-model", "generatedBy": "keras v2.4.0", "weightsManifest": []}`, `(it starts with "{\"format\": \"layers-model\", \"gene")`},
		{"short text", "<html>", `safetensors: this is not a weight file (it starts with "<html>")`},
		{"UTF-8 text", "Grüße, «weights» aren't here\tbut", `(it starts with "Grüße, «weights» aren't here")`},
		{"cut inside a rune", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa€€", `(it starts with "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")`},
		{"PNG", "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", `this is not a weight file (it starts with "\x89PNG\r\n\x1a\n", like a PNG image)`},
		{"JPEG", "\xff\xd8\xff\xe0\x00\x10JFIF", `like a JPEG image`},
		{"gzip", "\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03", `like gzip-compressed data`},
		// A gzip stream without a timestamp reads as a 559,903-byte header.
		{"long gzip", "\x1f\x8b\x08\x00\x00\x00\x00\x00" + strings.Repeat("\xff", 559903), `like gzip-compressed data`},
		{"control bytes", "\x01\x02\x03", "file is 3 bytes, shorter than the 8-byte header length"},
		{"binary length", "\x00\x00\x00\x00\x00\x00\x01\x00{}", "header length 281474976710656 exceeds the limit"},
		{"truncated weight file", "\x10\x00\x00\x00\x00\x00\x00\x00{}", "header length 16 exceeds the 2 bytes after it"},
	} {
		_, err := Parse([]byte(tc.file))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: Parse error = %v, want it to contain %s", tc.name, err, tc.want)
		}
	}
}

// TestParseAccepts covers valid files the writer does not produce: other
// tensor and key orders, whitespace, scalars, empty tensors, no metadata.
func TestParseAccepts(t *testing.T) {
	file := rawFile(`{ "b" : {"data_offsets":[4,6],"shape":[],"dtype":"F16"},
		"e":{"dtype":"F32","shape":[2,0],"data_offsets":[4,4]},
		"__metadata__":{"k":"v"},
		"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}  `+"\n", []byte{0, 0, 0x80, 0x3f, 0x00, 0xbc})
	f, err := Parse(file)
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Tensors) != 3 || f.Tensors[0].Name != "a" || f.Tensors[1].Name != "b" || f.Tensors[2].Name != "e" {
		t.Fatalf("tensors %+v, want a, b, e in name order", f.Tensors)
	}
	if v, _ := f.Tensors[0].Float32s(); len(v) != 1 || v[0] != 1 {
		t.Errorf("a = %v, want [1]", v)
	}
	if v, _ := f.Tensors[1].Float32s(); len(v) != 1 || v[0] != -1 {
		t.Errorf("b = %v, want [-1]", v)
	}
	if e := f.Tensors[2]; e.Elems() != 0 || len(e.Data) != 0 {
		t.Errorf("e = %+v, want empty", e)
	}
	if f.Metadata["k"] != "v" {
		t.Errorf("metadata = %v", f.Metadata)
	}
	if f, err := Parse(rawFile(`{}`, nil)); err != nil || len(f.Tensors) != 0 || f.Metadata == nil {
		t.Errorf("Parse({}) = %+v, %v; want no tensors, empty metadata", f, err)
	}
}

// TestParseDoesNotAlias checks that appending to a parsed tensor's Data
// cannot overwrite the next tensor.
func TestParseDoesNotAlias(t *testing.T) {
	b := encode(t, []Tensor{NewI8("a", []int{2}, []int8{1, 2}), NewI8("b", []int{2}, []int8{3, 4})}, nil)
	f, err := Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	_ = append(f.Tensors[0].Data, 99)
	if !bytes.Equal(f.Tensors[1].Data, []byte{3, 4}) {
		t.Errorf("b = %v after appending to a", f.Tensors[1].Data)
	}
}
