package kernel

import (
	"fmt"
	"math"
	"strings"
	"testing"
)

// The backward operators are checked against central finite differences of
// a float64 forward written here, independently of the forward kernels: for
// a forward f and a random upstream gradient r, the scalar L(v) = Σ r·f(v)
// has dL/dv_i ≈ (L(v + h·e_i) - L(v - h·e_i)) / 2h.

const fdStep = 1e-3

// numGrad returns the central-difference gradient of loss at v (float64).
func numGrad(v []float64, loss func([]float64) float64) []float64 {
	g := make([]float64, len(v))
	for i := range v {
		orig := v[i]
		v[i] = orig + fdStep
		lp := loss(v)
		v[i] = orig - fdStep
		lm := loss(v)
		v[i] = orig
		g[i] = (lp - lm) / (2 * fdStep)
	}
	return g
}

func dot64(r []float32, y []float64) float64 {
	var s float64
	for i, v := range y {
		s += float64(r[i]) * v
	}
	return s
}

func to64(x []float32) []float64 {
	out := make([]float64, len(x))
	for i, v := range x {
		out[i] = float64(v)
	}
	return out
}

// checkGrad compares an analytic float32 gradient with a numeric one: the
// tolerance covers float32 rounding of a reduction of length terms (each of
// magnitude ≤ 1) and the finite difference's truncation error.
func checkGrad(t *testing.T, name string, got []float32, want []float64, terms int) {
	t.Helper()
	tol := 1e-5 + 4*float64(terms)*0x1p-24
	for i, w := range want {
		if d := math.Abs(float64(got[i]) - w); d > tol*(1+math.Abs(w)) || math.IsNaN(float64(got[i])) {
			t.Fatalf("%s: gradient[%d] = %v, finite difference %v (|diff| %.3g > tol %.3g)", name, i, got[i], w, d, tol)
		}
	}
}

// conv64 is a direct float64 tf.nn.conv2d with explicit padding (no bias).
func conv64(x, f []float64, s ConvShape) []float64 {
	s = s.normalized()
	oh, ow := s.Out()
	cg, ocg := s.C/s.Groups, s.OC/s.Groups
	y := make([]float64, s.N*oh*ow*s.OC)
	for n := range s.N {
		for oy := range oh {
			for ox := range ow {
				for oc := range s.OC {
					g := oc / ocg
					var sum float64
					for ky := range s.KH {
						for kx := range s.KW {
							iy := oy*s.StrideH - s.Pad.Top + ky*s.DilationH
							ix := ox*s.StrideW - s.Pad.Left + kx*s.DilationW
							if iy < 0 || iy >= s.H || ix < 0 || ix >= s.W {
								continue
							}
							for ci := range cg {
								sum += x[((n*s.H+iy)*s.W+ix)*s.C+g*cg+ci] * f[((ky*s.KW+kx)*cg+ci)*s.OC+oc]
							}
						}
					}
					y[((n*oh+oy)*ow+ox)*s.OC+oc] = sum
				}
			}
		}
	}
	return y
}

var gradConvCases = []ConvShape{
	{N: 2, H: 5, W: 5, C: 3, KH: 3, KW: 3, OC: 4, Pad: Padding{1, 1, 1, 1}},                                           // SAME, stride 1
	{N: 2, H: 6, W: 6, C: 2, KH: 3, KW: 3, OC: 3, StrideH: 2, StrideW: 2, Pad: SamePadding2D(6, 6, 3, 3, 2, 2, 1, 1)}, // SAME stride 2: pad (0, 1)
	{N: 1, H: 7, W: 5, C: 2, KH: 2, KW: 3, OC: 3, StrideH: 2, StrideW: 1, Pad: Padding{2, 0, 1, 3}},                   // asymmetric explicit
	{N: 2, H: 7, W: 7, C: 2, KH: 3, KW: 3, OC: 2, DilationH: 2, DilationW: 2, Pad: Padding{2, 2, 2, 2}},               // dilation 2
	{N: 2, H: 5, W: 5, C: 4, KH: 3, KW: 3, OC: 6, Groups: 2, Pad: Padding{1, 1, 1, 1}},                                // groups 2
	{N: 2, H: 4, W: 4, C: 4, KH: 1, KW: 1, OC: 6, Groups: 2},                                                          // pointwise, groups 2
	{N: 1, H: 5, W: 5, C: 3, KH: 1, KW: 1, OC: 2, StrideH: 2, StrideW: 2},                                             // 1×1 stride 2
	{N: 1, H: 6, W: 5, C: 4, KH: 5, KW: 2, OC: 4, Groups: 2, StrideH: 2, StrideW: 3, DilationW: 2, Pad: Padding{1, 2, 0, 1}},
}

func TestConv2DBackpropGrad(t *testing.T) {
	rng := newRand(t)
	for _, s := range gradConvCases {
		t.Run(convName(s), func(t *testing.T) {
			x0, f0, r0 := randSlice(rng, s.InLen()), randSlice(rng, s.FilterLen()), randSlice(rng, s.OutLen())
			gx, gf, gr := newGuardBuf(x0), newGuardBuf(f0), newGuardBuf(r0)
			x, f, r := gx.data(), gf.data(), gr.data()
			gws := filledGuardBuf(s.BackpropWorkspaceLen())
			ws := gws.data()
			terms := s.KH * s.KW * s.OC
			s64 := s

			gdx := filledGuardBuf(s.InLen())
			dx := gdx.data()
			if err := Conv2DBackpropInput(dx, r, f, s, ws); err != nil {
				t.Fatal(err)
			}
			gdx.checkGuards(t, "dx")
			f64 := to64(f)
			checkGrad(t, "Conv2DBackpropInput", dx, numGrad(to64(x), func(v []float64) float64 { return dot64(r, conv64(v, f64, s64)) }), terms)

			oh, ow := s.Out()
			gdf := filledGuardBuf(s.FilterLen())
			df := gdf.data()
			if err := Conv2DBackpropFilter(df, x, r, s, false, ws); err != nil {
				t.Fatal(err)
			}
			gdf.checkGuards(t, "dfilter")
			x64 := to64(x)
			want := numGrad(to64(f), func(v []float64) float64 { return dot64(r, conv64(x64, v, s64)) })
			checkGrad(t, "Conv2DBackpropFilter", df, want, s.N*oh*ow)

			// accumulate adds the gradient to what dfilter holds.
			base := randSlice(rng, s.FilterLen())
			acc := append([]float32(nil), base...)
			if err := Conv2DBackpropFilter(acc, x, r, s, true, ws); err != nil {
				t.Fatal(err)
			}
			for i := range want {
				want[i] += float64(base[i])
			}
			checkGrad(t, "Conv2DBackpropFilter accumulate", acc, want, s.N*oh*ow)

			gx.checkUnchanged(t, "x", x0)
			gf.checkUnchanged(t, "filter", f0)
			gr.checkUnchanged(t, "dy", r0)
			gws.checkGuards(t, "ws")
		})
	}
}

// pool64 is a direct float64 max or average pool over the real cells of
// each window.
func pool64(x []float64, s PoolShape, isMax bool) []float64 {
	s = s.normalized()
	oh, ow := s.Out()
	y := make([]float64, s.N*oh*ow*s.C)
	for n := range s.N {
		for oy := range oh {
			for ox := range ow {
				for c := range s.C {
					acc, cnt := math.Inf(-1), 0
					if !isMax {
						acc = 0
					}
					for ky := range s.KH {
						for kx := range s.KW {
							iy, ix := oy*s.StrideH-s.Pad.Top+ky, ox*s.StrideW-s.Pad.Left+kx
							if iy < 0 || iy >= s.H || ix < 0 || ix >= s.W {
								continue
							}
							v := x[((n*s.H+iy)*s.W+ix)*s.C+c]
							if isMax {
								acc = math.Max(acc, v)
							} else {
								acc += v
							}
							cnt++
						}
					}
					if !isMax {
						acc /= float64(cnt)
					}
					y[((n*oh+oy)*ow+ox)*s.C+c] = acc
				}
			}
		}
	}
	return y
}

var gradPoolCases = []PoolShape{
	{N: 2, H: 7, W: 7, C: 3, KH: 3, KW: 3, StrideH: 2, StrideW: 2},                                             // AlexNet's overlapping 3×3/2 VALID
	{N: 1, H: 6, W: 6, C: 2, KH: 2, KW: 2, StrideH: 2, StrideW: 2},                                             // 2×2/2
	{N: 2, H: 6, W: 5, C: 2, KH: 3, KW: 3, StrideH: 2, StrideW: 2, Pad: SamePadding2D(6, 5, 3, 3, 2, 2, 1, 1)}, // SAME
	{N: 1, H: 5, W: 6, C: 3, KH: 3, KW: 2, StrideH: 1, StrideW: 3, Pad: Padding{2, 0, 0, 1}},                   // asymmetric
}

func TestMaxPoolGrad(t *testing.T) {
	rng := newRand(t)
	for _, s := range gradPoolCases {
		// Distinct values spaced far wider than the finite-difference step,
		// so no perturbation changes a window's argmax.
		x := make([]float32, s.InLen())
		for i, p := range rng.Perm(len(x)) {
			x[i] = float32(p) * 0.01
		}
		r := randSlice(rng, s.OutLen())
		gdx := filledGuardBuf(s.InLen())
		dx := gdx.data()
		if err := MaxPoolGrad(dx, x, r, s); err != nil {
			t.Fatal(err)
		}
		gdx.checkGuards(t, "dx")
		checkGrad(t, fmt.Sprintf("MaxPoolGrad %+v", s), dx, numGrad(to64(x), func(v []float64) float64 { return dot64(r, pool64(v, s, true)) }), s.KH*s.KW)
	}
}

func TestMaxPoolGradTies(t *testing.T) {
	// One 3×3 image, 2×2 windows, stride 1: every window's maximum is tied.
	// TensorFlow routes each gradient to the first maximum in window order.
	x := []float32{
		5, 5, 1,
		5, 5, 5,
		0, 5, 5,
	}
	dy := []float32{1, 10, 100, 1000}
	// Window (0,0) → cell (0,0); (0,1) → (0,1); (1,0) → (1,0); (1,1) → (1,1).
	want := []float32{1, 10, 0, 100, 1000, 0, 0, 0, 0}
	dx := make([]float32, 9)
	if err := MaxPoolGrad(dx, x, dy, PoolShape{N: 1, H: 3, W: 3, C: 1, KH: 2, KW: 2}); err != nil {
		t.Fatal(err)
	}
	for i := range want {
		if dx[i] != want[i] {
			t.Fatalf("dx = %v, want %v", dx, want)
		}
	}
	// A window over negative values and padding picks a real cell.
	dx = make([]float32, 2)
	if err := MaxPoolGrad(dx, []float32{-3, -2}, []float32{7}, PoolShape{N: 1, H: 1, W: 2, C: 1, KH: 1, KW: 3, StrideW: 2, Pad: Padding{Left: 1}}); err != nil {
		t.Fatal(err)
	}
	if dx[0] != 0 || dx[1] != 7 {
		t.Fatalf("padded window: dx = %v, want [0 7]", dx)
	}
}

func TestAvgPoolGrad(t *testing.T) {
	rng := newRand(t)
	for _, s := range gradPoolCases {
		r := randSlice(rng, s.OutLen())
		gdx := filledGuardBuf(s.InLen())
		dx := gdx.data()
		if err := AvgPoolGrad(dx, r, s); err != nil {
			t.Fatal(err)
		}
		gdx.checkGuards(t, "dx")
		checkGrad(t, fmt.Sprintf("AvgPoolGrad %+v", s), dx, numGrad(to64(randSlice(rng, s.InLen())), func(v []float64) float64 { return dot64(r, pool64(v, s, false)) }), s.KH*s.KW)
	}
	// Hand-computed: 1×3 input, window 3 SAME stride 1: the edge windows
	// hold 2 real cells, the middle one 3.
	dx := make([]float32, 3)
	if err := AvgPoolGrad(dx, []float32{6, 6, 6}, PoolShape{N: 1, H: 1, W: 3, C: 1, KH: 1, KW: 3, Pad: Padding{Left: 1, Right: 1}}); err != nil {
		t.Fatal(err)
	}
	if want := []float32{3 + 2, 3 + 2 + 3, 2 + 3}; dx[0] != want[0] || dx[1] != want[1] || dx[2] != want[2] {
		t.Fatalf("dx = %v, want %v", dx, want)
	}
}

// lrn64 is tf.nn.local_response_normalization in float64.
func lrn64(x []float64, pixels, c int, p LRNParams) []float64 {
	y := make([]float64, len(x))
	for px := range pixels {
		for ch := range c {
			var sq float64
			for j := max(ch-p.DepthRadius, 0); j <= min(ch+p.DepthRadius, c-1); j++ {
				sq += x[px*c+j] * x[px*c+j]
			}
			y[px*c+ch] = x[px*c+ch] * math.Pow(float64(p.Bias)+float64(p.Alpha)*sq, -float64(p.Beta))
		}
	}
	return y
}

func TestLRNGrad(t *testing.T) {
	rng := newRand(t)
	for _, tc := range []struct {
		pixels, c int
		p         LRNParams
	}{
		{3, 7, LRNParams{DepthRadius: 2, Bias: 2, Alpha: 1e-4, Beta: 0.75}}, // alexmnist
		{2, 6, LRNParams{DepthRadius: 1, Bias: 1, Alpha: 0.5, Beta: 0.75}},
		{2, 5, LRNParams{DepthRadius: 5, Bias: 1, Alpha: 1, Beta: 0.5}}, // TF defaults, radius > C
		{2, 4, LRNParams{DepthRadius: 0, Bias: 0.5, Alpha: 2, Beta: 0.6}},
		{2, 11, LRNParams{DepthRadius: 3, Bias: 1, Alpha: 0.2, Beta: 0.75}},      // blocks of 7 over 11 channels
		{1, 9, LRNParams{DepthRadius: 1 << 24, Bias: 1, Alpha: 0.1, Beta: 0.75}}, // window far wider than C
	} {
		n := tc.pixels * tc.c
		x, r := randSlice(rng, n), randSlice(rng, n)
		y := make([]float32, n)
		for i, v := range lrn64(to64(x), tc.pixels, tc.c, tc.p) {
			y[i] = float32(v)
		}
		gdx := filledGuardBuf(n)
		dx := gdx.data()
		if err := LRNGrad(dx, r, x, y, tc.pixels, tc.c, tc.p, make([]float32, 2*tc.c)); err != nil {
			t.Fatal(err)
		}
		gdx.checkGuards(t, "dx")
		checkGrad(t, fmt.Sprintf("LRNGrad %+v", tc), dx, numGrad(to64(x), func(v []float64) float64 { return dot64(r, lrn64(v, tc.pixels, tc.c, tc.p)) }), 2*tc.p.DepthRadius+1)
	}
}

func TestReluGrad(t *testing.T) {
	rng := newRand(t)
	x := randSlice(rng, 50)
	for i := range x {
		if math.Abs(float64(x[i])) < 10*fdStep {
			x[i] = 0.5 // keep the kink out of the finite difference
		}
	}
	r := randSlice(rng, len(x))
	gdx := filledGuardBuf(len(x))
	dx := gdx.data()
	if err := ReluGrad(dx, r, x); err != nil {
		t.Fatal(err)
	}
	gdx.checkGuards(t, "dx")
	relu64 := func(v []float64) float64 {
		var s float64
		for i, z := range v {
			s += float64(r[i]) * math.Max(z, 0)
		}
		return s
	}
	checkGrad(t, "ReluGrad", dx, numGrad(to64(x), relu64), 1)
	// In place, and zero counts as inactive (TensorFlow's features > 0).
	g := []float32{1, 2, 3}
	if err := ReluGrad(g, g, []float32{0, -1, 4}); err != nil {
		t.Fatal(err)
	}
	if g[0] != 0 || g[1] != 0 || g[2] != 3 {
		t.Fatalf("in place: %v, want [0 0 3]", g)
	}
}

func TestBiasAddGrad(t *testing.T) {
	rng := newRand(t)
	const rows, c = 9, 5
	r := randSlice(rng, rows*c)
	gdb := filledGuardBuf(c)
	db := gdb.data()
	if err := BiasAddGrad(db, r, rows, c); err != nil {
		t.Fatal(err)
	}
	gdb.checkGuards(t, "db")
	base := to64(randSlice(rng, rows*c))
	biasAdd64 := func(b []float64) float64 {
		y := make([]float64, rows*c)
		for i := range y {
			y[i] = base[i] + b[i%c]
		}
		return dot64(r, y)
	}
	checkGrad(t, "BiasAddGrad", db, numGrad(make([]float64, c), biasAdd64), rows)
}

func TestSoftmaxCrossEntropy(t *testing.T) {
	rng := newRand(t)
	const n, m = 4, 7
	logits := randSlice(rng, n*m)
	for i := range logits {
		logits[i] *= 5
	}
	logits[3] = 80 // large logits stay finite
	labels := []int{3, 0, 6, 2}
	ce64 := func(z []float64) float64 {
		var total float64
		for i := range n {
			row := z[i*m : (i+1)*m]
			mx := math.Inf(-1)
			for _, v := range row {
				mx = math.Max(mx, v)
			}
			var s float64
			for _, v := range row {
				s += math.Exp(v - mx)
			}
			total += math.Log(s) + mx - row[labels[i]]
		}
		return total
	}
	gloss := filledGuardBuf(n)
	loss := gloss.data()
	gdl := filledGuardBuf(n * m)
	dl := gdl.data()
	mean, err := SoftmaxCrossEntropy(loss, dl, logits, labels, n, m)
	if err != nil {
		t.Fatal(err)
	}
	gloss.checkGuards(t, "loss")
	gdl.checkGuards(t, "dlogits")
	if want := ce64(to64(logits)) / n; math.Abs(mean-want) > 1e-6*(1+want) {
		t.Fatalf("mean loss = %v, want %v", mean, want)
	}
	var sum float64
	for _, l := range loss {
		sum += float64(l)
	}
	if math.Abs(sum/n-mean) > 1e-5*(1+mean) {
		t.Fatalf("per-row losses %v do not average to %v", loss, mean)
	}
	checkGrad(t, "SoftmaxCrossEntropy", dl, numGrad(to64(logits), ce64), m)

	// In place, without per-row losses.
	in := append([]float32(nil), logits...)
	if _, err := SoftmaxCrossEntropy(nil, in, in, labels, n, m); err != nil {
		t.Fatal(err)
	}
	for i := range in {
		if in[i] != dl[i] {
			t.Fatalf("in place: dlogits[%d] = %v, want %v", i, in[i], dl[i])
		}
	}
}

func TestGradErrors(t *testing.T) {
	s := ConvShape{N: 1, H: 4, W: 4, C: 2, KH: 3, KW: 3, OC: 2}
	ws := make([]float32, s.BackpropWorkspaceLen())
	ps := PoolShape{N: 1, H: 4, W: 4, C: 1, KH: 2, KW: 2, StrideH: 2, StrideW: 2}
	for _, tc := range []struct {
		err  error
		want string
	}{
		{Conv2DBackpropInput(make([]float32, 31), make([]float32, 8), make([]float32, 36), s, ws), "kernel: conv2d_backprop_input: len(dx) = 31, want at least 32"},
		{Conv2DBackpropInput(make([]float32, 32), make([]float32, 8), make([]float32, 36), s, ws[:1]), "kernel: conv2d_backprop_input: len(ws)"},
		{Conv2DBackpropFilter(make([]float32, 36), make([]float32, 32), make([]float32, 7), s, false, ws), "kernel: conv2d_backprop_filter: len(dy) = 7, want at least 8"},
		{Conv2DBackpropFilter(nil, nil, nil, ConvShape{N: 1, H: 4, W: 4, C: 3, KH: 1, KW: 1, OC: 2, Groups: 2}, false, nil), "kernel: conv2d: groups = 2 must divide"},
		{MaxPoolGrad(make([]float32, 16), make([]float32, 15), make([]float32, 4), ps), "kernel: maxpool_grad: len(x) = 15, want at least 16"},
		{AvgPoolGrad(make([]float32, 16), make([]float32, 4), PoolShape{N: 1, H: 4, W: 4, C: 1, KH: 2, KW: 2, Pad: Padding{Top: 2}}), "kernel: avgpool_grad: padding"},
		{LRNGrad(make([]float32, 8), make([]float32, 8), make([]float32, 8), make([]float32, 8), 2, 4, LRNParams{DepthRadius: 1}, make([]float32, 7)), "kernel: lrn_grad: len(ws) = 7, want at least 8"},
		{ReluGrad(make([]float32, 2), make([]float32, 3), make([]float32, 3)), "kernel: relu_grad: len(dx) = 2, want at least 3"},
		{BiasAddGrad(make([]float32, 2), make([]float32, 6), 2, 3), "kernel: bias_add_grad: len(db) = 2, want at least 3"},
	} {
		if tc.err == nil || !strings.HasPrefix(tc.err.Error(), tc.want) {
			t.Errorf("error %v, want prefix %q", tc.err, tc.want)
		}
	}
	_, err := SoftmaxCrossEntropy(nil, make([]float32, 6), make([]float32, 6), []int{1, 3}, 2, 3)
	if err == nil || err.Error() != "kernel: softmax_cross_entropy: labels[1] = 3, want a class in [0, 3)" {
		t.Errorf("label error %v", err)
	}
}
