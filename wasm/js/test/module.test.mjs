// init({ module }): the engine from a WebAssembly.Module compiled by the
// caller (or a promise of one), in this thread and posted to a worker,
// which then compiles nothing; the same results as an engine init loads
// itself (the ops against TensorFlow.js are ops.test.mjs's job: here the
// reference is the engine started from its file). The site's app.wasm
// (UI + engine) is run the same way, when built.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { distPath, loadModule } from '../testing/reference.mjs';

const { init, simdSupported } = await loadModule();
const engineFile = (simd) => `${distPath}featuremap${simd ? '.simd' : ''}.wasm`;
const siteFile = new URL('../../../dist/site/app.simd.wasm', import.meta.url);

const x = { shape: [1, 5, 5, 2], data: Float32Array.from({ length: 50 }, (_, i) => Math.sin(i)) };
const f = { shape: [3, 3, 2, 4], data: Float32Array.from({ length: 72 }, (_, i) => Math.cos(i)) };

describe('init({ module })', () => {
  it('reports SIMD support as simd: \'auto\' sees it (Node ≥ 20 has it)', () => {
    assert.equal(simdSupported(), true);
  });

  it('runs a compiled engine here and in a worker, as init from the file does', async () => {
    const want = (await init({ wasmURL: engineFile(true) })).ops.conv2d(x, f, { padding: 'SAME' });
    const module = await WebAssembly.compile(readFileSync(engineFile(true)));
    const local = await init({ module });
    assert.equal(local.simd, true);
    assert.deepEqual(local.ops.conv2d(x, f, { padding: 'SAME' }), want);
    const worker = await init({ module: Promise.resolve(module), worker: true });
    try {
      assert.equal(worker.simd, true);
      assert.deepEqual(await worker.ops.conv2d(x, f, { padding: 'SAME' }), want);
    } finally {
      worker.terminate();
    }
  });

  it('checks the module and the simd option', async () => {
    const portable = await WebAssembly.compile(readFileSync(engineFile(false)));
    await assert.rejects(init({ module: portable, simd: true }), /^Error: init: simd: true, but module \(init's module option\) is the portable build$/);
    await assert.rejects(init({ module: readFileSync(engineFile(false)) }), /^Error: init: module must be a WebAssembly\.Module or a Promise of one, got Buffer$/);
    await assert.rejects(init({ module: portable, wasmURL: engineFile(false) }), /^Error: init: pass wasmURL or module, not both$/);
    await assert.rejects(init({ module: Promise.reject(new Error('HTTP 404')) }), /^Error: init: module: HTTP 404$/);
    await assert.rejects(init({ module: Promise.resolve(42), worker: true }), /^Error: init: module must resolve to a WebAssembly\.Module, got 42$/);
  });

  it('runs the site\'s app.wasm (UI and engine in one module) as the engine', { skip: !existsSync(siteFile) && 'dist/site/app.simd.wasm is not built' }, async () => {
    const fm = await init({ module: await WebAssembly.compile(readFileSync(siteFile)), worker: true });
    try {
      const want = (await init({ wasmURL: engineFile(true) })).ops.conv2d(x, f);
      assert.deepEqual(await fm.ops.conv2d(x, f), want);
    } finally {
      fm.terminate();
    }
  });
});
