// Memory leak checks of the model API: alexmnist with random weights
// (`fm init -arch alexmnist -seed 1 -int8`), 3,000 predictions (every 10th
// an activations call) and 100 load/predict/activations/dispose cycles must
// keep memory within 10 % (predictions) and 25 % (reloads) of where it was
// after a warm-up. In Node: the process's resident memory, its JavaScript
// heap and the engine's WebAssembly memory (fm.memoryBytes()); in headless
// Chromium, with the engine in a Web Worker (init({ worker: true })): the
// worker's WebAssembly memory and the page's JavaScript heap, whose size
// after a collection still saw-tooths there, so its floor over the last
// FLOOR_SAMPLES samples, FLOOR_EVERY calls apart, of each phase is compared.
// Go's wasm memory never shrinks, so growth, not size, is what shows a leak.
//
// Slow (about two minutes): `make test-leak` runs it (FEATUREMAP_LEAK=1),
// `make test-node` skips it. Needs `make build` and, for the worker part,
// /usr/bin/chromium (CHROMIUM overrides the path).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { launchChromium, noChromium } from '../testing/browser.mjs';
import { distPath, loadModule, rng } from '../testing/reference.mjs';

const repo = fileURLToPath(new URL('../../../', import.meta.url));
const skip = process.env.FEATUREMAP_LEAK !== '1' && 'slow: run with FEATUREMAP_LEAK=1 (make test-leak)';

// The workload, the same in Node and in the worker.
const WARMUP = 1000; // calls after which the process's memory has settled
const PREDICTIONS = 3000;
const ACTIVATIONS_EVERY = 10; // every layer's output: 0.6 MB per call
const RELOAD_WARMUP = 30; // Chromium's fetch settles after about 20
const FLOOR_SAMPLES = 5;
const FLOOR_EVERY = 100;
const RELOADS = 100;
const PREDICT_LIMIT = 0.10;
const RELOAD_LIMIT = 0.25;

const MB = 2 ** 20;

let dir, file;
before(() => {
  if (skip) return;
  dir = mkdtempSync(join(tmpdir(), 'featuremap-leak-'));
  file = join(dir, 'alexmnist.int8.safetensors');
  execFileSync('go', ['run', './tools/fm', 'init', '-arch', 'alexmnist', '-seed', '1', '-int8', file],
    { cwd: repo, stdio: ['ignore', 'ignore', 'inherit'] });
});
after(() => dir && rmSync(dir, { recursive: true, force: true }));

// assertGrowth reports every measure of before and after, then checks that
// each grew by at most limit (a fraction).
function assertGrowth(t, what, before, after, limit) {
  const growth = (key) => after[key] / before[key] - 1;
  const keys = Object.keys(before);
  for (const key of keys) {
    t.diagnostic(`${what}: ${key} ${(before[key] / MB).toFixed(1)} MB -> ${(after[key] / MB).toFixed(1)} MB (${(100 * growth(key)).toFixed(1)} %)`);
  }
  for (const key of keys) {
    assert.ok(growth(key) <= limit, `${what}: ${key} grew from ${before[key]} to ${after[key]} bytes: ${(100 * growth(key)).toFixed(1)} % > ${100 * limit} %`);
  }
}

describe('alexmnist memory in Node', { skip }, () => {
  // V8's collector, so that samples measure what is still reachable.
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc');
  let bytes, fm;
  before(async () => {
    bytes = new Uint8Array(readFileSync(file));
    const { init } = await loadModule();
    fm = await init();
    // Whole WebAssembly pages of 64 KiB.
    assert.ok(fm.memoryBytes() > 0 && fm.memoryBytes() % 65536 === 0, `memoryBytes() = ${fm.memoryBytes()}`);
  });

  const sample = () => {
    gc();
    const { rss, heapUsed } = process.memoryUsage();
    return { rss, jsHeap: heapUsed, wasm: fm.memoryBytes() };
  };
  // Inputs of every kind predict takes: a tensor, a Float32Array and RGBA
  // pixels, which the engine resizes and normalises.
  const r = rng(7);
  const x = new Float32Array(784).map(() => r.next());
  const inputs = [
    { shape: [1, 28, 28, 1], data: x },
    x,
    { width: 40, height: 30, data: new Uint8ClampedArray(40 * 30 * 4).map(() => 256 * Math.abs(r.next())) },
  ];

  it(`keeps memory flat over ${PREDICTIONS} predictions`, async (t) => {
    const model = await fm.loadModel(bytes);
    const step = async (i) => {
      const input = inputs[i % inputs.length];
      if (i % ACTIVATIONS_EVERY === ACTIVATIONS_EVERY - 1) {
        assert.equal((await model.activations(input)).length, 1 + model.summary().layers.length); // the input, then every layer
      } else {
        assert.equal((await model.predict(input)).probs.length, 10);
      }
    };
    for (let i = 0; i < WARMUP; i++) {
      await step(i);
    }
    const warm = sample();
    for (let i = 0; i < PREDICTIONS; i++) {
      await step(i);
    }
    assertGrowth(t, `${PREDICTIONS} predictions`, warm, sample(), PREDICT_LIMIT);
    model.dispose();
  });

  it(`keeps memory flat over ${RELOADS} load/dispose cycles`, async (t) => {
    const cycle = async (i) => {
      const model = await fm.loadModel(i % 2 ? file : bytes);
      await model.predict(inputs[i % inputs.length]);
      await model.activations(inputs[i % inputs.length]);
      model.dispose();
      await assert.rejects(model.predict(x), /model is disposed/);
    };
    for (let i = 0; i < RELOAD_WARMUP; i++) {
      await cycle(i);
    }
    const warm = sample();
    for (let i = 0; i < RELOADS; i++) {
      await cycle(i);
    }
    assertGrowth(t, `${RELOADS} reloads`, warm, sample(), RELOAD_LIMIT);
  });
});

// serve serves dist/featuremap under /featuremap/, the model file as
// /alexmnist.safetensors and an empty page as /; it resolves to the server
// and its base URL.
async function serve() {
  const types = { '.js': 'text/javascript', '.wasm': 'application/wasm', '.ts': 'text/plain' };
  const server = createServer((req, res) => {
    const path = new URL(req.url, 'http://x').pathname;
    let body, type;
    try {
      if (path === '/') {
        [body, type] = ['<!doctype html><title>featuremap leak test</title>', 'text/html'];
      } else if (path === '/alexmnist.safetensors') {
        [body, type] = [readFileSync(file), 'application/octet-stream'];
      } else if (/^\/featuremap\/[\w.]+$/.test(path)) {
        const name = path.slice('/featuremap/'.length);
        [body, type] = [readFileSync(join(distPath, name)), types[extname(name)] ?? 'application/octet-stream'];
      }
    } catch {
      body = undefined;
    }
    res.writeHead(body ? 200 : 404, { 'Content-Type': type ?? 'text/plain' }).end(body ?? 'not found');
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${server.address().port}/` };
}

describe('alexmnist memory in a Web Worker in Chromium', { skip: skip || noChromium }, () => {
  let server, url, browser, page;
  before(async () => {
    ({ server, url } = await serve());
    browser = await launchChromium('--enable-precise-memory-info', '--js-flags=--expose-gc');
    page = await browser.newPage();
    page.on('pageerror', (err) => assert.fail(`page error: ${err.message}`));
    await page.goto(url);
    await page.evaluate(async () => {
      const { init } = await import('./featuremap/featuremap.js');
      globalThis.fm = await init({ worker: true });
      // Inputs of every kind: a canvas (read and transferred to the
      // worker), a Float32Array and RGBA pixels (copied).
      const canvas = Object.assign(document.createElement('canvas'), { width: 40, height: 30 });
      const ctx = canvas.getContext('2d');
      ctx.lineWidth = 4;
      ctx.strokeRect(8, 6, 20, 16);
      const x = new Float32Array(784).map((_, i) => Math.sin(i));
      globalThis.inputs = [canvas, x, ctx.getImageData(0, 0, 40, 30)];
      globalThis.sample = async () => {
        globalThis.gc();
        return { worker: await globalThis.fm.memoryBytes(), pageJSHeap: performance.memory.usedJSHeapSize };
      };
      // floor runs calls step(first), … step(first+n-1), sampling memory
      // every `every` calls among the last samples*every, and returns the
      // smallest sample of each measure.
      globalThis.floor = async (step, first, n, samples, every) => {
        let min = null;
        for (let i = first; i < first + n; i++) {
          await step(i);
          if (first + n - i <= samples * every && (first + n - i - 1) % every === 0) {
            const s = await globalThis.sample();
            min = min === null ? s : Object.fromEntries(Object.entries(s).map(([k, v]) => [k, Math.min(v, min[k])]));
          }
        }
        return min;
      };
    });
  });
  after(async () => {
    await browser?.close();
    server?.close();
  });

  it(`keeps memory flat over ${PREDICTIONS} predictions`, async (t) => {
    const [warm, end] = await page.evaluate(async ({ warmup, n, every, samples, sampleEvery }) => {
      const { fm, inputs, floor } = globalThis;
      const model = await fm.loadModel('alexmnist.safetensors');
      const layers = 1 + model.summary().layers.length; // the input, then every layer
      const step = async (i) => {
        const input = inputs[i % inputs.length];
        const ok = i % every === every - 1
          ? (await model.activations(input)).length === layers
          : (await model.predict(input)).probs.length === 10;
        if (!ok) throw new Error(`call ${i}: wrong result`);
      };
      const warm = await floor(step, 0, warmup, samples, sampleEvery);
      const end = await floor(step, warmup, n, samples, sampleEvery);
      model.dispose();
      return [warm, end];
    }, { warmup: WARMUP, n: PREDICTIONS, every: ACTIVATIONS_EVERY, samples: FLOOR_SAMPLES, sampleEvery: FLOOR_EVERY });
    assertGrowth(t, `worker, ${PREDICTIONS} predictions`, warm, end, PREDICT_LIMIT);
  });

  it(`keeps memory flat over ${RELOADS} load/dispose cycles`, async (t) => {
    const [warm, end] = await page.evaluate(async ({ warmup, n, samples }) => {
      const { fm, inputs, floor } = globalThis;
      const cycle = async (i) => {
        const model = await fm.loadModel('alexmnist.safetensors');
        await model.predict(inputs[i % inputs.length]);
        await model.activations(inputs[i % inputs.length]);
        model.dispose();
        const err = await model.predict(inputs[1]).then(() => null, (e) => e.message);
        if (!/model is disposed/.test(err)) throw new Error(`predict after dispose: ${err}`);
      };
      const warm = await floor(cycle, 0, warmup, samples, 1);
      return [warm, await floor(cycle, warmup, n, samples, 1)];
    }, { warmup: RELOAD_WARMUP, n: RELOADS, samples: FLOOR_SAMPLES });
    assertGrowth(t, `worker, ${RELOADS} reloads`, warm, end, RELOAD_LIMIT);
  });
});
