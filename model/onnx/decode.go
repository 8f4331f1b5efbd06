package onnx

import (
	"math"
	"slices"
	"strconv"
)

// Limits bounds what Decode accepts, so that a hostile file costs at most
// a small multiple of its own size in memory and is refused with an error
// naming the limit before anything larger is allocated. Every field must be
// set: start from DefaultLimits and change what needs changing.
type Limits struct {
	// MaxBytes is the largest input, in bytes (protobuf itself stops at
	// 2 GiB).
	MaxBytes int
	// MaxDepth bounds the nesting of messages and skipped groups.
	// featuremap's subset nests at most 6 deep (model, graph, value info,
	// type, tensor type, shape, dimension).
	MaxDepth int
	// MaxItems bounds the entries of any one repeated field: nodes or
	// initializers in the graph, inputs, outputs or attributes of a node,
	// values of a FLOATS, INTS or STRINGS attribute.
	MaxItems int
	// MaxRank bounds the dims of a tensor or a shape.
	MaxRank int
	// MaxElements bounds the tensor elements of the whole model: the values
	// stored in every tensor's typed fields and raw_data, counted before
	// they are allocated, and the element count its dims declare.
	MaxElements int64
}

// DefaultLimits are the limits Decode uses: enough for AlexNet's 61 M
// parameters (244 MB as float32) four times over.
var DefaultLimits = Limits{
	MaxBytes:    math.MaxInt32,
	MaxDepth:    32,
	MaxItems:    1 << 20,
	MaxRank:     16,
	MaxElements: 1 << 28,
}

// Decode decodes an ONNX model (a serialized ModelProto) with
// DefaultLimits.
func Decode(data []byte) (*Model, error) { return DefaultLimits.Decode(data) }

// Decode decodes an ONNX model (a serialized ModelProto) within l. It
// never panics: malformed input yields an error naming the path of the
// message and field at fault. Byte slices of the result alias data.
func (l Limits) Decode(data []byte) (*Model, error) {
	if len(data) > l.MaxBytes {
		return nil, newError("the model is " + strconv.Itoa(len(data)) + " bytes, over the limit of " + strconv.Itoa(l.MaxBytes))
	}
	d := &decoder{lim: l}
	m := new(Model)
	if err := d.sub(data, func(b []byte) error { return d.model(m, b) }); err != nil {
		return nil, err
	}
	return m, nil
}

// DecodeTensor decodes a serialized TensorProto, such as the input_0.pb
// and output_0.pb files of ONNX's backend test data, with DefaultLimits.
func DecodeTensor(data []byte) (*Tensor, error) { return DefaultLimits.DecodeTensor(data) }

// DecodeTensor decodes a serialized TensorProto within l.
func (l Limits) DecodeTensor(data []byte) (*Tensor, error) {
	if len(data) > l.MaxBytes {
		return nil, newError("the tensor is " + strconv.Itoa(len(data)) + " bytes, over the limit of " + strconv.Itoa(l.MaxBytes))
	}
	d := &decoder{lim: l}
	t := new(Tensor)
	if err := d.sub(data, func(b []byte) error { return d.tensor(t, b) }); err != nil {
		return nil, within(err, "tensor")
	}
	return t, nil
}

// decoder holds the limits and what has been spent of them.
type decoder struct {
	lim   Limits
	depth int
	elems int64 // tensor elements charged so far
}

func (d *decoder) enter() error {
	if d.depth >= d.lim.MaxDepth {
		return newError("messages nested deeper than " + strconv.Itoa(d.lim.MaxDepth))
	}
	d.depth++
	return nil
}

func (d *decoder) leave() { d.depth-- }

// sub decodes one nested message's bytes with dec, one level deeper.
func (d *decoder) sub(b []byte, dec func([]byte) error) error {
	if err := d.enter(); err != nil {
		return err
	}
	defer d.leave()
	return dec(b)
}

// budget says which limit a repeated field's entries count against.
type budget int

const (
	items    budget = iota // Limits.MaxItems per field
	rank                   // Limits.MaxRank per field
	elements               // Limits.MaxElements per model
)

// charge accounts for n more entries of a field that has have entries.
func (d *decoder) charge(kind budget, have, n int) error {
	switch kind {
	case items:
		if n > d.lim.MaxItems-have {
			return newError("more than " + strconv.Itoa(d.lim.MaxItems) + " entries (Limits.MaxItems)")
		}
	case rank:
		if n > d.lim.MaxRank-have {
			return newError("more than " + strconv.Itoa(d.lim.MaxRank) + " dims (Limits.MaxRank)")
		}
	case elements:
		if int64(n) > d.lim.MaxElements-d.elems {
			return newError("tensor data over the limit of " + strconv.FormatInt(d.lim.MaxElements, 10) + " elements in a model (Limits.MaxElements)")
		}
		d.elems += int64(n)
	}
	return nil
}

// want checks that f has wire type w.
func want(f field, w int, name string) error {
	if f.wire != w {
		return &decodeError{path: name, msg: "wire type " + wireName(f.wire) + ", want " + wireName(w)}
	}
	return nil
}

func str(f field, name string, s *string) error {
	if err := want(f, wireBytes, name); err != nil {
		return err
	}
	*s = string(f.data)
	return nil
}

func varint(f field, name string, v *uint64) error {
	if err := want(f, wireVarint, name); err != nil {
		return err
	}
	*v = f.v
	return nil
}

func int64Field(f field, name string, v *int64) error {
	var u uint64
	err := varint(f, name, &u)
	*v = int64(u)
	return err
}

// int32Field reads an int32 or enum field (negative values are sign
// extended to 10 bytes on the wire, so truncation recovers them).
func int32Field(f field, name string, v *int32) error {
	var u uint64
	err := varint(f, name, &u)
	*v = int32(u)
	return err
}

// strings appends one entry of a repeated string field.
func (d *decoder) strings(f field, name string, list *[]string) error {
	if err := d.charge(items, len(*list), 1); err != nil {
		return within(err, name)
	}
	var s string
	if err := str(f, name, &s); err != nil {
		return err
	}
	*list = append(*list, s)
	return nil
}

// messages decodes one entry of a repeated message field with dec and
// appends it; errors name the entry by index and by label (its name).
func messages[T any](d *decoder, f field, name string, list *[]T, dec func(*T, []byte) error, label func(*T) string) error {
	if err := want(f, wireBytes, name); err != nil {
		return err
	}
	if err := d.charge(items, len(*list), 1); err != nil {
		return within(err, name)
	}
	var v T
	if err := d.sub(f.data, func(b []byte) error { return dec(&v, b) }); err != nil {
		return within(err, element(name, len(*list), label(&v)))
	}
	*list = append(*list, v)
	return nil
}

// message decodes an optional message field into *p (allocated on first
// use; a repeated occurrence merges into it, as protobuf specifies).
func message[T any](d *decoder, f field, name string, p **T, dec func(*T, []byte) error) error {
	if err := want(f, wireBytes, name); err != nil {
		return err
	}
	if *p == nil {
		*p = new(T)
	}
	if err := d.sub(f.data, func(b []byte) error { return dec(*p, b) }); err != nil {
		return within(err, name)
	}
	return nil
}

// scalars appends the values of a repeated scalar field whose elements have
// wire type w: unpacked (f is one value) or packed (f is a length-delimited
// run of values, counted and charged before anything is allocated).
func scalars[T any](d *decoder, f field, name string, list *[]T, w int, kind budget, conv func(uint64) T) error {
	if f.wire == w {
		if err := d.charge(kind, len(*list), 1); err != nil {
			return within(err, name)
		}
		*list = append(*list, conv(f.v))
		return nil
	}
	if f.wire != wireBytes {
		return &decodeError{path: name, msg: "wire type " + wireName(f.wire) + ", want " + wireName(w) + " or packed"}
	}
	var n int
	switch w {
	case wireFixed32, wireFixed64:
		size := 4
		if w == wireFixed64 {
			size = 8
		}
		if len(f.data)%size != 0 {
			return &decodeError{path: name, msg: "packed length " + strconv.Itoa(len(f.data)) + " is not a multiple of " + strconv.Itoa(size)}
		}
		n = len(f.data) / size
	default:
		var err error
		if n, err = countVarints(f.data); err != nil {
			return within(err, name)
		}
	}
	if err := d.charge(kind, len(*list), n); err != nil {
		return within(err, name)
	}
	*list = slices.Grow(*list, n)
	for b := f.data; len(b) > 0; {
		var v uint64
		switch w {
		case wireFixed32:
			v, b = uint64(le32(b)), b[4:]
		case wireFixed64:
			v, b = le64(b), b[8:]
		default:
			var k int
			if v, k = consumeVarint(b); k <= 0 {
				return &decodeError{path: name, msg: varintErr(k) + " in a packed field"}
			}
			b = b[k:]
		}
		*list = append(*list, conv(v))
	}
	return nil
}

func asFloat32(v uint64) float32 { return math.Float32frombits(uint32(v)) }
func asFloat64(v uint64) float64 { return math.Float64frombits(v) }
func asInt64(v uint64) int64     { return int64(v) }
func asInt32(v uint64) int32     { return int32(v) }

func (d *decoder) model(m *Model, b []byte) error {
	for len(b) > 0 {
		f, err := d.next(&b)
		if err != nil {
			return err
		}
		switch f.num {
		case 1:
			err = int64Field(f, "ir_version", &m.IRVersion)
		case 2:
			err = str(f, "producer_name", &m.ProducerName)
		case 3:
			err = str(f, "producer_version", &m.ProducerVersion)
		case 7:
			err = message(d, f, "graph", &m.Graph, d.graph)
		case 8:
			err = messages(d, f, "opset_import", &m.OpsetImports, d.opsetID, func(o *OpsetID) string { return o.Domain })
		case 14:
			err = messages(d, f, "metadata_props", &m.Metadata, d.stringEntry, func(e *StringEntry) string { return e.Key })
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func (d *decoder) opsetID(o *OpsetID, b []byte) error {
	for len(b) > 0 {
		f, err := d.next(&b)
		if err != nil {
			return err
		}
		switch f.num {
		case 1:
			err = str(f, "domain", &o.Domain)
		case 2:
			err = int64Field(f, "version", &o.Version)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func (d *decoder) stringEntry(e *StringEntry, b []byte) error {
	for len(b) > 0 {
		f, err := d.next(&b)
		if err != nil {
			return err
		}
		switch f.num {
		case 1:
			err = str(f, "key", &e.Key)
		case 2:
			err = str(f, "value", &e.Value)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func tensorName(t *Tensor) string   { return t.Name }
func valueName(v *ValueInfo) string { return v.Name }

func (d *decoder) graph(g *Graph, b []byte) error {
	for len(b) > 0 {
		f, err := d.next(&b)
		if err != nil {
			return err
		}
		switch f.num {
		case 1:
			err = messages(d, f, "node", &g.Nodes, d.node, func(n *Node) string { return n.Name })
		case 2:
			err = str(f, "name", &g.Name)
		case 5:
			err = messages(d, f, "initializer", &g.Initializers, d.tensor, tensorName)
		case 11:
			err = messages(d, f, "input", &g.Inputs, d.valueInfo, valueName)
		case 12:
			err = messages(d, f, "output", &g.Outputs, d.valueInfo, valueName)
		case 13:
			err = messages(d, f, "value_info", &g.ValueInfo, d.valueInfo, valueName)
		case 15:
			err = newError("sparse_initializer: sparse tensors are not supported")
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func (d *decoder) node(n *Node, b []byte) error {
	for len(b) > 0 {
		f, err := d.next(&b)
		if err != nil {
			return err
		}
		switch f.num {
		case 1:
			err = d.strings(f, "input", &n.Inputs)
		case 2:
			err = d.strings(f, "output", &n.Outputs)
		case 3:
			err = str(f, "name", &n.Name)
		case 4:
			err = str(f, "op_type", &n.OpType)
		case 5:
			err = messages(d, f, "attribute", &n.Attributes, d.attribute, func(a *Attribute) string { return a.Name })
		case 7:
			err = str(f, "domain", &n.Domain)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func (d *decoder) attribute(a *Attribute, b []byte) error {
	for len(b) > 0 {
		f, err := d.next(&b)
		if err != nil {
			return err
		}
		switch f.num {
		case 1:
			err = str(f, "name", &a.Name)
		case 2:
			if err = want(f, wireFixed32, "f"); err == nil {
				a.F = asFloat32(f.v)
			}
		case 3:
			err = int64Field(f, "i", &a.I)
		case 4:
			err = str(f, "s", &a.S)
		case 5:
			err = message(d, f, "t", &a.T, d.tensor)
		case 7:
			err = scalars(d, f, "floats", &a.Floats, wireFixed32, items, asFloat32)
		case 8:
			err = scalars(d, f, "ints", &a.Ints, wireVarint, items, asInt64)
		case 9:
			err = d.strings(f, "strings", &a.Strings)
		case 20:
			var t int32
			err = int32Field(f, "type", &t)
			a.Type = AttributeType(t)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func (d *decoder) tensor(t *Tensor, b []byte) error {
	external := false
	for len(b) > 0 {
		f, err := d.next(&b)
		if err != nil {
			return err
		}
		switch f.num {
		case 1:
			err = scalars(d, f, "dims", &t.Dims, wireVarint, rank, asInt64)
		case 2:
			var v int32
			err = int32Field(f, "data_type", &v)
			t.DataType = DataType(v)
		case 3:
			err = newError("segment: segmented tensors are not supported")
		case 4:
			err = scalars(d, f, "float_data", &t.FloatData, wireFixed32, elements, asFloat32)
		case 5:
			err = scalars(d, f, "int32_data", &t.Int32Data, wireVarint, elements, asInt32)
		case 7:
			err = scalars(d, f, "int64_data", &t.Int64Data, wireVarint, elements, asInt64)
		case 8:
			err = str(f, "name", &t.Name)
		case 9:
			if err = want(f, wireBytes, "raw_data"); err == nil {
				t.RawData = f.data
			}
		case 10:
			err = scalars(d, f, "double_data", &t.DoubleData, wireFixed64, elements, asFloat64)
		case 13:
			external = true
		case 14:
			var loc uint64
			err = varint(f, "data_location", &loc)
			external = external || loc != 0
		}
		if err != nil {
			return err
		}
	}
	if external {
		return newError("data stored outside the .onnx file (external_data, data_location EXTERNAL) is not supported: save the model as one file (onnx.save_model(model, path, save_as_external_data=False))")
	}
	for i, v := range t.Dims {
		if v < 0 {
			return newError("dims[" + strconv.Itoa(i) + "] is " + strconv.FormatInt(v, 10) + ", want ≥ 0")
		}
	}
	if n := dimsProduct(t.Dims); n > d.lim.MaxElements {
		return newError("dims declare over " + strconv.FormatInt(d.lim.MaxElements, 10) + " elements (Limits.MaxElements)")
	}
	size := t.DataType.rawSize()
	if size == 0 {
		size = 1
	}
	return within(d.charge(elements, 0, len(t.RawData)/size), "raw_data")
}

// dimsProduct returns the number of elements dims describe, saturating at
// math.MaxInt64 (dims are non-negative).
func dimsProduct(dims []int64) int64 {
	n := int64(1)
	for _, v := range dims {
		if v == 0 {
			return 0
		}
		if n > math.MaxInt64/v {
			n = math.MaxInt64
		} else {
			n *= v
		}
	}
	return n
}

func (d *decoder) valueInfo(v *ValueInfo, b []byte) error {
	for len(b) > 0 {
		f, err := d.next(&b)
		if err != nil {
			return err
		}
		switch f.num {
		case 1:
			err = str(f, "name", &v.Name)
		case 2:
			if err = want(f, wireBytes, "type"); err == nil {
				err = within(d.sub(f.data, func(b []byte) error { return d.typeProto(v, b) }), "type")
			}
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// typeProto decodes a TypeProto, keeping only its tensor_type.
func (d *decoder) typeProto(v *ValueInfo, b []byte) error {
	for len(b) > 0 {
		f, err := d.next(&b)
		if err != nil {
			return err
		}
		if f.num == 1 {
			if err := message(d, f, "tensor_type", &v.Tensor, d.tensorType); err != nil {
				return err
			}
		}
	}
	return nil
}

func (d *decoder) tensorType(t *TensorType, b []byte) error {
	for len(b) > 0 {
		f, err := d.next(&b)
		if err != nil {
			return err
		}
		switch f.num {
		case 1:
			var v int32
			err = int32Field(f, "elem_type", &v)
			t.ElemType = DataType(v)
		case 2:
			if err = want(f, wireBytes, "shape"); err == nil {
				t.HasShape = true
				err = within(d.sub(f.data, func(b []byte) error { return d.shape(t, b) }), "shape")
			}
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func (d *decoder) shape(t *TensorType, b []byte) error {
	for len(b) > 0 {
		f, err := d.next(&b)
		if err != nil {
			return err
		}
		if f.num != 1 {
			continue
		}
		if err := want(f, wireBytes, "dim"); err != nil {
			return err
		}
		if err := d.charge(rank, len(t.Shape), 1); err != nil {
			return within(err, "dim")
		}
		var dim Dim
		if err := d.sub(f.data, func(b []byte) error { return d.dim(&dim, b) }); err != nil {
			return within(err, element("dim", len(t.Shape), ""))
		}
		t.Shape = append(t.Shape, dim)
	}
	return nil
}

// dim decodes a Dimension, whose dim_value and dim_param are a oneof: the
// last one present wins.
func (d *decoder) dim(m *Dim, b []byte) error {
	for len(b) > 0 {
		f, err := d.next(&b)
		if err != nil {
			return err
		}
		switch f.num {
		case 1:
			err = int64Field(f, "dim_value", &m.Value)
			m.HasValue, m.Param = true, ""
		case 2:
			err = str(f, "dim_param", &m.Param)
			m.HasValue, m.Value = false, 0
		}
		if err != nil {
			return err
		}
	}
	return nil
}
