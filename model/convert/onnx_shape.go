package convert

import (
	"strconv"

	"github.com/featuremap/featuremap/internal/msg"
	"github.com/featuremap/featuremap/model/onnx"
)

// Shape arithmetic: PyTorch exports x.view(x.size(0), -1) with a dynamic
// batch as Shape → Gather → Unsqueeze → Concat(…, [-1]) → Reshape. The
// converter evaluates such INT64 vectors at conversion time, with the
// batch size written 0, which Reshape reads as "the input's size" (its
// allowzero=0 default): the chain becomes Reshape(x, [0, -1]).

// intVector returns the INT64 vector a node input holds: a computed shape
// vector or an integer constant; ok is false for anything else.
func (c *onnxConverter) intVector(name string) ([]int64, bool) {
	if v, ok := c.shapes[name]; ok {
		return v, true
	}
	if t, ok := c.consts[name]; ok && (t.DataType == onnx.Int64 || t.DataType == onnx.Int32) {
		v, err := t.Int64s()
		return v, err == nil
	}
	return nil, false
}

// shapeOf is the Shape op: the ONNX shape [N, C, H, W] or [N, K] of a
// computed value, N written 0.
func (c *onnxConverter) shapeOf(nd *onnx.Node) error {
	if err := checkAttrs(nd); err != nil { // start and end (opset 15) are not supported
		return err
	}
	x, err := c.input(nd, 0)
	if err != nil {
		return err
	}
	s := []int64{0}
	if len(x.shape) == 3 {
		s = append(s, int64(x.shape[2]), int64(x.shape[0]), int64(x.shape[1]))
	} else {
		for _, d := range x.shape {
			s = append(s, int64(d))
		}
	}
	return c.setShape(nd, s)
}

func (c *onnxConverter) setShape(nd *onnx.Node, s []int64) error {
	out, err := c.oneOutput(nd)
	if err == nil {
		c.shapes[out] = s
	}
	return err
}

// gather is Gather on a shape vector with constant indices (axis 0).
func (c *onnxConverter) gather(nd *onnx.Node) error {
	if err := checkAttrs(nd, "axis"); err != nil {
		return err
	}
	if axis, err := nd.IntAttr("axis", 0); err != nil || axis != 0 {
		return cmpErr(err, nodeError(nd, "attribute \"axis\" = "+strconv.FormatInt(axis, 10)+": only Gather from a shape vector (axis 0) is supported"))
	}
	data, ok := c.intVector(nd.Inputs[0])
	var idx []int64
	if ok && len(nd.Inputs) == 2 {
		idx, ok = c.intVector(nd.Inputs[1])
	}
	if !ok {
		return nodeError(nd, "only Gather from a shape vector (Shape of a value, or an INT64 constant) with constant indices is supported")
	}
	out := make([]int64, len(idx))
	for i, k := range idx {
		if k < 0 {
			k += int64(len(data))
		}
		if k < 0 || k >= int64(len(data)) {
			return nodeError(nd, "index "+strconv.FormatInt(idx[i], 10)+" is outside the shape vector "+msg.Int64s(data))
		}
		out[i] = data[k]
	}
	return c.setShape(nd, out)
}

// unsqueeze is Unsqueeze of a shape vector: a scalar becomes a vector of
// one, which the vectors here already are.
func (c *onnxConverter) unsqueeze(nd *onnx.Node) error {
	if err := checkAttrs(nd, "axes"); err != nil {
		return err
	}
	v, ok := c.intVector(nd.Inputs[0])
	if !ok || len(v) != 1 {
		return nodeError(nd, "only Unsqueeze of a shape entry (from Gather) is supported")
	}
	axes, err := nd.IntsAttr("axes", nil) // before opset 13
	if err != nil {
		return err
	}
	if len(nd.Inputs) > 1 { // opset 13 on
		if axes, ok = c.intVector(nd.Inputs[1]); !ok {
			return nodeError(nd, "input 1 (axes) must be a constant")
		}
	}
	if len(axes) != 1 || (axes[0] != 0 && axes[0] != -1) {
		return nodeError(nd, "axes "+msg.Int64s(axes)+": only a scalar made a vector (axes [0]) is supported")
	}
	return c.setShape(nd, v)
}

// concatShapes is Concat of shape vectors and INT64 constants; ok is
// false when an input is a computed tensor (a real Concat).
func (c *onnxConverter) concatShapes(nd *onnx.Node) (bool, error) {
	var s []int64
	for _, in := range nd.Inputs {
		v, ok := c.intVector(in)
		if !ok {
			return false, nil
		}
		s = append(s, v...)
	}
	return true, c.setShape(nd, s)
}
