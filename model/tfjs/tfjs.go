package tfjs

import (
	"math"
	"path"
	"strconv"
	"strings"

	"github.com/featuremap/featuremap/model/float16"
)

// Model is a TensorFlow.js layers model: its topology and its weights,
// decoded to float32 in manifest order.
type Model struct {
	Format       string // "layers-model"
	GeneratedBy  string
	ConvertedBy  string
	ClassName    string // "Sequential", "Model" or "Functional"
	Name         string
	Layers       []Layer
	InputLayers  []string // functional models: the input layers' names
	OutputLayers []string // functional models: the output layers' names
	Weights      []Weight
}

// Layer is one Keras layer of the topology.
type Layer struct {
	ClassName string         // "Conv2D", "Dense", ...
	Name      string         // config.name
	Config    map[string]any // the layer's config as JSON values: float64, string, bool, nil, []any, map[string]any
	Inbound   []string       // functional models: the layers feeding this one; nil in a Sequential model
}

// Weight is one named weight, such as "conv1/kernel", with its values.
type Weight struct {
	Name   string
	Shape  []int
	Values []float32
}

// Limits bounds what Parse accepts. Every field must be set: start from
// DefaultLimits and change what needs changing.
type Limits struct {
	MaxJSONBytes int   // size of model.json
	MaxLayers    int   // layers in the topology
	MaxWeights   int   // weights in the manifest
	MaxRank      int   // dims of one weight
	MaxElements  int64 // elements of all weights together
}

// DefaultLimits are the limits Parse uses: AlexNet's 61 M parameters fit
// four times over.
var DefaultLimits = Limits{
	MaxJSONBytes: 16 << 20,
	MaxLayers:    4096,
	MaxWeights:   1 << 16,
	MaxRank:      8,
	MaxElements:  1 << 28,
}

// Parse reads a layers model with DefaultLimits. modelJSON is model.json;
// shard returns the bytes of the weight file at a path the manifest lists
// (relative to model.json's directory).
func Parse(modelJSON []byte, shard func(path string) ([]byte, error)) (*Model, error) {
	return DefaultLimits.Parse(modelJSON, shard)
}

// Parse reads a layers model within l (see the package Parse).
func (l Limits) Parse(modelJSON []byte, shard func(path string) ([]byte, error)) (*Model, error) {
	if len(modelJSON) > l.MaxJSONBytes {
		return nil, errorf("model.json is " + strconv.Itoa(len(modelJSON)) + " bytes, over the limit of " + strconv.Itoa(l.MaxJSONBytes))
	}
	m, groups, err := decodeModelJSON(modelJSON, l)
	if err != nil {
		return nil, err
	}
	if err := l.readWeights(m, groups, shard); err != nil {
		return nil, err
	}
	return m, nil
}

// weightGroup is one weightsManifest entry: shard paths and the weights
// they hold in order.
type weightGroup struct {
	paths   []string
	weights []weightSpec
}

// weightSpec is one weight's manifest entry.
type weightSpec struct {
	name  string
	shape []int
	dtype string // "float32" or "int32"
	// quantization: "" (none), "uint8", "uint16" or "float16"; value =
	// q·scale + min for the integer kinds.
	quant      string
	scale, min float64
}

// bytesPer is the stored size of one element.
func (s *weightSpec) bytesPer() int {
	switch s.quant {
	case "uint8":
		return 1
	case "uint16", "float16":
		return 2
	}
	return 4
}

func errorf(msg string) error { return &parseError{msg} }

type parseError struct{ msg string }

func (e *parseError) Error() string { return "tfjs: " + e.msg }

// weightError names weight i of group g.
func weightError(g, i int, name, msg string) error {
	return errorf("weightsManifest[" + strconv.Itoa(g) + "].weights[" + strconv.Itoa(i) + "] " + strconv.Quote(name) + ": " + msg)
}

// checkSpec validates a weight's dtype, quantization and shape and returns
// its element count.
func (l Limits) checkSpec(g, i int, s *weightSpec) (int64, error) {
	if s.dtype != "float32" && s.dtype != "int32" {
		return 0, weightError(g, i, s.name, "dtype "+strconv.Quote(s.dtype)+", want float32 or int32")
	}
	switch s.quant {
	case "", "uint8", "uint16":
	case "float16":
		if s.dtype != "float32" {
			return 0, weightError(g, i, s.name, "float16 quantization of an int32 weight")
		}
	default:
		return 0, weightError(g, i, s.name, "quantization dtype "+strconv.Quote(s.quant)+", want uint8, uint16 or float16")
	}
	if (s.quant == "uint8" || s.quant == "uint16") && (math.IsNaN(s.scale) || math.IsInf(s.scale, 0) || math.IsNaN(s.min) || math.IsInf(s.min, 0)) {
		return 0, weightError(g, i, s.name, "quantization scale and min must be finite numbers")
	}
	if len(s.shape) > l.MaxRank {
		return 0, weightError(g, i, s.name, "rank "+strconv.Itoa(len(s.shape))+" over the limit of "+strconv.Itoa(l.MaxRank))
	}
	n := int64(1)
	for _, d := range s.shape {
		if d < 0 {
			return 0, weightError(g, i, s.name, "negative dimension in shape")
		}
		if d > 0 && n > l.MaxElements/int64(d) {
			return 0, weightError(g, i, s.name, "shape over the limit of "+strconv.FormatInt(l.MaxElements, 10)+" elements")
		}
		n *= int64(d)
	}
	return n, nil
}

// checkPath refuses shard paths that could leave model.json's directory.
func checkPath(p string) error {
	if p == "" || path.IsAbs(p) || strings.ContainsAny(p, "\\:") || path.Clean(p) != p || strings.HasPrefix(p, "../") || p == ".." {
		return errorf("weight path " + strconv.Quote(p) + ": want a plain relative path")
	}
	return nil
}

// readWeights prices every weight, then fetches each group's shards,
// checks they hold exactly the group's bytes, and decodes the weights.
func (l Limits) readWeights(m *Model, groups []weightGroup, shard func(string) ([]byte, error)) error {
	var total int64
	count := 0
	seen := map[string]bool{}
	sizes := make([][]int64, len(groups))
	for g := range groups {
		for _, p := range groups[g].paths {
			if err := checkPath(p); err != nil {
				return err
			}
		}
		for i := range groups[g].weights {
			s := &groups[g].weights[i]
			if count++; count > l.MaxWeights {
				return errorf("more than " + strconv.Itoa(l.MaxWeights) + " weights (Limits.MaxWeights)")
			}
			if seen[s.name] {
				return weightError(g, i, s.name, "name used twice")
			}
			seen[s.name] = true
			n, err := l.checkSpec(g, i, s)
			if err != nil {
				return err
			}
			if total += n; total > l.MaxElements {
				return errorf("weights over the limit of " + strconv.FormatInt(l.MaxElements, 10) + " elements (Limits.MaxElements)")
			}
			sizes[g] = append(sizes[g], n)
		}
	}
	m.Weights = make([]Weight, 0, count)
	for g := range groups {
		grp := &groups[g]
		var want int64
		for i, n := range sizes[g] {
			want += n * int64(grp.weights[i].bytesPer())
		}
		// The shards are read before anything is allocated for them, so
		// a manifest that promises more than the shards hold costs nothing.
		var data []byte
		for _, p := range grp.paths {
			b, err := shard(p)
			if err != nil {
				return errorf("weight file " + strconv.Quote(p) + ": " + err.Error())
			}
			if int64(len(b)) > want-int64(len(data)) {
				return errorf("weight files of weightsManifest[" + strconv.Itoa(g) + "] hold more than the " + strconv.FormatInt(want, 10) + " bytes its weights need")
			}
			data = append(data, b...)
		}
		if int64(len(data)) != want {
			return errorf("weight files of weightsManifest[" + strconv.Itoa(g) + "] hold " + strconv.Itoa(len(data)) + " bytes, its weights need " + strconv.FormatInt(want, 10))
		}
		for i, n := range sizes[g] {
			s := &grp.weights[i]
			w := Weight{Name: s.name, Shape: s.shape, Values: make([]float32, n)}
			data = decodeValues(w.Values, data, s)
			m.Weights = append(m.Weights, w)
		}
	}
	return nil
}

// decodeValues fills out from the front of data as s describes (data holds
// enough) and returns the rest of data. Dequantisation follows
// tf.io.decodeWeights: float64 q·scale + min stored as float32, rounded to
// an integer for int32 weights.
func decodeValues(out []float32, data []byte, s *weightSpec) []byte {
	for i := range out {
		var v float64
		switch s.quant {
		case "uint8":
			v = float64(data[0])*s.scale + s.min
			data = data[1:]
		case "uint16":
			v = float64(uint16(data[0])|uint16(data[1])<<8)*s.scale + s.min
			data = data[2:]
		case "float16":
			out[i] = float16.ToFloat32(uint16(data[0]) | uint16(data[1])<<8)
			data = data[2:]
			continue
		default:
			bits := uint32(data[0]) | uint32(data[1])<<8 | uint32(data[2])<<16 | uint32(data[3])<<24
			data = data[4:]
			if s.dtype == "int32" {
				out[i] = float32(int32(bits))
			} else {
				out[i] = math.Float32frombits(bits)
			}
			continue
		}
		if s.dtype == "int32" {
			v = math.Floor(v + 0.5) // Math.round
		}
		out[i] = float32(v)
	}
	return data
}

// Weight returns the weight called name, or nil.
func (m *Model) Weight(name string) *Weight {
	for i := range m.Weights {
		if m.Weights[i].Name == name {
			return &m.Weights[i]
		}
	}
	return nil
}
