// Browser test of the demo page's "Use your own model" section
// (site/app/byom.go) in headless Chromium, on dist/site (`make build`):
// an ONNX CNN (random seednet weights, written by `fm init` and exported by
// `fm export -format onnx`) picked with the file input, and a TensorFlow.js
// layers model (model.json + two shards, multi-file pick) show the summary
// that featuremap.js gives for the same file in Node and the top-k that
// ONNX Runtime Web and TensorFlow.js compute for the same uploaded image;
// a dropped model with a Sigmoid node, and a model.json without its
// shards, are refused with messages naming the node and op, or the file.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-web';
import { buildServe, launchChromium, noChromium, startServer, watch } from '../../wasm/js/testing/browser.mjs';
import { png } from '../../wasm/js/testing/models.mjs';
import { loadModule, rng } from '../../wasm/js/testing/reference.mjs';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const dist = join(repo, 'dist/site');

// image returns a w×h RGBA image of seeded random pixels, gray when gray,
// and its values as the page normalises them here (v / 255, HWC).
function image(w, h, c, seed) {
  const r = rng(seed);
  const rgba = new Uint8Array(4 * w * h);
  const x = new Float32Array(w * h * c);
  for (let i = 0; i < w * h; i++) {
    const v = [0, 1, 2].map(() => Math.floor(256 * r.next()));
    rgba.set(c === 1 ? [v[0], v[0], v[0], 255] : [...v, 255], 4 * i);
    for (let k = 0; k < c; k++) x[i * c + k] = v[k] / 255;
  }
  return { png: png(w, h, rgba), x };
}

// topK returns the k largest probabilities' indices, largest first.
const topK = (probs, k) => Array.from(probs.keys()).sort((a, b) => probs[b] - probs[a]).slice(0, k);

describe('the demo page: use your own model', { skip: noChromium }, () => {
  let tmp, server, browser, onnxFile, sigmoidFile, tfjsDir, tfModel;
  before(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'featuremap-byom-'));
    const root = join(tmp, 'root');
    cpSync(dist, root, { recursive: true });
    const fm = join(tmp, 'fm');
    execFileSync('go', ['build', '-o', fm, './tools/fm'], { cwd: repo, stdio: ['ignore', 'ignore', 'inherit'] });
    mkdirSync(join(root, 'models'), { recursive: true });
    for (const name of ['seednet', 'alexmnist']) { // the demo's models: random weights
      execFileSync(fm, ['init', '-arch', name, '-seed', '1', '-int8', join(root, 'models', `${name}.safetensors`)]);
    }
    const weights = join(tmp, 'cnn.safetensors');
    onnxFile = join(tmp, 'cnn.onnx');
    execFileSync(fm, ['init', '-arch', 'seednet', '-seed', '5', weights]);
    execFileSync(fm, ['export', '-format', 'onnx', weights, onnxFile]);
    // The same model with its Softmax node turned into a Sigmoid (same length).
    const bytes = readFileSync(onnxFile);
    const at = bytes.indexOf('\x22\x07Softmax', 0, 'latin1');
    assert.ok(at > 0, 'no Softmax op in the exported model');
    bytes.write('Sigmoid', at + 2, 'latin1');
    sigmoidFile = join(tmp, 'sigmoid.onnx');
    writeFileSync(sigmoidFile, bytes);

    // A Keras-style CNN on 8×8 RGB in TensorFlow.js, seeded, saved as
    // model.json + two shards.
    const r = rng(21);
    tfModel = tf.sequential({ name: 'rgbnet' });
    tfModel.add(tf.layers.conv2d({ inputShape: [8, 8, 3], filters: 6, kernelSize: 3, padding: 'same', activation: 'relu' }));
    tfModel.add(tf.layers.maxPooling2d({ poolSize: 2 }));
    tfModel.add(tf.layers.flatten());
    tfModel.add(tf.layers.dense({ units: 4, activation: 'softmax' }));
    tfModel.setWeights(tfModel.weights.map((w) => tf.tensor(new Float32Array(w.shape.reduce((p, d) => p * d, 1)).map(() => r.next() - 0.5), w.shape)));
    tfjsDir = join(tmp, 'tfjs');
    mkdirSync(tfjsDir);
    await tfModel.save(tf.io.withSaveHandler(async (a) => {
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
    server = await startServer(buildServe(tmp), root);
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    server?.proc.kill();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  // open opens the demo page and waits for its model.
  async function open() {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const problems = await watch(page);
    await page.goto(server.url);
    await page.waitForSelector('#app[data-state=ready]');
    return { context, page, problems };
  }

  // pick loads files into the section and waits for its state.
  async function pick(page, files, state) {
    await page.setInputFiles('#byom-file', files);
    await page.waitForSelector(`#byom[data-state=${state}]`);
  }

  // classify sets "resize, no invert, /255, mean 0, std 1", uploads an
  // image to the demo and returns the section's top-k after its next run.
  async function classify(page, imagePNG) {
    await page.selectOption('#byom-fit', 'stretch');
    await page.setChecked('#byom-invert', false);
    await page.fill('#byom-divide', '255');
    await page.fill('#byom-mean', '0');
    await page.fill('#byom-std', '1');
    const before = await page.locator('#byom').evaluate((e) => Number(e.dataset.predictions ?? 0));
    await page.setInputFiles('#upload', { name: 'input.png', mimeType: 'image/png', buffer: imagePNG });
    await page.waitForFunction((n) => Number(document.getElementById('byom').dataset.predictions ?? 0) > n, before);
    return page.locator('#byom-top li').evaluateAll((ls) => ls.map((l) => ({ index: Number(l.dataset.index), p: Number(l.dataset.p) })));
  }

  // summaryRows reads the section's summary table as [name, type, shape, params].
  const summaryRows = (page) => page.locator('#byom-summary tbody tr').evaluateAll((rows) => rows.map((r) => [...r.children].map((c) => c.textContent)));

  // expectSummary checks the table against featuremap.js's summary() of the same file in Node.
  async function expectSummary(page, load) {
    const { init } = await loadModule();
    const fm = await init();
    const model = await load(fm);
    const want = model.summary();
    model.dispose();
    const rows = await summaryRows(page);
    assert.deepEqual(rows.map((r) => [r[0], r[1], r[2], Number(r[5].replaceAll(',', ''))]),
      want.layers.map((l) => [l.name, l.type, l.outputShape.join('×'), l.params]));
    const total = await page.locator('#byom-summary tfoot td').last().textContent();
    assert.equal(Number(total.replaceAll(',', '')), want.totalParams);
  }

  // expectTop checks the page's top-k against a peer's probabilities.
  function expectTop(got, probs) {
    assert.deepEqual(got.map((t) => t.index), topK(probs, got.length));
    for (const t of got) {
      assert.ok(Math.abs(t.p - probs[t.index]) <= 1e-4, `p[${t.index}] = ${t.p}, peer ${probs[t.index]}`);
    }
  }

  it('an ONNX CNN: summary as featuremap.js, top-k as ONNX Runtime Web', async () => {
    const { context, page, problems } = await open();
    await pick(page, onnxFile, 'ready');
    assert.match(await page.textContent('#byom-status'), /ready: input 28×28×1/);
    assert.equal(await page.inputValue('#byom-fit'), 'digit'); // the 28×28×1 defaults
    assert.equal(await page.isChecked('#byom-invert'), true);
    await expectSummary(page, (fm) => fm.loadModel(new Uint8Array(readFileSync(onnxFile))));
    const { png: img, x } = image(28, 28, 1, 3);
    const got = await classify(page, img);
    assert.equal(got.length, 5);
    ort.env.wasm.numThreads = 1;
    const session = await ort.InferenceSession.create(readFileSync(onnxFile));
    const out = await session.run({ [session.inputNames[0]]: new ort.Tensor('float32', x, [1, 1, 28, 28]) });
    expectTop(got, out[session.outputNames[0]].data);
    await session.release();
    assert.ok(await page.locator('#byom .fm-tiles').count() >= 3, 'feature maps of the layers');
    assert.deepEqual(problems, []);
    await context.close();
  });

  it('a TensorFlow.js model.json with two shards: summary as featuremap.js, top-k as TensorFlow.js', async () => {
    const { context, page, problems } = await open();
    const files = ['model.json', 'shard1.bin', 'shard2.bin'].map((f) => join(tfjsDir, f));
    await pick(page, [files[0]], 'error'); // the shards are missing
    assert.match(await page.textContent('#byom-status'), /model\.json needs its weight file shard1\.bin/);
    await pick(page, files, 'ready');
    assert.match(await page.textContent('#byom-status'), /^rgbnet \(model\.json\) ready: input 8×8×3/);
    assert.equal(await page.inputValue('#byom-mean'), '0.485, 0.456, 0.406'); // the ×3 defaults
    const weights = { 'shard1.bin': readFileSync(files[1]), 'shard2.bin': readFileSync(files[2]) };
    await expectSummary(page, (fm) => fm.loadModel(readFileSync(files[0]), { weights }));
    const { png: img, x } = image(8, 8, 3, 4);
    const got = await classify(page, img);
    assert.equal(got.length, 4);
    expectTop(got, tfModel.predict(tf.tensor(x, [1, 8, 8, 3])).dataSync());
    assert.deepEqual(problems, []);
    await context.close();
  });

  it('refuses a dropped model with a Sigmoid node, naming the node and op', async () => {
    const { context, page, problems } = await open();
    const bytes = [...readFileSync(sigmoidFile)];
    await page.evaluate((b) => {
      const dt = new DataTransfer();
      dt.items.add(new File([new Uint8Array(b)], 'sigmoid.onnx'));
      document.querySelector('.fm-byom-zone').dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
    }, bytes);
    await page.waitForSelector('#byom[data-state=error]');
    assert.match(await page.textContent('#byom-status'), /^Cannot run sigmoid\.onnx: loadModel: cannot convert the ONNX model \(\d+ bytes\): onnx: node "[^"]+" \(Sigmoid\): op Sigmoid is not supported/);
    assert.deepEqual(problems, []);
    await context.close();
  });
});
