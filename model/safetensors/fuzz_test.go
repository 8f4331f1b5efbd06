package safetensors

import (
	"bytes"
	"encoding/binary"
	"math/rand/v2"
	"reflect"
	"testing"
)

// FuzzParse feeds arbitrary bytes to Parse: it must not panic, and whatever
// it accepts must re-encode to a file that parses to the same content. The
// seeds are real files and mutations of them; testdata/fuzz/FuzzParse keeps
// the corpus.
func FuzzParse(f *testing.F) {
	r := rand.New(rand.NewPCG(5, 6))
	for n := range 4 {
		b := encode(f, randomTensors(r, n+1), map[string]string{"arch": `{"name":"seednet"}`, "version": "1"})
		f.Add(b)
		f.Add(b[:len(b)-1])       // truncated data
		f.Add(b[:8+len(b[8:])/2]) // truncated header
		c := bytes.Clone(b)
		binary.LittleEndian.PutUint64(c, binary.LittleEndian.Uint64(c)+8) // header length past the header
		f.Add(c)
	}
	f.Add(rawFile(`{"a":{"dtype":"I8","shape":[2],"data_offsets":[0,2]},"b":{"dtype":"I8","shape":[2],"data_offsets":[1,3]}}`, []byte{1, 2, 3}))
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := Parse(data)
		if err != nil {
			return
		}
		for i := range file.Tensors {
			tn := &file.Tensors[i]
			var n int
			if tn.DType == I8 {
				v, err := tn.Int8s()
				if err != nil {
					t.Fatal(err)
				}
				n = len(v)
			} else {
				v, err := tn.Float32s()
				if err != nil {
					t.Fatal(err)
				}
				n = len(v)
			}
			if n != tn.Elems() {
				t.Fatalf("tensor %q: %d values decoded, shape %v", tn.Name, n, tn.Shape)
			}
		}
		var b bytes.Buffer
		if err := Encode(&b, file.Tensors, file.Metadata); err != nil {
			t.Fatalf("re-encoding an accepted file: %v", err)
		}
		again, err := Parse(b.Bytes())
		if err != nil {
			t.Fatalf("parsing the re-encoded file: %v", err)
		}
		if !reflect.DeepEqual(again.Metadata, file.Metadata) || len(again.Tensors) != len(file.Tensors) {
			t.Fatalf("round trip changed the file: %+v vs %+v", again, file)
		}
		for i := range file.Tensors {
			a, b := &file.Tensors[i], &again.Tensors[i]
			if a.Name != b.Name || a.DType != b.DType || !reflect.DeepEqual(a.Shape, b.Shape) || !bytes.Equal(a.Data, b.Data) {
				t.Fatalf("round trip changed tensor %q", a.Name)
			}
		}
	})
}
