package onnx

import (
	"encoding/binary"
	"math"
	"math/rand/v2"
)

// Protobuf building blocks for hand-made inputs: pbKey, pbVarint,
// pbBytes... return the encoding of one field; cat joins them.
func pbKey(num, wire int) []byte { return binary.AppendUvarint(nil, uint64(num)<<3|uint64(wire)) }

func pbVarint(num int, v uint64) []byte {
	return binary.AppendUvarint(pbKey(num, wireVarint), v)
}

func pbBytes(num int, parts ...[]byte) []byte {
	payload := cat(parts...)
	return append(binary.AppendUvarint(pbKey(num, wireBytes), uint64(len(payload))), payload...)
}

func pbString(num int, s string) []byte { return pbBytes(num, []byte(s)) }

func cat(parts ...[]byte) []byte {
	var out []byte
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

// randomModel returns a model with random content in every field Marshal
// writes (lists are nil when empty, as Decode returns them).
func randomModel(seed uint64) *Model {
	r := rand.New(rand.NewPCG(seed, 14))
	name := func() string {
		const letters = "abcxyz_/.:0123 üλ✓"
		rs := []rune(letters)
		b := make([]rune, r.IntN(8))
		for i := range b {
			b[i] = rs[r.IntN(len(rs))]
		}
		return string(b)
	}
	bytesStr := func() string {
		b := make([]byte, r.IntN(6))
		for i := range b {
			b[i] = byte(r.Uint32())
		}
		return string(b)
	}
	int64v := func() int64 {
		switch r.IntN(4) {
		case 0:
			return 0
		case 1:
			return int64(r.IntN(7)) - 3
		case 2:
			return r.Int64()
		}
		return -r.Int64()
	}
	float32v := func() float32 {
		if r.IntN(5) == 0 {
			return 0
		}
		return float32(r.NormFloat64() * math.Pow(10, float64(r.IntN(9)-4)))
	}
	count := func(max int) int { return r.IntN(max + 1) }
	tensor := func() *Tensor {
		t := &Tensor{Name: name()}
		n := 1
		for range count(4) {
			d := int64(r.IntN(4))
			t.Dims = append(t.Dims, d)
			n *= int(d)
		}
		types := []DataType{Float, Float16, Double, Int32, Int64, Uint8}
		t.DataType = types[r.IntN(len(types))]
		if n == 0 {
			return t
		}
		if r.IntN(2) == 0 && t.DataType != Uint8 {
			for range n {
				switch t.DataType {
				case Float:
					t.FloatData = append(t.FloatData, float32v())
				case Float16:
					t.Int32Data = append(t.Int32Data, int32(r.IntN(1<<16)))
				case Double:
					t.DoubleData = append(t.DoubleData, r.NormFloat64())
				case Int32:
					t.Int32Data = append(t.Int32Data, int32(int64v()))
				case Int64:
					t.Int64Data = append(t.Int64Data, int64v())
				}
			}
			return t
		}
		t.RawData = make([]byte, n*t.DataType.rawSize())
		for i := range t.RawData {
			t.RawData[i] = byte(r.Uint32())
		}
		return t
	}
	valueInfos := func() []ValueInfo {
		var out []ValueInfo
		for range count(2) {
			v := ValueInfo{Name: name()}
			if r.IntN(4) > 0 {
				v.Tensor = &TensorType{ElemType: DataType(r.IntN(17)), HasShape: r.IntN(3) > 0}
				if v.Tensor.HasShape {
					for range count(4) {
						switch r.IntN(3) {
						case 0:
							v.Tensor.Shape = append(v.Tensor.Shape, Dim{Value: int64(r.IntN(300)), HasValue: true})
						case 1:
							v.Tensor.Shape = append(v.Tensor.Shape, Dim{Param: "N" + name()})
						default:
							v.Tensor.Shape = append(v.Tensor.Shape, Dim{})
						}
					}
				}
			}
			out = append(out, v)
		}
		return out
	}
	m := &Model{IRVersion: int64(r.IntN(11)), ProducerName: name(), ProducerVersion: name()}
	for range 1 + count(2) {
		m.OpsetImports = append(m.OpsetImports, OpsetID{Domain: name(), Version: int64(r.IntN(22))})
	}
	for range count(2) {
		m.Metadata = append(m.Metadata, StringEntry{Key: name(), Value: name()})
	}
	if r.IntN(8) == 0 {
		return m
	}
	g := &Graph{Name: name(), Inputs: valueInfos(), Outputs: valueInfos(), ValueInfo: valueInfos()}
	m.Graph = g
	for range count(4) {
		g.Initializers = append(g.Initializers, *tensor())
	}
	for range count(5) {
		n := Node{Name: name(), OpType: name(), Domain: name()}
		for range count(3) {
			n.Inputs = append(n.Inputs, name())
		}
		for range 1 + count(1) {
			n.Outputs = append(n.Outputs, name())
		}
		for range count(4) {
			a := Attribute{Name: name(), Type: AttributeType(1 + r.IntN(8))}
			switch a.Type {
			case AttrFloat:
				a.F = float32v()
			case AttrInt:
				a.I = int64v()
			case AttrString:
				a.S = bytesStr()
			case AttrTensor:
				a.T = tensor()
			case AttrGraph:
				// no value: graph attributes are not decoded
			case AttrFloats:
				for range 1 + count(4) {
					a.Floats = append(a.Floats, float32v())
				}
			case AttrInts:
				for range 1 + count(4) {
					a.Ints = append(a.Ints, int64v())
				}
			case AttrStrings:
				for range 1 + count(3) {
					a.Strings = append(a.Strings, bytesStr())
				}
			}
			n.Attributes = append(n.Attributes, a)
		}
		g.Nodes = append(g.Nodes, n)
	}
	return m
}
