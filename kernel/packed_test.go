package kernel

import (
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
)

// TestVariantsComplete checks that every kernel set fills every operator
// (no nil function in the table), so a variant cannot silently lack one.
func TestVariantsComplete(t *testing.T) {
	for _, k := range testVariants {
		v := reflect.ValueOf(*k)
		for i := range v.NumField() {
			f := v.Type().Field(i)
			if f.Type.Kind() == reflect.Func && v.Field(i).IsNil() {
				t.Errorf("kernel set %q: %s is nil", k.name, f.Name)
			}
		}
		if k.name == "" || k.layout == "" {
			t.Errorf("kernel set %q: name and layout must be set", k.name)
		}
	}
}

// refDenseInt8 is Dense with w[k,m] = q[k,m]*scales[m], all in float64.
func refDenseInt8(x []float32, q []int8, scales, bias []float32, n, k, m int, act Activation) []float32 {
	w := make([]float64, k*m)
	for i, v := range q[:k*m] {
		w[i] = float64(v) * float64(scales[i%m])
	}
	dst := make([]float32, n*m)
	for i := range n {
		for j := range m {
			var sum float64
			if bias != nil {
				sum = float64(bias[j])
			}
			for p := range k {
				sum += float64(x[i*k+p]) * w[p*m+j]
			}
			dst[i*m+j] = refAct(sum, act)
		}
	}
	return dst
}

// checkDenseInt8 packs random int8 weights (every value -128..127 occurs
// for large K·M, and one output channel has scale 0) and compares
// PackedDense.Dense with the float64 reference. Error bound: the float32
// sum of K products x*q (each rounded once), the product with the scale
// (or the dequantised weight q*scale rounded once) and the bias:
// γ(K+2)·(Σ|x|·|q|·scale + |bias|), plus the reference's rounding.
func checkDenseInt8(t *testing.T, kern *kernels, rng *rand.Rand, n, k, m int, withBias bool, act Activation) {
	t.Helper()
	name := fmt.Sprintf("dense int8 n=%d k=%d m=%d bias=%v act=%d", n, k, m, withBias, act)
	x := randSlice(rng, n*k)
	q := make([]int8, k*m)
	for i := range q {
		q[i] = int8(rng.IntN(256) - 128)
	}
	scales := make([]float32, m)
	for j := range scales {
		scales[j] = rng.Float32() / 64
	}
	scales[rng.IntN(m)] = 0
	var bias, gbias []float32
	if withBias {
		bias = randSlice(rng, m)
		gbias = newGuardBuf(bias).data()
	}
	p, err := packDenseInt8With(kern, q, scales, k, m)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	gx := newGuardBuf(x)
	gdst, gws := filledGuardBuf(n*m), filledGuardBuf(p.WorkspaceLen(n))
	if err := p.Dense(gdst.data(), gx.data(), gbias, n, act, gws.data()); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	absW := make([]float32, k*m) // |q|*scale, rounded: γ(K+4) covers it
	for i, v := range q {
		absW[i] = float32(math.Abs(float64(v))) * scales[i%m]
	}
	want := refDenseInt8(x, q, scales, bias, n, k, m, act)
	mag := refDense(absAll(x), absW, absAll(bias), n, k, m, Linear)
	tol := scaled(gamma(k+4), mag)
	checkClose(t, name, gdst.data(), want, tol)
	gdst.checkGuards(t, name+" dst")
	gws.checkGuards(t, name+" ws")
	gx.checkUnchanged(t, name+" x", x)
}

// TestDenseInt8 sweeps N around the GEMV/GEMM switch (gemvInt8MaxRows; every batch under wasm) and the
// 4-row tile, M around the 16-column int8 panels and the 12- and 16-column
// GEMM tiles, K around the unrolls and across the 256-deep K blocks.
func TestDenseInt8(t *testing.T) {
	ns := []int{1, 2, 3, 4, 5, 9}
	ks := []int{1, 2, 3, 7, 16, 33, 255, 256, 257, 600}
	ms := []int{1, 3, 4, 11, 12, 13, 15, 16, 17, 31, 33, 49}
	if testing.Short() {
		ns, ks, ms = []int{1, 3, 4, 5}, []int{1, 7, 257}, []int{1, 12, 16, 17, 33}
	}
	forVariants(t, func(t *testing.T, kern *kernels) {
		rng := newRand(t)
		for _, n := range ns {
			for _, k := range ks {
				for _, m := range ms {
					checkDenseInt8(t, kern, rng, n, k, m, rng.IntN(2) == 0, Activation(rng.IntN(2)))
				}
			}
		}
	})
}

// TestDenseInt8Blocks crosses the SIMD GEMM's 768-wide N blocks and
// 256-deep K blocks with int8 weights dequantised block by block.
func TestDenseInt8Blocks(t *testing.T) {
	forVariants(t, func(t *testing.T, kern *kernels) {
		rng := newRand(t)
		for _, nkm := range [][3]int{{5, 300, 800}, {130, 257, 13}, {2, 513, 770}} {
			checkDenseInt8(t, kern, rng, nkm[0], nkm[1], nkm[2], true, ReLU)
		}
	})
}

// TestPackedDenseBlocks crosses the SIMD GEMM's K and N blocks with packed
// float32 weights.
func TestPackedDenseBlocks(t *testing.T) {
	forVariants(t, func(t *testing.T, kern *kernels) {
		rng := newRand(t)
		for _, nkm := range [][3]int{{1, 513, 13}, {5, 257, 770}, {130, 300, 25}} {
			checkDense(t, kern, rng, nkm[0], nkm[1], nkm[2], true, ReLU)
		}
	})
}

// TestPackedDenseRow checks that packedDenseRow finds every value where
// packDense put it: matrices whose K crosses the SIMD GEMM's 256-deep
// blocks and whose M is and is not a whole number of panels.
func TestPackedDenseRow(t *testing.T) {
	forVariants(t, func(t *testing.T, kern *kernels) {
		for _, km := range [][2]int{{1, 1}, {3, 12}, {9, 16}, {257, 13}, {600, 40}} {
			k, m := km[0], km[1]
			w := make([]float32, k*m)
			for i := range w {
				w[i] = float32(i + 1)
			}
			dst := make([]float32, kern.packedDenseLen(k, m))
			kern.packDense(dst, w, m, k, m)
			for p := range k {
				at, run, stride := kern.packedDenseRow(k, m, p)
				for j := range m {
					if got := dst[at+j/run*stride+j%run]; got != w[p*m+j] {
						t.Fatalf("k=%d m=%d: row %d column %d: packedDenseRow points at %v, want %v", k, m, p, j, got, w[p*m+j])
					}
				}
			}
		}
	})
}

// TestConvBatchBlocks checks batched convolutions whose GEMM rows (N*OH*OW)
// and depth (KH*KW*C/G) cross the SIMD GEMM's 128-row and 256-deep blocks,
// with padding, strides and groups, directly and packed.
func TestConvBatchBlocks(t *testing.T) {
	shapes := []ConvShape{
		same(ConvShape{N: 3, H: 9, W: 7, C: 32, KH: 3, KW: 3, OC: 20, Groups: 2}),
		{N: 2, H: 11, W: 13, C: 5, KH: 5, KW: 4, OC: 13, StrideH: 2, Pad: Padding{1, 2, 0, 3}},
		{N: 4, H: 8, W: 8, C: 40, KH: 1, KW: 1, OC: 26},
	}
	forVariants(t, func(t *testing.T, k *kernels) {
		rng := newRand(t)
		for i, s := range shapes {
			checkConv(t, k, rng, s, i%2 == 0, Activation((i+1)%2))
		}
	})
}

// TestPackedErrors checks the validation of the packing functions and of
// the packed operators.
func TestPackedErrors(t *testing.T) {
	f := newAPIFixture(t)
	pc, err := PackConv(f.filter, f.conv)
	if err != nil {
		t.Fatal(err)
	}
	pd, err := PackDense(f.dw, f.k, f.m)
	if err != nil {
		t.Fatal(err)
	}
	q := make([]int8, f.k*f.m)
	scales := fill(f.m, 0.5)
	pq, err := PackDenseInt8(q, scales, f.k, f.m)
	if err != nil {
		t.Fatal(err)
	}
	short := func(s []float32) []float32 { return s[:len(s)-1] }
	n := f.conv.N
	cws := make([]float32, pc.WorkspaceLen(n))
	badScales := fill(f.m, 1)
	badScales[3] = float32(math.NaN())
	cases := []struct {
		op, want string
		err      error
	}{
		{"conv2d", "len(filter)", func() error { _, err := PackConv(short(f.filter), f.conv); return err }()},
		{"conv2d", "groups", func() error { s := f.conv; s.Groups = 3; _, err := PackConv(f.filter, s); return err }()},
		{"conv2d", "batch N", pc.Conv2D(f.dst, f.x, f.bias, 0, ReLU, cws)},
		{"conv2d", "batch N", pc.Conv2D(f.dst, f.x, f.bias, 1<<60, ReLU, cws)},
		{"conv2d", "len(x)", pc.Conv2D(f.dst, short(f.x), f.bias, n, ReLU, cws)},
		{"conv2d", "len(dst)", pc.Conv2D(short(f.dst), f.x, f.bias, n, ReLU, cws)},
		{"conv2d", "len(bias)", pc.Conv2D(f.dst, f.x, short(f.bias), n, ReLU, cws)},
		{"dense", "sizes K, M", func() error { _, err := PackDense(f.dw, 0, f.m); return err }()},
		{"dense", "exceed", func() error { _, err := PackDense(f.dw, 1<<40, 1<<40); return err }()},
		{"dense", "exceed", func() error { _, err := PackDenseInt8(q, scales, 1<<62, 4); return err }()},
		{"conv2d", "exceeds", func() error {
			_, err := PackConv(f.filter, ConvShape{N: 1, H: 1, W: 1, C: 1 << 20, KH: 1, KW: 1, OC: 1 << 20, Pad: Padding{}})
			return err
		}()},
		{"dense", "len(w)", func() error { _, err := PackDense(short(f.dw), f.k, f.m); return err }()},
		{"dense_int8", "len(q)", func() error { _, err := PackDenseInt8(q[:5], scales, f.k, f.m); return err }()},
		{"dense_int8", "len(scales)", func() error { _, err := PackDenseInt8(q, short(scales), f.k, f.m); return err }()},
		{"dense_int8", "scales[3]", func() error { _, err := PackDenseInt8(q, badScales, f.k, f.m); return err }()},
	}
	for _, p := range []*PackedDense{pd, pq} {
		ws := make([]float32, p.WorkspaceLen(f.n))
		cases = append(cases, []struct {
			op, want string
			err      error
		}{
			{"dense", "batch N", p.Dense(f.ddst, f.dx, f.dbias, -1, Linear, ws)},
			{"dense", "batch N", p.Dense(f.ddst, f.dx, f.dbias, 1<<60, Linear, ws)},
			{"dense", "len(x)", p.Dense(f.ddst, short(f.dx), f.dbias, f.n, Linear, ws)},
			{"dense", "len(dst)", p.Dense(short(f.ddst), f.dx, f.dbias, f.n, Linear, ws)},
			{"dense", "len(bias)", p.Dense(f.ddst, f.dx, short(f.dbias), f.n, Linear, ws)},
		}...)
	}
	if l := pc.WorkspaceLen(n); l > 0 {
		cases = append(cases, struct {
			op, want string
			err      error
		}{"conv2d", "len(ws)", pc.Conv2D(f.dst, f.x, f.bias, n, ReLU, cws[:l-1])})
	}
	for _, c := range cases {
		if c.err == nil {
			t.Errorf("%s: no error, want one naming %q", c.op, c.want)
			continue
		}
		if msg := c.err.Error(); !strings.HasPrefix(msg, "kernel: "+c.op+": ") || !strings.Contains(msg, c.want) {
			t.Errorf("%s: error %q, want the prefix %q and %q", c.op, msg, "kernel: "+c.op+": ", c.want)
		}
	}
}

// TestPackedNoAllocs checks that the packed operators allocate nothing.
func TestPackedNoAllocs(t *testing.T) {
	f := newAPIFixture(t)
	pc, err1 := PackConv(f.filter, f.conv)
	pd, err2 := PackDense(f.dw, f.k, f.m)
	q := make([]int8, 64*f.m)
	pq1, err3 := PackDenseInt8(q[:f.k*f.m], fill(f.m, 0.5), f.k, f.m)
	if err := firstErr(err1, err2, err3); err != nil {
		t.Fatal(err)
	}
	x := randSlice(newRand(t), 8*f.k)
	dst := make([]float32, 8*f.m)
	cws := make([]float32, pc.WorkspaceLen(f.conv.N))
	dws := make([]float32, max(pd.WorkspaceLen(8), pq1.WorkspaceLen(8)))
	for _, c := range []struct {
		name string
		call func() error
	}{
		{"PackedConv.Conv2D", func() error { return pc.Conv2D(f.dst, f.x, f.bias, f.conv.N, ReLU, cws) }},
		{"PackedDense.Dense", func() error { return pd.Dense(dst, x, f.dbias, 8, ReLU, dws) }},
		{"PackedDense.Dense int8 batch 1", func() error { return pq1.Dense(dst, x, f.dbias, 1, ReLU, dws) }},
		{"PackedDense.Dense int8 batch 8", func() error { return pq1.Dense(dst, x, f.dbias, 8, Linear, dws) }},
	} {
		var err error
		if allocs := testing.AllocsPerRun(5, func() { err = c.call() }); allocs != 0 || err != nil {
			t.Errorf("%s: %v allocations per call (error %v), want 0", c.name, allocs, err)
		}
	}
}
