package safetensors

import (
	"bytes"
	"encoding/binary"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
)

func encode(t testing.TB, ts []Tensor, md map[string]string) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := Encode(&b, ts, md); err != nil {
		t.Fatalf("Encode: %v", err)
	}
	return b.Bytes()
}

// rawFile assembles a file from a header string and a data section by hand,
// without the code under test.
func rawFile(header string, body []byte) []byte {
	b := binary.LittleEndian.AppendUint64(nil, uint64(len(header)))
	b = append(b, header...)
	return append(b, body...)
}

// TestEncodeGolden checks the exact bytes of a small file, built by hand.
func TestEncodeGolden(t *testing.T) {
	got := encode(t, []Tensor{
		NewI8("a", []int{3}, []int8{1, -1, 127}),
		NewF32("b", []int{2}, []float32{1, -2}),
		NewF16("c", []int{1, 1}, []float32{1}),
	}, map[string]string{"z": "2", "k": "v<&>"})
	header := `{"__metadata__":{"k":"v<&>","z":"2"},` +
		`"b":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},` +
		`"c":{"dtype":"F16","shape":[1,1],"data_offsets":[8,10]},` +
		`"a":{"dtype":"I8","shape":[3],"data_offsets":[10,13]}}`
	header += strings.Repeat(" ", (8-len(header)%8)%8)
	want := rawFile(header, []byte{
		0x00, 0x00, 0x80, 0x3f, 0x00, 0x00, 0x00, 0xc0, // 1.0, -2.0 as binary32
		0x00, 0x3c, // 1.0 as binary16
		0x01, 0xff, 0x7f, // 1, -1, 127
	})
	if !bytes.Equal(got, want) {
		t.Errorf("Encode:\n got %q\nwant %q", got, want)
	}
}

func randomTensors(r *rand.Rand, n int) []Tensor {
	var ts []Tensor
	for i := range n {
		shape := make([]int, r.IntN(4))
		elems := 1
		for j := range shape {
			shape[j] = r.IntN(4) + 1
			elems *= shape[j]
		}
		if r.IntN(8) == 0 && len(shape) > 0 {
			shape[0], elems = 0, 0 // empty tensor
		}
		name := string(rune('a'+i)) + ".weight"
		switch r.IntN(3) {
		case 0:
			v := make([]float32, elems)
			for k := range v {
				v[k] = float32(r.NormFloat64())
			}
			ts = append(ts, NewF32(name, shape, v))
		case 1:
			v := make([]float32, elems)
			for k := range v {
				v[k] = float32(r.IntN(2048)) / 64 // exact in binary16
			}
			ts = append(ts, NewF16(name, shape, v))
		default:
			v := make([]int8, elems)
			for k := range v {
				v[k] = int8(r.IntN(256) - 128)
			}
			ts = append(ts, NewI8(name, shape, v))
		}
	}
	return ts
}

// TestRoundTrip: Parse(Encode(x)) == x, Encode is deterministic and does
// not depend on the order of its input.
func TestRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for iter := range 50 {
		ts := randomTensors(r, iter%7)
		md := map[string]string{"arch": `{"layers":[]}`, "version": "1"}
		if iter%3 == 0 {
			md = nil
		}
		b := encode(t, ts, md)
		shuffled := append([]Tensor(nil), ts...)
		r.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
		if b2 := encode(t, shuffled, md); !bytes.Equal(b, b2) {
			t.Fatalf("iter %d: encoding depends on tensor order", iter)
		}
		f, err := Parse(b)
		if err != nil {
			t.Fatalf("iter %d: Parse: %v", iter, err)
		}
		if len(f.Metadata) != len(md) {
			t.Errorf("iter %d: metadata %v, want %v", iter, f.Metadata, md)
		}
		for k, v := range md {
			if f.Metadata[k] != v {
				t.Errorf("iter %d: metadata[%q] = %q, want %q", iter, k, f.Metadata[k], v)
			}
		}
		if len(f.Tensors) != len(ts) {
			t.Fatalf("iter %d: %d tensors, want %d", iter, len(f.Tensors), len(ts))
		}
		for _, w := range ts {
			g, ok := f.Tensor(w.Name)
			if !ok {
				t.Fatalf("iter %d: tensor %q missing", iter, w.Name)
			}
			if g.DType != w.DType || !reflect.DeepEqual(g.Shape, w.Shape) || !bytes.Equal(g.Data, w.Data) {
				t.Errorf("iter %d: tensor %q = %v %v, want %v %v", iter, w.Name, g.DType, g.Shape, w.DType, w.Shape)
			}
			if off := offsetIn(b, g.Data); off%g.DType.Size() != 0 {
				t.Errorf("iter %d: tensor %q at file offset %d, not aligned to %d", iter, w.Name, off, g.DType.Size())
			}
		}
		if _, ok := f.Tensor("missing"); ok {
			t.Errorf("Tensor(missing) found")
		}
	}
}

// offsetIn returns the offset of sub within b (sub aliases b).
func offsetIn(b, sub []byte) int {
	if len(sub) == 0 {
		return 0
	}
	for i := range b {
		if &b[i] == &sub[0] {
			return i
		}
	}
	return -1
}

func TestAccessors(t *testing.T) {
	f32 := NewF32("w", []int{2, 2}, []float32{1.5, -2, 0, 3e-8})
	if got, err := f32.Float32s(); err != nil || !reflect.DeepEqual(got, []float32{1.5, -2, 0, 3e-8}) {
		t.Errorf("F32 Float32s = %v, %v", got, err)
	}
	f16 := Tensor{Name: "h", DType: F16, Shape: []int{3}, Data: []byte{0x00, 0x3c, 0x00, 0xc0, 0xff, 0x7b}}
	if got, err := f16.Float32s(); err != nil || !reflect.DeepEqual(got, []float32{1, -2, 65504}) {
		t.Errorf("F16 Float32s = %v, %v", got, err)
	}
	i8 := Tensor{Name: "q", DType: I8, Shape: []int{3}, Data: []byte{0x80, 0xff, 0x7f}}
	if got, err := i8.Int8s(); err != nil || !reflect.DeepEqual(got, []int8{-128, -1, 127}) {
		t.Errorf("I8 Int8s = %v, %v", got, err)
	}
	if _, err := i8.Float32s(); err == nil || !strings.Contains(err.Error(), `tensor "q": dtype I8`) {
		t.Errorf("I8 Float32s error = %v", err)
	}
	if _, err := f32.Int8s(); err == nil || !strings.Contains(err.Error(), `tensor "w": dtype F32`) {
		t.Errorf("F32 Int8s error = %v", err)
	}
	if n := (&Tensor{Shape: []int{2, 3, 4}}).Elems(); n != 24 {
		t.Errorf("Elems = %d, want 24", n)
	}
	if n := (&Tensor{}).Elems(); n != 1 {
		t.Errorf("scalar Elems = %d, want 1", n)
	}
}

func TestEncodeErrors(t *testing.T) {
	for _, tc := range []struct {
		ts   []Tensor
		md   map[string]string
		want string
	}{
		{[]Tensor{NewF32("", nil, []float32{1})}, nil, "empty tensor name"},
		{[]Tensor{NewF32("__metadata__", nil, []float32{1})}, nil, "reserved"},
		{[]Tensor{NewF32("x\xff", nil, []float32{1})}, nil, "not valid UTF-8"},
		{[]Tensor{NewF32("a", []int{2}, []float32{1})}, nil, `tensor "a": data has 4 bytes, shape [2] × F32 needs 8`},
		{[]Tensor{NewF32("a", []int{-1}, nil)}, nil, `tensor "a": negative dimension`},
		{[]Tensor{NewF32("a", []int{0, -1}, nil)}, nil, `tensor "a": negative dimension`},
		{[]Tensor{NewF32("a", []int{1, 1, 1, 1, 1, 1, 1, 1, 1}, []float32{1})}, nil, `tensor "a": rank 9`},
		{[]Tensor{NewF32("a", nil, []float32{1}), NewF32("b", nil, []float32{1}), NewI8("a", nil, []int8{1})}, nil, `duplicate tensor name "a"`},
		{[]Tensor{{Name: "a", DType: 9}}, nil, `tensor "a": unknown dtype`},
		{nil, map[string]string{"k": "\xff"}, "not valid UTF-8"},
	} {
		err := Encode(&bytes.Buffer{}, tc.ts, tc.md)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Encode error = %v, want %q", err, tc.want)
		}
	}
}
