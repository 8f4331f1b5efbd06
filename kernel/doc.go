// Package kernel implements the numeric operators of a convolutional network on
// flat []float32 buffers, with exactly TensorFlow's semantics.
//
// Layout legend, used by every doc comment in this package:
//
//	N          batch size
//	H, W, C    input height, width, channels (tensors are row-major NHWC)
//	KH, KW     kernel (window) height and width
//	OC         output channels of a convolution
//	G          groups of a grouped convolution (C and OC split into G equal parts)
//	SH, SW     strides; DH, DW dilations
//	OH, OW     output height and width
//	K, M       dense input and output features (weights are [K, M], row-major)
//
// Convolution filters are HWIO: [KH, KW, C/G, OC], as tf.nn.conv2d.
//
// Every exported operator validates the sizes of its arguments and returns an
// error whose message starts with "kernel: <op>:" and names the argument. After
// validation operators allocate nothing: scratch memory is passed in as a
// workspace whose length the shape's WorkspaceLen method gives.
//
// Layers that run many times on the same weights prepare them once:
// PackConv and PackDense store them in the layout the active kernels' GEMM
// reads, PackDenseInt8 keeps int8 weights with one scale per output channel
// (dequantised in registers); PackedConv.Conv2D and PackedDense.Dense then
// run without packing or allocating. Bias and activation are applied as the
// GEMM stores its tiles. Prepared stride-1 convolutions with 3×3 windows
// (and 5×5 or 6×6 ones, cut into 3×3 blocks) and enough channels run as
// Winograd F(4×4, 3×3) or F(2×2, 3×3) (conv_winograd.go states the error
// bounds and the choice); under GOEXPERIMENT=simd, those with a short
// reduction (KH·KW·C/G ≤ 64, such as a first layer on one channel) run as
// a direct convolution over a zero-padded copy of the input
// (conv_direct.go); the others multiply the im2col matrix, packed straight
// from the input, by the filter.
//
// Each operator has a portable Go implementation (files *_generic.go, always
// compiled) and, under GOEXPERIMENT=simd, a SIMD one (files *_simd.go, using
// simd/archsimd). Both are tested against one naive reference kept in test code.
package kernel
