//go:build js && wasm

package jsbridge

import (
	"bytes"
	"strings"
	"testing"
	"unsafe"

	"github.com/featuremap/featuremap/model"
	"github.com/featuremap/featuremap/wasm/internal/models"
	"github.com/featuremap/featuremap/wasm/internal/ops"
)

// seednetTable returns a Table holding the built-in seednet with random
// weights, and its handle.
func seednetTable(t *testing.T) (*models.Table, float64) {
	t.Helper()
	arch, err := model.Builtin("seednet")
	if err != nil {
		t.Fatal(err)
	}
	net, err := model.New(arch)
	if err != nil {
		t.Fatal(err)
	}
	net.InitRandom(1)
	var file bytes.Buffer
	if err := net.Encode(&file, model.EncodeOptions{Int8: true}); err != nil {
		t.Fatal(err)
	}
	tab := models.NewTable()
	info, err := tab.Load([]any{ops.Bytes{Class: "Uint8Array", Data: file.Bytes()}})
	if err != nil {
		t.Fatal(err)
	}
	return tab, float64(info.(map[string]any)["handle"].(int))
}

// Staged returns what the Table returns, at the addresses featuremap.js
// reads, allocates nothing per prediction, and reports failures and
// panics as -1 with the message the generic path gives.
func TestStaged(t *testing.T) {
	tab, h := seednetTable(t)
	s := NewStaged(tab)
	x := make([]float32, 784)
	for i := range x {
		x[i] = float32(i%13) / 13
	}
	res, err := tab.Predict([]any{h, x})
	if err != nil {
		t.Fatal(err)
	}
	want := res.(map[string]any)["probs"].([]float32)

	// predict stages x and runs the model as featuremap.js does, writing
	// into the staged bytes through the Table's own view of them (at the
	// address Stage returned) and reading the outputs likewise.
	predict := func() []float32 {
		addr := s.Stage(float64(models.OpPredict), h, models.KindFloats, 784, 0, 0)
		b, err := tab.Stage(models.OpNames[models.OpPredict], int(h), models.KindFloats, 784, 0, 0)
		if err != nil || addr != float64(addrOf(b)) {
			t.Fatalf("Stage = %v (%s), want the address of the Table's staging bytes %v", addr, s.err, addrOf(b))
		}
		copy(b, unsafe.Slice((*byte)(unsafe.Pointer(&x[0])), 4*len(x)))
		out := s.Run(float64(models.OpPredict), h, 1, 0)
		probs, err := tab.Run(models.OpNames[models.OpPredict], int(h), 1)
		if err != nil || out != float64(addrOf(probs)) {
			t.Fatalf("Run = %v (%s), want the address of the Table's outputs %v", out, s.err, addrOf(probs))
		}
		return probs
	}
	for i, v := range predict() {
		if v != want[i] {
			t.Fatalf("probs[%d] = %v, want %v (Predict)", i, v, want[i])
		}
	}
	if allocs := testing.AllocsPerRun(20, func() { predict() }); allocs != 0 {
		t.Errorf("Stage + Run (twice): %v allocations per prediction, want 0", allocs)
	}

	for _, c := range []struct {
		name string
		call func() float64
		want string
	}{
		{"unknown op", func() float64 { return s.Place(7, h, 0, 1) }, "unknown op code 7"},
		{"wrong size", func() float64 { return s.Stage(float64(models.OpPredict), h, models.KindFloats, 783, 0, 0) }, "predict: input is a Float32Array of 783 values, want 784"},
		{"no model", func() float64 { return s.Run(float64(models.OpPredict), 99, 1, -1) }, "predict: "},
		{"panic", func() float64 { return s.call("run", func() (uintptr, error) { panic("boom") }) }, "run: internal error (please report it): boom"},
	} {
		if got := c.call(); got != -1 || !strings.HasPrefix(s.err, c.want) {
			t.Errorf("%s: %v, %q; want -1 and an error starting %q", c.name, got, s.err, c.want)
		}
	}
}
