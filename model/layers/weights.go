package layers

import "github.com/featuremap/featuremap/kernel"

// weightBias is the prepared form of conv2d and dense parameters: the
// float32 weight (last axis = output channels) and bias, as the kernels read
// them. Prepare aliases the tensors' Data, so a trainer's in-place updates
// take effect.
type weightBias struct {
	w, b []float32
}

// prepareWeightBias prepares the parameters [weight, bias].
func prepareWeightBias(p []Tensor) (Prepared, error) {
	return &weightBias{w: p[0].Data, b: p[1].Data}, nil
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

// foldWeightBias returns a copy of p with y·scale[c] + shift[c] folded in:
// w'[…, c] = w[…, c]·scale[c] and b'[c] = b[c]·scale[c] + shift[c].
func foldWeightBias(p Prepared, scale, shift []float32) Prepared {
	wb := p.(*weightBias)
	oc := len(wb.b)
	out := &weightBias{w: make([]float32, len(wb.w)), b: make([]float32, oc)}
	for i, v := range wb.w {
		out.w[i] = v * scale[i%oc]
	}
	for c, v := range wb.b {
		out.b[c] = v*scale[c] + shift[c]
	}
	return out
}

// reluGrad applies a fused activation's gradient to dy in place, given the
// layer's output y.
func reluGrad(act kernel.Activation, dy, y []float32) error {
	if act != kernel.ReLU {
		return nil
	}
	return kernel.ReluGrad(dy, dy, y)
}
