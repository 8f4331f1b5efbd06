package model

import (
	"bytes"
	"strconv"
	"testing"
)

// BenchmarkLayers times every step of the built-in models' runners at
// batch 1, with int8 weights as `fm init -int8` writes them (as `make
// bench` runs them): where a prediction's time goes, layer by layer. Under
// wasm: GOOS=js GOARCH=wasm GOEXPERIMENT=simd go test -run '^$' -bench
// Layers ./model/ (go_js_wasm_exec on PATH).
func BenchmarkLayers(b *testing.B) {
	for _, arch := range []string{"seednet", "alexmnist"} {
		var file bytes.Buffer
		if err := seededNet(b, mustBuiltin(b, arch), 1).Encode(&file, EncodeOptions{Int8: true}); err != nil {
			b.Fatal(err)
		}
		net, err := Load(file.Bytes())
		if err != nil {
			b.Fatal(err)
		}
		r := newRunner(b, net, 1, false)
		for range 20 { // warm-up: under wasm, V8 optimises a function once it has run enough
			if _, err := r.Run(testInput(r.InputLen(), 0)); err != nil {
				b.Fatal(err)
			}
		}
		for i := range r.steps {
			st := &r.steps[i]
			b.Run(arch+"/"+strconv.Itoa(i)+"-"+st.name, func(b *testing.B) {
				for b.Loop() {
					if err := st.layer.Forward(&st.s); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
