package models

import (
	"errors"
	"strconv"
	"unsafe"

	"github.com/featuremap/featuremap/model"
	"github.com/featuremap/featuremap/model/preprocess"
)

// The fast path of predict, predictBatch and activations: featuremap.js
// checks an input's type in JavaScript, then
//
//	Stage(op, handle, kind, n, width, height)  → bytes for the input's data
//	(featuremap.js copies the data into them, in wasm memory)
//	Place(op, handle, i, batch)                → example i of a batch
//	Run(op, handle, batch) / RunActivations(handle)
//
// so only numbers cross syscall/js and Go holds no JavaScript value; the
// results are read by featuremap.js out of wasm memory. None of these
// allocate once the model's buffers have grown to the inputs' sizes.

// Kinds of staged inputs.
const (
	KindFloats = 0 // a Float32Array of n values (a tensor's data)
	KindPixels = 1 // n bytes of width×height RGBA pixels
)

// MaxBatch is the largest batch a model runs at once (predictBatch runs
// more as several).
const MaxBatch = 64

// keepStage is the largest staging buffer kept between calls, in float32
// values (4 MiB); bigger images get one for their call only.
const keepStage = 1 << 20

// maxSide bounds an image's width and height, as ops.IntIn bounds integer
// arguments.
const maxSide = 1 << 24

// Op codes: indices into OpNames.
const (
	OpPredict = iota
	OpActivations
	OpPredictBatch
	OpInspect
)

// OpNames are the names that Stage, Place and Run's op codes stand for,
// which prefix their error messages.
var OpNames = []string{"predict", "activations", "predictBatch", "inspect"}

// staged is the input that Stage prepared bytes for.
type staged struct {
	handle, kind, w, h int
	data               []float32 // n bytes (pixels) or n values, 4-byte aligned
	n                  int
}

// Stage checks an input for the model with handle h and returns the bytes
// featuremap.js copies its data into: n values of a Float32Array (kind
// KindFloats) or n bytes of w×h RGBA pixels (KindPixels). Errors name op
// and match the generic path's (Predict).
func (t *Table) Stage(op string, handle, kind, n, w, h int) ([]byte, error) {
	e, err := t.entry(op, handle)
	if err != nil {
		return nil, err
	}
	size := 0
	switch kind {
	case KindFloats:
		if err := e.checkFloats(op, n); err != nil {
			return nil, err
		}
		size = 4 * n
	case KindPixels:
		if w < 1 || h < 1 || w > maxSide || h > maxSide {
			return nil, errors.New(op + ": input.width and input.height must be positive integers, got " + strconv.Itoa(w) + " and " + strconv.Itoa(h))
		}
		if err := e.checkPixels(op, w, h, n); err != nil {
			return nil, err
		}
		size = n
	default:
		return nil, errors.New(op + ": unknown input kind " + strconv.Itoa(kind))
	}
	values := (size + 3) / 4
	buf := t.stage.data
	if cap(buf) < values {
		buf = make([]float32, values)
		if values <= keepStage {
			t.stage.data = buf
		}
	}
	buf = buf[:values]
	t.stage = staged{handle: handle, kind: kind, w: w, h: h, n: n, data: buf}
	if size == 0 {
		return nil, nil
	}
	return unsafe.Slice((*byte)(unsafe.Pointer(&buf[0])), size), nil
}

// Place turns the staged input into example i of a batch of n for the
// model with handle h (n = 1 for predict and activations): copied, or
// preprocessed from pixels.
func (t *Table) Place(op string, handle, i, n int) error {
	e, err := t.entry(op, handle)
	if err != nil {
		return err
	}
	if n < 1 || n > MaxBatch || i < 0 || i >= n {
		return errors.New(op + ": example " + strconv.Itoa(i) + " of a batch of " + strconv.Itoa(n) + ": want 0 ≤ i < batch ≤ " + strconv.Itoa(MaxBatch))
	}
	s := t.stage
	if s.handle != handle || s.data == nil {
		return errors.New(op + ": no input is staged for this model")
	}
	x := e.example(i, n)
	t.placed = preprocess.Report{}
	if s.kind == KindFloats {
		copy(x, s.data[:s.n])
	} else {
		px := unsafe.Slice((*byte)(unsafe.Pointer(&s.data[0])), s.n)
		rep, err := preprocess.InputPixelsReport(x, px, s.w, s.h, 4, e.spec)
		if err != nil {
			return prefix(op, err)
		}
		t.placed = rep
	}
	if len(s.data) > keepStage { // let a big image go
		t.stage = staged{}
	}
	return nil
}

// Run runs the model with handle h on the first n examples placed (n = 1:
// predict) and returns the last layer's outputs, n of them, in the
// runner's arena until the next Run.
func (t *Table) Run(op string, handle, n int) ([]float32, error) {
	e, err := t.entry(op, handle)
	if err != nil {
		return nil, err
	}
	if n < 1 || n > MaxBatch {
		return nil, errors.New(op + ": batch must be in [1, " + strconv.Itoa(MaxBatch) + "], got " + strconv.Itoa(n))
	}
	r, err := e.runner(op, n)
	if err != nil {
		return nil, err
	}
	out, err := r.Run(e.example(0, n)[:n*e.size])
	if err != nil {
		return nil, prefix(op, err)
	}
	return out, nil
}

// RunActivations runs the model with handle h on the example placed (a
// batch of 1) and returns the input and every layer's output (as
// Activations lists them), in the runner's arena until the next call.
func (t *Table) RunActivations(handle int) ([]model.LayerOutput, error) {
	const op = "activations"
	e, err := t.entry(op, handle)
	if err != nil {
		return nil, err
	}
	r, err := e.keepRunner(op)
	if err != nil {
		return nil, err
	}
	x := e.example(0, 1)
	if _, err := r.Run(x); err != nil {
		return nil, prefix(op, err)
	}
	return e.activations(x, r), nil
}

// prefixed is an error prefixed with the name of the function it came from.
type prefixed struct {
	op  string
	err error
}

func (p *prefixed) Error() string { return p.op + ": " + p.err.Error() }
func (p *prefixed) Unwrap() error { return p.err }

func prefix(op string, err error) error { return &prefixed{op, err} }
