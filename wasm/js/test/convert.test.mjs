// fm.loadModel accepts an ONNX model as it accepts a weight file (format
// told by content, not by name): seednet with random weights, written by
// `fm init` and exported by `fm export -format onnx`, loads from the .onnx
// bytes and from a path with a misleading name, has the same summary, and
// predicts what ONNX Runtime Web computes from the same .onnx file.
// A TensorFlow.js layers model saved with tf.io.withSaveHandler (weights
// split over two shards) loads by path, fetching its shards beside it, and
// from bytes with options.weights, also in worker mode, and predicts what
// TensorFlow.js predicts. Run after `make build`.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { loadModule, rng } from '../testing/reference.mjs';
import { makeModels } from '../testing/models.mjs';

const { init } = await loadModule();
const models = makeModels();
after(() => models.remove());

const onnxFile = join(models.dir, 'seednet.onnx');
execFileSync(join(models.dir, 'fm'), ['export', '-format', 'onnx', models.files.float32, onnxFile]);
const disguised = join(models.dir, 'seednet.bin');
copyFileSync(onnxFile, disguised);

for (const simd of [false, true]) {
  describe(`loadModel of an ONNX file, simd: ${simd}`, () => {
    let fm;
    before(async () => {
      fm = await init({ simd });
    });

    it('has the summary of the weight file it was exported from', async () => {
      const fromOnnx = await fm.loadModel(new Uint8Array(readFileSync(onnxFile)));
      const fromFile = await fm.loadModel(models.files.float32);
      assert.equal(fromOnnx.name, 'seednet');
      assert.deepEqual(fromOnnx.labels, fromFile.labels);
      assert.deepEqual(fromOnnx.inputShape, [28, 28, 1]);
      assert.deepEqual(fromOnnx.summary(), fromFile.summary());
      fromOnnx.dispose();
      fromFile.dispose();
    });

    it('predicts what ONNX Runtime Web computes', async () => {
      const model = await fm.loadModel(disguised);
      const ort = await import('onnxruntime-web');
      ort.env.wasm.numThreads = 1;
      const session = await ort.InferenceSession.create(readFileSync(onnxFile));
      const r = rng(7);
      for (let k = 0; k < 4; k++) {
        const x = new Float32Array(784).map(() => r.next());
        const want = (await session.run({ input: new ort.Tensor('float32', x, [1, 1, 28, 28]) })).output.data;
        const { probs } = await model.predict({ shape: [1, 28, 28, 1], data: x });
        for (let i = 0; i < want.length; i++) {
          assert.ok(Math.abs(probs[i] - want[i]) <= 1e-5, `probs[${i}] = ${probs[i]}, ORT ${want[i]}`);
        }
      }
      await session.release();
      model.dispose();
    });

    it('names the node, op and attribute it cannot convert', async () => {
      const bytes = new Uint8Array(readFileSync(onnxFile));
      // Rename the op of the first node: "Conv" → "Cosh" (same length).
      const text = Buffer.from(bytes).toString('latin1');
      const at = text.indexOf('\x22\x04Conv');
      assert.ok(at > 0);
      bytes.set(Buffer.from('Cosh', 'latin1'), at + 2);
      await assert.rejects(fm.loadModel(bytes), /loadModel: .*node "conv1" \(Cosh\): op Cosh is not supported/);
    });
  });
}

// A small Keras-style CNN in TensorFlow.js with seeded weights, saved as
// DIR/tfjs/model.json + two shards.
const tfjsDir = join(models.dir, 'tfjs');
const tfModel = (() => {
  const r = rng(11);
  const m = tf.sequential({ name: 'tiny' });
  m.add(tf.layers.conv2d({ inputShape: [8, 8, 2], filters: 4, kernelSize: 3, padding: 'same', activation: 'relu' }));
  m.add(tf.layers.batchNormalization({}));
  m.add(tf.layers.maxPooling2d({ poolSize: 2 }));
  m.add(tf.layers.flatten());
  m.add(tf.layers.dense({ units: 5, activation: 'softmax' }));
  m.setWeights(m.weights.map((w) => tf.tensor(new Float32Array(w.shape.reduce((p, d) => p * d, 1)).map(() => 0.5 + r.next()), w.shape)));
  return m;
})();
await tfModel.save(tf.io.withSaveHandler(async (a) => {
  const { mkdirSync } = await import('node:fs');
  mkdirSync(tfjsDir, { recursive: true });
  const data = new Uint8Array(a.weightData);
  const half = Math.floor(data.length / 2);
  writeFileSync(join(tfjsDir, 'shard1.bin'), data.subarray(0, half));
  writeFileSync(join(tfjsDir, 'shard2.bin'), data.subarray(half));
  writeFileSync(join(tfjsDir, 'model.json'), JSON.stringify({
    format: 'layers-model', modelTopology: a.modelTopology,
    weightsManifest: [{ paths: ['shard1.bin', 'shard2.bin'], weights: a.weightSpecs }],
  }));
  return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
}));

for (const worker of [false, true]) {
  describe(`loadModel of a TensorFlow.js model.json, worker: ${worker}`, () => {
    let fm;
    before(async () => {
      fm = await init({ worker });
    });
    after(() => fm.terminate?.());

    it('loads by path (shards beside it) and from bytes, and predicts what TensorFlow.js predicts', async () => {
      const byPath = await fm.loadModel(join(tfjsDir, 'model.json'));
      const byBytes = await fm.loadModel(readFileSync(join(tfjsDir, 'model.json')), {
        weights: { 'shard1.bin': readFileSync(join(tfjsDir, 'shard1.bin')), 'shard2.bin': readFileSync(join(tfjsDir, 'shard2.bin')) },
      });
      assert.equal(byPath.name, 'tiny');
      assert.deepEqual(byPath.inputShape, [8, 8, 2]);
      assert.equal(byPath.summary().totalParams, tfModel.countParams());
      const r = rng(12);
      const x = new Float32Array(128).map(() => 2 * r.next() - 1);
      const want = tfModel.predict(tf.tensor(x, [1, 8, 8, 2])).dataSync();
      for (const model of [byPath, byBytes]) {
        const { probs } = await model.predict({ shape: [1, 8, 8, 2], data: x });
        for (let i = 0; i < want.length; i++) {
          assert.ok(Math.abs(probs[i] - want[i]) <= 1e-5, `probs[${i}] = ${probs[i]}, TF.js ${want[i]}`);
        }
        model.dispose();
      }
    });

    it('says which weight file is missing', async () => {
      await assert.rejects(fm.loadModel(readFileSync(join(tfjsDir, 'model.json'))), /needs its weight file 'shard1.bin'/);
      await assert.rejects(fm.loadModel(readFileSync(join(tfjsDir, 'model.json')), { weights: { 'shard1.bin': new Uint8Array(3) } }),
        /needs its weight file 'shard2.bin'/);
      await assert.rejects(fm.loadModel(readFileSync(onnxFile), { weights: {} }), /weights is only for a TensorFlow.js model.json/);
    });
  });
}
