// Package tfjs reads TensorFlow.js layers models: the model.json that
// tensorflowjs_converter (from Keras) and tf.LayersModel.save write, and
// the binary weight shards it lists
// (https://www.tensorflow.org/js/guide/save_load, "Details of the model
// artifacts").
//
// model.json holds the Keras model topology (modelTopology: class_name
// "Sequential", "Model" or "Functional", and config.layers, each with a
// class_name and a config; converter output wraps it in model_config) and
// weightsManifest: groups of {paths, weights}, where each weight is
// {name, shape, dtype, quantization?}. A group's weights are stored one
// after the other, row-major, little-endian, in the concatenation of its
// shards in path order. Quantised weights store uint8 or uint16 q with
// value = q·scale + min (float32 arithmetic as tf.io.decodeWeights does it,
// in float64 then rounded), or IEEE binary16 (quantization dtype float16).
//
// Parse treats model.json and the shards as hostile: shard paths must be
// plain relative paths; the number of layers and weights, each weight's
// rank and the elements of all weights are priced against Limits before
// any weight data is fetched or allocated, and the shards must hold
// exactly the bytes the manifest describes. JSON is read in one file
// (json.go) so that the decoder can be replaced without touching the rest.
//
// # Converting to featuremap layers (package model/convert)
//
// Keras layers are NHWC with HWIO kernels, featuremap's own layout, so
// weights carry over unchanged: Conv2D (kernel [KH, KW, C, OC], bias;
// padding "same" is TensorFlow's SAME, "valid" VALID; strides,
// dilation_rate; data_format must be channels_last), MaxPooling2D and
// AveragePooling2D (pool_size, strides, padding; TensorFlow's average
// excludes padding cells, as featuremap's does), Dense (kernel [K, M]),
// Flatten (NHWC order, as featuremap flattens), Dropout (nothing at
// inference), Activation/ReLU/Softmax and a layer's activation "relu",
// "softmax" or "linear" (anything else is refused), BatchNormalization
// (gamma, beta, moving_mean, moving_variance, epsilon; folded into the
// Conv2D or Dense before it, or a per-channel scale and shift; axis must be
// the channel axis -1 or 3) and InputLayer (batch_input_shape gives the
// model's input shape; a Sequential model without one has it in its first
// layer's batch_input_shape). A layer's weights are named after it:
// "conv1/kernel", "conv1/bias", "bn1/gamma", "bn1/beta",
// "bn1/moving_mean", "bn1/moving_variance" (converted Keras models may add
// a scope prefix, so match on the "/kernel"-style suffix after the layer's
// name).
package tfjs
