package models

import (
	"github.com/featuremap/featuremap/model/confidence"
	"github.com/featuremap/featuremap/model/preprocess"
	"github.com/featuremap/featuremap/wasm/internal/ops"
)

// Inspect is inspect(handle, input, { topK }): predict's result with what
// the network sees and how far to trust it,
//
//	{ probs, top,
//	  input,    // the network's input, a Tensor [H, W, C]: the image after preprocessing
//	  report,   // what MNIST preprocessing found in an image (preprocess.Report), or null
//	  verdict } // confidence.Judge of report's flags and probs, or null
//
// report is null for tensors and for models whose preprocessing is not
// MNIST's; verdict is null for models whose preprocessing is not MNIST's
// (confidence's threshold was chosen for digits). featuremap.js calls it
// for inputs its fast path does not take; InspectStaged for the others.
func (t *Table) Inspect(args []any) (any, error) {
	const op = "inspect"
	e, _, err := t.lookup(op, arg(args, 0))
	if err != nil {
		return nil, err
	}
	x, rep, err := e.input(op, arg(args, 1))
	if err != nil {
		return nil, err
	}
	return e.inspect(op, x, rep, arg(args, 2))
}

// InspectStaged is Inspect of the input staged for the model (Stage, with
// op code OpInspect): inspectStaged(handle, { topK }).
func (t *Table) InspectStaged(args []any) (any, error) {
	op := OpNames[OpInspect]
	e, h, err := t.lookup(op, arg(args, 0))
	if err != nil {
		return nil, err
	}
	if err := t.Place(op, h, 0, 1); err != nil {
		return nil, err
	}
	return e.inspect(op, e.example(0, 1), t.placed, arg(args, 1))
}

// inspect runs e on x and returns Inspect's result; rep is what MNIST
// preprocessing found when x came from an image (else the zero Report,
// whose Width is 0).
func (e *entry) inspect(op string, x []float32, rep preprocess.Report, options any) (any, error) {
	probs, k, err := e.predictOne(op, x, options)
	if err != nil {
		return nil, err
	}
	mnist := e.spec.Kind == preprocess.KindMNIST
	var report, verdict any
	if mnist && rep.Width > 0 {
		report = reportImage(rep)
	}
	if mnist && len(probs) > 0 {
		verdict = verdictImage(confidence.Judge(rep.Flags, probs), e.net.Arch.Labels)
	}
	return map[string]any{
		"probs":   probs,
		"top":     e.top(probs, k),
		"input":   ops.Tensor{Shape: e.net.Graph.Input, Data: x},
		"report":  report,
		"verdict": verdict,
	}, nil
}

// reportImage is the Go image of r's JSON form (its json tags; flags as
// their names).
func reportImage(r preprocess.Report) map[string]any {
	rect := func(b preprocess.Rect) map[string]any {
		return map[string]any{"x0": b.X0, "y0": b.Y0, "x1": b.X1, "y1": b.Y1}
	}
	flags := r.Flags.Names()
	if flags == nil {
		flags = []string{}
	}
	return map[string]any{
		"width": r.Width, "height": r.Height,
		"content": rect(r.Content), "ink": rect(r.Ink),
		"lightPaper": r.LightPaper, "contrast": float64(r.Contrast),
		"cell": r.Cell, "components": r.Components, "kept": r.Kept,
		"specks": r.Specks, "border": r.Border, "apart": r.Apart,
		"flags": flags,
	}
}

// verdictImage is the Go image of v's JSON form, with the label of its
// class (labels[v.Index], or "" past the labels).
func verdictImage(v confidence.Verdict, labels []string) map[string]any {
	reasons := v.Reasons
	if reasons == nil {
		reasons = []string{}
	}
	label := ""
	if v.Index < len(labels) {
		label = labels[v.Index]
	}
	return map[string]any{
		"digit": v.Digit, "reasons": reasons, "index": v.Index, "label": label,
		"p": float64(v.P), "margin": float64(v.Margin), "entropy": float64(v.Entropy),
		"minMargin": float64(confidence.MinMargin),
	}
}
