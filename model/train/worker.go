package train

import (
	"fmt"
	"math/rand/v2"

	"github.com/featuremap/featuremap/kernel"
	"github.com/featuremap/featuremap/model"
)

// worker owns the buffers of one shard of a mini-batch: every node's output
// and the gradient of the loss with respect to it, for up to capN examples,
// plus its own parameter gradients. Workers share only the (read-only)
// parameters, so shards run concurrently.
type worker struct {
	net  *model.Net
	g    *model.Graph
	capN int
	in   []float32   // the input batch [capN, H, W, C]
	out  [][]float32 // out[i] is node i's output [capN, ...]; flatten aliases its input
	grad [][]float32 // grad[i] is dLoss/d out[i]; nil where not needed
	mask [][]float32 // dropout nodes: 0 or 1/(1-rate) per element
	// dw[i], db[i] are node i's weight and bias gradients (nil without parameters).
	dw, db [][]float32
	ws     []float32
	labels []int

	// Results of the last step: summed loss and correct predictions.
	loss    float64
	correct int
}

// logitsNode returns the index of the node whose output the loss reads:
// the last node, or the one before a final softmax (the cross-entropy
// applies the softmax itself).
func logitsNode(g *model.Graph) int {
	last := len(g.Nodes) - 1
	if g.Nodes[last].Layer.Type == model.TypeSoftmax && last > 0 {
		return last - 1
	}
	return last
}

// checkGraph reports a graph the trainer cannot run: it trains chains of
// conv2d, maxpool, avgpool, lrn, relu, dense, flatten and dropout layers
// ending in an optional softmax, with a flat output.
func checkGraph(g *model.Graph) error {
	for i := range g.Nodes {
		nd := &g.Nodes[i]
		if len(nd.Inputs) != 1 || nd.Inputs[0] != i-1 {
			return fmt.Errorf("train: layer %q: only chains are supported (each layer reads the one before)", nd.Layer.Name)
		}
		switch nd.Layer.Type {
		case model.TypeConv2D, model.TypeMaxPool, model.TypeAvgPool, model.TypeLRN, model.TypeReLU,
			model.TypeDense, model.TypeFlatten, model.TypeDropout:
		case model.TypeSoftmax:
			if i != len(g.Nodes)-1 {
				return fmt.Errorf("train: layer %q: softmax is supported only as the last layer", nd.Layer.Name)
			}
		default:
			return fmt.Errorf("train: layer %q: type %q is not supported", nd.Layer.Name, nd.Layer.Type)
		}
	}
	if out := g.Nodes[logitsNode(g)].Shape; len(out) != 1 {
		return fmt.Errorf("train: the logits must be flat [classes], got %v", out)
	}
	return nil
}

func newWorker(net *model.Net, capN int) *worker {
	g := net.Graph
	w := &worker{
		net: net, g: g, capN: capN,
		in:     make([]float32, capN*len3(g.Input)),
		out:    make([][]float32, len(g.Nodes)),
		grad:   make([][]float32, len(g.Nodes)),
		mask:   make([][]float32, len(g.Nodes)),
		dw:     make([][]float32, len(g.Nodes)),
		db:     make([][]float32, len(g.Nodes)),
		labels: make([]int, capN),
	}
	wsLen := 0
	for i := range g.Nodes {
		nd := &g.Nodes[i]
		n := capN * nd.Len()
		switch nd.Layer.Type {
		case model.TypeFlatten:
			// A view: the same buffers as the input.
			if i == 0 {
				w.out[i] = w.in
			} else {
				w.out[i], w.grad[i] = w.out[i-1], w.grad[i-1]
			}
			continue
		case model.TypeConv2D:
			s := nd.Conv
			s.N = capN
			wsLen = max(wsLen, s.WorkspaceLen(), s.BackpropWorkspaceLen())
		case model.TypeDense:
			k, m := nd.WeightShape[0], nd.WeightShape[1]
			wsLen = max(wsLen, kernel.DenseWorkspaceLen(capN, k, m), kernel.GemmWorkspaceLen(k, m, capN), kernel.GemmWorkspaceLen(capN, k, m))
		case model.TypeLRN:
			wsLen = max(wsLen, 2*nd.Shape[len(nd.Shape)-1])
		case model.TypeDropout:
			w.mask[i] = make([]float32, n)
		}
		w.out[i] = make([]float32, n)
		w.grad[i] = make([]float32, n)
		if nd.WeightShape != nil {
			w.dw[i] = make([]float32, nd.Weights())
			w.db[i] = make([]float32, nd.Biases())
		}
	}
	w.ws = make([]float32, wsLen)
	return w
}

func len3(s []int) int { return s[0] * s[1] * s[2] }

// src returns node i's input buffer and its gradient buffer (nil for the
// network input, whose gradient is never needed).
func (w *worker) src(i int) (x, dx []float32) {
	if i == 0 {
		return w.in, nil
	}
	return w.out[i-1], w.grad[i-1]
}

// forward runs the first n examples of w.in through the network up to the
// logits. In training, dropout layers draw their masks from rngs[j] for
// example j; otherwise dropout is the identity.
func (w *worker) forward(n int, train bool, rngs []*rand.Rand) error {
	last := logitsNode(w.g)
	for i := 0; i <= last; i++ {
		nd := &w.g.Nodes[i]
		x, _ := w.src(i)
		y := w.out[i]
		wt, b := w.net.LayerParams(i)
		var err error
		switch nd.Layer.Type {
		case model.TypeConv2D:
			s := nd.Conv
			s.N = n
			err = kernel.Conv2D(y, x, wt.Data, b.Data, s, nd.Act, w.ws)
		case model.TypeDense:
			err = kernel.Dense(y, x, wt.Data, b.Data, n, nd.WeightShape[0], nd.WeightShape[1], nd.Act, w.ws)
		case model.TypeMaxPool:
			s := nd.Pool
			s.N = n
			err = kernel.MaxPool(y, x, s)
		case model.TypeAvgPool:
			s := nd.Pool
			s.N = n
			err = kernel.AvgPool(y, x, s)
		case model.TypeLRN:
			c := nd.Shape[len(nd.Shape)-1]
			err = kernel.LRN(y, x, n*nd.Len()/c, c, lrnParams(nd.Layer))
		case model.TypeReLU:
			err = kernel.Relu(y, x[:n*nd.Len()])
		case model.TypeDropout:
			dropout(y, x, w.mask[i], n, nd.Len(), nd.Layer.Rate, train, rngs)
		}
		if err != nil {
			return fmt.Errorf("train: layer %q: %w", nd.Layer.Name, err)
		}
	}
	return nil
}

// dropout computes inverted dropout (Srivastava et al. 2014) over n rows of
// k elements: in training each element is kept with probability 1-rate and
// scaled by 1/(1-rate), so inference needs no rescaling; otherwise y = x.
func dropout(y, x, mask []float32, n, k int, rate float32, train bool, rngs []*rand.Rand) {
	if !train || rate == 0 {
		copy(y[:n*k], x[:n*k])
		if mask != nil {
			for i := range mask[:n*k] {
				mask[i] = 1
			}
		}
		return
	}
	keep := 1 / (1 - rate)
	for j := range n {
		m := mask[j*k : (j+1)*k]
		for i := range m {
			if rngs[j].Float32() < rate {
				m[i] = 0
			} else {
				m[i] = keep
			}
		}
		for i, v := range x[j*k : (j+1)*k] {
			y[j*k+i] = v * m[i]
		}
	}
}

func lrnParams(l *model.Layer) kernel.LRNParams {
	return kernel.LRNParams{DepthRadius: l.DepthRadius, Bias: l.Bias, Alpha: l.Alpha, Beta: l.Beta}
}

// lossAndGrad computes the softmax cross-entropy of the first n logits
// against w.labels, sets w.loss (summed over the n examples) and w.correct,
// and writes dLoss/dlogits scaled by 1/batch into the logits' gradient, so
// that the shards' parameter gradients add up to the batch mean's.
func (w *worker) lossAndGrad(n, batch int) error {
	li := logitsNode(w.g)
	m := w.g.Nodes[li].Len()
	logits, d := w.out[li][:n*m], w.grad[li][:n*m]
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

// backward propagates the logits' gradient back through every node,
// writing each parameterised node's gradients into w.dw and w.db
// (overwritten, not accumulated). The network input's gradient is skipped.
func (w *worker) backward(n int) error {
	for i := logitsNode(w.g); i >= 0; i-- {
		nd := &w.g.Nodes[i]
		x, dx := w.src(i)
		y, dy := w.out[i], w.grad[i][:n*nd.Len()]
		wt, _ := w.net.LayerParams(i)
		var err error
		if nd.Act == kernel.ReLU {
			err = kernel.ReluGrad(dy, dy, y)
		}
		switch nd.Layer.Type {
		case model.TypeConv2D:
			s := nd.Conv
			s.N = n
			oh, ow := s.Out()
			err = firstErr(err,
				kernel.Conv2DBackpropFilter(w.dw[i], x, dy, s, false, w.ws),
				kernel.BiasAddGrad(w.db[i], dy, n*oh*ow, s.OC))
			if dx != nil && err == nil {
				err = kernel.Conv2DBackpropInput(dx, dy, wt.Data, s, w.ws)
			}
		case model.TypeDense:
			// Dense backward is two GEMMs: dW [K, M] = xᵀ · dy and
			// dx [N, K] = dy · Wᵀ; the bias gradient sums dy's rows.
			k, m := nd.WeightShape[0], nd.WeightShape[1]
			err = firstErr(err,
				kernel.Gemm(true, false, k, m, n, x, k, dy, m, w.dw[i], m, false, w.ws),
				kernel.BiasAddGrad(w.db[i], dy, n, m))
			if dx != nil && err == nil {
				err = kernel.Gemm(false, true, n, k, m, dy, m, wt.Data, m, dx, k, false, w.ws)
			}
		case model.TypeMaxPool:
			if dx != nil {
				s := nd.Pool
				s.N = n
				err = kernel.MaxPoolGrad(dx, x, dy, s)
			}
		case model.TypeAvgPool:
			if dx != nil {
				s := nd.Pool
				s.N = n
				err = kernel.AvgPoolGrad(dx, dy, s)
			}
		case model.TypeLRN:
			if dx != nil {
				c := nd.Shape[len(nd.Shape)-1]
				err = kernel.LRNGrad(dx, dy, x, y, n*nd.Len()/c, c, lrnParams(nd.Layer), w.ws)
			}
		case model.TypeReLU:
			if dx != nil {
				err = kernel.ReluGrad(dx, dy, y)
			}
		case model.TypeDropout:
			if dx != nil {
				for j, g := range dy {
					dx[j] = g * w.mask[i][j]
				}
			}
		}
		if err != nil {
			return fmt.Errorf("train: layer %q: %w", nd.Layer.Name, err)
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
