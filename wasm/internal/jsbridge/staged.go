//go:build js && wasm

package jsbridge

import (
	"errors"
	"strconv"
	"syscall/js"
	"unsafe"

	"github.com/featuremap/featuremap/wasm/internal/models"
)

// Staged is t's fast path (models.Table.Stage, Place, Run and
// RunActivations) as functions of numbers only, which the engine exports
// to JavaScript directly (//go:wasmexport, package main) rather than
// through js.FuncOf: a js.FuncOf call wakes Go's event-handling goroutine
// and scheduler and wraps its arguments as js.Values, tens of µs per call,
// which was most of a small model's prediction; a direct export is a plain
// WebAssembly call. Arguments are JavaScript numbers; a result is an
// address in wasm memory (the bytes an input is copied into, or a model's
// outputs), so a call leaves Go holding no JavaScript value and copies no
// typed array. featuremap.js reads and writes the memory at those
// addresses before its next call into Go.
//
//	Stage(op, handle, kind, n, width, height) → address of the input's bytes
//	Place(op, handle, i, batch)               → 0
//	Run(op, handle, batch, last)              → address of batch×K float32 outputs
//	RunActivations(handle)                    → address of one uint32 address per layer
//
// Run first places the staged input as example last unless last is -1;
// RunActivations places it as its one example. So predict takes two calls
// (Stage, Run) and a batch of n at most 2n+1. op is an index into
// models.OpNames. A call that fails returns -1 and keeps its error, which
// the JavaScript function ErrorFunc returns as an Error (with the message
// the generic path's Func would give, panics included). A call allocates
// nothing once the model's buffers have grown to the inputs' sizes.
type Staged struct {
	t          *models.Table
	layerAddrs []uint32 // RunActivations's table, reused
	err        string   // the last failed call's message
}

// NewStaged returns the fast path of t.
func NewStaged(t *models.Table) *Staged { return &Staged{t: t} }

// Stage is models.Table.Stage.
func (s *Staged) Stage(op, handle, kind, n, w, h float64) float64 {
	return s.call("stage", func() (uintptr, error) {
		name, err := opName(op)
		if err != nil {
			return 0, err
		}
		b, err := s.t.Stage(name, int(handle), int(kind), int(n), int(w), int(h))
		return addrOf(b), err
	})
}

// Place is models.Table.Place.
func (s *Staged) Place(op, handle, i, batch float64) float64 {
	return s.call("place", func() (uintptr, error) {
		name, err := opName(op)
		if err != nil {
			return 0, err
		}
		return 0, s.t.Place(name, int(handle), int(i), int(batch))
	})
}

// Run places the staged input as example last (unless last is -1), then
// runs models.Table.Run.
func (s *Staged) Run(op, handle, batch, last float64) float64 {
	return s.call("run", func() (uintptr, error) {
		name, err := opName(op)
		if err != nil {
			return 0, err
		}
		if last := int(last); last >= 0 {
			if err := s.t.Place(name, int(handle), last, int(batch)); err != nil {
				return 0, err
			}
		}
		out, err := s.t.Run(name, int(handle), int(batch))
		return addrOf(out), err
	})
}

// RunActivations places the staged input as the one example, runs
// models.Table.RunActivations and returns the address of a table of every
// layer's output address.
func (s *Staged) RunActivations(handle float64) float64 {
	return s.call("runActivations", func() (uintptr, error) {
		if err := s.t.Place(models.OpNames[models.OpActivations], int(handle), 0, 1); err != nil {
			return 0, err
		}
		acts, err := s.t.RunActivations(int(handle))
		if err != nil {
			return 0, err
		}
		if cap(s.layerAddrs) < len(acts) {
			s.layerAddrs = make([]uint32, len(acts))
		}
		s.layerAddrs = s.layerAddrs[:len(acts)]
		for i, act := range acts {
			s.layerAddrs[i] = uint32(addrOf(act.Data))
		}
		return addrOf(s.layerAddrs), nil
	})
}

// ErrorFunc returns the JavaScript function that returns the last failed
// call's Error.
func (s *Staged) ErrorFunc() js.Func {
	return js.FuncOf(func(js.Value, []js.Value) any { return Error(s.err) })
}

// call runs fn, returning its address as a number, or -1 after keeping its
// error or panic (prefixed with name, as Func does).
func (s *Staged) call(name string, fn func() (uintptr, error)) (result float64) {
	defer func() {
		if r := recover(); r != nil {
			s.err = name + ": internal error (please report it): " + panicText(r)
			result = -1
		}
	}()
	addr, err := fn()
	if err != nil {
		s.err = err.Error()
		return -1
	}
	return float64(addr)
}

// opName returns the name that op code v stands for.
func opName(v float64) (string, error) {
	i := int(v)
	if i < 0 || i >= len(models.OpNames) {
		return "", errors.New("unknown op code " + strconv.Itoa(i))
	}
	return models.OpNames[i], nil
}

// addrOf returns the address of s's first element in wasm memory, or 0
// for an empty slice.
func addrOf[E any](s []E) uintptr {
	if len(s) == 0 {
		return 0
	}
	return uintptr(unsafe.Pointer(&s[0]))
}
