package model

import (
	"encoding/json"
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/featuremap/featuremap/model/layers"
)

// bnArch has batch normalisations where the runner folds them (after a
// linear conv and a linear dense layer read only by them) and where it
// cannot (after a conv with a fused ReLU; after a conv whose output a
// concat also reads), a concat along H, and a ReLU fused into a folded
// conv.
func bnArch() Arch {
	conv := func(filters int, act string) *layers.Conv2D {
		return &layers.Conv2D{Filters: filters, Window: layers.Window{Kernel: [2]int{3, 3}, Padding: layers.PadSame}, Activation: act}
	}
	return Arch{
		Name:  "bn",
		Input: [3]int{6, 6, 2},
		Layers: []Layer{
			{Name: "c1", Op: conv(4, "")},
			{Name: "bn1", Op: &layers.BatchNorm{}}, // folded into c1
			{Name: "r1", Op: &layers.ReLU{}},       // fused into c1
			{Name: "c2", Op: conv(4, layers.ActReLU)},
			{Name: "bn2", Op: &layers.BatchNorm{Epsilon: 0.01}}, // standalone, in place
			{Name: "c3", Op: conv(4, "")},
			{Name: "bn3", Op: &layers.BatchNorm{}},                                    // standalone: c3 is also read by cat
			{Name: "cat", Inputs: []string{"bn3", "c3"}, Op: &layers.Concat{Axis: 1}}, // [12 6 4]
			{Name: "flat", Op: &layers.Flatten{}},
			{Name: "fc", Op: &layers.Dense{Units: 5}},
			{Name: "bn4", Op: &layers.BatchNorm{}}, // folded into fc
			{Name: "prob", Op: &layers.Softmax{}},
		},
	}
}

// bnNet is bnArch with random weights and batch-norm parameters far from
// the identity.
func bnNet(t testing.TB) *Net {
	net := seededNet(t, bnArch(), 7)
	for i := range net.Graph.Nodes {
		for k, p := range net.LayerParams(i) {
			for j := range p.Data {
				v := float32(math.Sin(float64(7*i+3*k+j) + 0.5))
				switch net.Graph.Nodes[i].Params[k].Name {
				case "gamma":
					p.Data[j] = 1 + 0.5*v
				case "beta", "mean":
					p.Data[j] = 0.3 * v
				case "variance":
					p.Data[j] = 0.5 + 0.4*v
				}
			}
		}
	}
	return net
}

// TestBatchNormConcat checks batchnorm, folded and standalone, and concat
// along an inner axis against the float64 reference, with and without kept
// activations (keeping turns folding off).
func TestBatchNormConcat(t *testing.T) {
	for _, int8 := range []bool{false, true} {
		net := bnNet(t)
		if int8 { // folding keeps int8 weights int8 (scales × the batchnorm's)
			net = load(t, encode(t, net, EncodeOptions{Int8: true}))
		}
		testBatchNormConcat(t, net)
	}
}

func testBatchNormConcat(t *testing.T, net *Net) {
	x := testInput(6*6*2, 0.3)
	ref := refForward(t, net, x)
	want := ref[len(ref)-1].data
	for _, keep := range []bool{false, true} {
		r := newRunner(t, net, 1, keep)
		out, err := r.Run(x)
		if err != nil {
			t.Fatal(err)
		}
		checkClose(t, "bn output", out, want, 1e-5)
		if keep {
			for i, a := range r.Activations() {
				checkClose(t, a.Name, a.Data, ref[i].data, 1e-5)
			}
			continue
		}
		var names []string
		for _, s := range r.steps {
			names = append(names, s.name)
		}
		if want := []string{"c1", "c2", "bn2", "c3", "bn3", "cat", "fc", "prob"}; !reflect.DeepEqual(names, want) {
			t.Errorf("steps %v, want %v (bn1, r1 and bn4 folded or fused)", names, want)
		}
	}
	// Batches of two give the two single results.
	r2 := newRunner(t, net, 2, false)
	x2 := testInput(6*6*2, 1.1)
	got, err := r2.Run(append(append([]float32(nil), x...), x2...))
	if err != nil {
		t.Fatal(err)
	}
	ref2 := refForward(t, net, x2)
	checkClose(t, "batch 2", got, append(append([]float64(nil), want...), ref2[len(ref2)-1].data...), 1e-5)
}

// TestBatchNormFile checks that batchnorm parameters travel by name, stay
// float32 in int8 files, and that the summary counts them.
func TestBatchNormFile(t *testing.T) {
	net := bnNet(t)
	for _, int8 := range []bool{false, true} {
		got := load(t, encode(t, net, EncodeOptions{Int8: int8}))
		for _, name := range []string{"bn1.gamma", "bn1.beta", "bn1.mean", "bn1.variance", "bn4.variance"} {
			p, ok1 := net.Param(name)
			q, ok2 := got.Param(name)
			if !ok1 || !ok2 || !reflect.DeepEqual(p.Data, q.Data) || q.Int8 != nil {
				t.Errorf("int8 %v: %s = %v, want %v as float32", int8, name, q, p)
			}
		}
		if w, _ := got.Param("c1.weight"); (w.Int8 != nil) != int8 || (w.Scales != nil) != int8 {
			t.Errorf("int8 %v: c1.weight keeps int8 %v, scales %v", int8, w.Int8 != nil, w.Scales != nil)
		}
	}
	s := net.Graph.Summary()
	bn := s.Layers[1]
	if bn.Type != "batchnorm" || bn.Weights != 4 || bn.Biases != 4 || bn.Params != 16 {
		t.Errorf("bn1 row %+v, want 4 weights (gamma), 4 biases (beta), 16 params", bn)
	}
	if !strings.Contains(s.String(), ", statistics 34)") || s.TotalParams != s.Weights+s.Biases+34 {
		t.Errorf("summary total %d (weights %d, biases %d):\n%s", s.TotalParams, s.Weights, s.Biases, s)
	}
	if cat := s.Layers[7]; !reflect.DeepEqual(cat.OutputShape, []int{12, 6, 4}) {
		t.Errorf("cat shape %v, want [12 6 4]", cat.OutputShape)
	}
}

// TestLayerJSON round-trips every layer type with non-zero attributes and
// checks the flat JSON form of a few.
func TestLayerJSON(t *testing.T) {
	all := append(bnArch().Layers, tinyArch().Layers...)
	seen := map[string]bool{}
	for _, l := range all {
		seen[l.Type()] = true
		data, err := json.Marshal(l)
		if err != nil {
			t.Fatal(err)
		}
		var back Layer
		if err := json.Unmarshal(data, &back); err != nil {
			t.Fatalf("%s: %v", data, err)
		}
		if !reflect.DeepEqual(back, l) {
			t.Errorf("%s: round trip gave %+v, want %+v", data, back, l)
		}
	}
	for _, typ := range layers.Types() {
		if !seen[typ] {
			t.Errorf("no round trip for layer type %q", typ)
		}
	}
	for _, c := range []struct {
		l    Layer
		want string
	}{
		{bnArch().Layers[4], `{"name":"bn2","type":"batchnorm","epsilon":0.01}`},
		{bnArch().Layers[7], `{"name":"cat","type":"concat","inputs":["bn3","c3"],"axis":1}`},
		{tinyArch().Layers[0], `{"name":"c1","type":"conv2d","filters":4,"kernel":[3,3],"groups":2,"padding":"SAME","activation":"relu"}`},
		{tinyArch().Layers[5], `{"name":"n1","type":"lrn","depth_radius":1,"bias":1,"alpha":0.5,"beta":0.75}`},
	} {
		if data, err := json.Marshal(c.l); err != nil || string(data) != c.want {
			t.Errorf("JSON %s, %v; want %s", data, err, c.want)
		}
	}
	if _, err := json.Marshal(Layer{Name: "x"}); err == nil || !strings.Contains(err.Error(), `layer "x" has no type`) {
		t.Errorf("Marshal without Op: %v", err)
	}
}

// TestGraphCost checks the FLOPs of seednet against the seed's count.
func TestGraphCost(t *testing.T) {
	a := mustBuiltin(t, "seednet")
	g, err := a.Graph()
	if err != nil {
		t.Fatal(err)
	}
	// conv 2·28·28·64·9, pool 14·14·64·4, dense 2·12544·10, softmax 4·10.
	want := int64(2*28*28*64*9 + 14*14*64*4 + 2*12544*10 + 4*10)
	if c := g.Cost(); c.FLOPs != want || c.Bytes != 4*(28*28*64+14*14*64+10+10) {
		t.Errorf("cost %+v, want %d FLOPs", c, want)
	}
}

// TestPreparedShared runs a runner for one example, one for batches of two
// and one keeping activations, all sharing one Prepared (filled first), on
// a net whose
// batchnorms fold into their convolutions except where activations are
// kept: each checks against the float64 reference, the two plain runners
// share every prepared weight, and the keeping one prepares the unfolded
// convolutions for itself.
func TestPreparedShared(t *testing.T) {
	net := bnNet(t)
	shared := NewPrepared(net)
	if err := shared.Fill(); err != nil {
		t.Fatal(err)
	}
	count := func() (n int) {
		for _, w := range shared.w {
			n += btoi(w[0] != nil) + btoi(w[1] != nil)
		}
		return n
	}
	filled := count()
	mk := func(batch int, keep bool) *Runner {
		r, err := NewRunner(net, RunnerOptions{Batch: batch, KeepActivations: keep, Prepared: shared})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	one, two := mk(1, false), mk(2, false)
	if count() != filled {
		t.Errorf("the runners prepared %d more layers after Fill", count()-filled)
	}
	keep := mk(1, true)
	if count() == filled {
		t.Error("the runner keeping activations shares the folded convolutions' weights")
	}
	x, x2 := testInput(6*6*2, 0.3), testInput(6*6*2, 1.1)
	ref, ref2 := refForward(t, net, x), refForward(t, net, x2)
	want := ref[len(ref)-1].data
	out, err := one.Run(x)
	if err != nil {
		t.Fatal(err)
	}
	checkClose(t, "one", out, want, 1e-5)
	if _, err := keep.Run(x); err != nil {
		t.Fatal(err)
	}
	for i, a := range keep.Activations() {
		checkClose(t, "kept "+a.Name, a.Data, ref[i].data, 1e-5)
	}
	got, err := two.Run(append(append([]float32(nil), x...), x2...))
	if err != nil {
		t.Fatal(err)
	}
	checkClose(t, "batch 2", got, append(append([]float64(nil), want...), ref2[len(ref2)-1].data...), 1e-5)
	for i := range one.steps {
		if a, b := one.steps[i].s.W, two.steps[i].s.W; a != nil && a != b {
			t.Errorf("step %s: the batch runner prepared its own weights", one.steps[i].name)
		}
	}
	if _, err := NewRunner(bnNet(t), RunnerOptions{Prepared: shared}); err == nil || !strings.Contains(err.Error(), "another Net") {
		t.Errorf("a Prepared of another net: error %v", err)
	}
}
