package layers

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// gradCases has one or more layers of every type with input shapes; every
// registered type must appear.
var gradCases = []struct {
	op Op
	in [][]int
}{
	{&Conv2D{Filters: 4, Window: Window{Kernel: [2]int{3, 2}, Strides: [2]int{2, 1}, Padding: PadSame}, Groups: 2, Activation: ActReLU}, [][]int{{5, 4, 2}}},
	{&Conv2D{Filters: 3, Window: Window{Kernel: [2]int{2, 2}, Padding: PadExplicit, Pads: [4]int{1, 0, 0, 1}}, Dilations: [2]int{1, 2}}, [][]int{{4, 5, 2}}},
	{&Dense{Units: 3, Activation: ActReLU}, [][]int{{5}}},
	{&Dense{Units: 4}, [][]int{{3}}},
	{&MaxPool{Window{Kernel: [2]int{2, 3}, Strides: [2]int{1, 2}, Padding: PadSame}}, [][]int{{4, 5, 2}}},
	{&AvgPool{Window: Window{Kernel: [2]int{3, 3}, Strides: [2]int{2, 2}, Padding: PadSame}}, [][]int{{5, 5, 2}}},
	{&AvgPool{Window: Window{Kernel: [2]int{3, 2}, Strides: [2]int{2, 1}, Padding: PadExplicit, Pads: [4]int{1, 2, 0, 1}}, CountIncludePad: 1}, [][]int{{5, 4, 2}}},
	{&LRN{DepthRadius: 1, Bias: 1, Alpha: 0.3, Beta: 0.75}, [][]int{{2, 2, 5}}},
	{&ReLU{}, [][]int{{3, 4}}},
	{&Softmax{}, [][]int{{2, 5}}},
	{&Flatten{}, [][]int{{2, 3, 2}}},
	{&Dropout{Rate: 0.4}, [][]int{{3, 4}}},
	{&Concat{}, [][]int{{2, 2, 1}, {2, 2, 3}}},
	{&Concat{Axis: 1}, [][]int{{1, 3, 2}, {2, 3, 2}, {1, 3, 2}}},
	{&BatchNorm{Epsilon: 0.01}, [][]int{{2, 3, 3}}},
	{&BatchNorm{}, [][]int{{4}}},
}

// TestBackwardFiniteDifferences checks every layer type's Backward against
// central differences of its own training Forward, for L = Σ r·y over a
// batch of three, with respect to every input and trained parameter.
func TestBackwardFiniteDifferences(t *testing.T) {
	seen := map[string]bool{}
	for ci, c := range gradCases {
		seen[c.op.Type()] = true
		t.Run(fmt.Sprintf("%d_%s", ci, c.op.Type()), func(t *testing.T) {
			l, err := c.op.Infer(c.in)
			if err != nil {
				t.Fatal(err)
			}
			const n = 3
			rng := rand.New(rand.NewPCG(uint64(ci), 1))
			random := func(k int) []float32 {
				v := make([]float32, k)
				for i := range v {
					v[i] = 2*rng.Float32() - 1
				}
				return v
			}
			st := &Step{N: n, Y: make([]float32, n*Elems(l.Out())), WS: make([]float32, l.Workspace(n, true)), Train: true,
				Saved: make([]float32, l.Saved(n)), DY: random(n * Elems(l.Out()))}
			for _, s := range c.in {
				st.X = append(st.X, random(n*Elems(s)))
				st.DX = append(st.DX, make([]float32, n*Elems(s)))
			}
			for _, p := range l.Params() {
				v := random(p.Len())
				if p.Kind == KindStatistic { // a variance must not be negative
					for i := range v {
						v[i] = 1 + v[i]/2
					}
				}
				st.Params = append(st.Params, Tensor{Shape: p.Shape, Data: v})
				st.Grads = append(st.Grads, make([]float32, p.Len()))
			}
			r := append([]float32(nil), st.DY...)
			loss := func() float64 {
				st.Rand = make([]*rand.Rand, n)
				for j := range st.Rand {
					st.Rand[j] = rand.New(rand.NewPCG(uint64(j), 9))
				}
				var err error
				if st.W, err = l.Prepare(st.Params); err == nil {
					err = Forward(l, st)
				}
				if err != nil {
					t.Fatal(err)
				}
				var s float64
				for i, v := range st.Y {
					s += float64(r[i]) * float64(v)
				}
				return s
			}
			loss()
			copy(st.DY, r)
			if err := l.Backward(st); err != nil {
				t.Fatal(err)
			}
			check := func(name string, v, grad []float32) {
				got := append([]float32(nil), grad...)
				for j := range v {
					const h = 1e-3
					orig := v[j]
					v[j] = orig + h
					lp := loss()
					v[j] = orig - h
					lm := loss()
					v[j] = orig
					num := (lp - lm) / (2 * h)
					if math.Abs(float64(got[j])-num) > 2e-3+2e-2*math.Abs(num) {
						t.Errorf("%s[%d]: backward %v, finite difference %v", name, j, got[j], num)
					}
				}
			}
			for k := range st.X {
				check(fmt.Sprintf("x%d", k), st.X[k], st.DX[k])
			}
			for k, p := range l.Params() {
				if p.Kind != KindStatistic {
					check(p.Name, st.Params[k].Data, st.Grads[k])
				}
			}
		})
	}
	for _, name := range Types() {
		if !seen[name] {
			t.Errorf("no gradient case for layer type %q", name)
		}
	}
}
