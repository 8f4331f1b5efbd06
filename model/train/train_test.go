package train

import (
	"math"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/featuremap/featuremap/model"
	"github.com/featuremap/featuremap/model/layers"
)

// tinyArch exercises every layer type on a 6×6×2 input: grouped conv, LRN,
// max and average pooling, strided explicit padding, batch normalisation
// (after a conv and after a dense layer), relu, a branch joined by concat
// (pool1 is read twice), flatten, dense, dropout and a final softmax.
func tinyArch() model.Arch {
	return model.Arch{
		Name:  "tiny",
		Input: [3]int{6, 6, 2},
		Layers: []model.Layer{
			{Name: "conv1", Op: &layers.Conv2D{Filters: 4, Window: layers.Window{Kernel: [2]int{3, 3}, Padding: layers.PadSame}, Groups: 2, Activation: layers.ActReLU}},
			{Name: "lrn1", Op: &layers.LRN{DepthRadius: 1, Bias: 1, Alpha: 0.3, Beta: 0.75}},
			{Name: "pool1", Op: &layers.MaxPool{Window: layers.Window{Kernel: [2]int{2, 2}, Strides: [2]int{2, 2}}}},
			{Name: "conv2", Op: &layers.Conv2D{Filters: 6, Window: layers.Window{Kernel: [2]int{2, 2}, Strides: [2]int{2, 1}, Padding: layers.PadExplicit, Pads: [4]int{1, 0, 0, 1}}}},
			{Name: "bn2", Op: &layers.BatchNorm{Momentum: 0.8}},
			{Name: "relu2", Op: &layers.ReLU{}},
			{Name: "side", Inputs: []string{"pool1"}, Op: &layers.AvgPool{Window: layers.Window{Kernel: [2]int{2, 2}, Strides: [2]int{2, 1}, Padding: layers.PadExplicit, Pads: [4]int{1, 0, 0, 1}}}},
			{Name: "cat", Inputs: []string{"relu2", "side"}, Op: &layers.Concat{}},
			{Name: "pool2", Op: &layers.AvgPool{Window: layers.Window{Kernel: [2]int{2, 2}, Padding: layers.PadSame}}},
			{Name: "flatten", Op: &layers.Flatten{}},
			{Name: "fc1", Op: &layers.Dense{Units: 8, Activation: layers.ActReLU}},
			{Name: "bn3", Op: &layers.BatchNorm{Epsilon: 0.01, Momentum: 0.8}},
			{Name: "drop1", Op: &layers.Dropout{Rate: 0.25}},
			{Name: "fc2", Op: &layers.Dense{Units: 3}},
			{Name: "softmax", Op: &layers.Softmax{}},
		},
	}
}

func newNet(t *testing.T, a model.Arch, seed uint64) *model.Net {
	t.Helper()
	net, err := model.New(a)
	if err != nil {
		t.Fatal(err)
	}
	net.InitRandom(seed)
	// Small distinct biases, so that no bias gradient is trivially zero.
	for _, p := range net.Params() {
		if strings.HasSuffix(p.Name, ".bias") {
			for i := range p.Data {
				p.Data[i] = 0.05 * float32(i%3)
			}
		}
	}
	return net
}

// synthetic returns n examples of 3 classes: class k has a bright 2×2
// blob in one of three places, on noise.
func synthetic(n int, seed uint64) Data {
	rng := rand.New(rand.NewPCG(seed, 7))
	d := Data{Images: make([]float32, n*72), Labels: make([]int, n)}
	for i := range n {
		k := i % 3
		d.Labels[i] = k
		img := d.Images[i*72 : (i+1)*72]
		for j := range img {
			img[j] = 0.2 * rng.Float32()
		}
		y0, x0 := []int{0, 2, 4}[k], []int{4, 2, 0}[k]
		for y := y0; y < y0+2; y++ {
			for x := x0; x < x0+2; x++ {
				img[(y*6+x)*2] += 1
				img[(y*6+x)*2+1] += 0.5
			}
		}
	}
	return d
}

// TestBackwardMatchesFiniteDifferences checks the whole backward pass —
// every layer type chained — against central differences of the forward
// loss with the same dropout masks.
func TestBackwardMatchesFiniteDifferences(t *testing.T) {
	net := newNet(t, tinyArch(), 3)
	const n = 4
	w := newWorker(net, n)
	d := synthetic(n, 1)
	copy(w.in, d.Images)
	copy(w.labels, d.Labels)
	rngs := func() []*rand.Rand {
		r := make([]*rand.Rand, n)
		for j := range r {
			r[j] = rand.New(rand.NewPCG(uint64(j), 9))
		}
		return r
	}
	loss := func() float64 {
		if err := firstErr(w.forward(n, true, rngs()), w.lossAndGrad(n, n)); err != nil {
			t.Fatal(err)
		}
		return w.loss / n
	}
	loss()
	if err := w.backward(n); err != nil {
		t.Fatal(err)
	}
	// Copy the analytic gradients before the finite differences overwrite
	// them; batch statistics are not gradients and are left out.
	var analytic [][]float32
	var trained []bool
	for i := range net.Graph.Nodes {
		for k, g := range w.grads[i] {
			analytic = append(analytic, slices.Clone(g))
			trained = append(trained, net.Graph.Nodes[i].Params[k].Kind != layers.KindStatistic)
		}
	}
	const h = 1e-3
	checked := 0
	stats := 0
	for k, p := range net.Params() {
		if !trained[k] {
			stats += len(p.Data)
			continue
		}
		for j := range p.Data {
			orig := p.Data[j]
			p.Data[j] = orig + h
			lp := loss()
			p.Data[j] = orig - h
			lm := loss()
			p.Data[j] = orig
			num := (lp - lm) / (2 * h)
			got := float64(analytic[k][j])
			// float32 forward: the loss carries ~1e-7 relative rounding,
			// amplified by 1/h; truncation is O(h²).
			if math.Abs(got-num) > 2e-3+2e-2*math.Abs(num) {
				t.Errorf("%s[%d]: backward %v, finite difference %v", p.Name, j, got, num)
			}
			checked++
		}
	}
	if checked+stats != net.NumParams() || stats != 2*(6+8) {
		t.Fatalf("checked %d of %d parameters (%d statistics)", checked, net.NumParams(), stats)
	}
}

func TestTrainingLowersLoss(t *testing.T) {
	net := newNet(t, tinyArch(), 5)
	tr, err := New(net, Config{Epochs: 4, Batch: 16, LR: 1e-2, Seed: 2, Augment: Augment{Shift: 0.5}})
	if err != nil {
		t.Fatal(err)
	}
	train, test := synthetic(192, 3), synthetic(60, 4)
	acc0, loss0, err := tr.Evaluate(test)
	if err != nil {
		t.Fatal(err)
	}
	var st EpochStats
	for range 4 {
		if st, err = tr.TrainEpoch(train, test, clock()); err != nil {
			t.Fatal(err)
		}
	}
	if !(st.TestLoss < loss0/2) || st.TestAcc < 0.9 || st.TestAcc <= acc0 {
		t.Fatalf("after 4 epochs: test loss %.3f (was %.3f), accuracy %.2f (was %.2f)", st.TestLoss, loss0, st.TestAcc, acc0)
	}
	if tr.Step != 4*12 || len(tr.History) != 4 || tr.History[3] != st {
		t.Fatalf("step %d, history %+v", tr.Step, tr.History)
	}
}

// clock returns a fake clock advancing one second per call.
func clock() func() float64 {
	s := 0.0
	return func() float64 { s++; return s }
}

func params(net *model.Net) [][]float32 {
	var out [][]float32
	for _, p := range net.Params() {
		out = append(out, slices.Clone(p.Data))
	}
	return out
}

// TestResumeIsExact checks that two epochs in one go and one epoch, a
// checkpoint, a fresh process's resume and a second epoch give bit-identical
// parameters, and that a run is reproducible.
func TestResumeIsExact(t *testing.T) {
	cfg := Config{Epochs: 2, Batch: 10, LR: 5e-3, Seed: 11, Augment: Augment{Shift: 1, Scale: 0.1, Rotate: 10}, WeightDecay: 1e-2}
	data := synthetic(50, 6)
	runTrainer := func(net *model.Net) *Trainer {
		tr, err := New(net, cfg)
		if err != nil {
			t.Fatal(err)
		}
		return tr
	}
	straight := runTrainer(newNet(t, tinyArch(), 1))
	for range 2 {
		if _, err := straight.TrainEpoch(data, Data{}, clock()); err != nil {
			t.Fatal(err)
		}
	}
	again := runTrainer(newNet(t, tinyArch(), 1))
	for range 2 {
		if _, err := again.TrainEpoch(data, Data{}, clock()); err != nil {
			t.Fatal(err)
		}
	}
	if !slices.EqualFunc(params(straight.Net), params(again.Net), slices.Equal) {
		t.Fatal("two runs with the same seed differ")
	}

	path := filepath.Join(t.TempDir(), "ckpt", "tiny.safetensors")
	first := runTrainer(newNet(t, tinyArch(), 1))
	if _, err := first.TrainEpoch(data, Data{}, clock()); err != nil {
		t.Fatal(err)
	}
	if err := first.Save(path); err != nil {
		t.Fatal(err)
	}
	resumed := runTrainer(newNet(t, tinyArch(), 99)) // other initial weights: all restored
	if err := resumed.Resume(path); err != nil {
		t.Fatal(err)
	}
	if resumed.Epoch != 1 || resumed.Step != first.Step || len(resumed.History) != 1 {
		t.Fatalf("resumed at epoch %d step %d history %d, want 1, %d, 1", resumed.Epoch, resumed.Step, first.Step, len(resumed.History))
	}
	if _, err := resumed.TrainEpoch(data, Data{}, clock()); err != nil {
		t.Fatal(err)
	}
	if !slices.EqualFunc(params(straight.Net), params(resumed.Net), slices.Equal) {
		t.Fatal("resumed run differs from the uninterrupted one")
	}

	// A checkpoint from another seed is refused.
	cfg.Seed++
	if err := runTrainer(newNet(t, tinyArch(), 1)).Resume(path); err == nil {
		t.Fatal("resume with another seed succeeded")
	}
}

func TestShard(t *testing.T) {
	var got [][2]int
	for k := range 3 {
		lo, hi := shard(10, 3, k)
		got = append(got, [2]int{lo, hi})
	}
	if want := [][2]int{{0, 4}, {4, 7}, {7, 10}}; !slices.Equal(got, want) {
		t.Fatalf("shard(10, 3, ·) = %v, want %v", got, want)
	}
}

func TestAugment(t *testing.T) {
	const h, w = 28, 28
	src := make([]float32, h*w)
	for y := 10; y < 16; y++ {
		for x := 12; x < 15; x++ {
			src[y*w+x] = 1
		}
	}
	dst := make([]float32, h*w)
	(Augment{}).apply(dst, src, h, w, 1, rand.New(rand.NewPCG(1, 1)))
	if !slices.Equal(dst, src) {
		t.Fatal("the zero Augment changed the image")
	}
	centre := func(img []float32) (mass, cy, cx float64) {
		for i, v := range img {
			mass += float64(v)
			cy += float64(v) * float64(i/w)
			cx += float64(v) * float64(i%w)
		}
		return mass, cy / mass, cx / mass
	}
	m0, y0, x0 := centre(src)
	a := Augment{Shift: 2, Scale: 0.1, Rotate: 10}
	moved := false
	for seed := range uint64(20) {
		a.apply(dst, src, h, w, 1, rand.New(rand.NewPCG(seed, 1)))
		m, y, x := centre(dst)
		// The blob's centre moves by at most the shift plus what scaling and
		// rotation about the image centre do to a point ~2 px from it.
		if d := math.Hypot(y-y0, x-x0); d > 2*math.Sqrt2+1 {
			t.Fatalf("seed %d: centre moved by %.2f px", seed, d)
		}
		// Area scales by s² ∈ [0.81, 1.21].
		if m < 0.8*m0 || m > 1.22*m0 {
			t.Fatalf("seed %d: mass %.2f, was %.2f", seed, m, m0)
		}
		moved = moved || math.Hypot(y-y0, x-x0) > 0.5
	}
	if !moved {
		t.Fatal("no augmentation moved the blob by more than half a pixel")
	}
}

func TestNewRejects(t *testing.T) {
	a := tinyArch()
	a.Layers = a.Layers[:5] // ends with bn2 [2, 3, 6]
	net, err := model.New(a)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := New(net, Config{}); err == nil || err.Error() != `train: the logits must be flat [classes], got [2 3 6]` {
		t.Errorf("3-D logits: %v", err)
	}
	if _, err := New(newNet(t, tinyArch(), 1), Config{Batch: 1, Shards: 2}); err == nil {
		t.Error("batch smaller than the shards accepted")
	}
	if _, err := New(newNet(t, tinyArch(), 1), Config{Augment: Augment{Scale: 0.9}}); err == nil {
		t.Error("scale 0.9 accepted")
	}
}
