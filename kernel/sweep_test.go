package kernel

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// Edge sweeps: every kernel variant against the naive reference, on shapes
// chosen around tile and unroll edges (the SIMD GEMM uses 4×12 register
// tiles of Float32x4), with guard values around every buffer, NaN-filled
// destinations and workspaces (a kernel must not read them before writing),
// and inputs checked unchanged.

// tileSizes are GEMM dimensions around the 4-row, 12-column and 4-lane
// edges and around powers of two.
var tileSizes = []int{1, 2, 3, 4, 5, 7, 8, 11, 12, 13, 16, 17, 23, 24, 25, 31, 32, 33, 47, 48, 49, 63, 64, 65}

// same returns s with TensorFlow "SAME" padding.
func same(s ConvShape) ConvShape {
	s = s.normalized()
	s.Pad = SamePadding2D(s.H, s.W, s.KH, s.KW, s.StrideH, s.StrideW, s.DilationH, s.DilationW)
	return s
}

// checkConv runs k.conv on random data and compares with refConv2D.
func checkConv(t *testing.T, k *kernels, rng *rand.Rand, s ConvShape, withBias bool, act Activation) {
	t.Helper()
	if err := s.Validate(); err != nil {
		t.Fatalf("%s: bad test shape: %v", convName(s), err)
	}
	s = s.normalized()
	x, filter := randSlice(rng, s.InLen()), randSlice(rng, s.FilterLen())
	var bias, gbias []float32
	gb := newGuardBuf(nil)
	if withBias {
		bias = randSlice(rng, s.OC)
		gb = newGuardBuf(bias)
		gbias = gb.data()
	}
	gx, gf := newGuardBuf(x), newGuardBuf(filter)
	name := convName(s)
	want := refConv2D(x, filter, bias, s, act)
	mag := refConv2D(absAll(x), absAll(filter), absAll(bias), s, Linear)
	terms := s.KH*s.KW*(s.C/s.Groups) + 1 // products and the bias
	tol := scaled(gamma(terms+1), mag)

	gdst, gws := filledGuardBuf(s.OutLen()), filledGuardBuf(k.convWorkspaceLen(s))
	k.conv(gdst.data(), gx.data(), gf.data(), gbias, s, act, gws.data())
	checkClose(t, name, gdst.data(), want, tol)
	gdst.checkGuards(t, name+" dst")
	gws.checkGuards(t, name+" ws")
	gx.checkUnchanged(t, name+" x", x)
	gf.checkUnchanged(t, name+" filter", filter)
	gb.checkUnchanged(t, name+" bias", bias)

	// The same through the packed filter (PackedConv.Conv2D), with the
	// method PackConv chooses for s and, where Winograd applies, with the
	// output tiles of F(2×2, 3×3) and F(4×4, 3×3) it does not choose.
	chosen := s.winogradTile()
	checkPackedConv(t, k, s, gx, gf, gb, act, chosen, want, tol)
	if s.winogradApplies() {
		for _, tile := range []int{2, 4} {
			if tile != chosen {
				checkPackedConv(t, k, s, gx, gf, gb, act, tile, want, tol)
			}
		}
	}
}

// checkPackedConv packs the filter in gf for Winograd with output tiles of
// winograd×winograd (2 or 4) or (0) for k.convPacked and compares
// PackedConv.Conv2D with want: within tol, or within the Winograd bound
// (winogradTolerance). Without Winograd it checks the direct convolution
// too where it applies (conv_direct.go).
func checkPackedConv(t *testing.T, k *kernels, s ConvShape, gx, gf, gb guardBuf, act Activation, winograd int, want []float32, tol []float64) {
	t.Helper()
	checkPackedConvMethod(t, k, s, gx, gf, gb, act, winograd, false, want, tol)
	if winograd == 0 && s.directApplies(k) {
		checkPackedConvMethod(t, k, s, gx, gf, gb, act, 0, true, want, tol)
	}
}

// checkPackedConvMethod is checkPackedConv for one method: Winograd,
// direct or the im2col GEMM.
func checkPackedConvMethod(t *testing.T, k *kernels, s ConvShape, gx, gf, gb guardBuf, act Activation, winograd int, direct bool, want []float32, tol []float64) {
	t.Helper()
	name := convName(s) + " packed"
	if winograd != 0 {
		name += " winograd" + fmt.Sprint(winograd)
		tol = winogradTolerance(gx.data(), gf.data(), gb.data(), s, winograd)
	}
	if direct {
		name += " direct"
	}
	x, filter, bias := slices.Clone(gx.data()), slices.Clone(gf.data()), slices.Clone(gb.data())
	var gbias []float32
	if gb.n > 0 {
		gbias = gb.data()
	}
	p, err := packConvMethod(k, gf.data(), s, winograd)
	if err != nil {
		t.Fatalf("%s: packConvMethod: %v", name, err)
	}
	p.direct = direct
	gdst, gws := filledGuardBuf(s.OutLen()), filledGuardBuf(p.WorkspaceLen(s.N))
	if err := p.Conv2D(gdst.data(), gx.data(), gbias, s.N, act, gws.data()); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	checkClose(t, name, gdst.data(), want, tol)
	gdst.checkGuards(t, name+" dst")
	gws.checkGuards(t, name+" ws")
	gx.checkUnchanged(t, name+" x", x)
	gf.checkUnchanged(t, name+" filter", filter)
	gb.checkUnchanged(t, name+" bias", bias)
}

// edgeConvShapes are the hand-picked corner cases of tf.nn.conv2d.
var edgeConvShapes = []ConvShape{
	// Stride larger than the input under SAME: one output from a window
	// partly in the padding (TF.js's CPU backend returns zeros here).
	same(ConvShape{N: 1, H: 2, W: 3, C: 2, KH: 3, KW: 3, OC: 3, StrideH: 5, StrideW: 4}),
	same(ConvShape{N: 2, H: 3, W: 3, C: 1, KH: 2, KW: 2, OC: 2, StrideH: 7, StrideW: 7}),
	// 1×1 inputs.
	same(ConvShape{N: 1, H: 1, W: 1, C: 3, KH: 3, KW: 3, OC: 5}),
	same(ConvShape{N: 2, H: 1, W: 1, C: 4, KH: 5, KW: 5, OC: 4, Groups: 2}),
	{N: 1, H: 1, W: 1, C: 1, KH: 1, KW: 1, OC: 1},
	// Even windows under SAME: the extra padding cell goes after.
	same(ConvShape{N: 1, H: 5, W: 6, C: 3, KH: 2, KW: 2, OC: 4}),
	same(ConvShape{N: 1, H: 7, W: 5, C: 2, KH: 4, KW: 2, OC: 3, StrideH: 2, StrideW: 3}),
	// Dilation with SAME and VALID.
	same(ConvShape{N: 1, H: 6, W: 7, C: 3, KH: 3, KW: 3, OC: 4, DilationH: 2, DilationW: 3}),
	{N: 1, H: 9, W: 8, C: 2, KH: 3, KW: 2, OC: 3, DilationH: 3, DilationW: 2},
	// Explicit asymmetric padding.
	{N: 1, H: 5, W: 5, C: 4, KH: 3, KW: 2, OC: 4, Pad: Padding{Top: 2, Bottom: 0, Left: 1, Right: 3}},
	{N: 2, H: 4, W: 3, C: 2, KH: 2, KW: 3, OC: 6, StrideH: 2, Groups: 2, Pad: Padding{Top: 0, Bottom: 3, Left: 2, Right: 0}},
	// Pointwise (A = x without im2col), grouped and dilated; and 1×1
	// windows that are not pointwise.
	{N: 2, H: 4, W: 4, C: 8, KH: 1, KW: 1, OC: 8, Groups: 4},
	{N: 1, H: 3, W: 5, C: 6, KH: 1, KW: 1, OC: 9, DilationH: 3, Groups: 3},
	{N: 1, H: 5, W: 5, C: 3, KH: 1, KW: 1, OC: 2, StrideH: 2, StrideW: 2},
	{N: 1, H: 3, W: 3, C: 2, KH: 1, KW: 1, OC: 2, Pad: Padding{Bottom: 1, Right: 1}},
	// VALID with cells the stride leaves unused.
	{N: 1, H: 10, W: 9, C: 3, KH: 3, KW: 3, OC: 2, StrideH: 3, StrideW: 4},
	// K above one GEMM K block (363 = 256 + 107: the second block starts
	// inside a tap) with 3 channels per group: alexnet's conv1 (wide runs
	// of 33), and with groups (values packed one by one), VALID and SAME.
	{N: 1, H: 23, W: 27, C: 3, KH: 11, KW: 11, OC: 13, StrideH: 4, StrideW: 4},
	same(ConvShape{N: 2, H: 13, W: 11, C: 6, KH: 11, KW: 11, OC: 10, StrideH: 4, StrideW: 3, Groups: 2}),
	// One channel, stride 1: four adjacent pixels' values of a tap are one
	// vector where they lie inside the image (and zeros or single values
	// at its edges).
	same(ConvShape{N: 2, H: 9, W: 14, C: 1, KH: 3, KW: 3, OC: 7}),
	same(ConvShape{N: 1, H: 8, W: 12, C: 1, KH: 5, KW: 5, OC: 6}),
	{N: 1, H: 6, W: 8, C: 1, KH: 5, KW: 4, OC: 9, Pad: Padding{Top: 3, Bottom: 1, Left: 2, Right: 3}},
	{N: 1, H: 12, W: 13, C: 1, KH: 3, KW: 2, OC: 5, DilationH: 2, DilationW: 3},
	// Groups 1, 2, 4 with batch.
	same(ConvShape{N: 3, H: 5, W: 4, C: 4, KH: 3, KW: 3, OC: 6, Groups: 2}),
	same(ConvShape{N: 2, H: 6, W: 6, C: 8, KH: 3, KW: 3, OC: 12, Groups: 4}),
}

func TestConvEdges(t *testing.T) {
	forVariants(t, func(t *testing.T, k *kernels) {
		rng := newRand(t)
		for i, s := range edgeConvShapes {
			checkConv(t, k, rng, s, i%2 == 0, Activation(i%3%2))
		}
	})
}

// TestConvChannels sweeps input and output channels (the GEMM's K and N)
// around the tile edges on a 3×3 SAME convolution of a 4×5 image (M = 20).
func TestConvChannels(t *testing.T) {
	cs := []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 13, 16, 17, 31, 32, 33}
	ocs := []int{1, 2, 3, 4, 5, 7, 8, 11, 12, 13, 16, 17, 23, 24, 25, 31, 32, 33, 63, 64, 65}
	if testing.Short() {
		cs, ocs = []int{1, 3, 4, 5, 13, 33}, []int{1, 4, 11, 12, 13, 25, 65}
	}
	forVariants(t, func(t *testing.T, k *kernels) {
		rng := newRand(t)
		for _, c := range cs {
			for _, oc := range ocs {
				checkConv(t, k, rng, same(ConvShape{N: 1, H: 4, W: 5, C: c, KH: 3, KW: 3, OC: oc}), oc%2 == 1, ReLU)
			}
		}
	})
}

// TestConvRandom checks random geometries: sizes 1..9, windows 1..4,
// strides 1..3, dilations 1..2, groups 1, 2 or 4, and SAME, VALID or
// explicit padding.
func TestConvRandom(t *testing.T) {
	cases := 300
	if testing.Short() {
		cases = 60
	}
	forVariants(t, func(t *testing.T, k *kernels) {
		rng := newRand(t)
		for done := 0; done < cases; {
			groups := []int{1, 2, 4}[rng.IntN(3)]
			s := ConvShape{
				N: 1 + rng.IntN(2), H: 1 + rng.IntN(9), W: 1 + rng.IntN(9),
				C: groups * (1 + rng.IntN(5)), OC: groups * (1 + rng.IntN(7)), Groups: groups,
				KH: 1 + rng.IntN(4), KW: 1 + rng.IntN(4),
				StrideH: 1 + rng.IntN(3), StrideW: 1 + rng.IntN(3),
				DilationH: 1 + rng.IntN(2), DilationW: 1 + rng.IntN(2),
			}
			switch rng.IntN(3) {
			case 0:
				s = same(s)
			case 1:
				s.Pad = Padding{Top: rng.IntN(3), Bottom: rng.IntN(3), Left: rng.IntN(3), Right: rng.IntN(3)}
			}
			if s.Validate() != nil {
				continue // the window does not fit
			}
			checkConv(t, k, rng, s, rng.IntN(2) == 0, Activation(rng.IntN(2)))
			done++
		}
	})
}

// checkGemm runs k.gemm with leading dimensions extra elements wider than
// needed. The gaps of A and B hold NaN (a kernel must not use them), so do
// C's gaps (they must stay untouched) and, without acc, C itself (it must
// be overwritten, not scaled).
func checkGemm(t *testing.T, k *kernels, rng *rand.Rand, transA, transB bool, m, n, kk, extra int, acc bool) {
	t.Helper()
	name := fmt.Sprintf("gemm tA=%v tB=%v m=%d n=%d k=%d +ld=%d acc=%v", transA, transB, m, n, kk, extra, acc)
	ar, ac := m, kk
	if transA {
		ar, ac = kk, m
	}
	br, bc := kk, n
	if transB {
		br, bc = n, kk
	}
	lda, ldb, ldc := ac+extra, bc+extra, n+extra
	matrix := func(rows, cols, ld int, random bool) []float32 {
		s := fill((rows-1)*ld+cols, guardValue)
		for r := range rows {
			for j := range cols {
				if random {
					s[r*ld+j] = 2*rng.Float32() - 1
				}
			}
		}
		return s
	}
	a, b, c := matrix(ar, ac, lda, true), matrix(br, bc, ldb, true), matrix(m, n, ldc, acc)
	ga, gb, gc := newGuardBuf(a), newGuardBuf(b), newGuardBuf(c)
	gws := filledGuardBuf(k.gemmWorkspaceLen(m, n, kk))
	k.gemm(transA, transB, m, n, kk, ga.data(), lda, gb.data(), ldb, gc.data(), ldc, acc, gws.data())

	want := refGemm(transA, transB, m, n, kk, a, lda, b, ldb, c, ldc, acc)
	// Σ|terms| from |A|·|B| (+|C|); NaN gaps give NaN magnitudes there,
	// where only an exact (bitwise) match passes.
	mag := refGemm(transA, transB, m, n, kk, absAll(a), lda, absAll(b), ldb, absAll(c), ldc, acc)
	checkClose(t, name, gc.data(), want, scaled(gamma(kk+2), mag))
	gc.checkGuards(t, name+" c")
	gws.checkGuards(t, name+" ws")
	ga.checkUnchanged(t, name+" a", a)
	gb.checkUnchanged(t, name+" b", b)
}

// TestGemmSmall covers every m, n, k in 1..13 (all sub-tiles of a 4×12
// tile and every K remainder of a ×4 unroll) in all four transpositions.
func TestGemmSmall(t *testing.T) {
	hi := 13
	if testing.Short() {
		hi = 6
	}
	forVariants(t, func(t *testing.T, k *kernels) {
		rng := newRand(t)
		for m := 1; m <= hi; m++ {
			for n := 1; n <= hi; n++ {
				for kk := 1; kk <= hi; kk++ {
					tr := (m + n + kk) % 4
					checkGemm(t, k, rng, tr&1 != 0, tr&2 != 0, m, n, kk, (m*n+kk)%3, kk%2 == 0)
				}
			}
		}
	})
}

// TestGemmEdges covers random triples of tileSizes with every
// transposition, leading-dimension slack and accumulate setting.
func TestGemmEdges(t *testing.T) {
	cases := 400
	if testing.Short() {
		cases = 80
	}
	forVariants(t, func(t *testing.T, k *kernels) {
		rng := newRand(t)
		pick := func() int { return tileSizes[rng.IntN(len(tileSizes))] }
		for i := range cases {
			checkGemm(t, k, rng, i&1 != 0, i&2 != 0, pick(), pick(), pick(), []int{0, 1, 5}[i/4%3], i/12%2 == 0)
		}
	})
}

// TestGemmBlocks crosses the cache-block edges: the generic GEMM's 256-deep
// and 512-wide blocks of B, the SIMD GEMM's 128-row, 256-deep and 768-wide
// packed blocks.
func TestGemmBlocks(t *testing.T) {
	sizes := [][3]int{ // m, n, k
		{3, 513, 257}, {2, 769, 255}, {129, 13, 300}, {128, 25, 256}, {5, 512, 513}, {130, 770, 3},
	}
	if testing.Short() {
		sizes = sizes[:3]
	}
	forVariants(t, func(t *testing.T, k *kernels) {
		rng := newRand(t)
		for i, mnk := range sizes {
			for tr := range 4 {
				checkGemm(t, k, rng, tr&1 != 0, tr&2 != 0, mnk[0], mnk[1], mnk[2], i%2, (i+tr)%2 == 0)
			}
		}
	})
}

// TestDense sweeps N, K, M of a fully connected layer through kernels.dense.
func TestDense(t *testing.T) {
	ns := []int{1, 2, 3, 4, 5, 7, 12, 13, 17}
	ks := []int{1, 3, 4, 5, 12, 13, 16, 17, 24, 25, 33, 64, 65}
	ms := []int{1, 3, 4, 5, 11, 12, 13, 24, 25, 31, 33, 65}
	if testing.Short() {
		ns, ks, ms = []int{1, 4, 5}, []int{1, 13, 65}, []int{1, 12, 13, 25}
	}
	forVariants(t, func(t *testing.T, kern *kernels) {
		rng := newRand(t)
		for _, n := range ns {
			for _, k := range ks {
				for _, m := range ms {
					checkDense(t, kern, rng, n, k, m, rng.IntN(2) == 0, Activation(rng.IntN(2)))
				}
			}
		}
	})
}

func checkDense(t *testing.T, kern *kernels, rng *rand.Rand, n, k, m int, withBias bool, act Activation) {
	t.Helper()
	name := fmt.Sprintf("dense n=%d k=%d m=%d bias=%v act=%d", n, k, m, withBias, act)
	x, w := randSlice(rng, n*k), randSlice(rng, k*m)
	var bias, gbias []float32
	gb := newGuardBuf(nil)
	if withBias {
		bias = randSlice(rng, m)
		gb = newGuardBuf(bias)
		gbias = gb.data()
	}
	gx, gw := newGuardBuf(x), newGuardBuf(w)
	gdst, gws := filledGuardBuf(n*m), filledGuardBuf(kern.denseWorkspaceLen(n, k, m))
	kern.dense(gdst.data(), gx.data(), gw.data(), gbias, n, k, m, act, gws.data())
	want := refDense(x, w, bias, n, k, m, act)
	mag := refDense(absAll(x), absAll(w), absAll(bias), n, k, m, Linear)
	tol := scaled(gamma(k+2), mag)
	checkClose(t, name, gdst.data(), want, tol)
	gdst.checkGuards(t, name+" dst")
	gws.checkGuards(t, name+" ws")
	gx.checkUnchanged(t, name+" x", x)
	gw.checkUnchanged(t, name+" w", w)
	gb.checkUnchanged(t, name+" bias", bias)

	// The same through the packed weights (PackedDense.Dense).
	p, err := packDenseWith(kern, gw.data(), k, m)
	if err != nil {
		t.Fatalf("%s: packDenseWith: %v", name, err)
	}
	gdst, gws = filledGuardBuf(n*m), filledGuardBuf(p.WorkspaceLen(n))
	if err := p.Dense(gdst.data(), gx.data(), gbias, n, act, gws.data()); err != nil {
		t.Fatalf("%s: packed: %v", name, err)
	}
	checkClose(t, name+" packed", gdst.data(), want, tol)
	gdst.checkGuards(t, name+" packed dst")
	gws.checkGuards(t, name+" packed ws")
	gx.checkUnchanged(t, name+" packed x", x)
}

// edgePoolShapes are the hand-picked corner cases of tf.nn.max_pool and
// tf.nn.avg_pool; TestPoolRandom adds random ones.
var edgePoolShapes = []PoolShape{
	samePool(PoolShape{N: 1, H: 2, W: 3, C: 3, KH: 3, KW: 3, StrideH: 5, StrideW: 4}), // stride > input
	samePool(PoolShape{N: 2, H: 1, W: 1, C: 5, KH: 3, KW: 3}),                         // 1×1 input
	samePool(PoolShape{N: 1, H: 5, W: 6, C: 4, KH: 2, KW: 2}),                         // even window, pad after
	samePool(PoolShape{N: 1, H: 28, W: 28, C: 13, KH: 2, KW: 2, StrideH: 2, StrideW: 2}),
	{N: 1, H: 28, W: 28, C: 17, KH: 3, KW: 3, StrideH: 2, StrideW: 2}, // AlexNet overlapping pool
	{N: 1, H: 5, W: 4, C: 2, KH: 3, KW: 2, StrideH: 1, StrideW: 3, Pad: Padding{Top: 2, Bottom: 0, Left: 0, Right: 1}},
	{N: 3, H: 1, W: 7, C: 1, KH: 1, KW: 4, StrideW: 3},
}

func samePool(s PoolShape) PoolShape {
	s = s.normalized()
	s.Pad = SamePadding2D(s.H, s.W, s.KH, s.KW, s.StrideH, s.StrideW, 1, 1)
	return s
}

// checkPool compares maxPool (exactly) and avgPool (within the error of a
// float32 sum of KH*KW terms and a division) with the reference.
func checkPool(t *testing.T, k *kernels, rng *rand.Rand, s PoolShape) {
	t.Helper()
	if err := s.Validate("pool"); err != nil {
		t.Fatalf("%s: bad test shape: %v", poolName(s), err)
	}
	s = s.normalized()
	name := poolName(s)
	x := randSlice(rng, s.InLen())
	gx := newGuardBuf(x)
	for _, op := range []struct {
		name string
		run  func(dst, x []float32, s PoolShape)
		want []float32
		tol  []float64
	}{
		{"max", k.maxPool, refMaxPool(x, s), nil},
		{"avg", k.avgPool, refAvgPool(x, s), scaled(gamma(s.KH*s.KW+2), refAvgPool(absAll(x), s))},
	} {
		gdst := filledGuardBuf(s.OutLen())
		op.run(gdst.data(), gx.data(), s)
		checkClose(t, op.name+" "+name, gdst.data(), op.want, op.tol)
		gdst.checkGuards(t, op.name+" "+name+" dst")
		gx.checkUnchanged(t, op.name+" "+name+" x", x)
	}
}

func TestPoolEdges(t *testing.T) {
	forVariants(t, func(t *testing.T, k *kernels) {
		rng := newRand(t)
		for _, s := range edgePoolShapes {
			checkPool(t, k, rng, s)
		}
	})
}

// TestPoolRandom checks random geometries: sizes 1..9, channels around the
// 4-lane edges, windows 1..4, strides 1..3, SAME, VALID or explicit padding.
func TestPoolRandom(t *testing.T) {
	cases := 300
	if testing.Short() {
		cases = 60
	}
	forVariants(t, func(t *testing.T, k *kernels) {
		rng := newRand(t)
		for done := 0; done < cases; {
			s := PoolShape{
				N: 1 + rng.IntN(2), H: 1 + rng.IntN(9), W: 1 + rng.IntN(9), C: tileSizes[rng.IntN(12)],
				KH: 1 + rng.IntN(4), KW: 1 + rng.IntN(4), StrideH: 1 + rng.IntN(3), StrideW: 1 + rng.IntN(3),
			}
			switch rng.IntN(3) {
			case 0:
				s = samePool(s)
			case 1:
				s.Pad = Padding{Top: rng.IntN(s.KH), Bottom: rng.IntN(s.KH), Left: rng.IntN(s.KW), Right: rng.IntN(s.KW)}
			}
			if s.Validate("pool") != nil {
				continue
			}
			checkPool(t, k, rng, s)
			done++
		}
	})
}

// TestRelu checks relu exactly, out of place and in place, on lengths
// around the vector edges and on the special values -0, ±Inf and NaN.
func TestRelu(t *testing.T) {
	special := []float32{float32(math.Copysign(0, -1)), float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.NaN()), -1e-45, 1e-45}
	forVariants(t, func(t *testing.T, k *kernels) {
		rng := newRand(t)
		for _, n := range slices.Concat(tileSizes, []int{0, 100, 1027}) {
			x := randSlice(rng, n)
			for i := range min(n, len(special)) {
				x[rng.IntN(n)] = special[i]
			}
			want := refRelu(x)
			name := fmt.Sprintf("relu n=%d", n)
			gx, gdst := newGuardBuf(x), filledGuardBuf(n)
			k.relu(gdst.data(), gx.data())
			checkClose(t, name, gdst.data(), want, nil)
			gdst.checkGuards(t, name+" dst")
			gx.checkUnchanged(t, name+" x", x)
			k.relu(gx.data(), gx.data())
			checkClose(t, name+" in place", gx.data(), want, nil)
			gx.checkGuards(t, name+" in place")
		}
	})
}

// TestSoftmax compares softmax with the float64 reference. Error bound: the
// float32 difference d = x-max carries a rounding of u·|d|, which exp turns
// into a relative error of u·|d|; exp and its rounding to float32 add 2u,
// the sum of M positive terms γ(M), the division u, the reference's own
// rounding u. So |got-want| ≤ want·(u·D + γ(M) + 5u) with D = max|x-max|,
// doubled for the second-order terms.
func TestSoftmax(t *testing.T) {
	forVariants(t, func(t *testing.T, k *kernels) {
		rng := newRand(t)
		for _, m := range slices.Concat(tileSizes, []int{100, 1000}) {
			for _, scale := range []float32{1, 30, 1e4} {
				n := 1 + m%3
				x := randSlice(rng, n*m)
				for i := range x {
					x[i] *= scale
				}
				x[0] += 1e6 // far from the rest: exp(x) alone would overflow
				name := fmt.Sprintf("softmax n=%d m=%d scale=%g", n, m, scale)
				want := refSoftmax(x, n, m)
				tol := make([]float64, len(want))
				for r := range n {
					row := x[r*m : (r+1)*m]
					lo, hi := row[0], row[0]
					for _, v := range row {
						lo, hi = min(lo, v), max(hi, v)
					}
					f := 2 * (unitRoundoff*float64(hi-lo) + gamma(m) + 5*unitRoundoff)
					for j := range row {
						tol[r*m+j] = f * float64(want[r*m+j])
					}
				}
				gx, gdst := newGuardBuf(x), filledGuardBuf(n*m)
				k.softmax(gdst.data(), gx.data(), n, m)
				checkClose(t, name, gdst.data(), want, tol)
				gdst.checkGuards(t, name+" dst")
				gx.checkUnchanged(t, name+" x", x)
				k.softmax(gx.data(), gx.data(), n, m)
				checkClose(t, name+" in place", gx.data(), want, tol)
			}
		}
	})
}

// TestLRN compares lrn with the float64 reference over radii (0, the
// SIMD direct-sum limit and beyond, wider than C), channel counts around
// the vector edges and AlexNet's and TensorFlow's parameters. Error bound
// (relative, first order in u = 2⁻²⁴): the window sum of L = min(2r+1, C)
// positive squares is within γ(L) (direct float32 sums; windowSums: 2u),
// bias + alpha·sum adds 2u; s^-β turns a relative error ε of s into β·ε;
// the power and the division by it add at most 4.5u (divPowVec; lrnGeneric's
// float64 path about u), the reference's rounding u.
func TestLRN(t *testing.T) {
	params := []LRNParams{
		{DepthRadius: 5, Bias: 1, Alpha: 1, Beta: 0.5}, // TensorFlow's defaults
		{DepthRadius: 2, Bias: 2, Alpha: 1e-4, Beta: 0.75},
		{DepthRadius: 2, Bias: 1, Alpha: 0.05, Beta: 1},
		{DepthRadius: 0, Bias: 1, Alpha: 0.5, Beta: 1},
		{DepthRadius: 1, Bias: 0.5, Alpha: 2, Beta: 0.6},
		{DepthRadius: 4, Bias: 1, Alpha: 0.3, Beta: 0.75},
		{DepthRadius: 40, Bias: 1, Alpha: 0.1, Beta: 0.75},
		{DepthRadius: 1000, Bias: 0.1, Alpha: 0.01, Beta: 0.5},
		{DepthRadius: 3, Bias: 0, Alpha: 1, Beta: 0.75}, // no bias: only the window
		{DepthRadius: 1, Bias: 1, Alpha: 0.2, Beta: 0.5},
	}
	forVariants(t, func(t *testing.T, k *kernels) {
		rng := newRand(t)
		for _, p := range params {
			for _, c := range slices.Concat(tileSizes, []int{100, 257, 1100}) { // 1100: wider than lrnMaxPadded
				pixels := 1 + c%4
				x := randSlice(rng, pixels*c)
				for i := range x {
					x[i] *= 10
				}
				name := fmt.Sprintf("lrn %+v pixels=%d c=%d", p, pixels, c)
				want := refLRN(x, pixels, c, p)
				tol := scaled(lrnTolerance(p, c), absAll(want))
				gx, gdst := newGuardBuf(x), filledGuardBuf(pixels*c)
				k.lrn(gdst.data(), gx.data(), pixels, c, p)
				checkClose(t, name, gdst.data(), want, tol)
				gdst.checkGuards(t, name+" dst")
				gx.checkUnchanged(t, name+" x", x)
			}
		}
	})
}

// lrnTolerance is TestLRN's relative error bound.
func lrnTolerance(p LRNParams, c int) float64 {
	l := min(2*p.DepthRadius+1, c)
	return float64(p.Beta)*(gamma(l)+2*unitRoundoff) + 7*unitRoundoff
}
