package convert

import (
	"errors"
	"slices"
	"strconv"
	"strings"

	"github.com/featuremap/featuremap/internal/msg"
	"github.com/featuremap/featuremap/model"
	"github.com/featuremap/featuremap/model/layers"
	"github.com/featuremap/featuremap/model/tfjs"
)

// FromTFJS converts a TensorFlow.js layers model (model.json, with shard
// returning the bytes of each weight file it lists, by relative path) to
// a Net. Keras layers are NHWC with HWIO kernels like featuremap, so the
// weights carry over unchanged. The input must be [H, W, C]; without
// preprocessing information the input is taken as an image resized to
// H×W with pixel values in [0, 255].
func FromTFJS(modelJSON []byte, shard func(path string) ([]byte, error)) (*model.Net, error) {
	m, err := tfjs.Parse(modelJSON, shard)
	if err != nil {
		return nil, err
	}
	c := &tfjsConverter{m: m, out: map[string]value{}, params: map[string][]float32{}, used: map[string]bool{}}
	arch, err := c.convert()
	if err != nil {
		return nil, err
	}
	for _, w := range m.Weights {
		if !c.used[w.Name] {
			return nil, errors.New("tfjs: weight " + strconv.Quote(w.Name) + " belongs to no converted layer")
		}
	}
	arch.Name = cmpOr(m.Name, "tfjs")
	arch.Preprocess = model.Preprocess{Kind: model.PreprocessResize}
	return build(arch, c.params)
}

// SupportedTFJSLayers lists the Keras layer classes FromTFJS converts.
var SupportedTFJSLayers = []string{"InputLayer", "Conv2D", "MaxPooling2D", "AveragePooling2D", "GlobalMaxPooling2D",
	"GlobalAveragePooling2D", "Dense", "Flatten", "Dropout", "Activation", "ReLU", "Softmax", "BatchNormalization", "Concatenate"}

type tfjsConverter struct {
	m      *tfjs.Model
	out    map[string]value // Keras layer name → its output
	layers []model.Layer
	params map[string][]float32
	used   map[string]bool // weights read
	input  [3]int
	last   value
}

// layerError is the error for layer l: it names the layer, its class and what is wrong.
func layerError(l *tfjs.Layer, what string) error {
	return errors.New("tfjs: layer " + strconv.Quote(l.Name) + " (" + l.ClassName + "): " + what)
}

func (c *tfjsConverter) convert() (model.Arch, error) {
	var arch model.Arch
	for i := range c.m.Layers {
		l := &c.m.Layers[i]
		if err := c.layer(l, i == 0); err != nil {
			return arch, err
		}
	}
	if c.input == [3]int{} {
		return arch, errors.New("tfjs: the model declares no input shape (batch_input_shape)")
	}
	if len(c.m.OutputLayers) > 1 {
		return arch, errors.New("tfjs: the model has " + msg.Int(len(c.m.OutputLayers)) + " outputs, featuremap networks have one")
	}
	out := c.last
	if len(c.m.OutputLayers) == 1 {
		v, ok := c.out[c.m.OutputLayers[0]]
		if !ok {
			return arch, errors.New("tfjs: output layer " + strconv.Quote(c.m.OutputLayers[0]) + " is not in the model")
		}
		out = v
	}
	if len(c.layers) == 0 || out.layer != c.layers[len(c.layers)-1].Name {
		return arch, errors.New("tfjs: the output is not the last layer's output")
	}
	arch.Input, arch.Layers = c.input, c.layers
	return arch, nil
}

// inputs returns the values a layer reads: its inbound layers' outputs
// (functional models) or the previous layer's (Sequential).
func (c *tfjsConverter) inputs(l *tfjs.Layer) ([]value, error) {
	if c.m.ClassName == "Sequential" {
		if c.last.layer == "" {
			return nil, layerError(l, "no input shape before it (set batch_input_shape / inputShape on the first layer)")
		}
		return []value{c.last}, nil
	}
	var vs []value
	for _, name := range l.Inbound {
		v, ok := c.out[name]
		if !ok {
			return nil, layerError(l, "inbound layer "+strconv.Quote(name)+" is not converted before it")
		}
		vs = append(vs, v)
	}
	if len(vs) == 0 {
		return nil, layerError(l, "no inbound layers")
	}
	return vs, nil
}

// setInput reads batch_input_shape [null, H, W, C] (Keras 3 calls it
// batch_shape) as the network input.
func (c *tfjsConverter) setInput(l *tfjs.Layer) error {
	key := "batch_input_shape"
	if !l.Has(key) && l.Has("batch_shape") {
		key = "batch_shape"
	}
	s, err := l.Ints(key)
	if err != nil {
		return err
	}
	if len(s) != 4 || s[1] < 1 || s[2] < 1 || s[3] < 1 {
		return layerError(l, "batch_input_shape "+msg.Ints(s)+": want [null, H, W, C] with known H, W and C")
	}
	if c.input != [3]int{} {
		return layerError(l, "a second input: featuremap networks have one")
	}
	c.input = [3]int{s[1], s[2], s[3]}
	v := value{layer: model.InputName, shape: c.input[:]}
	c.out[l.Name], c.last = v, v
	return nil
}

// weight returns the layer's weight param ("kernel", "bias", …): the
// manifest names it "<layer>/<param>", possibly under a scope prefix.
func (c *tfjsConverter) weight(l *tfjs.Layer, param string, shape []int) ([]float32, error) {
	for _, w := range c.m.Weights {
		if w.Name == l.Name+"/"+param || strings.HasSuffix(w.Name, "/"+l.Name+"/"+param) {
			if !slices.Equal(w.Shape, shape) {
				return nil, layerError(l, "weight "+strconv.Quote(w.Name)+" has shape "+msg.Ints(w.Shape)+", want "+msg.Ints(shape))
			}
			c.used[w.Name] = true
			return w.Values, nil
		}
	}
	return nil, layerError(l, "weight "+strconv.Quote(l.Name+"/"+param)+" is missing")
}

// str, integer, ints2 and float read optional config keys with defaults.
func str(l *tfjs.Layer, key, def string) (string, error) {
	if !l.Has(key) {
		return def, nil
	}
	return l.String(key)
}

func boolean(l *tfjs.Layer, key string, def bool) (bool, error) {
	if !l.Has(key) {
		return def, nil
	}
	return l.Bool(key)
}

func float(l *tfjs.Layer, key string, def float64) (float64, error) {
	if !l.Has(key) {
		return def, nil
	}
	return l.Float(key)
}

func pair(l *tfjs.Layer, key string, def [2]int) ([2]int, error) {
	if !l.Has(key) {
		return def, nil
	}
	v, err := l.Ints(key)
	if err != nil {
		return def, err
	}
	switch {
	case len(v) == 1 && v[0] >= 1:
		return [2]int{v[0], v[0]}, nil
	case len(v) == 2 && v[0] >= 1 && v[1] >= 1:
		return [2]int{v[0], v[1]}, nil
	}
	return def, layerError(l, "config "+strconv.Quote(key)+" = "+msg.Ints(v)+": want one or two positive sizes")
}

// padding reads "same" or "valid".
func padding(l *tfjs.Layer) (string, error) {
	p, err := str(l, "padding", "valid")
	switch {
	case err != nil:
		return "", err
	case p == "same":
		return layers.PadSame, nil
	case p == "valid":
		return layers.PadValid, nil
	}
	return "", layerError(l, "config \"padding\" = "+strconv.Quote(p)+": want \"same\" or \"valid\" (\"causal\" is for 1-D convolutions)")
}

func channelsLast(l *tfjs.Layer) error {
	f, err := str(l, "data_format", "channels_last")
	if err == nil && f != "channels_last" {
		err = layerError(l, "config \"data_format\" = "+strconv.Quote(f)+": only channels_last (NHWC) is supported")
	}
	return err
}

// activation reads a layer's "activation": "" for linear, ActReLU, or
// "softmax" (a softmax layer after it).
func activation(l *tfjs.Layer) (string, error) {
	a, err := str(l, "activation", "linear")
	switch {
	case err != nil:
		return "", err
	case a == "linear":
		return "", nil
	case a == "relu" || a == "softmax":
		return a, nil
	}
	return "", layerError(l, "config \"activation\" = "+strconv.Quote(a)+": featuremap has relu, softmax and linear")
}

// add appends a featuremap layer computing l's output from ins.
func (c *tfjsConverter) add(l *tfjs.Layer, name string, op layers.Op, ins []value, params map[string][]float32) (value, error) {
	ml := model.Layer{Name: name, Op: op}
	prev := model.InputName
	if len(c.layers) > 0 {
		prev = c.layers[len(c.layers)-1].Name
	}
	if len(ins) != 1 || ins[0].layer != prev {
		for _, in := range ins {
			ml.Inputs = append(ml.Inputs, in.layer)
		}
	}
	shapes := make([][]int, len(ins))
	for i, in := range ins {
		shapes[i] = in.shape
	}
	impl, err := op.Infer(shapes)
	if err == nil {
		_, err = layers.CheckedElems(impl.Out())
	}
	if err != nil {
		return value{}, layerError(l, err.Error())
	}
	c.layers = append(c.layers, ml)
	for k, v := range params {
		c.params[model.ParamName(name, k)] = v
	}
	v := value{layer: name, shape: impl.Out()}
	c.out[l.Name], c.last = v, v
	return v, nil
}

// withActivation adds op, fusing a relu or following it with a softmax layer.
func (c *tfjsConverter) withActivation(l *tfjs.Layer, op layers.Op, act *string, ins []value, params map[string][]float32) error {
	a, err := activation(l)
	if err != nil {
		return err
	}
	if a == layers.ActReLU {
		*act = a
	}
	v, err := c.add(l, l.Name, op, ins, params)
	if err != nil || a != "softmax" {
		return err
	}
	_, err = c.add(l, l.Name+"_softmax", &layers.Softmax{}, []value{v}, nil)
	return err
}

func (c *tfjsConverter) layer(l *tfjs.Layer, first bool) error {
	if l.ClassName == "InputLayer" {
		return c.setInput(l)
	}
	if first && (l.Has("batch_input_shape") || l.Has("batch_shape")) {
		if err := c.setInput(l); err != nil {
			return err
		}
	}
	if strings.Contains(l.Name, ".") {
		return layerError(l, "a layer name must not contain \".\" (featuremap names parameters layer.param)")
	}
	ins, err := c.inputs(l)
	if err != nil {
		return err
	}
	x := ins[0]
	spatial := func() error {
		if len(ins) != 1 || len(x.shape) != 3 {
			return layerError(l, "input shape "+msg.Ints(x.shape)+": want one [H, W, C] map")
		}
		return channelsLast(l)
	}
	switch l.ClassName {
	case "Conv2D":
		if err := spatial(); err != nil {
			return err
		}
		return c.conv(l, x)
	case "MaxPooling2D", "AveragePooling2D":
		if err := spatial(); err != nil {
			return err
		}
		k, err := pair(l, "pool_size", [2]int{2, 2})
		if err != nil {
			return err
		}
		s, err := pair(l, "strides", k)
		if err != nil {
			return err
		}
		p, err := padding(l)
		if err != nil {
			return err
		}
		w := layers.Window{Kernel: k, Strides: s, Padding: p}
		var op layers.Op = &layers.MaxPool{Window: w}
		if l.ClassName == "AveragePooling2D" {
			op = &layers.AvgPool{Window: w}
		}
		_, err = c.add(l, l.Name, op, ins, nil)
		return err
	case "GlobalMaxPooling2D", "GlobalAveragePooling2D":
		if err := spatial(); err != nil {
			return err
		}
		if keep, err := boolean(l, "keepdims", false); err != nil || keep {
			return cmpErr(err, layerError(l, "config \"keepdims\" = true is not supported"))
		}
		w := layers.Window{Kernel: [2]int{x.shape[0], x.shape[1]}, Padding: layers.PadValid}
		var op layers.Op = &layers.MaxPool{Window: w}
		if l.ClassName == "GlobalAveragePooling2D" {
			op = &layers.AvgPool{Window: w}
		}
		v, err := c.add(l, l.Name+"_pool", op, ins, nil)
		if err != nil {
			return err
		}
		_, err = c.add(l, l.Name, &layers.Flatten{}, []value{v}, nil)
		return err
	case "Dense":
		return c.dense(l, ins)
	case "Flatten":
		if err := channelsLast(l); err != nil {
			return err
		}
		_, err := c.add(l, l.Name, &layers.Flatten{}, ins, nil)
		return err
	case "Dropout":
		rate, err := float(l, "rate", 0)
		if err != nil {
			return err
		}
		if l.Has("noise_shape") {
			return layerError(l, "config \"noise_shape\" is not supported")
		}
		_, err = c.add(l, l.Name, &layers.Dropout{Rate: float32(rate)}, ins, nil)
		return err
	case "Activation":
		a, err := activation(l)
		if err != nil {
			return err
		}
		var op layers.Op = &layers.ReLU{}
		switch a {
		case "":
			c.out[l.Name] = x // linear: nothing to compute
			return nil
		case "softmax":
			op = &layers.Softmax{}
		}
		_, err = c.add(l, l.Name, op, ins, nil)
		return err
	case "ReLU":
		for _, k := range []string{"max_value", "negative_slope", "threshold"} {
			if v, err := float(l, k, 0); err != nil || v != 0 {
				return cmpErr(err, layerError(l, "config "+strconv.Quote(k)+" = "+msg.Float(v, 64)+": only a plain ReLU is supported"))
			}
		}
		_, err := c.add(l, l.Name, &layers.ReLU{}, ins, nil)
		return err
	case "Softmax":
		if axis, err := float(l, "axis", -1); err != nil || (axis != -1 && int(axis) != len(x.shape)) {
			return cmpErr(err, layerError(l, "config \"axis\" = "+msg.Float(axis, 64)+": only the last axis is supported"))
		}
		_, err := c.add(l, l.Name, &layers.Softmax{}, ins, nil)
		return err
	case "BatchNormalization":
		return c.batchNorm(l, ins)
	case "Concatenate":
		axis, err := float(l, "axis", -1)
		if err != nil {
			return err
		}
		if axis != -1 && int(axis) != len(x.shape) {
			return layerError(l, "config \"axis\" = "+msg.Float(axis, 64)+": only the last (channel) axis is supported")
		}
		_, err = c.add(l, l.Name, &layers.Concat{}, ins, nil)
		return err
	}
	return layerError(l, "layer class "+l.ClassName+" is not supported (featuremap converts "+strings.Join(SupportedTFJSLayers, ", ")+")")
}

func (c *tfjsConverter) conv(l *tfjs.Layer, x value) error {
	filters, err := l.Int("filters")
	if err != nil {
		return err
	}
	k, err := pair(l, "kernel_size", [2]int{})
	if err != nil {
		return err
	}
	if k[0] == 0 {
		return layerError(l, "config \"kernel_size\" is missing")
	}
	s, err := pair(l, "strides", [2]int{1, 1})
	if err != nil {
		return err
	}
	d, err := pair(l, "dilation_rate", [2]int{1, 1})
	if err != nil {
		return err
	}
	if d == [2]int{1, 1} {
		d = [2]int{}
	}
	p, err := padding(l)
	if err != nil {
		return err
	}
	groups := 1
	if l.Has("groups") {
		if groups, err = l.Int("groups"); err != nil {
			return err
		}
	}
	if groups < 1 || x.shape[2]%groups != 0 {
		return layerError(l, "config \"groups\" = "+msg.Int(groups)+" must divide the input channels "+msg.Int(x.shape[2]))
	}
	op := &layers.Conv2D{Filters: filters, Window: layers.Window{Kernel: k, Strides: s, Padding: p}, Dilations: d, Groups: groups}
	w, err := c.weight(l, "kernel", []int{k[0], k[1], x.shape[2] / groups, filters})
	if err != nil {
		return err
	}
	b, err := c.bias(l, filters)
	if err != nil {
		return err
	}
	return c.withActivation(l, op, &op.Activation, []value{x}, map[string][]float32{"weight": w, "bias": b})
}

// bias returns the layer's bias, zeros when use_bias is false.
func (c *tfjsConverter) bias(l *tfjs.Layer, n int) ([]float32, error) {
	use, err := boolean(l, "use_bias", true)
	if err != nil {
		return nil, err
	}
	if !use {
		return make([]float32, n), nil
	}
	return c.weight(l, "bias", []int{n})
}

func (c *tfjsConverter) dense(l *tfjs.Layer, ins []value) error {
	if len(ins) != 1 || len(ins[0].shape) != 1 {
		return layerError(l, "input shape "+msg.Ints(ins[0].shape)+": want a flat [K] input (add a Flatten)")
	}
	units, err := l.Int("units")
	if err != nil {
		return err
	}
	if units < 1 {
		return layerError(l, "config \"units\" = "+msg.Int(units)+": want a positive count")
	}
	w, err := c.weight(l, "kernel", []int{ins[0].shape[0], units})
	if err != nil {
		return err
	}
	b, err := c.bias(l, units)
	if err != nil {
		return err
	}
	op := &layers.Dense{Units: units}
	return c.withActivation(l, op, &op.Activation, ins, map[string][]float32{"weight": w, "bias": b})
}

func (c *tfjsConverter) batchNorm(l *tfjs.Layer, ins []value) error {
	x := ins[0]
	rank := len(x.shape)
	if l.Has("axis") {
		axis, err := l.Ints("axis")
		if err != nil {
			return err
		}
		if len(axis) != 1 || (axis[0] != -1 && axis[0] != rank) {
			return layerError(l, "config \"axis\" = "+msg.Ints(axis)+": only the channel axis (-1) is supported")
		}
	}
	eps, err := float(l, "epsilon", 1e-3)
	if err != nil {
		return err
	}
	mom, err := float(l, "momentum", layers.DefaultBNMomentum)
	if err != nil {
		return err
	}
	ch := x.shape[rank-1]
	p := map[string][]float32{}
	for _, w := range []struct {
		param, keras, flag string
		def                float32
	}{{"gamma", "gamma", "scale", 1}, {"beta", "beta", "center", 0}, {"mean", "moving_mean", "", 0}, {"variance", "moving_variance", "", 0}} {
		if w.flag != "" {
			on, err := boolean(l, w.flag, true)
			if err != nil {
				return err
			}
			if !on {
				v := make([]float32, ch)
				for i := range v {
					v[i] = w.def
				}
				p[w.param] = v
				continue
			}
		}
		v, err := c.weight(l, w.keras, []int{ch})
		if err != nil {
			return err
		}
		p[w.param] = v
	}
	if !(mom > 0 && mom < 1) {
		mom = 0 // the default
	}
	_, err = c.add(l, l.Name, &layers.BatchNorm{Epsilon: float32(eps), Momentum: float32(mom)}, ins, p)
	return err
}
