package models

import (
	"slices"
	"strings"
	"testing"
	"unsafe"

	"github.com/featuremap/featuremap/wasm/internal/ops"
)

// stageFloats stages x for the model with handle h as featuremap.js does:
// Stage, then a copy into the bytes it returns.
func stageFloats(t testing.TB, tab *Table, op string, h int, x []float32) {
	t.Helper()
	b, err := tab.Stage(op, h, KindFloats, len(x), 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	copy(b, unsafe.Slice((*byte)(unsafe.Pointer(&x[0])), 4*len(x)))
}

func stagePixels(t testing.TB, tab *Table, op string, h int, img map[string]any) {
	t.Helper()
	px := img["data"].(ops.Bytes).Data
	b, err := tab.Stage(op, h, KindPixels, len(px), int(img["width"].(float64)), int(img["height"].(float64)))
	if err != nil {
		t.Fatal(err)
	}
	copy(b, px)
}

// The fast path gives exactly what the generic path (Predict, Activations)
// gives, for one example and in batches, and allocates nothing once its
// buffers exist.
func TestStagedMatchesPredict(t *testing.T) {
	tab := NewTable()
	h := int(load(t, tab, seednetFile(t)))
	digit := drawnDigit()
	x := make([]float32, 784)
	for i := range x {
		x[i] = float32(i%17) / 17
	}
	want := make([][]float32, 2)
	for i, in := range []any{x, digit} {
		res, err := tab.Predict([]any{float64(h), in})
		if err != nil {
			t.Fatal(err)
		}
		want[i] = slices.Clone(probsOf(t, res))
	}

	stageFloats(t, tab, "predict", h, x)
	if err := tab.Place("predict", h, 0, 1); err != nil {
		t.Fatal(err)
	}
	if got, err := tab.Run("predict", h, 1); err != nil || !slices.Equal(got, want[0]) {
		t.Errorf("staged Float32Array: %v, %v; want %v", got, err, want[0])
	}

	// A batch of 3: the image, the Float32Array, the image.
	for i, stage := range []func(){
		func() { stagePixels(t, tab, "predictBatch", h, digit) },
		func() { stageFloats(t, tab, "predictBatch", h, x) },
		func() { stagePixels(t, tab, "predictBatch", h, digit) },
	} {
		stage()
		if err := tab.Place("predictBatch", h, i, 3); err != nil {
			t.Fatal(err)
		}
	}
	got, err := tab.Run("predictBatch", h, 3)
	if err != nil {
		t.Fatal(err)
	}
	if k := len(want[0]); !slices.Equal(got[:k], want[1]) || !slices.Equal(got[k:2*k], want[0]) || !slices.Equal(got[2*k:], want[1]) {
		t.Errorf("batch of 3 = %v, want %v, %v, %v", got, want[1], want[0], want[1])
	}

	stagePixels(t, tab, "activations", h, digit)
	if err := tab.Place("activations", h, 0, 1); err != nil {
		t.Fatal(err)
	}
	acts, err := tab.RunActivations(h)
	if err != nil {
		t.Fatal(err)
	}
	if last := acts[len(acts)-1].Data; !slices.Equal(last, want[1]) {
		t.Errorf("last activation %v, want predict's %v", last, want[1])
	}

	px := digit["data"].(ops.Bytes).Data
	allocs := testing.AllocsPerRun(10, func() {
		b, err := tab.Stage("predict", h, KindPixels, len(px), 40, 30)
		if err == nil {
			copy(b, px)
			err = tab.Place("predict", h, 0, 1)
		}
		if err == nil {
			_, err = tab.Run("predict", h, 1)
		}
		if err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 && !raceEnabled {
		t.Errorf("staged pixels → probabilities: %v allocations per run, want 0", allocs)
	}
}

// Fast-path errors name the function and match the generic path's.
func TestStagedErrors(t *testing.T) {
	tab := NewTable()
	h := int(load(t, tab, seednetFile(t)))
	for _, c := range []struct {
		name string
		err  func() error
		want string
	}{
		{"floats", func() error { _, err := tab.Stage("predict", h, KindFloats, 783, 0, 0); return err },
			"predict: input is a Float32Array of 783 values, want 784 (inputShape [28, 28, 1])"},
		{"pixels", func() error { _, err := tab.Stage("activations", h, KindPixels, 15, 2, 2); return err },
			"activations: input.data has 15 bytes, but 2×2 RGBA pixels need 16"},
		{"huge", func() error { _, err := tab.Stage("predict", h, KindPixels, 4, 100000, 100000); return err },
			"predict: the image is 100000×100000 pixels, more than the limit of 67108864"},
		{"handle", func() error { _, err := tab.Stage("predictBatch", 9, KindFloats, 784, 0, 0); return err },
			"predictBatch: no model has handle 9"},
		{"batch", func() error { return tab.Place("predictBatch", h, 0, MaxBatch+1) }, "predictBatch: example 0 of a batch of 65"},
		{"run", func() error { _, err := tab.Run("predictBatch", h, 0); return err }, "predictBatch: batch must be in [1, 64], got 0"},
	} {
		err := c.err()
		if err == nil || !strings.HasPrefix(err.Error(), c.want) {
			t.Errorf("%s: error %v, want %q", c.name, err, c.want)
		}
	}
	if _, err := tab.Dispose([]any{float64(h)}); err != nil {
		t.Fatal(err)
	}
	if _, err := tab.Stage("predict", h, KindFloats, 784, 0, 0); err == nil || err.Error() != "predict: model is disposed (load it again to use it)" {
		t.Errorf("disposed: %v", err)
	}
}
