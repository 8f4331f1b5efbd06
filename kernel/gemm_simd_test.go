//go:build goexperiment.simd && (amd64 || wasm)

package kernel

import (
	"testing"
	"unsafe"
)

// TestGemmSIMDBlockEdges checks gemmSIMD on sizes just below, at and above
// its cache blocks (gemmMC, gemmNC, gemmKC), which the shared sweeps (sizes
// up to 65) do not reach, in all four transpositions, with leading-dimension
// slack and with acc set and not. K crossing gemmKC also exercises the
// accumulation of a second K block onto the first.
func TestGemmSIMDBlockEdges(t *testing.T) {
	type size struct{ m, n, k int }
	sizes := []size{
		{gemmMC - 1, 14, gemmKC - 1}, {gemmMC, 12, gemmKC}, {gemmMC + 1, 13, gemmKC + 1},
		{6, gemmNC - 1, 3}, {5, gemmNC, 4}, {3, gemmNC + 1, 5},
		{2*gemmMC + 3, 5, 2*gemmKC + 3}, {9, 2*gemmNC + 13, gemmKC + 2},
	}
	if testing.Short() {
		sizes = sizes[:3]
	}
	rng := newRand(t)
	for i, sz := range sizes {
		for tr := range 4 {
			checkGemm(t, &simdKernels, rng, tr&1 != 0, tr&2 != 0, sz.m, sz.n, sz.k, (i+tr)%3, (i+tr)%2 == 0)
		}
	}
}

// BenchmarkGemmTile runs the micro-kernel alone on panels that stay in L1
// (one A panel by eight B panels, depth gemmKC): the ceiling of every
// packed GEMM, without packing, epilogue or cache misses.
func BenchmarkGemmTile(b *testing.B) {
	rng := newRand(b)
	const panels = 8
	pa, pb := randSlice(rng, gemmMR*gemmKC), randSlice(rng, panels*gemmNR*gemmKC)
	var tile [gemmMR * gemmNR]float32
	for b.Loop() {
		for j := range panels {
			gemmTile(gemmKC, unsafe.Pointer(&pa[0]), unsafe.Pointer(&pb[j*gemmNR*gemmKC]), &tile)
		}
	}
	reportGFLOPs(b, 2*panels*gemmMR*gemmNR*gemmKC)
}
