// model.inspect (what the network sees, the preprocessing report and the
// confidence verdict) and activations()' input layer, in Node, on both
// builds and in worker mode: against `fm predict -json` on the same PNG
// (the native Go pipeline: image decoding, model/preprocess,
// model/confidence), and against properties worked out here that do not
// come from the engine: MNIST's normalisation puts the ink's centre of
// mass at the field's centre in a 20-pixel box; a dot, a flat line and two
// digits side by side are not one digit; the verdict's margin is the top
// probability minus the second. Run after `make build`.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadModule } from '../testing/reference.mjs';
import { makeModels, png, drawnSeven } from '../testing/models.mjs';

const { init } = await loadModule();
const models = makeModels();
after(() => models.remove());

const repo = fileURLToPath(new URL('../../../', import.meta.url));
const trained = join(repo, 'site/models/alexmnist.safetensors');

// page returns white RGBA pixels of w×h with ink(x, y) (0 to 1) drawn black.
function page(w, h, ink) {
  const data = new Uint8ClampedArray(w * h * 4);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const v = Math.round(255 * (1 - ink(x, y)));
      data.set([v, v, v, 255], 4 * (y * w + x));
    }
  }
  return { width: w, height: h, data };
}

const seven = drawnSeven();
const twoSevens = (() => {
  const one = drawnSeven(56, 56, { opaque: true });
  return page(112, 56, (x, y) => 1 - one.data[4 * (y * 56 + (x % 56))] / 255);
})();
// name → [pixels, the finding it must carry or null]
const IMAGES = {
  seven: [seven, null],
  dot: [page(60, 60, (x, y) => (Math.abs(x - 30) < 3 && Math.abs(y - 30) < 3 ? 1 : 0)), 'dot'],
  line: [page(120, 80, (x, y) => (x >= 20 && x < 100 && y >= 38 && y < 44 ? 1 : 0)), 'line'],
  pair: [twoSevens, 'several'],
};
const pngs = Object.fromEntries(Object.entries(IMAGES).map(([name, [img]]) => {
  const file = join(models.dir, `${name}.png`);
  writeFileSync(file, png(img.width, img.height, img.data));
  return [name, file];
}));

// fmInspect is `fm predict -json`: the native pipeline's result.
const fmBin = join(models.dir, 'fm');
const fmInspect = (file, image) => JSON.parse(execFileSync(fmBin, ['predict', '-json', '-model', file, image], { encoding: 'utf8', maxBuffer: 1 << 24 }));

function assertClose(got, want, tol, what) {
  assert.equal(got.length, want.length, `${what}: length`);
  for (let i = 0; i < want.length; i++) {
    if (!(Math.abs(got[i] - want[i]) <= tol)) {
      assert.fail(`${what}[${i}] = ${got[i]}, want ${want[i]} ± ${tol}`);
    }
  }
}

// inkGeometry is the centre of mass, in pixel indices, and the bounding
// box's longer side of a 28×28 field's ink (values above a tenth of the
// largest).
function inkGeometry(field) {
  const max = Math.max(...field);
  let [m, mx, my] = [0, 0, 0];
  let [x0, y0, x1, y1] = [28, 28, -1, -1];
  field.forEach((v, i) => {
    const [x, y] = [i % 28, Math.floor(i / 28)];
    m += v;
    mx += v * x;
    my += v * y;
    if (v > max / 10) {
      [x0, y0, x1, y1] = [Math.min(x0, x), Math.min(y0, y), Math.max(x1, x), Math.max(y1, y)];
    }
  });
  return { cx: mx / m, cy: my / m, side: Math.max(x1 - x0, y1 - y0) + 1 };
}

// checkVerdict recomputes the verdict from its definition: the margin is
// the largest probability minus the second; the reasons are the report's
// not-a-digit findings, then 'uncertain' under minMargin.
function checkVerdict(r, what) {
  const sorted = [...r.probs].sort((a, b) => b - a);
  const v = r.verdict;
  assert.ok(Math.abs(v.margin - (sorted[0] - sorted[1])) < 1e-6, `${what}: margin ${v.margin}`);
  assert.equal(v.p, sorted[0], `${what}: p`);
  assert.equal(v.index, r.top[0].index, `${what}: index`);
  assert.equal(v.minMargin, 0.6);
  const reasons = (r.report?.flags ?? []).filter((f) => ['blank', 'dot', 'line', 'several'].includes(f));
  if (v.margin < v.minMargin) reasons.push('uncertain');
  assert.deepEqual(v.reasons, reasons, what);
  assert.equal(v.digit, reasons.length === 0, what);
}

const files = { 'seednet (random, int8)': models.files.int8 };
if (existsSync(trained)) {
  files['alexmnist (trained)'] = trained;
}

for (const [modelName, file] of Object.entries(files)) {
  for (const worker of [false, true]) {
    for (const simd of worker ? [true] : [false, true]) {
      describe(`inspect: ${modelName}, simd: ${simd}, worker: ${worker}`, () => {
        let fm, model;
        before(async () => {
          fm = await init({ simd, worker });
          model = await fm.loadModel(file);
        });
        after(() => fm.terminate?.());

        it('gives fm predict -json\'s input, report and verdict, and predict\'s probabilities', async () => {
          for (const [name, [img, finding]] of Object.entries(IMAGES)) {
            const want = fmInspect(file, pngs[name]);
            const got = await model.inspect(img, { topK: 3 });
            assert.deepEqual(Object.keys(got).sort(), ['input', 'probs', 'report', 'top', 'verdict']);
            assert.deepEqual(got.probs, (await model.predict(img)).probs, `${name}: probs equal predict's`);
            // fm is built without SIMD: its kernels sum in another order
            // than the SIMD build's (and F(4×4) Winograd's transforms
            // amplify float32 roundings), ~1e-6 apart after eight layers.
            assertClose(got.probs, want.probs, 1e-5, `${name}: probs`);
            assert.equal(got.top.length, 3);
            assert.deepEqual(got.input.shape, [28, 28, 1]);
            assert.ok(got.input.data instanceof Float32Array);
            assertClose(got.input.data, want.input, 1e-6, `${name}: input`);
            assert.deepEqual(got.report, want.report, name);
            for (const k of ['digit', 'reasons', 'index', 'label', 'minMargin']) {
              assert.deepEqual(got.verdict[k], want.verdict[k], `${name}: verdict.${k}`);
            }
            assertClose([got.verdict.p, got.verdict.margin, got.verdict.entropy], [want.verdict.p, want.verdict.margin, want.verdict.entropy], 1e-5, `${name}: verdict`);
            checkVerdict(got, name);
            if (finding) {
              assert.ok(got.report.flags.includes(finding), `${name}: flags ${got.report.flags}, want ${finding}`);
              assert.equal(got.verdict.digit, false, `${name} is not a digit`);
            }
            // activations' first entry is the same input.
            const [input, first] = await model.activations(img);
            assert.deepEqual([input.name, input.type, input.shape], ['input', 'input', [1, 28, 28, 1]]);
            assert.deepEqual(input.data, got.input.data, `${name}: activations()[0]`);
            assert.equal(first.name, model.summary().layers[0].name);
          }
        });

        it('centres a drawn digit by mass in a 20-pixel box, as MNIST was made', async () => {
          const { input, report } = await model.inspect(seven);
          const { cx, cy, side } = inkGeometry(input.data);
          // Within half a pixel of pixel (14, 14), where MNIST's digits have theirs.
          const near = (c) => c >= 13.5 - 1e-6 && c < 14.5 + 1e-6;
          assert.ok(near(cx) && near(cy), `centre of mass (${cx}, ${cy})`);
          assert.ok(side >= 19 && side <= 21, `ink box ${side} pixels`);
          assert.deepEqual([report.width, report.height, report.lightPaper], [56, 56, false]); // ink is opacity on a transparent canvas
        });

        it('gives no report for a tensor, and the tensor as the input', async () => {
          const x = new Float32Array(784).map((_, i) => (i % 11) / 11);
          for (const input of [x, { shape: [1, 28, 28, 1], data: x }]) {
            const got = await model.inspect(input);
            assert.equal(got.report, null);
            assert.deepEqual(Array.from(got.input.data), Array.from(x));
            assert.deepEqual(got.probs, (await model.predict(x)).probs);
            checkVerdict(got, 'tensor');
          }
        });

        it('rejects bad arguments naming them; the model keeps working', async () => {
          await assert.rejects(model.inspect('seven.png'), { message: /^inspect: input must be a tensor/ });
          await assert.rejects(model.inspect(new Float32Array(3)), { message: /^inspect: input is a Float32Array of 3 values, want 784/ });
          await assert.rejects(model.inspect(seven, { topK: 0 }), { message: 'inspect: topK must be a positive integer, got 0' });
          await assert.rejects(model.inspect(seven, { report: true }), { message: "inspect: unknown option 'report' (known: topK)" });
          await assert.rejects(model.inspect({ width: 2, height: 2, data: new Uint8ClampedArray(3) }), { message: /^inspect: input\.data has 3 bytes, but 2×2 RGBA pixels need 16/ });
          assert.equal((await model.inspect(seven)).probs.length, 10);
        });
      });
    }
  }
}
