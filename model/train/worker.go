package train

import (
	"fmt"
	"math/rand/v2"

	"github.com/featuremap/featuremap/kernel"
	"github.com/featuremap/featuremap/model"
	"github.com/featuremap/featuremap/model/layers"
)

// worker owns the buffers of one shard of a mini-batch: every node's output
// and the gradient of the loss with respect to it, for up to capN examples,
// what each layer keeps for its backward step, and its own parameter
// gradients. Workers share only the (read-only) parameters, so shards run
// concurrently. Each layer runs through its layers.Layer Forward and
// Backward, the same forward step the inference Runner uses.
type worker struct {
	net  *model.Net
	g    *model.Graph
	capN int
	in   []float32   // the input batch [capN, H, W, C]
	out  [][]float32 // out[i] is node i's output [capN, ...]; views alias their input
	grad [][]float32 // grad[i] is dLoss/d out[i], nil for the network input's views
	// view[i]: node i is a view of its input (layers.Traits.Reshape, its
	// input read by it alone) and runs no step; gradOf[i] is the node whose
	// gradient buffer node i's is (i itself unless a view).
	view   []bool
	gradOf []int
	saved  [][]float32   // saved[i]: what node i's Forward keeps for Backward
	grads  [][][]float32 // grads[i][k]: node i's parameter k gradient (or batch statistic)
	// acc[k] receives input k's gradient when it must be added to a buffer
	// another reader already wrote.
	acc      [][]float32
	written  []bool            // written[i]: grad[i] holds a reader's gradient
	prepared []layers.Prepared // the inference forward's weights, indexed by node (prepare)
	ws       []float32
	labels   []int
	n        int // examples in the last forward pass

	// Results of the last step: summed loss and correct predictions.
	loss    float64
	correct int
}

// logitsValue returns the value (node index) the loss reads: the last
// node's output, or the input of a last layer whose output is its input's
// softmax (the cross-entropy applies the softmax itself).
func logitsValue(g *model.Graph) int {
	last := len(g.Nodes) - 1
	if n := &g.Nodes[last]; n.Impl.Traits().Probabilities && n.Inputs[0] != model.NetworkInput {
		return n.Inputs[0]
	}
	return last
}

// forwardEnd returns the number of nodes the trainer runs: all but a final
// softmax whose input is the logits.
func forwardEnd(g *model.Graph) int {
	if logitsValue(g) != len(g.Nodes)-1 {
		return len(g.Nodes) - 1
	}
	return len(g.Nodes)
}

// checkGraph reports a graph the trainer cannot run: the logits must be a
// layer's flat output [classes].
func checkGraph(g *model.Graph) error {
	if out := g.Nodes[logitsValue(g)].Shape; len(out) != 1 {
		return fmt.Errorf("train: the logits must be flat [classes], got %v", out)
	}
	return nil
}

func newWorker(net *model.Net, capN int) *worker {
	g := net.Graph
	nn := len(g.Nodes)
	w := &worker{
		net: net, g: g, capN: capN,
		in:      make([]float32, capN*len3(g.Input)),
		out:     make([][]float32, nn),
		grad:    make([][]float32, nn),
		view:    make([]bool, nn),
		gradOf:  make([]int, nn),
		saved:   make([][]float32, nn),
		grads:   make([][][]float32, nn),
		written: make([]bool, nn),
		labels:  make([]int, capN),
	}
	readers := make([]int, nn+1)
	maxInputs, accLen := 0, 0
	for i := range g.Nodes {
		for _, in := range g.Nodes[i].Inputs {
			readers[in+1]++
		}
		maxInputs = max(maxInputs, len(g.Nodes[i].Inputs))
	}
	wsLen := 0
	for i := range g.Nodes {
		nd := &g.Nodes[i]
		w.gradOf[i] = i
		if readers[i+1] > 1 {
			accLen = max(accLen, capN*nd.Len())
		}
		if in := nd.Inputs[0]; nd.Impl.Traits().Reshape && readers[in+1] == 1 {
			w.view[i] = true
			if in == model.NetworkInput {
				w.out[i] = w.in
			} else {
				w.out[i], w.grad[i], w.gradOf[i] = w.out[in], w.grad[in], w.gradOf[in]
			}
			continue
		}
		n := capN * nd.Len()
		w.out[i] = make([]float32, n)
		w.grad[i] = make([]float32, n)
		w.saved[i] = make([]float32, nd.Impl.Saved(capN))
		for _, p := range nd.Params {
			w.grads[i] = append(w.grads[i], make([]float32, p.Len()))
		}
		wsLen = max(wsLen, nd.Impl.Workspace(capN, true))
	}
	if accLen > 0 {
		w.acc = make([][]float32, maxInputs)
		for k := range w.acc {
			w.acc[k] = make([]float32, accLen)
		}
	}
	w.ws = make([]float32, wsLen)
	return w
}

func len3(s []int) int { return s[0] * s[1] * s[2] }

// value returns the first n examples of value v (a node or the network
// input) and of its gradient buffer (nil for the network input).
func (w *worker) value(v, n int) (x, dx []float32) {
	if v == model.NetworkInput {
		return w.in[:n*len3(w.g.Input)], nil
	}
	k := n * w.g.Nodes[v].Len()
	if w.grad[v] == nil {
		return w.out[v][:k], nil
	}
	return w.out[v][:k], w.grad[v][:k]
}

// step returns node i's layers.Step for the first n examples, without the
// input gradients.
func (w *worker) step(i, n int, train bool, rngs []*rand.Rand) *layers.Step {
	nd := &w.g.Nodes[i]
	y, dy := w.value(i, n)
	st := &layers.Step{
		N: n, Y: y, WS: w.ws,
		Train: train, Rand: rngs, Saved: w.saved[i][:nd.Impl.Saved(n)],
		Params: w.net.LayerParams(i), Grads: w.grads[i], DY: dy,
	}
	if !train {
		st.W = w.prepared[i]
	}
	for _, in := range nd.Inputs {
		x, _ := w.value(in, n)
		st.X = append(st.X, x)
	}
	return st
}

// forward runs the first n examples of w.in through the network up to the
// logits. In training, layers draw their random numbers (dropout masks)
// from rngs[j] for example j, read the float32 parameters as they are and
// keep what backward needs; otherwise they compute as at inference
// (dropout is the identity) from w.prepared, which prepare must have set
// since the parameters last changed.
func (w *worker) forward(n int, train bool, rngs []*rand.Rand) error {
	w.n = n
	for i := range forwardEnd(w.g) {
		if w.view[i] {
			continue
		}
		if err := layers.Forward(w.g.Nodes[i].Impl, w.step(i, n, train, rngs)); err != nil {
			return fmt.Errorf("train: layer %q: %w", w.g.Nodes[i].Layer.Name, err)
		}
	}
	return nil
}

// prepare returns every layer's parameters of net prepared for inference
// (layers.Layer.Prepare: packed once), indexed by node, for the forward
// passes of an evaluation; workers share them (prepared weights are
// read-only).
func prepare(net *model.Net) ([]layers.Prepared, error) {
	g := net.Graph
	prepared := make([]layers.Prepared, len(g.Nodes))
	for i := range forwardEnd(g) {
		var err error
		if prepared[i], err = g.Nodes[i].Impl.Prepare(net.LayerParams(i)); err != nil {
			return nil, fmt.Errorf("train: layer %q: %w", g.Nodes[i].Layer.Name, err)
		}
	}
	return prepared, nil
}

// lossAndGrad computes the softmax cross-entropy of the first n logits
// against w.labels, sets w.loss (summed over the n examples) and w.correct,
// and writes dLoss/dlogits scaled by 1/batch into the logits' gradient, so
// that the shards' parameter gradients add up to the batch mean's.
func (w *worker) lossAndGrad(n, batch int) error {
	li := logitsValue(w.g)
	m := w.g.Nodes[li].Len()
	logits, d := w.value(li, n)
	w.correct = countCorrect(logits, w.labels[:n], m)
	mean, err := kernel.SoftmaxCrossEntropy(nil, d, logits, w.labels, n, m)
	if err != nil {
		return fmt.Errorf("train: %w", err)
	}
	w.loss = mean * float64(n)
	scale := 1 / float32(batch)
	for i := range d {
		d[i] *= scale
	}
	return nil
}

// countCorrect counts the rows of logits [n, m] whose first maximum is at
// the label.
func countCorrect(logits []float32, labels []int, m int) int {
	correct := 0
	for j, l := range labels {
		row := logits[j*m : (j+1)*m]
		best := 0
		for c, v := range row {
			if v > row[best] {
				best = c
			}
		}
		if best == l {
			correct++
		}
	}
	return correct
}

// backward propagates the logits' gradient back through every node in
// reverse order, writing each node's parameter gradients (overwritten, not
// accumulated). A value read by several layers receives the sum of their
// gradients. Nodes whose output does not reach the loss get zero parameter
// gradients; the network input's gradient is skipped.
func (w *worker) backward(n int) error {
	clear(w.written)
	li := logitsValue(w.g)
	w.written[w.gradOf[li]] = true
	for i := forwardEnd(w.g) - 1; i >= 0; i-- {
		nd := &w.g.Nodes[i]
		if w.view[i] {
			continue
		}
		if !w.written[i] {
			for _, g := range w.grads[i] {
				clear(g)
			}
			continue
		}
		st := w.step(i, n, true, nil)
		var adds []int // inputs whose gradient went to acc
		for k, in := range nd.Inputs {
			_, dx := w.value(in, n)
			switch {
			case dx == nil:
			case !w.written[w.gradOf[in]]:
				w.written[w.gradOf[in]] = true
			default:
				adds = append(adds, k)
				dx = w.acc[k][:len(dx)]
			}
			st.DX = append(st.DX, dx)
		}
		if err := nd.Impl.Backward(st); err != nil {
			return fmt.Errorf("train: layer %q: %w", nd.Layer.Name, err)
		}
		for _, k := range adds {
			_, dx := w.value(nd.Inputs[k], n)
			for j, v := range st.DX[k] {
				dx[j] += v
			}
		}
	}
	return nil
}

func firstErr(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
