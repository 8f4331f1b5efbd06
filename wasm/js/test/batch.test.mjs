// model.predictBatch: a batch spread over a pool of engine workers
// (worker_threads here; Web Workers in browser.test.mjs) gives, input by
// input, what model.predict gives on the same engine build, up to float32
// rounding (batches run the GEMM, single examples the GEMV, which applies an
// int8 layer's scale after the sum rather than to each weight); errors
// name the input; disposing the model stops its pool. Models: seednet and
// alexmnist (grouped convolutions, LRN) with random int8 weights from
// `fm init`.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadModule, rng } from '../testing/reference.mjs';

const repo = fileURLToPath(new URL('../../../', import.meta.url));
const { init } = await loadModule();

const dir = mkdtempSync(join(tmpdir(), 'featuremap-batch-'));
const file = (arch) => {
  const path = join(dir, `${arch}.int8.safetensors`);
  execFileSync('go', ['run', './tools/fm', 'init', '-arch', arch, '-seed', '1', '-int8', path], { cwd: repo, stdio: ['ignore', 'ignore', 'inherit'] });
  return path;
};
const files = { seednet: file('seednet'), alexmnist: file('alexmnist') };
after(() => rmSync(dir, { recursive: true, force: true }));

// inputs returns n inputs of every kind predict takes: Float32Arrays,
// tensors of both shapes and RGBA pixels of several sizes (resized by the
// engine).
function inputs(n, seed) {
  const r = rng(seed);
  return Array.from({ length: n }, (_, i) => {
    const x = new Float32Array(784).map(() => r.next() * 2 - 1);
    switch (i % 4) {
      case 0: return x;
      case 1: return { shape: [28, 28, 1], data: x };
      case 2: return { shape: [1, 28, 28, 1], data: x };
    }
    const [width, height] = [20 + (i % 13), 30 + (i % 7)];
    return { width, height, data: new Uint8ClampedArray(width * height * 4).map(() => r.int(0, 255)) };
  });
}

// assertClose checks that a predictBatch result equals predict's within
// 1e-5 per probability: each logit of the two summation orders is within
// γ(K)·Σ|terms| of the exact value (K ≤ 12,544 here, a few 1e-4 relative
// at worst, far less in practice), and softmax moves a probability by at
// most half its logits' change. The top classes must be the same.
function assertClose(got, want, what) {
  assert.equal(got.probs.length, want.probs.length, what);
  for (const [j, p] of want.probs.entries()) {
    assert.ok(Math.abs(got.probs[j] - p) <= 1e-5, `${what}: probs[${j}] ${got.probs[j]}, predict gives ${p}`);
  }
  assert.deepEqual(got.top.map((t) => [t.index, t.label]), want.top.map((t) => [t.index, t.label]), what);
}

for (const worker of [false, true]) {
  describe(`predictBatch, worker: ${worker}`, () => {
    let fm;
    before(async () => {
      fm = await init({ worker });
    });

    for (const [arch, path] of Object.entries(files)) {
      it(`${arch}: equals predict input by input, in input order`, async () => {
        const model = await fm.loadModel(readFileSync(path), { workers: 2 });
        const xs = inputs(37, 1); // chunks of 8 and a remainder
        const got = await model.predictBatch(xs);
        assert.equal(got.length, xs.length);
        for (const [i, x] of xs.entries()) {
          assertClose(got[i], await model.predict(x), `input ${i}`);
        }
        const top2 = await model.predictBatch(xs.slice(0, 3), { topK: 2 });
        assert.deepEqual(top2.map((y) => y.top.length), [2, 2, 2]);
        assert.deepEqual(await model.predictBatch([]), []);
        model.dispose();
      });
    }

    it('names the bad input in errors; the pool keeps working', async () => {
      const model = await fm.loadModel(files.seednet, { workers: 2 });
      const xs = inputs(6, 2);
      const cases = [
        [[...xs.slice(0, 4), new Float32Array(783), xs[5]], /^predictBatch: inputs\[4\]: input is a Float32Array of 783 values, want 784 \(inputShape \[28, 28, 1\]\)$/],
        [[xs[0], 'digit.png'], /^predictBatch: inputs\[1\]: input must be a tensor \{ shape, data: Float32Array \}, a Float32Array of 784 values or an image, got 'digit\.png'$/],
        [[{ width: 2, height: 2, data: new Uint8ClampedArray(15) }], /^predictBatch: inputs\[0\]: input\.data has 15 bytes, but 2×2 RGBA pixels need 16$/],
        [[xs[0], { shape: [28, 28], data: xs[0] }], /^predictBatch: inputs\[1\]: input\.shape must be \[28, 28, 1\] or \[1, 28, 28, 1\] \(one example\), got \[28, 28\]$/],
        [xs[0], /^predictBatch: inputs must be an array of inputs, got Float32Array$/],
        // Own properties only, as everywhere in the API.
        [[Object.create({ data: xs[0] }, { shape: { value: [28, 28, 1], enumerable: true } })], /^predictBatch: inputs\[0\]: input\.data must be a Float32Array, got undefined$/],
      ];
      for (const [batch, message] of cases) {
        await assert.rejects(model.predictBatch(batch), { message });
      }
      await assert.rejects(model.predictBatch(xs, { topK: 0 }), { message: 'predictBatch: topK must be a positive integer, got 0' });
      await assert.rejects(model.predictBatch(xs, { topk: 1 }), { message: "predictBatch: unknown option 'topk' (known: topK)" });
      assert.deepEqual(await model.predictBatch(xs), await Promise.all(xs.map((x) => model.predict(x))));
      model.dispose();
      await assert.rejects(model.predictBatch(xs), { message: 'predictBatch: model is disposed (load it again to use it)' });
    });
  });
}

describe('loadModel workers option', () => {
  it('must be an integer from 1 to 64', async () => {
    const fm = await init();
    for (const workers of [0, 1.5, '2', 65]) {
      await assert.rejects(fm.loadModel(files.seednet, { workers }), { message: `loadModel: workers must be an integer from 1 to 64, got ${workers}` });
    }
  });
});
