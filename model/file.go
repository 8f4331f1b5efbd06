package model

import (
	"errors"
	"io"
	"math"
	"slices"
	"strconv"

	"github.com/featuremap/featuremap/internal/msg"

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
	arch, err := appendArch(nil, &n.Arch)
	if err != nil {
		return err
	}
	var tensors []safetensors.Tensor
	for i := range n.Graph.Nodes {
		for k, p := range n.LayerParams(i) {
			if opts.Int8 && p.Int8 != nil { // stored as read: encoding again changes nothing
				tensors = append(tensors, safetensors.NewI8(p.Name, p.Shape, p.Int8), safetensors.NewF32(scaleName(p.Name), []int{len(p.Scales)}, p.Scales))
				continue
			}
			w, err := p.Float32s()
			if err != nil {
				return msg.Wrap("model: ", err)
			}
			if !opts.Int8 || !n.Graph.Nodes[i].Params[k].Quantize {
				tensors = append(tensors, safetensors.NewF32(p.Name, p.Shape, w))
				continue
			}
			oc := p.Shape[len(p.Shape)-1]
			q, scales, err := quant.QuantizeInt8PerChannel(w, oc)
			if err != nil {
				return msg.Wrap("model: tensor "+msg.Quote(p.Name)+": ", err)
			}
			tensors = append(tensors, safetensors.NewI8(p.Name, p.Shape, q), safetensors.NewF32(scaleName(p.Name), []int{oc}, scales))
		}
	}
	return safetensors.Encode(w, tensors, map[string]string{MetaFormat: FormatVersion, MetaArch: string(arch)})
}

// Load decodes a weight file within DefaultLimits: see LoadWithin.
func Load(data []byte) (*Net, error) { return LoadWithin(data, DefaultLimits) }

// LoadWithin decodes a weight file whose network fits lim. Int8 tensors
// stay int8 (Tensor.Int8 and Tensor.Scales, with Data nil) and are read in
// place: the Net keeps views of data, which the caller must not change
// afterwards. Each layer prepares them as its kernels read them (dense:
// int8; conv2d: dequantised into its packed filter), so no float32 copy of
// them is made at load. data is treated as hostile: every size is checked
// before it is used, and errors name the metadata field or tensor at fault.
func LoadWithin(data []byte, lim Limits) (*Net, error) {
	f, n, err := readHeader(data, lim)
	if err != nil {
		return nil, err
	}
	used := make(map[string]bool, len(f.Tensors))
	for i := range n.Graph.Nodes {
		for k, p := range n.LayerParams(i) {
			if err := loadParam(f, &p, n.Graph.Nodes[i].Params[k].Quantize, used); err != nil {
				return nil, err
			}
			if p.Int8 != nil {
				n.file = len(data)
			}
			n.params[n.first[i]+k] = p
		}
	}
	if len(used) != len(f.Tensors) {
		for _, t := range f.Tensors {
			if !used[t.Name] {
				return nil, tensorError(t.Name, " is not a parameter of arch "+msg.Quote(n.Arch.Name))
			}
		}
	}
	return n, nil
}

// readHeader parses a weight file's header and resolves its arch within
// lim: it returns the file, whose tensors alias data, and the Net with its
// parameters listed but not read.
func readHeader(data []byte, lim Limits) (*safetensors.File, *Net, error) {
	f, err := safetensors.Parse(data)
	if err != nil {
		return nil, nil, msg.Wrap("model: ", err)
	}
	if v := f.Metadata[MetaFormat]; v != FormatVersion {
		return nil, nil, errors.New("model: __metadata__[" + msg.Quote(MetaFormat) + "] = " + msg.Quote(v) + ", want " + msg.Quote(FormatVersion))
	}
	archJSON, ok := f.Metadata[MetaArch]
	if !ok {
		return nil, nil, errors.New("model: __metadata__[" + msg.Quote(MetaArch) + "] is missing")
	}
	var arch Arch
	if err := arch.UnmarshalJSON([]byte(archJSON)); err != nil {
		return nil, nil, errors.New("model: __metadata__[" + msg.Quote(MetaArch) + "]: " + err.Error())
	}
	n, err := newNet(arch, lim)
	if err != nil {
		return nil, nil, err
	}
	// Every parameter takes at least one byte of the file: refuse an arch
	// the file cannot hold before allocating for it.
	total := 0
	for _, p := range n.params {
		total += numElems(p.Shape)
	}
	if total > len(data) {
		return nil, nil, errors.New("model: arch " + msg.Quote(arch.Name) + " has " + strconv.Itoa(total) + " parameters, more than the file's " + strconv.Itoa(len(data)) + " bytes can hold")
	}
	return f, n, nil
}

// tensorError returns the error "model: tensor <quoted name><text>".
func tensorError(name, text string) error {
	return errors.New("model: tensor " + msg.Quote(name) + text)
}

// loadParam sets p.Data from its tensor in f, or p.Int8 (a view of f's
// bytes) and p.Scales for an int8 tensor, which only a quantisable
// parameter may be, and marks the tensors it read in used.
func loadParam(f *safetensors.File, p *Tensor, quantizable bool, used map[string]bool) error {
	t, ok := f.Tensor(p.Name)
	if !ok {
		return tensorError(p.Name, " is missing")
	}
	if !slices.Equal(t.Shape, p.Shape) {
		return tensorError(p.Name, ": shape "+msg.Ints(t.Shape)+", want "+msg.Ints(p.Shape))
	}
	if t.DType != safetensors.I8 {
		v, err := t.Float32s()
		if err != nil {
			return msg.Wrap("model: ", err)
		}
		p.Data, used[p.Name] = v, true
		return nil
	}
	if !quantizable {
		return tensorError(p.Name, ": dtype I8, want F32 or F16 (only conv2d and dense weights may be int8)")
	}
	sn := scaleName(p.Name)
	s, ok := f.Tensor(sn)
	if !ok {
		return tensorError(p.Name, ": int8 weights need the scales tensor "+msg.Quote(sn))
	}
	oc := p.Shape[len(p.Shape)-1]
	if !slices.Equal(s.Shape, []int{oc}) {
		return tensorError(sn, ": shape "+msg.Ints(s.Shape)+", want ["+strconv.Itoa(oc)+"]")
	}
	scales, err := s.Float32s()
	if err != nil {
		return msg.Wrap("model: ", err)
	}
	for c, v := range scales {
		if !(v >= 0) || math.IsInf(float64(v), 0) {
			return tensorError(sn, ": scale["+strconv.Itoa(c)+"] = "+msg.Float32(v)+", want finite and ≥ 0")
		}
	}
	q, err := t.Int8s()
	if err != nil {
		return msg.Wrap("model: ", err)
	}
	p.Int8, p.Scales = q, scales
	used[p.Name], used[sn] = true, true
	return nil
}
