// A minimal test page (wasm/js/test/page) in headless Chromium, served by tools/serve
// under the site's Content-Security-Policy: the seed's 4×4×3 * 3×3×3×7 SAME
// example must show the numbers of a naive convolution of the tables it
// shows, and the model API must load a weight file with progress into the
// Cache API and predict on a canvas and an <img>, in the page and in a
// worker (and with predictBatch over a pool of workers), as Node and `fm
// predict` do; with no console errors and no CSP
// violations. Needs `make build` and /usr/bin/chromium (CHROMIUM overrides
// the path).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildServe, launchChromium, noChromium, startServer, watch } from '../testing/browser.mjs';
import { naiveConv2D, loadModule } from '../testing/reference.mjs';
import { makeModels, png, drawnSeven } from '../testing/models.mjs';

const repo = fileURLToPath(new URL('../../../', import.meta.url));

// serveTestPage copies the test page beside the built engine
// (dist/featuremap) into dir/www and serves it with tools/serve.
function serveTestPage(dir) {
  const www = join(dir, 'www');
  cpSync(fileURLToPath(new URL('./page/', import.meta.url)), www, { recursive: true });
  cpSync(join(repo, 'dist/featuremap'), join(www, 'featuremap'), { recursive: true });
  return startServer(buildServe(dir), www);
}

describe('the engine in headless Chromium', { skip: noChromium }, () => {
  let tmp, server, browser, models;
  before(async () => {
    models = makeModels();
    tmp = mkdtempSync(join(tmpdir(), 'featuremap-browser-'));
    server = await serveTestPage(tmp);
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    server?.proc.kill();
    rmSync(tmp, { recursive: true, force: true });
    models?.remove();
  });

  it('shows the seed example computed live, under the CSP, without errors', async () => {
    const page = await browser.newPage();
    const problems = await watch(page);
    const response = await page.goto(server.url);
    assert.match(response.headers()['content-security-policy'], /script-src 'self' 'wasm-unsafe-eval'/);
    await page.waitForSelector('body[data-state]');
    assert.equal(await page.getAttribute('body', 'data-state'), 'ready', await page.textContent('#status'));
    assert.match(await page.textContent('#status'), /SIMD build: output shape \[1, 4, 4, 7\]/);

    // Read the tables back: tensor name -> index -> rows of numbers.
    const tables = await page.$$eval('table[data-tensor]', (ts) => ts.map((t) => ({
      tensor: t.dataset.tensor,
      index: Number(t.dataset.index),
      rows: Array.from(t.rows, (r) => Array.from(r.cells, (c) => Number(c.textContent))),
    })));
    const planes = (name) => tables.filter((t) => t.tensor === name).sort((a, b) => a.index - b.index).map((t) => t.rows);
    const [xs, fs, ys] = [planes('x'), planes('filter'), planes('y')];
    assert.equal(xs.length, 3);
    assert.equal(fs.length, 21);
    assert.equal(ys.length, 7);

    const x = { shape: [1, 4, 4, 3], data: new Float32Array(48) };
    xs.forEach((rows, c) => rows.forEach((row, h) => row.forEach((v, w) => { x.data[(h * 4 + w) * 3 + c] = v; })));
    const f = { shape: [3, 3, 3, 7], data: new Float32Array(189) };
    fs.forEach((rows, i) => rows.forEach((row, ky) => row.forEach((v, kx) => {
      const [o, c] = [Math.floor(i / 3), i % 3];
      f.data[((ky * 3 + kx) * 3 + c) * 7 + o] = v;
    })));
    // The seed's filter: 1s on the diagonal.
    assert.deepEqual(fs[0], [[1, 0, 0], [0, 1, 0], [0, 0, 1]]);
    const want = naiveConv2D(x, f, { padding: 'SAME' });
    ys.forEach((rows, o) => rows.forEach((row, h) => row.forEach((v, w) => {
      assert.equal(v, want.data[(h * 4 + w) * 7 + o], `output [${h}, ${w}, ${o}]`);
    })));
    assert.ok(want.data.some((v) => v !== 0), 'the example has non-zero outputs');

    // The portable build loads under the same CSP and agrees.
    const portable = await page.evaluate(async (input) => {
      const { init } = await import('./featuremap/featuremap.js');
      const fm = await init({ simd: false });
      const y = fm.ops.conv2d({ shape: input.xs, data: new Float32Array(input.x) }, { shape: input.fs, data: new Float32Array(input.f) }, { padding: 'SAME' });
      return { simd: fm.simd, shape: y.shape, data: Array.from(y.data) };
    }, { xs: x.shape, x: Array.from(x.data), fs: f.shape, f: Array.from(f.data) });
    assert.equal(portable.simd, false);
    assert.deepEqual(portable.shape, [1, 4, 4, 7]);
    assert.deepEqual(portable.data, Array.from(want.data));

    assert.deepEqual(problems, []);
    await page.close();
  });

  it('loads a model with progress into the Cache API and predicts on images, in the page and in a worker', async () => {
    const file = models.files.int8;
    const bytes = readFileSync(file);
    const seven = drawnSeven(56, 56, { opaque: true });
    const sevenPNG = png(seven.width, seven.height, seven.data);
    const sevenFile = join(models.dir, 'seven.png');
    writeFileSync(sevenFile, sevenPNG);
    const page = await browser.newPage();
    const problems = await watch(page);
    // The test files are served on the page's origin (the CSP allows only
    // 'self'); fetches counts the requests that reach the network.
    const fetches = { model: 0, png: 0 };
    await page.route('**/testmodels/*', (route) => {
      const model = route.request().url().endsWith('.safetensors');
      fetches[model ? 'model' : 'png']++;
      const body = model ? bytes : sevenPNG;
      route.fulfill({ body, headers: { 'Content-Type': model ? 'application/octet-stream' : 'image/png', 'Content-Length': String(body.length) } });
    });
    await page.goto(server.url);
    await page.waitForSelector('body[data-state]');
    const got = await page.evaluate(async () => {
      const { init, MODEL_CACHE } = await import('./featuremap/featuremap.js');
      await caches.delete(MODEL_CACHE);
      const url = 'testmodels/seednet.int8.safetensors';
      const fm = await init();
      const progress = [[], []];
      const m = await fm.loadModel(url, { cache: true, onProgress: (p) => progress[0].push(p) });
      const again = await fm.loadModel(url, { cache: true, onProgress: (p) => progress[1].push(p) });
      // A "7" drawn on a transparent canvas, as the demo's drawing pad.
      const canvas = document.createElement('canvas');
      canvas.width = 56;
      canvas.height = 40;
      const ctx = canvas.getContext('2d');
      Object.assign(ctx, { lineWidth: 5, lineCap: 'round', lineJoin: 'round' });
      ctx.beginPath();
      ctx.moveTo(14, 8);
      ctx.lineTo(42, 8);
      ctx.lineTo(24, 34);
      ctx.stroke();
      const pixels = ctx.getImageData(0, 0, canvas.width, canvas.height);
      const img = new Image();
      img.src = 'testmodels/seven.png'; // predict awaits its decoding
      const probs = async (p) => Array.from((await p).probs);
      const page = {
        canvas: await probs(m.predict(canvas)),
        imageData: await probs(again.predict(pixels)),
        img: await probs(m.predict(img)),
        top: (await m.predict(img)).top,
        // A pool of two engine Web Workers, each with the model loaded.
        batch: (await (await fm.loadModel(url, { cache: true, workers: 2 })).predictBatch([canvas, img, pixels, canvas, img])).map((y) => Array.from(y.probs)),
      };
      const fw = await init({ worker: true });
      const mw = await fw.loadModel(url, { cache: true });
      const worker = {
        canvas: await probs(mw.predict(canvas)),
        img: await probs(mw.predict(img)),
        activations: (await mw.activations(canvas)).map((a) => ({ name: a.name, shape: a.shape, n: a.data.length })),
        batch: (await mw.predictBatch([img, canvas])).map((y) => Array.from(y.probs)),
        simd: fw.simd,
      };
      fw.terminate();
      return { simd: fm.simd, progress, page, worker, pixels: { width: pixels.width, height: pixels.height, data: Array.from(pixels.data) } };
    });

    // One download: the second and the worker's loads came from the cache.
    assert.equal(fetches.model, 1);
    const done = { loaded: bytes.length, total: bytes.length };
    assert.ok(got.progress[0].length >= 1);
    assert.deepEqual(got.progress[0].at(-1), done);
    assert.deepEqual(got.progress[1].at(-1), done);
    got.progress[0].forEach((p, i, a) => assert.ok(i === 0 || p.loaded > a[i - 1].loaded));

    // The same engine build in Node gives bit-identical results from the
    // same pixels; the worker gives the page's.
    const { init } = await loadModule();
    const fm = await init({ simd: got.simd });
    const model = await fm.loadModel(file);
    const drawn = { ...got.pixels, data: new Uint8ClampedArray(got.pixels.data) };
    assert.ok(drawn.data.some((v) => v !== 0), 'the canvas has ink');
    const node = async (input) => Array.from((await model.predict(input)).probs);
    assert.deepEqual(got.page.canvas, await node(drawn));
    assert.deepEqual(got.page.imageData, got.page.canvas);
    assert.deepEqual(got.page.img, await node(seven));
    assert.equal(got.worker.simd, got.simd);
    assert.deepEqual(got.worker.canvas, got.page.canvas);
    assert.deepEqual(got.worker.img, got.page.img);
    // predictBatch over a pool of Web Workers, from the page and from a
    // worker-mode engine: predict's results, in input order.
    const { canvas: c, img: i } = got.page;
    assert.deepEqual(got.page.batch, [c, i, c, c, i]);
    assert.deepEqual(got.worker.batch, [i, c]);
    const summary = models.summary(file);
    assert.deepEqual(got.worker.activations.map((a) => a.shape), [[1, 28, 28, 1], ...summary.layers.map((l) => [1, ...l.outputShape])]);
    // And `fm predict` on the PNG the <img> showed (it prints 4 decimals).
    const want = models.predict(file, sevenFile);
    assert.deepEqual(got.page.top.map((t) => t.label), want.map((t) => t.label));
    got.page.top.forEach((t, i) => assert.ok(Math.abs(t.p - want[i].p) <= 5e-5 + 1e-6, `top ${i}: ${t.p} vs fm predict ${want[i].p}`));

    assert.deepEqual(problems, []);
    await page.close();
  });
});
