package onnx

import "strconv"

// Model is an ONNX ModelProto: the subset of onnx.proto
// (https://github.com/onnx/onnx/blob/main/onnx/onnx.proto) featuremap reads
// and writes. Fields of onnx.proto not listed here are skipped when
// decoding and not written when encoding. A decoded Model's byte slices
// (Tensor.RawData) alias the decoded input.
type Model struct {
	IRVersion       int64         // ir_version = 1
	ProducerName    string        // producer_name = 2
	ProducerVersion string        // producer_version = 3
	Graph           *Graph        // graph = 7; nil when absent
	OpsetImports    []OpsetID     // opset_import = 8
	Metadata        []StringEntry // metadata_props = 14
}

// OpsetID is an OperatorSetIdProto: the version of an operator set the
// model's nodes bind to ("" is the default domain "ai.onnx").
type OpsetID struct {
	Domain  string // domain = 1
	Version int64  // version = 2
}

// StringEntry is a StringStringEntryProto, a key-value pair.
type StringEntry struct {
	Key   string // key = 1
	Value string // value = 2
}

// Graph is a GraphProto: nodes in topological order, the constant tensors
// (initializers) and the typed graph inputs and outputs.
type Graph struct {
	Nodes        []Node      // node = 1
	Name         string      // name = 2
	Initializers []Tensor    // initializer = 5
	Inputs       []ValueInfo // input = 11
	Outputs      []ValueInfo // output = 12
	ValueInfo    []ValueInfo // value_info = 13
}

// Node is a NodeProto: one operator applied to named values.
type Node struct {
	Inputs     []string    // input = 1; "" marks an omitted optional input
	Outputs    []string    // output = 2
	Name       string      // name = 3
	OpType     string      // op_type = 4
	Attributes []Attribute // attribute = 5
	Domain     string      // domain = 7
}

// Attribute returns the node's attribute called name, or nil.
func (n *Node) Attribute(name string) *Attribute {
	for i := range n.Attributes {
		if n.Attributes[i].Name == name {
			return &n.Attributes[i]
		}
	}
	return nil
}

// AttributeType is AttributeProto.AttributeType: which value field holds
// the attribute's value.
type AttributeType int32

// The attribute types (graph, sparse tensor and type-proto values are not
// decoded: an attribute of those types has no value here).
const (
	AttrUndefined     AttributeType = 0
	AttrFloat         AttributeType = 1
	AttrInt           AttributeType = 2
	AttrString        AttributeType = 3
	AttrTensor        AttributeType = 4
	AttrGraph         AttributeType = 5
	AttrFloats        AttributeType = 6
	AttrInts          AttributeType = 7
	AttrStrings       AttributeType = 8
	AttrTensors       AttributeType = 9
	AttrGraphs        AttributeType = 10
	AttrSparseTensor  AttributeType = 11
	AttrSparseTensors AttributeType = 12
	AttrTypeProto     AttributeType = 13
	AttrTypeProtos    AttributeType = 14
)

var attributeTypeNames = [...]string{"UNDEFINED", "FLOAT", "INT", "STRING", "TENSOR", "GRAPH",
	"FLOATS", "INTS", "STRINGS", "TENSORS", "GRAPHS", "SPARSE_TENSOR", "SPARSE_TENSORS",
	"TYPE_PROTO", "TYPE_PROTOS"}

// String returns the type's name in onnx.proto ("INTS").
func (t AttributeType) String() string {
	if t >= 0 && int(t) < len(attributeTypeNames) {
		return attributeTypeNames[t]
	}
	return "AttributeType(" + strconv.Itoa(int(t)) + ")"
}

// Attribute is an AttributeProto. Type says which value field is meant;
// the others are zero in a well-formed file.
type Attribute struct {
	Name    string        // name = 1
	Type    AttributeType // type = 20
	F       float32       // f = 2
	I       int64         // i = 3
	S       string        // s = 4 (bytes, UTF-8 by convention)
	T       *Tensor       // t = 5
	Floats  []float32     // floats = 7
	Ints    []int64       // ints = 8
	Strings []string      // strings = 9
}

// DataType is TensorProto.DataType, a tensor's element type.
type DataType int32

// The element types (numbering of onnx.proto; the ones featuremap can read
// as numbers are FLOAT, FLOAT16, DOUBLE, INT32 and INT64).
const (
	Undefined  DataType = 0
	Float      DataType = 1
	Uint8      DataType = 2
	Int8       DataType = 3
	Uint16     DataType = 4
	Int16      DataType = 5
	Int32      DataType = 6
	Int64      DataType = 7
	String     DataType = 8
	Bool       DataType = 9
	Float16    DataType = 10
	Double     DataType = 11
	Uint32     DataType = 12
	Uint64     DataType = 13
	Complex64  DataType = 14
	Complex128 DataType = 15
	BFloat16   DataType = 16
)

var dataTypeNames = [...]string{"UNDEFINED", "FLOAT", "UINT8", "INT8", "UINT16", "INT16",
	"INT32", "INT64", "STRING", "BOOL", "FLOAT16", "DOUBLE", "UINT32", "UINT64",
	"COMPLEX64", "COMPLEX128", "BFLOAT16"}

// String returns the type's name in onnx.proto ("FLOAT").
func (t DataType) String() string {
	if t >= 0 && int(t) < len(dataTypeNames) {
		return dataTypeNames[t]
	}
	return "DataType(" + strconv.Itoa(int(t)) + ")"
}

// rawSize is the number of bytes per element of t in raw_data, 0 when t
// has no fixed-size little-endian layout featuremap knows.
func (t DataType) rawSize() int {
	switch t {
	case Uint8, Int8, Bool:
		return 1
	case Uint16, Int16, Float16, BFloat16:
		return 2
	case Float, Int32, Uint32:
		return 4
	case Int64, Double, Uint64, Complex64:
		return 8
	case Complex128:
		return 16
	}
	return 0
}

// Tensor is a TensorProto: a constant (an initializer, or a Constant
// node's value). Its values are in RawData (little-endian, row-major) or in
// one typed field, as DataType prescribes; the accessors Float32s and
// Int64s decode either. Tensors stored outside the file (data_location
// EXTERNAL) and segmented tensors are rejected when decoding.
type Tensor struct {
	Dims       []int64   // dims = 1
	DataType   DataType  // data_type = 2
	FloatData  []float32 // float_data = 4 (FLOAT)
	Int32Data  []int32   // int32_data = 5 (INT32, and FLOAT16's bits)
	Int64Data  []int64   // int64_data = 7 (INT64)
	Name       string    // name = 8
	RawData    []byte    // raw_data = 9
	DoubleData []float64 // double_data = 10 (DOUBLE)
}

// ValueInfo is a ValueInfoProto: a named value's type. Tensor is nil when
// the type is absent or not a tensor type (sequence, map, ...).
type ValueInfo struct {
	Name   string      // name = 1
	Tensor *TensorType // type = 2, its tensor_type = 1
}

// TensorType is TypeProto.Tensor: element type and shape. HasShape tells
// an absent shape (rank unknown) from a present one with no dims (a scalar).
type TensorType struct {
	ElemType DataType // elem_type = 1
	HasShape bool     // shape = 2 present
	Shape    []Dim    // shape.dim = 1
}

// Dim is TensorShapeProto.Dimension: a size (dim_value), a symbolic name
// (dim_param, such as "batch_size"), or neither (unknown).
type Dim struct {
	Value    int64  // dim_value = 1, when HasValue
	HasValue bool   //
	Param    string // dim_param = 2
}
