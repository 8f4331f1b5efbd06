package train

import (
	"math"
	"testing"

	"github.com/featuremap/featuremap/model"
	"github.com/featuremap/featuremap/model/layers"
	"github.com/featuremap/featuremap/model/mnist"
)

// mnistData returns n images of set from offset as network inputs of a.
func mnistData(t *testing.T, a model.Arch, set mnist.Set, offset, n int) Data {
	t.Helper()
	ds, err := mnist.Load(set)
	if err != nil {
		t.Fatal(err)
	}
	size := ds.Rows * ds.Cols
	d := Data{Images: make([]float32, n*size), Labels: make([]int, n)}
	for i := range n {
		ds.InputTo(d.Images[i*size:], offset+i, a.InputSpec().Norm)
		d.Labels[i] = int(ds.Labels[offset+i])
	}
	return d
}

// TestMNISTBatchNormSmoke trains a small convolutional network with batch
// normalisation (after a linear conv, so the runner folds it, and after a
// dense layer) on 1,536 MNIST images for two epochs: the training loss
// falls below chance and keeps falling, the test accuracy is well above
// chance, and the inference Runner, with the moving statistics folded into
// the conv weights, agrees with the trainer's evaluation.
func TestMNISTBatchNormSmoke(t *testing.T) {
	a, err := model.Builtin("seednet") // for its input and preprocessing
	if err != nil {
		t.Fatal(err)
	}
	a.Name = "bnnet"
	a.Layers = []model.Layer{
		{Name: "conv1", Op: &layers.Conv2D{Filters: 8, Window: layers.Window{Kernel: [2]int{3, 3}, Strides: [2]int{2, 2}, Padding: layers.PadSame}}},
		{Name: "bn1", Op: &layers.BatchNorm{Momentum: 0.9}},
		{Name: "relu1", Op: &layers.ReLU{}},
		{Name: "pool1", Op: &layers.MaxPool{Window: layers.Window{Kernel: [2]int{2, 2}, Strides: [2]int{2, 2}}}},
		{Name: "flatten", Op: &layers.Flatten{}},
		{Name: "fc1", Op: &layers.Dense{Units: 32}},
		{Name: "bn2", Op: &layers.BatchNorm{Momentum: 0.9}},
		{Name: "relu2", Op: &layers.ReLU{}},
		{Name: "fc2", Op: &layers.Dense{Units: 10}},
		{Name: "softmax", Op: &layers.Softmax{}},
	}
	net, err := model.New(a)
	if err != nil {
		t.Fatal(err)
	}
	net.InitRandom(1)
	train, test := mnistData(t, a, mnist.Train, 0, 1536), mnistData(t, a, mnist.Test, 0, 500)
	tr, err := New(net, Config{Epochs: 2, Batch: 32, LR: 1e-2, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	var losses []float64
	for range 2 {
		st, err := tr.TrainEpoch(train, test, clock())
		if err != nil {
			t.Fatal(err)
		}
		losses = append(losses, st.Loss)
		t.Logf("epoch %d: loss %.3f, test accuracy %.3f", st.Epoch, st.Loss, st.TestAcc)
	}
	last := tr.History[len(tr.History)-1]
	if !(losses[0] < math.Log(10)) || !(losses[1] < losses[0]) || last.TestAcc < 0.8 {
		t.Fatalf("losses %v, test accuracy %.3f: not learning", losses, last.TestAcc)
	}
	// The moving statistics moved away from their initial 0 and 1.
	if m, _ := net.Param("bn1.mean"); m.Data[0] == 0 {
		t.Errorf("bn1.mean not updated: %v", m.Data)
	}
	// The Runner (bn1 folded into conv1, bn2 into fc1) gives the trainer's
	// test accuracy.
	r, err := model.NewRunner(net, model.RunnerOptions{Batch: 1})
	if err != nil {
		t.Fatal(err)
	}
	correct := 0
	for i, label := range test.Labels {
		probs, err := r.Run(test.Images[i*784 : (i+1)*784])
		if err != nil {
			t.Fatal(err)
		}
		if best := argmax(probs); best == label {
			correct++
		}
	}
	if acc := float64(correct) / float64(test.Len()); math.Abs(acc-last.TestAcc) > 0.005 {
		t.Errorf("runner accuracy %.3f, trainer %.3f", acc, last.TestAcc)
	}
}

func argmax(p []float32) int {
	best := 0
	for i, v := range p {
		if v > p[best] {
			best = i
		}
	}
	return best
}
