// The model API (fm.loadModel, model.summary/predict/activations/weights/
// dispose) in Node, on both builds and in worker mode, against the native Go
// engine: seednet with random weights written by `fm init`, whose summary
// must equal `fm summary`'s, whose outputs and parameters must equal those
// of the same file loaded natively (wasm/internal/modelref, `fm predict`).
// Run after `make build`.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadModule, rng } from '../testing/reference.mjs';
import { makeModels, png, drawnSeven } from '../testing/models.mjs';

const { init, fetchModelFile } = await loadModule();
const models = makeModels();
after(() => models.remove());

const { files } = models;
const randomInput = (seed) => {
  const r = rng(seed);
  return new Float32Array(784).map(() => r.next());
};

// assertClose checks every got[i] against want[i] within tol.
function assertClose(got, want, tol, what) {
  assert.equal(got.length, want.length, `${what}: length`);
  for (let i = 0; i < want.length; i++) {
    if (!(Math.abs(got[i] - want[i]) <= tol)) {
      assert.fail(`${what}[${i}] = ${got[i]}, want ${want[i]} ± ${tol}`);
    }
  }
}

// The image both sides see: a drawn 7 on a transparent canvas, as a PNG
// for `fm predict` and as pixels for model.predict.
const seven = drawnSeven();
const sevenPNG = join(models.dir, 'seven.png');
writeFileSync(sevenPNG, png(seven.width, seven.height, seven.data));

for (const simd of [false, true]) {
  for (const [kind, file] of Object.entries(files)) {
    describe(`seednet ${kind}, simd: ${simd}`, () => {
      let fm, model;
      before(async () => {
        fm = await init({ simd });
        model = await fm.loadModel(file);
      });

      it('has the name, labels, input shape and summary of fm summary', () => {
        assert.equal(model.name, 'seednet');
        assert.deepEqual(model.labels, ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
        assert.deepEqual(model.inputShape, [28, 28, 1]);
        const want = models.summary(file);
        const got = model.summary();
        assert.deepEqual(got.layers, want.layers);
        assert.deepEqual([got.totalParams, got.weights, got.biases], [want.totalParams, want.weights, want.biases]);
        assert.equal(got.totalParams, 126090); // the seed's count (design.md)
        got.layers.length = 0; // a copy: the model's summary is unchanged
        assert.equal(model.summary().layers.length, want.layers.length);
      });

      it('predicts and shows activations as the native engine does', async () => {
        const x = randomInput(7);
        const want = models.reference(file, x);
        const got = await model.predict(x);
        // Same weights and input; the builds differ only in summation order.
        assertClose(got.probs, want.probs, 1e-6, 'probs');
        const order = [...want.probs.keys()].sort((a, b) => want.probs[b] - want.probs[a]);
        assert.deepEqual(got.top.map((t) => t.index), order.slice(0, 5));
        for (const t of got.top) {
          assert.deepEqual(t, { index: t.index, label: String(t.index), p: got.probs[t.index] });
        }
        assert.equal((await model.predict(x, { topK: 10 })).top.length, 10);

        const [input, ...acts] = await model.activations({ shape: [1, 28, 28, 1], data: x });
        // First the network's input, as given (a tensor is not preprocessed).
        assert.deepEqual({ ...input, data: Array.from(input.data) }, { name: 'input', type: 'input', shape: [1, 28, 28, 1], data: Array.from(x) });
        const shapes = models.summary(file).layers.map((l) => [1, ...l.outputShape]);
        assert.deepEqual(acts.map((a) => a.shape), shapes);
        assert.deepEqual(acts.map(({ name, type, shape }) => ({ name, type, shape })),
          want.activations.map(({ name, type, shape }) => ({ name, type, shape })));
        acts.forEach((a, i) => {
          assert.ok(a.data instanceof Float32Array);
          const ref = want.activations[i].data;
          const scale = Math.max(...ref.map(Math.abs));
          assertClose(a.data, ref, 1e-5 * scale, a.name);
        });
        assertClose(acts.at(-1).data, got.probs, 0, 'the last activation vs probs');
      });

      it('gives every layer\'s parameters as the native engine loads them', () => {
        const params = models.reference(file, randomInput(1)).params;
        const withWeights = model.summary().layers.filter((l) => l.weights > 0);
        assert.deepEqual(withWeights.map((l) => l.name), ['conv1', 'fc']);
        for (const { name, weights, biases } of withWeights) {
          const got = model.weights(name); // synchronous, as summary()
          const [w, b] = [`${name}.weight`, `${name}.bias`].map((n) => params.find((p) => p.name === n));
          assert.ok(got.weight.data instanceof Float32Array && got.bias.data instanceof Float32Array, name);
          assert.deepEqual(got.weight.shape, w.shape, name);
          assert.deepEqual(got.bias.shape, b.shape, name);
          assert.equal(got.weight.data.length, weights, name);
          assert.equal(got.bias.data.length, biases, name);
          assertClose(got.weight.data, w.data, 0, `${name}.weight`);
          assertClose(got.bias.data, b.data, 0, `${name}.bias`);
          // A copy: changing it leaves the model's weights alone.
          got.weight.data.fill(0);
          assertClose(model.weights(name).weight.data, w.data, 0, `${name}.weight again`);
        }
        assert.deepEqual(model.weights('conv1').weight.shape, [3, 3, 1, 64]); // HWIO
      });

      it('predicts on an image as fm predict does', async () => {
        const want = models.predict(file, sevenPNG);
        const got = await model.predict(seven);
        // fm prints 4 decimals.
        assert.deepEqual(got.top.map((t) => t.label), want.map((t) => t.label));
        assertClose(got.top.map((t) => t.p), want.map((t) => t.p), 5e-5 + 1e-6, 'top p');
        // A Node Buffer of the same pixels is the same image.
        const again = await model.predict({ ...seven, data: Buffer.from(seven.data) });
        assert.deepEqual(again.probs, got.probs);
      });
    });
  }
}

describe('loadModel sources', () => {
  let fm, server, base, served;
  const bytes = readFileSync(files.int8);
  before(async () => {
    fm = await init();
    served = 0;
    server = createServer((req, res) => {
      if (req.url !== '/seednet.int8.safetensors') {
        res.writeHead(404).end();
        return;
      }
      served++;
      res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': bytes.length });
      // Two chunks, so that progress is reported in between.
      res.write(bytes.subarray(0, 50000));
      setTimeout(() => res.end(bytes.subarray(50000)), 20);
    });
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${server.address().port}`;
  });
  after(() => server?.close());

  it('reads a path, a file: URL, an http URL and bytes alike', async () => {
    const x = randomInput(3);
    const want = (await (await fm.loadModel(files.int8)).predict(x)).probs;
    const sources = [
      files.int8, pathToFileURL(files.int8), pathToFileURL(files.int8).href,
      bytes, new Uint8Array(bytes).buffer, `${base}/seednet.int8.safetensors`,
    ];
    const done = { loaded: bytes.length, total: bytes.length };
    for (const source of sources) {
      const progress = [];
      const what = String(source).slice(0, 60);
      // cache: true is ignored where there is no Cache API.
      const m = await fm.loadModel(source, { onProgress: (p) => progress.push(p), cache: true });
      assert.deepEqual((await m.predict(x)).probs, want, what);
      m.dispose();
      if (typeof source !== 'string' || !source.startsWith('http')) {
        assert.deepEqual(progress, source instanceof Uint8Array || source instanceof ArrayBuffer ? [] : [done], what);
        continue;
      }
      // Progress after each chunk read, increasing, then complete; one
      // before the second write, sent 20 ms after the first.
      assert.ok(progress.some((p) => p.loaded <= 50000), JSON.stringify(progress));
      progress.forEach((p, i) => {
        assert.equal(p.total, bytes.length);
        assert.ok(i === 0 || p.loaded > progress[i - 1].loaded, JSON.stringify(progress));
      });
      assert.deepEqual(progress.at(-1), done);
    }
    assert.equal(served, 1);
  });

  it('rejects what it cannot read, naming it', async () => {
    await assert.rejects(fm.loadModel(`${base}/missing.safetensors`), { message: `loadModel: cannot fetch ${base}/missing.safetensors: HTTP 404 Not Found` });
    await assert.rejects(fm.loadModel(join(models.dir, 'missing.safetensors')), { message: /^loadModel: cannot read file:.*missing\.safetensors: ENOENT/ });
    await assert.rejects(fm.loadModel(42), { message: 'loadModel: source must be a URL (string or URL), an ArrayBuffer or a Uint8Array, got 42' });
    await assert.rejects(fm.loadModel(new Float32Array(4)), { message: /got Float32Array$/ });
    await assert.rejects(fm.loadModel(bytes, { cahce: true }), { message: "loadModel: unknown option 'cahce' (known: onProgress, cache, weights, workers)" });
    await assert.rejects(fm.loadModel(bytes, { onProgress: 1 }), { message: 'loadModel: onProgress must be a function, got 1' });
  });

  it('fetchModelFile reads a path and an http URL as loadModel does, without an engine', async () => {
    const before = served;
    for (const source of [files.int8, `${base}/seednet.int8.safetensors`]) {
      const progress = [];
      const got = await fetchModelFile(source, { onProgress: (p) => progress.push(p), cache: true });
      assert.deepEqual(Buffer.from(got), bytes, source);
      assert.deepEqual(progress.at(-1), { loaded: bytes.length, total: bytes.length }, source);
    }
    assert.equal(served, before + 1);
    await assert.rejects(fetchModelFile(`${base}/missing.safetensors`), { message: `fetchModelFile: cannot fetch ${base}/missing.safetensors: HTTP 404 Not Found` });
    await assert.rejects(fetchModelFile(bytes), { message: 'fetchModelFile: source must be a URL (string or URL), got Buffer' });
    await assert.rejects(fetchModelFile(files.int8, { workers: 2 }), { message: "fetchModelFile: unknown option 'workers' (known: onProgress, cache)" });
    await assert.rejects(fetchModelFile(files.int8, { cache: 'yes' }), { message: 'fetchModelFile: cache must be a boolean, got yes' });
  });
});

describe('model errors', () => {
  let fm, model;
  const bytes = readFileSync(files.int8);
  const x = randomInput(5);
  before(async () => {
    fm = await init();
    model = await fm.loadModel(bytes);
  });

  it('each rejects with an Error naming the problem; the next call works', async () => {
    const want = (await model.predict(x)).probs;
    const gone = await fm.loadModel(bytes);
    gone.dispose();
    gone.dispose(); // again: nothing happens
    const damaged = Buffer.from(bytes.toString('latin1').replace('"conv1.weight"', '"conv1.wEight"'), 'latin1');
    const cases = [
      [() => model.predict(x.subarray(1)), /^predict: input is a Float32Array of 783 values, want 784 \(inputShape \[28, 28, 1\]\)$/],
      [() => model.activations({ shape: [28, 28], data: x }), /^activations: input\.shape must be \[28, 28, 1\] or \[1, 28, 28, 1\] \(one example\), got \[28, 28\]$/],
      [() => model.predict({ width: 28, height: 28, data: new Uint8ClampedArray(784) }), /^predict: input\.data has 784 bytes, but 28×28 RGBA pixels need 3136$/],
      [() => model.predict('digit.png'), /^predict: input must be a tensor \{ shape, data: Float32Array \}, a Float32Array of 784 values or an image, got 'digit\.png'$/],
      [() => model.predict(x, { topK: 0 }), /^predict: topK must be a positive integer, got 0$/],
      [() => gone.predict(x), /^predict: model is disposed \(load it again to use it\)$/],
      [() => gone.activations(x), /^activations: model is disposed/],
      [async () => gone.summary(), /^summary: model is disposed/],
      [async () => gone.weights('conv1'), /^weights: model is disposed \(load it again to use it\)$/],
      [async () => model.weights('pool1'), /^weights: layer "pool1" \(maxpool\) has no weights; layers with weights: conv1, fc$/],
      [async () => model.weights('conv2'), /^weights: the model has no layer "conv2"; layers with weights: conv1, fc$/],
      [async () => model.weights(), /^weights: layerName must be a string, got undefined$/],
      [() => fm.loadModel(bytes.subarray(0, bytes.length - 100)), /^loadModel: cannot load the weight file \(127588 bytes\): model: safetensors: .*/],
      [() => fm.loadModel(bytes.subarray(0, 1000)), /^loadModel: cannot load the weight file \(1000 bytes\): model: safetensors: header length \d+ exceeds the 992 bytes after it \(file truncated\?\)$/],
      [() => fm.loadModel(damaged), /^loadModel: cannot load the weight file \(127688 bytes\): model: tensor "conv1\.weight" is missing$/],
      [() => fm.loadModel(png(2, 2, new Uint8Array(16))), /^loadModel: cannot load the weight file \(\d+ bytes\): model: safetensors: this is not a weight file \(it starts with "\\x89PNG\\r\\n\\x1a\\n", like a PNG image\)$/],
      [() => fm.loadModel(new Uint8Array(0)), /^loadModel: cannot load the weight file \(0 bytes\): model: safetensors: file is 0 bytes, shorter than the 8-byte header length$/],
    ];
    for (const [call, pattern] of cases) {
      await assert.rejects(call, (err) => {
        assert.ok(err instanceof Error, `${pattern}: ${err} is not an Error`);
        assert.match(err.message, pattern);
        return true;
      });
      assert.deepEqual((await model.predict(x)).probs, want);
    }
  });
});

describe('worker mode (worker_threads)', () => {
  let fm, local;
  before(async () => {
    [fm, local] = await Promise.all([init({ worker: true, simd: true }), init({ simd: true })]);
  });
  after(() => fm?.terminate());

  it('gives the results of this thread, as Promises', async () => {
    assert.equal(fm.simd, true);
    assert.equal(fm.version, local.version);
    const x = randomInput(11);
    const progress = [];
    const [mw, ml] = await Promise.all([fm.loadModel(files.int8, { onProgress: (p) => progress.push(p) }), local.loadModel(files.int8)]);
    assert.equal(progress.length, 1);
    assert.deepEqual(mw.summary(), ml.summary());
    assert.deepEqual([mw.name, mw.labels, mw.inputShape], [ml.name, ml.labels, ml.inputShape]);
    assert.deepEqual(await mw.predict(x), await ml.predict(x));
    assert.deepEqual(await mw.predict(seven), await ml.predict(seven));
    assert.deepEqual(await mw.activations(x), await ml.activations(x));
    const weights = mw.weights('fc');
    assert.ok(weights instanceof Promise);
    assert.deepEqual(await weights, ml.weights('fc'));
    await assert.rejects(mw.weights('flatten'), { message: 'weights: layer "flatten" (flatten) has no weights; layers with weights: conv1, fc' });
    // The caller's buffers are copied, not transferred.
    assert.equal(x.length, 784);
    assert.equal(seven.data.length, 56 * 56 * 4);

    const t = { shape: [1, 2, 2, 1], data: new Float32Array([1, -2, 3, -4]) };
    const pending = fm.ops.maxPool(t, { size: 2 });
    assert.ok(pending instanceof Promise);
    assert.deepEqual(await pending, local.ops.maxPool(t, { size: 2 }));
    await assert.rejects(fm.ops.relu(undefined), { message: 'relu: x must be a tensor { shape, data: Float32Array }, got undefined' });
    await assert.rejects(fm.ops.relu(() => 1), { message: /^relu: cannot send the arguments to the worker: / });
    await assert.rejects(mw.predict(x.subarray(2)), { message: /^predict: input is a Float32Array of 782 values, want 784/ });
    mw.dispose();
    await assert.rejects(mw.predict(x), { message: /^predict: model is disposed/ });
    await assert.rejects(mw.weights('conv1'), { message: /^weights: model is disposed/ });
    assert.deepEqual(await fm.ops.relu(t), local.ops.relu(t));
  });

  it('rejects every call after terminate', async () => {
    const w = await init({ worker: true });
    w.terminate();
    await assert.rejects(w.ops.relu({ shape: [1], data: new Float32Array(1) }), { message: /the worker was terminated; call init\(\) again/ });
  });

  it('reports an engine that cannot start', async () => {
    await assert.rejects(init({ worker: true, wasmURL: join(models.dir, 'missing.wasm') }), { message: /^init: cannot load the engine file:.*missing\.wasm: ENOENT/ });
  });
});
