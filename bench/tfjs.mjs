// The network of a featuremap weight file as TensorFlow.js ops, for the
// wasm backend (XNNPACK). Layouts match featuremap's (NHWC, HWIO, dense
// [K, M]), so weights are used as read; conv2d and dense use the fused
// kernels (bias + ReLU in one op), as a TF.js user would. It imports
// nothing: the caller passes the tf namespace (the npm module in Node,
// the UMD bundle's globalThis.tf in a browser worker).
//
// TF.js has no grouped convolution: a conv2d with groups G splits its input
// and filter along the channels into G parts, convolves each and concatenates
// the results (the filter parts are split once, here).

const tfPad = (pads) => [[0, 0], [pads[0], pads[1]], [pads[2], pads[3]], [0, 0]];

/**
 * buildTF returns { predict(Float32Array) -> Float32Array,
 * predictBatch(Float32Array[]) -> Float32Array[], dispose() } for the
 * layers of readWeightFile, with tf's current backend.
 */
export function buildTF(tf, { arch, layers }) {
  // No closure below may refer to a layer (V8 would keep it, and its
  // float32 weights, alive): once in tensors, those are garbage.
  const keep = [];
  // constants returns t as `parts` tensors split along axis.
  const constants = (t, parts, axis) => {
    const whole = tf.tensor(t.data, t.shape, 'float32');
    const cs = parts === 1 ? [whole] : tf.split(whole, parts, axis);
    if (parts !== 1) whole.dispose();
    keep.push(...cs);
    return cs;
  };
  const ops = layers.map((l) => {
    switch (l.type) {
      case 'conv2d': {
        const { groups: g, strides, dilations } = l;
        const filters = constants(l.weight, g, 3);
        const biases = constants(l.bias, g, 0);
        const pad = l.padding === 'SAME' ? 'same' : l.padding === 'EXPLICIT' ? tfPad(l.pads) : 'valid';
        const activation = l.activation === 'relu' ? 'relu' : 'linear';
        const conv = (x, i) => tf.fused.conv2d({
          x, filter: filters[i], strides, pad, dilations, bias: biases[i], activation,
        });
        return ([x]) => (g === 1 ? conv(x, 0) : tf.concat(tf.split(x, g, 3).map(conv), 3));
      }
      case 'maxpool':
      case 'avgpool': {
        if (l.padding === 'EXPLICIT') {
          throw new Error(`tfjs: layer ${l.name}: explicit pooling pads are not supported by the bench`);
        }
        const { kernel, strides } = l;
        const pool = l.type === 'maxpool' ? tf.maxPool : tf.avgPool;
        const pad = l.padding === 'SAME' ? 'same' : 'valid';
        return ([x]) => pool(x, kernel, strides, pad);
      }
      case 'lrn': {
        const { depth_radius: radius = 0, bias, alpha = 0, beta = 0 } = l;
        return ([x]) => tf.localResponseNormalization(x, radius, bias, alpha, beta);
      }
      case 'relu':
        return ([x]) => tf.relu(x);
      case 'dropout':
        return ([x]) => x;
      case 'flatten':
        return ([x]) => tf.reshape(x, [x.shape[0], -1]);
      case 'dense': {
        const [w] = constants(l.weight, 1);
        const [bias] = constants(l.bias, 1);
        const activation = l.activation === 'relu' ? 'relu' : 'linear';
        return ([x]) => tf.fused.matMul({ a: x, b: w, bias, activation });
      }
      case 'softmax':
        return ([x]) => tf.softmax(x);
      case 'concat':
        return (xs) => tf.concat(xs, -1);
      default:
        throw new Error(`tfjs: layer ${l.name}: type ${l.type}`);
    }
  });
  const [h, w, c] = arch.input;
  const inputs = layers.map((l) => l.inputs);
  const run = (data, n) => tf.tidy(() => {
    const outs = [];
    const x = tf.tensor(data, [n, h, w, c], 'float32');
    ops.forEach((op, i) => {
      outs[i] = op(inputs[i].map((j) => (j === -1 ? x : outs[j])));
    });
    return outs.at(-1);
  });
  const fetch = (y) => {
    const d = y.dataSync();
    y.dispose();
    return d;
  };
  return {
    predict: (x) => fetch(run(x, 1)),
    predictBatch(xs) {
      const flat = new Float32Array(xs.length * h * w * c);
      xs.forEach((x, i) => flat.set(x, i * x.length));
      const d = fetch(run(flat, xs.length));
      const m = d.length / xs.length;
      return xs.map((_, i) => d.slice(i * m, (i + 1) * m));
    },
    dispose() {
      keep.forEach((t) => t.dispose());
    },
  };
}
