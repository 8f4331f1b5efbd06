package onnx

import "math"

// Marshal encodes m as a serialized ModelProto. Zero-valued scalar fields
// are omitted, except an attribute's value field named by its Type (an INT
// attribute of 0 is written). Repeated numeric fields use the encoding the
// reference implementation writes for onnx.proto: TensorProto's data fields
// packed, dims and attribute floats and ints one key per value (proto2
// without [packed = true]).
func (m *Model) Marshal() []byte {
	s := encoder{sizing: true}
	m.encode(&s)
	e := encoder{b: make([]byte, 0, s.n)}
	m.encode(&e)
	return e.b
}

func (m *Model) encode(e *encoder) {
	e.varintField(1, uint64(m.IRVersion))
	e.stringField(2, m.ProducerName)
	e.stringField(3, m.ProducerVersion)
	if m.Graph != nil {
		e.message(7, m.Graph.encode)
	}
	for i := range m.OpsetImports {
		o := &m.OpsetImports[i]
		e.message(8, func(e *encoder) {
			e.stringField(1, o.Domain)
			e.varintField(2, uint64(o.Version))
		})
	}
	for i := range m.Metadata {
		p := &m.Metadata[i]
		e.message(14, func(e *encoder) {
			e.stringField(1, p.Key)
			e.stringField(2, p.Value)
		})
	}
}

func (g *Graph) encode(e *encoder) {
	for i := range g.Nodes {
		e.message(1, g.Nodes[i].encode)
	}
	e.stringField(2, g.Name)
	for i := range g.Initializers {
		e.message(5, g.Initializers[i].encode)
	}
	for _, list := range []struct {
		num int
		vs  []ValueInfo
	}{{11, g.Inputs}, {12, g.Outputs}, {13, g.ValueInfo}} {
		for i := range list.vs {
			e.message(list.num, list.vs[i].encode)
		}
	}
}

// repeatedString writes each entry of a repeated string field, empty ones
// included (an empty node input marks an omitted optional input).
func (e *encoder) repeatedString(num int, list []string) {
	for _, s := range list {
		e.str(num, s)
	}
}

func (n *Node) encode(e *encoder) {
	e.repeatedString(1, n.Inputs)
	e.repeatedString(2, n.Outputs)
	e.stringField(3, n.Name)
	e.stringField(4, n.OpType)
	for i := range n.Attributes {
		e.message(5, n.Attributes[i].encode)
	}
	e.stringField(7, n.Domain)
}

func (a *Attribute) encode(e *encoder) {
	e.stringField(1, a.Name)
	if a.F != 0 || a.Type == AttrFloat {
		e.key(2, wireFixed32)
		e.fixed32(math.Float32bits(a.F))
	}
	if a.I != 0 || a.Type == AttrInt {
		e.key(3, wireVarint)
		e.varint(uint64(a.I))
	}
	if a.S != "" || a.Type == AttrString {
		e.str(4, a.S)
	}
	if a.T != nil {
		e.message(5, a.T.encode)
	}
	for _, f := range a.Floats {
		e.key(7, wireFixed32)
		e.fixed32(math.Float32bits(f))
	}
	for _, v := range a.Ints {
		e.key(8, wireVarint)
		e.varint(uint64(v))
	}
	e.repeatedString(9, a.Strings)
	e.varintField(20, uint64(a.Type))
}

func (t *Tensor) encode(e *encoder) {
	for _, v := range t.Dims {
		e.key(1, wireVarint)
		e.varint(uint64(v))
	}
	e.varintField(2, uint64(t.DataType))
	e.packed(4, len(t.FloatData), func(e *encoder, i int) { e.fixed32(math.Float32bits(t.FloatData[i])) })
	e.packed(5, len(t.Int32Data), func(e *encoder, i int) { e.varint(uint64(t.Int32Data[i])) })
	e.packed(7, len(t.Int64Data), func(e *encoder, i int) { e.varint(uint64(t.Int64Data[i])) })
	e.stringField(8, t.Name)
	if len(t.RawData) > 0 {
		e.bytesField(9, t.RawData)
	}
	e.packed(10, len(t.DoubleData), func(e *encoder, i int) { e.fixed64(math.Float64bits(t.DoubleData[i])) })
}

func (v *ValueInfo) encode(e *encoder) {
	e.stringField(1, v.Name)
	if v.Tensor == nil {
		return
	}
	t := v.Tensor
	e.message(2, func(e *encoder) { // TypeProto
		e.message(1, func(e *encoder) { // TypeProto.Tensor
			e.varintField(1, uint64(t.ElemType))
			if !t.HasShape {
				return
			}
			e.message(2, func(e *encoder) { // TensorShapeProto
				for i := range t.Shape {
					d := &t.Shape[i]
					e.message(1, func(e *encoder) {
						if d.HasValue {
							e.key(1, wireVarint)
							e.varint(uint64(d.Value))
						} else {
							e.stringField(2, d.Param)
						}
					})
				}
			})
		})
	})
}
