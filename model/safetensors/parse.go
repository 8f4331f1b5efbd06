package safetensors

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"unicode/utf8"
)

// MaxHeaderLen is the largest JSON header Parse accepts, in bytes. A
// featuremap header (architecture, labels, a few dozen tensors) is a few KiB.
const MaxHeaderLen = 16 << 20

// maxDim bounds each dimension, so that a shape with a zero dimension cannot
// carry absurd sizes in its other dimensions.
const maxDim = math.MaxInt32

// entry is one tensor's header record. Pointers tell absent fields from zero
// ones.
type entry struct {
	DType       *string   `json:"dtype"`
	Shape       *[]uint64 `json:"shape"`
	DataOffsets *[]uint64 `json:"data_offsets"`
}

// Parse decodes a safetensors file held in data. The returned tensors'
// Data slices alias data.
func Parse(data []byte) (*File, error) {
	if len(data) < 8 {
		return nil, fmt.Errorf("safetensors: file is %d bytes, shorter than the 8-byte header length", len(data))
	}
	n := binary.LittleEndian.Uint64(data)
	if n > MaxHeaderLen {
		return nil, fmt.Errorf("safetensors: header length %d exceeds the limit of %d bytes", n, MaxHeaderLen)
	}
	if n > uint64(len(data)-8) {
		return nil, fmt.Errorf("safetensors: header length %d exceeds the %d bytes after it (file truncated?)", n, len(data)-8)
	}
	header, body := data[8:8+n], data[8+n:]
	if !utf8.Valid(header) {
		return nil, fmt.Errorf("safetensors: header is not valid UTF-8")
	}
	if len(header) == 0 || header[0] != '{' {
		return nil, fmt.Errorf("safetensors: header does not start with '{'")
	}

	f := &File{Metadata: map[string]string{}}
	type span struct {
		name       string
		idx        int // into f.Tensors
		begin, end uint64
	}
	var spans []span
	seen := map[string]bool{}
	dec := json.NewDecoder(bytes.NewReader(header))
	dec.UseNumber()
	if _, err := dec.Token(); err != nil { // '{', checked above
		return nil, fmt.Errorf("safetensors: header: %v", err)
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, fmt.Errorf("safetensors: header: %v", err)
		}
		name, ok := tok.(string)
		if !ok {
			return nil, fmt.Errorf("safetensors: header: got %v, want a key", tok)
		}
		if seen[name] {
			return nil, fmt.Errorf("safetensors: header: duplicate key %q", name)
		}
		seen[name] = true
		if name == metadataKey {
			if err := parseMetadata(dec, f.Metadata); err != nil {
				return nil, err
			}
			continue
		}
		if err := checkName(name); err != nil {
			return nil, err
		}
		t, begin, end, err := parseEntry(dec, name, uint64(len(body)))
		if err != nil {
			return nil, err
		}
		spans = append(spans, span{name, len(f.Tensors), begin, end})
		f.Tensors = append(f.Tensors, t)
	}
	if _, err := dec.Token(); err != nil { // '}'
		return nil, fmt.Errorf("safetensors: header: %v", err)
	}
	if rest := header[dec.InputOffset():]; len(bytes.TrimLeft(rest, " \t\r\n")) != 0 {
		return nil, fmt.Errorf("safetensors: header: %d unexpected bytes after the JSON object", len(rest))
	}

	// The tensors must tile the data section: sorted by offset, each begins
	// where the previous one ended and the last ends at the end of the file.
	slices.SortFunc(spans, func(a, b span) int {
		return cmp.Or(cmp.Compare(a.begin, b.begin), cmp.Compare(a.end, b.end), cmp.Compare(a.name, b.name))
	})
	var pos uint64
	prev := ""
	for _, s := range spans {
		switch {
		case s.begin < pos:
			return nil, fmt.Errorf("safetensors: tensor %q: data_offsets [%d, %d] overlap tensor %q, which ends at %d", s.name, s.begin, s.end, prev, pos)
		case s.begin > pos:
			return nil, fmt.Errorf("safetensors: tensor %q: data_offsets [%d, %d] leave bytes [%d, %d) of the data section unused", s.name, s.begin, s.end, pos, s.begin)
		}
		pos, prev = s.end, s.name
	}
	if pos != uint64(len(body)) {
		return nil, fmt.Errorf("safetensors: tensors cover %d bytes of the %d-byte data section", pos, len(body))
	}
	for _, s := range spans {
		f.Tensors[s.idx].Data = body[s.begin:s.end:s.end]
	}
	slices.SortFunc(f.Tensors, func(a, b Tensor) int { return cmp.Compare(a.Name, b.Name) })
	return f, nil
}

// parseEntry decodes and checks one tensor record; bodyLen is the length of
// the data section. The returned tensor has no Data yet.
func parseEntry(dec *json.Decoder, name string, bodyLen uint64) (t Tensor, begin, end uint64, err error) {
	var raw json.RawMessage
	if err := dec.Decode(&raw); err != nil {
		return t, 0, 0, fmt.Errorf("safetensors: tensor %q: %v", name, err)
	}
	var e entry
	ed := json.NewDecoder(bytes.NewReader(raw))
	ed.DisallowUnknownFields()
	if err := ed.Decode(&e); err != nil {
		return t, 0, 0, fmt.Errorf("safetensors: tensor %q: %v", name, err)
	}
	switch {
	case e.DType == nil:
		return t, 0, 0, fmt.Errorf("safetensors: tensor %q: missing dtype", name)
	case e.Shape == nil:
		return t, 0, 0, fmt.Errorf("safetensors: tensor %q: missing shape", name)
	case e.DataOffsets == nil:
		return t, 0, 0, fmt.Errorf("safetensors: tensor %q: missing data_offsets", name)
	}
	d, ok := parseDType(*e.DType)
	if !ok {
		return t, 0, 0, fmt.Errorf("safetensors: tensor %q: dtype %q, want F32, F16 or I8", name, *e.DType)
	}
	if len(*e.Shape) > MaxRank {
		return t, 0, 0, fmt.Errorf("safetensors: tensor %q: rank %d, at most %d supported", name, len(*e.Shape), MaxRank)
	}
	shape := make([]int, len(*e.Shape))
	for i, s := range *e.Shape {
		if s > maxDim {
			return t, 0, 0, fmt.Errorf("safetensors: tensor %q: shape %v: dimension %d exceeds %d", name, *e.Shape, s, maxDim)
		}
		shape[i] = int(s)
	}
	off := *e.DataOffsets
	if len(off) != 2 {
		return t, 0, 0, fmt.Errorf("safetensors: tensor %q: data_offsets has %d numbers, want [begin, end]", name, len(off))
	}
	begin, end = off[0], off[1]
	if begin > end || end > bodyLen {
		return t, 0, 0, fmt.Errorf("safetensors: tensor %q: data_offsets [%d, %d] outside the %d-byte data section", name, begin, end, bodyLen)
	}
	need, err := byteLen(name, shape, d)
	if err != nil {
		return t, 0, 0, err
	}
	if need != end-begin {
		return t, 0, 0, fmt.Errorf("safetensors: tensor %q: data_offsets [%d, %d] hold %d bytes, shape %v × %v needs %d", name, begin, end, end-begin, shape, d, need)
	}
	return Tensor{Name: name, DType: d, Shape: shape}, begin, end, nil
}

// parseMetadata decodes the __metadata__ object, whose values must be
// strings and whose keys must be unique, into m.
func parseMetadata(dec *json.Decoder, m map[string]string) error {
	const field = "safetensors: " + metadataKey
	if tok, err := dec.Token(); err != nil {
		return fmt.Errorf("%s: %v", field, err)
	} else if tok != json.Delim('{') {
		return fmt.Errorf("%s: got %v, want an object of strings", field, tok)
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return fmt.Errorf("%s: %v", field, err)
		}
		key, ok := tok.(string)
		if !ok {
			return fmt.Errorf("%s: got %v, want a key", field, tok)
		}
		if _, dup := m[key]; dup {
			return fmt.Errorf("%s: duplicate key %q", field, key)
		}
		tok, err = dec.Token()
		if err != nil {
			return fmt.Errorf("%s: key %q: %v", field, key, err)
		}
		v, ok := tok.(string)
		if !ok {
			return fmt.Errorf("%s: key %q: value is not a string", field, key)
		}
		m[key] = v
	}
	if _, err := dec.Token(); err != nil { // '}'
		return fmt.Errorf("%s: %v", field, err)
	}
	return nil
}
