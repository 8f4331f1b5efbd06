package tfjs

import (
	"strconv"

	"github.com/featuremap/featuremap/internal/tinyjson"
)

// This file is the only one that reads JSON: it turns model.json into a
// Model without weights and the manifest's weight groups. model.json is
// parsed whole (tinyjson, bounded by Limits.MaxJSONBytes and
// maxJSONValues) and then walked; as with encoding/json, unknown keys are
// ignored and null stands for an absent value. Duplicate keys are refused.

// maxJSONValues bounds the values of one model.json (every element and
// member counts): a manifest of DefaultLimits.MaxWeights weights with a
// name, dtype and a few dims each fits, and the parsed tree stays under
// about 100 MB.
const maxJSONValues = 1 << 20

// decodeModelJSON parses model.json.
func decodeModelJSON(data []byte, l Limits) (*Model, []weightGroup, error) {
	f, err := tinyjson.Parse(data, tinyjson.Limits{MaxBytes: l.MaxJSONBytes, MaxValues: maxJSONValues})
	if err != nil {
		return nil, nil, errorf("model.json: " + err.Error())
	}
	if err := want(f, tinyjson.Object, "model.json", "an object"); err != nil {
		return nil, nil, err
	}
	topology := member(f, "modelTopology")
	if topology.Kind == tinyjson.Null {
		return nil, nil, errorf("model.json has no modelTopology (a graph model from tf.saved_model conversion is not a layers model)")
	}
	m := &Model{}
	for _, s := range []struct {
		key string
		dst *string
	}{{"format", &m.Format}, {"generatedBy", &m.GeneratedBy}, {"convertedBy", &m.ConvertedBy}} {
		if *s.dst, err = str(member(f, s.key), s.key); err != nil {
			return nil, nil, err
		}
	}
	if m.Format != "" && m.Format != "layers-model" {
		return nil, nil, errorf("model.json: format " + strconv.Quote(m.Format) + ", want layers-model")
	}
	if err := want(topology, tinyjson.Object, "modelTopology", "an object"); err != nil {
		return nil, nil, err
	}
	if nested := member(topology, "model_config"); nested.Kind != tinyjson.Null { // converter output nests the Keras config
		if err := want(nested, tinyjson.Object, "modelTopology.model_config", "an object"); err != nil {
			return nil, nil, err
		}
		topology = nested
	}
	if m.ClassName, err = str(member(topology, "class_name"), "modelTopology.class_name"); err != nil {
		return nil, nil, err
	}
	config := member(topology, "config")
	null := tinyjson.Value{Kind: tinyjson.Null}
	layers, inputs, outputs := null, null, null
	switch config.Kind {
	case tinyjson.Array: // Keras < 2.2.3 Sequential: the layer list itself
		layers = config
	case tinyjson.Object:
		if m.Name, err = str(member(config, "name"), "modelTopology.config.name"); err != nil {
			return nil, nil, err
		}
		layers, inputs, outputs = member(config, "layers"), member(config, "input_layers"), member(config, "output_layers")
	case tinyjson.Null:
	default:
		return nil, nil, errorf("modelTopology.config: want an object or a list of layers, got " + config.Kind.String())
	}
	if err := want(layers, tinyjson.Array, "modelTopology.config.layers", "a list of layers"); err != nil {
		return nil, nil, err
	}
	if len(layers.Elems) > l.MaxLayers {
		return nil, nil, errorf("modelTopology has " + strconv.Itoa(len(layers.Elems)) + " layers, over the limit of " + strconv.Itoa(l.MaxLayers))
	}
	functional := m.ClassName != "Sequential"
	for i, lv := range layers.Elems {
		layer, err := decodeLayer(lv, i, functional)
		if err != nil {
			return nil, nil, err
		}
		m.Layers = append(m.Layers, layer)
	}
	for _, io := range []struct {
		list tinyjson.Value
		out  *[]string
	}{{inputs, &m.InputLayers}, {outputs, &m.OutputLayers}} {
		if err := want(io.list, tinyjson.Array, "modelTopology.config: input_layers and output_layers", "arrays"); err != nil {
			return nil, nil, err
		}
		for _, e := range io.list.Elems {
			if e.Kind != tinyjson.Array {
				return nil, nil, errorf("modelTopology.config: input_layers and output_layers entries must be arrays, got " + e.Kind.String())
			}
			if len(e.Elems) == 0 {
				return nil, nil, errorf("modelTopology.config: an empty input_layers or output_layers entry")
			}
			if e.Elems[0].Kind != tinyjson.String {
				return nil, nil, errorf("modelTopology.config: input_layers and output_layers entries must start with a layer name")
			}
			*io.out = append(*io.out, e.Elems[0].Str)
		}
	}
	groups, err := decodeManifest(member(f, "weightsManifest"))
	return m, groups, err
}

// decodeLayer reads layer i of the topology: class_name, name (or
// config.name), config and, in a functional model, inbound_nodes.
func decodeLayer(v tinyjson.Value, i int, functional bool) (Layer, error) {
	where := "modelTopology.config.layers[" + strconv.Itoa(i) + "]"
	if err := want(v, tinyjson.Object, where, "an object"); err != nil {
		return Layer{}, err
	}
	var layer Layer
	var err error
	if layer.ClassName, err = str(member(v, "class_name"), where+".class_name"); err != nil {
		return Layer{}, err
	}
	if layer.Name, err = str(member(v, "name"), where+".name"); err != nil {
		return Layer{}, err
	}
	config := member(v, "config")
	if err := want(config, tinyjson.Object, where+".config", "an object"); err != nil {
		return Layer{}, err
	}
	if config.Kind == tinyjson.Object {
		c, err := toAny(config)
		if err != nil {
			return Layer{}, errorf(where + ".config: " + err.Error())
		}
		layer.Config = c.(map[string]any)
	}
	if name, ok := layer.Config["name"].(string); ok && layer.Name == "" {
		layer.Name = name
	}
	if functional {
		if layer.Inbound, err = inbound(member(v, "inbound_nodes")); err != nil {
			return Layer{}, errorf("layer " + strconv.Itoa(i) + " " + strconv.Quote(layer.Name) + ": inbound_nodes: " + err.Error())
		}
	}
	return layer, nil
}

// inbound returns the names of the layers in a functional layer's first
// (and only) inbound node: [[["name", node_index, tensor_index, {kwargs}], ...]].
func inbound(nodes tinyjson.Value) ([]string, error) {
	if err := want(nodes, tinyjson.Array, "inbound_nodes", "an array of nodes"); err != nil {
		return nil, err
	}
	if len(nodes.Elems) > 1 {
		return nil, errorf("layer called more than once (shared layers are not supported)")
	}
	var names []string
	for _, n := range nodes.Elems {
		if n.Kind != tinyjson.Array {
			return nil, errorf("want a node as an array of [\"name\", node_index, tensor_index, {kwargs}] entries, got " + n.Kind.String())
		}
		for _, e := range n.Elems {
			if e.Kind != tinyjson.Array {
				return nil, errorf("entries must be arrays, got " + e.Kind.String())
			}
			if len(e.Elems) == 0 {
				return nil, errorf("empty entry")
			}
			if e.Elems[0].Kind != tinyjson.String {
				return nil, errorf("entries must start with a layer name")
			}
			names = append(names, e.Elems[0].Str)
		}
	}
	return names, nil
}

// decodeManifest reads weightsManifest: [{paths, weights: [{name, shape,
// dtype, quantization: {dtype, scale, min}}]}].
func decodeManifest(v tinyjson.Value) ([]weightGroup, error) {
	if err := want(v, tinyjson.Array, "weightsManifest", "an array"); err != nil {
		return nil, err
	}
	var groups []weightGroup
	for g, gv := range v.Elems {
		where := "weightsManifest[" + strconv.Itoa(g) + "]"
		if err := want(gv, tinyjson.Object, where, "an object"); err != nil {
			return nil, err
		}
		var grp weightGroup
		paths, weights := member(gv, "paths"), member(gv, "weights")
		if err := want(paths, tinyjson.Array, where+".paths", "an array of strings"); err != nil {
			return nil, err
		}
		for _, p := range paths.Elems {
			s, err := str(p, where+".paths")
			if err != nil {
				return nil, err
			}
			grp.paths = append(grp.paths, s)
		}
		if err := want(weights, tinyjson.Array, where+".weights", "an array"); err != nil {
			return nil, err
		}
		for i, wv := range weights.Elems {
			s, err := decodeWeightSpec(wv, where+".weights["+strconv.Itoa(i)+"]")
			if err != nil {
				return nil, err
			}
			grp.weights = append(grp.weights, s)
		}
		groups = append(groups, grp)
	}
	return groups, nil
}

// decodeWeightSpec reads one manifest entry; where names it in errors.
func decodeWeightSpec(v tinyjson.Value, where string) (weightSpec, error) {
	var s weightSpec
	if err := want(v, tinyjson.Object, where, "an object"); err != nil {
		return s, err
	}
	var err error
	if s.name, err = str(member(v, "name"), where+".name"); err != nil {
		return s, err
	}
	if s.dtype, err = str(member(v, "dtype"), where+".dtype"); err != nil {
		return s, err
	}
	shape := member(v, "shape")
	if err := want(shape, tinyjson.Array, where+".shape", "an array of integers"); err != nil {
		return s, err
	}
	for _, d := range shape.Elems {
		n, err := d.Num.Int()
		if d.Kind != tinyjson.Number || err != nil {
			return s, errorf(where + ".shape: want an array of integers")
		}
		s.shape = append(s.shape, n)
	}
	q := member(v, "quantization")
	if err := want(q, tinyjson.Object, where+".quantization", "an object"); err != nil || q.Kind == tinyjson.Null {
		return s, err
	}
	if s.quant, err = str(member(q, "dtype"), where+".quantization.dtype"); err != nil {
		return s, err
	}
	if s.quant == "uint8" || s.quant == "uint16" {
		scale, min := member(q, "scale"), member(q, "min")
		if scale.Kind == tinyjson.Null || min.Kind == tinyjson.Null {
			return s, errorf("weight " + strconv.Quote(s.name) + ": " + s.quant + " quantization without scale and min")
		}
		if s.scale, err = number(scale, where+".quantization.scale"); err != nil {
			return s, err
		}
		if s.min, err = number(min, where+".quantization.min"); err != nil {
			return s, err
		}
	}
	return s, nil
}

// member returns the value of key in object v, or null if v has no such
// member (or is not an object).
func member(v tinyjson.Value, key string) tinyjson.Value {
	for _, m := range v.Members {
		if m.Key == key {
			return m.Value
		}
	}
	return tinyjson.Value{Kind: tinyjson.Null}
}

// want checks that v, named what in the error, is null or of kind k
// (described as desc).
func want(v tinyjson.Value, k tinyjson.Kind, what, desc string) error {
	if v.Kind != tinyjson.Null && v.Kind != k {
		return errorf(what + ": want " + desc + ", got " + v.Kind.String())
	}
	return nil
}

// str returns string v, or "" for null.
func str(v tinyjson.Value, what string) (string, error) {
	return v.Str, want(v, tinyjson.String, what, "a string")
}

// number returns number v as a float64.
func number(v tinyjson.Value, what string) (float64, error) {
	if err := want(v, tinyjson.Number, what, "a number"); err != nil {
		return 0, err
	}
	f, err := v.Num.Float64()
	if err != nil {
		return 0, errorf(what + ": " + err.Error())
	}
	return f, nil
}

// toAny converts v to the values Layer.Config holds, as encoding/json
// decodes into an interface: float64, string, bool, nil, []any and
// map[string]any.
func toAny(v tinyjson.Value) (any, error) {
	switch v.Kind {
	case tinyjson.Bool:
		return v.Bool, nil
	case tinyjson.Number:
		return v.Num.Float64()
	case tinyjson.String:
		return v.Str, nil
	case tinyjson.Array:
		a := make([]any, len(v.Elems))
		for i, e := range v.Elems {
			var err error
			if a[i], err = toAny(e); err != nil {
				return nil, err
			}
		}
		return a, nil
	case tinyjson.Object:
		m := make(map[string]any, len(v.Members))
		for _, e := range v.Members {
			var err error
			if m[e.Key], err = toAny(e.Value); err != nil {
				return nil, err
			}
		}
		return m, nil
	}
	return nil, nil
}
