package models

import (
	"math"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/featuremap/featuremap/model/preprocess"
	"github.com/featuremap/featuremap/wasm/internal/ops"
)

// dotImage is a 60×60 page with a filled 6×6 square of ink: a dot.
func dotImage() map[string]any {
	const side = 60
	pix := make([]byte, side*side*4)
	for i := range pix {
		pix[i] = 255 // opaque white
	}
	for y := 27; y < 33; y++ {
		for x := 27; x < 33; x++ {
			i := (y*side + x) * 4
			pix[i], pix[i+1], pix[i+2] = 0, 0, 0
		}
	}
	return map[string]any{"width": float64(side), "height": float64(side), "data": ops.Bytes{Class: "Uint8ClampedArray", Data: pix}}
}

// wantVerdict is confidence.Judge worked out here from its definition:
// the margin is the largest probability minus the second, the reasons are
// the input's not-a-digit findings, then "uncertain" when the margin is
// under 0.6.
func wantVerdict(flags []string, probs []float32) (digit bool, reasons []string, margin float64) {
	sorted := slices.Clone(probs)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i] > sorted[j] })
	margin = float64(sorted[0] - sorted[1])
	reasons = []string{}
	for _, f := range flags {
		if f == "blank" || f == "dot" || f == "line" || f == "several" {
			reasons = append(reasons, f)
		}
	}
	if margin < 0.6 {
		reasons = append(reasons, "uncertain")
	}
	return len(reasons) == 0, reasons, margin
}

// checkInspect checks one inspect result against predict's probabilities
// for the same input, the input preprocess gives (want), and the report
// it found (rep, or nil when there is none).
func checkInspect(t *testing.T, name string, res any, probs, want []float32, rep *preprocess.Report) {
	t.Helper()
	m := res.(map[string]any)
	if got := m["probs"].([]float32); !slices.Equal(got, probs) {
		t.Errorf("%s: probs %v, predict's %v", name, got, probs)
	}
	in := m["input"].(ops.Tensor)
	if !slices.Equal(in.Shape, []int{28, 28, 1}) || !slices.Equal(in.Data, want) {
		t.Errorf("%s: input %v is not what preprocess makes of the image", name, in.Shape)
	}
	var flags []string
	switch {
	case rep == nil && m["report"] != nil:
		t.Errorf("%s: report %v, want null (no image)", name, m["report"])
	case rep != nil:
		r := m["report"].(map[string]any)
		flags = r["flags"].([]string)
		ink := r["ink"].(map[string]any)
		if r["width"] != rep.Width || r["height"] != rep.Height || !slices.Equal(flags, append([]string{}, rep.Flags.Names()...)) ||
			ink["x0"] != rep.Ink.X0 || ink["y1"] != rep.Ink.Y1 || r["kept"] != rep.Kept || r["contrast"] != float64(rep.Contrast) {
			t.Errorf("%s: report %v, want %+v", name, r, *rep)
		}
	}
	v := m["verdict"].(map[string]any)
	digit, reasons, margin := wantVerdict(flags, probs)
	best := slices.Index(probs, slices.Max(probs))
	if v["digit"] != digit || !slices.Equal(v["reasons"].([]string), reasons) || math.Abs(v["margin"].(float64)-margin) > 1e-6 ||
		v["index"] != best || v["label"] != string(rune('0'+best)) || v["p"] != float64(probs[best]) {
		t.Errorf("%s: verdict %v, want digit %v, reasons %v, margin %.6f, index %d", name, v, digit, reasons, margin, best)
	}
}

// inspect's input, report and verdict are what preprocess and the
// definition of the verdict give; its probabilities are predict's, and
// the fast path (InspectStaged) gives the same as the generic one.
func TestInspect(t *testing.T) {
	tab := NewTable()
	h := load(t, tab, seednetFile(t))
	spec := preprocess.Spec{Kind: preprocess.KindMNIST, H: 28, W: 28, C: 1, Norm: preprocess.Norm{Scale: 1.0 / 255}}
	for _, tc := range []struct {
		name string
		img  map[string]any
		dot  bool
	}{{"a drawn 1", drawnDigit(), false}, {"a dot", dotImage(), true}} {
		px := tc.img["data"].(ops.Bytes).Data
		w, ht := int(tc.img["width"].(float64)), int(tc.img["height"].(float64))
		want := make([]float32, 784)
		rep, err := preprocess.InputPixelsReport(want, px, w, ht, 4, spec)
		if err != nil {
			t.Fatal(err)
		}
		if got := rep.Flags&preprocess.Dot != 0; got != tc.dot {
			t.Fatalf("%s: preprocess found %v, want a dot: %v", tc.name, rep.Flags, tc.dot)
		}
		pred, err := tab.Predict([]any{h, tc.img})
		if err != nil {
			t.Fatal(err)
		}
		probs := slices.Clone(probsOf(t, pred))
		res, err := tab.Inspect([]any{h, tc.img, map[string]any{"topK": 3.0}})
		if err != nil {
			t.Fatal(err)
		}
		checkInspect(t, tc.name, res, probs, want, &rep)
		if top := res.(map[string]any)["top"].([]any); len(top) != 3 {
			t.Errorf("%s: topK 3 gave %d classes", tc.name, len(top))
		}
		stagePixels(t, tab, "inspect", int(h), tc.img)
		res, err = tab.InspectStaged([]any{h, nil})
		if err != nil {
			t.Fatal(err)
		}
		checkInspect(t, tc.name+", staged", res, probs, want, &rep)

		// activations, generic and staged, start with the same input.
		acts, err := tab.Activations([]any{h, tc.img})
		if err != nil {
			t.Fatal(err)
		}
		if a := acts.([]any)[0].(map[string]any); a["name"] != InputLayer || !slices.Equal(a["data"].([]float32), want) {
			t.Errorf("%s: activations()[0] = %s, want the preprocessed input", tc.name, a["name"])
		}
		stagePixels(t, tab, "activations", int(h), tc.img)
		if err := tab.Place("activations", int(h), 0, 1); err != nil {
			t.Fatal(err)
		}
		staged, err := tab.RunActivations(int(h))
		if err != nil {
			t.Fatal(err)
		}
		if a := staged[0]; a.Name != InputLayer || a.Type != InputLayer || !slices.Equal(a.Shape, []int{1, 28, 28, 1}) || !slices.Equal(a.Data, want) {
			t.Errorf("%s: staged activations[0] = %s %s %v, want the preprocessed input", tc.name, a.Name, a.Type, a.Shape)
		}
	}

	// A tensor: no report, a verdict from the output alone.
	x := make([]float32, 784)
	for i := range x {
		x[i] = float32(i%13) / 13
	}
	pred, err := tab.Predict([]any{h, x})
	if err != nil {
		t.Fatal(err)
	}
	probs := slices.Clone(probsOf(t, pred))
	res, err := tab.Inspect([]any{h, x})
	if err != nil {
		t.Fatal(err)
	}
	checkInspect(t, "a Float32Array", res, probs, x, nil)
	stagePixels(t, tab, "inspect", int(h), drawnDigit()) // a report that must not leak into the next
	if err := tab.Place("inspect", int(h), 0, 1); err != nil {
		t.Fatal(err)
	}
	stageFloats(t, tab, "inspect", int(h), x)
	res, err = tab.InspectStaged([]any{h})
	if err != nil {
		t.Fatal(err)
	}
	checkInspect(t, "a staged Float32Array", res, probs, x, nil)

	// A model that is not MNIST's: neither report nor verdict.
	hand := load(t, tab, handFile(t))
	res, err = tab.Inspect([]any{hand, map[string]any{"width": 2.0, "height": 2.0, "data": ops.Bytes{Class: "Uint8Array", Data: make([]byte, 16)}}})
	if err != nil {
		t.Fatal(err)
	}
	if m := res.(map[string]any); m["report"] != nil || m["verdict"] != nil {
		t.Errorf("resize model: report %v, verdict %v, want null and null", m["report"], m["verdict"])
	}
}

// inspect's errors name it and the argument.
func TestInspectErrors(t *testing.T) {
	tab := NewTable()
	h := load(t, tab, seednetFile(t))
	for _, tc := range []struct {
		fn   func([]any) (any, error)
		args []any
		want string
	}{
		{tab.Inspect, []any{h, "seven"}, "inspect: input must be a tensor"},
		{tab.Inspect, []any{h, make([]float32, 3)}, "inspect: input is a Float32Array of 3 values, want 784"},
		{tab.Inspect, []any{h, make([]float32, 784), map[string]any{"topK": 0.0}}, "inspect: topK must be a positive integer, got 0"},
		{tab.Inspect, []any{h, make([]float32, 784), map[string]any{"report": true}}, "inspect: unknown option 'report' (known: topK)"},
		{tab.Inspect, []any{9.0, make([]float32, 784)}, "inspect: no model has handle 9"},
		{tab.InspectStaged, []any{"1"}, "inspect: handle must be a positive integer"},
		{tab.InspectStaged, []any{h}, "inspect: no input is staged for this model"},
	} {
		_, err := tc.fn(tc.args)
		if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("%v: error %v, want %q…", tc.args, err, tc.want)
		}
	}
}
