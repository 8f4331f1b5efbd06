package ops

import (
	"slices"
	"strconv"

	"github.com/featuremap/featuremap/kernel"
)

// Op is one fm.ops function: it takes the JavaScript arguments, in order, and
// returns a new tensor or an error naming the bad argument.
type Op func(args []any) (Tensor, error)

// Ops maps the names under fm.ops to their implementations.
var Ops = map[string]Op{
	"conv2d":  Conv2D,
	"maxPool": MaxPool,
	"avgPool": AvgPool,
	"dense":   Dense,
	"relu":    Relu,
	"softmax": Softmax,
	"lrn":     LRN,
	"concat":  Concat,
}

// image is an NHWC tensor argument; an HWC one is read as N = 1.
type image struct {
	Tensor
	n, h, w, c int
}

func parseImage(op, name string, v any) (image, error) {
	t, err := ParseTensor(op, name, v)
	if err != nil {
		return image{}, err
	}
	switch s := t.Shape; len(s) {
	case 3:
		return image{t, 1, s[0], s[1], s[2]}, nil
	case 4:
		return image{t, s[0], s[1], s[2], s[3]}, nil
	}
	return image{}, errorf(op, "%s.shape must be [N, H, W, C] or [H, W, C], got %s", name, FormatInts(t.Shape))
}

// outShape is the output shape, of the input's rank, for an oh×ow×oc result.
func (im image) outShape(oh, ow, oc int) []int {
	if len(im.Shape) == 3 {
		return []int{oh, ow, oc}
	}
	return []int{im.n, oh, ow, oc}
}

// resolve returns the explicit padding of an h×w plane for a kh×kw window
// with strides s and dilations d.
func (p padSpec) resolve(h, w, kh, kw int, s, d [2]int) kernel.Padding {
	if p.same {
		return kernel.SamePadding2D(h, w, kh, kw, s[0], s[1], d[0], d[1])
	}
	return kernel.Padding{Top: p.pad[0], Bottom: p.pad[1], Left: p.pad[2], Right: p.pad[3]}
}

// Conv2D is fm.ops.conv2d(x, filter, { strides, padding, dilations, groups,
// bias }): tf.nn.conv2d with x [N, H, W, C] (or [H, W, C]), filter
// [KH, KW, C/groups, OC], strides and dilations 1, padding 'VALID' and
// groups 1 by default, and an optional bias of OC values.
func Conv2D(args []any) (Tensor, error) {
	const op = "conv2d"
	x, err := parseImage(op, "x", arg(args, 0))
	if err != nil {
		return Tensor{}, err
	}
	f, err := ParseTensor(op, "filter", arg(args, 1))
	if err != nil {
		return Tensor{}, err
	}
	if len(f.Shape) != 4 {
		return Tensor{}, errorf(op, "filter.shape must be [KH, KW, C/groups, OC], got %s", FormatInts(f.Shape))
	}
	kh, kw, ci, oc := f.Shape[0], f.Shape[1], f.Shape[2], f.Shape[3]
	o, err := ParseOptions(op, arg(args, 2), "strides", "padding", "dilations", "groups", "bias")
	if err != nil {
		return Tensor{}, err
	}
	strides, err := pair(op, "strides", "sh, sw", o["strides"], [2]int{1, 1})
	if err != nil {
		return Tensor{}, err
	}
	dilations, err := pair(op, "dilations", "dh, dw", o["dilations"], [2]int{1, 1})
	if err != nil {
		return Tensor{}, err
	}
	pad, err := padding(op, o["padding"])
	if err != nil {
		return Tensor{}, err
	}
	groups := 1
	if g := o["groups"]; g != nil {
		var ok bool
		if groups, ok = IntIn(g, 1); !ok {
			return Tensor{}, errorf(op, "groups must be a positive integer, got %s", Describe(g))
		}
	}
	switch {
	case oc%groups != 0:
		return Tensor{}, errorf(op, "groups = %d must divide the filter's %d output channels (filter.shape %s)", groups, oc, FormatInts(f.Shape))
	case ci*groups != x.c && groups == 1:
		return Tensor{}, errorf(op, "filter.shape %s needs x with %d channels, got %d (x.shape %s)", FormatInts(f.Shape), ci, x.c, FormatInts(x.Shape))
	case ci*groups != x.c:
		return Tensor{}, errorf(op, "filter.shape %s with groups = %d needs x with %d channels, got %d (x.shape %s)", FormatInts(f.Shape), groups, ci*groups, x.c, FormatInts(x.Shape))
	}
	b, err := bias(op, o["bias"], oc)
	if err != nil {
		return Tensor{}, err
	}
	s := kernel.ConvShape{
		N: x.n, H: x.h, W: x.w, C: x.c, KH: kh, KW: kw, OC: oc,
		StrideH: strides[0], StrideW: strides[1], DilationH: dilations[0], DilationW: dilations[1],
		Groups: groups, Pad: pad.resolve(x.h, x.w, kh, kw, strides, dilations),
	}
	oh, ow := s.Out()
	if oh < 1 || ow < 1 {
		return Tensor{}, errorf(op, "output is empty: the %d×%d filter with dilations %s does not fit x's %d×%d plane with padding %s",
			kh, kw, FormatInts(dilations[:]), x.h, x.w, pad.text)
	}
	out := Tensor{Shape: x.outShape(oh, ow, oc)}
	if err := checkOut(op, out.Shape); err != nil {
		return Tensor{}, err
	}
	if err := checkFLOPs(op, 2*float64(s.OutLen())*float64(kh*kw*(x.c/groups))); err != nil {
		return Tensor{}, err
	}
	ws := s.WorkspaceLen()
	if ws > MaxElements {
		return Tensor{}, errorf(op, "needs %d floats of scratch memory, more than the %d this engine allows: use a smaller x or filter", ws, MaxElements)
	}
	out.Data = make([]float32, s.OutLen())
	return out, kernel.Conv2D(out.Data, x.Data, f.Data, b, s, kernel.Linear, make([]float32, ws))
}

// MaxPool is fm.ops.maxPool(x, { size, strides, padding }): tf.nn.max_pool
// over x [N, H, W, C] (or [H, W, C]); strides default to size (as Keras
// MaxPooling2D), padding to 'VALID'. Padding cells never win.
func MaxPool(args []any) (Tensor, error) { return pool("maxPool", args, kernel.MaxPool) }

// AvgPool is fm.ops.avgPool(x, { size, strides, padding }): tf.nn.avg_pool,
// with MaxPool's arguments; the mean is over the real (non-padding) cells.
func AvgPool(args []any) (Tensor, error) { return pool("avgPool", args, kernel.AvgPool) }

func pool(op string, args []any, run func(dst, x []float32, s kernel.PoolShape) error) (Tensor, error) {
	x, err := parseImage(op, "x", arg(args, 0))
	if err != nil {
		return Tensor{}, err
	}
	o, err := ParseOptions(op, arg(args, 1), "size", "strides", "padding")
	if err != nil {
		return Tensor{}, err
	}
	if o["size"] == nil {
		return Tensor{}, errorf(op, "size is required: a positive integer or [kh, kw]")
	}
	size, err := pair(op, "size", "kh, kw", o["size"], [2]int{})
	if err != nil {
		return Tensor{}, err
	}
	strides, err := pair(op, "strides", "sh, sw", o["strides"], size)
	if err != nil {
		return Tensor{}, err
	}
	pad, err := padding(op, o["padding"])
	if err != nil {
		return Tensor{}, err
	}
	s := kernel.PoolShape{
		N: x.n, H: x.h, W: x.w, C: x.c, KH: size[0], KW: size[1],
		StrideH: strides[0], StrideW: strides[1], Pad: pad.resolve(x.h, x.w, size[0], size[1], strides, [2]int{1, 1}),
	}
	if max(s.Pad.Top, s.Pad.Bottom) >= size[0] || max(s.Pad.Left, s.Pad.Right) >= size[1] {
		return Tensor{}, errorf(op, "padding %s must be smaller than size %s in each dimension (every window needs a real cell)", pad.text, FormatInts(size[:]))
	}
	oh, ow := s.Out()
	if oh < 1 || ow < 1 {
		return Tensor{}, errorf(op, "output is empty: the %d×%d window does not fit x's %d×%d plane with padding %s", size[0], size[1], x.h, x.w, pad.text)
	}
	out := Tensor{Shape: x.outShape(oh, ow, x.c)}
	if err := checkOut(op, out.Shape); err != nil {
		return Tensor{}, err
	}
	if err := checkFLOPs(op, float64(s.OutLen())*float64(size[0])*float64(size[1])); err != nil {
		return Tensor{}, err
	}
	out.Data = make([]float32, s.OutLen())
	return out, run(out.Data, x.Data, s)
}

// Dense is fm.ops.dense(x, w, bias): tf.matMul(x, w) plus an optional bias
// of M values, with x [N, K] and w [K, M].
func Dense(args []any) (Tensor, error) {
	const op = "dense"
	x, err := ParseTensor(op, "x", arg(args, 0))
	if err != nil {
		return Tensor{}, err
	}
	if len(x.Shape) != 2 {
		return Tensor{}, errorf(op, "x.shape must be [N, K], got %s", FormatInts(x.Shape))
	}
	w, err := ParseTensor(op, "w", arg(args, 1))
	if err != nil {
		return Tensor{}, err
	}
	if len(w.Shape) != 2 {
		return Tensor{}, errorf(op, "w.shape must be [K, M], got %s", FormatInts(w.Shape))
	}
	n, k, m := x.Shape[0], x.Shape[1], w.Shape[1]
	if w.Shape[0] != k {
		return Tensor{}, errorf(op, "w.shape %s needs x with %d features (x.shape [N, %d]), got x.shape %s", FormatInts(w.Shape), w.Shape[0], w.Shape[0], FormatInts(x.Shape))
	}
	b, err := bias(op, arg(args, 2), m)
	if err != nil {
		return Tensor{}, err
	}
	out := Tensor{Shape: []int{n, m}}
	if err := checkOut(op, out.Shape); err != nil {
		return Tensor{}, err
	}
	if err := checkFLOPs(op, 2*float64(n)*float64(k)*float64(m)); err != nil {
		return Tensor{}, err
	}
	out.Data = make([]float32, n*m)
	return out, kernel.Dense(out.Data, x.Data, w.Data, b, n, k, m, kernel.Linear, make([]float32, kernel.DenseWorkspaceLen(n, k, m)))
}

// Relu is fm.ops.relu(x): tf.nn.relu, elementwise, any shape.
func Relu(args []any) (Tensor, error) {
	x, err := ParseTensor("relu", "x", arg(args, 0))
	if err != nil {
		return Tensor{}, err
	}
	out := Tensor{Shape: x.Shape, Data: make([]float32, len(x.Data))}
	return out, kernel.Relu(out.Data, x.Data)
}

// lastAxis parses a tensor argument of rank ≥ 1 as [P, C]: C is its last
// axis and P the product of the others.
func lastAxis(op string, v any) (x Tensor, p, c int, err error) {
	if x, err = ParseTensor(op, "x", v); err != nil {
		return Tensor{}, 0, 0, err
	}
	if len(x.Shape) == 0 {
		return Tensor{}, 0, 0, errorf(op, "x.shape must have at least one axis, got []")
	}
	c = x.Shape[len(x.Shape)-1]
	return x, len(x.Data) / c, c, nil
}

// Softmax is fm.ops.softmax(x): tf.nn.softmax over the last axis of x.
func Softmax(args []any) (Tensor, error) {
	x, p, c, err := lastAxis("softmax", arg(args, 0))
	if err != nil {
		return Tensor{}, err
	}
	out := Tensor{Shape: x.Shape, Data: make([]float32, len(x.Data))}
	return out, kernel.Softmax(out.Data, x.Data, p, c)
}

// LRN is fm.ops.lrn(x, { depthRadius, bias, alpha, beta }):
// tf.nn.local_response_normalization over the last axis of x, with
// TensorFlow's defaults 5, 1, 1 and 0.5.
func LRN(args []any) (Tensor, error) {
	const op = "lrn"
	x, p, c, err := lastAxis(op, arg(args, 0))
	if err != nil {
		return Tensor{}, err
	}
	o, err := ParseOptions(op, arg(args, 1), "depthRadius", "bias", "alpha", "beta")
	if err != nil {
		return Tensor{}, err
	}
	params := kernel.LRNParams{DepthRadius: 5}
	if r := o["depthRadius"]; r != nil {
		var ok bool
		if params.DepthRadius, ok = IntIn(r, 0); !ok {
			return Tensor{}, errorf(op, "depthRadius must be a non-negative integer, got %s", Describe(r))
		}
	}
	for _, f := range []struct {
		name string
		dst  *float32
		def  float64
	}{{"bias", &params.Bias, 1}, {"alpha", &params.Alpha, 1}, {"beta", &params.Beta, 0.5}} {
		v, err := number(op, f.name, o[f.name], f.def)
		if err != nil {
			return Tensor{}, err
		}
		*f.dst = float32(v)
	}
	out := Tensor{Shape: x.Shape, Data: make([]float32, len(x.Data))}
	return out, kernel.LRN(out.Data, x.Data, p, c, params)
}

// Concat is fm.ops.concat([a, b, …], { axis }): tf.concat of the tensors
// along axis (default -1, the last; negative values count from the end).
// The tensors must have the same rank and agree on every other axis.
func Concat(args []any) (Tensor, error) {
	const op = "concat"
	list, ok := arg(args, 0).([]any)
	if !ok || len(list) == 0 {
		return Tensor{}, errorf(op, "tensors must be a non-empty array of tensors, got %s", Describe(arg(args, 0)))
	}
	xs := make([]Tensor, len(list))
	for k, v := range list {
		var err error
		if xs[k], err = ParseTensor(op, "tensors["+strconv.Itoa(k)+"]", v); err != nil {
			return Tensor{}, err
		}
	}
	rank := len(xs[0].Shape)
	if rank == 0 {
		return Tensor{}, errorf(op, "tensors[0].shape must have at least one axis, got []")
	}
	o, err := ParseOptions(op, arg(args, 1), "axis")
	if err != nil {
		return Tensor{}, err
	}
	axis := rank - 1
	if a := o["axis"]; a != nil {
		v, ok := IntIn(a, -rank)
		if !ok || v > rank-1 {
			return Tensor{}, errorf(op, "axis must be an integer in [%d, %d] for tensors of rank %d, got %s", -rank, rank-1, rank, Describe(a))
		}
		axis = (v + rank) % rank
	}
	out := Tensor{Shape: slices.Clone(xs[0].Shape)}
	out.Shape[axis] = 0
	srcs, widths := make([][]float32, len(xs)), make([]int, len(xs))
	for k, x := range xs {
		if len(x.Shape) != rank {
			return Tensor{}, errorf(op, "tensors[%d].shape %s must have the rank of tensors[0].shape %s", k, FormatInts(x.Shape), FormatInts(xs[0].Shape))
		}
		for a, d := range x.Shape {
			if a != axis && d != xs[0].Shape[a] {
				return Tensor{}, errorf(op, "tensors[%d].shape %s must match tensors[0].shape %s on every axis but axis %d", k, FormatInts(x.Shape), FormatInts(xs[0].Shape), axis)
			}
		}
		if out.Shape[axis] > MaxElements-x.Shape[axis] {
			return Tensor{}, errorf(op, "output shape has more than %d elements", MaxElements)
		}
		out.Shape[axis] += x.Shape[axis]
		srcs[k], widths[k] = x.Data, product(x.Shape[axis:])
	}
	if err := checkOut(op, out.Shape); err != nil {
		return Tensor{}, err
	}
	out.Data = make([]float32, product(out.Shape))
	return out, kernel.Concat(out.Data, srcs, product(out.Shape[:axis]), widths)
}

// product returns the product of s, 1 for an empty s.
func product(s []int) int {
	p := 1
	for _, d := range s {
		p *= d
	}
	return p
}
