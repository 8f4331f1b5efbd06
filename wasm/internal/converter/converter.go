// Package converter implements the one function of featuremap.convert.wasm
// (wasm/converter): it turns an ONNX model, or a TensorFlow.js layers
// model.json with its weights, into the bytes of a featuremap weight file
// (float32, model.Net.Encode), which the engine then loads as any other.
// The importers (model/convert, model/onnx, model/tfjs) are a third of the
// engine's own code, so they live in this separate module, which
// featuremap.js fetches only when loadModel is given a model to convert.
//
// Like package models, it works on the Go images of JavaScript values
// (package ops) and does not import syscall/js, so it is tested natively.
package converter

import (
	"bytes"
	"errors"
	"strconv"

	"github.com/featuremap/featuremap/model"
	"github.com/featuremap/featuremap/model/convert"
	"github.com/featuremap/featuremap/wasm/internal/ops"
)

// Convert is convert(bytes[, weights]): bytes is an ONNX model, or a
// TensorFlow.js model.json when weights is given; weights is one
// [path, bytes] pair per weightsManifest entry, in manifest order, whose
// bytes are the entry's shards concatenated and whose path is the entry's
// first shard (featuremap.js joins them). It returns the weight file's
// bytes, or an error that names the node (ONNX) or layer (Keras), its op
// and the attribute that cannot be converted, prefixed "loadModel: ", the
// JavaScript call the user made.
func Convert(args []any) ([]byte, error) {
	const op = "loadModel"
	b, ok := arg(args, 0).(ops.Bytes)
	if !ok {
		return nil, errors.New(op + ": bytes must be a Uint8Array or ArrayBuffer holding an ONNX model or a TensorFlow.js model.json, got " + ops.Describe(arg(args, 0)))
	}
	what := "ONNX model"
	var net *model.Net
	var err error
	if weights := arg(args, 1); weights != nil {
		what = "TensorFlow.js model"
		net, err = fromTFJS(b.Data, weights)
	} else {
		net, err = convert.FromONNX(b.Data)
	}
	if err == nil {
		var out bytes.Buffer
		if err = net.Encode(&out, model.EncodeOptions{}); err == nil {
			return out.Bytes(), nil
		}
	}
	return nil, errors.New(op + ": cannot convert the " + what + " (" + strconv.Itoa(len(b.Data)) + " bytes): " + err.Error())
}

func arg(args []any, i int) any {
	if i < len(args) {
		return args[i]
	}
	return nil
}

// fromTFJS converts a TensorFlow.js model.json with its weights, given as
// Convert's second argument.
func fromTFJS(modelJSON []byte, groups any) (*model.Net, error) {
	list, ok := groups.([]any)
	if !ok {
		return nil, errors.New("weights must be an array of [path, Uint8Array] pairs, got " + ops.Describe(groups))
	}
	queue := map[string][][]byte{}
	for i, g := range list {
		pair, ok := g.([]any)
		if !ok || len(pair) != 2 {
			return nil, errors.New("weights[" + strconv.Itoa(i) + "] must be a [path, Uint8Array] pair, got " + ops.Describe(g))
		}
		path, ok := pair[0].(string)
		data, isBytes := pair[1].(ops.Bytes)
		if !ok || !isBytes {
			return nil, errors.New("weights[" + strconv.Itoa(i) + "] must be a [path, Uint8Array] pair, got " + ops.Describe(g))
		}
		queue[path] = append(queue[path], data.Data)
	}
	// Each group's first shard carries the whole group; its other shards
	// are empty here.
	return convert.FromTFJS(modelJSON, func(p string) ([]byte, error) {
		q := queue[p]
		if len(q) == 0 {
			return nil, nil
		}
		queue[p] = q[1:]
		return q[0], nil
	})
}
