package model

import (
	"cmp"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/featuremap/featuremap/model/layers"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// tinyArch exercises every layer type on a 6×6×2 input: a grouped conv and a
// branch from the input joined by concat, a standalone ReLU (in place), max
// and SAME average pooling, LRN, a dense layer whose ReLU is fused, dropout
// and softmax.
func tinyArch() Arch {
	return Arch{
		Name:  "tiny",
		Input: [3]int{6, 6, 2},
		Layers: []Layer{
			{Name: "c1", Op: &layers.Conv2D{Filters: 4, Window: layers.Window{Kernel: [2]int{3, 3}, Padding: layers.PadSame}, Groups: 2, Activation: layers.ActReLU}},
			{Name: "c2", Inputs: []string{InputName}, Op: &layers.Conv2D{Filters: 2, Window: layers.Window{Kernel: [2]int{1, 1}}}},
			{Name: "cat", Inputs: []string{"c1", "c2"}, Op: &layers.Concat{}},
			{Name: "r1", Op: &layers.ReLU{}},
			{Name: "p1", Op: &layers.MaxPool{Window: layers.Window{Kernel: [2]int{2, 2}, Strides: [2]int{2, 2}}}},
			{Name: "n1", Op: &layers.LRN{DepthRadius: 1, Bias: 1, Alpha: 0.5, Beta: 0.75}},
			{Name: "p2", Op: &layers.AvgPool{Window: layers.Window{Kernel: [2]int{2, 2}, Padding: layers.PadSame}}},
			{Name: "flat", Op: &layers.Flatten{}},
			{Name: "fc1", Op: &layers.Dense{Units: 5}},
			{Name: "r2", Op: &layers.ReLU{}},
			{Name: "drop", Op: &layers.Dropout{Rate: 0.25}},
			{Name: "fc2", Op: &layers.Dense{Units: 3}},
			{Name: "prob", Op: &layers.Softmax{}},
		},
		Labels: []string{"a", "b", "c"},
	}
}

// seededNet returns New(arch) with InitRandom(seed) and non-zero biases.
func seededNet(t testing.TB, arch Arch, seed uint64) *Net {
	t.Helper()
	net, err := New(arch)
	if err != nil {
		t.Fatal(err)
	}
	net.InitRandom(seed)
	for _, p := range net.Params() {
		if strings.HasSuffix(p.Name, ".bias") {
			for i := range p.Data {
				p.Data[i] = float32(0.1 * math.Sin(float64(i)+1))
			}
		}
	}
	return net
}

// testInput returns n deterministic values in [-1.5, 1.5].
func testInput(n int, phase float64) []float32 {
	x := make([]float32, n)
	for i := range x {
		x[i] = float32(1.5 * math.Sin(0.37*float64(i)+phase))
	}
	return x
}

func newRunner(t testing.TB, net *Net, batch int, keep bool) *Runner {
	t.Helper()
	r, err := NewRunner(net, RunnerOptions{Batch: batch, KeepActivations: keep})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// checkClose compares got with want within tol times the largest |want|
// (at least 1).
func checkClose(t *testing.T, what string, got []float32, want []float64, tol float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, want %d", what, len(got), len(want))
	}
	scale := 1.0
	for _, v := range want {
		scale = math.Max(scale, math.Abs(v))
	}
	for i := range got {
		if d := math.Abs(float64(got[i]) - want[i]); !(d <= tol*scale) {
			t.Fatalf("%s[%d] = %g, want %g (|diff| %g > %g)", what, i, got[i], want[i], d, tol*scale)
		}
	}
}

type golden struct {
	Input  []float32 `json:"input"`
	Output []float64 `json:"output"` // float64 reference probabilities
}

// TestTinyGolden compares the runner with the float64 reference and with
// testdata/tiny.golden.json, which pins the reference itself and InitRandom.
func TestTinyGolden(t *testing.T) {
	net := seededNet(t, tinyArch(), 1)
	x := testInput(6*6*2, 0)
	ref := refForward(t, net, x)
	want := ref[len(ref)-1].data

	const path = "testdata/tiny.golden.json"
	if *update {
		data, err := json.MarshalIndent(golden{Input: x, Output: want}, "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, append(data, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	var g golden
	if err := json.Unmarshal(data, &g); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(g.Input, x) {
		t.Fatalf("golden input differs from testInput")
	}
	checkClose(t, "reference vs golden", float32s(want), g.Output, 1e-7)

	for _, keep := range []bool{false, true} {
		r := newRunner(t, net, 1, keep)
		got, err := r.Run(x)
		if err != nil {
			t.Fatal(err)
		}
		checkClose(t, fmt.Sprintf("keep=%v: output", keep), got, g.Output, 1e-5)
	}
}

func float32s(x []float64) []float32 {
	out := make([]float32, len(x))
	for i, v := range x {
		out[i] = float32(v)
	}
	return out
}

// TestActivations checks every layer's kept activation and its shape
// against the reference, for the fixture and for seednet and alexmnist.
func TestActivations(t *testing.T) {
	for _, arch := range []string{"tiny", "seednet", "alexmnist"} {
		t.Run(arch, func(t *testing.T) {
			a := tinyArch()
			if arch != "tiny" {
				a, _ = Builtin(arch)
			}
			net := seededNet(t, a, 3)
			x := testInput(numElems(a.Input[:]), 0.5)
			ref := refForward(t, net, x)
			r := newRunner(t, net, 1, true)
			if _, err := r.Run(x); err != nil {
				t.Fatal(err)
			}
			acts := r.Activations()
			if len(acts) != len(a.Layers) {
				t.Fatalf("%d activations, want %d", len(acts), len(a.Layers))
			}
			for i, act := range acts {
				l := a.Layers[i]
				if act.Name != l.Name || act.Type != l.Type() {
					t.Errorf("activation %d is %s (%s), want %s (%s)", i, act.Name, act.Type, l.Name, l.Type())
				}
				if want := append([]int{1}, ref[i].shape...); !reflect.DeepEqual(act.Shape, want) {
					t.Errorf("%s: shape %v, want %v", l.Name, act.Shape, want)
				}
				checkClose(t, l.Name, act.Data, ref[i].data, 1e-4)
			}
		})
	}
}

// TestBatch checks that a batch of two gives the two batch-1 results.
func TestBatch(t *testing.T) {
	for _, a := range []Arch{tinyArch(), mustBuiltin(t, "alexmnist")} {
		net := seededNet(t, a, 5)
		n := numElems(a.Input[:])
		x0, x1 := testInput(n, 0), testInput(n, 2)
		r1 := newRunner(t, net, 1, false)
		var want []float64
		for _, x := range [][]float32{x0, x1} {
			out, err := r1.Run(x)
			if err != nil {
				t.Fatal(err)
			}
			for _, v := range out {
				want = append(want, float64(v))
			}
		}
		r2 := newRunner(t, net, 2, false)
		got, err := r2.Run(append(append([]float32(nil), x0...), x1...))
		if err != nil {
			t.Fatal(err)
		}
		checkClose(t, a.Name+" batch 2", got, want, 1e-6)
		if s := r2.OutputShape(); s[0] != 2 || len(got) != numElems(s) {
			t.Errorf("%s: output shape %v for %d values", a.Name, s, len(got))
		}
	}
}

func mustBuiltin(t testing.TB, name string) Arch {
	a, err := Builtin(name)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestRunAllocs(t *testing.T) {
	for _, a := range []Arch{tinyArch(), mustBuiltin(t, "seednet")} {
		for _, keep := range []bool{false, true} {
			net := seededNet(t, a, 1)
			r := newRunner(t, net, 2, keep)
			x := testInput(r.InputLen(), 0)
			allocs := testing.AllocsPerRun(5, func() {
				if _, err := r.Run(x); err != nil {
					t.Fatal(err)
				}
			})
			if allocs != 0 {
				t.Errorf("%s keep=%v: Run allocates %v times, want 0", a.Name, keep, allocs)
			}
		}
	}
}

// TestArenaReuse checks seednet's layout against sizes computed by hand.
// Steps: conv1 (ReLU fused), pool1, fc, softmax in place; flatten is a view.
func TestArenaReuse(t *testing.T) {
	net := seededNet(t, mustBuiltin(t, "seednet"), 1)
	input, conv, pool, fc := 28*28*1, 28*28*64, 14*14*64, 10
	align := func(n int) int { return (n + 15) / 16 * 16 }

	r := newRunner(t, net, 1, false)
	// While conv1 runs, input and conv output are live; while pool1 runs,
	// conv and pool outputs: the larger pair bounds the arena.
	if got, want := len(r.arena)-len(r.ws), max(input+conv, conv+pool, pool+fc); got != want {
		t.Errorf("activations take %d elements, want %d", got, want)
	}
	var types []string
	for _, s := range r.steps {
		types = append(types, s.name)
	}
	if want := []string{"conv1", "pool1", "fc", "softmax"}; !reflect.DeepEqual(types, want) {
		t.Errorf("steps %v, want %v", types, want)
	}

	// Kept: every value has its own buffer; flatten stays a view.
	r = newRunner(t, net, 1, true)
	if got, want := len(r.arena)-len(r.ws), input+conv+pool+align(fc)+align(fc); got != want {
		t.Errorf("kept activations take %d elements, want %d", got, want)
	}
}

// TestFusion checks that a ReLU layer after a conv is fused (no step) and
// gives the same result as the conv's own activation attribute.
func TestFusion(t *testing.T) {
	fused := Arch{Name: "f", Input: [3]int{5, 5, 3}, Layers: []Layer{
		{Name: "c", Op: &layers.Conv2D{Filters: 4, Window: layers.Window{Kernel: [2]int{3, 3}}}},
		{Name: "r", Op: &layers.ReLU{}},
	}}
	attr := fused
	attr.Layers = []Layer{{Name: "c", Op: &layers.Conv2D{Filters: 4, Window: layers.Window{Kernel: [2]int{3, 3}}, Activation: layers.ActReLU}}}
	x := testInput(5*5*3, 1)
	var outs [2][]float32
	for i, a := range []Arch{fused, attr} {
		r := newRunner(t, seededNet(t, a, 9), 1, false)
		if len(r.steps) != 1 {
			t.Errorf("%d steps, want 1 (conv with fused ReLU)", len(r.steps))
		}
		out, err := r.Run(x)
		if err != nil {
			t.Fatal(err)
		}
		outs[i] = append([]float32(nil), out...)
	}
	if !reflect.DeepEqual(outs[0], outs[1]) {
		t.Errorf("relu layer %v != fused attribute %v", outs[0], outs[1])
	}
	neg := 0
	for _, v := range outs[0] {
		if v < 0 {
			neg++
		}
	}
	if neg > 0 {
		t.Errorf("%d negative outputs after ReLU", neg)
	}
}

func TestRunErrors(t *testing.T) {
	net := seededNet(t, tinyArch(), 1)
	r := newRunner(t, net, 2, false)
	_, err := r.Run(make([]float32, 72))
	if want := "model: input has 72 values, want 144 (batch 2 × [6 6 2])"; err == nil || err.Error() != want {
		t.Errorf("Run(short) error = %v, want %q", err, want)
	}
	if _, err := NewRunner(net, RunnerOptions{Batch: -1}); err == nil || !strings.Contains(err.Error(), "batch must be in [1,") {
		t.Errorf("NewRunner(batch -1) error = %v", err)
	}
	big := mustBuiltin(t, "alexnet")
	bigNet, err := New(big)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := NewRunner(bigNet, RunnerOptions{Batch: 1000}); err == nil || !strings.Contains(err.Error(), `layer "conv1"`) {
		t.Errorf("NewRunner(alexnet, batch 1000) error = %v, want one naming conv1", err)
	}
}

// TestInitRandom checks determinism and the He-uniform bounds and variance.
func TestInitRandom(t *testing.T) {
	a := mustBuiltin(t, "alexmnist")
	n1, _ := New(a)
	n2, _ := New(a)
	n3, _ := New(a)
	n1.InitRandom(42)
	n2.InitRandom(42)
	n3.InitRandom(43)
	w1, b1 := n1.LayerParams(6)[0], n1.LayerParams(6)[1] // conv3: 3*3*128 fan-in
	w2 := n2.LayerParams(6)[0]
	w3 := n3.LayerParams(6)[0]
	if w1.Name != "conv3.weight" || b1.Name != "conv3.bias" {
		t.Fatalf("LayerParams(6) = %s, %s", w1.Name, b1.Name)
	}
	if !reflect.DeepEqual(w1.Data, w2.Data) || reflect.DeepEqual(w1.Data, w3.Data) {
		t.Errorf("same seed must give the same weights, another seed others")
	}
	fanIn := 3.0 * 3 * 128
	limit := math.Sqrt(6 / fanIn)
	sum, sq := 0.0, 0.0
	for _, v := range w1.Data {
		if math.Abs(float64(v)) > limit {
			t.Fatalf("weight %g outside ±%g", v, limit)
		}
		sum += float64(v)
		sq += float64(v) * float64(v)
	}
	nw := float64(len(w1.Data))
	mean, variance := sum/nw, sq/nw-(sum/nw)*(sum/nw)
	// He: Var = 2/fanIn. 221,184 samples: the estimate is within 1 %.
	if want := 2 / fanIn; math.Abs(mean) > 0.01*limit || math.Abs(variance-want) > 0.01*want {
		t.Errorf("mean %g, variance %g, want 0 and %g", mean, variance, want)
	}
	for _, v := range b1.Data {
		if v != 0 {
			t.Fatalf("bias %g, want 0", v)
		}
	}
	if p, ok := n1.Param("conv3.weight"); !ok || &p.Data[0] != &w1.Data[0] {
		t.Errorf("Param(conv3.weight) does not alias LayerParams")
	}
	if _, ok := n1.Param("conv3.gamma"); ok {
		t.Errorf("Param(conv3.gamma) found")
	}
	if p := n1.LayerParams(1); len(p) != 0 {
		t.Errorf("LayerParams(lrn1) = %v, want none", p)
	}
}

func TestTop(t *testing.T) {
	net := seededNet(t, tinyArch(), 1) // labels a, b, c
	got := net.Top([]float32{0.2, 0.5, 0.3}, 2)
	want := []Prediction{{1, "b", 0.5}, {2, "c", 0.3}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Top = %v, want %v", got, want)
	}
	if got := net.Top([]float32{0.4, 0.2, 0.4}, 5); !reflect.DeepEqual(got, []Prediction{{0, "a", 0.4}, {2, "c", 0.4}, {1, "b", 0.2}}) {
		t.Errorf("Top with a tie and k > len = %v", got)
	}
	unlabelled, _ := New(Arch{Name: "u", Input: [3]int{1, 1, 4}, Layers: []Layer{{Name: "s", Op: &layers.Softmax{}}}})
	if got := unlabelled.Top([]float32{1, 3}, 1); !reflect.DeepEqual(got, []Prediction{{1, "", 3}}) {
		t.Errorf("Top without labels = %v", got)
	}
}

// BenchmarkRun reports single-example latency of the built-in MNIST models
// and alexmnist at batch 64 (`make bench`).
func BenchmarkRun(b *testing.B) {
	for _, bc := range []struct {
		arch  string
		batch int
	}{{"seednet", 1}, {"alexmnist", 1}, {"seednet", 64}, {"alexmnist", 64}} {
		b.Run(fmt.Sprintf("%s/batch=%d", bc.arch, bc.batch), func(b *testing.B) {
			net := seededNet(b, mustBuiltin(b, bc.arch), 1)
			r := newRunner(b, net, bc.batch, false)
			x := testInput(r.InputLen(), 0)
			b.ReportAllocs()
			for b.Loop() {
				if _, err := r.Run(x); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*bc.batch)/1e6, "ms/img")
		})
	}
}

// checkLayout fails unless every buffer of p lies inside the arena of size
// and no two buffers whose lifetimes overlap share memory.
func checkLayout(t *testing.T, p *plan, size int) {
	t.Helper()
	order := make([]int, len(p.bufs))
	for i := range order {
		order[i] = i
	}
	for _, b := range p.bufs {
		if b.off < 0 || b.off%arenaAlign != 0 || b.off+b.len > size {
			t.Fatalf("buffer %+v outside the arena of %d or unaligned", b, size)
		}
	}
	// Sweep the buffers by first step, keeping those still live.
	slices.SortFunc(order, func(a, b int) int { return cmp.Compare(p.bufs[a].def, p.bufs[b].def) })
	var live []int
	for _, bi := range order {
		b := p.bufs[bi]
		live = slices.DeleteFunc(live, func(oi int) bool { return p.bufs[oi].last < b.def })
		for _, oi := range live {
			if o := p.bufs[oi]; o.off < b.off+b.len && b.off < o.off+o.len {
				t.Fatalf("buffers %+v and %+v are live together and overlap", o, b)
			}
		}
		live = append(live, bi)
	}
}

// longChain is input [1 1 1] → flatten → n dense layers of one unit, each
// adding 1 (weight 1, bias 1), with the layer limit raised to fit.
func longChain(t *testing.T, n int) *Net {
	l := []Layer{{Name: "flat", Op: &layers.Flatten{}}}
	for i := range n {
		l = append(l, Layer{Name: fmt.Sprintf("d%d", i), Op: &layers.Dense{Units: 1}})
	}
	lim := DefaultLimits
	lim.Layers = n + 1
	net, err := newNet(Arch{Name: "long", Input: [3]int{1, 1, 1}, Layers: l}, lim)
	if err != nil {
		t.Fatal(err)
	}
	for i := range net.params {
		net.params[i].Data = make([]float32, 1)
	}
	for _, p := range net.Params() {
		p.Data[0] = 1
	}
	return net
}

// TestPlanLong plans chains of 20,000 layers (planning is linear in the
// layers for a chain, with and without kept activations) and checks the
// layouts and the results.
func TestPlanLong(t *testing.T) {
	const n = 20000
	net := longChain(t, n)
	for _, keep := range []bool{false, true} {
		p := newPlan(net.Graph, 1, keep)
		size, err := p.layout()
		if err != nil {
			t.Fatal(err)
		}
		if keep {
			// Every value lives to the end: n+1 buffers of one element, end to end.
			if size != (n+1)*arenaAlign {
				t.Errorf("kept: arena %d, want %d", size, (n+1)*arenaAlign)
			}
			// All lifetimes overlap: check by offset order.
			offs := make([]int, len(p.bufs))
			for i, b := range p.bufs {
				offs[i] = b.off
			}
			slices.Sort(offs)
			for i := 1; i < len(offs); i++ {
				if offs[i] < offs[i-1]+arenaAlign {
					t.Fatalf("kept buffers at %d and %d overlap", offs[i-1], offs[i])
				}
			}
		} else {
			if size != 2*arenaAlign {
				t.Errorf("arena %d, want two buffers of %d", size, arenaAlign)
			}
			checkLayout(t, p, size)
		}
		r := newRunner(t, net, 1, keep)
		out, err := r.Run([]float32{0.5})
		if err != nil {
			t.Fatal(err)
		}
		if out[0] != 0.5+n {
			t.Errorf("keep %v: output %v, want %v", keep, out[0], 0.5+n)
		}
		for i, a := range r.Activations() {
			if want := 0.5 + float32(max(i, 0)); i > 0 && a.Data[0] != want {
				t.Fatalf("activation %s = %v, want %v", a.Name, a.Data[0], want)
			}
		}
	}
	// ReLU chains: in place without keep, one buffer per layer with it.
	relus := make([]Layer, n)
	for i := range relus {
		relus[i] = Layer{Name: fmt.Sprintf("r%d", i), Op: &layers.ReLU{}}
	}
	lim := DefaultLimits
	lim.Layers = n
	rnet, err := newNet(Arch{Name: "relus", Input: [3]int{2, 2, 1}, Layers: relus}, lim)
	if err != nil {
		t.Fatal(err)
	}
	for _, keep := range []bool{false, true} {
		r := newRunner(t, rnet, 1, keep)
		out, err := r.Run([]float32{-1, 2, -3, 4})
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(out, []float32{0, 2, 0, 4}) {
			t.Errorf("keep %v: relu chain gives %v", keep, out)
		}
		if want := (1 + n*btoi(keep)) * arenaAlign; r.ArenaLen() != want {
			t.Errorf("keep %v: arena %d, want %d", keep, r.ArenaLen(), want)
		}
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// TestLayoutValid checks the layouts of the built-in and test networks.
func TestLayoutValid(t *testing.T) {
	for _, a := range []Arch{tinyArch(), bnArch(), mustBuiltin(t, "seednet"), mustBuiltin(t, "alexmnist"), mustBuiltin(t, "alexnet")} {
		g, err := a.Graph()
		if err != nil {
			t.Fatal(err)
		}
		for _, keep := range []bool{false, true} {
			p := newPlan(g, 3, keep)
			size, err := p.layout()
			if err != nil {
				t.Fatal(err)
			}
			checkLayout(t, p, size)
		}
	}
}
