package train

import (
	"math/rand/v2"
	"testing"

	"github.com/featuremap/featuremap/model"
)

// benchStep measures one training step of a built-in architecture on random
// images, reporting images per second.
func benchStep(b *testing.B, arch string, batch int) {
	a, err := model.Builtin(arch)
	if err != nil {
		b.Fatal(err)
	}
	net, err := model.New(a)
	if err != nil {
		b.Fatal(err)
	}
	net.InitRandom(1)
	tr, err := New(net, Config{Epochs: 1, Batch: batch, Augment: Augment{Shift: 2, Scale: 0.1, Rotate: 8}})
	if err != nil {
		b.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	d := Data{Images: make([]float32, batch*784), Labels: make([]int, batch)}
	for i := range d.Images {
		d.Images[i] = rng.Float32()
	}
	for i := range d.Labels {
		d.Labels[i] = i % 10
	}
	idx := make([]int, batch)
	for i := range idx {
		idx[i] = i
	}
	b.ResetTimer()
	for b.Loop() {
		if _, _, err := tr.step(d, idx, 0, 0, 1e-3); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(batch*b.N)/b.Elapsed().Seconds(), "img/s")
}

func BenchmarkStepSeednet(b *testing.B)   { benchStep(b, "seednet", 128) }
func BenchmarkStepAlexMNIST(b *testing.B) { benchStep(b, "alexmnist", 128) }
