package kernel

import (
	"fmt"
	"testing"
)

// Benchmarks over the real layer shapes of seednet, alexmnist and alexnet
// (design.md) at batch 1 and 64, for every kernel variant, reporting
// GFLOP/s (2·M·N·K, a multiply-add counted as two operations). Each
// variant runs on weights as given (Conv2D, Dense: packed per call) and on
// weights prepared once (PackConv, PackDense, and PackDenseInt8 for the
// dense layers). The convolutions' GFLOP/s count the direct convolution's
// operations, also for Winograd (its effective rate). The naive reference runs as a baseline at batch 1 on the
// small models' shapes.

type convBench struct {
	name  string
	s     ConvShape
	naive bool // also run the reference
}

func convBenches() []convBench {
	sq := func(hw, c, k, oc, stride, groups int, samePad bool) ConvShape {
		s := ConvShape{N: 1, H: hw, W: hw, C: c, KH: k, KW: k, OC: oc, StrideH: stride, StrideW: stride, Groups: groups}
		if samePad {
			s = same(s)
		}
		return s.normalized()
	}
	return []convBench{
		{"seednet/conv", sq(28, 1, 3, 64, 1, 1, true), true},
		{"alexmnist/conv1", sq(28, 1, 5, 48, 1, 1, true), true},
		{"alexmnist/conv2", sq(13, 48, 5, 128, 1, 2, true), true},
		{"alexmnist/conv3", sq(6, 128, 3, 192, 1, 1, true), true},
		{"alexmnist/conv4", sq(6, 192, 3, 192, 1, 2, true), true},
		{"alexmnist/conv5", sq(6, 192, 3, 128, 1, 2, true), true},
		{"alexnet/conv1", sq(227, 3, 11, 96, 4, 1, false), false},
		{"alexnet/conv2", sq(27, 96, 5, 256, 1, 2, true), false},
		{"alexnet/conv3", sq(13, 256, 3, 384, 1, 1, true), false},
		{"alexnet/conv4", sq(13, 384, 3, 384, 1, 2, true), false},
		{"alexnet/conv5", sq(13, 384, 3, 256, 1, 2, true), false},
	}
}

// reportGFLOPs adds the GFLOP/s metric for flops operations per iteration.
func reportGFLOPs(b *testing.B, flops int64) {
	b.ReportMetric(float64(flops)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
}

func BenchmarkConv2D(b *testing.B) {
	for _, c := range convBenches() {
		for _, n := range []int{1, 64} {
			s := c.s
			s.N = n
			// data allocates the operands on the first call inside a
			// sub-benchmark, so that the ones a -bench pattern skips cost
			// nothing and the large ones are made once.
			var x, filter, bias, dst []float32
			data := func(b *testing.B) ([]float32, []float32, []float32, []float32) {
				if x == nil {
					rng := newRand(b)
					x, filter, bias, dst = randSlice(rng, s.InLen()), randSlice(rng, s.FilterLen()), randSlice(rng, s.OC), make([]float32, s.OutLen())
				}
				return x, filter, bias, dst
			}
			name := fmt.Sprintf("%s/batch%d", c.name, n)
			for _, k := range testVariants {
				b.Run(name+"/"+k.name, func(b *testing.B) {
					x, filter, bias, dst := data(b)
					ws := make([]float32, k.convWorkspaceLen(s))
					for b.Loop() {
						k.conv(dst, x, filter, bias, s, ReLU, ws)
					}
					reportGFLOPs(b, s.FLOPs())
				})
				// Prepared weights: where Winograd or the direct method
				// applies, every method (PackConv chooses one: winogradTile,
				// useDirect), else the im2col GEMM.
				methods := map[string]int{"packed": 0}
				if s.winogradApplies() {
					methods = map[string]int{"packed-im2col": 0, "packed-winograd": 2, "packed-winograd4": 4}
				}
				if s.directApplies(k) {
					delete(methods, "packed")
					methods["packed-im2col"], methods["packed-direct"] = 0, 0
				}
				for _, method := range []string{"packed", "packed-im2col", "packed-winograd", "packed-winograd4", "packed-direct"} {
					tile, ok := methods[method]
					if !ok {
						continue
					}
					b.Run(name+"/"+k.name+"-"+method, func(b *testing.B) {
						x, filter, bias, dst := data(b)
						p, err := packConvMethod(k, filter, s, tile)
						if err != nil {
							b.Fatal(err)
						}
						p.direct = method == "packed-direct"
						ws := make([]float32, p.WorkspaceLen(n))
						for b.Loop() {
							if err := p.Conv2D(dst, x, bias, n, ReLU, ws); err != nil {
								b.Fatal(err)
							}
						}
						reportGFLOPs(b, s.FLOPs())
					})
				}
			}
			if c.naive && n == 1 {
				b.Run(name+"/naive", func(b *testing.B) {
					x, filter, bias, _ := data(b)
					for b.Loop() {
						refConv2D(x, filter, bias, s, ReLU)
					}
					reportGFLOPs(b, s.FLOPs())
				})
			}
		}
	}
}

func BenchmarkDense(b *testing.B) {
	layers := []struct {
		name  string
		k, m  int
		naive bool
	}{
		{"seednet/fc", 12544, 10, true},
		{"alexmnist/fc6", 512, 512, true},
		{"alexmnist/fc7", 512, 512, true},
		{"alexmnist/fc8", 512, 10, true},
		{"alexnet/fc6", 9216, 4096, false},
		{"alexnet/fc7", 4096, 4096, false},
		{"alexnet/fc8", 4096, 1000, false},
	}
	for _, l := range layers {
		for _, n := range []int{1, 64} {
			// data allocates the operands on the first call inside a
			// sub-benchmark, so that the ones a -bench pattern skips cost
			// nothing and the large ones are made once.
			var x, w, bias, dst []float32
			data := func(b *testing.B) ([]float32, []float32, []float32, []float32) {
				if x == nil {
					rng := newRand(b)
					x, w, bias, dst = randSlice(rng, n*l.k), randSlice(rng, l.k*l.m), randSlice(rng, l.m), make([]float32, n*l.m)
				}
				return x, w, bias, dst
			}
			flops := 2 * int64(n) * int64(l.k) * int64(l.m)
			name := fmt.Sprintf("%s/batch%d", l.name, n)
			for _, k := range testVariants {
				b.Run(name+"/"+k.name, func(b *testing.B) {
					x, w, bias, dst := data(b)
					ws := make([]float32, k.denseWorkspaceLen(n, l.k, l.m))
					for b.Loop() {
						k.dense(dst, x, w, bias, n, l.k, l.m, ReLU, ws)
					}
					reportGFLOPs(b, flops)
				})
				for _, form := range []string{"packed", "int8"} {
					b.Run(name+"/"+k.name+"-"+form, func(b *testing.B) {
						x, w, bias, dst := data(b)
						var p *PackedDense
						var err error
						if form == "int8" {
							q := make([]int8, l.k*l.m)
							for i, v := range w {
								q[i] = int8(v * 127)
							}
							p, err = packDenseInt8With(k, q, fill(l.m, 1.0/127), l.k, l.m)
						} else {
							p, err = packDenseWith(k, w, l.k, l.m)
						}
						if err != nil {
							b.Fatal(err)
						}
						ws := make([]float32, p.WorkspaceLen(n))
						for b.Loop() {
							if err := p.Dense(dst, x, bias, n, ReLU, ws); err != nil {
								b.Fatal(err)
							}
						}
						reportGFLOPs(b, flops)
					})
				}
			}
			if l.naive && n == 1 {
				b.Run(name+"/naive", func(b *testing.B) {
					x, w, bias, _ := data(b)
					for b.Loop() {
						refDense(x, w, bias, n, l.k, l.m, ReLU)
					}
					reportGFLOPs(b, flops)
				})
			}
		}
	}
}

func BenchmarkPool(b *testing.B) {
	sq := func(hw, c, k, stride int, samePad bool) PoolShape {
		s := PoolShape{N: 1, H: hw, W: hw, C: c, KH: k, KW: k, StrideH: stride, StrideW: stride}
		if samePad {
			s = samePool(s)
		}
		return s
	}
	layers := []struct {
		name  string
		s     PoolShape
		naive bool
	}{
		{"seednet/pool", sq(28, 64, 2, 2, true), true},
		{"alexmnist/pool1", sq(28, 48, 3, 2, false), true},
		{"alexmnist/pool2", sq(13, 128, 3, 2, false), true},
		{"alexnet/pool1", sq(55, 96, 3, 2, false), false},
		{"alexnet/pool2", sq(27, 256, 3, 2, false), false},
		{"alexnet/pool5", sq(13, 256, 3, 2, false), false},
	}
	for _, l := range layers {
		rng := newRand(b)
		x, dst := randSlice(rng, l.s.InLen()), make([]float32, l.s.OutLen())
		for _, k := range testVariants {
			for _, op := range []struct {
				name string
				run  func(dst, x []float32, s PoolShape)
				ref  func(x []float32, s PoolShape) []float32
			}{{"max", k.maxPool, refMaxPool}, {"avg", k.avgPool, refAvgPool}} {
				b.Run(l.name+"/"+op.name+"/"+k.name, func(b *testing.B) {
					for b.Loop() {
						op.run(dst, x, l.s)
					}
				})
				if l.naive && k == testVariants[0] {
					b.Run(l.name+"/"+op.name+"/naive", func(b *testing.B) {
						for b.Loop() {
							op.ref(x, l.s)
						}
					})
				}
			}
		}
	}
}

func BenchmarkLRN(b *testing.B) {
	alex := LRNParams{DepthRadius: 2, Bias: 2, Alpha: 1e-4, Beta: 0.75}
	for _, l := range []struct {
		name      string
		pixels, c int
		p         LRNParams
		naive     bool
	}{
		{"alexmnist/lrn1", 28 * 28, 48, alex, true},
		{"alexnet/lrn1", 55 * 55, 96, alex, false},
		{"alexnet/lrn2", 27 * 27, 256, alex, false},
		{"tf-defaults/c256", 27 * 27, 256, LRNParams{DepthRadius: 5, Bias: 1, Alpha: 1, Beta: 0.5}, false},
		{"radius2^24/c65536", 1, 1 << 16, LRNParams{DepthRadius: 1 << 24, Bias: 1, Alpha: 1e-4, Beta: 0.75}, false},
	} {
		data := func(b *testing.B) (x, dst []float32) {
			return randSlice(newRand(b), l.pixels*l.c), make([]float32, l.pixels*l.c)
		}
		for _, k := range testVariants {
			b.Run(l.name+"/"+k.name, func(b *testing.B) {
				x, dst := data(b)
				for b.Loop() {
					k.lrn(dst, x, l.pixels, l.c, l.p)
				}
			})
		}
		if l.naive {
			b.Run(l.name+"/naive", func(b *testing.B) {
				x, _ := data(b)
				for b.Loop() {
					refLRN(x, l.pixels, l.c, l.p)
				}
			})
		}
	}
}
