package kernel

import (
	"strings"
	"testing"
)

// Tests of the exported operators: argument validation, results through the
// active kernels (with zero strides, dilations and groups meaning 1) and no
// allocation after validation.

// apiFixture holds valid arguments of every exported operator.
type apiFixture struct {
	conv                       ConvShape
	x, filter, bias, dst, ws   []float32
	n, k, m                    int
	dx, dw, dbias, ddst, dws   []float32
	pool                       PoolShape
	px, pdst                   []float32
	gc, gws                    []float32
	lrn                        LRNParams
	lx, ldst                   []float32
	pixels, channels, smN, smM int
}

func newAPIFixture(t testing.TB) *apiFixture {
	rng := newRand(t)
	f := &apiFixture{
		// Zero strides, dilations and groups: the exported API normalizes them.
		conv: ConvShape{N: 2, H: 6, W: 5, C: 4, KH: 3, KW: 2, OC: 6, Pad: Padding{Top: 1, Bottom: 1, Left: 0, Right: 1}},
		n:    3, k: 17, m: 13,
		pool:   PoolShape{N: 2, H: 5, W: 6, C: 5, KH: 3, KW: 2, StrideH: 2, Pad: Padding{Top: 1, Bottom: 1}},
		lrn:    LRNParams{DepthRadius: 2, Bias: 2, Alpha: 1e-4, Beta: 0.75},
		pixels: 7, channels: 9, smN: 3, smM: 10,
	}
	s := f.conv
	f.x, f.filter, f.bias = randSlice(rng, s.InLen()), randSlice(rng, s.FilterLen()), randSlice(rng, s.OC)
	f.dst, f.ws = make([]float32, s.OutLen()), make([]float32, s.WorkspaceLen())
	f.dx, f.dw, f.dbias = randSlice(rng, f.n*f.k), randSlice(rng, f.k*f.m), randSlice(rng, f.m)
	f.ddst, f.dws = make([]float32, f.n*f.m), make([]float32, DenseWorkspaceLen(f.n, f.k, f.m))
	f.px, f.pdst = randSlice(rng, f.pool.InLen()), make([]float32, f.pool.OutLen())
	f.gc, f.gws = make([]float32, f.n*f.m), make([]float32, GemmWorkspaceLen(f.n, f.m, f.k))
	f.lx, f.ldst = randSlice(rng, f.pixels*f.channels), make([]float32, f.pixels*f.channels)
	return f
}

// TestExported checks each exported operator's result against the
// reference, through the active kernels.
func TestExported(t *testing.T) {
	f := newAPIFixture(t)
	s := f.conv.normalized()
	if err := Conv2D(f.dst, f.x, f.filter, f.bias, f.conv, ReLU, f.ws); err != nil {
		t.Fatal(err)
	}
	terms := s.KH*s.KW*s.C + 1
	checkClose(t, "Conv2D", f.dst, refConv2D(f.x, f.filter, f.bias, s, ReLU),
		scaled(gamma(terms+1), refConv2D(absAll(f.x), absAll(f.filter), absAll(f.bias), s, Linear)))

	if err := Dense(f.ddst, f.dx, f.dw, f.dbias, f.n, f.k, f.m, Linear, f.dws); err != nil {
		t.Fatal(err)
	}
	checkClose(t, "Dense", f.ddst, refDense(f.dx, f.dw, f.dbias, f.n, f.k, f.m, Linear),
		scaled(gamma(f.k+2), refDense(absAll(f.dx), absAll(f.dw), absAll(f.dbias), f.n, f.k, f.m, Linear)))

	// dw [K, M] read as op(B) = w and as op(A) = wᵀ (m×k): C = wᵀ·x is
	// [M, N] from x [N, K] taken as op(B) = xᵀ.
	c := make([]float32, f.m*f.n)
	if err := Gemm(true, true, f.m, f.n, f.k, f.dw, f.m, f.dx, f.k, c, f.n, false, make([]float32, GemmWorkspaceLen(f.m, f.n, f.k))); err != nil {
		t.Fatal(err)
	}
	checkClose(t, "Gemm", c, refGemm(true, true, f.m, f.n, f.k, f.dw, f.m, f.dx, f.k, nil, f.n, false),
		scaled(gamma(f.k+2), refGemm(true, true, f.m, f.n, f.k, absAll(f.dw), f.m, absAll(f.dx), f.k, nil, f.n, false)))

	if err := MaxPool(f.pdst, f.px, f.pool); err != nil {
		t.Fatal(err)
	}
	checkClose(t, "MaxPool", f.pdst, refMaxPool(f.px, f.pool), nil)
	if err := AvgPool(f.pdst, f.px, f.pool); err != nil {
		t.Fatal(err)
	}
	checkClose(t, "AvgPool", f.pdst, refAvgPool(f.px, f.pool), scaled(gamma(f.pool.KH*f.pool.KW+2), refAvgPool(absAll(f.px), f.pool)))

	relu := make([]float32, len(f.px)+3) // dst may be longer than x
	if err := Relu(relu, f.px); err != nil {
		t.Fatal(err)
	}
	checkClose(t, "Relu", relu[:len(f.px)], refRelu(f.px), nil)

	if err := Softmax(f.ldst[:f.smN*f.smM], f.lx, f.smN, f.smM); err != nil {
		t.Fatal(err)
	}
	// Inputs in [-1, 1): see TestSoftmax for the bound.
	want := refSoftmax(f.lx, f.smN, f.smM)
	checkClose(t, "Softmax", f.ldst[:f.smN*f.smM], want, scaled(2*(2*unitRoundoff+gamma(f.smM)+5*unitRoundoff), want))

	if err := LRN(f.ldst, f.lx, f.pixels, f.channels, f.lrn); err != nil {
		t.Fatal(err)
	}
	want = refLRN(f.lx, f.pixels, f.channels, f.lrn)
	checkClose(t, "LRN", f.ldst, want, scaled(lrnTolerance(f.lrn, f.channels), absAll(want)))
}

// TestErrors checks that each bad argument is rejected with an error that
// starts with "kernel: <op>:" and names the argument.
func TestErrors(t *testing.T) {
	f := newAPIFixture(t)
	conv := func(mod func(s *ConvShape)) func() error {
		return func() error {
			s := f.conv
			mod(&s)
			return Conv2D(f.dst, f.x, f.filter, f.bias, s, Linear, f.ws)
		}
	}
	pool := func(run func(dst, x []float32, s PoolShape) error, mod func(s *PoolShape)) func() error {
		return func() error {
			s := f.pool
			mod(&s)
			return run(f.pdst, f.px, s)
		}
	}
	short := func(s []float32) []float32 { return s[:len(s)-1] }
	ws := f.ws
	cases := []struct {
		op, want string
		call     func() error
	}{
		{"conv2d", "len(x)", func() error { return Conv2D(f.dst, short(f.x), f.filter, f.bias, f.conv, Linear, ws) }},
		{"conv2d", "len(filter)", func() error { return Conv2D(f.dst, f.x, short(f.filter), f.bias, f.conv, Linear, ws) }},
		{"conv2d", "len(dst)", func() error { return Conv2D(short(f.dst), f.x, f.filter, f.bias, f.conv, Linear, ws) }},
		{"conv2d", "len(ws)", func() error { return Conv2D(f.dst, f.x, f.filter, f.bias, f.conv, Linear, short(ws)) }},
		{"conv2d", "len(bias)", func() error { return Conv2D(f.dst, f.x, f.filter, short(f.bias), f.conv, Linear, ws) }},
		{"conv2d", "input shape", conv(func(s *ConvShape) { s.N = 0 })},
		{"conv2d", "input shape", conv(func(s *ConvShape) { s.C = -4 })},
		{"conv2d", "filter shape", conv(func(s *ConvShape) { s.KW = 0 })},
		{"conv2d", "filter shape", conv(func(s *ConvShape) { s.OC = -1 })},
		{"conv2d", "strides", conv(func(s *ConvShape) { s.StrideH = -1 })},
		{"conv2d", "dilations", conv(func(s *ConvShape) { s.DilationW = -2 })},
		{"conv2d", "groups", conv(func(s *ConvShape) { s.Groups = 3 })},
		{"conv2d", "groups", conv(func(s *ConvShape) { s.Groups = 4 })}, // divides C = 4, not OC = 6
		{"conv2d", "padding", conv(func(s *ConvShape) { s.Pad.Left = -1 })},
		{"conv2d", "output is empty", conv(func(s *ConvShape) { s.KH, s.Pad = 9, Padding{} })},

		{"dense", "sizes N, K, M", func() error { return Dense(f.ddst, f.dx, f.dw, f.dbias, 0, f.k, f.m, Linear, f.dws) }},
		{"dense", "len(x)", func() error { return Dense(f.ddst, short(f.dx), f.dw, f.dbias, f.n, f.k, f.m, Linear, f.dws) }},
		{"dense", "len(w)", func() error { return Dense(f.ddst, f.dx, short(f.dw), f.dbias, f.n, f.k, f.m, Linear, f.dws) }},
		{"dense", "len(dst)", func() error { return Dense(short(f.ddst), f.dx, f.dw, f.dbias, f.n, f.k, f.m, Linear, f.dws) }},
		{"dense", "len(bias)", func() error { return Dense(f.ddst, f.dx, f.dw, short(f.dbias), f.n, f.k, f.m, Linear, f.dws) }},

		{"gemm", "sizes m, n, k", func() error { return Gemm(false, false, f.n, f.m, -1, f.dx, f.k, f.dw, f.m, f.gc, f.m, false, f.gws) }},
		{"gemm", "lda", func() error {
			return Gemm(false, false, f.n, f.m, f.k, f.dx, f.k-1, f.dw, f.m, f.gc, f.m, false, f.gws)
		}},
		{"gemm", "lda", func() error { return Gemm(true, false, f.k, f.m, f.n, f.dx, f.k-1, f.dw, f.m, f.gc, f.m, false, f.gws) }},
		{"gemm", "ldb", func() error {
			return Gemm(false, false, f.n, f.m, f.k, f.dx, f.k, f.dw, f.m-1, f.gc, f.m, false, f.gws)
		}},
		{"gemm", "ldb", func() error { return Gemm(false, true, f.n, f.k, f.m, f.gc, f.m, f.dw, f.m-1, f.dx, f.k, false, f.gws) }},
		{"gemm", "ldc", func() error {
			return Gemm(false, false, f.n, f.m, f.k, f.dx, f.k, f.dw, f.m, f.gc, f.m-1, false, f.gws)
		}},
		{"gemm", "len(a)", func() error {
			return Gemm(false, false, f.n, f.m, f.k, short(f.dx), f.k, f.dw, f.m, f.gc, f.m, false, f.gws)
		}},
		{"gemm", "len(b)", func() error {
			return Gemm(false, false, f.n, f.m, f.k, f.dx, f.k, short(f.dw), f.m, f.gc, f.m, false, f.gws)
		}},
		{"gemm", "len(c)", func() error {
			return Gemm(false, false, f.n, f.m, f.k, f.dx, f.k, f.dw, f.m, short(f.gc), f.m, true, f.gws)
		}},

		{"maxpool", "input shape", pool(MaxPool, func(s *PoolShape) { s.W = 0 })},
		{"maxpool", "window size", pool(MaxPool, func(s *PoolShape) { s.KH = 0 })},
		{"maxpool", "strides", pool(MaxPool, func(s *PoolShape) { s.StrideW = -2 })},
		{"maxpool", "padding", pool(MaxPool, func(s *PoolShape) { s.Pad.Bottom = -1 })},
		{"maxpool", "padding", pool(MaxPool, func(s *PoolShape) { s.Pad.Top = 3 })}, // not smaller than KH = 3
		{"maxpool", "output is empty", pool(MaxPool, func(s *PoolShape) { s.KW, s.Pad = 7, Padding{} })},
		{"maxpool", "len(x)", func() error { return MaxPool(f.pdst, short(f.px), f.pool) }},
		{"maxpool", "len(dst)", func() error { return MaxPool(short(f.pdst), f.px, f.pool) }},
		{"avgpool", "window size", pool(AvgPool, func(s *PoolShape) { s.KW = -1 })},
		{"avgpool", "padding", pool(AvgPool, func(s *PoolShape) { s.Pad.Right = 2 })}, // not smaller than KW = 2
		{"avgpool", "len(x)", func() error { return AvgPool(f.pdst, short(f.px), f.pool) }},
		{"avgpool", "len(dst)", func() error { return AvgPool(short(f.pdst), f.px, f.pool) }},

		{"relu", "len(dst)", func() error { return Relu(short(f.px), f.px) }},

		{"softmax", "sizes N, M", func() error { return Softmax(f.ldst, f.lx, f.smN, 0) }},
		{"softmax", "len(x)", func() error { return Softmax(f.ldst, f.lx[:f.smN*f.smM-1], f.smN, f.smM) }},
		{"softmax", "len(dst)", func() error { return Softmax(f.ldst[:f.smN*f.smM-1], f.lx, f.smN, f.smM) }},

		{"lrn", "sizes pixels, C", func() error { return LRN(f.ldst, f.lx, f.pixels, 0, f.lrn) }},
		{"lrn", "depth radius", func() error {
			return LRN(f.ldst, f.lx, f.pixels, f.channels, LRNParams{DepthRadius: -1, Bias: 1, Alpha: 1, Beta: 0.5})
		}},
		{"lrn", "len(x)", func() error { return LRN(f.ldst, short(f.lx), f.pixels, f.channels, f.lrn) }},
		{"lrn", "len(dst)", func() error { return LRN(short(f.ldst), f.lx, f.pixels, f.channels, f.lrn) }},
	}
	// A workspace is only checked where the active kernels need one.
	if n := DenseWorkspaceLen(f.n, f.k, f.m); n > 0 {
		cases = append(cases, struct {
			op, want string
			call     func() error
		}{"dense", "len(ws)", func() error { return Dense(f.ddst, f.dx, f.dw, f.dbias, f.n, f.k, f.m, Linear, f.dws[:n-1]) }})
	}
	if n := GemmWorkspaceLen(f.n, f.m, f.k); n > 0 {
		cases = append(cases, struct {
			op, want string
			call     func() error
		}{"gemm", "len(ws)", func() error {
			return Gemm(false, false, f.n, f.m, f.k, f.dx, f.k, f.dw, f.m, f.gc, f.m, false, f.gws[:n-1])
		}})
	}
	for _, c := range cases {
		err := c.call()
		if err == nil {
			t.Errorf("%s: no error, want one naming %q", c.op, c.want)
			continue
		}
		if msg := err.Error(); !strings.HasPrefix(msg, "kernel: "+c.op+": ") || !strings.Contains(msg, c.want) {
			t.Errorf("%s: error %q, want the prefix %q and %q", c.op, msg, "kernel: "+c.op+": ", c.want)
		}
	}
}

// TestNoAllocs checks that the exported operators allocate nothing with
// preallocated buffers.
func TestNoAllocs(t *testing.T) {
	f := newAPIFixture(t)
	for _, c := range []struct {
		name string
		call func() error
	}{
		{"Conv2D", func() error { return Conv2D(f.dst, f.x, f.filter, f.bias, f.conv, ReLU, f.ws) }},
		{"Dense", func() error { return Dense(f.ddst, f.dx, f.dw, f.dbias, f.n, f.k, f.m, ReLU, f.dws) }},
		{"Gemm", func() error { return Gemm(false, false, f.n, f.m, f.k, f.dx, f.k, f.dw, f.m, f.gc, f.m, true, f.gws) }},
		{"MaxPool", func() error { return MaxPool(f.pdst, f.px, f.pool) }},
		{"AvgPool", func() error { return AvgPool(f.pdst, f.px, f.pool) }},
		{"Relu", func() error { return Relu(f.pdst, f.pdst) }},
		{"Softmax", func() error { return Softmax(f.ldst, f.lx, f.smN, f.smM) }},
		{"LRN", func() error { return LRN(f.ldst, f.lx, f.pixels, f.channels, f.lrn) }},
	} {
		var err error
		if allocs := testing.AllocsPerRun(5, func() { err = c.call() }); allocs != 0 || err != nil {
			t.Errorf("%s: %v allocations per call (error %v), want 0", c.name, allocs, err)
		}
	}
}
