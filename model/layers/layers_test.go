package layers

import (
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/featuremap/featuremap/kernel"
)

// mapAttrs is an Attrs over a map, standing in for the architecture's JSON:
// with decode unset it records every non-zero attribute, with decode set it
// sets each attribute from the map.
type mapAttrs struct {
	decode bool
	m      map[string]any
	order  []string
}

func (a *mapAttrs) visit(name string, v any, zero bool) {
	if a.decode {
		if got, ok := a.m[name]; ok {
			reflect.ValueOf(v).Elem().Set(reflect.ValueOf(got))
		}
		return
	}
	if !zero {
		a.m[name] = reflect.ValueOf(v).Elem().Interface()
		a.order = append(a.order, name)
	}
}

func (a *mapAttrs) Int(name string, v *int)       { a.visit(name, v, *v == 0) }
func (a *mapAttrs) Float(name string, v *float32) { a.visit(name, v, *v == 0) }
func (a *mapAttrs) String(name string, v *string) { a.visit(name, v, *v == "") }

func (a *mapAttrs) Ints(name string, v []int) {
	if a.decode {
		if got, ok := a.m[name]; ok {
			copy(v, got.([]int))
		}
		return
	}
	if slices.ContainsFunc(v, func(x int) bool { return x != 0 }) {
		a.m[name] = slices.Clone(v)
		a.order = append(a.order, name)
	}
}

// TestAttrs round-trips every case's attributes through Attrs and checks
// which attributes conv2d writes, in order.
func TestAttrs(t *testing.T) {
	for _, c := range gradCases {
		enc := &mapAttrs{m: map[string]any{}}
		c.op.Attrs(enc)
		back, err := New(c.op.Type())
		if err != nil {
			t.Fatal(err)
		}
		back.Attrs(&mapAttrs{decode: true, m: enc.m})
		if !reflect.DeepEqual(back, c.op) {
			t.Errorf("%s: attributes %v decode to %+v, want %+v", c.op.Type(), enc.m, back, c.op)
		}
	}
	enc := &mapAttrs{m: map[string]any{}}
	gradCases[0].op.Attrs(enc)
	if want := []string{"filters", "kernel", "strides", "groups", "padding", "activation"}; !slices.Equal(enc.order, want) {
		t.Errorf("conv2d writes %v, want %v", enc.order, want)
	}
	if _, err := New("conv3d"); err == nil || !strings.HasPrefix(err.Error(), `unknown type "conv3d" (known: [avgpool batchnorm`) {
		t.Errorf("New(conv3d) error = %v", err)
	}
	defer func() {
		if recover() == nil {
			t.Error("registering relu twice did not panic")
		}
	}()
	register(TypeReLU, func() Op { return new(ReLU) })
}

// TestInferErrors checks each type's validation messages.
func TestInferErrors(t *testing.T) {
	img := [][]int{{8, 8, 3}}
	conv := func(mod func(*Conv2D)) *Conv2D {
		c := &Conv2D{Filters: 4, Window: Window{Kernel: [2]int{3, 3}}}
		mod(c)
		return c
	}
	for _, c := range []struct {
		op   Op
		in   [][]int
		want string
	}{
		{conv(func(c *Conv2D) {}), [][]int{{8, 8}}, "conv2d needs an input [H W C], got [8 8]"},
		{conv(func(c *Conv2D) {}), [][]int{{8, 8, 3}, {8, 8, 3}}, "conv2d takes one input, got 2"},
		{conv(func(c *Conv2D) { c.Filters = 0 }), img, "filters must be positive, got 0"},
		{conv(func(c *Conv2D) { c.Strides = [2]int{-1, 1} }), img, "kernel [3 3], strides [-1 1] and dilations [0 0] must be in [1, 1073741824]"},
		{conv(func(c *Conv2D) { c.Groups = 2 }), img, "groups 2 must divide input channels 3"},
		{conv(func(c *Conv2D) { c.Groups = 3; c.Filters = 4 }), img, "groups 3 must divide filters 4"},
		{conv(func(c *Conv2D) { c.Activation = "tanh" }), img, `activation must be "relu" or empty, got "tanh"`},
		{conv(func(c *Conv2D) { c.Padding = "same" }), img, `padding must be "VALID", "SAME" or "EXPLICIT", got "same"`},
		{conv(func(c *Conv2D) { c.Pads = [4]int{1, 0, 0, 0} }), img, `pads [1 0 0 0] need padding "EXPLICIT", got ""`},
		{conv(func(c *Conv2D) { c.Padding = PadExplicit; c.Pads = [4]int{-1, 0, 0, 0} }), img, "pads must be in [0, 1073741824], got [-1 0 0 0]"},
		{conv(func(c *Conv2D) { c.Kernel = [2]int{9, 9} }), img, "kernel: conv2d: output is empty"},
		{&Dense{Units: 2}, img, "dense needs a flat input [K], got [8 8 3]: add a flatten layer"},
		{&Dense{}, [][]int{{4}}, "units must be positive, got 0"},
		{&Dense{Units: 2, Activation: "elu"}, [][]int{{4}}, `activation must be "relu" or empty, got "elu"`},
		{&MaxPool{Window{Kernel: [2]int{0, 2}}}, img, "kernel [0 2] and strides [0 0] must be in [1, 1073741824]"},
		{&AvgPool{Window: Window{Kernel: [2]int{2, 2}, Padding: PadExplicit, Pads: [4]int{2, 0, 0, 0}}}, img, "kernel: avgpool: padding"},
		{&AvgPool{Window: Window{Kernel: [2]int{2, 2}, Padding: "x"}}, img, `padding must be "VALID", "SAME" or "EXPLICIT", got "x"`},
		{&AvgPool{Window: Window{Kernel: [2]int{2, 2}}, CountIncludePad: 2}, img, "count_include_pad must be 0 or 1, got 2"},
		{&MaxPool{Window{Kernel: [2]int{2, 2}}}, [][]int{{4}}, "maxpool needs an input [H W C], got [4]"},
		{&LRN{DepthRadius: -1, Bias: 1}, img, "depth_radius must not be negative, got -1"},
		{&LRN{Bias: 1, Alpha: float32(math.Inf(1))}, img, "lrn needs bias > 0, alpha ≥ 0, beta ≥ 0 (finite), got 1, +Inf, 0"},
		{&ReLU{}, nil, "relu takes one input, got 0"},
		{&Softmax{}, [][]int{{2}, {2}}, "softmax takes one input, got 2"},
		{&Flatten{}, [][]int{{2}, {2}}, "flatten takes one input, got 2"},
		{&Dropout{Rate: -0.1}, img, "dropout rate must be in [0, 1), got -0.1"},
		{&Dropout{}, nil, "dropout takes one input, got 0"},
		{&Concat{}, nil, "concat needs at least one input"},
		{&Concat{Axis: -4}, img, "axis must be in [1, 3] or [-3, -1] for inputs of rank 3 plus the batch, got -4"},
		{&Concat{}, [][]int{{8, 8, 3}, {8, 3}}, "concat inputs must have the same rank, got [8 8 3] and [8 3]"},
		{&Concat{Axis: 1}, [][]int{{8, 8, 3}, {8, 8, 4}}, "concat inputs must agree on every axis but axis 1, got [8 8 3] and [8 8 4]"},
		{&Concat{}, [][]int{{1 << 30}, {1}}, "concat output has more than 1073741824 entries on axis 1"},
		{&BatchNorm{Epsilon: -1}, img, "batchnorm needs epsilon > 0 (finite) and momentum in [0, 1), got -1, 0"},
		{&BatchNorm{}, nil, "batchnorm takes one input, got 0"},
	} {
		if _, err := c.op.Infer(c.in); err == nil || !strings.HasPrefix(err.Error(), c.want) {
			t.Errorf("%s %+v on %v: error = %v, want prefix %q", c.op.Type(), c.op, c.in, err, c.want)
		}
	}
	if _, err := CheckedElems([]int{1 << 20, 1 << 20}); err == nil {
		t.Error("CheckedElems accepted 2^40 elements")
	}
}

// TestTraitsAndCosts checks what the planners read from each type, and the
// costs against hand counts.
func TestTraitsAndCosts(t *testing.T) {
	for _, c := range []struct {
		op     Op
		in     []int
		traits Traits
		cost   Cost
	}{
		// 2·(3·3·2)·OH·OW·OC with SAME: 4×4×5 outputs.
		{&Conv2D{Filters: 5, Window: Window{Kernel: [2]int{3, 3}, Padding: PadSame}}, []int{4, 4, 2}, Traits{}, Cost{2 * 18 * 80, 4 * 80}},
		{&Dense{Units: 3}, []int{7}, Traits{}, Cost{2 * 21, 12}},
		{&MaxPool{Window{Kernel: [2]int{2, 2}, Strides: [2]int{2, 2}}}, []int{4, 4, 2}, Traits{}, Cost{8 * 4, 32}},
		{&AvgPool{Window: Window{Kernel: [2]int{2, 2}, Strides: [2]int{2, 2}}}, []int{4, 4, 2}, Traits{}, Cost{8 * 4, 32}},
		{&LRN{DepthRadius: 2, Bias: 1}, []int{2, 5}, Traits{}, Cost{10 * (2*5 + 4), 40}},
		{&ReLU{}, []int{3, 4}, Traits{InPlace: true}, Cost{12, 48}},
		{&Softmax{}, []int{10}, Traits{InPlace: true, Probabilities: true}, Cost{40, 40}},
		{&Flatten{}, []int{2, 3, 4}, Traits{Reshape: true}, Cost{}},
		{&Dropout{Rate: 0.5}, []int{6}, Traits{InferenceIdentity: true}, Cost{}},
		{&Concat{}, []int{2, 3}, Traits{}, Cost{0, 24}},
		{&BatchNorm{}, []int{2, 3}, Traits{InPlace: true}, Cost{12, 24}},
	} {
		l, err := c.op.Infer([][]int{c.in})
		if err != nil {
			t.Fatal(err)
		}
		if got := l.Traits(); got != c.traits {
			t.Errorf("%s: traits %+v, want %+v", c.op.Type(), got, c.traits)
		}
		if got := l.Cost(); got != c.cost {
			t.Errorf("%s: cost %+v, want %+v", c.op.Type(), got, c.cost)
		}
		if l.Workspace(4, true) < l.Workspace(4, false) {
			t.Errorf("%s: training needs less workspace than inference", c.op.Type())
		}
	}
}

// forward runs l at inference on x (one example) with parameters p.
func forward(t *testing.T, l Layer, p []Tensor, x ...[]float32) []float32 {
	t.Helper()
	w, err := l.Prepare(p)
	if err != nil {
		t.Fatal(err)
	}
	y := make([]float32, Elems(l.Out()))
	if err := l.Forward(&Step{N: 1, X: x, Y: y, W: w, WS: make([]float32, l.Workspace(1, false))}); err != nil {
		t.Fatal(err)
	}
	return y
}

// TestFuseAndFold checks that a fused ReLU and a folded batch norm give
// what running the layers one after the other gives, for conv2d and dense,
// and that neither applies after a layer's own ReLU.
func TestFuseAndFold(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 3))
	random := func(n int, lo, hi float32) []float32 {
		v := make([]float32, n)
		for i := range v {
			v[i] = lo + (hi-lo)*rng.Float32()
		}
		return v
	}
	for _, c := range []struct {
		op Op
		in []int
	}{
		{&Conv2D{Filters: 3, Window: Window{Kernel: [2]int{2, 2}, Padding: PadSame}}, []int{3, 3, 2}},
		{&Dense{Units: 4}, []int{5}},
	} {
		l, err := c.op.Infer([][]int{c.in})
		if err != nil {
			t.Fatal(err)
		}
		var p []Tensor
		for _, s := range l.Params() {
			p = append(p, Tensor{Shape: s.Shape, Data: random(s.Len(), -1, 1)})
		}
		x := random(Elems(c.in), -1, 1)
		y := forward(t, l, p, x)

		relu, _ := (&ReLU{}).Infer([][]int{l.Out()})
		fused, ok := l.(Fuser).Fuse(relu.(Elementwise).Activation())
		if !ok {
			t.Fatalf("%s: Fuse(ReLU) refused", c.op.Type())
		}
		if got, want := forward(t, fused, p, x), forward(t, relu, nil, y); !slices.Equal(got, want) {
			t.Errorf("%s: fused ReLU %v, want %v", c.op.Type(), got, want)
		}
		if _, ok := fused.(Fuser).Fuse(kernel.ReLU); ok || fused.(Folder).CanFold() {
			t.Errorf("%s: a layer with its own ReLU accepted another activation or a fold", c.op.Type())
		}

		bnOp := &BatchNorm{Epsilon: 0.01}
		bn, _ := bnOp.Infer([][]int{l.Out()})
		oc := lastAxis(l.Out())
		bp := []Tensor{{Data: random(oc, 0.5, 2)}, {Data: random(oc, -1, 1)}, {Data: random(oc, -1, 1)}, {Data: random(oc, 0, 2)}}
		want := forward(t, bn, bp, y)
		folder := l.(Folder)
		if !folder.CanFold() {
			t.Fatalf("%s: cannot fold", c.op.Type())
		}
		bw, err := bn.Prepare(bp)
		if err != nil {
			t.Fatal(err)
		}
		scale, shift := bn.(Affine).ScaleShift(bw)
		folded, err := l.Prepare(folder.Fold(p, scale, shift))
		if err != nil {
			t.Fatal(err)
		}
		got := make([]float32, len(y))
		if err := l.Forward(&Step{N: 1, X: [][]float32{x}, Y: got, W: folded, WS: make([]float32, l.Workspace(1, false))}); err != nil {
			t.Fatal(err)
		}
		for i := range got {
			if math.Abs(float64(got[i]-want[i])) > 1e-5*(1+math.Abs(float64(want[i]))) {
				t.Fatalf("%s: folded batch norm %v, want %v", c.op.Type(), got, want)
			}
		}
		if again := forward(t, l, p, x); !slices.Equal(again, y) {
			t.Errorf("%s: Fold changed the parameters it was given", c.op.Type())
		}
	}
}

// TestInferenceForward checks the inference steps the gradient test does
// not reach: batch normalisation with the moving statistics (as
// tf.nn.batch_normalization) and dropout as the identity.
func TestInferenceForward(t *testing.T) {
	bn, _ := (&BatchNorm{}).Infer([][]int{{2, 2}})
	p := []Tensor{{Data: []float32{2, 0.5}}, {Data: []float32{1, -1}}, {Data: []float32{0.5, 0}}, {Data: []float32{1, 3}}}
	x := []float32{1, 2, -1, 4}
	y := forward(t, bn, p, x)
	for i, v := range x {
		c := i % 2
		want := (float64(v)-float64(p[2].Data[c]))/math.Sqrt(float64(p[3].Data[c])+DefaultBNEpsilon)*float64(p[0].Data[c]) + float64(p[1].Data[c])
		if math.Abs(float64(y[i])-want) > 1e-6 {
			t.Errorf("batchnorm y[%d] = %v, want %v", i, y[i], want)
		}
	}
	if _, err := bn.Prepare([]Tensor{p[0], p[1], p[2], {Data: []float32{1, -1}}}); err == nil {
		t.Error("Prepare accepted a negative variance")
	}
	drop, _ := (&Dropout{Rate: 0.5}).Infer([][]int{{4}})
	if y := forward(t, drop, nil, x); !slices.Equal(y, x) {
		t.Errorf("dropout at inference: %v, want %v", y, x)
	}
	// Training at rate 0 keeps everything.
	drop0, _ := (&Dropout{}).Infer([][]int{{4}})
	st := &Step{N: 1, X: [][]float32{x}, Y: make([]float32, 4), Train: true, Saved: make([]float32, drop0.Saved(1))}
	if err := Forward(drop0, st); err != nil || !slices.Equal(st.Y, x) || !slices.Equal(st.Saved, []float32{1, 1, 1, 1}) {
		t.Errorf("dropout rate 0 in training: %v, mask %v, %v", st.Y, st.Saved, err)
	}
}

// TestBackwardWithoutInputGradient runs every case's Backward with no
// input gradient wanted: it must still fill the parameter gradients.
func TestBackwardWithoutInputGradient(t *testing.T) {
	for ci, c := range gradCases {
		l, err := c.op.Infer(c.in)
		if err != nil {
			t.Fatal(err)
		}
		const n = 2
		st := &Step{N: n, Y: make([]float32, n*Elems(l.Out())), WS: make([]float32, l.Workspace(n, true)), Train: true,
			Saved: make([]float32, l.Saved(n)), DY: make([]float32, n*Elems(l.Out())), DX: make([][]float32, len(c.in))}
		for i := range st.DY {
			st.DY[i] = 1
		}
		for _, s := range c.in {
			x := make([]float32, n*Elems(s))
			for i := range x {
				x[i] = float32(i%5) - 2
			}
			st.X = append(st.X, x)
		}
		st.Rand = []*rand.Rand{rand.New(rand.NewPCG(1, 1)), rand.New(rand.NewPCG(2, 1))}
		for _, p := range l.Params() {
			v := make([]float32, p.Len())
			for i := range v {
				v[i] = 1
			}
			st.Params = append(st.Params, Tensor{Shape: p.Shape, Data: v})
			st.Grads = append(st.Grads, make([]float32, p.Len()))
		}
		if st.W, err = l.Prepare(st.Params); err != nil {
			t.Fatal(err)
		}
		if err := Forward(l, st); err != nil {
			t.Fatal(err)
		}
		if err := l.Backward(st); err != nil {
			t.Errorf("case %d (%s): %v", ci, c.op.Type(), err)
		}
		for k, p := range l.Params() {
			if p.Kind == KindBias && !slices.ContainsFunc(st.Grads[k], func(v float32) bool { return v != 0 }) {
				t.Errorf("case %d (%s): %s gradient is zero", ci, c.op.Type(), p.Name)
			}
		}
	}
}
