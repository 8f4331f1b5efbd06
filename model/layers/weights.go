package layers

import "github.com/featuremap/featuremap/kernel"

// packedConv is conv2d's prepared form: the filter packed once for the
// active kernels (kernel.PackConv) and the bias.
type packedConv struct {
	f *kernel.PackedConv
	b []float32
}

// packedDense is dense's prepared form: the weights packed once, as int8
// with per-output-channel scales when the file stored them so (dequantised
// in registers: no float32 copy is read), else as float32; and the bias.
type packedDense struct {
	w *kernel.PackedDense
	b []float32
}

// weightBiasParams are the parameters of a layer with a weight of shape w,
// quantisable per output channel (its last axis), and a bias of one value
// per output channel.
func weightBiasParams(w []int) []ParamSpec {
	return []ParamSpec{
		{Name: "weight", Shape: w, Quantize: true, Kind: KindWeight, Init: InitHeUniform},
		{Name: "bias", Shape: []int{lastAxis(w)}, Kind: KindBias, Init: InitZeros},
	}
}

// foldWeightBias returns copies of the parameters p = [weight, bias] with
// y·scale[c] + shift[c] folded in: w'[…, c] = w[…, c]·scale[c] and
// b'[c] = b[c]·scale[c] + shift[c]. An int8 weight stays int8, its
// per-channel scales multiplied by scale (the int8 values are shared). p is
// not modified.
func foldWeightBias(p []Tensor, scale, shift []float32) []Tensor {
	w, b := p[0], p[1]
	oc := len(b.Data)
	fb := Tensor{Shape: b.Shape, Data: make([]float32, oc)}
	for c, v := range b.Data {
		fb.Data[c] = v*scale[c] + shift[c]
	}
	if w.Int8 != nil {
		fw := Tensor{Shape: w.Shape, Int8: w.Int8, Scales: make([]float32, oc)}
		for c, s := range w.Scales {
			fw.Scales[c] = s * scale[c]
		}
		return []Tensor{fw, fb}
	}
	fw := Tensor{Shape: w.Shape, Data: make([]float32, len(w.Data))}
	for i, v := range w.Data {
		fw.Data[i] = v * scale[i%oc]
	}
	return []Tensor{fw, fb}
}

// reluGrad applies a fused activation's gradient to dy in place, given the
// layer's output y.
func reluGrad(act kernel.Activation, dy, y []float32) error {
	if act != kernel.ReLU {
		return nil
	}
	return kernel.ReluGrad(dy, dy, y)
}
