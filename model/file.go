package model

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"

	"github.com/featuremap/featuremap/model/quant"
	"github.com/featuremap/featuremap/model/safetensors"
)

// A weight file is a safetensors file (package safetensors) whose
// __metadata__ holds MetaFormat = FormatVersion and MetaArch = the Arch as
// JSON, and whose tensors are exactly the Net's parameters, read by name:
// "<layer>.<param>" for every parameter its layer type lists
// (layers.ParamSpec), F32 or F16; a parameter marked Quantize may instead
// be I8 with an F32 or F16 "<layer>.<param>_scale" of shape [OC], one scale
// per index of its last axis (package quant). Examples: "conv1.weight",
// "conv1.weight_scale", "conv1.bias", "bn1.gamma", "bn1.variance".
const (
	FormatVersion = "featuremap/1"
	MetaFormat    = "format"
	MetaArch      = "arch"
)

// scaleName is the name of the per-channel scales of the int8 weight tensor weight.
func scaleName(weight string) string { return weight + "_scale" }

// EncodeOptions configure Net.Encode.
type EncodeOptions struct {
	// Int8 stores every parameter marked Quantize (conv2d and dense
	// weights) as int8 with one float32 scale per output channel (the last
	// axis); the others stay float32.
	Int8 bool
}

// Encode writes n as a weight file. The bytes depend only on n and opts.
func (n *Net) Encode(w io.Writer, opts EncodeOptions) error {
	arch, err := json.Marshal(n.Arch)
	if err != nil {
		return fmt.Errorf("model: encoding the arch: %w", err)
	}
	var tensors []safetensors.Tensor
	for i := range n.Graph.Nodes {
		for k, p := range n.LayerParams(i) {
			if !opts.Int8 || !n.Graph.Nodes[i].Params[k].Quantize {
				tensors = append(tensors, safetensors.NewF32(p.Name, p.Shape, p.Data))
				continue
			}
			oc := p.Shape[len(p.Shape)-1]
			q, scales, err := quant.QuantizeInt8PerChannel(p.Data, oc)
			if err != nil {
				return fmt.Errorf("model: tensor %q: %w", p.Name, err)
			}
			tensors = append(tensors, safetensors.NewI8(p.Name, p.Shape, q), safetensors.NewF32(scaleName(p.Name), []int{oc}, scales))
		}
	}
	return safetensors.Encode(w, tensors, map[string]string{MetaFormat: FormatVersion, MetaArch: string(arch)})
}

// Load decodes a weight file within DefaultLimits: see LoadWithin.
func Load(data []byte) (*Net, error) { return LoadWithin(data, DefaultLimits) }

// LoadWithin decodes a weight file whose network fits lim. Int8 tensors are dequantised into Data and
// also kept as stored (Tensor.Int8, Tensor.Scales) for layers that prepare
// int8 weights. data is treated as
// hostile: every size is checked before it is used, and errors name the
// metadata field or tensor at fault.
func LoadWithin(data []byte, lim Limits) (*Net, error) {
	f, err := safetensors.Parse(data)
	if err != nil {
		return nil, fmt.Errorf("model: %w", err)
	}
	if v := f.Metadata[MetaFormat]; v != FormatVersion {
		return nil, fmt.Errorf("model: __metadata__[%q] = %q, want %q", MetaFormat, v, FormatVersion)
	}
	archJSON, ok := f.Metadata[MetaArch]
	if !ok {
		return nil, fmt.Errorf("model: __metadata__[%q] is missing", MetaArch)
	}
	var arch Arch
	dec := json.NewDecoder(strings.NewReader(archJSON))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&arch); err != nil {
		return nil, fmt.Errorf("model: __metadata__[%q]: %v", MetaArch, err)
	}
	if dec.More() {
		return nil, fmt.Errorf("model: __metadata__[%q]: data after the JSON object", MetaArch)
	}
	n, err := newNet(arch, lim)
	if err != nil {
		return nil, err
	}
	// Every parameter takes at least one byte of the file: refuse an arch
	// the file cannot hold before allocating for it.
	total := 0
	for _, p := range n.params {
		total += numElems(p.Shape)
	}
	if total > len(data) {
		return nil, fmt.Errorf("model: arch %q has %d parameters, more than the file's %d bytes can hold", arch.Name, total, len(data))
	}
	used := make(map[string]bool, len(f.Tensors))
	for i := range n.Graph.Nodes {
		for k, p := range n.LayerParams(i) {
			if err := loadParam(f, &p, n.Graph.Nodes[i].Params[k].Quantize, used); err != nil {
				return nil, err
			}
			n.params[n.first[i]+k] = p
		}
	}
	if len(used) != len(f.Tensors) {
		for _, t := range f.Tensors {
			if !used[t.Name] {
				return nil, fmt.Errorf("model: tensor %q is not a parameter of arch %q", t.Name, arch.Name)
			}
		}
	}
	return n, nil
}

// loadParam sets p.Data from its tensor in f (and p.Int8 and p.Scales for
// an int8 tensor, which only a quantisable parameter may be) and marks the
// tensors it read in used.
func loadParam(f *safetensors.File, p *Tensor, quantizable bool, used map[string]bool) error {
	t, ok := f.Tensor(p.Name)
	if !ok {
		return fmt.Errorf("model: tensor %q is missing", p.Name)
	}
	if !slices.Equal(t.Shape, p.Shape) {
		return fmt.Errorf("model: tensor %q: shape %v, want %v", p.Name, t.Shape, p.Shape)
	}
	if t.DType != safetensors.I8 {
		v, err := t.Float32s()
		if err != nil {
			return fmt.Errorf("model: %w", err)
		}
		p.Data, used[p.Name] = v, true
		return nil
	}
	if !quantizable {
		return fmt.Errorf("model: tensor %q: dtype I8, want F32 or F16 (only conv2d and dense weights may be int8)", p.Name)
	}
	sn := scaleName(p.Name)
	s, ok := f.Tensor(sn)
	if !ok {
		return fmt.Errorf("model: tensor %q: int8 weights need the scales tensor %q", p.Name, sn)
	}
	oc := p.Shape[len(p.Shape)-1]
	if !slices.Equal(s.Shape, []int{oc}) {
		return fmt.Errorf("model: tensor %q: shape %v, want [%d]", sn, s.Shape, oc)
	}
	scales, err := s.Float32s()
	if err != nil {
		return fmt.Errorf("model: %w", err)
	}
	for c, v := range scales {
		if !(v >= 0) || math.IsInf(float64(v), 0) {
			return fmt.Errorf("model: tensor %q: scale[%d] = %v, want finite and ≥ 0", sn, c, v)
		}
	}
	q, err := t.Int8s()
	if err != nil {
		return fmt.Errorf("model: %w", err)
	}
	if p.Data, err = quant.Dequantize(q, scales); err != nil {
		return fmt.Errorf("model: tensor %q: %w", p.Name, err)
	}
	p.Int8, p.Scales = q, scales
	used[p.Name], used[sn] = true, true
	return nil
}
