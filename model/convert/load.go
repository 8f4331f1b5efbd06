package convert

import (
	"encoding/binary"
	"fmt"

	"github.com/featuremap/featuremap/model"
)

// Load reads a featuremap weight file or an ONNX model, told apart by
// content: a weight file (safetensors) starts with an 8-byte header length
// and a JSON object, an ONNX ModelProto with a protobuf field of
// ModelProto (ir_version comes first in every exporter's output).
func Load(data []byte) (*model.Net, error) {
	switch {
	case isSafetensors(data):
		return model.Load(data)
	case isONNX(data):
		return FromONNX(data)
	}
	return nil, fmt.Errorf("convert: %d bytes are neither a featuremap weight file (safetensors) nor an ONNX model (a .tfjs model.json needs its weight shards: use FromTFJS)", len(data))
}

func isSafetensors(data []byte) bool {
	if len(data) < 9 {
		return false
	}
	n := binary.LittleEndian.Uint64(data)
	return n >= 2 && n <= uint64(len(data)-8) && data[8] == '{'
}

// isONNX reports whether data starts with the key of a ModelProto field
// that exporters write first: ir_version, producer_name, producer_version,
// graph or opset_import (field numbers 1, 2, 3, 7, 8 with their wire types).
func isONNX(data []byte) bool {
	if len(data) == 0 {
		return false
	}
	switch data[0] {
	case 0x08, 0x12, 0x1a, 0x3a, 0x42:
		return true
	}
	return false
}
