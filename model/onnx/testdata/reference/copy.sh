#!/bin/sh
# copy.sh copies a few models of ONNX's own backend test data into this
# directory: model.onnx and test_data_set_0 (input_N.pb, output_0.pb:
# serialized TensorProtos) of each. They were written by the reference
# implementation (PyTorch's exporter and onnx's Python helpers over C++
# protobuf), and the outputs computed by ONNX's reference ops. Source:
# Debian's libonnx-testdata (ONNX 1.12.0, MIT licence):
#
#   apt-get install libonnx-testdata && sh copy.sh
set -eu
cd "$(dirname "$0")"
src=${ONNX_TESTDATA:-/usr/share/libonnx-testdata/data}
for d in \
	pytorch-converted/test_Conv2d pytorch-converted/test_Conv2d_groups \
	pytorch-converted/test_Conv2d_depthwise_padded pytorch-converted/test_Conv2d_strided \
	pytorch-converted/test_Conv2d_no_bias pytorch-converted/test_BatchNorm2d_eval \
	pytorch-converted/test_Linear pytorch-converted/test_MaxPool2d \
	pytorch-converted/test_AvgPool2d pytorch-converted/test_ReLU pytorch-converted/test_Softmax \
	node/test_lrn node/test_conv_with_strides_and_asymmetric_padding node/test_conv_with_autopad_same \
	node/test_maxpool_2d_same_lower node/test_averagepool_2d_pads_count_include_pad \
	node/test_gemm_default_matrix_bias node/test_flatten_axis1 node/test_batchnorm_epsilon \
	node/test_concat_2d_axis_1 node/test_dropout_default node/test_softmax_axis_1 \
	node/test_reshape_reordered_all_dims; do
	name=$(echo "$d" | tr / _)
	rm -rf "$name"
	mkdir -p "$name"
	cp "$src/$d/model.onnx" "$name/"
	cp "$src/$d/test_data_set_0/"*.pb "$name/"
done
