package safetensors

import (
	"cmp"
	"errors"
	"io"
	"maps"
	"slices"
	"strconv"
	"unicode/utf8"

	"github.com/featuremap/featuremap/internal/msg"
	"github.com/featuremap/featuremap/internal/tinyjson"
)

// Encode writes tensors and metadata to w in the safetensors layout. The
// output depends only on the arguments' contents: like the reference
// implementation, tensor data is ordered by element size (largest first), then
// by name, so every tensor starts at a multiple of its element size; the
// header lists __metadata__ first (keys sorted, omitted when empty), then the
// tensors in data order, and is padded with spaces to a multiple of 8 bytes.
func Encode(w io.Writer, tensors []Tensor, metadata map[string]string) error {
	order := make([]*Tensor, len(tensors))
	seen := make(map[string]bool, len(tensors))
	for i := range tensors {
		t := &tensors[i]
		if err := checkName(t.Name); err != nil {
			return err
		}
		if seen[t.Name] {
			return errors.New("safetensors: duplicate tensor name " + msg.Quote(t.Name))
		}
		seen[t.Name] = true
		if t.DType.Size() == 0 {
			return tensorError(t.Name, "unknown dtype "+t.DType.String())
		}
		need, err := byteLen(t.Name, t.Shape, t.DType)
		if err != nil {
			return err
		}
		if need != uint64(len(t.Data)) {
			return tensorError(t.Name, "data has "+strconv.Itoa(len(t.Data))+" bytes, shape "+msg.Ints(t.Shape)+" × "+t.DType.String()+" needs "+utoa(need))
		}
		order[i] = t
	}
	slices.SortFunc(order, func(a, b *Tensor) int {
		return cmp.Or(cmp.Compare(b.DType.Size(), a.DType.Size()), cmp.Compare(a.Name, b.Name))
	})

	for k, v := range metadata {
		if !utf8.ValidString(k) || !utf8.ValidString(v) {
			return errors.New("safetensors: " + metadataKey + ": key " + msg.Quote(k) + ": key or value is not valid UTF-8")
		}
	}

	h := []byte{'{'}
	if len(metadata) > 0 {
		h = append(tinyjson.AppendString(h, metadataKey), ":{"...)
		for i, k := range slices.Sorted(maps.Keys(metadata)) {
			if i > 0 {
				h = append(h, ',')
			}
			h = append(tinyjson.AppendString(h, k), ':')
			h = tinyjson.AppendString(h, metadata[k])
		}
		h = append(h, '}')
	}
	var off int
	for i, t := range order {
		if i > 0 || len(metadata) > 0 {
			h = append(h, ',')
		}
		h = tinyjson.AppendString(h, t.Name)
		h = append(h, `:{"dtype":"`+t.DType.String()+`","shape":[`...)
		for j, d := range t.Shape {
			if j > 0 {
				h = append(h, ',')
			}
			h = strconv.AppendInt(h, int64(d), 10)
		}
		h = append(h, `],"data_offsets":[`+strconv.Itoa(off)+","+strconv.Itoa(off+len(t.Data))+"]}"...)
		off += len(t.Data)
	}
	h = append(h, '}')
	for len(h)%8 != 0 {
		h = append(h, ' ')
	}
	if len(h) > MaxHeaderLen {
		return errors.New("safetensors: header of " + strconv.Itoa(len(h)) + " bytes exceeds the limit of " + strconv.Itoa(MaxHeaderLen))
	}

	var n [8]byte
	putLE64(n[:], uint64(len(h)))
	if _, err := w.Write(n[:]); err != nil {
		return err
	}
	if _, err := w.Write(h); err != nil {
		return err
	}
	for _, t := range order {
		if _, err := w.Write(t.Data); err != nil {
			return err
		}
	}
	return nil
}
