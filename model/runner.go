package model

import (
	"cmp"
	"errors"

	"github.com/featuremap/featuremap/internal/msg"
	"github.com/featuremap/featuremap/internal/order"
	"github.com/featuremap/featuremap/model/layers"
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
	// Runner.Activations. It turns off buffer reuse and the fusion and
	// folding of layers into their producers, so each layer's activation is
	// exactly its own output.
	KeepActivations bool
	// Prepared, when set, holds prepared weights shared with the other
	// Runners made with it: each layer (with its folded affine layer, if
	// any) is prepared once for all of them.
	Prepared *Prepared
}

// Prepared holds the prepared weights of one Net's layers for the Runners
// that share it (RunnerOptions.Prepared), so that a model's Runner for one
// example, for batches and for activations pack each layer once. Weights
// are prepared from the parameters as they are when the first of those
// Runners is made: after updating them, use a new Prepared. It is not safe
// for concurrent use.
type Prepared struct {
	net *Net
	// w[node] holds the node's prepared weights: [0] as they are, [1]
	// with the affine layer after it folded in (a node folds only that
	// one).
	w [][2]layers.Prepared
}

// NewPrepared returns an empty Prepared for net's Runners.
func NewPrepared(net *Net) *Prepared {
	return &Prepared{net: net, w: make([][2]layers.Prepared, len(net.Graph.Nodes))}
}

// Fill prepares the weights of every layer as Runners without
// KeepActivations use them (the batch does not matter), ahead of the first
// NewRunner; it allocates the prepared weights (Net.Footprint's Packed)
// and no activations.
func (p *Prepared) Fill() error {
	for _, ps := range newPlan(p.net.Graph, 1, false).steps {
		if _, err := ps.prepareShared(p.net, p); err != nil {
			return err
		}
	}
	return nil
}

// LayerOutput is one layer's output after a Run. Shape includes the batch:
// [N, H, W, C] or [N, K]. Data aliases the Runner's arena and is
// overwritten by the next Run.
type LayerOutput struct {
	Name  string    `json:"name"`
	Type  string    `json:"type"`
	Shape []int     `json:"shape"`
	Data  []float32 `json:"-"`
}

// Runner runs a Net on batches of a fixed size. NewRunner computes every
// shape once, lets every layer prepare its parameters (layers.Layer.Prepare)
// and lays every activation out in one arena []float32, where buffers whose
// values are dead are reused; Run then allocates nothing. Prepared weights
// are packed copies (conv2d and dense) in the layout the kernels read, so a
// Runner computes with the parameters as they were when it was made: after
// updating them (training), make a new Runner. A Runner is not safe for
// concurrent use.
type Runner struct {
	net    *Net
	batch  int
	arena  []float32
	ws     []float32 // kernel workspace shared by every step
	input  []float32 // view of the input buffer in arena
	output []float32 // view of the last layer's buffer in arena
	steps  []step
	acts   []LayerOutput // every layer's output, with KeepActivations
}

// step is one layer's Forward with its slices resolved into the arena.
type step struct {
	name  string
	layer layers.Layer
	s     layers.Step
}

// buffer is a region of the arena holding one or more values (a layer's
// output and the views or in-place results that alias it).
type buffer struct {
	len       int
	def, last int // live from step def to step last, inclusive
	off       int
}

// NewRunner plans net for opts.Batch examples per Run. What it allocates
// is Net.Footprint's Packed, Activations and Workspace.
func NewRunner(net *Net, opts RunnerOptions) (*Runner, error) {
	g := net.Graph
	p, size, err := planRunner(g, opts)
	if err != nil {
		return nil, err
	}
	batch := p.batch
	if opts.Prepared != nil && opts.Prepared.net != net {
		return nil, errors.New("model: RunnerOptions.Prepared belongs to another Net")
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
	for _, ps := range p.steps {
		n := &g.Nodes[ps.node]
		w, err := ps.prepareShared(net, opts.Prepared)
		if err != nil {
			return nil, err
		}
		st := step{name: n.Layer.Name, layer: ps.layer, s: layers.Step{N: batch, Y: view(ps.node), W: w, WS: r.ws}}
		for _, in := range n.Inputs {
			st.s.X = append(st.s.X, view(in))
		}
		r.steps = append(r.steps, st)
	}
	if opts.KeepActivations {
		r.acts = make([]LayerOutput, len(g.Nodes))
		for i := range g.Nodes {
			n := &g.Nodes[i]
			r.acts[i] = LayerOutput{Name: n.Layer.Name, Type: n.Layer.Type(), Shape: append([]int{batch}, n.Shape...), Data: view(i)}
		}
	}
	return r, nil
}

// planRunner checks opts against g and plans a Runner's arena: it returns
// the plan and the length of the activations' part of the arena (the
// workspace, plan.wsLen, follows it).
func planRunner(g *Graph, opts RunnerOptions) (*plan, int, error) {
	batch := opts.Batch
	if batch == 0 {
		batch = 1
	}
	if batch < 1 || batch > maxArena/numElems(g.Input) {
		return nil, 0, errors.New("model: batch must be in [1, " + msg.Int(maxArena/numElems(g.Input)) + "] for input " + msg.Ints(g.Input) + ", got " + msg.Int(opts.Batch))
	}
	for i := range g.Nodes {
		if n := &g.Nodes[i]; batch > maxArena/n.Len() {
			return nil, 0, errors.New("model: layer " + msg.Quote(n.Layer.Name) + ": output " + msg.Ints(n.Shape) + " × batch " + msg.Int(batch) + " exceeds " + msg.Int(maxArena) + " elements")
		}
	}
	p := newPlan(g, batch, opts.KeepActivations)
	size, err := p.layout()
	if err != nil {
		return nil, 0, err
	}
	return p, size, nil
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
func (r *Runner) Activations() []LayerOutput { return r.acts }

// Run computes the network on input, NHWC [Batch, H, W, C], and returns the
// last layer's output, a view into the arena valid until the next Run. It
// allocates nothing.
func (r *Runner) Run(input []float32) ([]float32, error) {
	if len(input) != len(r.input) {
		return nil, errors.New("model: input has " + msg.Int(len(input)) + " values, want " + msg.Int(len(r.input)) + " (batch " + msg.Int(r.batch) + " × " + msg.Ints(r.net.Graph.Input) + ")")
	}
	copy(r.input, input)
	for i := range r.steps {
		st := &r.steps[i]
		if err := st.layer.Forward(&st.s); err != nil {
			return nil, msg.Wrap("model: layer "+msg.Quote(st.name)+": ", err)
		}
	}
	return r.output, nil
}

// plan is the memory layout of a Runner: which buffer holds each value
// (the network input and every node's output) and which layers run.
type plan struct {
	g     *Graph
	batch int
	bufs  []buffer
	bufOf []int // bufOf[v+1] is the buffer of value v (v = NetworkInput or a node index)
	steps []plannedStep
	wsLen int
}

// plannedStep is one layer that runs: node's layer, possibly with a
// following activation fused (layers.Fuser), and with the affine map of
// node fold folded into its weights (layers.Folder), or fold = -1.
type plannedStep struct {
	node  int
	layer layers.Layer
	fold  int
}

// prepareShared returns the step's prepared weights from shared, preparing
// and adding them first when they are not there (shared nil: none); an
// error names the layer. Prepared weights do not depend on a fused
// activation or the batch.
func (ps *plannedStep) prepareShared(net *Net, shared *Prepared) (layers.Prepared, error) {
	var slot *layers.Prepared
	if shared != nil {
		slot = &shared.w[ps.node][0]
		if ps.fold >= 0 {
			slot = &shared.w[ps.node][1]
		}
		if *slot != nil {
			return *slot, nil
		}
	}
	w, err := ps.prepare(net)
	if err != nil {
		return nil, msg.Wrap("model: layer "+msg.Quote(net.Graph.Nodes[ps.node].Layer.Name)+": ", err)
	}
	if slot != nil {
		*slot = w
	}
	return w, nil
}

// prepare returns the step's prepared weights.
func (ps *plannedStep) prepare(net *Net) (layers.Prepared, error) {
	params := net.LayerParams(ps.node)
	if ps.fold >= 0 {
		affine := net.Graph.Nodes[ps.fold].Impl
		aw, err := affine.Prepare(net.LayerParams(ps.fold))
		if err != nil {
			return nil, msg.Wrap("folding layer "+msg.Quote(net.Graph.Nodes[ps.fold].Layer.Name)+": ", err)
		}
		scale, shift := affine.(layers.Affine).ScaleShift(aw)
		params = ps.layer.(layers.Folder).Fold(params, scale, shift)
	}
	return ps.layer.Prepare(params)
}

func (p *plan) valueLen(v int) int {
	if v == NetworkInput {
		return numElems(p.g.Input)
	}
	return p.g.Nodes[v].Len()
}

// newPlan decides which values share buffers and which layers run, in one
// pass over the nodes:
//   - layers whose output is their input's values (layers.Traits Reshape,
//     InferenceIdentity: flatten, dropout) are views of their input (no step);
//   - without keep, an elementwise activation (layers.Elementwise) whose
//     input is exactly the output of a layers.Fuser step, read by it alone,
//     is fused into that step and aliases it;
//   - without keep, a per-channel affine layer (layers.Affine: batchnorm)
//     whose input is likewise the output of a layers.Folder step is folded
//     into that step's weights and aliases it;
//   - without keep, layers.Traits InPlace layers run in place when no later
//     layer reads their input;
//   - with keep, every buffer lives to the end, so no value is overwritten.
func newPlan(g *Graph, batch int, keep bool) *plan {
	nn := len(g.Nodes)
	end := nn // the step after the last: outputs stay live until then
	// lastRead[v+1] is the last node reading value v; readers[v+1] counts them.
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
	// producer[v+1] is the step writing value v (-1 for the network input);
	// exact[v+1] says v is that step's output itself, reached through
	// views each read by one layer only.
	producer := make([]int, nn+1)
	exact := make([]bool, nn+1)
	producer[0] = -1
	newBuf := func(v, def int) {
		p.bufOf[v+1] = len(p.bufs)
		p.bufs = append(p.bufs, buffer{len: batch * p.valueLen(v), def: def, last: lastRead[v+1]})
	}
	alias := func(v, in int) {
		b := p.bufOf[in+1]
		p.bufOf[v+1] = b
		p.bufs[b].last = max(p.bufs[b].last, lastRead[v+1])
	}
	// into returns the step that node i may merge into: the one producing
	// its single input exactly, when i alone reads that input.
	into := func(i int) (int, bool) {
		in := g.Nodes[i].Inputs
		if keep || len(in) != 1 || readers[in[0]+1] != 1 || !exact[in[0]+1] {
			return 0, false
		}
		k := producer[in[0]+1]
		return k, k >= 0
	}
	newBuf(NetworkInput, NetworkInput)
	for i := range g.Nodes {
		n := &g.Nodes[i]
		in := n.Inputs[0]
		tr := n.Impl.Traits()
		if tr.Reshape || tr.InferenceIdentity {
			alias(i, in)
			producer[i+1] = producer[in+1]
			exact[i+1] = exact[in+1] && readers[in+1] == 1
			continue
		}
		if k, ok := into(i); ok {
			if ew, ok := n.Impl.(layers.Elementwise); ok {
				if fuser, ok := p.steps[k].layer.(layers.Fuser); ok {
					if fused, ok := fuser.Fuse(ew.Activation()); ok {
						p.steps[k].layer = fused
						alias(i, in)
						producer[i+1], exact[i+1] = k, true
						continue
					}
				}
			}
			if _, ok := n.Impl.(layers.Affine); ok && p.steps[k].fold < 0 {
				if folder, ok := p.steps[k].layer.(layers.Folder); ok && folder.CanFold() {
					p.steps[k].fold = i
					alias(i, in)
					producer[i+1], exact[i+1] = k, true
					continue
				}
			}
		}
		if tr.InPlace && !keep && len(n.Inputs) == 1 && p.bufs[p.bufOf[in+1]].last == i {
			alias(i, in)
		} else {
			newBuf(i, i)
		}
		producer[i+1], exact[i+1] = len(p.steps), true
		p.steps = append(p.steps, plannedStep{node: i, layer: n.Impl, fold: -1})
		p.wsLen = max(p.wsLen, n.Impl.Workspace(batch, false))
	}
	return p
}

// layout assigns every buffer an arena offset, greedily by decreasing size
// (as TensorFlow Lite's arena planner): each buffer goes into the lowest
// aligned gap not used by a buffer whose lifetime overlaps its own. It
// returns the arena length.
//
// The buffers whose lifetimes overlap a buffer's are found through
// per-step lists of the placed buffers live at that step, so the work is
// about the sum over buffers of lifetime × buffers live at once: linear in
// the layers for a chain. When every lifetime shares one step (as with
// KeepActivations) no two buffers can share memory, and the layout is the
// buffers end to end in the same order.
func (p *plan) layout() (int, error) {
	idx := make([]int, len(p.bufs))
	for i := range idx {
		idx[i] = i
	}
	order.Stable(idx, func(a, b int) int { return cmp.Compare(p.bufs[b].len, p.bufs[a].len) })
	latestDef, earliestLast := p.bufs[0].def, p.bufs[0].last
	for _, b := range p.bufs {
		latestDef, earliestLast = max(latestDef, b.def), min(earliestLast, b.last)
	}
	size := 0
	place := func(b *buffer, off int) error {
		b.off = off
		size = max(size, alignUp(off+b.len))
		if size+p.wsLen > maxArena {
			return errors.New("model: activations of batch " + msg.Int(p.batch) + " need more than " + msg.Int(maxArena) + " elements")
		}
		return nil
	}
	if latestDef <= earliestLast { // all lifetimes overlap
		for _, bi := range idx {
			if err := place(&p.bufs[bi], size); err != nil {
				return 0, err
			}
		}
		return size, nil
	}
	// liveAt[t+1] lists the placed buffers live at step t (t ≥ NetworkInput).
	liveAt := make([][]int, len(p.g.Nodes)+2)
	seen := make([]int, len(p.bufs)) // the last buffer whose conflicts listed each buffer, +1
	var conflicts []int
	for _, bi := range idx {
		b := &p.bufs[bi]
		conflicts = conflicts[:0]
		for t := b.def; t <= b.last; t++ {
			for _, oi := range liveAt[t+1] {
				if seen[oi] != bi+1 {
					seen[oi] = bi + 1
					conflicts = append(conflicts, oi)
				}
			}
		}
		// Stable, like the sort above (the result does not depend on the
		// order of equal offsets).
		order.Stable(conflicts, func(x, y int) int { return cmp.Compare(p.bufs[x].off, p.bufs[y].off) })
		off := 0
		for _, oi := range conflicts {
			o := &p.bufs[oi]
			if off+b.len <= o.off {
				break
			}
			off = max(off, alignUp(o.off+o.len))
		}
		if err := place(b, off); err != nil {
			return 0, err
		}
		for t := b.def; t <= b.last; t++ {
			liveAt[t+1] = append(liveAt[t+1], bi)
		}
	}
	return size, nil
}

func alignUp(v int) int { return (v + arenaAlign - 1) / arenaAlign * arenaAlign }
