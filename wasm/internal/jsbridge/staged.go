//go:build js && wasm

package jsbridge

import (
	"errors"
	"strconv"
	"syscall/js"
	"unsafe"

	"github.com/featuremap/featuremap/wasm/internal/models"
)

// Staged exports t's fast path (models.Table.Stage, Place, Run and
// RunActivations) as functions of numbers only: arguments and results are
// JavaScript numbers, results being addresses in wasm memory (the bytes an
// input is copied into, or a model's outputs), so a call leaves Go holding
// no JavaScript value and copies no typed array. featuremap.js reads and
// writes the memory at those addresses before its next call into Go.
//
//	stage(op, handle, kind, n, width, height) → address of the input's bytes
//	place(op, handle, i, batch)               → 0
//	run(op, handle, batch, last)              → address of batch×K float32 outputs
//	runActivations(handle)                    → address of one uint32 address per layer
//
// run first places the staged input as example last unless last is -1;
// runActivations places it as its one example. So predict takes two calls
// (stage, run) and a batch of n at most 2n+1. op is an index into
// models.OpNames. Each returns an Error instead when the call fails.
func Staged(t *models.Table) map[string]js.Func {
	var layerAddrs []uint32 // runActivations's table, reused
	return map[string]js.Func{
		"stage": numFunc("stage", func(a []js.Value) (uintptr, error) {
			op, err := opName(a[0])
			if err != nil {
				return 0, err
			}
			b, err := t.Stage(op, a[1].Int(), a[2].Int(), a[3].Int(), a[4].Int(), a[5].Int())
			return addrOf(b), err
		}),
		"place": numFunc("place", func(a []js.Value) (uintptr, error) {
			op, err := opName(a[0])
			if err != nil {
				return 0, err
			}
			return 0, t.Place(op, a[1].Int(), a[2].Int(), a[3].Int())
		}),
		"run": numFunc("run", func(a []js.Value) (uintptr, error) {
			op, err := opName(a[0])
			if err != nil {
				return 0, err
			}
			if last := a[3].Int(); last >= 0 {
				if err := t.Place(op, a[1].Int(), last, a[2].Int()); err != nil {
					return 0, err
				}
			}
			out, err := t.Run(op, a[1].Int(), a[2].Int())
			return addrOf(out), err
		}),
		"runActivations": numFunc("runActivations", func(a []js.Value) (uintptr, error) {
			if err := t.Place(models.OpNames[models.OpActivations], a[0].Int(), 0, 1); err != nil {
				return 0, err
			}
			acts, err := t.RunActivations(a[0].Int())
			if err != nil {
				return 0, err
			}
			if cap(layerAddrs) < len(acts) {
				layerAddrs = make([]uint32, len(acts))
			}
			layerAddrs = layerAddrs[:len(acts)]
			for i, act := range acts {
				layerAddrs[i] = uint32(addrOf(act.Data))
			}
			return addrOf(layerAddrs), nil
		}),
	}
}

// numFunc exports fn, whose arguments featuremap.js passes as numbers
// (reading them from args allocates nothing), returning its result as a
// number. It is Func without the generic conversions.
func numFunc(name string, fn func(args []js.Value) (uintptr, error)) js.Func {
	return Func(name, func(args []js.Value) (js.Value, error) {
		n, err := fn(args)
		if err != nil {
			return js.Undefined(), err
		}
		return js.ValueOf(float64(n)), nil
	})
}

// opName returns the name that op code v stands for.
func opName(v js.Value) (string, error) {
	i := v.Int()
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
