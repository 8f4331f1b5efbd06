package api

import (
	"fmt"
	"strings"

	"github.com/featuremap/featuremap/model"
	"github.com/featuremap/featuremap/model/preprocess"
)

// Models are the served models, in listing order, and the memory budget
// they share.
type Models struct {
	order  []string
	byName map[string]*Model
	budget int64
	used   int64 // Σ Price of the loaded models
}

// Model is one served model. Until its file is provided it has neither a
// net nor an error; afterwards exactly one of them.
type Model struct {
	Name     string
	net      *model.Net
	summary  *model.Summary
	spec     preprocess.Spec
	price    Price
	err      error
	in       []float32       // one preprocessed image
	run      *model.Runner   // predictions
	keep     *model.Runner   // ?activations= (RunnerOptions.KeepActivations)
	prepared *model.Prepared // the weights both runners share
}

func newModels(names []string, budget int64) *Models {
	m := &Models{byName: map[string]*Model{}, budget: budget}
	for _, n := range names {
		if m.byName[n] == nil {
			m.order = append(m.order, n)
			m.byName[n] = &Model{Name: n}
		}
	}
	return m
}

// missing returns the names among names whose files are still to come.
func (m *Models) missing(names []string) []string {
	var out []string
	for _, n := range names {
		if e := m.byName[n]; e.net == nil && e.err == nil {
			out = append(out, n)
		}
	}
	return out
}

func (m *Models) refuse(name, reason string) {
	if e := m.byName[name]; e != nil && e.net == nil && e.err == nil {
		e.err = fmt.Errorf("model %q cannot be served: %s", name, reason)
	}
}

// provide prices the weight file of name from its header alone and, when
// it fits what is left of the budget, decodes it and plans its runners.
func (m *Models) provide(name string, data []byte) {
	e := m.byName[name]
	if e == nil || e.net != nil || e.err != nil {
		return
	}
	g, p, err := price(data)
	if err != nil {
		e.err = fmt.Errorf("model %q: its weight file %s is not usable: %v", name, ModelPath(name), err)
		return
	}
	s := g.Summary()
	e.summary = &s
	e.price = p
	if left := m.budget - m.used; e.price.Total() > left {
		e.err = fmt.Errorf("model %q needs about %s (weights %s, activations %s, file %s), more than the %s left of this Worker's %s model budget (a Cloudflare isolate has 128 MB); run it with featuremap.js in a browser or in Node instead",
			name, mib(e.price.Total()), mib(e.price.Weights), mib(e.price.Activations), mib(e.price.File), mib(left), mib(m.budget))
		return
	}
	net, err := model.Load(data)
	if err == nil && net.Arch.Name != g.Arch.Name {
		err = fmt.Errorf("arch %q changed while loading", net.Arch.Name)
	}
	if err != nil {
		e.err = fmt.Errorf("model %q: its weight file %s is not usable: %v", name, ModelPath(name), err)
		return
	}
	prepared := model.NewPrepared(net)
	run, err := model.NewRunner(net, model.RunnerOptions{Prepared: prepared})
	if err != nil {
		e.err = fmt.Errorf("model %q: %v", name, err)
		return
	}
	e.net, e.run, e.prepared, e.spec = net, run, prepared, net.Arch.InputSpec()
	m.used += e.price.Total()
}

// Price is the memory a model takes in the Worker, in bytes, priced from
// its file's header before anything is allocated (model.PriceFile).
type Price struct {
	// Weights: the parameters as loaded and the weights packed for both
	// runners (predictions, and ?activations=), priced as if each packed
	// its own: they share what they pack alike (model.Prepared), all but
	// the convolutions a batchnorm folds into, so this bounds it.
	Weights int64
	// Activations: both runners' activations (?activations= keeps every
	// layer's output) and kernel workspaces.
	Activations int64
	// File: the weight file's bytes, held while decoding, and kept
	// afterwards when its int8 weights are read in place.
	File int64
}

// Total is the sum of the parts.
func (p Price) Total() int64 { return p.Weights + p.Activations + p.File }

// price resolves the graph of the weight file data and prices it for the
// Worker's two runners.
func price(data []byte) (*model.Graph, Price, error) {
	g, run, err := model.PriceFile(data, model.RunnerOptions{})
	if err != nil {
		return nil, Price{}, err
	}
	_, keep, err := model.PriceFile(data, model.RunnerOptions{KeepActivations: true})
	if err != nil {
		return nil, Price{}, err
	}
	return g, Price{
		Weights:     run.Params + run.Packed + keep.Packed,
		Activations: run.Activations + run.Workspace + keep.Activations + keep.Workspace,
		File:        int64(len(data)),
	}, nil
}

func mib(b int64) string { return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20)) }

// keepRunner returns the runner that keeps every activation, planning it
// on first use.
func (e *Model) keepRunner() (*model.Runner, error) {
	if e.keep == nil {
		r, err := model.NewRunner(e.net, model.RunnerOptions{KeepActivations: true, Prepared: e.prepared})
		if err != nil {
			return nil, err
		}
		e.keep = r
	}
	return e.keep, nil
}

// Listing is one model in GET /api/v1/models.
type Listing struct {
	Name       string         `json:"name"`
	InputShape []int          `json:"inputShape,omitempty"` // [H, W, C]
	Labels     []string       `json:"labels,omitempty"`
	Preprocess string         `json:"preprocess,omitempty"` // how images are fitted: "mnist", "resize" or "" (tensors only)
	Accuracy   float64        `json:"accuracy,omitempty"`
	Summary    *model.Summary `json:"summary,omitempty"`
	MemoryMiB  float64        `json:"memoryMiB,omitempty"` // Price.Total
	Servable   bool           `json:"servable"`
	Error      string         `json:"error,omitempty"` // why it is not servable
}

func (m *Models) listing() []Listing {
	out := make([]Listing, 0, len(m.order))
	for _, n := range m.order {
		e := m.byName[n]
		l := Listing{Name: n, Summary: e.summary, Servable: e.net != nil}
		if e.summary != nil {
			l.InputShape = e.summary.Input
			l.MemoryMiB = float64(e.price.Total()*10>>20) / 10
		}
		if e.net != nil {
			l.Labels = e.net.Arch.Labels
			l.Preprocess = e.net.Arch.Preprocess.Kind
			l.Accuracy = e.net.Arch.Accuracy
		}
		if e.err != nil {
			l.Error = e.err.Error()
		}
		out = append(out, l)
	}
	return out
}

// names lists the served model names, for error messages.
func (m *Models) names() string { return strings.Join(m.order, ", ") }
