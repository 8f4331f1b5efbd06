// Package models implements featuremap.js's model API (fm.loadModel,
// model.predict, model.activations, model.weights, model.dispose) on the Go images of
// JavaScript values described in package ops. It does not import
// syscall/js, so every argument error is tested natively; its results are
// Go images too (map[string]any, []any, []int, []float32, …), which
// package jsbridge turns into JavaScript values.
//
// Loaded models live in a Table under integer handles, which are never
// reused: a handle whose model was disposed is reported as such.
package models

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/featuremap/featuremap/model"
	"github.com/featuremap/featuremap/model/convert"
	"github.com/featuremap/featuremap/model/preprocess"
	"github.com/featuremap/featuremap/wasm/internal/ops"
)

// DefaultTopK is the number of classes in predict's top list unless the
// topK option says otherwise.
const DefaultTopK = 5

// Func is one exported function: it takes the JavaScript arguments, in
// order, and returns the Go image of its result or an error naming the bad
// argument.
type Func func(args []any) (any, error)

// Table holds the loaded models of one engine instance. It is not safe for
// concurrent use (a js/wasm instance is single-threaded).
type Table struct {
	models map[int]*entry
	last   int // the last handle issued
}

// entry is one loaded model with its lazily made runners. Runners and the
// pixel buffer are kept, so repeated predictions allocate nothing in the
// runner.
type entry struct {
	net  *model.Net
	spec preprocess.Spec
	in   []float32     // one preprocessed image, [H, W, C]
	run  *model.Runner // for predict
	keep *model.Runner // for activations (RunnerOptions.KeepActivations)
}

// NewTable returns an empty Table.
func NewTable() *Table { return &Table{models: map[int]*entry{}} }

// Funcs returns t's functions by their names in featuremap.js, which also
// prefix their error messages.
func (t *Table) Funcs() map[string]Func {
	return map[string]Func{
		"loadModel":   t.Load,
		"predict":     t.Predict,
		"activations": t.Activations,
		"weights":     t.Weights,
		"dispose":     t.Dispose,
	}
}

func arg(args []any, i int) any {
	if i < len(args) {
		return args[i]
	}
	return nil
}

// Load is loadModel(bytes[, weights]): it decodes a weight file or an ONNX
// model (Uint8Array; convert.Load tells them apart by content), or a
// TensorFlow.js model.json whose weights come as the second argument
// (loadTFJS), and
// returns { handle, name, labels, inputShape, summary }, summary being
// model.Summary's JSON form.
func (t *Table) Load(args []any) (any, error) {
	const op = "loadModel"
	b, ok := arg(args, 0).(ops.Bytes)
	if !ok {
		return nil, fmt.Errorf("%s: bytes must be a Uint8Array or ArrayBuffer holding a weight file, got %s", op, ops.Describe(arg(args, 0)))
	}
	var net *model.Net
	var err error
	if weights := arg(args, 1); weights != nil { // a TensorFlow.js model.json
		net, err = loadTFJS(b.Data, weights)
	} else {
		net, err = convert.Load(b.Data)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: cannot load the weight file (%d bytes): %w", op, len(b.Data), err)
	}
	summary, err := jsonImage(net.Graph.Summary())
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	t.last++
	t.models[t.last] = &entry{net: net, spec: net.Arch.InputSpec()}
	labels := net.Arch.Labels
	if labels == nil {
		labels = []string{}
	}
	return map[string]any{
		"handle":     t.last,
		"name":       net.Arch.Name,
		"labels":     labels,
		"inputShape": net.Graph.Input,
		"summary":    summary,
	}, nil
}

// jsonImage returns the Go image of v's JSON form.
func jsonImage(v any) (any, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var img any
	return img, json.Unmarshal(b, &img)
}

// lookup returns the model with handle v.
func (t *Table) lookup(op string, v any) (*entry, int, error) {
	h, ok := ops.IntIn(v, 1)
	if !ok {
		return nil, 0, fmt.Errorf("%s: handle must be a positive integer, got %s", op, ops.Describe(v))
	}
	e := t.models[h]
	switch {
	case e != nil:
		return e, h, nil
	case h <= t.last:
		return nil, h, fmt.Errorf("%s: model is disposed (load it again to use it)", op)
	}
	return nil, h, fmt.Errorf("%s: no model has handle %d", op, h)
}

// input returns the network input for one example given as v: a Tensor of
// shape [H, W, C] or [1, H, W, C], a Float32Array of H*W*C values, or image
// pixels { width, height, data: Uint8ClampedArray } (RGBA, as ImageData),
// preprocessed as the model's file says. The result may alias v or e.in.
func (e *entry) input(op string, v any) ([]float32, error) {
	shape := e.net.Graph.Input
	size := shape[0] * shape[1] * shape[2]
	switch v := v.(type) {
	case []float32:
		if len(v) != size {
			return nil, fmt.Errorf("%s: input is a Float32Array of %d values, want %d (inputShape %s)", op, len(v), size, ops.FormatInts(shape))
		}
		return v, nil
	case map[string]any:
		if _, ok := v["shape"]; ok {
			x, err := ops.ParseTensor(op, "input", v)
			if err != nil {
				return nil, err
			}
			batched := append([]int{1}, shape...)
			if !slices.Equal(x.Shape, shape) && !slices.Equal(x.Shape, batched) {
				return nil, fmt.Errorf("%s: input.shape must be %s or %s (one example), got %s", op, ops.FormatInts(shape), ops.FormatInts(batched), ops.FormatInts(x.Shape))
			}
			return x.Data, nil
		}
		if _, ok := v["width"]; ok {
			return e.pixels(op, v)
		}
	}
	return nil, fmt.Errorf("%s: input must be a tensor { shape, data: Float32Array }, a Float32Array of %d values or an image, got %s", op, size, ops.Describe(v))
}

// pixels preprocesses image pixels { width, height, data } into e.in, the
// one buffer of the model's input size. Before anything is allocated, the
// image must have at most preprocess.MaxPixels pixels, and the model's
// input at most preprocess.MaxPixels pixels and ops.MaxElements values (a
// weight file may declare any input shape).
func (e *entry) pixels(op string, v map[string]any) ([]float32, error) {
	w, okW := ops.IntIn(v["width"], 1)
	h, okH := ops.IntIn(v["height"], 1)
	if !okW || !okH {
		return nil, fmt.Errorf("%s: input.width and input.height must be positive integers, got %s and %s", op, ops.Describe(v["width"]), ops.Describe(v["height"]))
	}
	if w*h > preprocess.MaxPixels { // w, h ≤ 2^24: no overflow
		return nil, fmt.Errorf("%s: the image is %d×%d pixels, more than the limit of %d", op, w, h, preprocess.MaxPixels)
	}
	s := e.spec
	if err := s.CheckSize(preprocess.MaxPixels); err != nil || s.H*s.W > ops.MaxElements/s.C {
		return nil, fmt.Errorf("%s: cannot preprocess an image into the model's input %s: more than the limit of %d pixels or %d values", op, ops.FormatInts(e.net.Graph.Input), preprocess.MaxPixels, ops.MaxElements)
	}
	data, ok := v["data"].(ops.Bytes)
	if !ok {
		return nil, fmt.Errorf("%s: input.data must be a Uint8ClampedArray of RGBA pixels, got %s", op, ops.Describe(v["data"]))
	}
	if len(data.Data) != w*h*4 {
		return nil, fmt.Errorf("%s: input.data has %d bytes, but %d×%d RGBA pixels need %d", op, len(data.Data), w, h, w*h*4)
	}
	if e.in == nil {
		e.in = make([]float32, s.H*s.W*s.C)
	}
	if err := preprocess.InputPixels(e.in, data.Data, w, h, 4, s); err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	return e.in, nil
}

// Predict is predict(handle, input, { topK }): the last layer's output
// (the class probabilities, for a softmax model) and the topK (default
// DefaultTopK) largest, largest first: { probs, top: [{ index, label, p }] }.
func (t *Table) Predict(args []any) (any, error) {
	const op = "predict"
	e, _, err := t.lookup(op, arg(args, 0))
	if err != nil {
		return nil, err
	}
	x, err := e.input(op, arg(args, 1))
	if err != nil {
		return nil, err
	}
	o, err := ops.ParseOptions(op, arg(args, 2), "topK")
	if err != nil {
		return nil, err
	}
	k := DefaultTopK
	if v := o["topK"]; v != nil {
		var ok bool
		if k, ok = ops.IntIn(v, 1); !ok {
			return nil, fmt.Errorf("%s: topK must be a positive integer, got %s", op, ops.Describe(v))
		}
	}
	if e.run == nil {
		if e.run, err = model.NewRunner(e.net, model.RunnerOptions{}); err != nil {
			return nil, fmt.Errorf("%s: %w", op, err)
		}
	}
	probs, err := e.run.Run(x)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	preds := e.net.Top(probs, k)
	top := make([]any, len(preds))
	for i, p := range preds {
		top[i] = map[string]any{"index": p.Index, "label": p.Label, "p": float64(p.P)}
	}
	return map[string]any{"probs": probs, "top": top}, nil
}

// Activations is activations(handle, input): every layer's output,
// [{ name, type, shape, data }] in layer order, shape with the batch of 1
// ([1, H, W, C] or [1, K]). The data slices alias the runner's arena until
// the next call.
func (t *Table) Activations(args []any) (any, error) {
	const op = "activations"
	e, _, err := t.lookup(op, arg(args, 0))
	if err != nil {
		return nil, err
	}
	x, err := e.input(op, arg(args, 1))
	if err != nil {
		return nil, err
	}
	if e.keep == nil {
		if e.keep, err = model.NewRunner(e.net, model.RunnerOptions{KeepActivations: true}); err != nil {
			return nil, fmt.Errorf("%s: %w", op, err)
		}
	}
	if _, err := e.keep.Run(x); err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	acts := e.keep.Activations()
	out := make([]any, len(acts))
	for i, a := range acts {
		out[i] = map[string]any{"name": a.Name, "type": a.Type, "shape": a.Shape, "data": a.Data}
	}
	return out, nil
}

// Weights is weights(handle, layerName): the parameters of layer
// layerName, as the engine computes with them (float32, int8 files
// dequantised at load), keyed by their names in the layer type's table
// (layers.ParamSpec): { weight, bias } for conv2d (weight [KH, KW, C/G, OC],
// HWIO, tf.nn.conv2d's filter layout; bias [OC]) and dense ([K, M], [M]),
// { gamma, beta, mean, variance } for batchnorm. The data slices alias the
// Net's parameters; jsbridge copies them.
func (t *Table) Weights(args []any) (any, error) {
	const op = "weights"
	e, _, err := t.lookup(op, arg(args, 0))
	if err != nil {
		return nil, err
	}
	name, ok := arg(args, 1).(string)
	if !ok {
		return nil, fmt.Errorf("%s: layerName must be a string, got %s", op, ops.Describe(arg(args, 1)))
	}
	for i := range e.net.Graph.Nodes {
		nd := &e.net.Graph.Nodes[i]
		if nd.Layer.Name != name {
			continue
		}
		params := e.net.LayerParams(i)
		if len(params) == 0 {
			return nil, fmt.Errorf("%s: layer %q (%s) has no weights; layers with weights: %s", op, name, nd.Layer.Type(), e.layersWithWeights())
		}
		out := make(map[string]any, len(params))
		for k, p := range params {
			out[nd.Params[k].Name] = ops.Tensor{Shape: p.Shape, Data: p.Data}
		}
		return out, nil
	}
	return nil, fmt.Errorf("%s: the model has no layer %q; layers with weights: %s", op, name, e.layersWithWeights())
}

// layersWithWeights lists the names of e's layers that have parameters, in
// layer order, separated by commas.
func (e *entry) layersWithWeights() string {
	var names []string
	for i := range e.net.Graph.Nodes {
		if len(e.net.LayerParams(i)) > 0 {
			names = append(names, e.net.Graph.Nodes[i].Layer.Name)
		}
	}
	return strings.Join(names, ", ")
}

// Dispose is dispose(handle): it frees the model's memory. Disposing a
// disposed model does nothing.
func (t *Table) Dispose(args []any) (any, error) {
	_, h, err := t.lookup("dispose", arg(args, 0))
	if err != nil && (h < 1 || h > t.last) { // not a handle this table issued
		return nil, err
	}
	delete(t.models, h)
	return nil, nil
}
