// Package models implements featuremap.js's model API (fm.loadModel,
// model.predict, model.activations, model.predictBatch, model.weights,
// model.dispose). Predictions take a fast path of numbers and byte
// buffers (staged.go: Stage, Place, Run), which featuremap.js fills and
// reads in wasm memory; everything else works on the Go images of
// JavaScript values described in package ops, and returns Go images too
// (map[string]any, []any, []int, []float32, …), which package jsbridge
// turns into JavaScript values. It does not import syscall/js, so every
// argument error is tested natively.
//
// Loaded models live in a Table under integer handles, which are never
// reused: a handle whose model was disposed is reported as such.
package models

import (
	"errors"
	"slices"
	"strconv"

	"github.com/featuremap/featuremap/internal/msg"
	"github.com/featuremap/featuremap/model"
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
	models []*entry // by handle-1; nil once disposed
	stage  staged   // the input of the fast path (Stage)

	placed preprocess.Report // what preprocessing found in the last pixels placed (Place)
}

// entry is one loaded model with its lazily made runners. Runners and the
// pixel buffer are kept, so repeated predictions allocate nothing in the
// runner.
type entry struct {
	net      *model.Net
	prepared *model.Prepared // the prepared weights every runner shares
	spec     preprocess.Spec
	size     int           // values per example: H*W*C
	in       []float32     // the batch input, [N, H, W, C], N ≥ every batch run so far
	run      *model.Runner // for predict
	batch    *model.Runner // for batches of more than one example, the last size used
	keep     *model.Runner // for activations (RunnerOptions.KeepActivations)

	acts   []model.LayerOutput // activations' list: the input, then actsOf's layer outputs
	actsOf *model.Runner
}

// NewTable returns an empty Table.
func NewTable() *Table { return &Table{} }

// Funcs returns t's functions by their names in featuremap.js, which also
// prefix their error messages.
func (t *Table) Funcs() map[string]Func {
	return map[string]Func{
		"loadModel":   t.Load,
		"predict":     t.Predict,
		"activations": t.Activations,
		"weights":     t.Weights,
		"dispose":     t.Dispose,

		"inspect":       t.Inspect,
		"inspectStaged": t.InspectStaged,
	}
}

func arg(args []any, i int) any {
	if i < len(args) {
		return args[i]
	}
	return nil
}

// Load is loadModel(bytes): it decodes a weight file (Uint8Array) and
// returns { handle, name, labels, inputShape, summary }, summary being
// model.Summary's JSON form. ONNX and TensorFlow.js models reach it as
// weight files: featuremap.js converts them first with the converter
// module (wasm/converter), which the engine does not link.
func (t *Table) Load(args []any) (any, error) {
	const op = "loadModel"
	b, ok := arg(args, 0).(ops.Bytes)
	if !ok {
		return nil, errors.New(op + ": bytes must be a Uint8Array or ArrayBuffer holding a weight file, got " + ops.Describe(arg(args, 0)))
	}
	net, err := model.Load(b.Data)
	if err != nil {
		return nil, prefix(op, &prefixed{"cannot load the weight file (" + strconv.Itoa(len(b.Data)) + " bytes)", err})
	}
	in := net.Graph.Input
	// The weights are prepared (packed for the kernels) now, so that the
	// first prediction does not wait for them; every runner shares them.
	prepared := model.NewPrepared(net)
	if err := prepared.Fill(); err != nil {
		return nil, prefix(op, err)
	}
	t.models = append(t.models, &entry{net: net, prepared: prepared, spec: net.Arch.InputSpec(), size: in[0] * in[1] * in[2]})
	labels := net.Arch.Labels
	if labels == nil {
		labels = []string{}
	}
	return map[string]any{
		"handle":     len(t.models),
		"name":       net.Arch.Name,
		"labels":     labels,
		"inputShape": net.Graph.Input,
		"summary":    summaryImage(net.Graph.Summary()),
	}, nil
}

// summaryImage returns the Go image of s's JSON form (its json tags, numbers
// as float64).
func summaryImage(s model.Summary) map[string]any {
	shape := func(v []int) []any {
		a := make([]any, len(v))
		for i, n := range v {
			a[i] = float64(n)
		}
		return a
	}
	rows := make([]any, len(s.Layers))
	for i, r := range s.Layers {
		rows[i] = map[string]any{
			"name": r.Name, "type": r.Type, "outputShape": shape(r.OutputShape),
			"weights": float64(r.Weights), "biases": float64(r.Biases), "params": float64(r.Params),
		}
	}
	return map[string]any{
		"name": s.Name, "inputShape": shape(s.Input), "layers": rows,
		"weights": float64(s.Weights), "biases": float64(s.Biases), "totalParams": float64(s.TotalParams),
	}
}

// lookup returns the model with handle v.
func (t *Table) lookup(op string, v any) (*entry, int, error) {
	h, ok := ops.IntIn(v, 1)
	if !ok {
		return nil, 0, errors.New(op + ": handle must be a positive integer, got " + ops.Describe(v))
	}
	e, err := t.entry(op, h)
	return e, h, err
}

// entry returns the model with handle h.
func (t *Table) entry(op string, h int) (*entry, error) {
	if h >= 1 && h <= len(t.models) {
		if e := t.models[h-1]; e != nil {
			return e, nil
		}
		return nil, errors.New(op + ": model is disposed (load it again to use it)")
	}
	return nil, errors.New(op + ": no model has handle " + strconv.Itoa(h))
}

// input returns the network input for one example given as v: a Tensor of
// shape [H, W, C] or [1, H, W, C], a Float32Array of H*W*C values, or image
// pixels { width, height, data: Uint8ClampedArray } (RGBA, as ImageData),
// preprocessed as the model's file says. The result may alias v or e.in;
// the Report is what preprocessing found in pixels (zero for tensors, and
// for models whose preprocessing is not MNIST's).
func (e *entry) input(op string, v any) ([]float32, preprocess.Report, error) {
	shape := e.net.Graph.Input
	switch v := v.(type) {
	case []float32:
		if err := e.checkFloats(op, len(v)); err != nil {
			return nil, preprocess.Report{}, err
		}
		return v, preprocess.Report{}, nil
	case map[string]any:
		if _, ok := v["shape"]; ok {
			x, err := ops.ParseTensor(op, "input", v)
			if err != nil {
				return nil, preprocess.Report{}, err
			}
			batched := append([]int{1}, shape...)
			if !slices.Equal(x.Shape, shape) && !slices.Equal(x.Shape, batched) {
				return nil, preprocess.Report{}, errors.New(op + ": input.shape must be " + ops.FormatInts(shape) + " or " + ops.FormatInts(batched) + " (one example), got " + ops.FormatInts(x.Shape))
			}
			return x.Data, preprocess.Report{}, nil
		}
		if _, ok := v["width"]; ok {
			return e.pixels(op, v)
		}
	}
	return nil, preprocess.Report{}, errors.New(op + ": input must be a tensor { shape, data: Float32Array }, a Float32Array of " + strconv.Itoa(e.size) + " values or an image, got " + ops.Describe(v))
}

// checkFloats checks that a Float32Array input has n values.
func (e *entry) checkFloats(op string, n int) error {
	if n != e.size {
		return errors.New(op + ": input is a Float32Array of " + strconv.Itoa(n) + " values, want " + strconv.Itoa(e.size) + " (inputShape " + ops.FormatInts(e.net.Graph.Input) + ")")
	}
	return nil
}

// checkPixels checks an image of w×h RGBA pixels given as n bytes, before
// anything is allocated: the image must have at most preprocess.MaxPixels
// pixels, and the model's input at most preprocess.MaxPixels pixels and
// ops.MaxElements values (a weight file may declare any input shape).
func (e *entry) checkPixels(op string, w, h, n int) error {
	if w*h > preprocess.MaxPixels { // w, h ≤ 2^24 (ops.IntIn): no overflow
		return errors.New(op + ": the image is " + strconv.Itoa(w) + "×" + strconv.Itoa(h) + " pixels, more than the limit of " + strconv.Itoa(preprocess.MaxPixels))
	}
	s := e.spec
	if err := s.CheckSize(preprocess.MaxPixels); err != nil || s.H*s.W > ops.MaxElements/s.C {
		return errors.New(op + ": cannot preprocess an image into the model's input " + ops.FormatInts(e.net.Graph.Input) + ": more than the limit of " + strconv.Itoa(preprocess.MaxPixels) + " pixels or " + strconv.Itoa(ops.MaxElements) + " values")
	}
	if n != w*h*4 {
		return errors.New(op + ": input.data has " + strconv.Itoa(n) + " bytes, but " + strconv.Itoa(w) + "×" + strconv.Itoa(h) + " RGBA pixels need " + strconv.Itoa(w*h*4))
	}
	return nil
}

// pixels preprocesses image pixels { width, height, data } into the first
// example of e.in, returning what preprocessing found.
func (e *entry) pixels(op string, v map[string]any) ([]float32, preprocess.Report, error) {
	w, okW := ops.IntIn(v["width"], 1)
	h, okH := ops.IntIn(v["height"], 1)
	if !okW || !okH {
		return nil, preprocess.Report{}, errors.New(op + ": input.width and input.height must be positive integers, got " + ops.Describe(v["width"]) + " and " + ops.Describe(v["height"]))
	}
	if err := e.checkPixels(op, w, h, w*h*4); err != nil {
		return nil, preprocess.Report{}, err
	}
	data, ok := v["data"].(ops.Bytes)
	if !ok {
		return nil, preprocess.Report{}, errors.New(op + ": input.data must be a Uint8ClampedArray of RGBA pixels, got " + ops.Describe(v["data"]))
	}
	if err := e.checkPixels(op, w, h, len(data.Data)); err != nil {
		return nil, preprocess.Report{}, err
	}
	x := e.example(0, 1)
	rep, err := preprocess.InputPixelsReport(x, data.Data, w, h, 4, e.spec)
	if err != nil {
		return nil, preprocess.Report{}, prefix(op, err)
	}
	return x, rep, nil
}

// example returns example i of e.in for batches of n, growing e.in.
func (e *entry) example(i, n int) []float32 {
	if len(e.in) < n*e.size {
		e.in = make([]float32, n*e.size)
	}
	return e.in[i*e.size : (i+1)*e.size]
}

// runner returns e's runner for batches of n (n ≥ 1), making it on first
// use: e.run for one example, else e.batch, remade when n changes.
func (e *entry) runner(op string, n int) (*model.Runner, error) {
	r := &e.run
	if n > 1 {
		r = &e.batch
	}
	if *r == nil || (*r).Batch() != n {
		*r = nil // let the old runner go before the new one is made
		nr, err := model.NewRunner(e.net, model.RunnerOptions{Batch: n, Prepared: e.prepared})
		if err != nil {
			return nil, prefix(op, err)
		}
		*r = nr
	}
	return *r, nil
}

// keepRunner returns e's runner for activations, making it on first use.
func (e *entry) keepRunner(op string) (*model.Runner, error) {
	if e.keep == nil {
		r, err := model.NewRunner(e.net, model.RunnerOptions{KeepActivations: true, Prepared: e.prepared})
		if err != nil {
			return nil, prefix(op, err)
		}
		e.keep = r
	}
	return e.keep, nil
}

// InputLayer is the name and type of the first entry of activations():
// the network's input, what the network sees.
const InputLayer = "input"

// activations returns the input x, as a layer named and typed InputLayer,
// followed by r's layer outputs (after a Run of x): the list
// featuremap.js's activations() returns. It allocates only when r changes.
func (e *entry) activations(x []float32, r *model.Runner) []model.LayerOutput {
	if e.actsOf != r {
		in := model.LayerOutput{Name: InputLayer, Type: InputLayer, Shape: append([]int{1}, e.net.Graph.Input...)}
		e.acts, e.actsOf = append([]model.LayerOutput{in}, r.Activations()...), r
	}
	e.acts[0].Data = x
	return e.acts
}

// Predict is predict(handle, input, { topK }): the last layer's output
// (the class probabilities, for a softmax model) and the topK (default
// DefaultTopK) largest, largest first: { probs, top: [{ index, label, p }] }.
// featuremap.js calls it only for inputs its fast path (Stage, Place,
// Run) does not take, which is mostly to report what is wrong with them.
func (t *Table) Predict(args []any) (any, error) {
	const op = "predict"
	e, _, err := t.lookup(op, arg(args, 0))
	if err != nil {
		return nil, err
	}
	x, _, err := e.input(op, arg(args, 1))
	if err != nil {
		return nil, err
	}
	probs, k, err := e.predictOne(op, x, arg(args, 2))
	if err != nil {
		return nil, err
	}
	return map[string]any{"probs": probs, "top": e.top(probs, k)}, nil
}

// predictOne runs one example x through e (its batch-1 runner) and returns
// the last layer's output and the topK option (predict's and inspect's
// shared part).
func (e *entry) predictOne(op string, x []float32, options any) (probs []float32, k int, err error) {
	if k, err = topK(op, options); err != nil {
		return nil, 0, err
	}
	r, err := e.runner(op, 1)
	if err != nil {
		return nil, 0, err
	}
	if probs, err = r.Run(x); err != nil {
		return nil, 0, prefix(op, err)
	}
	return probs, k, nil
}

// topK reads predict's options, { topK }: the number of classes in the
// top list, DefaultTopK unless given.
func topK(op string, options any) (int, error) {
	o, err := ops.ParseOptions(op, options, "topK")
	if err != nil {
		return 0, err
	}
	v := o["topK"]
	if v == nil {
		return DefaultTopK, nil
	}
	k, ok := ops.IntIn(v, 1)
	if !ok {
		return 0, errors.New(op + ": topK must be a positive integer, got " + ops.Describe(v))
	}
	return k, nil
}

// top is the Go image of the k largest of probs, largest first:
// [{ index, label, p }].
func (e *entry) top(probs []float32, k int) []any {
	preds := e.net.Top(probs, k)
	top := make([]any, len(preds))
	for i, p := range preds {
		top[i] = map[string]any{"index": p.Index, "label": p.Label, "p": float64(p.P)}
	}
	return top
}

// Activations is activations(handle, input): the network's input (name
// and type "input": what the network sees, the image after preprocessing)
// and every layer's output, [{ name, type, shape, data }] in layer order,
// shape with the batch of 1 ([1, H, W, C] or [1, K]). The data slices
// alias the runner's arena until the next call. Like Predict, it serves
// the inputs the fast path does not take.
func (t *Table) Activations(args []any) (any, error) {
	const op = "activations"
	e, _, err := t.lookup(op, arg(args, 0))
	if err != nil {
		return nil, err
	}
	x, _, err := e.input(op, arg(args, 1))
	if err != nil {
		return nil, err
	}
	r, err := e.keepRunner(op)
	if err != nil {
		return nil, err
	}
	if _, err := r.Run(x); err != nil {
		return nil, prefix(op, err)
	}
	acts := e.activations(x, r)
	out := make([]any, len(acts))
	for i, a := range acts {
		out[i] = map[string]any{"name": a.Name, "type": a.Type, "shape": a.Shape, "data": a.Data}
	}
	return out, nil
}

// Weights is weights(handle, layerName): the parameters of layer
// layerName, as the engine computes with them, as float32 (int8 weights
// dequantised), keyed by their names in the layer type's table
// (layers.ParamSpec): { weight, bias } for conv2d (weight [KH, KW, C/G, OC],
// HWIO, tf.nn.conv2d's filter layout; bias [OC]) and dense ([K, M], [M]),
// { gamma, beta, mean, variance } for batchnorm. Float32 data slices alias
// the Net's parameters; jsbridge copies them.
func (t *Table) Weights(args []any) (any, error) {
	const op = "weights"
	e, _, err := t.lookup(op, arg(args, 0))
	if err != nil {
		return nil, err
	}
	name, ok := arg(args, 1).(string)
	if !ok {
		return nil, errors.New(op + ": layerName must be a string, got " + ops.Describe(arg(args, 1)))
	}
	for i := range e.net.Graph.Nodes {
		nd := &e.net.Graph.Nodes[i]
		if nd.Layer.Name != name {
			continue
		}
		params := e.net.LayerParams(i)
		if len(params) == 0 {
			return nil, errors.New(op + ": layer " + msg.Quote(name) + " (" + nd.Layer.Type() + ") has no weights; layers with weights: " + e.layersWithWeights())
		}
		out := make(map[string]any, len(params))
		for k, p := range params {
			v, err := p.Float32s()
			if err != nil {
				return nil, prefix(op, err)
			}
			out[nd.Params[k].Name] = ops.Tensor{Shape: p.Shape, Data: v}
		}
		return out, nil
	}
	return nil, errors.New(op + ": the model has no layer " + msg.Quote(name) + "; layers with weights: " + e.layersWithWeights())
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
	return msg.Join(names, ", ")
}

// Dispose is dispose(handle): it frees the model's memory. Disposing a
// disposed model does nothing.
func (t *Table) Dispose(args []any) (any, error) {
	_, h, err := t.lookup("dispose", arg(args, 0))
	if err != nil && (h < 1 || h > len(t.models)) { // not a handle this table issued
		return nil, err
	}
	t.models[h-1] = nil
	return nil, nil
}
