// Package convert turns models from other frameworks into featuremap
// networks and back: ONNX (FromONNX, ToONNX) and TensorFlow.js layers
// models (FromTFJS). Load reads a featuremap weight file or an ONNX model,
// telling them apart by their content, not their name.
//
// A converter maps every node (ONNX) or layer (Keras) to layer types of
// package model/layers and its weights to the layer's named parameters,
// or fails with an error naming the node, its op and the attribute it
// cannot map exactly; nothing is approximated. The result goes through
// model.New, so a hostile file meets the same graph validation and
// resource bounds as a weight file, after the format decoders' own Limits
// (model/onnx, model/tfjs).
//
// Layouts: ONNX activations are NCHW with OIHW filters; featuremap's are
// NHWC with HWIO filters, TensorFlow's layout (model/onnx/doc.go lists the
// mapping op by op). The one place where the layouts meet the values is a
// flatten of a [C, H, W] map: ONNX orders the flat vector c, h, w and
// featuremap h, w, c, so the dense layer that reads it has its weight rows
// permuted once at conversion instead of transposing activations at run
// time. Keras models are NHWC already and their weights carry over as
// they are (model/tfjs/doc.go).
package convert
