package train

import (
	"math"
	"runtime"
	"strings"
	"testing"

	"github.com/featuremap/featuremap/model"
)

// TestEvaluateMatchesRunner checks Evaluate's top-1 accuracy and mean
// cross-entropy against the inference path: model.Runner's softmax output
// for each example, one at a time, scored here. 23 examples over uneven
// batches and shards cover the partial last batch and empty shards.
func TestEvaluateMatchesRunner(t *testing.T) {
	net := newNet(t, tinyArch(), 5)
	d := synthetic(23, 9)
	r, err := model.NewRunner(net, model.RunnerOptions{})
	if err != nil {
		t.Fatal(err)
	}
	in := len(d.Images) / d.Len()
	correct, loss := 0, 0.0
	for i, label := range d.Labels {
		probs, err := r.Run(d.Images[i*in : (i+1)*in])
		if err != nil {
			t.Fatal(err)
		}
		best := 0
		for k, p := range probs {
			if p > probs[best] {
				best = k
			}
		}
		if best == label {
			correct++
		}
		loss -= math.Log(float64(probs[label]))
	}
	wantAcc, wantLoss := float64(correct)/float64(d.Len()), loss/float64(d.Len())
	if correct == 0 || correct == d.Len() {
		t.Fatalf("the reference gets %d of %d right: pick a seed whose accuracy is neither 0 nor 1", correct, d.Len())
	}
	for _, c := range []struct{ batch, shards int }{{1, 1}, {4, 3}, {64, 2}, {5, 30}} {
		acc, loss, err := Evaluate(net, d, c.batch, c.shards)
		if err != nil {
			t.Fatalf("batch %d, shards %d: %v", c.batch, c.shards, err)
		}
		// The runner's float32 softmax against the trainer's cross-entropy:
		// a few float32 roundings per example.
		if acc != wantAcc || math.Abs(loss-wantLoss) > 1e-5*wantLoss {
			t.Errorf("batch %d, shards %d: Evaluate = %v, %v; the runner gives %v, %v", c.batch, c.shards, acc, loss, wantAcc, wantLoss)
		}
	}
}

func TestEvaluateRejects(t *testing.T) {
	net := newNet(t, tinyArch(), 5)
	d := synthetic(4, 1)
	short := Data{Images: d.Images[:len(d.Images)-1], Labels: d.Labels}
	for _, c := range []struct {
		name          string
		d             Data
		batch, shards int
		want          string
	}{
		{"batch 0", d, 0, 1, "batch 0"},
		{"shards 0", d, 4, 0, "shards 0"},
		{"short images", short, 4, 1, "287 image values for 4 labels of 72 values each"},
		{"no examples", Data{}, 4, 1, "no examples"},
	} {
		_, _, err := Evaluate(net, c.d, c.batch, c.shards)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: Evaluate error = %v, want one containing %q", c.name, err, c.want)
		}
	}
}

// TestEvaluatePacksOnce checks that an evaluation prepares (packs) the
// weights once, not once per batch: over nine batches it allocates less
// than half a preparation more than over one. seednet's dense weights make
// a preparation ~0.5 MB, far above what a batch's bookkeeping takes.
func TestEvaluatePacksOnce(t *testing.T) {
	arch, err := model.Builtin("seednet")
	if err != nil {
		t.Fatal(err)
	}
	net := newNet(t, arch, 3)
	in := 28 * 28
	d := Data{Images: make([]float32, 9*in), Labels: make([]int, 9)}
	allocated := func(f func()) uint64 {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		f()
		runtime.ReadMemStats(&after)
		return after.TotalAlloc - before.TotalAlloc
	}
	evaluate := func(n int) uint64 {
		return allocated(func() {
			if _, _, err := Evaluate(net, Data{Images: d.Images[:n*in], Labels: d.Labels[:n]}, 1, 1); err != nil {
				t.Fatal(err)
			}
		})
	}
	prep := allocated(func() {
		if _, err := prepare(net); err != nil {
			t.Fatal(err)
		}
	})
	one, nine := evaluate(1), evaluate(9)
	if nine > one+prep/2 {
		t.Errorf("Evaluate allocated %d bytes over 9 batches, %d over 1; one preparation takes %d", nine, one, prep)
	}
}
