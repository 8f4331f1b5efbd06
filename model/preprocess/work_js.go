//go:build js && wasm

package preprocess

// On js/wasm one goroutine runs at a time and the analysis never yields,
// so a single cached work serves every call; sync.Pool would add about
// 10 KB to the WebAssembly engine.
var cachedWork *work

func getWork() *work {
	w := cachedWork
	cachedWork = nil
	if w == nil {
		w = new(work)
	}
	return w
}

func putWork(w *work) { cachedWork = w }
