package onnx

import (
	"math"
	"strconv"

	"github.com/featuremap/featuremap/model/float16"
)

// Float32s returns the tensor's values as float32, row-major in Dims order.
// FLOAT, FLOAT16 and DOUBLE tensors and the integer types INT32 and INT64
// (shape tensors) are read from raw_data (little-endian) or from their typed
// field: float_data, int32_data (FLOAT16 keeps its bits there, one value
// per entry), double_data, int64_data. The number of values must equal
// the product of Dims (1 for a scalar).
func (t *Tensor) Float32s() ([]float32, error) {
	n, err := t.count()
	if err != nil {
		return nil, err
	}
	out := make([]float32, n)
	raw := t.RawData
	switch {
	case t.DataType == Float && raw != nil:
		for i := range out {
			out[i] = math.Float32frombits(le32(raw[4*i:]))
		}
	case t.DataType == Float:
		copy(out, t.FloatData)
	case t.DataType == Float16 && raw != nil:
		for i := range out {
			out[i] = float16.ToFloat32(le16(raw[2*i:]))
		}
	case t.DataType == Float16:
		for i, v := range t.Int32Data[:n] {
			out[i] = float16.ToFloat32(uint16(v))
		}
	case t.DataType == Double && raw != nil:
		for i := range out {
			out[i] = float32(math.Float64frombits(le64(raw[8*i:])))
		}
	case t.DataType == Double:
		for i, v := range t.DoubleData[:n] {
			out[i] = float32(v)
		}
	default:
		for i := range out {
			out[i] = float32(t.int64At(i))
		}
	}
	return out, nil
}

// Int64s returns the values of an INT64 or INT32 tensor (such as Reshape's
// shape), from raw_data or int64_data/int32_data; the number of values must
// equal the product of Dims.
func (t *Tensor) Int64s() ([]int64, error) {
	if t.DataType != Int64 && t.DataType != Int32 {
		return nil, t.errorf("data_type " + t.DataType.String() + ", want INT64 or INT32")
	}
	n, err := t.count()
	if err != nil {
		return nil, err
	}
	out := make([]int64, n)
	for i := range out {
		out[i] = t.int64At(i)
	}
	return out, nil
}

// int64At returns element i of an INT64 or INT32 tensor that count accepted.
func (t *Tensor) int64At(i int) int64 {
	switch {
	case t.DataType == Int64 && t.RawData != nil:
		return int64(le64(t.RawData[8*i:]))
	case t.DataType == Int64:
		return t.Int64Data[i]
	case t.RawData != nil:
		return int64(int32(le32(t.RawData[4*i:])))
	}
	return int64(t.Int32Data[i])
}

// count checks that the tensor has a supported numeric type and exactly
// the number of values its dims declare, in raw_data or in the typed field
// its type uses (and no other), and returns that number. A decoded
// RawData is never nil when the file had raw_data, even an empty one.
func (t *Tensor) count() (int, error) {
	var field string // the typed field the data type uses
	var n int        // the number of values in it
	switch t.DataType {
	case Float:
		field, n = "float_data", len(t.FloatData)
	case Float16, Int32:
		field, n = "int32_data", len(t.Int32Data)
	case Double:
		field, n = "double_data", len(t.DoubleData)
	case Int64:
		field, n = "int64_data", len(t.Int64Data)
	default:
		return 0, t.errorf("data_type " + t.DataType.String() + " cannot be read as numbers (want FLOAT, FLOAT16, DOUBLE, INT32 or INT64)")
	}
	others := len(t.FloatData) + len(t.Int32Data) + len(t.Int64Data) + len(t.DoubleData) - n
	if t.RawData != nil {
		size := t.DataType.rawSize()
		if len(t.RawData)%size != 0 {
			return 0, t.errorf("raw_data has " + strconv.Itoa(len(t.RawData)) + " bytes, not a multiple of " + strconv.Itoa(size) + " (" + t.DataType.String() + ")")
		}
		others += n
		field, n = "raw_data", len(t.RawData)/size
	}
	if others != 0 {
		return 0, t.errorf("values in more than one field (" + field + " and others) for data_type " + t.DataType.String())
	}
	if want := dimsProduct(t.Dims); want != int64(n) {
		return 0, t.errorf(field + " holds " + strconv.Itoa(n) + " values, dims " + dimsString(t.Dims) + " want " + strconv.FormatInt(want, 10))
	}
	return n, nil
}

func (t *Tensor) errorf(msg string) error {
	return &decodeError{path: "tensor " + quote(t.Name), msg: msg}
}

func dimsString(dims []int64) string {
	s := "["
	for i, v := range dims {
		if i > 0 {
			s += " "
		}
		s += strconv.FormatInt(v, 10)
	}
	return s + "]"
}
