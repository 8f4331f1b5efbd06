// tfjs.mjs writes the TensorFlow.js layers-model fixtures of model/tfjs's
// tests with @tensorflow/tfjs itself (CPU backend):
//
//   node tfjs.mjs DIR
//
// For each variant (float32, and the weights quantised to uint8, uint16
// and float16 as tensorflowjs_converter --quantize_* does) it writes
// DIR/VARIANT/model.json and its weight shards (200 bytes each, so the
// manifest lists several), exactly as tf.io's file savers lay them out,
// and DIR/VARIANT/expected.json: every weight as tf.io.decodeWeights reads
// it back from the shards (dequantised), an input, and the output of the
// model tfjs loads from those files.
import fs from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';

const shardBytes = 200;

// mulberry32: a small seeded generator, so the fixtures are reproducible.
function rng(seed) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function buildModel() {
  const model = tf.sequential({ name: 'fixture' });
  model.add(tf.layers.conv2d({ name: 'conv1', inputShape: [8, 8, 2], filters: 4, kernelSize: 3, padding: 'same', activation: 'relu' }));
  model.add(tf.layers.maxPooling2d({ name: 'pool1', poolSize: 2, strides: 2 }));
  model.add(tf.layers.batchNormalization({ name: 'bn1', epsilon: 1e-3 }));
  model.add(tf.layers.conv2d({ name: 'conv2', filters: 3, kernelSize: [2, 3], strides: [1, 2], padding: 'valid' }));
  model.add(tf.layers.averagePooling2d({ name: 'pool2', poolSize: 2, strides: 1, padding: 'same' }));
  model.add(tf.layers.activation({ name: 'act', activation: 'relu' }));
  model.add(tf.layers.flatten({ name: 'flat' }));
  model.add(tf.layers.dropout({ name: 'drop', rate: 0.25 }));
  model.add(tf.layers.dense({ name: 'fc', units: 5, activation: 'softmax' }));
  const r = rng(14);
  model.setWeights(model.getWeights().map((w) => {
    const isVar = w.name.includes('moving_variance');
    const v = Float32Array.from({ length: w.size }, () => (isVar ? 0.5 + r() : 2 * r() - 1));
    return tf.tensor(v, w.shape);
  }));
  return model;
}

// float32ToFloat16 rounds to nearest (ties away), flushing values below
// the normal range to zero; tf.io.decodeWeights gives the oracle values.
function float32ToFloat16(x) {
  const b = new Uint32Array(new Float32Array([x]).buffer)[0];
  const sign = (b >>> 16) & 0x8000;
  const exp = ((b >>> 23) & 0xff) - 112;
  if (exp <= 0) return sign;
  const h = (exp << 10) + ((b & 0x7fffff) >>> 13) + ((b >>> 12) & 1);
  return sign | Math.min(h, 0x7bff);
}

// quantize rewrites the weights with the given dtype: affine uint8/uint16
// (value = q·scale + min, per weight) or float16.
function quantize(specs, data, dtype) {
  const src = new Float32Array(data);
  const out = [];
  const newSpecs = [];
  let off = 0;
  for (const spec of specs) {
    const n = spec.shape.reduce((a, b) => a * b, 1);
    const v = src.subarray(off, off + n);
    off += n;
    if (dtype === 'float16') {
      out.push(new Uint16Array(Array.from(v, float32ToFloat16)));
      newSpecs.push({ ...spec, quantization: { dtype } });
      continue;
    }
    const qmax = dtype === 'uint8' ? 255 : 65535;
    let min = Math.min(...v);
    const max = Math.max(...v);
    const scale = max > min ? (max - min) / qmax : 1;
    const q = (dtype === 'uint8' ? Uint8Array : Uint16Array).from(v, (x) => Math.round((x - min) / scale));
    out.push(q);
    newSpecs.push({ ...spec, quantization: { dtype, scale, min, original_dtype: 'float32' } });
  }
  const bytes = new Uint8Array(out.reduce((a, q) => a + q.byteLength, 0));
  let at = 0;
  for (const q of out) {
    bytes.set(new Uint8Array(q.buffer, q.byteOffset, q.byteLength), at);
    at += q.byteLength;
  }
  return { specs: newSpecs, data: bytes.buffer };
}

async function write(dir, artifacts, specs, data) {
  fs.mkdirSync(dir, { recursive: true });
  const bytes = new Uint8Array(data);
  const count = Math.ceil(bytes.length / shardBytes);
  const paths = [];
  for (let i = 0; i < count; i++) {
    const name = `group1-shard${i + 1}of${count}.bin`;
    fs.writeFileSync(path.join(dir, name), bytes.subarray(i * shardBytes, (i + 1) * shardBytes));
    paths.push(name);
  }
  // The layout of tf.io's browserFiles and http savers
  // (getModelJSONForModelArtifacts).
  const modelJSON = {
    modelTopology: artifacts.modelTopology,
    format: artifacts.format,
    generatedBy: artifacts.generatedBy,
    convertedBy: artifacts.convertedBy,
    weightsManifest: [{ paths, weights: specs }],
  };
  fs.writeFileSync(path.join(dir, 'model.json'), JSON.stringify(modelJSON));

  // The oracle: what tfjs reads back from the files just written.
  const shards = paths.map((p) => fs.readFileSync(path.join(dir, p)));
  const joined = new Uint8Array(Buffer.concat(shards)).buffer;
  const weights = tf.io.decodeWeights(joined, specs);
  const loaded = await tf.loadLayersModel(tf.io.fromMemory({ modelTopology: modelJSON.modelTopology, weightSpecs: specs, weightData: joined }));
  const r = rng(7);
  const x = tf.tensor(Float32Array.from({ length: 8 * 8 * 2 }, () => r()), [1, 8, 8, 2]);
  const y = loaded.predict(x);
  const expected = {
    weights: specs.map((s) => ({ name: s.name, shape: s.shape, values: Array.from(weights[s.name].dataSync()) })),
    input: { shape: x.shape, data: Array.from(x.dataSync()) },
    output: { shape: y.shape, data: Array.from(y.dataSync()) },
  };
  fs.writeFileSync(path.join(dir, 'expected.json'), JSON.stringify(expected) + '\n');
}

const outDir = process.argv[2];
if (!outDir) {
  console.error('usage: node tfjs.mjs DIR');
  process.exit(2);
}
await tf.setBackend('cpu');
const model = buildModel();
let artifacts;
await model.save(tf.io.withSaveHandler(async (a) => {
  artifacts = a;
  return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
}));
const data = tf.io.CompositeArrayBuffer.join(artifacts.weightData);
await write(path.join(outDir, 'float32'), artifacts, artifacts.weightSpecs, data);
for (const dtype of ['uint8', 'uint16', 'float16']) {
  const q = quantize(artifacts.weightSpecs, data, dtype);
  await write(path.join(outDir, dtype), artifacts, q.specs, q.data);
}
