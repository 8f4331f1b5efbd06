package kernel

import (
	"errors"
	"math"

	"github.com/featuremap/featuremap/internal/msg"
)

// Prepared weights: a layer packs its weights once, at load, into the
// layout the active kernels' GEMM reads (for the SIMD kernels, panels of
// the micro-kernel's width, cut into the GEMM's K blocks), and every call
// then computes from that copy without packing or allocating.

// PackedConv is a convolution filter packed once for Conv2D calls of one
// geometry. It records the kernel variant it was packed for and is only
// read by that variant. It is immutable and safe for concurrent use.
type PackedConv struct {
	kern     *kernels
	s        ConvShape // normalized, N = 1
	winograd int       // Winograd output tile (2 or 4): panels hold its transform (packWinograd); 0: the im2col GEMM
	direct   bool      // with winograd 0: the GEMM's panels, read by directConv (conv_direct.go)
	panels   []float32
}

// PackConv packs the HWIO filter [KH, KW, C/G, OC] of the convolution s
// (s.N is ignored) for the active kernels: for the im2col GEMM, or, where
// it saves enough multiplications (conv_winograd.go), transformed for
// Winograd F(2×2, 3×3) or F(4×4, 3×3); where the reduction is short
// (conv_direct.go, useDirect) the direct convolution reads the GEMM's
// panels. The result holds Bytes() bytes: about 4*FilterLen for the GEMM
// and the direct method (the SIMD layout pads OC/G to whole tiles); for
// Winograd (n+2)²/9 of that for a 3×3 filter and 4(n+2)²/25 for a 5×5 one
// (four 3×3 blocks), n the output tile; filter is not retained.
func PackConv(filter []float32, s ConvShape) (*PackedConv, error) {
	return packConvWith(active, filter, s)
}

func packConvWith(k *kernels, filter []float32, s ConvShape) (*PackedConv, error) {
	s.N = 1
	p, err := packConvMethod(k, filter, s, s.normalized().winogradTile())
	if err == nil && p.winograd == 0 {
		p.direct = p.s.useDirect(k)
	}
	return p, err
}

// packConvMethod packs the filter for Winograd F(n×n, 3×3) when winograd
// is n = 2 or 4 (s.winogradApplies() must hold), else (0) for
// k.convPacked (the im2col GEMM; setting the result's direct field, where
// s.directApplies(k), makes it use the direct convolution on the same
// panels).
func packConvMethod(k *kernels, filter []float32, s ConvShape, winograd int) (*PackedConv, error) {
	s.N = 1
	if err := s.Validate(); err != nil {
		return nil, err
	}
	s = s.normalized()
	oh, ow := s.Out()
	if !fitsPacked(s.KH, s.KW, s.C/s.Groups, s.OC) || !fitsPacked(s.H, s.W, s.C) || !fitsPacked(oh, ow, s.OC) {
		return nil, errors.New("kernel: conv2d: filter [" + msg.Int(s.KH) + " " + msg.Int(s.KW) + " " + msg.Int(s.C/s.Groups) + " " + msg.Int(s.OC) + "], input or output of one image exceeds " + msg.Int(maxPackedLen) + " elements")
	}
	if err := checkLen("conv2d", "filter", len(filter), s.FilterLen()); err != nil {
		return nil, err
	}
	if winograd != 0 {
		p := &PackedConv{kern: k, s: s, winograd: winograd, panels: make([]float32, packedWinogradLen(k, s, winograd))}
		packWinograd(k, p.panels, filter, s, winograd)
		return p, nil
	}
	p := &PackedConv{kern: k, s: s, panels: make([]float32, k.packedConvLen(s))}
	k.packConv(p.panels, filter, s)
	return p, nil
}

// Shape returns the convolution's geometry (normalized, with N = 1).
func (p *PackedConv) Shape() ConvShape { return p.s }

// Variant names the kernel set the filter was packed for and its layout
// (for the SIMD set, the micro-kernel's tile), and Winograd F(2×2, 3×3),
// F(4×4, 3×3) or the direct method where the convolution uses it.
func (p *PackedConv) Variant() string {
	if p.winograd != 0 {
		n := msg.Int(p.winograd)
		return p.kern.name + ": Winograd F(" + n + "×" + n + ", 3×3); " + p.kern.layout
	}
	if p.direct {
		return p.kern.name + ": direct; " + p.kern.layout
	}
	return p.kern.name + ": " + p.kern.layout
}

// Bytes is the memory the packed filter holds.
func (p *PackedConv) Bytes() int { return 4 * len(p.panels) }

// PackedWorkspaceLen is the scratch length (*PackedConv).Conv2D needs for
// the convolution s (with its batch s.N), known before the filter is packed.
func (s ConvShape) PackedWorkspaceLen() int {
	s = s.normalized()
	s.N = max(s.N, 1)
	winograd := s.winogradTile()
	return packedConvWorkspaceLen(active, s, winograd, winograd == 0 && s.useDirect(active))
}

// packedConvWorkspaceLen is the scratch a filter packed by packConvMethod
// needs for the convolution s, computed by Winograd (output tile
// winograd), directly or by the im2col GEMM.
func packedConvWorkspaceLen(k *kernels, s ConvShape, winograd int, direct bool) int {
	if winograd != 0 {
		return winogradWorkspaceLen(k, s, winograd)
	}
	if direct {
		return directWorkspaceLen(s)
	}
	return k.convPackedWorkspaceLen(s)
}

// PackedDenseWorkspaceLen is the scratch length (*PackedDense).Dense needs
// for a batch of n rows of weights [K, M], packed as int8 or as float32,
// known before the weights are packed.
func PackedDenseWorkspaceLen(n, k, m int, int8 bool) int {
	n = max(n, 1)
	if int8 {
		return active.denseInt8WorkspaceLen(n, k, m)
	}
	return active.densePackedWorkspaceLen(n, k, m)
}

// WorkspaceLen is the scratch length Conv2D needs for a batch of n images.
func (p *PackedConv) WorkspaceLen(n int) int {
	s := p.s
	s.N = max(n, 1)
	return packedConvWorkspaceLen(p.kern, s, p.winograd, p.direct)
}

// Conv2D computes what the package function Conv2D computes for the packed
// filter and a batch of n images: x [n, H, W, C], dst [n, OH, OW, OC],
// bias [OC] or nil, act fused into the GEMM's store. ws must hold
// p.WorkspaceLen(n) elements; dst must not overlap x, bias or ws. After
// validation it allocates nothing.
func (p *PackedConv) Conv2D(dst, x, bias []float32, n int, act Activation, ws []float32) error {
	const op = "conv2d"
	oh, ow := p.s.Out()
	if n < 1 || !fitsPacked(n, p.s.H*p.s.W*p.s.C) || !fitsPacked(n, oh*ow*p.s.OC) {
		return errors.New("kernel: " + op + ": batch N must be positive and the batch at most " + msg.Int(maxPackedLen) + " elements, got N = " + msg.Int(n))
	}
	s := p.s
	s.N = n
	if err := firstErr(
		checkLen(op, "x", len(x), s.InLen()),
		checkLen(op, "dst", len(dst), s.OutLen()),
		checkLen(op, "ws", len(ws), packedConvWorkspaceLen(p.kern, s, p.winograd, p.direct)),
	); err != nil {
		return err
	}
	if bias != nil {
		if err := checkLen(op, "bias", len(bias), s.OC); err != nil {
			return err
		}
	}
	switch {
	case p.winograd != 0:
		convWinograd(p.kern, dst, x, p.panels, bias, s, p.winograd, act, ws)
	case p.direct:
		directConv(p.kern, &s)(dst, x, p.panels, bias, s, act, ws)
	default:
		p.kern.convPacked(dst, x, p.panels, bias, s, act, ws)
	}
	return nil
}

// PackedDense is the weight matrix of a fully connected layer, packed once
// for Dense calls: float32 weights in GEMM panels (PackDense), or int8
// weights with one float32 scale per output channel (PackDenseInt8), which
// stay int8 and are dequantised in registers. It records the kernel
// variant it was packed for, is immutable and is safe for concurrent use.
type PackedDense struct {
	kern   *kernels
	k, m   int
	panels []float32 // float32 weights; nil for int8
	q      []int8    // int8 weights
	scales []float32 // with q: one per output channel
}

// PackDense packs w [K, M] for the active kernels. The result holds about
// K*M float32 values; w is not retained.
func PackDense(w []float32, k, m int) (*PackedDense, error) {
	return packDenseWith(active, w, k, m)
}

func packDenseWith(kern *kernels, w []float32, k, m int) (*PackedDense, error) {
	if err := checkDenseSizes(k, m); err != nil {
		return nil, err
	}
	if err := checkLen("dense", "w", len(w), k*m); err != nil {
		return nil, err
	}
	p := &PackedDense{kern: kern, k: k, m: m, panels: make([]float32, kern.packedDenseLen(k, m))}
	kern.packDense(p.panels, w, m, k, m)
	return p, nil
}

// PackDenseInt8 packs symmetric per-channel int8 weights for the active
// kernels: q [K, M] and scales [M] stand for w[k,m] = float32(q[k,m]) *
// scales[m] (the scheme of model/quant). Scales must be finite. The result
// holds about K*M bytes plus the M scales; q and scales are not retained.
func PackDenseInt8(q []int8, scales []float32, k, m int) (*PackedDense, error) {
	return packDenseInt8With(active, q, scales, k, m)
}

func packDenseInt8With(kern *kernels, q []int8, scales []float32, k, m int) (*PackedDense, error) {
	const op = "dense_int8"
	if err := checkDenseSizes(k, m); err != nil {
		return nil, err
	}
	if err := firstErr(checkLen(op, "q", len(q), k*m), checkLen(op, "scales", len(scales), m)); err != nil {
		return nil, err
	}
	for j, s := range scales[:m] {
		if math.IsNaN(float64(s)) || math.IsInf(float64(s), 0) {
			return nil, errors.New("kernel: " + op + ": scales[" + msg.Int(j) + "] = " + msg.Float32(s) + ", want a finite value")
		}
	}
	p := &PackedDense{kern: kern, k: k, m: m, q: make([]int8, kern.packedInt8Len(k, m)), scales: append([]float32(nil), scales[:m]...)}
	kern.packInt8(p.q, q, k, m)
	return p, nil
}

func checkDenseSizes(k, m int) error {
	switch {
	case k < 1 || m < 1:
		return errors.New("kernel: dense: sizes K, M must be positive, got " + msg.Int(k) + ", " + msg.Int(m))
	case !fitsPacked(k, m):
		return errors.New("kernel: dense: weights [" + msg.Int(k) + " " + msg.Int(m) + "] exceed " + msg.Int(maxPackedLen) + " elements")
	}
	return nil
}

// maxPackedLen bounds the weights a layer may pack (2^31 elements, 8 GiB of
// float32), so that no size arithmetic overflows.
const maxPackedLen = 1 << 31

// fitsPacked reports whether the product of the positive sizes is at most
// maxPackedLen, without overflowing.
func fitsPacked(sizes ...int) bool {
	p := 1
	for _, v := range sizes {
		if v > maxPackedLen/p {
			return false
		}
		p *= v
	}
	return true
}

// Sizes returns K and M of the weight matrix [K, M].
func (p *PackedDense) Sizes() (k, m int) { return p.k, p.m }

// Int8 reports whether the weights are stored as int8.
func (p *PackedDense) Int8() bool { return p.q != nil }

// Variant names the kernel set the weights were packed for and its layout
// (for the SIMD set, the micro-kernel's tile).
func (p *PackedDense) Variant() string { return p.kern.name + ": " + p.kern.layout }

// Bytes is the memory the packed weights hold.
func (p *PackedDense) Bytes() int { return 4*len(p.panels) + len(p.q) + 4*len(p.scales) }

// WorkspaceLen is the scratch length Dense needs for a batch of n rows.
func (p *PackedDense) WorkspaceLen(n int) int {
	n = max(n, 1)
	if p.q != nil {
		return p.kern.denseInt8WorkspaceLen(n, p.k, p.m)
	}
	return p.kern.densePackedWorkspaceLen(n, p.k, p.m)
}

// Dense computes a fully connected layer on the packed weights for every
// n < N and m < M:
//
//	dst[n,m] = act(bias[m] + Σ_k x[n,k] * w[k,m])
//
// with x [N, K], dst [N, M], bias [M] or nil; for int8 weights w[k,m] is
// float32(q[k,m])*scales[m] (the kernels may multiply by the scale after
// the sum). ws must hold p.WorkspaceLen(n) elements; dst must not overlap
// x, bias or ws. After validation it allocates nothing.
func (p *PackedDense) Dense(dst, x, bias []float32, n int, act Activation, ws []float32) error {
	const op = "dense"
	if n < 1 || !fitsPacked(n, max(p.k, p.m)) {
		return errors.New("kernel: " + op + ": batch N must be positive and the batch at most " + msg.Int(maxPackedLen) + " elements, got N = " + msg.Int(n))
	}
	if err := firstErr(
		checkLen(op, "x", len(x), n*p.k),
		checkLen(op, "dst", len(dst), n*p.m),
		checkLen(op, "ws", len(ws), p.WorkspaceLen(n)),
	); err != nil {
		return err
	}
	if bias != nil {
		if err := checkLen(op, "bias", len(bias), p.m); err != nil {
			return err
		}
	}
	if p.q != nil {
		p.kern.denseInt8(dst, x, p.q, p.scales, bias, n, p.k, p.m, act, ws)
	} else {
		p.kern.densePacked(dst, x, p.panels, bias, n, p.k, p.m, act, ws)
	}
	return nil
}
