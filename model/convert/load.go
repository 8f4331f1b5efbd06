package convert

import "github.com/featuremap/featuremap/model"

// Load reads a featuremap weight file or an ONNX model, told apart by
// content: a weight file (safetensors) has its JSON header's "{" at byte 8
// after the header length; an ONNX ModelProto starts with the key of a
// field exporters write first. Anything else is reported as a weight file
// would be (model.Load's errors say what the bytes look like instead).
func Load(data []byte) (*model.Net, error) {
	if !(len(data) > 8 && data[8] == '{') && isONNX(data) {
		return FromONNX(data)
	}
	return model.Load(data)
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
