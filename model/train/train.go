// Package train trains a model.Net on labelled images with mini-batch
// gradient descent: a forward pass that keeps every activation, a backward
// pass through the gradient operators of package kernel, softmax
// cross-entropy loss and Adam (Kingma & Ba 2015) with decoupled weight decay
// (AdamW, Loshchilov & Hutter 2019) and a warm-up plus cosine learning-rate
// schedule.
//
// Each mini-batch is split into Config.Shards fixed, contiguous shards that
// run concurrently, each with its own buffers; their gradients are summed in
// shard order. Every random draw (shuffling, augmentation, dropout) comes
// from generators derived from (seed, epoch, example position), so a run is
// bit-for-bit reproducible for a given seed and shard count, and resuming
// from a checkpoint continues exactly where an uninterrupted run would be.
package train

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"sync"

	"github.com/featuremap/featuremap/model"
	"github.com/featuremap/featuremap/model/layers"
)

// Data is a labelled image set: Images holds len(Labels) examples of
// [H, W, C] each (the network's input shape), row-major NHWC.
type Data struct {
	Images []float32
	Labels []int
}

// Len returns the number of examples.
func (d Data) Len() int { return len(d.Labels) }

// Config sets the hyper-parameters of a run. Zero values take the defaults
// noted.
type Config struct {
	Epochs int     // passes over the training set
	Batch  int     // examples per step; default 128
	LR     float64 // peak learning rate; default 1e-3
	// MinLR is the learning rate the cosine schedule ends at; default LR/100.
	MinLR float64
	// WarmupSteps ramps the learning rate linearly up to LR over the first
	// steps; default one tenth of an epoch.
	WarmupSteps int
	// WeightDecay is AdamW's decoupled decay of weights (not biases) per
	// unit learning rate; 0 disables it.
	WeightDecay float64
	Seed        uint64
	Augment     Augment
	// Shards is the number of concurrent shards of each batch; default 2.
	Shards int
}

func (c Config) withDefaults() Config {
	if c.Batch == 0 {
		c.Batch = 128
	}
	if c.LR == 0 {
		c.LR = 1e-3
	}
	if c.MinLR == 0 {
		c.MinLR = c.LR / 100
	}
	if c.Shards == 0 {
		c.Shards = 2
	}
	return c
}

// Adam's hyper-parameters, the paper's defaults.
const (
	adamBeta1 = 0.9
	adamBeta2 = 0.999
	adamEps   = 1e-8
)

// EpochStats summarises one epoch.
type EpochStats struct {
	Epoch     int     `json:"epoch"` // 1-based
	Loss      float64 `json:"loss"`  // mean training loss
	TrainAcc  float64 `json:"train_acc"`
	TestAcc   float64 `json:"test_acc"` // -1 when no test set was given
	TestLoss  float64 `json:"test_loss"`
	Seconds   float64 `json:"seconds"`
	LastLR    float64 `json:"last_lr"`
	Completed int64   `json:"step"` // optimizer steps done at the end of the epoch
}

// Trainer trains one Net. It is not safe for concurrent use.
type Trainer struct {
	Net     *model.Net
	cfg     Config
	workers []*worker
	// Adam state, parallel to Net.Params().
	m, v [][]float32
	// Step is the number of optimizer steps taken; Epoch the number of
	// completed epochs.
	Step  int64
	Epoch int
	// History holds the statistics of every completed epoch.
	History []EpochStats
	// Progress, if set, is called after every step with the examples done
	// in the epoch, the epoch's size and the running mean loss.
	Progress func(done, total int, loss float64)
}

// New returns a Trainer for net, whose parameters it updates in place
// (initialise them first, e.g. with net.InitRandom); it dequantises the
// int8 weights a loaded net keeps (model.Tensor.Int8) into float32 ones.
func New(net *model.Net, cfg Config) (*Trainer, error) {
	if err := checkGraph(net.Graph); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	switch {
	case cfg.Batch < cfg.Shards:
		return nil, fmt.Errorf("train: batch %d is smaller than the %d shards", cfg.Batch, cfg.Shards)
	case cfg.Epochs < 0:
		return nil, fmt.Errorf("train: epochs must not be negative, got %d", cfg.Epochs)
	case !(cfg.LR > 0) || !(cfg.MinLR > 0) || cfg.WeightDecay < 0:
		return nil, fmt.Errorf("train: learning rates must be positive and weight decay non-negative, got %g, %g, %g", cfg.LR, cfg.MinLR, cfg.WeightDecay)
	}
	if err := cfg.Augment.validate(); err != nil {
		return nil, err
	}
	params := net.Params()
	for i := range params {
		// Training updates float32 values: int8 weights from a weight file
		// are dequantised once and dropped.
		w, err := params[i].Float32s()
		if err != nil {
			return nil, fmt.Errorf("train: %w", err)
		}
		params[i].Data, params[i].Int8, params[i].Scales = w, nil, nil
	}
	t := &Trainer{Net: net, cfg: cfg}
	shardCap := (cfg.Batch + cfg.Shards - 1) / cfg.Shards
	for range cfg.Shards {
		t.workers = append(t.workers, newWorker(net, shardCap))
	}
	for _, p := range params {
		t.m = append(t.m, make([]float32, len(p.Data)))
		t.v = append(t.v, make([]float32, len(p.Data)))
	}
	return t, nil
}

// Config returns the configuration with defaults filled in.
func (t *Trainer) Config() Config { return t.cfg }

// stepsPerEpoch is the number of full batches in n examples; the rest of a
// shuffled epoch is left out (other examples each epoch).
func (t *Trainer) stepsPerEpoch(n int) int { return n / t.cfg.Batch }

// lr returns the learning rate of step s (0-based) of total steps, with
// stepsPerEpoch steps per epoch: a linear warm-up, then a cosine decay from
// LR to MinLR (Loshchilov & Hutter 2017, without restarts).
func (t *Trainer) lr(s, total int64, stepsPerEpoch int) float64 {
	c := t.cfg
	warm := int64(c.WarmupSteps)
	if warm == 0 {
		warm = int64(max(stepsPerEpoch/10, 1))
	}
	if s < warm {
		return c.LR * float64(s+1) / float64(warm)
	}
	p := float64(s-warm) / float64(max(total-warm, 1))
	return c.MinLR + 0.5*(c.LR-c.MinLR)*(1+math.Cos(math.Pi*min(p, 1)))
}

// exampleRand returns the generator of the example at position pos of
// epoch (0-based): it drives that example's augmentation and dropout.
func (t *Trainer) exampleRand(epoch, pos int) *rand.Rand {
	return rand.New(rand.NewPCG(t.cfg.Seed^0x5eed_da7a_0000_0000, uint64(epoch)<<32|uint64(pos)))
}

// permutation returns epoch's shuffled order of n examples.
func (t *Trainer) permutation(epoch, n int) []int {
	return rand.New(rand.NewPCG(t.cfg.Seed, 0x5_4ff1e<<32|uint64(epoch))).Perm(n)
}

// TrainEpoch runs one epoch over train and, if test is not empty, measures
// test accuracy afterwards. It returns the epoch's statistics, also
// appended to History.
func (t *Trainer) TrainEpoch(train, test Data, seconds func() float64) (EpochStats, error) {
	in := len3(t.Net.Graph.Input)
	if err := checkData(train, in, "training"); err != nil {
		return EpochStats{}, err
	}
	steps := t.stepsPerEpoch(train.Len())
	if steps == 0 {
		return EpochStats{}, fmt.Errorf("train: %d training examples make no batch of %d", train.Len(), t.cfg.Batch)
	}
	total := int64(steps) * int64(max(t.cfg.Epochs, t.Epoch+1))
	start := seconds()
	epoch := t.Epoch
	perm := t.permutation(epoch, train.Len())
	var lossSum float64
	var correct int
	lr := 0.0
	for s := range steps {
		lr = t.lr(t.Step, total, steps)
		loss, c, err := t.step(train, perm[s*t.cfg.Batch:(s+1)*t.cfg.Batch], epoch, s*t.cfg.Batch, lr)
		if err != nil {
			return EpochStats{}, err
		}
		lossSum += loss
		correct += c
		if t.Progress != nil {
			t.Progress((s+1)*t.cfg.Batch, steps*t.cfg.Batch, lossSum/float64(s+1))
		}
	}
	st := EpochStats{
		Epoch:     epoch + 1,
		Loss:      lossSum / float64(steps),
		TrainAcc:  float64(correct) / float64(steps*t.cfg.Batch),
		TestAcc:   -1,
		LastLR:    lr,
		Completed: t.Step,
	}
	if test.Len() > 0 {
		acc, loss, err := t.Evaluate(test)
		if err != nil {
			return EpochStats{}, err
		}
		st.TestAcc, st.TestLoss = acc, loss
	}
	st.Seconds = seconds() - start
	t.Epoch++
	t.History = append(t.History, st)
	return st, nil
}

func checkData(d Data, in int, what string) error {
	if len(d.Images) != d.Len()*in {
		return fmt.Errorf("train: %s data: %d image values for %d labels of %d values each", what, len(d.Images), d.Len(), in)
	}
	return nil
}

// step trains on the examples idx (positions pos.. of the epoch's order):
// the shards compute gradients concurrently, then one Adam update applies
// their sum. It returns the batch's mean loss and correct predictions.
func (t *Trainer) step(d Data, idx []int, epoch, pos int, lr float64) (float64, int, error) {
	in := len3(t.Net.Graph.Input)
	h, w, c := t.Net.Graph.Input[0], t.Net.Graph.Input[1], t.Net.Graph.Input[2]
	errs := make([]error, len(t.workers))
	var wg sync.WaitGroup
	for k, wk := range t.workers {
		lo, hi := shard(len(idx), len(t.workers), k)
		wg.Go(func() {
			n := hi - lo
			rngs := make([]*rand.Rand, n)
			for j := range n {
				rngs[j] = t.exampleRand(epoch, pos+lo+j)
				src := d.Images[idx[lo+j]*in : (idx[lo+j]+1)*in]
				t.cfg.Augment.apply(wk.in[j*in:(j+1)*in], src, h, w, c, rngs[j])
				wk.labels[j] = d.Labels[idx[lo+j]]
			}
			errs[k] = firstErr(wk.forward(n, true, rngs), wk.lossAndGrad(n, len(idx)))
			if errs[k] == nil {
				errs[k] = wk.backward(n)
			}
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return 0, 0, err
	}
	t.Step++
	t.adam(lr)
	var loss float64
	correct := 0
	for _, wk := range t.workers {
		loss += wk.loss
		correct += wk.correct
	}
	return loss / float64(len(idx)), correct, nil
}

// shard returns the range [lo, hi) of shard k of n examples split into
// parts contiguous shards, the first ones one larger when n%parts != 0.
func shard(n, parts, k int) (lo, hi int) {
	q, r := n/parts, n%parts
	lo = k*q + min(k, r)
	hi = lo + q
	if k < r {
		hi++
	}
	return lo, hi
}

// adam applies one AdamW update with learning rate lr to every trained
// parameter, using the sum of the shards' gradients (in shard order) and
// bias-corrected moments: m ← β1·m + (1-β1)·g, v ← β2·v + (1-β2)·g²,
// w ← w - lr·(m̂/(√v̂ + ε) + λ·w) with λ = WeightDecay for parameters of
// kind layers.KindWeight only. A parameter of kind layers.KindStatistic
// instead follows its batch statistic s, the shards' values weighted by
// their sizes: p ← momentum·p + (1-momentum)·s.
func (t *Trainer) adam(lr float64) {
	c1 := 1 - math.Pow(adamBeta1, float64(t.Step))
	c2 := 1 - math.Pow(adamBeta2, float64(t.Step))
	params := t.Net.Params()
	batch := 0
	for _, wk := range t.workers {
		batch += wk.n
	}
	k := 0
	for i := range t.Net.Graph.Nodes {
		for pi, spec := range t.Net.Graph.Nodes[i].Params {
			p, m, v := params[k].Data, t.m[k], t.v[k]
			k++
			if spec.Kind == layers.KindStatistic {
				mom := float64(spec.Momentum)
				for j := range p {
					var s float64
					for _, wk := range t.workers {
						if wk.n > 0 {
							s += float64(wk.grads[i][pi][j]) * float64(wk.n) / float64(batch)
						}
					}
					p[j] = float32(mom*float64(p[j]) + (1-mom)*s)
				}
				continue
			}
			decay := 0.0
			if spec.Kind == layers.KindWeight {
				decay = t.cfg.WeightDecay
			}
			for j := range p {
				var g float64
				for _, wk := range t.workers {
					g += float64(wk.grads[i][pi][j])
				}
				mj := adamBeta1*float64(m[j]) + (1-adamBeta1)*g
				vj := adamBeta2*float64(v[j]) + (1-adamBeta2)*g*g
				m[j], v[j] = float32(mj), float32(vj)
				w := float64(p[j])
				p[j] = float32(w - lr*((mj/c1)/(math.Sqrt(vj/c2)+adamEps)+decay*w))
			}
		}
	}
}

// Evaluate returns the top-1 accuracy and mean cross-entropy of the Net on
// d, without dropout, the shards working on contiguous parts of d.
func (t *Trainer) Evaluate(d Data) (acc, loss float64, err error) {
	return evaluate(t.workers, d)
}

// Evaluate returns the top-1 accuracy and mean cross-entropy of net on d,
// in batches of up to batch examples split over shards concurrent shards.
func Evaluate(net *model.Net, d Data, batch, shards int) (acc, loss float64, err error) {
	if err := checkGraph(net.Graph); err != nil {
		return 0, 0, err
	}
	if batch < 1 || shards < 1 {
		return 0, 0, fmt.Errorf("train: evaluate: batch %d and shards %d must be positive", batch, shards)
	}
	workers := make([]*worker, shards)
	for k := range workers {
		workers[k] = newWorker(net, max(batch/shards, 1))
	}
	return evaluate(workers, d)
}

func evaluate(workers []*worker, d Data) (acc, loss float64, err error) {
	in := len3(workers[0].g.Input)
	if err := checkData(d, in, "test"); err != nil {
		return 0, 0, err
	}
	if d.Len() == 0 {
		return 0, 0, fmt.Errorf("train: evaluate: no examples")
	}
	// The weights are packed once per evaluation, not per batch.
	prepared, err := prepare(workers[0].net)
	if err != nil {
		return 0, 0, err
	}
	errs := make([]error, len(workers))
	losses := make([]float64, len(workers))
	corrects := make([]int, len(workers))
	var wg sync.WaitGroup
	for k, wk := range workers {
		lo, hi := shard(d.Len(), len(workers), k)
		wk.prepared = prepared
		wg.Go(func() {
			for b := lo; b < hi && errs[k] == nil; b += wk.capN {
				n := min(wk.capN, hi-b)
				copy(wk.in, d.Images[b*in:(b+n)*in])
				copy(wk.labels, d.Labels[b:b+n])
				errs[k] = firstErr(wk.forward(n, false, nil), wk.lossAndGrad(n, n))
				losses[k] += wk.loss
				corrects[k] += wk.correct
			}
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return 0, 0, err
	}
	correct := 0
	for k := range workers {
		loss += losses[k]
		correct += corrects[k]
	}
	return float64(correct) / float64(d.Len()), loss / float64(d.Len()), nil
}
