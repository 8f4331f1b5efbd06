package model

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/featuremap/featuremap/kernel"
)

// maxArena bounds a Runner's arena plus workspace, in float32 elements (1 GiB).
const maxArena = 1 << 28

// arenaAlign is the alignment of every buffer in the arena, in elements (64 bytes).
const arenaAlign = 16

// RunnerOptions configure NewRunner.
type RunnerOptions struct {
	// Batch is the number of examples per Run; 0 means 1.
	Batch int
	// KeepActivations keeps every layer's output until the next Run, for
	// Runner.Activations. It turns off buffer reuse and ReLU fusion, so each
	// layer's activation is exactly its own output.
	KeepActivations bool
}

// Activation is one layer's output after a Run. Shape includes the batch:
// [N, H, W, C] or [N, K]. Data aliases the Runner's arena and is
// overwritten by the next Run.
type Activation struct {
	Name  string    `json:"name"`
	Type  string    `json:"type"`
	Shape []int     `json:"shape"`
	Data  []float32 `json:"-"`
}

// Runner runs a Net on batches of a fixed size. NewRunner computes every
// shape once and lays every activation out in one arena []float32, where
// buffers whose values are dead are reused; Run then allocates nothing. A
// Runner reads the Net's parameters at every Run, so in-place updates to
// them take effect. It is not safe for concurrent use.
type Runner struct {
	net    *Net
	batch  int
	arena  []float32
	ws     []float32 // kernel workspace shared by every step
	input  []float32 // view of the input buffer in arena
	output []float32 // view of the last layer's buffer in arena
	steps  []step
	acts   []Activation // every layer's output, with KeepActivations
}

// step is one kernel call, with its slices resolved into the arena.
type step struct {
	node *Node
	dst  []float32
	x    []float32
	w, b []float32
	act  kernel.Activation
	conv kernel.ConvShape
	pool kernel.PoolShape
	// dense: x [rows, k] → dst [rows, m]; lrn: [rows, m]; softmax: [rows, m];
	// concat: rows = outer positions, m = output channels.
	rows, k, m int
	srcs       [][]float32 // concat inputs
	chans      []int       // concat input channel counts
}

// buffer is a region of the arena holding one or more values (a layer's
// output and the views or in-place results that alias it).
type buffer struct {
	len       int
	def, last int // live from step def to step last, inclusive
	off       int
}

// NewRunner plans net for opts.Batch examples per Run.
func NewRunner(net *Net, opts RunnerOptions) (*Runner, error) {
	batch := opts.Batch
	if batch == 0 {
		batch = 1
	}
	g := net.Graph
	if batch < 1 || batch > maxArena/numElems(g.Input) {
		return nil, fmt.Errorf("model: batch must be in [1, %d] for input %v, got %d", maxArena/numElems(g.Input), g.Input, opts.Batch)
	}
	for i := range g.Nodes {
		if n := &g.Nodes[i]; batch > maxArena/n.Len() {
			return nil, fmt.Errorf("model: layer %q: output %v × batch %d exceeds %d elements", n.Layer.Name, n.Shape, batch, maxArena)
		}
	}
	p := newPlan(g, batch, opts.KeepActivations)
	size, err := p.layout()
	if err != nil {
		return nil, err
	}
	r := &Runner{net: net, batch: batch}
	r.arena = make([]float32, size+p.wsLen)
	r.ws = r.arena[size:]
	view := func(v int) []float32 {
		b := &p.bufs[p.bufOf[v+1]]
		return r.arena[b.off : b.off+batch*p.valueLen(v)]
	}
	r.input = view(NetworkInput)
	r.output = view(len(g.Nodes) - 1)
	for _, s := range p.steps {
		i := s.index
		st := step{node: &g.Nodes[i], dst: view(i), x: view(g.Nodes[i].Inputs[0]), act: s.act}
		w, b := net.LayerParams(i)
		st.w, st.b = w.Data, b.Data
		n := st.node
		switch n.Layer.Type {
		case TypeConv2D:
			st.conv = n.Conv
			st.conv.N = batch
		case TypeMaxPool, TypeAvgPool:
			st.pool = n.Pool
			st.pool.N = batch
		case TypeDense:
			st.rows, st.k, st.m = batch, n.WeightShape[0], n.WeightShape[1]
		case TypeLRN, TypeSoftmax:
			st.m = n.Shape[len(n.Shape)-1]
			st.rows = batch * n.Len() / st.m
		case TypeConcat:
			st.m = n.Shape[len(n.Shape)-1]
			st.rows = batch * n.Len() / st.m
			for _, in := range n.Inputs {
				s := g.InShape(in)
				st.srcs = append(st.srcs, view(in))
				st.chans = append(st.chans, s[len(s)-1])
			}
		}
		r.steps = append(r.steps, st)
	}
	if opts.KeepActivations {
		r.acts = make([]Activation, len(g.Nodes))
		for i := range g.Nodes {
			n := &g.Nodes[i]
			r.acts[i] = Activation{Name: n.Layer.Name, Type: n.Layer.Type, Shape: append([]int{batch}, n.Shape...), Data: view(i)}
		}
	}
	return r, nil
}

// Batch returns the number of examples per Run.
func (r *Runner) Batch() int { return r.batch }

// InputLen returns the number of input values per Run: Batch*H*W*C.
func (r *Runner) InputLen() int { return len(r.input) }

// OutputShape returns the shape of Run's result, with the batch.
func (r *Runner) OutputShape() []int {
	return append([]int{r.batch}, r.net.Graph.Nodes[len(r.net.Graph.Nodes)-1].Shape...)
}

// ArenaLen returns the number of float32 elements the Runner holds:
// activations plus the kernel workspace.
func (r *Runner) ArenaLen() int { return len(r.arena) }

// Activations returns every layer's output of the last Run, in layer
// order, or nil unless the Runner keeps activations.
func (r *Runner) Activations() []Activation { return r.acts }

// Run computes the network on input, NHWC [Batch, H, W, C], and returns the
// last layer's output, a view into the arena valid until the next Run. It
// allocates nothing.
func (r *Runner) Run(input []float32) ([]float32, error) {
	if len(input) != len(r.input) {
		return nil, fmt.Errorf("model: input has %d values, want %d (batch %d × %v)", len(input), len(r.input), r.batch, r.net.Graph.Input)
	}
	copy(r.input, input)
	for i := range r.steps {
		if err := r.steps[i].run(r.ws); err != nil {
			return nil, fmt.Errorf("model: layer %q: %w", r.steps[i].node.Layer.Name, err)
		}
	}
	return r.output, nil
}

func (s *step) run(ws []float32) error {
	switch s.node.Layer.Type {
	case TypeConv2D:
		return kernel.Conv2D(s.dst, s.x, s.w, s.b, s.conv, s.act, ws)
	case TypeDense:
		return kernel.Dense(s.dst, s.x, s.w, s.b, s.rows, s.k, s.m, s.act, ws)
	case TypeMaxPool:
		return kernel.MaxPool(s.dst, s.x, s.pool)
	case TypeAvgPool:
		return kernel.AvgPool(s.dst, s.x, s.pool)
	case TypeLRN:
		l := s.node.Layer
		return kernel.LRN(s.dst, s.x, s.rows, s.m, kernel.LRNParams{DepthRadius: l.DepthRadius, Bias: l.Bias, Alpha: l.Alpha, Beta: l.Beta})
	case TypeReLU:
		return kernel.Relu(s.dst, s.x)
	case TypeSoftmax:
		return kernel.Softmax(s.dst, s.x, s.rows, s.m)
	case TypeConcat:
		off := 0
		for j, src := range s.srcs {
			c := s.chans[j]
			for o := range s.rows {
				copy(s.dst[o*s.m+off:o*s.m+off+c], src[o*c:o*c+c])
			}
			off += c
		}
		return nil
	}
	return fmt.Errorf("no step for layer type %q", s.node.Layer.Type) // unreachable: newPlan emits only the types above
}

// plan is the memory layout of a Runner: which buffer holds each value
// (the network input and every node's output) and which nodes run.
type plan struct {
	g     *Graph
	batch int
	bufs  []buffer
	bufOf []int // bufOf[v+1] is the buffer of value v (v = NetworkInput or a node index)
	steps []plannedStep
	wsLen int
}

type plannedStep struct {
	index int
	act   kernel.Activation
}

func (p *plan) valueLen(v int) int {
	if v == NetworkInput {
		return numElems(p.g.Input)
	}
	return p.g.Nodes[v].Len()
}

// newPlan decides which values share buffers and which nodes run:
//   - flatten and dropout are views of their input (no step);
//   - without keep, a relu whose input is a conv2d or dense output read by
//     it alone is fused into that layer (kernel.ReLU) and aliases it;
//   - without keep, relu and softmax run in place when no later layer reads
//     their input;
//   - with keep, every buffer lives to the end, so no value is overwritten.
func newPlan(g *Graph, batch int, keep bool) *plan {
	nn := len(g.Nodes)
	end := nn // the step after the last: outputs stay live until then
	// lastRead[v+1] is the last node reading value v.
	lastRead := make([]int, nn+1)
	readers := make([]int, nn+1)
	for v := NetworkInput; v < nn; v++ {
		lastRead[v+1] = v
	}
	for i := range g.Nodes {
		for _, in := range g.Nodes[i].Inputs {
			lastRead[in+1] = max(lastRead[in+1], i)
			readers[in+1]++
		}
	}
	lastRead[nn] = end
	if keep {
		for v := range lastRead {
			lastRead[v] = end
		}
	}
	p := &plan{g: g, batch: batch, bufOf: make([]int, nn+1)}
	newBuf := func(v, def int) {
		p.bufOf[v+1] = len(p.bufs)
		p.bufs = append(p.bufs, buffer{len: batch * p.valueLen(v), def: def, last: lastRead[v+1]})
	}
	alias := func(v, in int) {
		b := p.bufOf[in+1]
		p.bufOf[v+1] = b
		p.bufs[b].last = max(p.bufs[b].last, lastRead[v+1])
	}
	newBuf(NetworkInput, NetworkInput)
	for i := range g.Nodes {
		n := &g.Nodes[i]
		in := n.Inputs[0]
		switch t := n.Layer.Type; {
		case t == TypeFlatten || t == TypeDropout:
			alias(i, in)
			continue
		case t == TypeReLU && !keep && in != NetworkInput && readers[in+1] == 1 &&
			(g.Nodes[in].Layer.Type == TypeConv2D || g.Nodes[in].Layer.Type == TypeDense):
			k := slices.IndexFunc(p.steps, func(s plannedStep) bool { return s.index == in })
			p.steps[k].act = kernel.ReLU
			alias(i, in)
			continue
		case (t == TypeReLU || t == TypeSoftmax) && !keep && p.bufs[p.bufOf[in+1]].last == i:
			alias(i, in)
		default:
			newBuf(i, i)
		}
		p.steps = append(p.steps, plannedStep{index: i, act: n.Act})
		switch n.Layer.Type {
		case TypeConv2D:
			s := n.Conv
			s.N = batch
			p.wsLen = max(p.wsLen, s.WorkspaceLen())
		case TypeDense:
			p.wsLen = max(p.wsLen, kernel.DenseWorkspaceLen(batch, n.WeightShape[0], n.WeightShape[1]))
		}
	}
	return p
}

// layout assigns every buffer an arena offset, greedily by decreasing size
// (as TensorFlow Lite's arena planner): each buffer goes into the lowest
// aligned gap not used by a buffer whose lifetime overlaps its own. It
// returns the arena length.
func (p *plan) layout() (int, error) {
	order := make([]int, len(p.bufs))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(p.bufs[b].len, p.bufs[a].len) })
	placed := make([]int, 0, len(order))
	size := 0
	for _, bi := range order {
		b := &p.bufs[bi]
		// Placed buffers are kept sorted by offset.
		off := 0
		for _, oi := range placed {
			o := &p.bufs[oi]
			if o.last < b.def || b.last < o.def {
				continue // lifetimes disjoint
			}
			if off+b.len <= o.off {
				break
			}
			off = max(off, alignUp(o.off+o.len))
		}
		b.off = off
		k, _ := slices.BinarySearchFunc(placed, off, func(oi, off int) int { return cmp.Compare(p.bufs[oi].off, off) })
		placed = slices.Insert(placed, k, bi)
		size = max(size, alignUp(off+b.len))
		if size+p.wsLen > maxArena {
			return 0, fmt.Errorf("model: activations of batch %d need more than %d elements", p.batch, maxArena)
		}
	}
	return size, nil
}

func alignUp(v int) int { return (v + arenaAlign - 1) / arenaAlign * arenaAlign }
