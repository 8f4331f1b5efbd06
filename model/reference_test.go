package model

import (
	"math"
	"testing"

	"github.com/featuremap/featuremap/model/layers"
)

// refTensor is a float64 activation of one example with its shape.
type refTensor struct {
	shape []int
	data  []float64
}

// refForward runs one example through net with direct float64 loops,
// written from the TensorFlow op definitions independently of Graph and
// kernel (padding included). It returns every layer's output.
func refForward(t *testing.T, net *Net, x []float32) []refTensor {
	t.Helper()
	a := &net.Arch
	input := refTensor{shape: a.Input[:], data: make([]float64, len(x))}
	for i, v := range x {
		input.data[i] = float64(v)
	}
	outs := map[string]refTensor{InputName: input}
	var all []refTensor
	prev := InputName
	for i, l := range a.Layers {
		var ins []refTensor
		if len(l.Inputs) == 0 {
			ins = []refTensor{outs[prev]}
		}
		for _, name := range l.Inputs {
			ins = append(ins, outs[name])
		}
		p := net.LayerParams(i)
		var out refTensor
		switch op := l.Op.(type) {
		case *layers.Conv2D:
			out = refConv(ins[0], op, refWeights(p[0]), p[1].Data)
		case *layers.MaxPool:
			out = refPool(ins[0], op.Window, true, false)
		case *layers.AvgPool:
			out = refPool(ins[0], op.Window, false, op.CountIncludePad == 1)
		case *layers.LRN:
			out = refLRN(ins[0], op)
		case *layers.ReLU:
			out = refMap(ins[0], func(v float64) float64 { return math.Max(v, 0) })
		case *layers.Dense:
			out = refDense(ins[0], op, refWeights(p[0]), p[1].Data)
		case *layers.Flatten:
			out = refTensor{shape: []int{len(ins[0].data)}, data: ins[0].data}
		case *layers.Dropout:
			out = ins[0]
		case *layers.Softmax:
			out = refSoftmax(ins[0])
		case *layers.Concat:
			out = refConcat(ins, op.Axis)
		case *layers.BatchNorm:
			out = refBatchNorm(ins[0], op, p)
		default:
			t.Fatalf("reference: no layer type %q", l.Type())
		}
		outs[l.Name] = out
		all = append(all, out)
		prev = l.Name
	}
	return all
}

// refSame returns TensorFlow's SAME padding before the input for one
// dimension, written as in tensorflow/core/framework/kernel_shape_util.cc.
func refSame(in, k, s, d int) (out, before int) {
	out = int(math.Ceil(float64(in) / float64(s)))
	eff := (k-1)*d + 1
	total := (out-1)*s + eff - in
	if total < 0 {
		total = 0
	}
	return out, total / 2
}

// refGeom returns the output size and the padding before, per dimension.
func refGeom(l layers.Window, h, w, d0, d1 int) (oh, ow, top, left int) {
	k, s := l.Kernel, [2]int{max(l.Strides[0], 1), max(l.Strides[1], 1)}
	switch l.Padding {
	case layers.PadSame:
		oh, top = refSame(h, k[0], s[0], d0)
		ow, left = refSame(w, k[1], s[1], d1)
	case layers.PadExplicit:
		top, left = l.Pads[0], l.Pads[2]
		oh = (h+l.Pads[0]+l.Pads[1]-(k[0]-1)*d0-1)/s[0] + 1
		ow = (w+l.Pads[2]+l.Pads[3]-(k[1]-1)*d1-1)/s[1] + 1
	default:
		oh = (h-(k[0]-1)*d0-1)/s[0] + 1
		ow = (w-(k[1]-1)*d1-1)/s[1] + 1
	}
	return
}

func refConv(x refTensor, l *layers.Conv2D, w, b []float32) refTensor {
	h, wd, c := x.shape[0], x.shape[1], x.shape[2]
	dh, dw := max(l.Dilations[0], 1), max(l.Dilations[1], 1)
	sh, sw := max(l.Strides[0], 1), max(l.Strides[1], 1)
	oh, ow, top, left := refGeom(l.Window, h, wd, dh, dw)
	g := max(l.Groups, 1)
	oc, cg, ocg := l.Filters, c/g, l.Filters/g
	out := refTensor{shape: []int{oh, ow, oc}, data: make([]float64, oh*ow*oc)}
	for oy := range oh {
		for ox := range ow {
			for o := range oc {
				grp := o / ocg
				sum := float64(b[o])
				for ky := range l.Kernel[0] {
					for kx := range l.Kernel[1] {
						iy, ix := oy*sh-top+ky*dh, ox*sw-left+kx*dw
						if iy < 0 || iy >= h || ix < 0 || ix >= wd {
							continue
						}
						for ci := range cg {
							sum += x.data[(iy*wd+ix)*c+grp*cg+ci] * float64(w[((ky*l.Kernel[1]+kx)*cg+ci)*oc+o])
						}
					}
				}
				if l.Activation == layers.ActReLU {
					sum = math.Max(sum, 0)
				}
				out.data[(oy*ow+ox)*oc+o] = sum
			}
		}
	}
	return out
}

func refPool(x refTensor, l layers.Window, isMax, countPad bool) refTensor {
	h, wd, c := x.shape[0], x.shape[1], x.shape[2]
	sh, sw := max(l.Strides[0], 1), max(l.Strides[1], 1)
	oh, ow, top, left := refGeom(l, h, wd, 1, 1)
	out := refTensor{shape: []int{oh, ow, c}, data: make([]float64, oh*ow*c)}
	for oy := range oh {
		for ox := range ow {
			for ch := range c {
				best, sum, cells := math.Inf(-1), 0.0, 0
				for ky := range l.Kernel[0] {
					for kx := range l.Kernel[1] {
						iy, ix := oy*sh-top+ky, ox*sw-left+kx
						if iy < 0 || iy >= h || ix < 0 || ix >= wd {
							continue
						}
						v := x.data[(iy*wd+ix)*c+ch]
						best = math.Max(best, v)
						sum += v
						cells++
					}
				}
				switch {
				case isMax:
					out.data[(oy*ow+ox)*c+ch] = best
				case countPad:
					out.data[(oy*ow+ox)*c+ch] = sum / float64(l.Kernel[0]*l.Kernel[1])
				default:
					out.data[(oy*ow+ox)*c+ch] = sum / float64(cells)
				}
			}
		}
	}
	return out
}

func refLRN(x refTensor, l *layers.LRN) refTensor {
	c := x.shape[len(x.shape)-1]
	out := refTensor{shape: x.shape, data: make([]float64, len(x.data))}
	for p := 0; p < len(x.data); p += c {
		for ch := range c {
			sq := 0.0
			for j := max(ch-l.DepthRadius, 0); j <= min(ch+l.DepthRadius, c-1); j++ {
				sq += x.data[p+j] * x.data[p+j]
			}
			out.data[p+ch] = x.data[p+ch] / math.Pow(float64(l.Bias)+float64(l.Alpha)*sq, float64(l.Beta))
		}
	}
	return out
}

func refDense(x refTensor, l *layers.Dense, w, b []float32) refTensor {
	k, m := len(x.data), l.Units
	out := refTensor{shape: []int{m}, data: make([]float64, m)}
	for j := range m {
		sum := float64(b[j])
		for i := range k {
			sum += x.data[i] * float64(w[i*m+j])
		}
		if l.Activation == layers.ActReLU {
			sum = math.Max(sum, 0)
		}
		out.data[j] = sum
	}
	return out
}

func refMap(x refTensor, f func(float64) float64) refTensor {
	out := refTensor{shape: x.shape, data: make([]float64, len(x.data))}
	for i, v := range x.data {
		out.data[i] = f(v)
	}
	return out
}

func refSoftmax(x refTensor) refTensor {
	m := x.shape[len(x.shape)-1]
	out := refTensor{shape: x.shape, data: make([]float64, len(x.data))}
	for p := 0; p < len(x.data); p += m {
		sum := 0.0
		for j := range m {
			out.data[p+j] = math.Exp(x.data[p+j])
			sum += out.data[p+j]
		}
		for j := range m {
			out.data[p+j] /= sum
		}
	}
	return out
}

// refConcat joins ins along axis, counted as in Keras (1 = the first axis
// of an example; 0 and -1 the last).
func refConcat(ins []refTensor, axis int) refTensor {
	rank := len(ins[0].shape)
	a := rank - 1
	if axis > 0 {
		a = axis - 1
	} else if axis < 0 {
		a = rank + axis
	}
	shape := append([]int(nil), ins[0].shape...)
	shape[a] = 0
	for _, in := range ins {
		shape[a] += in.shape[a]
	}
	var data []float64
	outer := numElems(ins[0].shape[:a])
	for o := range outer {
		for _, in := range ins {
			w := numElems(in.shape[a:])
			data = append(data, in.data[o*w:o*w+w]...)
		}
	}
	return refTensor{shape: shape, data: data}
}

// refBatchNorm is tf.nn.batch_normalization with the moving statistics:
// (x - mean) / √(variance + epsilon) · gamma + beta over the last axis.
func refBatchNorm(x refTensor, l *layers.BatchNorm, p []Tensor) refTensor {
	eps := float64(l.Epsilon)
	if eps == 0 {
		eps = layers.DefaultBNEpsilon
	}
	gamma, beta, mean, variance := p[0].Data, p[1].Data, p[2].Data, p[3].Data
	c := len(gamma)
	return refMapIndex(x, func(i int, v float64) float64 {
		j := i % c
		return (v-float64(mean[j]))/math.Sqrt(float64(variance[j])+eps)*float64(gamma[j]) + float64(beta[j])
	})
}

func refMapIndex(x refTensor, f func(int, float64) float64) refTensor {
	out := refTensor{shape: x.shape, data: make([]float64, len(x.data))}
	for i, v := range x.data {
		out.data[i] = f(i, v)
	}
	return out
}

// refWeights returns a weight's float32 values: Data, or for an int8 weight
// q[i] × scale of the last axis' index, written out here rather than read
// through Tensor.Float32s.
func refWeights(p Tensor) []float32 {
	if p.Int8 == nil {
		return p.Data
	}
	w := make([]float32, len(p.Int8))
	for i, q := range p.Int8 {
		w[i] = float32(q) * p.Scales[i%len(p.Scales)]
	}
	return w
}
