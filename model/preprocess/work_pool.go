//go:build !(js && wasm)

package preprocess

import "sync"

// workPool holds the working grids between calls, which may run in
// parallel (training, evaluation).
var workPool = sync.Pool{New: func() any { return new(work) }}

func getWork() *work  { return workPool.Get().(*work) }
func putWork(w *work) { workPool.Put(w) }
