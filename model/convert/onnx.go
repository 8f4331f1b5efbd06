package convert

import (
	"errors"
	"slices"
	"strconv"
	"strings"

	"github.com/featuremap/featuremap/internal/msg"
	"github.com/featuremap/featuremap/internal/tinyjson"
	"github.com/featuremap/featuremap/kernel"
	"github.com/featuremap/featuremap/model"
	"github.com/featuremap/featuremap/model/layers"
	"github.com/featuremap/featuremap/model/onnx"
)

// Metadata keys (ONNX metadata_props) through which ToONNX keeps what ONNX
// has no place for and FromONNX reads back: the class labels (a JSON list
// of strings) and the preprocessing (model.Preprocess as JSON).
const (
	MetaLabels     = "featuremap.labels"
	MetaPreprocess = "featuremap.preprocess"
)

// Supported ONNX opsets of the default domain.
const (
	minOpset = 9
	maxOpset = 21
)

// FromONNX converts an ONNX model (a serialized ModelProto) to a Net. The
// graph's one non-initializer input must be [N, C, H, W] with known C, H
// and W; the Net's input is [H, W, C]. Without MetaPreprocess the input is
// taken as an image resized to H×W with pixel values in [0, 255].
func FromONNX(data []byte) (*model.Net, error) {
	m, err := onnx.Decode(data)
	if err != nil {
		return nil, err
	}
	return fromONNXModel(m)
}

func fromONNXModel(m *onnx.Model) (*model.Net, error) {
	if m.Graph == nil {
		return nil, errors.New("onnx: the model has no graph")
	}
	opset := m.OpsetVersion("")
	if opset < minOpset || opset > maxOpset {
		return nil, errors.New("onnx: opset " + strconv.FormatInt(opset, 10) + " of the default domain is not supported (want " + msg.Int(minOpset) + " to " + msg.Int(maxOpset) + ")")
	}
	c := &onnxConverter{g: m.Graph, opset: opset, values: map[string]value{}, consts: map[string]*onnx.Tensor{}, shapes: map[string][]int64{}, uses: map[string]int{}, names: map[string]bool{model.InputName: true}}
	arch, params, err := c.convert()
	if err != nil {
		return nil, err
	}
	arch.Name = cmpOr(m.Graph.Name, m.ProducerName, "onnx")
	arch.Preprocess = model.Preprocess{Kind: model.PreprocessResize}
	for _, p := range m.Metadata {
		var err error
		switch p.Key {
		case MetaLabels:
			arch.Labels, err = decodeLabels(p.Value)
		case MetaPreprocess:
			arch.Preprocess = model.Preprocess{}
			err = arch.Preprocess.UnmarshalJSON([]byte(p.Value))
		}
		if err != nil {
			return nil, errors.New("onnx: metadata_props " + strconv.Quote(p.Key) + ": " + err.Error())
		}
	}
	return build(arch, params)
}

// build makes the Net of arch and fills its parameters from params, by name.
func build(arch model.Arch, params map[string][]float32) (*model.Net, error) {
	n, err := model.New(arch)
	if err != nil {
		return nil, err
	}
	for _, p := range n.Params() {
		v, ok := params[p.Name]
		if !ok || len(v) != len(p.Data) {
			return nil, errors.New("convert: parameter " + strconv.Quote(p.Name) + ": have " + msg.Int(len(v)) + " values, want " + msg.Int(len(p.Data)))
		}
		copy(p.Data, v)
	}
	return n, nil
}

func cmpOr(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

// value is an ONNX tensor computed by the graph, as featuremap holds it.
type value struct {
	layer string // the featuremap layer that computes it, or model.InputName
	shape []int  // featuremap shape of one example: [H, W, C] or [K]
	// chw is set on a flat value made from a [H, W, C] map with H·W > 1
	// and C > 1: ONNX orders it c, h, w, featuremap h, w, c.
	chw []int
}

type onnxConverter struct {
	g      *onnx.Graph
	opset  int64
	values map[string]value
	consts map[string]*onnx.Tensor
	shapes map[string][]int64 // INT64 vectors computed from shapes (onnx_shape.go)
	uses   map[string]int     // how many node inputs and graph outputs read each value
	names  map[string]bool
	layers []model.Layer
	params map[string][]float32
	// pendingBias: a dense layer made from a MatMul whose output an Add may
	// still fold its bias into: output name → layer name.
	pendingBias map[string]string
}

// decodeLabels reads MetaLabels' value: a JSON list of strings.
func decodeLabels(s string) ([]string, error) {
	v, err := tinyjson.Parse([]byte(s), tinyjson.Limits{MaxDepth: 1})
	if err != nil || v.Kind == tinyjson.Null {
		return nil, err
	}
	if v.Kind != tinyjson.Array {
		return nil, errors.New("want a list of strings, got " + v.Kind.String())
	}
	labels := make([]string, len(v.Elems))
	for i, e := range v.Elems {
		if e.Kind != tinyjson.String {
			return nil, errors.New("label " + strconv.Itoa(i) + ": want a string, got " + e.Kind.String())
		}
		labels[i] = e.Str
	}
	return labels, nil
}

// nodeError is the error for node nd: it names the node, its op and what is wrong.
func nodeError(nd *onnx.Node, what string) error {
	name := nd.Name
	if name == "" && len(nd.Outputs) > 0 {
		name = "→" + nd.Outputs[0]
	}
	return errors.New("onnx: node " + strconv.Quote(name) + " (" + nd.OpType + "): " + what)
}

func (c *onnxConverter) convert() (model.Arch, map[string][]float32, error) {
	c.params = map[string][]float32{}
	c.pendingBias = map[string]string{}
	for i := range c.g.Initializers {
		t := &c.g.Initializers[i]
		c.consts[t.Name] = t
	}
	var arch model.Arch
	for _, in := range c.g.Inputs {
		if _, isConst := c.consts[in.Name]; isConst {
			continue
		}
		if _, seen := c.values[in.Name]; seen {
			return arch, nil, errors.New("onnx: graph input " + strconv.Quote(in.Name) + " listed twice")
		}
		if len(c.values) > 0 {
			return arch, nil, errors.New("onnx: graph input " + strconv.Quote(in.Name) + ": featuremap networks have one input")
		}
		hwc, err := inputShape(in)
		if err != nil {
			return arch, nil, err
		}
		arch.Input = hwc
		c.values[in.Name] = value{layer: model.InputName, shape: hwc[:]}
	}
	if len(c.values) == 0 {
		return arch, nil, errors.New("onnx: the graph has no input that is not an initializer")
	}
	for _, nd := range c.g.Nodes {
		for _, in := range nd.Inputs {
			c.uses[in]++
		}
	}
	if len(c.g.Outputs) != 1 {
		return arch, nil, errors.New("onnx: the graph has " + msg.Int(len(c.g.Outputs)) + " outputs, featuremap networks have one")
	}
	out := c.g.Outputs[0].Name
	c.uses[out]++
	for i := range c.g.Nodes {
		nd := &c.g.Nodes[i]
		if nd.Domain != "" && nd.Domain != "ai.onnx" {
			return arch, nil, nodeError(nd, "domain "+strconv.Quote(nd.Domain)+" is not supported (only the default ONNX domain)")
		}
		if err := c.node(nd); err != nil {
			return arch, nil, err
		}
	}
	v, ok := c.values[out]
	switch {
	case !ok:
		return arch, nil, errors.New("onnx: graph output " + strconv.Quote(out) + " is not computed by any node")
	case len(c.layers) == 0 || v.layer != c.layers[len(c.layers)-1].Name:
		return arch, nil, errors.New("onnx: graph output " + strconv.Quote(out) + " is not the last layer's output")
	case v.chw != nil:
		return arch, nil, errors.New("onnx: graph output " + strconv.Quote(out) + " is a flattened [C, H, W] map, whose element order featuremap does not keep (end the graph with a Gemm or MatMul)")
	}
	arch.Layers = c.layers
	return arch, c.params, nil
}

// inputShape returns [H, W, C] of a graph input [N, C, H, W].
func inputShape(in onnx.ValueInfo) ([3]int, error) {
	t := in.Tensor
	if t == nil || !t.HasShape || len(t.Shape) != 4 {
		return [3]int{}, errors.New("onnx: graph input " + strconv.Quote(in.Name) + ": want a tensor of shape [N, C, H, W]")
	}
	if t.ElemType != onnx.Float {
		return [3]int{}, errors.New("onnx: graph input " + strconv.Quote(in.Name) + ": element type " + t.ElemType.String() + ", want FLOAT")
	}
	var d [3]int
	for i, k := range []int{1, 2, 3} {
		s := t.Shape[k]
		if !s.HasValue || s.Value < 1 || s.Value > layers.MaxElems {
			return [3]int{}, errors.New("onnx: graph input " + strconv.Quote(in.Name) + ": dimension " + msg.Int(k) + " must be a known size in [1, " + msg.Int(layers.MaxElems) + "] ([N, C, H, W])")
		}
		d[i] = int(s.Value)
	}
	return [3]int{d[1], d[2], d[0]}, nil
}

// checkAttrs fails on any attribute of nd not in allowed.
func checkAttrs(nd *onnx.Node, allowed ...string) error {
	for _, a := range nd.Attributes {
		if !slices.Contains(allowed, a.Name) {
			return nodeError(nd, "attribute "+strconv.Quote(a.Name)+" is not supported")
		}
	}
	return nil
}

// input returns the computed value that nd reads as input i.
func (c *onnxConverter) input(nd *onnx.Node, i int) (value, error) {
	if i >= len(nd.Inputs) || nd.Inputs[i] == "" {
		return value{}, nodeError(nd, "input "+msg.Int(i)+" is missing")
	}
	v, ok := c.values[nd.Inputs[i]]
	if !ok {
		if _, isConst := c.consts[nd.Inputs[i]]; isConst {
			return value{}, nodeError(nd, "input "+msg.Int(i)+" "+strconv.Quote(nd.Inputs[i])+" is a constant; featuremap needs it computed from the network input")
		}
		return value{}, nodeError(nd, "input "+msg.Int(i)+" "+strconv.Quote(nd.Inputs[i])+" is not computed before the node")
	}
	return v, nil
}

// constant returns the values and dims of nd's constant input i, nil when
// the optional input is absent.
func (c *onnxConverter) constant(nd *onnx.Node, i int) ([]float32, []int64, error) {
	if i >= len(nd.Inputs) || nd.Inputs[i] == "" {
		return nil, nil, nil
	}
	t, ok := c.consts[nd.Inputs[i]]
	if !ok {
		return nil, nil, nodeError(nd, "input "+msg.Int(i)+" "+strconv.Quote(nd.Inputs[i])+" must be an initializer or a Constant (featuremap layers have fixed weights)")
	}
	v, err := t.Float32s()
	if err != nil {
		return nil, nil, nodeError(nd, "input "+msg.Int(i)+": "+err.Error())
	}
	return v, t.Dims, nil
}

// oneOutput checks that nd has one used output (extra ones must be unused)
// and returns its name.
func (c *onnxConverter) oneOutput(nd *onnx.Node) (string, error) {
	if len(nd.Outputs) == 0 || nd.Outputs[0] == "" {
		return "", nodeError(nd, "no output")
	}
	for i, o := range nd.Outputs[1:] {
		if o != "" && c.uses[o] > 0 {
			return "", nodeError(nd, "output "+msg.Int(i+1)+" "+strconv.Quote(o)+" is used; featuremap computes only the first")
		}
	}
	return nd.Outputs[0], nil
}

// add appends a layer computing nd's output from the inputs and records the value.
func (c *onnxConverter) add(nd *onnx.Node, op layers.Op, inputs []value, params map[string][]float32) (value, error) {
	out, err := c.oneOutput(nd)
	if err != nil {
		return value{}, err
	}
	name := c.layerName(nd, out)
	l := model.Layer{Name: name, Op: op}
	prev := model.InputName
	if len(c.layers) > 0 {
		prev = c.layers[len(c.layers)-1].Name
	}
	if len(inputs) != 1 || inputs[0].layer != prev {
		for _, in := range inputs {
			l.Inputs = append(l.Inputs, in.layer)
		}
	}
	shapes := make([][]int, len(inputs))
	for i, in := range inputs {
		shapes[i] = in.shape
	}
	impl, err := op.Infer(shapes)
	if err == nil {
		_, err = layers.CheckedElems(impl.Out())
	}
	if err != nil {
		return value{}, nodeError(nd, err.Error())
	}
	c.layers = append(c.layers, l)
	for k, v := range params {
		c.params[model.ParamName(name, k)] = v
	}
	v := value{layer: name, shape: impl.Out()}
	c.values[out] = v
	return v, nil
}

// addOrdered adds a one-input layer without parameters whose output is
// a flattened [H, W, C] map in ONNX's c, h, w order when chw is set.
func (c *onnxConverter) addOrdered(nd *onnx.Node, op layers.Op, x value, chw []int) error {
	v, err := c.add(nd, op, []value{x}, nil)
	if err != nil {
		return err
	}
	v.chw = chw
	c.values[nd.Outputs[0]] = v
	return nil
}

// alias makes nd's output the same value as its input 0 (Identity, Dropout).
func (c *onnxConverter) alias(nd *onnx.Node) error {
	v, err := c.input(nd, 0)
	if err != nil {
		return err
	}
	out, err := c.oneOutput(nd)
	if err != nil {
		return err
	}
	c.values[out] = v
	return nil
}

// layerName names the layer of nd: its node name, else its output's,
// made unique and kept apart from the reserved name "input".
func (c *onnxConverter) layerName(nd *onnx.Node, out string) string {
	base := cmpOr(nd.Name, out, strings.ToLower(nd.OpType))
	base = strings.ReplaceAll(base, ".", "_") // "." separates layer and parameter names
	name := base
	for i := 2; c.names[name]; i++ {
		name = base + "_" + msg.Int(i)
	}
	c.names[name] = true
	return name
}

func (c *onnxConverter) node(nd *onnx.Node) error {
	switch nd.OpType {
	case "Conv":
		return c.conv(nd)
	case "MaxPool", "AveragePool":
		return c.pool(nd)
	case "GlobalMaxPool", "GlobalAveragePool":
		return c.globalPool(nd)
	case "LRN":
		return c.lrn(nd)
	case "BatchNormalization":
		return c.batchNorm(nd)
	case "Gemm":
		return c.gemm(nd)
	case "MatMul":
		return c.matMul(nd)
	case "Add":
		return c.addBias(nd)
	case "Flatten", "Reshape":
		return c.flatten(nd)
	case "Relu":
		return c.relu(nd)
	case "Softmax":
		return c.softmax(nd)
	case "Dropout":
		return c.dropout(nd)
	case "Identity":
		return c.alias(nd)
	case "Concat":
		if done, err := c.concatShapes(nd); done || err != nil {
			return err
		}
		return c.concat(nd)
	case "Shape":
		return c.shapeOf(nd)
	case "Gather":
		return c.gather(nd)
	case "Unsqueeze":
		return c.unsqueeze(nd)
	case "Constant":
		return c.constantNode(nd)
	}
	return nodeError(nd, "op "+nd.OpType+" is not supported (featuremap converts "+strings.Join(SupportedONNXOps, ", ")+")")
}

// SupportedONNXOps lists the ONNX ops FromONNX converts.
var SupportedONNXOps = []string{"Conv", "MaxPool", "AveragePool", "GlobalMaxPool", "GlobalAveragePool", "LRN",
	"BatchNormalization", "Gemm", "MatMul", "Add (a MatMul's bias)", "Flatten", "Reshape", "Relu", "Softmax",
	"Dropout", "Identity", "Concat", "Constant", "Shape, Gather, Unsqueeze (a Reshape's shape)"}

func (c *onnxConverter) constantNode(nd *onnx.Node) error {
	if err := checkAttrs(nd, "value"); err != nil {
		return err
	}
	a := nd.Attribute("value")
	if a == nil || a.Type != onnx.AttrTensor || a.T == nil {
		return nodeError(nd, "attribute \"value\" must be a TENSOR (value_float, value_ints, … are not supported)")
	}
	out, err := c.oneOutput(nd)
	if err != nil {
		return err
	}
	c.consts[out] = a.T
	return nil
}

// spatialInput returns nd's input 0, which must be a [H, W, C] map.
func (c *onnxConverter) spatialInput(nd *onnx.Node) (value, error) {
	x, err := c.input(nd, 0)
	if err == nil && len(x.shape) != 3 {
		err = nodeError(nd, "input "+strconv.Quote(nd.Inputs[0])+" has shape "+msg.Ints(x.shape)+", want a [N, C, H, W] map")
	}
	return x, err
}

// ints2 reads a 2-element INTS attribute (kernel_shape, strides, dilations), def when absent.
func ints2(nd *onnx.Node, name string, def [2]int) ([2]int, error) {
	v, err := nd.IntsAttr(name, nil)
	if err != nil {
		return def, err
	}
	if v == nil {
		return def, nil
	}
	if len(v) != 2 || v[0] < 1 || v[1] < 1 || v[0] > layers.MaxElems || v[1] > layers.MaxElems {
		return def, nodeError(nd, "attribute "+strconv.Quote(name)+" = "+msg.Int64s(v)+": want two positive sizes (2-D)")
	}
	return [2]int{int(v[0]), int(v[1])}, nil
}

// window reads the geometry shared by Conv and the pools: kernel, strides,
// dilations and padding (pads or auto_pad), resolved for an input [H, W, C].
func window(nd *onnx.Node, x []int, kernelShape [2]int) (layers.Window, [2]int, error) {
	var w layers.Window
	var err error
	if w.Kernel, err = ints2(nd, "kernel_shape", kernelShape); err != nil {
		return w, [2]int{}, err
	}
	if w.Kernel[0] == 0 {
		return w, [2]int{}, nodeError(nd, "attribute \"kernel_shape\" is missing")
	}
	if w.Strides, err = ints2(nd, "strides", [2]int{1, 1}); err != nil {
		return w, [2]int{}, err
	}
	dil, err := ints2(nd, "dilations", [2]int{1, 1})
	if err != nil {
		return w, [2]int{}, err
	}
	autoPad, err := nd.StringAttr("auto_pad", "NOTSET")
	if err != nil {
		return w, dil, err
	}
	pads, err := nd.IntsAttr("pads", nil)
	if err != nil {
		return w, dil, err
	}
	if pads != nil && autoPad != "NOTSET" {
		return w, dil, nodeError(nd, "attribute \"pads\" given with auto_pad "+strconv.Quote(autoPad))
	}
	switch autoPad {
	case "NOTSET":
		if pads == nil {
			pads = make([]int64, 4)
		}
		if len(pads) != 4 {
			return w, dil, nodeError(nd, "attribute \"pads\" = "+msg.Int64s(pads)+": want 4 values (2-D)")
		}
		for _, p := range pads {
			if p < 0 || p > layers.MaxElems {
				return w, dil, nodeError(nd, "attribute \"pads\" = "+msg.Int64s(pads)+": want sizes ≥ 0")
			}
		}
		// ONNX [top, left, bottom, right] → featuremap [top, bottom, left, right].
		w.Pads = [4]int{int(pads[0]), int(pads[2]), int(pads[1]), int(pads[3])}
		if w.Pads != [4]int{} {
			w.Padding = layers.PadExplicit
		} else {
			w.Padding = layers.PadValid
		}
	case "VALID":
		w.Padding = layers.PadValid
	case "SAME_UPPER":
		w.Padding = layers.PadSame // TensorFlow's SAME: the extra cell after
	case "SAME_LOWER":
		p := kernel.SamePadding2D(x[0], x[1], w.Kernel[0], w.Kernel[1], w.Strides[0], w.Strides[1], dil[0], dil[1])
		// The extra cell goes before: swap the halves.
		w.Padding, w.Pads = layers.PadExplicit, [4]int{p.Bottom, p.Top, p.Right, p.Left}
	default:
		return w, dil, nodeError(nd, "attribute \"auto_pad\" = "+strconv.Quote(autoPad)+": want NOTSET, VALID, SAME_UPPER or SAME_LOWER")
	}
	return w, dil, nil
}

func (c *onnxConverter) conv(nd *onnx.Node) error {
	if err := checkAttrs(nd, "auto_pad", "dilations", "group", "kernel_shape", "pads", "strides"); err != nil {
		return err
	}
	x, err := c.spatialInput(nd)
	if err != nil {
		return err
	}
	w, dims, err := c.constant(nd, 1)
	if err != nil {
		return err
	}
	if w == nil || len(dims) != 4 {
		return nodeError(nd, "weight (input 1) must be an initializer of shape [OC, C/group, KH, KW], got dims "+msg.Int64s(dims))
	}
	group, err := nd.IntAttr("group", 1)
	if err != nil {
		return err
	}
	if group < 1 || group > int64(x.shape[2]) {
		return nodeError(nd, "attribute \"group\" = "+strconv.FormatInt(group, 10)+": want 1 to the input channels "+msg.Int(x.shape[2]))
	}
	oc, cg, kh, kw := int(dims[0]), int(dims[1]), int(dims[2]), int(dims[3])
	win, dil, err := window(nd, x.shape, [2]int{kh, kw})
	if err != nil {
		return err
	}
	if win.Kernel != [2]int{kh, kw} {
		return nodeError(nd, "attribute \"kernel_shape\" "+msg.Ints(win.Kernel[:])+" disagrees with the weight's dims "+msg.Int64s(dims))
	}
	if cg*int(group) != x.shape[2] {
		return nodeError(nd, "weight dims "+msg.Int64s(dims)+" with group "+strconv.FormatInt(group, 10)+" do not fit "+msg.Int(x.shape[2])+" input channels")
	}
	b, bdims, err := c.constant(nd, 2)
	if err != nil {
		return err
	}
	if b == nil {
		b = make([]float32, oc)
	} else if len(b) != oc {
		return nodeError(nd, "bias (input 2) has dims "+msg.Int64s(bdims)+", want ["+msg.Int(oc)+"]")
	}
	hwio := make([]float32, len(w))
	for o := range oc {
		for ci := range cg {
			for i := range kh {
				for j := range kw {
					hwio[((i*kw+j)*cg+ci)*oc+o] = w[((o*cg+ci)*kh+i)*kw+j]
				}
			}
		}
	}
	if dil == [2]int{1, 1} {
		dil = [2]int{} // the default
	}
	op := &layers.Conv2D{Filters: oc, Window: win, Dilations: dil, Groups: int(group)}
	_, err = c.add(nd, op, []value{x}, map[string][]float32{"weight": hwio, "bias": b})
	return err
}

// relu fuses into the conv2d or dense layer that computes its input when
// that layer has no activation and nothing else reads its output (as in
// the built-in architectures), and is a relu layer otherwise.
func (c *onnxConverter) relu(nd *onnx.Node) error {
	if err := checkAttrs(nd); err != nil {
		return err
	}
	x, err := c.input(nd, 0)
	if err != nil {
		return err
	}
	if last := len(c.layers) - 1; last >= 0 && x.layer == c.layers[last].Name && c.uses[nd.Inputs[0]] == 1 {
		switch op := c.layers[last].Op.(type) {
		case *layers.Conv2D:
			if op.Activation == "" {
				op.Activation = layers.ActReLU
				return c.alias(nd)
			}
		case *layers.Dense:
			if op.Activation == "" {
				op.Activation = layers.ActReLU
				return c.alias(nd)
			}
		}
	}
	return c.addOrdered(nd, &layers.ReLU{}, x, x.chw)
}

func (c *onnxConverter) pool(nd *onnx.Node) error {
	isMax := nd.OpType == "MaxPool"
	allowed := []string{"auto_pad", "ceil_mode", "kernel_shape", "pads", "strides", "dilations"}
	if isMax {
		allowed = append(allowed, "storage_order")
	} else {
		allowed = append(allowed, "count_include_pad")
	}
	if err := checkAttrs(nd, allowed...); err != nil {
		return err
	}
	x, err := c.spatialInput(nd)
	if err != nil {
		return err
	}
	win, dil, err := window(nd, x.shape, [2]int{})
	if err != nil {
		return err
	}
	if dil != [2]int{1, 1} {
		return nodeError(nd, "attribute \"dilations\" = "+msg.Ints(dil[:])+": featuremap pools have no dilation")
	}
	ceil, err := nd.IntAttr("ceil_mode", 0)
	if err != nil {
		return err
	}
	includePad, err := nd.IntAttr("count_include_pad", 0)
	if err != nil {
		return err
	}
	if ceil == 1 {
		if !isMax {
			return nodeError(nd, "attribute \"ceil_mode\" = 1 is not supported for AveragePool (its divisor at the edge differs from TensorFlow's)")
		}
		if win.Padding == layers.PadSame {
			return nodeError(nd, "attribute \"ceil_mode\" = 1 with auto_pad SAME_UPPER is not supported")
		}
		// Extra bottom/right padding makes the floor of featuremap's
		// output size the ceiling ONNX asks for; max pooling ignores it.
		for a := range 2 {
			in, k, s := x.shape[a], win.Kernel[a], win.Strides[a]
			before, after := &win.Pads[2*a], &win.Pads[2*a+1]
			span := in + *before + *after - k
			if span < 0 {
				break
			}
			out := (span+s-1)/s + 1
			if (out-1)*s >= in+*before {
				return nodeError(nd, "attribute \"ceil_mode\" = 1 makes a last window of padding only (ONNX Runtime keeps it, PyTorch drops it): not supported for this input size")
			}
			*after += (out-1)*s + k - (in + *before + *after)
			if *after < 0 {
				*after = 0
			}
		}
		if win.Pads != [4]int{} {
			win.Padding = layers.PadExplicit
		}
	} else if ceil != 0 {
		return nodeError(nd, "attribute \"ceil_mode\" = "+strconv.FormatInt(ceil, 10)+": want 0 or 1")
	}
	if isMax {
		order, err := nd.IntAttr("storage_order", 0)
		if err != nil {
			return err
		}
		if order != 0 {
			return nodeError(nd, "attribute \"storage_order\" = "+strconv.FormatInt(order, 10)+": only 0 (row major) is supported")
		}
		_, err = c.add(nd, &layers.MaxPool{Window: win}, []value{x}, nil)
		return err
	}
	if includePad != 0 && includePad != 1 {
		return nodeError(nd, "attribute \"count_include_pad\" = "+strconv.FormatInt(includePad, 10)+": want 0 or 1")
	}
	_, err = c.add(nd, &layers.AvgPool{Window: win, CountIncludePad: int(includePad)}, []value{x}, nil)
	return err
}

func (c *onnxConverter) globalPool(nd *onnx.Node) error {
	if err := checkAttrs(nd); err != nil {
		return err
	}
	x, err := c.spatialInput(nd)
	if err != nil {
		return err
	}
	win := layers.Window{Kernel: [2]int{x.shape[0], x.shape[1]}, Padding: layers.PadValid}
	var op layers.Op = &layers.AvgPool{Window: win}
	if nd.OpType == "GlobalMaxPool" {
		op = &layers.MaxPool{Window: win}
	}
	_, err = c.add(nd, op, []value{x}, nil)
	return err
}

func (c *onnxConverter) lrn(nd *onnx.Node) error {
	if err := checkAttrs(nd, "alpha", "beta", "bias", "size"); err != nil {
		return err
	}
	x, err := c.spatialInput(nd)
	if err != nil {
		return err
	}
	size, err := nd.IntAttr("size", 0)
	if err != nil {
		return err
	}
	if size < 1 || size%2 == 0 || size > layers.MaxElems {
		return nodeError(nd, "attribute \"size\" = "+strconv.FormatInt(size, 10)+": want an odd window size (an even one is asymmetric)")
	}
	alpha, err := nd.FloatAttr("alpha", 1e-4)
	if err != nil {
		return err
	}
	beta, err := nd.FloatAttr("beta", 0.75)
	if err != nil {
		return err
	}
	bias, err := nd.FloatAttr("bias", 1)
	if err != nil {
		return err
	}
	// ONNX divides alpha by the window size, TensorFlow does not.
	op := &layers.LRN{DepthRadius: int(size-1) / 2, Bias: bias, Alpha: float32(float64(alpha) / float64(size)), Beta: beta}
	_, err = c.add(nd, op, []value{x}, nil)
	return err
}

func (c *onnxConverter) batchNorm(nd *onnx.Node) error {
	if err := checkAttrs(nd, "epsilon", "momentum", "training_mode", "spatial"); err != nil {
		return err
	}
	x, err := c.input(nd, 0)
	if err != nil {
		return err
	}
	if x.chw != nil {
		return nodeError(nd, "input is a flattened [C, H, W] map; featuremap normalises the last axis")
	}
	if t, err := nd.IntAttr("training_mode", 0); err != nil || t != 0 {
		return cmpErr(err, nodeError(nd, "attribute \"training_mode\" = "+strconv.FormatInt(t, 10)+": only inference (0) is supported"))
	}
	if s, err := nd.IntAttr("spatial", 1); err != nil || s != 1 {
		return cmpErr(err, nodeError(nd, "attribute \"spatial\" = "+strconv.FormatInt(s, 10)+": only 1 is supported"))
	}
	eps, err := nd.FloatAttr("epsilon", 1e-5)
	if err != nil {
		return err
	}
	if !(eps > 0) {
		return nodeError(nd, "attribute \"epsilon\" = "+msg.Float32(eps)+": want > 0")
	}
	ch := x.shape[len(x.shape)-1]
	p := map[string][]float32{}
	for i, name := range []string{"gamma", "beta", "mean", "variance"} {
		v, dims, err := c.constant(nd, i+1)
		if err != nil {
			return err
		}
		if len(v) != ch {
			return nodeError(nd, "input "+msg.Int(i+1)+" ("+name+") has dims "+msg.Int64s(dims)+", want ["+msg.Int(ch)+"]")
		}
		p[name] = v
	}
	_, err = c.add(nd, &layers.BatchNorm{Epsilon: eps}, []value{x}, p)
	return err
}

func cmpErr(a, b error) error {
	if a != nil {
		return a
	}
	return b
}

// flatInput returns nd's input 0, which must be flat [K].
func (c *onnxConverter) flatInput(nd *onnx.Node) (value, error) {
	x, err := c.input(nd, 0)
	if err == nil && len(x.shape) != 1 {
		err = nodeError(nd, "input "+strconv.Quote(nd.Inputs[0])+" has shape "+msg.Ints(x.shape)+", want [N, K] (add a Flatten)")
	}
	return x, err
}

// dense adds a dense layer on x from w [K, M] and b [M]; with x.chw set
// it permutes w's rows from ONNX's c, h, w order to featuremap's h, w, c.
func (c *onnxConverter) dense(nd *onnx.Node, x value, w, b []float32, m int) (value, error) {
	if x.chw != nil {
		h, wd, ch := x.chw[0], x.chw[1], x.chw[2]
		p := make([]float32, len(w))
		for ci := range ch {
			for i := range h {
				for j := range wd {
					copy(p[((i*wd+j)*ch+ci)*m:][:m], w[((ci*h+i)*wd+j)*m:][:m])
				}
			}
		}
		w = p
	}
	return c.add(nd, &layers.Dense{Units: m}, []value{x}, map[string][]float32{"weight": w, "bias": b})
}

func (c *onnxConverter) gemm(nd *onnx.Node) error {
	if err := checkAttrs(nd, "alpha", "beta", "transA", "transB"); err != nil {
		return err
	}
	x, err := c.flatInput(nd)
	if err != nil {
		return err
	}
	if t, err := nd.IntAttr("transA", 0); err != nil || t != 0 {
		return cmpErr(err, nodeError(nd, "attribute \"transA\" = "+strconv.FormatInt(t, 10)+": only 0 is supported"))
	}
	transB, err := nd.IntAttr("transB", 0)
	if err != nil {
		return err
	}
	alpha, err := nd.FloatAttr("alpha", 1)
	if err != nil {
		return err
	}
	beta, err := nd.FloatAttr("beta", 1)
	if err != nil {
		return err
	}
	w, dims, err := c.constant(nd, 1)
	if err != nil {
		return err
	}
	k := x.shape[0]
	if w == nil || len(dims) != 2 {
		return nodeError(nd, "B (input 1) must be an initializer of rank 2, got dims "+msg.Int64s(dims))
	}
	m := int(dims[1])
	if transB == 1 {
		m = int(dims[0])
	} else if transB != 0 {
		return nodeError(nd, "attribute \"transB\" = "+strconv.FormatInt(transB, 10)+": want 0 or 1")
	}
	if len(w) != k*m {
		return nodeError(nd, "B has dims "+msg.Int64s(dims)+" (transB "+strconv.FormatInt(transB, 10)+"), want K = "+msg.Int(k)+" input features")
	}
	km := make([]float32, len(w))
	for i := range k {
		for j := range m {
			v := w[i*m+j]
			if transB == 1 {
				v = w[j*k+i]
			}
			km[i*m+j] = alpha * v
		}
	}
	b, bdims, err := c.constant(nd, 2)
	if err != nil {
		return err
	}
	bias := make([]float32, m)
	switch len(b) {
	case 0:
	case 1:
		for j := range bias {
			bias[j] = beta * b[0]
		}
	case m:
		for j := range bias {
			bias[j] = beta * b[j]
		}
	default:
		return nodeError(nd, "C (input 2) has dims "+msg.Int64s(bdims)+", want ["+msg.Int(m)+"], [1, "+msg.Int(m)+"] or a scalar")
	}
	_, err = c.dense(nd, x, km, bias, m)
	return err
}

func (c *onnxConverter) matMul(nd *onnx.Node) error {
	if err := checkAttrs(nd); err != nil {
		return err
	}
	x, err := c.flatInput(nd)
	if err != nil {
		return err
	}
	w, dims, err := c.constant(nd, 1)
	if err != nil {
		return err
	}
	if w == nil || len(dims) != 2 || int(dims[0]) != x.shape[0] {
		return nodeError(nd, "input 1 must be an initializer of dims ["+msg.Int(x.shape[0])+", M], got "+msg.Int64s(dims))
	}
	m := int(dims[1])
	v, err := c.dense(nd, x, w, make([]float32, m), m)
	if err == nil && c.uses[nd.Outputs[0]] == 1 {
		c.pendingBias[nd.Outputs[0]] = v.layer
	}
	return err
}

// addBias folds an Add of a constant [M] into the MatMul before it.
func (c *onnxConverter) addBias(nd *onnx.Node) error {
	if err := checkAttrs(nd); err != nil {
		return err
	}
	if len(nd.Inputs) != 2 {
		return nodeError(nd, "want 2 inputs, got "+msg.Int(len(nd.Inputs)))
	}
	xi, bi := 0, 1
	if _, ok := c.consts[nd.Inputs[0]]; ok {
		xi, bi = 1, 0
	}
	layer, ok := c.pendingBias[nd.Inputs[xi]]
	if !ok {
		return nodeError(nd, "only the Add of a constant bias right after a MatMul (whose output nothing else reads) is supported")
	}
	delete(c.pendingBias, nd.Inputs[xi])
	b, dims, err := c.constant(nd, bi)
	if err != nil {
		return err
	}
	x := c.values[nd.Inputs[xi]]
	m := x.shape[0]
	bias := c.params[model.ParamName(layer, "bias")]
	switch len(b) {
	case 1:
		for j := range bias {
			bias[j] += b[0]
		}
	case m:
		for j := range bias {
			bias[j] += b[j]
		}
	default:
		return nodeError(nd, "bias (input "+msg.Int(bi)+") has dims "+msg.Int64s(dims)+", want ["+msg.Int(m)+"] or [1, "+msg.Int(m)+"]")
	}
	out, err := c.oneOutput(nd)
	if err != nil {
		return err
	}
	c.values[out] = x
	return nil
}

func (c *onnxConverter) flatten(nd *onnx.Node) error {
	x, err := c.input(nd, 0)
	if err != nil {
		return err
	}
	if nd.OpType == "Flatten" {
		if err := checkAttrs(nd, "axis"); err != nil {
			return err
		}
		if axis, err := nd.IntAttr("axis", 1); err != nil || axis != 1 {
			return cmpErr(err, nodeError(nd, "attribute \"axis\" = "+strconv.FormatInt(axis, 10)+": only 1 (keep the batch axis) is supported"))
		}
	} else {
		if err := checkAttrs(nd, "allowzero"); err != nil {
			return err
		}
		if err := c.checkFlatReshape(nd, layers.Elems(x.shape)); err != nil {
			return err
		}
	}
	if len(x.shape) == 1 {
		return c.alias(nd)
	}
	var chw []int
	if x.shape[0]*x.shape[1] > 1 && x.shape[2] > 1 {
		chw = x.shape
	}
	return c.addOrdered(nd, &layers.Flatten{}, x, chw)
}

// checkFlatReshape accepts a Reshape to [N, K]: a shape of two entries
// (constant, or computed by onnx_shape.go), the first the batch (0 or -1,
// or 1 as torch.onnx.export folds
// x.view(x.size(0), -1) for an example input of batch 1) and the second k
// or -1.
func (c *onnxConverter) checkFlatReshape(nd *onnx.Node, k int) error {
	if len(nd.Inputs) < 2 {
		return nodeError(nd, "input 1 (shape) is missing")
	}
	s, ok := c.intVector(nd.Inputs[1])
	if !ok {
		return nodeError(nd, "input 1 (shape) must be an INT64 initializer or Constant, or computed from Shape")
	}
	if len(s) != 2 || (s[1] != -1 && s[1] != int64(k)) || (s[0] == -1 && s[1] == -1) || s[0] < -1 || s[0] > 1 {
		return nodeError(nd, "shape "+msg.Int64s(s)+": only a reshape to [N, "+msg.Int(k)+"] (flattening each example) is supported")
	}
	return nil
}

func (c *onnxConverter) softmax(nd *onnx.Node) error {
	if err := checkAttrs(nd, "axis"); err != nil {
		return err
	}
	x, err := c.input(nd, 0)
	if err != nil {
		return err
	}
	def := int64(-1)
	if c.opset < 13 {
		def = 1
	}
	axis, err := nd.IntAttr("axis", def)
	if err != nil {
		return err
	}
	rank := int64(len(x.shape) + 1)
	if axis < 0 {
		axis += rank
	}
	switch {
	case x.chw != nil:
		return nodeError(nd, "input is a flattened [C, H, W] map, whose element order featuremap does not keep")
	case rank == 2 && axis == 1:
	case rank == 4 && axis == 1 && c.opset >= 13:
		// the channel axis: featuremap's last
	default:
		return nodeError(nd, "attribute \"axis\" = "+strconv.FormatInt(axis, 10)+" on a rank-"+strconv.FormatInt(rank, 10)+" input: featuremap's softmax runs over the features of [N, K] or the channels of [N, C, H, W] (opset ≥ 13)")
	}
	_, err = c.add(nd, &layers.Softmax{}, []value{x}, nil)
	return err
}

// dropout is a dropout layer (the identity at inference) with the ratio
// of attribute "ratio" (opset < 12) or input 1, 0.5 by default.
func (c *onnxConverter) dropout(nd *onnx.Node) error {
	if err := checkAttrs(nd, "ratio", "seed", "is_test"); err != nil {
		return err
	}
	if len(nd.Inputs) > 2 && nd.Inputs[2] != "" {
		t, ok := c.consts[nd.Inputs[2]]
		v, err := constBool(t)
		if !ok || err != nil || v {
			return nodeError(nd, "input 2 (training_mode) must be a constant false: featuremap converts models for inference")
		}
	}
	x, err := c.input(nd, 0)
	if err != nil {
		return err
	}
	ratio, err := nd.FloatAttr("ratio", 0.5)
	if err != nil {
		return err
	}
	if r, dims, err := c.constant(nd, 1); err != nil {
		return err
	} else if r != nil {
		if len(r) != 1 {
			return nodeError(nd, "input 1 (ratio) has dims "+msg.Int64s(dims)+", want a scalar")
		}
		ratio = r[0]
	}
	return c.addOrdered(nd, &layers.Dropout{Rate: ratio}, x, x.chw)
}

// constBool reads a scalar BOOL (or integer) tensor.
func constBool(t *onnx.Tensor) (bool, error) {
	if t == nil {
		return false, errors.New("no tensor")
	}
	if t.DataType == onnx.Bool {
		if len(t.RawData) == 1 {
			return t.RawData[0] != 0, nil
		}
		if len(t.Int32Data) == 1 {
			return t.Int32Data[0] != 0, nil
		}
		return false, errors.New("want one value")
	}
	v, err := t.Float32s()
	if err != nil || len(v) != 1 {
		return false, errors.New("want one value")
	}
	return v[0] != 0, nil
}

func (c *onnxConverter) concat(nd *onnx.Node) error {
	if err := checkAttrs(nd, "axis"); err != nil {
		return err
	}
	axis, err := nd.IntAttr("axis", 1)
	if err != nil {
		return err
	}
	var ins []value
	for i := range nd.Inputs {
		x, err := c.input(nd, i)
		if err != nil {
			return err
		}
		if x.chw != nil {
			return nodeError(nd, "input "+msg.Int(i)+" is a flattened [C, H, W] map, whose element order featuremap does not keep")
		}
		ins = append(ins, x)
	}
	if len(ins) == 0 {
		return nodeError(nd, "no inputs")
	}
	rank := int64(len(ins[0].shape) + 1)
	if axis < 0 {
		axis += rank
	}
	if axis != 1 {
		return nodeError(nd, "attribute \"axis\" = "+strconv.FormatInt(axis, 10)+": only the channel (or feature) axis 1 is supported")
	}
	_, err = c.add(nd, &layers.Concat{}, ins, nil)
	return err
}
