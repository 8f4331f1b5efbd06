// Package onnx reads and writes ONNX models: a hand-written protocol
// buffer decoder (Decode, Limits.Decode; DecodeTensor for a lone
// TensorProto, as in ONNX's test data) and encoder (Model.Marshal) for
// the part of onnx.proto (https://github.com/onnx/onnx/blob/main/onnx/onnx.proto)
// that a feed-forward CNN uses: ModelProto, OperatorSetIdProto, GraphProto,
// NodeProto, AttributeProto, TensorProto, ValueInfoProto, TypeProto.Tensor
// and TensorShapeProto, with the field numbers of onnx.proto (listed
// beside each struct field). It imports no reflection, fmt or encoding/json
// so that the WebAssembly engine can link it cheaply.
//
// # Decoding
//
// The input is untrusted. Every length is checked against the bytes left
// before it is sliced; unknown fields of every wire type are skipped
// (groups too, nested at most Limits.MaxDepth); repeated fields are
// counted against Limits before they grow, packed ones before their slice
// is allocated; tensor elements of the whole model are priced against
// Limits.MaxElements. Nothing panics. Errors name the path of the message
// and field at fault, such as
//
//	onnx: graph.node[3] "conv1".attribute[0] "pads".ints: truncated varint in a packed field
//
// Repeated numeric fields are accepted packed and unpacked, whatever
// onnx.proto declares, as protobuf requires. A field with the wrong wire
// type is an error. Tensors whose data lives outside the file (external
// data), sparse initializers and segmented tensors are refused; graph-valued
// attributes (If, Loop) and the other fields featuremap does not use are
// skipped, so their nodes reach the converter with no value for them.
// Tensor.Float32s and Tensor.Int64s read the values of a tensor from
// raw_data or its typed field and check their number against its dims.
// Node.IntAttr, FloatAttr, StringAttr and IntsAttr return typed attributes
// with defaults, failing with the node's name, its op and the attribute.
//
// # Converting to featuremap layers (package model/convert)
//
// A converter walks Graph.Nodes in order (ONNX requires topological order),
// resolves each input either to an initializer (a weight) or to the output
// of an earlier node, and maps ops to featuremap layer types, failing with
// the node's name, its op and the attribute for anything it cannot map
// exactly. The model's input is the graph input that is not an initializer
// (before IR version 4 initializers are listed among the inputs too, as in
// the PyTorch exports of testdata/reference); node names may be empty, so
// layers are better named after a node's output. A Constant node's value
// (attribute "value", a TENSOR) is one more initializer.
//
//   - Conv → conv2d. Weights are OIHW [OC, C/group, KH, KW]; featuremap's
//     filters are HWIO [KH, KW, C/group, OC]: w[kh][kw][c][o] =
//     onnx[o][c][kh][kw]. group → groups, strides, dilations, bias (input 2)
//     carry over. Activations are NCHW in ONNX and NHWC here: the graph input
//     [N, C, H, W] becomes [N, H, W, C], and every per-channel axis (Concat's
//     axis=1, Softmax's axis on 4-D data) moves to the last axis.
//   - Padding. ONNX pads are [top, left, bottom, right]
//     (x1_begin, x2_begin, x1_end, x2_end) → explicit [[top, bottom],
//     [left, right]]. auto_pad SAME_UPPER is TensorFlow's SAME (the extra
//     cell after: bottom/right), SAME_LOWER puts it before (top/left) and so
//     becomes explicit pads computed from the input size; VALID is VALID;
//     NOTSET uses pads. PyTorch exports explicit pads (padding=k//2 gives
//     symmetric ones, equal to TensorFlow's SAME only when the total is
//     even): the converter keeps explicit pads explicit rather than guessing
//     SAME. The same holds for pooling.
//   - MaxPool → maxPool (kernel_shape, strides, pads; ceil_mode=1 becomes
//     extra bottom/right padding, which max pooling ignores; dilations other
//     than 1 and a used Indices output are refused). AveragePool → avgPool
//     (ceil_mode=1 refused): featuremap divides by the real (non-padding)
//     cells as TensorFlow does, which is ONNX's count_include_pad=0;
//     count_include_pad=1 (PyTorch's default) is the avgpool attribute
//     count_include_pad, which divides by the whole window.
//     GlobalAveragePool/GlobalMaxPool → a pool over the whole H×W.
//   - LRN (size, alpha, beta, bias) → lrn with depth_radius = (size-1)/2
//     and alpha_tf = alpha/size (ONNX divides alpha by the window size,
//     TensorFlow does not); even sizes are refused (the window would be
//     asymmetric).
//   - BatchNormalization (scale γ, B β, mean μ, var σ², epsilon ε) is
//     folded into the preceding Conv or Gemm: s = γ/√(σ²+ε), w' = w·s per
//     output channel, b' = (b-μ)·s+β; standing alone it becomes a per-channel
//     scale and shift.
//   - Gemm (transA=0, transB; alpha scales the weights, beta the bias) and
//     MatMul followed by Add → dense, weights [K, M] (transB=1 stores
//     [M, K]: transpose). Flatten
//     (axis=1) or Reshape to [N, -1] before the first dense layer flattens
//     NCHW in C, H, W order, featuremap flattens NHWC in H, W, C order: the
//     converter permutes the dense weight's K rows once,
//     row (c·H + h)·W + w in ONNX → row (h·W + w)·C + c here, so that the
//     activations need no transpose.
//   - Relu → relu (fused into the conv or dense layer before it where the
//     layer table allows); Softmax (axis -1 or 1 on 2-D data) → softmax;
//     Dropout and Identity → nothing (inference); Concat on the channel axis
//     → concat on the last axis.
//   - Opsets 9–21 change attribute places, not meanings, for these ops:
//     Reshape's shape is an input (opset ≥ 5), Dropout's ratio an input
//     (≥ 12), Softmax's default axis is 1 before opset 13 and -1 after
//     (on 2-D data both are the class axis), BatchNormalization's
//     training_mode=1 (≥ 14) is refused.
package onnx
