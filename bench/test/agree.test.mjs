// featuremap agrees with TensorFlow.js (wasm backend) and ONNX Runtime Web
// on the same weight files: the peers' models are built by the bench
// (bench/tfjs.mjs, bench/onnx.mjs) from the int8 weights of `fm init`,
// dequantised exactly as featuremap does, so the engines differ only in
// float32 summation order.
//
// Tolerance on the probabilities: a length-K dot product summed in another
// order differs by about sqrt(K)·u relative (u = 2^-24; the worst-case
// bound is K·u), i.e. ≤ 6.7e-6 for the longest reduction here (seednet's
// fc, K = 12,544), and softmax moves a probability by at most half the
// largest change of a logit; the logits of these random-weight models are
// O(1). TOL = 1e-5 is above that and about 8× above the largest difference
// measured (1.2e-6, seednet featuremap − TF.js), yet below what a real
// translation mistake causes: ONNX LRN with alpha not multiplied by the
// window size (design.md, "Numerics contract") moves alexmnist's
// probabilities by 2e-5 to 6e-5 on these inputs, which the last test
// checks still fails.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { loadORT, open } from '../engines.mjs';
import { buildORT } from '../ort.mjs';
import { randomInputs, readWeightFile } from '../weights.mjs';

const TOL = 1e-5;
const INPUTS = 3;
const repo = fileURLToPath(new URL('../../', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'featuremap-agree-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** weightFile writes `fm init -arch arch -seed 1 -int8` once and returns its bytes. */
function weightFile(arch) {
  const file = join(dir, `${arch}.safetensors`);
  if (!existsSync(file)) {
    execFileSync('go', ['run', './tools/fm', 'init', '-arch', arch, '-seed', '1', '-int8', file], { cwd: repo, stdio: ['ignore', 'ignore', 'inherit'] });
  }
  return readFileSync(file);
}

const maxAbsDiff = (a, b) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);

for (const arch of ['seednet', 'alexmnist']) {
  describe(arch, () => {
    let bytes;
    let xs;
    const probs = {};
    before(async () => {
      bytes = weightFile(arch);
      xs = randomInputs(readWeightFile(bytes).arch, INPUTS, 11);
      for (const engine of ['featuremap', 'tfjs', 'ort']) {
        const m = await open(engine, bytes);
        probs[engine] = [];
        for (const x of xs) probs[engine].push(Float32Array.from(await m.predict(x)));
        if (m.pool) probs.pool = await m.pool(xs);
        m.dispose();
      }
    });

    test('featuremap\'s pool (model.predictBatch) matches its predict', (t) => {
      if (!probs.pool) {
        t.skip('the model API has no predictBatch yet');
        return;
      }
      xs.forEach((_, i) => {
        const d = maxAbsDiff(probs.featuremap[i], probs.pool[i]);
        assert.ok(d <= TOL, `input ${i}: max |predictBatch − predict| = ${d.toExponential(2)}`);
      });
    });

    test('featuremap gives distinct distributions for distinct inputs', () => {
      for (const p of probs.featuremap) {
        assert.equal(p.length, 10);
        assert.ok(Math.abs(p.reduce((s, v) => s + v, 0) - 1) < 1e-5, `probabilities sum to ${p.reduce((s, v) => s + v, 0)}`);
      }
      assert.ok(maxAbsDiff(probs.featuremap[0], probs.featuremap[1]) > 100 * TOL, 'two inputs gave (nearly) the same output: the comparison would prove little');
    });

    for (const peer of ['tfjs', 'ort']) {
      test(`featuremap matches ${peer} within ${TOL}`, () => {
        xs.forEach((_, i) => {
          const d = maxAbsDiff(probs.featuremap[i], probs[peer][i]);
          assert.ok(d <= TOL, `input ${i}: max |featuremap − ${peer}| = ${d.toExponential(2)} > ${TOL}\nfeaturemap ${probs.featuremap[i]}\n${peer} ${probs[peer][i]}`);
        });
      });
    }
  });
}

test('the tolerance catches ONNX LRN with an unconverted alpha (alexmnist)', async () => {
  const model = readWeightFile(weightFile('alexmnist'));
  const lrns = model.layers.filter((l) => l.type === 'lrn');
  assert.ok(lrns.length > 0);
  const xs = randomInputs(model.arch, INPUTS, 11);
  const ort = await loadORT();
  const right = await buildORT(ort, model);
  // The ONNX attribute becomes TF's alpha itself: the conversion forgotten.
  lrns.forEach((l) => { l.alpha /= 2 * l.depth_radius + 1; });
  const wrong = await buildORT(ort, model);
  for (const x of xs) {
    const d = maxAbsDiff(await right.predict(x), await wrong.predict(x));
    assert.ok(d > TOL, `the LRN mistake moved the probabilities by only ${d.toExponential(2)} ≤ ${TOL}`);
  }
});
