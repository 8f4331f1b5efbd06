package main

import (
	"fmt"
	"io"
	"os"

	"github.com/featuremap/featuremap/model/convert"
)

// convertFile reads a model in any format loadNet knows (a featuremap
// weight file, ONNX, a TensorFlow.js model.json with its shards beside it)
// and writes it as a featuremap weight file, int8 or float32.
func convertFile(stdout io.Writer, in, out, quantize string) error {
	net, err := loadNet(in, 0)
	if err != nil {
		return err
	}
	size, err := writeNet(net, quantize == "int8", out)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s (%s, %d layers, %d parameters, %s weights, %d bytes)\n", out, net.Arch.Name, len(net.Arch.Layers), net.NumParams(), quantize, size)
	return nil
}

// isJSON reports whether data starts, after white space, with "{".
func isJSON(data []byte) bool {
	for _, b := range data {
		switch b {
		case ' ', '\t', '\r', '\n':
			continue
		}
		return b == '{'
	}
	return false
}

// exportFile writes a model as ONNX (the only export format).
func exportFile(stdout io.Writer, in, out string) error {
	net, err := loadNet(in, 0)
	if err != nil {
		return err
	}
	data, err := convert.ToONNX(net)
	if err != nil {
		return err
	}
	if err := os.WriteFile(out, data, 0o644); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s (ONNX opset %d, %d parameters, %d bytes)\n", out, convert.ExportOpset, net.NumParams(), len(data))
	return nil
}
