package models

import (
	"errors"
	"strconv"

	"github.com/featuremap/featuremap/model"
	"github.com/featuremap/featuremap/model/convert"
	"github.com/featuremap/featuremap/wasm/internal/ops"
)

// loadTFJS converts a TensorFlow.js model.json with its weights: groups is
// loadModel's second argument, one [path, bytes] pair per weightsManifest
// entry, in manifest order, whose bytes are the entry's shards
// concatenated and whose path is the entry's first shard (featuremap.js
// fetches and joins them).
func loadTFJS(modelJSON []byte, groups any) (*model.Net, error) {
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
