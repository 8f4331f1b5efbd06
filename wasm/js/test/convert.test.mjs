// fm.loadModel accepts an ONNX model as it accepts a weight file (format
// told by content, not by name): seednet with random weights, written by
// `fm init` and exported by `fm export -format onnx`, loads from the .onnx
// bytes and from a path with a misleading name, has the same summary, and
// predicts what ONNX Runtime Web computes from the same .onnx file.
// Run after `make build`.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
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
