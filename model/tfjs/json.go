package tfjs

import (
	"bytes"
	"encoding/json"
	"strconv"
)

// This file is the only one that reads JSON: it turns model.json into a
// Model without weights and the manifest's weight groups.

type modelJSONFile struct {
	ModelTopology   json.RawMessage `json:"modelTopology"`
	Format          string          `json:"format"`
	GeneratedBy     string          `json:"generatedBy"`
	ConvertedBy     *string         `json:"convertedBy"`
	WeightsManifest []struct {
		Paths   []string `json:"paths"`
		Weights []struct {
			Name         string `json:"name"`
			Shape        []int  `json:"shape"`
			DType        string `json:"dtype"`
			Quantization *struct {
				DType string   `json:"dtype"`
				Scale *float64 `json:"scale"`
				Min   *float64 `json:"min"`
			} `json:"quantization"`
		} `json:"weights"`
	} `json:"weightsManifest"`
}

// topologyJSON is a Keras model config; converter output nests it in
// model_config.
type topologyJSON struct {
	ClassName   string          `json:"class_name"`
	Config      json.RawMessage `json:"config"`
	ModelConfig *topologyJSON   `json:"model_config"`
}

type layerJSON struct {
	ClassName    string          `json:"class_name"`
	Name         string          `json:"name"`
	Config       map[string]any  `json:"config"`
	InboundNodes json.RawMessage `json:"inbound_nodes"`
}

type modelConfigJSON struct {
	Name         string      `json:"name"`
	Layers       []layerJSON `json:"layers"`
	InputLayers  [][]any     `json:"input_layers"`
	OutputLayers [][]any     `json:"output_layers"`
}

// decodeModelJSON parses model.json.
func decodeModelJSON(data []byte, l Limits) (*Model, []weightGroup, error) {
	var f modelJSONFile
	if err := strict(data, &f); err != nil {
		return nil, nil, errorf("model.json: " + err.Error())
	}
	if len(f.ModelTopology) == 0 || string(f.ModelTopology) == "null" {
		return nil, nil, errorf("model.json has no modelTopology (a graph model from tf.saved_model conversion is not a layers model)")
	}
	if f.Format != "" && f.Format != "layers-model" {
		return nil, nil, errorf("model.json: format " + strconv.Quote(f.Format) + ", want layers-model")
	}
	m := &Model{Format: f.Format, GeneratedBy: f.GeneratedBy}
	if f.ConvertedBy != nil {
		m.ConvertedBy = *f.ConvertedBy
	}
	var top topologyJSON
	if err := strict(f.ModelTopology, &top); err != nil {
		return nil, nil, errorf("modelTopology: " + err.Error())
	}
	if top.ModelConfig != nil {
		top = *top.ModelConfig
	}
	m.ClassName = top.ClassName
	var cfg modelConfigJSON
	switch {
	case bytes.HasPrefix(bytes.TrimSpace(top.Config), []byte("[")): // Keras < 2.2.3 Sequential: the layer list itself
		if err := strict(top.Config, &cfg.Layers); err != nil {
			return nil, nil, errorf("modelTopology.config: " + err.Error())
		}
	default:
		if err := strict(top.Config, &cfg); err != nil {
			return nil, nil, errorf("modelTopology.config: " + err.Error())
		}
	}
	m.Name = cfg.Name
	if len(cfg.Layers) > l.MaxLayers {
		return nil, nil, errorf("modelTopology has " + strconv.Itoa(len(cfg.Layers)) + " layers, over the limit of " + strconv.Itoa(l.MaxLayers))
	}
	functional := m.ClassName != "Sequential"
	for i, lj := range cfg.Layers {
		layer := Layer{ClassName: lj.ClassName, Name: lj.Name, Config: lj.Config}
		if name, ok := lj.Config["name"].(string); ok && layer.Name == "" {
			layer.Name = name
		}
		if functional {
			in, err := inbound(lj.InboundNodes)
			if err != nil {
				return nil, nil, errorf("layer " + strconv.Itoa(i) + " " + strconv.Quote(layer.Name) + ": inbound_nodes: " + err.Error())
			}
			layer.Inbound = in
		}
		m.Layers = append(m.Layers, layer)
	}
	for _, io := range []struct {
		list [][]any
		out  *[]string
	}{{cfg.InputLayers, &m.InputLayers}, {cfg.OutputLayers, &m.OutputLayers}} {
		for _, e := range io.list {
			if len(e) == 0 {
				return nil, nil, errorf("modelTopology.config: an empty input_layers or output_layers entry")
			}
			name, ok := e[0].(string)
			if !ok {
				return nil, nil, errorf("modelTopology.config: input_layers and output_layers entries must start with a layer name")
			}
			*io.out = append(*io.out, name)
		}
	}
	var groups []weightGroup
	for _, g := range f.WeightsManifest {
		grp := weightGroup{paths: g.Paths}
		for _, w := range g.Weights {
			s := weightSpec{name: w.Name, shape: w.Shape, dtype: w.DType}
			if q := w.Quantization; q != nil {
				s.quant = q.DType
				if s.quant == "uint8" || s.quant == "uint16" {
					if q.Scale == nil || q.Min == nil {
						return nil, nil, errorf("weight " + strconv.Quote(w.Name) + ": " + s.quant + " quantization without scale and min")
					}
					s.scale, s.min = *q.Scale, *q.Min
				}
			}
			grp.weights = append(grp.weights, s)
		}
		groups = append(groups, grp)
	}
	return m, groups, nil
}

// inbound returns the names of the layers in a functional layer's first
// (and only) inbound node: [[["name", node_index, tensor_index, {kwargs}], ...]].
func inbound(raw json.RawMessage) ([]string, error) {
	if len(raw) == 0 {
		return nil, nil
	}
	var nodes [][][]any
	if err := strict(raw, &nodes); err != nil {
		return nil, err
	}
	if len(nodes) > 1 {
		return nil, errorf("layer called more than once (shared layers are not supported)")
	}
	var names []string
	for _, n := range nodes {
		for _, e := range n {
			if len(e) == 0 {
				return nil, errorf("empty entry")
			}
			name, ok := e[0].(string)
			if !ok {
				return nil, errorf("entries must start with a layer name")
			}
			names = append(names, name)
		}
	}
	return names, nil
}

// strict unmarshals data into v, which must be the only JSON value.
func strict(data []byte, v any) error {
	d := json.NewDecoder(bytes.NewReader(data))
	if err := d.Decode(v); err != nil {
		return err
	}
	if d.More() {
		return errorf("data after the JSON value")
	}
	return nil
}
