package safetensors

import (
	"cmp"
	"errors"
	"math"
	"strconv"
	"unicode/utf8"

	"github.com/featuremap/featuremap/internal/msg"
	"github.com/featuremap/featuremap/internal/order"
	"github.com/featuremap/featuremap/internal/tinyjson"
)

// MaxHeaderLen is the largest JSON header Parse accepts, in bytes. A
// featuremap header (architecture, labels, a few dozen tensors) is a few KiB.
const MaxHeaderLen = 16 << 20

// maxDim bounds each dimension, so that a shape with a zero dimension cannot
// carry absurd sizes in its other dimensions.
const maxDim = math.MaxInt32

// headerLimits bound the JSON reader: the header is an object (depth 1) of
// tensor records (depth 2) holding shape and offset arrays (depth 3). Values
// are bounded by the header's length; the reader keeps no tree, so memory
// stays proportional to the number of tensors.
var headerLimits = tinyjson.Limits{MaxBytes: MaxHeaderLen, MaxDepth: 3, MaxValues: MaxHeaderLen}

// Parse decodes a safetensors file held in data. The returned tensors'
// Data slices alias data.
func Parse(data []byte) (*File, error) {
	if msg := checkFraming(data); msg != "" {
		// Input that starts like another format (an HTML error page
		// served instead, an image) is named as such rather than
		// reported as a damaged weight file.
		if what := notWeightFile(data); what != "" {
			msg = what
		}
		return nil, errors.New("safetensors: " + msg)
	}
	n := le64(data)
	header, body := data[8:8+n], data[8+n:]

	f := &File{Metadata: map[string]string{}}
	// Both sorts below are of spans, so the binary holds one instantiation
	// of the generic sort, not two (each is about 20 KB of WebAssembly).
	type span struct {
		t          Tensor
		begin, end uint64
	}
	var spans []span
	seen := map[string]bool{}
	dec := tinyjson.NewDecoder(header, headerLimits)
	err := dec.Object(func(name string) error {
		if seen[name] {
			return errors.New("safetensors: header: duplicate key " + msg.Quote(name))
		}
		seen[name] = true
		if name == metadataKey {
			return parseMetadata(dec, f.Metadata)
		}
		if err := checkName(name); err != nil {
			return err
		}
		t, begin, end, err := parseEntry(dec, name, uint64(len(body)))
		if err != nil {
			return err
		}
		spans = append(spans, span{t, begin, end})
		return nil
	})
	if _, ok := err.(*tinyjson.Error); ok { // the reader's own error, not one of the callbacks'
		return nil, errors.New("safetensors: header: " + err.Error())
	} else if err != nil {
		return nil, err
	}
	if rest := header[dec.Offset():]; len(trimSpace(rest)) != 0 {
		return nil, errors.New("safetensors: header: " + strconv.Itoa(len(rest)) + " unexpected bytes after the JSON object")
	}

	// The tensors must tile the data section: sorted by offset, each begins
	// where the previous one ended and the last ends at the end of the file.
	// Both sorts order indices (package order), not the spans themselves:
	// a sort for spans would be another 20 KB of WebAssembly.
	idx := make([]int, len(spans))
	for i := range idx {
		idx[i] = i
	}
	order.Stable(idx, func(i, j int) int {
		a, b := &spans[i], &spans[j]
		return cmp.Or(cmp.Compare(a.begin, b.begin), cmp.Compare(a.end, b.end), cmp.Compare(a.t.Name, b.t.Name))
	})
	var pos uint64
	prev := ""
	for _, i := range idx {
		s := &spans[i]
		switch {
		case s.begin < pos:
			return nil, tensorError(s.t.Name, "data_offsets "+offsets(s.begin, s.end)+" overlap tensor "+msg.Quote(prev)+", which ends at "+utoa(pos))
		case s.begin > pos:
			return nil, tensorError(s.t.Name, "data_offsets "+offsets(s.begin, s.end)+" leave bytes ["+utoa(pos)+", "+utoa(s.begin)+") of the data section unused")
		}
		pos, prev = s.end, s.t.Name
	}
	if pos != uint64(len(body)) {
		return nil, errors.New("safetensors: tensors cover " + utoa(pos) + " bytes of the " + strconv.Itoa(len(body)) + "-byte data section")
	}
	order.Stable(idx, func(i, j int) int { return cmp.Compare(spans[i].t.Name, spans[j].t.Name) })
	f.Tensors = make([]Tensor, len(spans))
	for k, i := range idx {
		s := &spans[i]
		f.Tensors[k] = s.t
		f.Tensors[k].Data = body[s.begin:s.end:s.end]
	}
	return f, nil
}

// checkFraming checks the header length and the header's first byte and
// encoding, returning what is wrong or "".
func checkFraming(data []byte) string {
	if len(data) < 8 {
		return "file is " + strconv.Itoa(len(data)) + " bytes, shorter than the 8-byte header length"
	}
	n := le64(data)
	switch {
	case n > MaxHeaderLen:
		return "header length " + utoa(n) + " exceeds the limit of " + strconv.Itoa(MaxHeaderLen) + " bytes"
	case n > uint64(len(data)-8):
		return "header length " + utoa(n) + " exceeds the " + strconv.Itoa(len(data)-8) + " bytes after it (file truncated?)"
	}
	header := data[8 : 8+n]
	if !utf8.Valid(header) {
		return "header is not valid UTF-8"
	}
	if len(header) == 0 || header[0] != '{' {
		return "header does not start with '{'"
	}
	return ""
}

// parseEntry reads and checks one tensor record, {"dtype": "I8", "shape":
// [..], "data_offsets": [begin, end]} with no other fields; bodyLen is the
// length of the data section. The returned tensor has no Data yet.
func parseEntry(dec *tinyjson.Decoder, name string, bodyLen uint64) (t Tensor, begin, end uint64, err error) {
	var (
		dtype                       string
		dims, off                   []uint64
		rank, nOff                  int
		hasDType, hasShape, hasOffs bool
	)
	err = dec.Object(func(key string) error {
		var err error
		switch {
		case key == "dtype" && !hasDType:
			hasDType = true
			dtype, err = dec.ReadString()
		case key == "shape" && !hasShape:
			hasShape = true
			err = readUints(dec, &dims, &rank, MaxRank)
		case key == "data_offsets" && !hasOffs:
			hasOffs = true
			err = readUints(dec, &off, &nOff, 2)
		case key == "dtype" || key == "shape" || key == "data_offsets":
			return tensorError(name, "duplicate field "+msg.Quote(key))
		default:
			return tensorError(name, "unknown field "+msg.Quote(key)+", want dtype, shape and data_offsets")
		}
		if err != nil {
			return tensorError(name, key+": "+err.Error())
		}
		return nil
	})
	if _, ok := err.(*tinyjson.Error); ok {
		return t, 0, 0, tensorError(name, err.Error())
	} else if err != nil {
		return t, 0, 0, err
	}
	switch {
	case !hasDType:
		return t, 0, 0, tensorError(name, "missing dtype")
	case !hasShape:
		return t, 0, 0, tensorError(name, "missing shape")
	case !hasOffs:
		return t, 0, 0, tensorError(name, "missing data_offsets")
	}
	d, ok := parseDType(dtype)
	if !ok {
		return t, 0, 0, tensorError(name, "dtype "+msg.Quote(dtype)+", want F32, F16 or I8")
	}
	if rank > MaxRank {
		return t, 0, 0, tensorError(name, "rank "+strconv.Itoa(rank)+", at most "+strconv.Itoa(MaxRank)+" supported")
	}
	shape := make([]int, len(dims))
	for i, s := range dims {
		if s > maxDim {
			return t, 0, 0, tensorError(name, "shape "+msg.Uint64s(dims)+": dimension "+utoa(s)+" exceeds "+strconv.Itoa(maxDim))
		}
		shape[i] = int(s)
	}
	if nOff != 2 {
		return t, 0, 0, tensorError(name, "data_offsets has "+strconv.Itoa(nOff)+" numbers, want [begin, end]")
	}
	begin, end = off[0], off[1]
	if begin > end || end > bodyLen {
		return t, 0, 0, tensorError(name, "data_offsets "+offsets(begin, end)+" outside the "+utoa(bodyLen)+"-byte data section")
	}
	need, err := byteLen(name, shape, d)
	if err != nil {
		return t, 0, 0, err
	}
	if need != end-begin {
		return t, 0, 0, tensorError(name, "data_offsets "+offsets(begin, end)+" hold "+utoa(end-begin)+" bytes, shape "+msg.Ints(shape)+" × "+d.String()+" needs "+utoa(need))
	}
	return Tensor{Name: name, DType: d, Shape: shape}, begin, end, nil
}

// readUints reads an array of unsigned integers, keeping the first keep of
// them in *dst and counting all of them in *n (so that an error can give
// the full length without storing it).
func readUints(dec *tinyjson.Decoder, dst *[]uint64, n *int, keep int) error {
	*dst = []uint64{}
	return dec.Array(func() error {
		lit, err := dec.ReadNumber()
		if err != nil {
			return err
		}
		v, err := lit.Uint64()
		if err != nil {
			return err
		}
		if *n++; *n <= keep {
			*dst = append(*dst, v)
		}
		return nil
	})
}

// parseMetadata reads the __metadata__ object, whose values must be
// strings and whose keys must be unique, into m.
func parseMetadata(dec *tinyjson.Decoder, m map[string]string) error {
	const field = "safetensors: " + metadataKey + ": "
	if k, err := dec.Peek(); err != nil {
		return errors.New(field + err.Error())
	} else if k != tinyjson.Object {
		return errors.New(field + "got " + k.String() + ", want an object of strings")
	}
	err := dec.Object(func(key string) error {
		if _, dup := m[key]; dup {
			return errors.New(field + "duplicate key " + msg.Quote(key))
		}
		if k, err := dec.Peek(); err != nil {
			return errors.New(field + "key " + msg.Quote(key) + ": " + err.Error())
		} else if k != tinyjson.String {
			return errors.New(field + "key " + msg.Quote(key) + ": value is not a string")
		}
		v, err := dec.ReadString()
		if err != nil {
			return errors.New(field + "key " + msg.Quote(key) + ": " + err.Error())
		}
		m[key] = v
		return nil
	})
	if _, ok := err.(*tinyjson.Error); ok {
		return errors.New(field + err.Error())
	}
	return err
}

// notWeightFile describes data that cannot be a safetensors file because it
// starts like something else, for the error of a header that does not fit:
// "this is not a weight file (it starts with "<!DOCTYPE html>")".
// It returns "" for data that does not look like text or a known format.
// The quoted prefix is escaped (msg.Quote), so it is safe to print anywhere.
func notWeightFile(data []byte) string {
	for _, m := range magics {
		if len(data) >= len(m.prefix) && string(data[:len(m.prefix)]) == m.prefix {
			return "this is not a weight file (it starts with " + msg.Quote(m.prefix) + ", like " + m.what + ")"
		}
	}
	head := data[:min(len(data), 8)]
	for len(head) > 0 {
		r, size := utf8.DecodeRune(head)
		if r == utf8.RuneError && size == 1 && utf8.FullRune(head) || r < 0x20 && r != '\t' && r != '\n' && r != '\r' || r == 0x7f {
			return ""
		}
		head = head[size:]
	}
	if len(data) == 0 {
		return ""
	}
	// Text: quote its first line, at most 32 bytes, cut at a rune boundary.
	text := trimSpace(data)
	for i, c := range text {
		if c == '\r' || c == '\n' {
			text = text[:i]
			break
		}
	}
	if len(text) > 32 {
		text = text[:32]
		for len(text) > 0 && !utf8.Valid(text) {
			text = text[:len(text)-1]
		}
	}
	return "this is not a weight file (it starts with " + msg.Quote(string(text)) + ")"
}

// trimSpace returns b without its leading JSON white space (RFC 8259 §2).
func trimSpace(b []byte) []byte {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t' || b[0] == '\r' || b[0] == '\n') {
		b = b[1:]
	}
	return b
}

// magics are the starts of binary formats a weight file is mistaken for.
var magics = []struct{ prefix, what string }{
	{"\x89PNG\r\n\x1a\n", "a PNG image"},
	{"\xff\xd8\xff", "a JPEG image"},
	{"GIF8", "a GIF image"},
	{"RIFF", "a RIFF file (WebP image, WAV audio)"},
	{"\x1f\x8b", "gzip-compressed data"},
	{"PK\x03\x04", "a zip archive"},
	{"\x00asm", "a WebAssembly module"},
}

// tensorError returns the error "safetensors: tensor "name": msg".
func tensorError(name, what string) error {
	return errors.New("safetensors: tensor " + msg.Quote(name) + ": " + what)
}

func utoa(n uint64) string { return strconv.FormatUint(n, 10) }

// offsets formats a data_offsets pair as "[begin, end]".
func offsets(begin, end uint64) string { return "[" + utoa(begin) + ", " + utoa(end) + "]" }
