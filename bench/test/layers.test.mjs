// The bench's translations of the layer types and attributes the built-in
// models do not use, checked the same way as agree.test.mjs: a small
// network with SAME pooling that pads asymmetrically (avgpool divides by the
// real cells), a dilated conv with explicit pads, standalone ReLUs, a
// branch and a channel concat, an LRN of radius 1, dropout and a linear
// dense layer behind the flatten, written as a float32 weight file
// (model/file.go's layout) with random weights, run by featuremap,
// TF.js-wasm and ORT-web.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ENGINES, open } from '../engines.mjs';
import { randomInputs, rng } from '../weights.mjs';

// Reductions here are at most 6·6·4 = 144 long: float32 reordering moves
// the O(1) logits by ~sqrt(144)·2^-24 ≈ 7e-7; 1e-5 as in agree.test.mjs.
const TOL = 1e-5;

const arch = {
  name: 'layers',
  input: [9, 11, 2],
  layers: [
    // 8×13×4 (the dilated window is 5 high)
    { name: 'c1', type: 'conv2d', filters: 4, kernel: [3, 2], dilations: [2, 1], padding: 'EXPLICIT', pads: [2, 1, 0, 3], activation: 'relu' },
    // 4×7×4, pads: top 0, bottom 1, left 1, right 1
    { name: 'p1', type: 'avgpool', kernel: [3, 3], strides: [2, 2], padding: 'SAME' },
    // 4×4×4, pads: top 0, bottom 1, left 1, right 1
    { name: 'c2', type: 'conv2d', filters: 4, kernel: [2, 3], strides: [1, 2], groups: 2, padding: 'SAME' },
    { name: 'r2', type: 'relu' },
    { name: 'n2', type: 'lrn', depth_radius: 1, bias: 1.5, alpha: 0.3, beta: 0.6 },
    // 4×4×4 from p1, pads: bottom 1, right 1
    { name: 'b', type: 'maxpool', inputs: ['p1'], kernel: [2, 2], strides: [1, 2], padding: 'SAME' },
    { name: 'cat', type: 'concat', inputs: ['n2', 'b'] },
    { name: 'flat', type: 'flatten' },
    { name: 'drop', type: 'dropout', rate: 0.5 },
    { name: 'r3', type: 'relu' }, // ONNX must still permute fc's rows (flatten order)
    { name: 'fc', type: 'dense', units: 6 },
    { name: 'softmax', type: 'softmax' },
  ],
};

// The parameter shapes of arch, by tensor name.
const params = {
  'c1.weight': [3, 2, 2, 4], 'c1.bias': [4],
  'c2.weight': [2, 3, 2, 4], 'c2.bias': [4],
  'fc.weight': [4 * 4 * 8, 6], 'fc.bias': [6],
};

/** safetensors writes float32 tensors and metadata in the safetensors layout. */
function safetensors(tensors, metadata) {
  const header = { __metadata__: metadata };
  let off = 0;
  for (const [name, { shape, data }] of Object.entries(tensors)) {
    header[name] = { dtype: 'F32', shape, data_offsets: [off, off + data.byteLength] };
    off += data.byteLength;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (json.length % 8)) % 8);
  const out = new Uint8Array(8 + json.length + off);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(new TextEncoder().encode(json), 8);
  let at = 8 + json.length;
  for (const { data } of Object.values(tensors)) {
    out.set(new Uint8Array(data.buffer), at);
    at += data.byteLength;
  }
  return out;
}

test('featuremap, TF.js and ORT agree on the less common layers', async () => {
  const next = rng(5);
  const tensors = Object.fromEntries(Object.entries(params).map(([name, shape]) => {
    const data = new Float32Array(shape.reduce((p, n) => p * n, 1));
    for (let i = 0; i < data.length; i++) data[i] = 2 * next() - 1;
    return [name, { shape, data }];
  }));
  const bytes = safetensors(tensors, { format: 'featuremap/1', arch: JSON.stringify(arch) });
  const xs = randomInputs(arch, 3, 2);
  const probs = {};
  for (const e of ENGINES) {
    const m = await open(e, bytes);
    probs[e] = [];
    for (const x of xs) probs[e].push(await m.predict(x));
    m.dispose();
  }
  for (const peer of ['tfjs', 'ort']) {
    xs.forEach((_, i) => {
      const d = probs.featuremap[i].reduce((m, v, k) => Math.max(m, Math.abs(v - probs[peer][i][k])), 0);
      assert.ok(d <= TOL, `input ${i}: max |featuremap − ${peer}| = ${d.toExponential(2)}\nfeaturemap ${probs.featuremap[i]}\n${peer} ${probs[peer][i]}`);
    });
  }
});
