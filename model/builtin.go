package model

import (
	"errors"
	"strconv"

	"github.com/featuremap/featuremap/internal/msg"
	"github.com/featuremap/featuremap/model/layers"
)

// Builtins returns the names of the built-in architectures (design.md,
// "Built-in architectures"), sorted.
func Builtins() []string { return []string{"alexmnist", "alexnet", "seednet"} }

// Builtin returns a fresh copy of the built-in architecture name. (A switch,
// not a package-level map, so that a binary that never calls Builtin, such
// as the WebAssembly engine, links none of the architectures.)
func Builtin(name string) (Arch, error) {
	switch name {
	case "seednet":
		return seedNet(), nil
	case "alexmnist":
		return alexMNIST(), nil
	case "alexnet":
		return alexNet(), nil
	}
	return Arch{}, errors.New("model: no built-in architecture " + msg.Quote(name) + " (have " + msg.Strings(Builtins()) + ")")
}

// mnistArch returns an Arch for 28×28×1 MNIST digits, pixels scaled to [0, 1].
func mnistArch(name string, layers []Layer) Arch {
	labels := make([]string, 10)
	for i := range labels {
		labels[i] = strconv.Itoa(i)
	}
	return Arch{
		Name:       name,
		Input:      [3]int{28, 28, 1},
		Layers:     layers,
		Labels:     labels,
		Preprocess: Preprocess{Kind: PreprocessMNIST, Scale: 1.0 / 255, Dataset: "mnist"},
	}
}

// seedNet is the seed document's example: 28×28×1 → conv 3×3×64 SAME + ReLU
// → maxpool 2×2/2 → dense 12,544→10 → softmax.
func seedNet() Arch {
	return mnistArch("seednet", []Layer{
		conv("conv1", 3, 64, 1, 1, layers.PadSame),
		pool("pool1", 2, 2),
		{Name: "flatten", Op: &layers.Flatten{}},
		{Name: "fc", Op: &layers.Dense{Units: 10}},
		{Name: "softmax", Op: &layers.Softmax{}},
	})
}

// alexLRN is AlexNet's response normalisation (Krizhevsky et al. 2012, §3.3:
// k = 2, n = 5, α = 1e-4, β = 0.75), with TensorFlow's per-element alpha.
func alexLRN(name string) Layer {
	return Layer{Name: name, Op: &layers.LRN{DepthRadius: 2, Bias: 2, Alpha: 1e-4, Beta: 0.75}}
}

// alexMNIST is AlexNet's structure scaled to 28×28×1.
func alexMNIST() Arch {
	return mnistArch("alexmnist", []Layer{
		conv("conv1", 5, 48, 1, 1, layers.PadSame),
		alexLRN("lrn1"),
		pool("pool1", 3, 2), // 13×13×48
		conv("conv2", 5, 128, 1, 2, layers.PadSame),
		alexLRN("lrn2"),
		pool("pool2", 3, 2), // 6×6×128
		conv("conv3", 3, 192, 1, 1, layers.PadSame),
		conv("conv4", 3, 192, 1, 2, layers.PadSame),
		conv("conv5", 3, 128, 1, 2, layers.PadSame),
		pool("pool5", 3, 2), // 2×2×128
		{Name: "flatten", Op: &layers.Flatten{}},
		{Name: "fc6", Op: &layers.Dense{Units: 512, Activation: layers.ActReLU}},
		{Name: "drop6", Op: &layers.Dropout{Rate: 0.5}},
		{Name: "fc7", Op: &layers.Dense{Units: 512, Activation: layers.ActReLU}},
		{Name: "drop7", Op: &layers.Dropout{Rate: 0.5}},
		{Name: "fc8", Op: &layers.Dense{Units: 10}},
		{Name: "softmax", Op: &layers.Softmax{}},
	})
}

// alexNet is the 2012 ImageNet network (Krizhevsky et al.) on 227×227×3,
// its two-GPU split expressed as groups = 2.
func alexNet() Arch {
	return Arch{
		Name:  "alexnet",
		Input: [3]int{227, 227, 3},
		Layers: []Layer{
			conv("conv1", 11, 96, 4, 1, layers.PadValid), // 55×55×96
			alexLRN("lrn1"),
			pool("pool1", 3, 2), // 27×27×96
			conv("conv2", 5, 256, 1, 2, layers.PadSame),
			alexLRN("lrn2"),
			pool("pool2", 3, 2), // 13×13×256
			conv("conv3", 3, 384, 1, 1, layers.PadSame),
			conv("conv4", 3, 384, 1, 2, layers.PadSame),
			conv("conv5", 3, 256, 1, 2, layers.PadSame),
			pool("pool5", 3, 2), // 6×6×256
			{Name: "flatten", Op: &layers.Flatten{}},
			{Name: "fc6", Op: &layers.Dense{Units: 4096, Activation: layers.ActReLU}},
			{Name: "drop6", Op: &layers.Dropout{Rate: 0.5}},
			{Name: "fc7", Op: &layers.Dense{Units: 4096, Activation: layers.ActReLU}},
			{Name: "drop7", Op: &layers.Dropout{Rate: 0.5}},
			{Name: "fc8", Op: &layers.Dense{Units: 1000}},
			{Name: "softmax", Op: &layers.Softmax{}},
		},
		// Mean RGB of ImageNet on the [0, 255] scale.
		Preprocess: Preprocess{Kind: PreprocessResize, Mean: []float32{123.68, 116.779, 103.939}, Dataset: "imagenet"},
	}
}

// conv returns a k×k conv2d layer with ReLU.
func conv(name string, k, filters, stride, groups int, padding string) Layer {
	return Layer{Name: name, Op: &layers.Conv2D{
		Filters: filters,
		Window:  layers.Window{Kernel: [2]int{k, k}, Strides: [2]int{stride, stride}, Padding: padding},
		Groups:  groups, Activation: layers.ActReLU,
	}}
}

// pool returns a k×k VALID maxpool layer with stride s.
func pool(name string, k, s int) Layer {
	return Layer{Name: name, Op: &layers.MaxPool{Window: layers.Window{Kernel: [2]int{k, k}, Strides: [2]int{s, s}, Padding: layers.PadValid}}}
}
