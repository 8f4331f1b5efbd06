// tfjs_models.mjs: the TensorFlow.js oracle for model/convert's tests.
//
//   node tfjs_models.mjs COUNT BATCH DIR
//
// Builds COUNT seeded random small CNNs as TensorFlow.js layers models
// (Conv2D with random kernel sizes, strides, dilations, same/valid
// padding, with or without bias; BatchNormalization; ReLU, Activation;
// max and average pooling, global pooling; Flatten, Dense heads, Dropout,
// Softmax; some functional models with Concatenate), gives them seeded
// random weights, saves each with tf.io.withSaveHandler as DIR/I/model.json
// and DIR/I/weights.bin (the layout model.save writes; every fifth model
// with uint8 or uint16-quantised weights, as tensorflowjs_converter
// --quantize_uint8/uint16 writes them), runs it on BATCH
// seeded random inputs [BATCH, H, W, C] and writes them and the outputs as
// little-endian float32 to DIR/I/x.bin and DIR/I/y.bin. Prints a JSON
// array of each model's input shape [H, W, C].
import fs from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';

await tf.setBackend('cpu');
const [count, batch, dir] = [Number(process.argv[2]), Number(process.argv[3]), process.argv[4]];

// mulberry32
function rng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, int: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)), pick: (a) => a[Math.floor(next() * a.length)] };
}

// conv returns a random Conv2D config that keeps the map non-empty, or null.
function conv(r, shape) {
  const [h, w] = shape;
  const k = [r.int(1, 5), r.int(1, 5)];
  let strides = [r.int(1, 2), r.int(1, 2)];
  let dilation = [1, 1];
  if (r.next() < 0.2) { // tfjs needs strides 1 with dilations
    dilation = [r.int(1, 2), r.int(1, 2)];
    strides = [1, 1];
  }
  const padding = r.pick(['same', 'valid']);
  const eff = [(k[0] - 1) * dilation[0] + 1, (k[1] - 1) * dilation[1] + 1];
  const out = padding === 'same'
    ? [Math.ceil(h / strides[0]), Math.ceil(w / strides[1])]
    : [Math.floor((h - eff[0]) / strides[0]) + 1, Math.floor((w - eff[1]) / strides[1]) + 1];
  if (out[0] < 1 || out[1] < 1) return null;
  const filters = r.int(1, 6);
  return {
    layer: { filters, kernelSize: k, strides, dilationRate: dilation, padding, useBias: r.next() < 0.75, activation: r.pick(['relu', 'linear']) },
    shape: [out[0], out[1], filters],
  };
}

function pool(r, shape) {
  const [h, w, c] = shape;
  const k = [r.int(1, 3), r.int(1, 3)];
  const strides = [r.int(1, 2), r.int(1, 2)];
  const padding = r.pick(['same', 'valid']);
  const out = padding === 'same'
    ? [Math.ceil(h / strides[0]), Math.ceil(w / strides[1])]
    : [Math.floor((h - k[0]) / strides[0]) + 1, Math.floor((w - k[1]) / strides[1]) + 1];
  if (out[0] < 1 || out[1] < 1) return null;
  return { layer: { poolSize: k, strides, padding }, shape: [out[0], out[1], c] };
}

function build(seed) {
  const r = rng(seed);
  const input = [r.int(6, 15), r.int(6, 15), r.int(1, 3)];
  const x = tf.input({ shape: input });
  let y = x;
  let shape = input;
  const blocks = r.int(1, 3);
  for (let b = 0; b < blocks; b++) {
    let cv;
    while (!(cv = conv(r, shape)));
    if (r.next() < 0.2) { // two branches joined on the channel axis
      const other = tf.layers.conv2d({ filters: 2, kernelSize: 1, padding: 'same', strides: cv.layer.strides, activation: 'relu' }).apply(y);
      const sameStrides = { ...cv.layer, padding: 'same', dilationRate: [1, 1] };
      const main = tf.layers.conv2d(sameStrides).apply(y);
      y = tf.layers.concatenate({ axis: -1 }).apply([main, other]);
      shape = [Math.ceil(shape[0] / cv.layer.strides[0]), Math.ceil(shape[1] / cv.layer.strides[1]), cv.layer.filters + 2];
    } else {
      y = tf.layers.conv2d(cv.layer).apply(y);
      shape = cv.shape;
    }
    if (r.next() < 0.35) {
      y = tf.layers.batchNormalization({ epsilon: 1e-3 + 1e-2 * r.next(), center: r.next() < 0.8, scale: r.next() < 0.8 }).apply(y);
    }
    const act = r.int(0, 2);
    if (act === 1) y = tf.layers.reLU().apply(y);
    if (act === 2) y = tf.layers.activation({ activation: 'relu' }).apply(y);
    if (r.next() < 0.5) {
      const p = pool(r, shape);
      if (p) {
        y = (r.next() < 0.5 ? tf.layers.maxPooling2d(p.layer) : tf.layers.averagePooling2d(p.layer)).apply(y);
        shape = p.shape;
      }
    }
  }
  const head = r.int(0, 3);
  if (head === 0) y = tf.layers.globalAveragePooling2d({}).apply(y);
  else if (head === 1) y = tf.layers.globalMaxPooling2d({}).apply(y);
  else y = tf.layers.flatten().apply(y);
  if (r.next() < 0.5) {
    y = tf.layers.dense({ units: r.int(4, 20), activation: 'relu', useBias: r.next() < 0.8 }).apply(y);
    y = tf.layers.dropout({ rate: 0.25 }).apply(y);
  }
  const classes = r.int(2, 10);
  const softmax = r.int(0, 2);
  y = tf.layers.dense({ units: classes, activation: softmax === 1 ? 'softmax' : 'linear' }).apply(y);
  if (softmax === 2) y = tf.layers.softmax().apply(y);
  const m = tf.model({ inputs: x, outputs: y, name: `random${seed}` });
  // Seeded weights: He-like scale for kernels, positive variances and scales.
  m.setWeights(m.weights.map((w) => {
    const n = w.shape.reduce((p, d) => p * d, 1);
    const v = new Float32Array(n);
    const name = w.originalName ?? w.name;
    const fanIn = w.shape.length > 1 ? n / w.shape[w.shape.length - 1] : 1;
    for (let i = 0; i < n; i++) {
      const u = 2 * r.next() - 1;
      if (/moving_variance|gamma/.test(name)) v[i] = 0.5 + r.next();
      else if (/kernel/.test(name)) v[i] = u * Math.sqrt(3 / fanIn);
      else v[i] = 0.5 * u;
    }
    return tf.tensor(v, w.shape);
  }));
  return { m, input };
}

// quantize stores every float32 weight as uint8 or uint16 with a min and
// a scale per tensor, as tensorflowjs_converter --quantize_uint8/uint16
// does (value = q·scale + min).
function quantize(specs, data, dtype) {
  const levels = dtype === 'uint8' ? 255 : 65535;
  const Out = dtype === 'uint8' ? Uint8Array : Uint16Array;
  const parts = [];
  let at = 0;
  const qspecs = specs.map((spec) => {
    const n = spec.shape.reduce((p, d) => p * d, 1);
    const v = new Float32Array(data.slice(at, at + 4 * n));
    at += 4 * n;
    const min = Math.min(...v);
    const scale = (Math.max(...v) - min) / levels || 1;
    parts.push(new Uint8Array(Out.from(v, (x) => Math.round((x - min) / scale)).buffer));
    return { ...spec, quantization: { dtype, min, scale } };
  });
  const joined = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let k = 0;
  for (const p of parts) {
    joined.set(p, k);
    k += p.length;
  }
  return { specs: qspecs, data: joined.buffer };
}

const shapes = [];
for (let i = 0; i < count; i++) {
  let { m, input } = build(i + 1);
  const out = path.join(dir, String(i));
  fs.mkdirSync(out, { recursive: true });
  // Every fifth model is stored quantised, alternately uint8 and uint16, and
  // TensorFlow.js itself loads that file (tf.io.fromMemory) to predict.
  const quant = i % 5 === 4 ? ['uint8', 'uint16'][(i / 5) % 2 | 0] : null;
  let saved;
  await m.save(tf.io.withSaveHandler(async (artifacts) => {
    saved = artifacts;
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }));
  let { weightSpecs, weightData } = saved;
  if (quant) {
    ({ specs: weightSpecs, data: weightData } = quantize(weightSpecs, weightData, quant));
    m = await tf.loadLayersModel(tf.io.fromMemory({ modelTopology: saved.modelTopology, weightSpecs, weightData }));
  }
  fs.writeFileSync(path.join(out, 'model.json'), JSON.stringify({
    format: 'layers-model',
    generatedBy: `TensorFlow.js tfjs-layers v${tf.version.tfjs}`,
    convertedBy: null,
    modelTopology: saved.modelTopology,
    weightsManifest: [{ paths: ['weights.bin'], weights: weightSpecs }],
  }));
  fs.writeFileSync(path.join(out, 'weights.bin'), Buffer.from(weightData));
  const r = rng(1000 + i);
  const x = new Float32Array(batch * input[0] * input[1] * input[2]).map(() => 2 * r.next() - 1);
  const y = m.predict(tf.tensor(x, [batch, ...input]));
  const yd = y.dataSync();
  fs.writeFileSync(path.join(out, 'x.bin'), Buffer.from(x.buffer));
  fs.writeFileSync(path.join(out, 'y.bin'), Buffer.from(yd.buffer, yd.byteOffset, yd.byteLength));
  shapes.push(input);
}
process.stdout.write(JSON.stringify(shapes));
