//go:build goexperiment.simd && (amd64 || wasm)

package kernel

import (
	"fmt"
	"testing"
)

func BenchmarkTmpSIMDGemm(b *testing.B) {
	for _, sz := range [][3]int{{729, 128, 1200}, {169, 384, 2304}, {169, 192, 1728}, {169, 128, 1728}, {64, 4096, 9216}} {
		m, n, k := sz[0], sz[1], sz[2]
		a, bb, c := make([]float32, m*k), make([]float32, k*n), make([]float32, m*n)
		for i := range a {
			a[i] = float32(i%7) * 0.1
		}
		for i := range bb {
			bb[i] = float32(i%5) * 0.1
		}
		for _, ks := range []*kernels{&generic, &simdKernels} {
			ws := make([]float32, ks.gemmWorkspaceLen(m, n, k))
			b.Run(fmt.Sprintf("%s/%dx%dx%d", ks.name, m, n, k), func(b *testing.B) {
				for b.Loop() {
					ks.gemm(false, false, m, n, k, a, k, bb, n, c, n, false, ws)
				}
				b.ReportMetric(2*float64(m*n*k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			})
		}
	}
}

func BenchmarkTmpSIMDConv(b *testing.B) {
	shapes := map[string]ConvShape{
		"conv2": {N: 4, H: 27, W: 27, C: 96, KH: 5, KW: 5, OC: 256, Groups: 2, Pad: Padding{2, 2, 2, 2}},
		"conv3": {N: 4, H: 13, W: 13, C: 256, KH: 3, KW: 3, OC: 384, Pad: Padding{1, 1, 1, 1}},
		"conv4": {N: 4, H: 13, W: 13, C: 384, KH: 3, KW: 3, OC: 384, Groups: 2, Pad: Padding{1, 1, 1, 1}},
		"conv5": {N: 4, H: 13, W: 13, C: 384, KH: 3, KW: 3, OC: 256, Groups: 2, Pad: Padding{1, 1, 1, 1}},
	}
	for _, name := range []string{"conv2", "conv3", "conv4", "conv5"} {
		s := shapes[name].normalized()
		x, f, bias, dst := make([]float32, s.InLen()), make([]float32, s.FilterLen()), make([]float32, s.OC), make([]float32, s.OutLen())
		for i := range x {
			x[i] = float32(i%7) * 0.1
		}
		for _, ks := range []*kernels{&generic, &simdKernels} {
			ws := make([]float32, s.workspaceLen(ks))
			b.Run(ks.name+"/"+name, func(b *testing.B) {
				for b.Loop() {
					conv2DWith(ks, dst, x, f, bias, s, ReLU, ws)
				}
				b.ReportMetric(float64(s.FLOPs())*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			})
		}
	}
}
