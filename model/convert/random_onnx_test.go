package convert

import (
	"bytes"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/featuremap/featuremap/model"
	"github.com/featuremap/featuremap/model/onnx"
)

// onnxBuilder writes an ONNX graph node by node, tracking the NCHW shape
// of the current value so that every random choice stays valid.
type onnxBuilder struct {
	rng   *rand.Rand
	g     onnx.Graph
	cur   string
	shape []int // [C, H, W] or [K]
	n     int
	ops   map[string]int // ops used, for the coverage count
}

func (b *onnxBuilder) name(p string) string { b.n++; return fmt.Sprintf("%s%d", p, b.n) }

func (b *onnxBuilder) tensor(dims []int64, scale float64) string {
	name := b.name("w")
	n := 1
	for _, d := range dims {
		n *= int(d)
	}
	v := make([]float32, n)
	for i := range v {
		v[i] = float32((2*b.rng.Float64() - 1) * scale)
	}
	t := onnx.Tensor{Name: name, Dims: dims, DataType: onnx.Float}
	if b.rng.IntN(2) == 0 {
		t.RawData = floatBytes(v)
	} else {
		t.FloatData = v
	}
	b.g.Initializers = append(b.g.Initializers, t)
	return name
}

func (b *onnxBuilder) positive(dims []int64, lo, hi float64) string {
	name := b.tensor(dims, 1)
	t := &b.g.Initializers[len(b.g.Initializers)-1]
	v, _ := t.Float32s()
	for i := range v {
		v[i] = float32(lo + (hi-lo)*b.rng.Float64())
	}
	t.RawData, t.FloatData = floatBytes(v), nil
	return name
}

func (b *onnxBuilder) node(op string, inputs []string, attrs ...onnx.Attribute) string {
	out := b.name("v")
	b.g.Nodes = append(b.g.Nodes, onnx.Node{Name: b.name(op), OpType: op, Inputs: inputs, Outputs: []string{out}, Attributes: attrs})
	b.ops[op]++
	b.cur = out
	return out
}

func i64s(name string, v ...int) onnx.Attribute { return ints(name, v...) }

// outSize is ONNX's floor output size of a window.
func outSize(in, k, s, d, before, after int) int {
	span := in + before + after - ((k-1)*d + 1)
	if span < 0 {
		return 0
	}
	return span/s + 1
}

// padAttrs picks a padding: explicit (asymmetric) pads or an auto_pad,
// and returns the attributes and the output size.
func (b *onnxBuilder) padAttrs(k, s, d [2]int, allowAuto bool) ([]onnx.Attribute, [2]int, [4]int) {
	h, w := b.shape[1], b.shape[2]
	mode := b.rng.IntN(5)
	if !allowAuto && mode >= 3 {
		mode = 0
	}
	switch mode {
	case 3: // SAME_UPPER / SAME_LOWER (ORT refuses a stride above the kernel
		// nor dilations with auto_pad SAME.
		if s[0] > k[0] || s[1] > k[1] || d != [2]int{1, 1} {
			return []onnx.Attribute{i64s("pads", 0, 0, 0, 0)}, [2]int{outSize(h, k[0], s[0], d[0], 0, 0), outSize(w, k[1], s[1], d[1], 0, 0)}, [4]int{}
		}
		auto := []string{"SAME_UPPER", "SAME_LOWER"}[b.rng.IntN(2)]
		b.ops[auto]++
		return []onnx.Attribute{{Name: "auto_pad", Type: onnx.AttrString, S: auto}}, [2]int{(h + s[0] - 1) / s[0], (w + s[1] - 1) / s[1]}, [4]int{}
	case 4:
		return []onnx.Attribute{{Name: "auto_pad", Type: onnx.AttrString, S: "VALID"}}, [2]int{outSize(h, k[0], s[0], d[0], 0, 0), outSize(w, k[1], s[1], d[1], 0, 0)}, [4]int{}
	}
	var p [4]int // top, left, bottom, right
	if mode > 0 {
		for i := range p {
			p[i] = b.rng.IntN(k[i%2]) // pools need pads below the kernel
		}
		if p[0] != p[2] || p[1] != p[3] {
			b.ops["asymmetric pads"]++
		}
	}
	return []onnx.Attribute{i64s("pads", p[:]...)}, [2]int{outSize(h, k[0], s[0], d[0], p[0], p[2]), outSize(w, k[1], s[1], d[1], p[1], p[3])}, p
}

func (b *onnxBuilder) conv() bool {
	c := b.shape[0]
	groups := 1
	for _, g := range []int{4, 3, 2} {
		if c%g == 0 && b.rng.IntN(3) == 0 {
			groups = g
			break
		}
	}
	oc := groups * (1 + b.rng.IntN(6))
	k := [2]int{1 + b.rng.IntN(5), 1 + b.rng.IntN(5)}
	s := [2]int{1 + b.rng.IntN(2), 1 + b.rng.IntN(2)}
	d := [2]int{1, 1}
	if b.rng.IntN(5) == 0 {
		d = [2]int{1 + b.rng.IntN(2), 1 + b.rng.IntN(2)}
	}
	attrs, out, _ := b.padAttrs(k, s, d, true)
	if out[0] < 1 || out[1] < 1 {
		return false
	}
	attrs = append(attrs, i64s("strides", s[:]...), i64s("dilations", d[:]...), intAttr("group", groups))
	if groups > 1 {
		b.ops["group>1"]++
	}
	if d != [2]int{1, 1} {
		b.ops["dilation>1"]++
	}
	if b.rng.IntN(2) == 0 {
		attrs = append(attrs, i64s("kernel_shape", k[:]...))
	}
	fanIn := float64(c / groups * k[0] * k[1])
	in := []string{b.cur, b.tensor([]int64{int64(oc), int64(c / groups), int64(k[0]), int64(k[1])}, math.Sqrt(3/fanIn))}
	if b.rng.IntN(4) > 0 {
		in = append(in, b.tensor([]int64{int64(oc)}, 0.5))
	}
	b.node("Conv", in, attrs...)
	b.shape = []int{oc, out[0], out[1]}
	return true
}

func (b *onnxBuilder) pool() bool {
	k := [2]int{1 + b.rng.IntN(3), 1 + b.rng.IntN(3)}
	s := [2]int{1 + b.rng.IntN(2), 1 + b.rng.IntN(2)}
	op := []string{"MaxPool", "AveragePool"}[b.rng.IntN(2)]
	attrs, out, p := b.padAttrs(k, s, [2]int{1, 1}, true)
	attrs = append(attrs, i64s("kernel_shape", k[:]...), i64s("strides", s[:]...))
	if op == "MaxPool" && b.rng.IntN(2) == 0 && attrs[0].Name == "pads" {
		// ceil_mode, unless a last window would hold padding only (refused).
		var ceil [2]int
		for a := range 2 {
			in := b.shape[1+a]
			span := in + p[a] + p[a+2] - k[a]
			ceil[a] = (span+s[a]-1)/s[a] + 1
			if span < 0 || (ceil[a]-1)*s[a] >= in+p[a] {
				ceil[a] = 0
			}
		}
		if ceil[0] > 0 && ceil[1] > 0 {
			attrs = append(attrs, intAttr("ceil_mode", 1))
			b.ops["ceil_mode"]++
			out = ceil
		}
	}
	if op == "AveragePool" {
		cip := b.rng.IntN(2)
		if cip == 1 && (p != [4]int{} || strings.HasPrefix(attrs[0].S, "SAME")) {
			b.ops["count_include_pad=1 with padding"]++
		}
		attrs = append(attrs, intAttr("count_include_pad", cip))
	}
	if out[0] < 1 || out[1] < 1 {
		return false
	}
	b.node(op, []string{b.cur}, attrs...)
	b.shape = []int{b.shape[0], out[0], out[1]}
	return true
}

func (b *onnxBuilder) batchNorm() {
	c := int64(b.shape[0])
	b.node("BatchNormalization", []string{b.cur, b.positive([]int64{c}, 0.5, 1.5), b.tensor([]int64{c}, 0.5),
		b.tensor([]int64{c}, 0.5), b.positive([]int64{c}, 0.5, 2)}, floatAttr("epsilon", float32(1e-5+1e-3*b.rng.Float64())))
}

func (b *onnxBuilder) lrn() {
	size := 1 + 2*b.rng.IntN(3)
	b.node("LRN", []string{b.cur}, intAttr("size", size), floatAttr("alpha", float32(1e-4+0.5*b.rng.Float64())),
		floatAttr("beta", float32(0.5+0.3*b.rng.Float64())), floatAttr("bias", float32(1+b.rng.Float64())))
}

// dense appends Gemm (random transB, alpha, beta) or MatMul + Add.
func (b *onnxBuilder) dense(m int) {
	k := b.shape[0]
	scale := math.Sqrt(3 / float64(k))
	if b.rng.IntN(3) == 0 {
		b.node("MatMul", []string{b.cur, b.tensor([]int64{int64(k), int64(m)}, scale)})
		b.node("Add", []string{b.cur, b.tensor([]int64{int64(m)}, 0.5)})
	} else {
		transB := b.rng.IntN(2)
		dims := []int64{int64(k), int64(m)}
		if transB == 1 {
			dims = []int64{int64(m), int64(k)}
		}
		in := []string{b.cur, b.tensor(dims, scale)}
		if b.rng.IntN(4) > 0 {
			in = append(in, b.tensor([]int64{int64(m)}, 0.5))
		}
		b.node("Gemm", in, intAttr("transB", transB), floatAttr("alpha", float32(0.5+b.rng.Float64())), floatAttr("beta", float32(0.5+b.rng.Float64())))
	}
	b.shape = []int{m}
}

// randomONNX builds a random small CNN as an ONNX model (opset 11, 13, 17
// or 21) with
// input [N, C, H, W] and returns it with C, H, W and the ops it uses.
func randomONNX(seed uint64) (*onnx.Model, [3]int, map[string]int) {
	for {
		rng := rand.New(rand.NewPCG(seed, 7))
		c, h, w := 1+rng.IntN(3), 6+rng.IntN(10), 6+rng.IntN(10)
		b := &onnxBuilder{rng: rng, cur: "x", shape: []int{c, h, w}, ops: map[string]int{}}
		ok := true
		for range 1 + rng.IntN(3) {
			if rng.IntN(4) == 0 && b.shape[1] > 2 {
				// Two branches joined on the channel axis.
				x, sh := b.cur, b.shape
				if !b.conv() {
					ok = false
					break
				}
				left, lsh := b.cur, b.shape
				b.cur, b.shape = x, sh
				b.node("Conv", []string{x, b.tensor([]int64{2, int64(sh[0]), 1, 1}, 0.5)}, i64s("kernel_shape", 1, 1), i64s("strides", 1, 1))
				b.shape = []int{2, sh[1], sh[2]}
				if lsh[1] != sh[1] || lsh[2] != sh[2] { // the strided branch: pool the other to match
					b.cur, b.shape = left, lsh
				} else {
					b.node("Concat", []string{left, b.cur}, intAttr("axis", 1))
					b.shape = []int{lsh[0] + 2, sh[1], sh[2]}
				}
			} else if !b.conv() {
				ok = false
				break
			}
			if rng.IntN(3) == 0 {
				b.batchNorm()
			}
			b.node("Relu", []string{b.cur})
			if rng.IntN(3) == 0 {
				b.lrn()
			}
			if rng.IntN(2) == 0 && !b.pool() {
				ok = false
				break
			}
		}
		if !ok || b.shape[1]*b.shape[2] > 400 {
			seed += 1 << 32
			continue
		}
		switch rng.IntN(5) {
		case 4: // x.view(x.size(0), -1) as torch.onnx.export writes it with a dynamic batch
			x := b.cur
			b.node("Shape", []string{x})
			zero, axes, minus := b.name("zero"), b.name("axes"), b.name("minus")
			b.g.Initializers = append(b.g.Initializers, onnx.Tensor{Name: zero, DataType: onnx.Int64, Int64Data: []int64{0}},
				onnx.Tensor{Name: axes, Dims: []int64{1}, DataType: onnx.Int64, Int64Data: []int64{0}},
				onnx.Tensor{Name: minus, Dims: []int64{1}, DataType: onnx.Int64, Int64Data: []int64{-1}})
			b.node("Gather", []string{b.cur, zero}, intAttr("axis", 0))
			b.node("Unsqueeze", []string{b.cur, axes})
			b.node("Concat", []string{b.cur, minus}, intAttr("axis", 0))
			b.node("Reshape", []string{x, b.cur})
		case 0:
			b.node([]string{"GlobalAveragePool", "GlobalMaxPool"}[rng.IntN(2)], []string{b.cur})
			b.shape = []int{b.shape[0], 1, 1}
			b.node("Flatten", []string{b.cur}, intAttr("axis", 1))
		case 1:
			shape := b.name("shape")
			b.g.Initializers = append(b.g.Initializers, onnx.Tensor{Name: shape, Dims: []int64{2}, DataType: onnx.Int64, Int64Data: [][]int64{{0, -1}, {-1, int64(b.shape[0] * b.shape[1] * b.shape[2])}}[rng.IntN(2)]})
			b.node("Reshape", []string{b.cur, shape})
		default:
			b.node("Flatten", []string{b.cur}, intAttr("axis", 1))
		}
		b.shape = []int{b.shape[0] * b.shape[1] * b.shape[2]}
		if rng.IntN(2) == 0 {
			b.dense(4 + rng.IntN(20))
			b.node("Relu", []string{b.cur})
			b.node("Dropout", []string{b.cur})
		}
		b.dense(2 + rng.IntN(9))
		if rng.IntN(2) == 0 {
			b.node("Softmax", []string{b.cur}, intAttr("axis", -1))
		} else {
			b.node("Identity", []string{b.cur})
		}
		b.g.Name = fmt.Sprintf("random%d", seed)
		b.g.Inputs = []onnx.ValueInfo{{Name: "x", Tensor: &onnx.TensorType{ElemType: onnx.Float, HasShape: true,
			Shape: []onnx.Dim{{Param: "N"}, {Value: int64(c), HasValue: true}, {Value: int64(h), HasValue: true}, {Value: int64(w), HasValue: true}}}}}
		b.g.Outputs = []onnx.ValueInfo{{Name: b.cur}}
		opset := []int64{11, 13, 17, 21}[rng.IntN(4)]
		if b.ops["Unsqueeze"] > 0 && opset < 13 {
			opset = 13 // Unsqueeze's axes became an input
		}
		b.ops["opset "+fmt.Sprint(opset)]++
		return &onnx.Model{IRVersion: 8, OpsetImports: []onnx.OpsetID{{Version: opset}}, Graph: &b.g}, [3]int{c, h, w}, b.ops
	}
}

// TestRandomONNX converts seeded random small CNNs built as ONNX and runs
// them against ONNX Runtime Web: float32 outputs within 1e-4 of the
// output's scale, and the int8-quantised Net's argmax equal to ORT's on
// at least 99 % of the random inputs.
func TestRandomONNX(t *testing.T) {
	needNode(t, "onnxruntime-web")
	const models, batch = 60, 16
	var files [][]byte
	var inputs [][]float32
	var dims [][]int
	var nets []*model.Net
	used := map[string]int{}
	for i := range models {
		m, chw, ops := randomONNX(uint64(i))
		for k, v := range ops {
			used[k] += v
		}
		data := m.Marshal()
		net, err := FromONNX(data)
		if err != nil {
			t.Fatalf("model %d: %v", i, err)
		}
		rng := rand.New(rand.NewPCG(uint64(i), 99))
		x := make([]float32, batch*chw[0]*chw[1]*chw[2])
		for k := range x {
			x[k] = float32(2*rng.Float64() - 1)
		}
		files, inputs, nets = append(files, data), append(inputs, x), append(nets, net)
		dims = append(dims, []int{batch, chw[0], chw[1], chw[2]})
	}
	want, _ := runORT(t, files, inputs, dims)
	worst, agree, total := 0.0, 0, 0
	for i, net := range nets {
		d := dims[i]
		x := nchwToNHWC(inputs[i], d[0], d[1], d[2], d[3])
		got := runNet(t, net, x, batch)
		if len(got) != len(want[i]) {
			t.Fatalf("model %d: %d outputs, ORT %d", i, len(got), len(want[i]))
		}
		e := relErr(got, want[i], batch)
		worst = max(worst, e)
		if e > 1e-4 {
			t.Errorf("model %d (%v): relative error %.3g > 1e-4", i, net.Graph.Summary().String(), e)
		}
		var buf bytes.Buffer
		if err := net.Encode(&buf, model.EncodeOptions{Int8: true}); err != nil {
			t.Fatal(err)
		}
		q, err := model.Load(buf.Bytes())
		if err != nil {
			t.Fatal(err)
		}
		qy := runNet(t, q, x, batch)
		k := len(qy) / batch
		for b := range batch {
			total++
			if argmax(qy[b*k:(b+1)*k]) == argmax(want[i][b*k:(b+1)*k]) {
				agree++
			}
		}
	}
	t.Logf("%d random ONNX models, ops used %v; largest relative error %.3g; int8 argmax agrees on %d of %d inputs", models, used, worst, agree, total)
	if float64(agree) < 0.99*float64(total) {
		t.Errorf("int8 argmax agrees with ORT on %d of %d inputs, want ≥ 99 %%", agree, total)
	}
}
