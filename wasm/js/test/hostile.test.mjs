// Hostile input (issue 11), in this thread and in worker mode: typed arrays
// are judged by what they are (element counts in messages, other realms
// accepted); options are own properties and a "__proto__" key is an
// unknown option; weight files and images that declare huge inputs are
// refused before anything is allocated, and the same engine then loads a
// good model and predicts what the native Go engine predicts; a fatal error
// in the Go runtime rejects every pending and later call with an
// EngineStoppedError saying why, and init() gives a fresh engine; weights
// served precompressed by tools/serve keep the download progress's total.
// Run after `make build`.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';
import { loadModule, rng } from '../testing/reference.mjs';
import { makeModels } from '../testing/models.mjs';
import { buildServe, launchChromium, noChromium, startServer, watch } from '../testing/browser.mjs';

const { init, EngineStoppedError } = await loadModule();
const repo = fileURLToPath(new URL('../../../', import.meta.url));
const models = makeModels();
after(() => models.remove());

// The good model: the shipped seednet, checked against the native engine.
const good = join(repo, 'site/models/seednet.safetensors');
const goodBytes = readFileSync(good);
const x = (() => {
  const r = rng(11);
  return new Float32Array(784).map(() => r.next());
})();
const reference = models.reference(good, x).probs;
const assertPredicts = (probs, what) => {
  assert.equal(probs.length, 10, what);
  probs.forEach((p, i) => assert.ok(Math.abs(p - reference[i]) <= 1e-5, `${what}: probs[${i}] = ${p}, want ${reference[i]} (native)`));
};

/**
 * A weight file with no tensors whose architecture (one ReLU) declares
 * input [h, w, c] with resize preprocessing: under 200 bytes.
 */
function inputOnlyFile(h, w, c) {
  const arch = { name: 'huge', input: [h, w, c], layers: [{ name: 'r', type: 'relu' }], preprocess: { kind: 'resize' } };
  const header = new TextEncoder().encode(JSON.stringify({ __metadata__: { format: 'featuremap/1', arch: JSON.stringify(arch) } }));
  const file = new Uint8Array(8 + header.length);
  new DataView(file.buffer).setBigUint64(0, BigInt(header.length), true);
  file.set(header, 8);
  return file;
}

// other is a second realm, like an iframe's.
const other = vm.createContext({});
const otherRealm = (src, values = {}) => vm.runInContext(`(${src})`, Object.assign(other, values));

const MiB = 1 << 20;

for (const worker of [false, true]) {
  describe(`hostile arguments, worker: ${worker}`, () => {
    let fm, model;
    before(async () => {
      fm = await init({ worker });
      model = await fm.loadModel(good);
    });
    after(() => fm?.terminate?.());
    // Every call through a Promise: worker mode rejects where local mode throws.
    const call = (f) => Promise.resolve().then(f);

    it('reports typed arrays by type and element count', async () => {
      await assert.rejects(call(() => fm.ops.relu({ shape: [2], data: new Float64Array(2) })), { message: 'relu: x.data must be a Float32Array, got Float64Array(2)' });
      await assert.rejects(call(() => fm.ops.relu({ shape: [3], data: new Int16Array(3) })), { message: 'relu: x.data must be a Float32Array, got Int16Array(3)' });
      await assert.rejects(call(() => fm.ops.relu({ shape: [2], data: new DataView(new ArrayBuffer(8)) })), { message: 'relu: x.data must be a Float32Array, got DataView(8 bytes)' });
      await assert.rejects(call(() => model.predict(new Float64Array(784))), { message: /^predict: input must be .*, got Float64Array\(784\)$/ });
    });

    it('accepts typed arrays from another realm, which are what they are', async () => {
      const f32 = otherRealm('new Float32Array([1, -2, 3, -4])');
      assert.ok(!(f32 instanceof Float32Array));
      const y = await call(() => fm.ops.relu({ shape: [4], data: f32 }));
      assert.deepEqual(Array.from(y.data), [1, 0, 3, 0]);
      const filter = otherRealm('new Float32Array([2])');
      const z = await call(() => fm.ops.conv2d({ shape: [1, 1, 2, 1], data: otherRealm('new Float32Array([3, 4]).subarray(0)') }, { shape: [1, 1, 1, 1], data: filter }, { bias: otherRealm('new Float32Array([1])') }));
      assert.deepEqual(Array.from(z.data), [7, 9]);
      // A model input, a weight file (Uint8Array and ArrayBuffer) and pixels.
      const input = otherRealm('new Float32Array(784)');
      input.set(x);
      assertPredicts((await model.predict(input)).probs, 'other-realm input');
      const bytes = otherRealm('new Uint8Array(n)', { n: goodBytes.length });
      bytes.set(goodBytes);
      for (const source of [bytes, bytes.buffer]) {
        const m = await fm.loadModel(source);
        assertPredicts((await m.predict(x)).probs, `model from another realm's ${source.constructor.name}`);
        m.dispose();
      }
      const pixels = { width: 2, height: 2, data: otherRealm('new Uint8ClampedArray(16).fill(255)') };
      assert.equal((await model.predict(pixels)).probs.length, 10);
    });

    it('reads options as own properties; a "__proto__" key is an unknown option', async () => {
      const t = (shape) => ({ shape, data: new Float32Array(shape.reduce((p, n) => p * n, 1)).fill(1) });
      const [xs, f] = [t([1, 4, 4, 1]), t([1, 1, 1, 1])];
      const evil = (json) => JSON.parse(json);
      await assert.rejects(call(() => fm.ops.conv2d(xs, f, evil('{"__proto__": {"strides": 2}}'))), { message: "conv2d: unknown option '__proto__' (known: strides, padding, dilations, groups, bias)" });
      await assert.rejects(call(() => fm.ops.avgPool(xs, evil('{"size": 2, "__proto__": {"padding": "SAME"}}'))), { message: "avgPool: unknown option '__proto__' (known: size, strides, padding)" });
      await assert.rejects(model.predict(x, evil('{"__proto__": {"topK": 1}}')), { message: "predict: unknown option '__proto__' (known: topK)" });
      await assert.rejects(fm.loadModel(goodBytes, evil('{"__proto__": {"cache": 1}}')), { message: "loadModel: unknown option '__proto__' (known: onProgress, cache, weights, workers)" });
      await assert.rejects(init(evil('{"__proto__": {"worker": "yes"}}')), { message: "init: unknown option '__proto__' (known: wasmURL, simd, worker, module)" });
      // Inherited properties are never read: the defaults apply.
      const inherited = await call(() => fm.ops.conv2d(xs, f, Object.create({ strides: 2, padding: 'nonsense' })));
      assert.deepEqual(inherited.shape, [1, 4, 4, 1]);
      assert.equal((await model.predict(x, Object.create({ topK: 1 }))).top.length, 5);
      await assert.doesNotReject(fm.loadModel(goodBytes, Object.create({ onProgress: 'not a function' })));
    });

    it('refuses huge images and huge declared inputs before allocating; then predicts with the same engine', async (tc) => {
      const before = await fm.memoryBytes();
      const t0 = performance.now();
      const tiny = { width: 1, height: 1, data: new Uint8ClampedArray(4) };
      await assert.rejects(model.predict({ width: 100000, height: 100000, data: new Uint8ClampedArray(4) }), { message: 'predict: the image is 100000×100000 pixels, more than the limit of 67108864' });
      await assert.rejects(model.activations({ width: 16777216, height: 5, data: new Uint8ClampedArray(4) }), { message: 'activations: the image is 16777216×5 pixels, more than the limit of 67108864' });
      for (const [h, w, c] of [[32768, 32768, 1], [16384, 16384, 1], [8192, 8192, 3], [1, 1e8, 1]]) {
        const file = inputOnlyFile(h, w, c);
        assert.ok(file.length < 200, `${file.length} bytes`);
        let huge;
        try {
          huge = await fm.loadModel(file);
        } catch (err) { // a load-time budget may refuse it first: also fine, if it says so
          assert.match(err.message, /^loadModel: .*limit/, `[${h}, ${w}, ${c}] refused at load`);
          continue;
        }
        for (const f of ['predict', 'activations']) {
          await assert.rejects(huge[f](tiny), { message: new RegExp(`^${f}: cannot preprocess an image into the model's input \\[${h}, ${w}, ${c}\\]: more than the limit of 67108864 pixels or 134217728 values$`) });
        }
        huge.dispose();
      }
      const grown = (await fm.memoryBytes()) - before;
      tc.diagnostic(`refusals took ${(performance.now() - t0).toFixed(0)} ms; the engine's memory grew by ${(grown / MiB).toFixed(1)} MiB`);
      assert.ok(grown <= 16 * MiB, `the engine's memory grew by ${grown} bytes while refusing`);
      // The same engine: a good model loads and predicts as the native engine does.
      const m = await fm.loadModel(good);
      assertPredicts((await m.predict(x)).probs, 'seednet after the hostile files');
      assertPredicts((await model.predict(x)).probs, 'the model loaded before');
      m.dispose();
    });
  });
}

describe('a fatal error in the Go runtime', () => {
  const input = join(models.dir, 'x.f32');
  writeFileSync(input, new Uint8Array(x.buffer));
  for (const mode of ['local', 'worker']) {
    it(`rejects every pending and later call with EngineStoppedError saying why; init() starts afresh (${mode})`, (tc) => {
      const child = fileURLToPath(new URL('fatal.child.mjs', import.meta.url));
      // 256 MiB per wasm memory: the 512 MiB conv2d output cannot be allocated.
      const stdout = execFileSync(process.execPath, ['--wasm-max-mem-pages=4096', child, mode, good, input], { encoding: 'utf8', maxBuffer: 1 << 26, stdio: ['ignore', 'pipe', 'pipe'] });
      const line = stdout.split('\n').find((l) => l.startsWith('RESULT '));
      assert.ok(line, `no RESULT line in the child's output:\n${stdout.slice(-2000)}`);
      const out = JSON.parse(line.slice('RESULT '.length));
      assertPredicts(out.before, 'before');
      const why = /^featuremap: the engine stopped \(runtime: out of memory: cannot allocate 536870912-byte block \(\d+ in use\); fatal error: out of memory\); call init\(\) again$/;
      for (const [what, r] of [['the fatal call', out.fatal], ...out.pending.map((r, i) => [`pending call ${i}`, r]), ...out.later.map((r, i) => [`later call ${i}`, r])]) {
        assert.equal(r.ok, false, `${what} settled with a ${r.type}, not an error`);
        assert.ok(r.stopped && r.name === 'EngineStoppedError', `${what}: ${r.name}: ${r.message}`);
        assert.match(r.message, why, what);
      }
      assertPredicts(out.after, 'a fresh engine');
      tc.diagnostic(`${mode}: stopped after ${out.fatalMs.toFixed(0)} ms, all done in ${out.totalMs.toFixed(0)} ms, peak RSS ${(out.maxRSSKiB / 1024).toFixed(0)} MiB`);
      assert.ok(out.maxRSSKiB < 1024 * 1024, `peak RSS ${out.maxRSSKiB} KiB`);
    });
  }
  // The same in Chromium (its wasm memories capped alike through V8's flag),
  // in the page and in a Web Worker, under the site's CSP.
  it('rejects every call with EngineStoppedError in Chromium, page and worker; init() starts afresh', { skip: noChromium }, async (tc) => {
    const www = join(models.dir, 'www');
    cpSync(fileURLToPath(new URL('./page/', import.meta.url)), www, { recursive: true });
    cpSync(join(repo, 'dist/featuremap'), join(www, 'featuremap'), { recursive: true });
    writeFileSync(join(www, 'seednet.safetensors'), goodBytes);
    const server = await startServer(buildServe(models.dir), www);
    const browser = await launchChromium('--js-flags=--wasm-max-mem-pages=4096');
    try {
      const page = await browser.newPage();
      const problems = await watch(page);
      await page.goto(server.url);
      const got = await page.evaluate(async (input) => {
        const { init, EngineStoppedError } = await import('./featuremap/featuremap.js');
        const x = new Float32Array(input);
        const ones = (shape) => ({ shape, data: new Float32Array(shape.reduce((p, n) => p * n, 1)).fill(1) });
        const settle = (f) => Promise.resolve().then(f).then(() => 'resolved', (e) => (e instanceof EngineStoppedError ? e.message : `${e?.name}: ${e?.message}`));
        const out = {};
        for (const worker of [false, true]) {
          const fm = await init({ worker });
          const model = await fm.loadModel('seednet.safetensors');
          const fatal = settle(() => fm.ops.conv2d(ones([1, 1, 4096, 1]), ones([1, 1, 1, 32768])));
          const pending = settle(() => model.predict(x));
          out[worker ? 'worker' : 'page'] = {
            calls: [await fatal, await pending, await settle(() => fm.ops.relu(ones([1]))), await settle(() => fm.loadModel('seednet.safetensors'))],
            after: Array.from((await (await (await init({ worker })).loadModel('seednet.safetensors')).predict(x)).probs),
          };
          fm.terminate?.();
        }
        return out;
      }, Array.from(x));
      for (const [where, r] of Object.entries(got)) {
        for (const [i, message] of r.calls.entries()) {
          assert.match(message, /^featuremap: the engine stopped \(runtime: out of memory: cannot allocate 536870912-byte block .*fatal error: out of memory\); call init\(\) again$/, `${where}: call ${i}`);
        }
        assertPredicts(r.after, `${where}: a fresh engine`);
      }
      // The runtime's dump goes to console.log: no console errors, no CSP violations.
      assert.deepEqual(problems, []);
      tc.diagnostic('Chromium: page and worker engines stopped with EngineStoppedError; fresh engines predict');
    } finally {
      await browser.close();
      server.proc.kill();
    }
  });

  it('exports EngineStoppedError, an Error', () => {
    assert.ok(new EngineStoppedError('x') instanceof Error);
    assert.equal(new EngineStoppedError('x').name, 'EngineStoppedError');
  });
});

describe('precompressed weights from tools/serve', () => {
  let server, base, dir;
  before(async () => {
    dir = join(models.dir, 'site');
    mkdirSync(join(dir, 'models'), { recursive: true });
    writeFileSync(join(dir, 'models/seednet.safetensors'), goodBytes);
    execFileSync(process.execPath, [join(repo, 'tools/precompress/precompress.mjs'), dir], { stdio: 'ignore' });
    const bin = join(models.dir, 'serve');
    execFileSync('go', ['build', '-o', bin, './tools/serve'], { cwd: repo, stdio: ['ignore', 'ignore', 'inherit'] });
    server = spawn(bin, ['-dir', dir, '-addr', '127.0.0.1:0'], { stdio: ['ignore', 'pipe', 'inherit'] });
    base = await new Promise((resolve, reject) => {
      let out = '';
      server.stdout.on('data', (chunk) => {
        out += chunk;
        const m = out.match(/at (http:\/\/\S+)\n/);
        if (m) resolve(m[1]);
      });
      server.on('exit', (code) => reject(new Error(`tools/serve exited with ${code}: ${out}`)));
    });
  });
  after(() => server?.kill());

  it('sends the weights compressed with their decoded size, which the progress total uses', async () => {
    const url = `${base}models/seednet.safetensors`;
    for (const coding of ['br', 'gzip']) {
      const res = await fetch(url, { headers: { 'Accept-Encoding': coding } }); // decoded by fetch
      assert.deepEqual(new Uint8Array(await res.arrayBuffer()), new Uint8Array(goodBytes), coding);
      assert.equal(res.headers.get('content-encoding'), coding);
      assert.equal(res.headers.get('x-decoded-content-length'), String(goodBytes.length));
      assert.ok(Number(res.headers.get('content-length')) < goodBytes.length * 0.8, `${coding}: Content-Length ${res.headers.get('content-length')}`);
    }
    const fm = await init(); // Node's fetch accepts gzip (and br in later versions)
    const progress = [];
    const m = await fm.loadModel(url, { onProgress: (p) => progress.push(p) });
    assertPredicts((await m.predict(x)).probs, 'seednet over brotli');
    progress.forEach((p, i) => {
      assert.equal(p.total, goodBytes.length, JSON.stringify(p));
      assert.ok(i === 0 || p.loaded > progress[i - 1].loaded);
    });
    assert.deepEqual(progress.at(-1), { loaded: goodBytes.length, total: goodBytes.length });
  });
});
