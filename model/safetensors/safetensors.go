// Package safetensors reads and writes the safetensors layout
// (https://github.com/huggingface/safetensors, "Format"):
//
//	8 bytes    N, the header length, a little-endian uint64
//	N bytes    a UTF-8 JSON object: {"<name>": {"dtype": "F32", "shape": [..],
//	           "data_offsets": [begin, end]}, ..., "__metadata__": {"<key>": "<value>"}}
//	rest       the data section: each tensor's raw little-endian, row-major bytes
//	           at [begin, end) relative to the start of the data section
//
// Only the dtypes a featuremap weight file uses are supported: F32, F16 and I8.
//
// Parse treats its input as hostile: every length and offset is checked
// against the input (with overflow-checked arithmetic) before anything is
// allocated from it or read through it, so a damaged file gives an error that
// names the tensor or field, never a panic or an allocation beyond a small
// multiple of the input's size. Like the reference implementation, Parse
// requires the tensors to cover the data section exactly, without gaps or
// overlaps, so the files it accepts are the files standard tooling accepts.
package safetensors

import (
	"errors"
	"math"
	"math/bits"
	"slices"
	"strconv"
	"unicode/utf8"
	"unsafe"

	"github.com/featuremap/featuremap/internal/msg"
)

// DType is a tensor element type.
type DType uint8

// The supported element types.
const (
	F32 DType = iota + 1 // IEEE 754 binary32
	F16                  // IEEE 754 binary16
	I8                   // two's complement int8
)

// String returns the dtype's name in a safetensors header ("F32", "F16", "I8").
func (d DType) String() string {
	switch d {
	case F32:
		return "F32"
	case F16:
		return "F16"
	case I8:
		return "I8"
	}
	return "DType(" + strconv.Itoa(int(d)) + ")"
}

// Size returns the number of bytes per element, 0 for an unknown dtype.
func (d DType) Size() int {
	switch d {
	case F32:
		return 4
	case F16:
		return 2
	case I8:
		return 1
	}
	return 0
}

// parseDType maps a header dtype name to a DType.
func parseDType(s string) (DType, bool) {
	for _, d := range []DType{F32, F16, I8} {
		if d.String() == s {
			return d, true
		}
	}
	return 0, false
}

// MaxRank is the largest number of dimensions a tensor may have.
const MaxRank = 8

// metadataKey is the reserved header key holding the string-to-string metadata.
const metadataKey = "__metadata__"

// Tensor is one named tensor. Data holds exactly Elems()*DType.Size() bytes,
// little-endian, row-major; in a parsed File it aliases the parsed input.
type Tensor struct {
	Name  string
	DType DType
	Shape []int
	Data  []byte
}

// Elems returns the number of elements, the product of Shape (1 for a scalar).
func (t *Tensor) Elems() int {
	n := 1
	for _, d := range t.Shape {
		n *= d
	}
	return n
}

// Float32s decodes an F32 or F16 tensor into a new slice.
func (t *Tensor) Float32s() ([]float32, error) {
	switch t.DType {
	case F32:
		out := make([]float32, len(t.Data)/4)
		for i := range out {
			out[i] = math.Float32frombits(le32(t.Data[4*i:]))
		}
		return out, nil
	case F16:
		out := make([]float32, len(t.Data)/2)
		for i := range out {
			out[i] = Float16ToFloat32(le16(t.Data[2*i:]))
		}
		return out, nil
	}
	return nil, tensorError(t.Name, "dtype "+t.DType.String()+", want F32 or F16")
}

// Int8s returns an I8 tensor's values in place: the slice aliases Data
// (for a parsed File, the parsed input), so nothing is copied.
func (t *Tensor) Int8s() ([]int8, error) {
	if t.DType != I8 {
		return nil, tensorError(t.Name, "dtype "+t.DType.String()+", want I8")
	}
	if len(t.Data) == 0 {
		return []int8{}, nil
	}
	return unsafe.Slice((*int8)(unsafe.Pointer(&t.Data[0])), len(t.Data)), nil
}

// NewF32 returns an F32 tensor holding v, which must have the shape's
// element count (Encode checks).
func NewF32(name string, shape []int, v []float32) Tensor {
	b := make([]byte, 4*len(v))
	for i, x := range v {
		putLE32(b[4*i:], math.Float32bits(x))
	}
	return Tensor{Name: name, DType: F32, Shape: shape, Data: b}
}

// NewF16 returns an F16 tensor holding v rounded to binary16 (Float32ToFloat16).
func NewF16(name string, shape []int, v []float32) Tensor {
	b := make([]byte, 2*len(v))
	for i, x := range v {
		putLE16(b[2*i:], Float32ToFloat16(x))
	}
	return Tensor{Name: name, DType: F16, Shape: shape, Data: b}
}

// NewI8 returns an I8 tensor holding v.
func NewI8(name string, shape []int, v []int8) Tensor {
	b := make([]byte, len(v))
	for i, x := range v {
		b[i] = byte(x)
	}
	return Tensor{Name: name, DType: I8, Shape: shape, Data: b}
}

// File is the content of a safetensors file.
type File struct {
	Metadata map[string]string // the header's __metadata__; empty if absent
	Tensors  []Tensor          // sorted by Name
}

// Tensor returns the tensor with the given name.
func (f *File) Tensor(name string) (*Tensor, bool) {
	lo, hi := 0, len(f.Tensors)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if f.Tensors[m].Name < name {
			lo = m + 1
		} else {
			hi = m
		}
	}
	if lo < len(f.Tensors) && f.Tensors[lo].Name == name {
		return &f.Tensors[lo], true
	}
	return nil, false
}

// checkName reports whether name can be a tensor name.
func checkName(name string) error {
	switch {
	case name == "":
		return errors.New("safetensors: empty tensor name")
	case name == metadataKey:
		return errors.New("safetensors: tensor name " + msg.Quote(name) + " is reserved")
	case !utf8.ValidString(name):
		return errors.New("safetensors: tensor name " + msg.Quote(name) + " is not valid UTF-8")
	}
	return nil
}

// byteLen returns product(shape) × size, or an error naming the tensor if
// the rank exceeds MaxRank, a dimension is negative or the product overflows
// a uint64.
func byteLen(name string, shape []int, d DType) (uint64, error) {
	if len(shape) > MaxRank {
		return 0, tensorError(name, "rank "+strconv.Itoa(len(shape))+", at most "+strconv.Itoa(MaxRank)+" supported")
	}
	if slices.ContainsFunc(shape, func(s int) bool { return s < 0 }) {
		return 0, tensorError(name, "negative dimension in shape "+msg.Ints(shape))
	}
	if slices.Contains(shape, 0) {
		return 0, nil
	}
	n := uint64(d.Size())
	for _, s := range shape {
		hi, lo := bits.Mul64(n, uint64(s))
		if hi != 0 {
			return 0, tensorError(name, "shape "+msg.Ints(shape)+" × "+d.String()+" overflows")
		}
		n = lo
	}
	return n, nil
}
