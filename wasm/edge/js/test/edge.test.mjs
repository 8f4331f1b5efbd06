// The edge Worker (wasm/edge) under workerd: every route and error, the
// site's files and headers, the budget, CORS, a Go panic, and a bounded
// load test whose every prediction must equal featuremap.js's in Node (the
// same engine, run in-process), with workerd's memory flat after warm-up.
// Run after `make build edge-build`. Timings are printed, never asserted.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { brotliCompressSync, brotliDecompressSync, crc32, gunzipSync, gzipSync } from 'node:zlib';
import { startWorkerd, json, percentile, repo, distEdge, distSite } from '../testing/workerd.mjs';
import { png, drawnSeven } from '../../../js/testing/models.mjs';

const { init } = await import(pathToFileURL(join(repo, 'dist/featuremap/featuremap.js')).href);
const CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'";
const modelFile = (name) => join(repo, 'site/models', `${name}.safetensors`);

// The oracle: featuremap.js in this process, on the SIMD build, as the
// Worker's app.wasm (Makefile: edge-build).
const fm = await init({ simd: true });
assert.equal(fm.simd, true, 'featuremap.js runs the SIMD build here');
const engine = {};
for (const name of ['seednet', 'alexmnist']) engine[name] = await fm.loadModel(readFileSync(modelFile(name)));

// A seeded generator (mulberry32).
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Inputs: JSON tensors of random values and PNGs of the drawn 7 at several
// sizes and polarities; withOracle adds the engine's probabilities.
function makeInputs(count) {
  const inputs = [];
  for (let i = 0; i < count; i++) {
    const name = i % 4 === 3 ? 'alexmnist' : 'seednet';
    if (i % 2 === 0) {
      const next = rng(i + 1);
      const data = new Float32Array(784).map(() => Math.fround(next()));
      inputs.push({
        name,
        contentType: 'application/json',
        body: Buffer.from(JSON.stringify({ shape: [28, 28, 1], data: [...data] })),
        input: { shape: [28, 28, 1], data },
      });
    } else {
      const img = drawnSeven(28 + 7 * i, 28 + 5 * i, { opaque: i % 3 === 0 });
      inputs.push({
        name,
        contentType: 'image/png',
        body: png(img.width, img.height, img.data),
        input: { width: img.width, height: img.height, data: img.data },
      });
    }
  }
  return inputs;
}

async function withOracle(inputs) {
  for (const x of inputs) x.probs = (await engine[x.name].predict(x.input, { topK: 10 })).probs;
  return inputs;
}

// checkPrediction asserts that a 200 body equals the engine's output:
// every p the same float32, in the engine's order.
function checkPrediction(body, name, probs, k) {
  assert.equal(body.model, name);
  assert.equal(body.top.length, Math.min(k, probs.length));
  const order = [...probs.keys()].sort((a, b) => probs[b] - probs[a] || a - b);
  body.top.forEach((c, i) => {
    assert.equal(c.index, order[i], `top[${i}].index`);
    assert.equal(c.label, String(c.index));
    assert.equal(Math.fround(c.p), probs[c.index], `top[${i}].p = ${c.p}, engine ${probs[c.index]}`);
  });
  assert.equal(typeof body.ms, 'number');
}

// bomb is a PNG whose header declares w×h pixels (CRC fixed up) around a
// 1×1 image's data.
function bomb(w, h) {
  const b = Buffer.from(png(1, 1, new Uint8ClampedArray(4)));
  b.writeUInt32BE(w, 16);
  b.writeUInt32BE(h, 20);
  b.writeUInt32BE(crc32(b.subarray(12, 29)), 29);
  return b;
}

const bundleBytes = () => {
  const files = ['app.wasm', 'wasm_exec.js', 'worker.mjs'].map((f) => readFileSync(join(distEdge, f)));
  const raw = files.reduce((n, f) => n + f.length, 0);
  const gz = files.reduce((n, f) => n + gzipSync(f, { level: 9 }).length, 0);
  return { raw, gz };
};

describe('edge Worker, default configuration', () => {
  let w;
  before(async () => {
    w = await startWorkerd();
    const res = await w.request('GET', '/api/v1/models');
    const coldAPI = performance.now() - w.startedAt;
    assert.equal(res.status, 200);
    const { raw, gz } = bundleBytes();
    console.log(`# edge: bundle ${(raw / 2 ** 20).toFixed(2)} MiB raw, ${(gz / 2 ** 20).toFixed(2)} MiB gzip -9; cold start (spawn → first 200 of /api/v1/models, models loaded) ${coldAPI.toFixed(0)} ms; RSS ${(w.rssKiB() / 1024).toFixed(0)} MiB`);
  });
  after(() => w?.stop());

  it('serves the site with its headers, precompressed files when the build has them', async () => {
    for (const [path, type, file] of [
      ['/', 'text/html; charset=utf-8', 'index.html'],
      ['/featuremap/featuremap.wasm', 'application/wasm', 'featuremap/featuremap.wasm'],
      ['/featuremap/featuremap.js', 'text/javascript; charset=utf-8', 'featuremap/featuremap.js'],
      ['/models/seednet.safetensors', 'application/octet-stream', 'models/seednet.safetensors'],
    ]) {
      const want = readFileSync(join(distSite, file));
      const plain = await w.request('GET', path);
      assert.equal(plain.status, 200, path);
      assert.equal(plain.headers['content-type'], type, path);
      assert.equal(plain.headers['content-security-policy'], CSP, path);
      assert.equal(plain.headers['x-content-type-options'], 'nosniff');
      assert.equal(plain.headers['referrer-policy'], 'no-referrer');
      assert.equal(plain.headers['cache-control'], 'no-cache');
      assert.equal(plain.headers['content-encoding'], undefined, path);
      assert.ok(plain.body.equals(want), `${path}: body`);
      const enc = await w.request('GET', path, { headers: { 'Accept-Encoding': 'gzip, br' } });
      const coding = existsSync(join(distSite, `${file}.br`)) ? 'br' : existsSync(join(distSite, `${file}.gz`)) ? 'gzip' : undefined;
      assert.equal(enc.headers['content-encoding'], coding, `${path}: the build's precompressed file, else none`);
      if (coding) {
        assert.equal(Number(enc.headers['x-decoded-content-length']), want.length);
        assert.ok((coding === 'br' ? brotliDecompressSync : gunzipSync)(enc.body).equals(want), `${path}: ${coding} body`);
      } else {
        assert.ok(enc.body.equals(want), `${path}: body`);
      }
    }
    const head = await w.request('HEAD', '/index.html');
    assert.equal(head.status, 200);
    assert.equal(head.body.length, 0);
    for (const path of ['/no/such/file.js', '/featuremap', '/models/', '/.gitignore', '/featuremap/.x.js', '/README']) {
      const missing = await w.request('GET', path);
      assert.equal(missing.status, 404, path);
      assert.equal(missing.headers['content-security-policy'], CSP);
      assert.doesNotMatch(missing.body.toString(), /"name"/, `${path}: no directory listing`);
    }
    const post = await w.request('POST', '/index.html', { body: 'x' });
    assert.equal(post.status, 405);
    assert.equal(post.headers.allow, 'GET, HEAD');
  });

  it('GET /api/v1/models lists both models with the summaries featuremap.js gives', async () => {
    const res = await w.request('GET', '/api/v1/models');
    assert.equal(res.status, 200);
    assert.equal(res.headers['content-type'], 'application/json; charset=utf-8');
    assert.equal(res.headers['content-security-policy'], CSP);
    const { models } = json(res);
    assert.deepEqual(models.map((m) => m.name), ['seednet', 'alexmnist']);
    for (const m of models) {
      assert.equal(m.servable, true);
      assert.deepEqual(m.inputShape, engine[m.name].inputShape);
      assert.deepEqual(m.labels, engine[m.name].labels);
      assert.equal(m.preprocess, 'mnist');
      const want = engine[m.name].summary();
      assert.deepEqual(m.summary.layers, want.layers);
      assert.equal(m.summary.totalParams, want.totalParams);
    }
    const head = await w.request('HEAD', '/api/v1/models');
    assert.equal(head.status, 200);
    assert.equal(head.body.length, 0);
  });

  it('POST /api/v1/predict answers JSON tensors and PNGs as the engine does', async () => {
    const inputs = await withOracle(makeInputs(8));
    for (const [i, x] of inputs.entries()) {
      const k = 1 + (i % 10);
      const res = await w.request('POST', `/api/v1/predict?model=${x.name}&top=${k}`, {
        headers: { 'Content-Type': x.contentType }, body: x.body,
      });
      assert.equal(res.status, 200, res.body.toString());
      checkPrediction(json(res), x.name, x.probs, k);
    }
    // A batched shape, the default top 5, and top over the class count.
    const x = inputs[0];
    const batched = Buffer.from(JSON.stringify({ shape: [1, 28, 28, 1], data: [...x.input.data] }));
    let res = await w.request('POST', `/api/v1/predict?model=${x.name}`, { headers: { 'Content-Type': 'application/json' }, body: batched });
    checkPrediction(json(res), x.name, x.probs, 5);
    res = await w.request('POST', `/api/v1/predict?model=${x.name}&top=99`, { headers: { 'Content-Type': 'application/json' }, body: x.body });
    checkPrediction(json(res), x.name, x.probs, 10);
  });

  it('reads JPEGs as fm predict does', async () => {
    const file = join(repo, 'wasm/edge/js/test/testdata/seven.jpg');
    const res = await w.request('POST', '/api/v1/predict?model=alexmnist', {
      headers: { 'Content-Type': 'image/jpeg' }, body: readFileSync(file),
    });
    assert.equal(res.status, 200, res.body.toString());
    const got = json(res).top;
    const out = execFileSync('go', ['run', './tools/fm', 'predict', '-model', modelFile('alexmnist'), file], { cwd: repo, encoding: 'utf8' });
    const want = [...out.matchAll(/^\d+\. (\S+)\s+([\d.]+)$/gm)].map((m) => ({ label: m[1], p: Number(m[2]) }));
    assert.equal(want.length, 5, out);
    assert.equal(got[0].label, '7');
    got.forEach((c, i) => assert.ok(Math.abs(c.p - want[i].p) <= 1e-4, `top[${i}] = ${JSON.stringify(c)}, fm predict ${JSON.stringify(want[i])}`));
  });

  it('?activations=LAYER returns that layer as JSON, equal to model.activations()', async () => {
    const seven = drawnSeven();
    const acts = await engine.alexmnist.activations(seven);
    for (const layer of ['conv1', 'pool2', 'fc8']) {
      const res = await w.request('POST', `/api/v1/predict?model=alexmnist&activations=${layer}`, {
        headers: { 'Content-Type': 'image/png' }, body: png(seven.width, seven.height, seven.data),
      });
      assert.equal(res.status, 200, res.body.toString());
      const a = json(res).activation;
      const want = acts.find((x) => x.name === layer);
      assert.equal(a.name, layer);
      assert.equal(a.type, want.type);
      assert.deepEqual(a.shape, want.shape);
      assert.equal(a.data.length, want.data.length);
      a.data.forEach((v, i) => { if (Math.fround(v) !== want.data[i]) assert.fail(`${layer}[${i}] = ${v}, engine ${want.data[i]}`); });
    }
  });

  it('answers bad input with a 4xx and a JSON error that says what was wrong', async () => {
    const x = Buffer.from(JSON.stringify({ shape: [28, 28, 1], data: new Array(784).fill(0) }));
    const jsonWith = (v) => Buffer.from(x.toString().replace('[0,', `[${v},`));
    const ct = (t) => ({ 'Content-Type': t });
    const cases = [
      ['GET', '/api/v1/predict?model=seednet', {}, 405, 'use POST', 'POST'],
      ['PUT', '/api/v1/models', {}, 405, 'use GET or HEAD', 'GET, HEAD'],
      ['OPTIONS', '/api/v1/predict?model=seednet', { headers: { Origin: 'https://x.example' } }, 405, 'method not allowed', 'POST'],
      ['GET', '/api/v1/nothing', {}, 404, 'no API route GET /api/v1/nothing'],
      ['POST', '/api/v1/debug/panic?mode=fatal', {}, 404, 'no API route'],
      ['POST', '/api/v1/predict?model=lenet', { headers: ct('application/json'), body: x }, 404, 'no model "lenet"; models: seednet, alexmnist'],
      ['POST', '/api/v1/predict', { headers: ct('application/json'), body: x }, 400, 'the model query parameter is required'],
      ['POST', '/api/v1/predict?model=seednet&k=3', { headers: ct('application/json'), body: x }, 400, 'unknown query parameter "k"'],
      ['POST', '/api/v1/predict?model=seednet&top=-1', { headers: ct('application/json'), body: x }, 400, 'top = "-1", want a positive integer'],
      ['POST', '/api/v1/predict?model=seednet&activations=conv7', { headers: ct('application/json'), body: x }, 400, 'no layer "conv7"'],
      ['POST', '/api/v1/predict?model=seednet', { headers: ct('image/png'), body: Buffer.alloc(2 * 2 ** 20 + 1) }, 413, 'more than the limit of 2097152'],
      ['POST', '/api/v1/predict?model=seednet', { headers: { ...ct('image/png'), 'Transfer-Encoding': 'chunked' }, body: Buffer.alloc(2 * 2 ** 20 + 1) }, 413, 'the body has more than the limit of 2097152 bytes'],
      ['POST', '/api/v1/predict?model=seednet&top=2', { headers: { ...ct('application/json'), 'Transfer-Encoding': 'chunked' }, body: Buffer.from('{"shape":[28,28,1],"data":[1]}') }, 400, 'data has 1 values, want 784'],
      ['POST', '/api/v1/predict?model=seednet', { headers: ct('image/gif'), body: x }, 415, 'Content-Type "image/gif" is not supported'],
      ['POST', '/api/v1/predict?model=seednet', { body: x }, 415, 'Content-Type "" is not supported'],
      ['POST', '/api/v1/predict?model=seednet', { headers: ct('image/png'), body: Buffer.from('GIF89a....') }, 400, 'the body is not a PNG image'],
      ['POST', '/api/v1/predict?model=seednet', { headers: ct('image/jpeg'), body: Buffer.from([0xff, 0xd8, 0xff, 0xe0]) }, 400, 'the body is not a JPEG image'],
      ['POST', '/api/v1/predict?model=seednet', { headers: ct('image/png'), body: bomb(65535, 65535) }, 400, 'declares 65535×65535 pixels; at most 4194304'],
      ['POST', '/api/v1/predict?model=seednet', { headers: ct('application/json'), body: Buffer.from('{"shape":[28,28,1],"data":[1,') }, 400, 'not a JSON tensor'],
      ['POST', '/api/v1/predict?model=seednet', { headers: ct('application/json'), body: Buffer.from('{"shape":[28,28],"data":[]}') }, 400, 'shape [28 28] does not match the model\'s input: want [28 28 1] or [1 28 28 1]'],
      ['POST', '/api/v1/predict?model=seednet', { headers: ct('application/json'), body: Buffer.from('{"shape":[28,28,1],"data":[1,2,3]}') }, 400, 'data has 3 values, want 784'],
      ['POST', '/api/v1/predict?model=seednet', { headers: ct('application/json'), body: jsonWith('1e39') }, 400, 'data[0] = 1e+39 is not a finite float32'],
      ['POST', '/api/v1/predict?model=seednet', { headers: ct('application/json'), body: jsonWith('Infinity') }, 400, 'not a JSON tensor'],
      ['POST', '/api/v1/predict?model=seednet', { headers: ct('application/json'), body: jsonWith('null') }, 400, 'data[0] is null'],
    ];
    // A declared length over the limit is answered at once, unread (the
    // body is never sent here).
    const declared = await w.declareOnly('POST', '/api/v1/predict?model=seednet', { 'Content-Type': 'image/png', 'Content-Length': String(5 * 2 ** 20) });
    assert.equal(declared.status, 413);
    assert.ok(JSON.parse(declared.body).error.includes('the body has 5242880 bytes, more than the limit of 2097152'), declared.body);
    for (const [method, path, opts, status, message, allow] of cases) {
      const res = await w.request(method, path, opts);
      const what = `${method} ${path} ${opts.headers?.['Content-Type'] ?? ''}`;
      assert.equal(res.status, status, `${what}: ${res.body}`);
      assert.equal(res.headers['content-type'], 'application/json; charset=utf-8', what);
      assert.ok(json(res).error.includes(message), `${what}: error ${json(res).error}, want ${message}`);
      if (allow) assert.equal(res.headers.allow, allow, what);
      assert.equal(res.headers['access-control-allow-origin'], undefined, 'CORS is off by default');
    }
  });

  it('keeps one Go instance: 5,000 requests, 16 at a time, no 5xx, every answer the engine\'s, memory flat', async () => {
    const inputs = await withOracle(makeInputs(24));
    const total = 5000;
    const concurrency = 16;
    const rss = [];
    let sent = 0;
    let errors5xx = 0;
    const statuses = {};
    const start = performance.now();
    const workers = Array.from({ length: concurrency }, async () => {
      while (sent < total) {
        const i = sent++;
        const x = inputs[i % inputs.length];
        const res = await w.request('POST', `/api/v1/predict?model=${x.name}&top=10`, {
          headers: { 'Content-Type': x.contentType }, body: x.body,
        });
        statuses[res.status] = (statuses[res.status] ?? 0) + 1;
        if (res.status >= 500) errors5xx++;
        if (res.status === 200) checkPrediction(json(res), x.name, x.probs, 10);
        if (i % 250 === 249) rss.push(w.rssKiB());
      }
    });
    await Promise.all(workers);
    const seconds = (performance.now() - start) / 1000;
    const secondHalf = rss.slice(Math.floor(rss.length / 2));
    const growth = secondHalf[secondHalf.length - 1] / secondHalf[0] - 1;
    console.log(`# edge load: ${total} requests, ${concurrency} concurrent, ${seconds.toFixed(1)} s (${(total / seconds).toFixed(0)}/s); statuses ${JSON.stringify(statuses)}; RSS MiB every 250 requests: ${rss.map((k) => (k / 1024).toFixed(0)).join(' ')}; growth over the second half ${(100 * growth).toFixed(1)} %`);
    assert.equal(errors5xx, 0);
    assert.deepEqual(statuses, { 200: total });
    assert.ok(growth <= 0.1, `workerd's RSS grew ${(100 * growth).toFixed(1)} % over the second half: ${rss.join(' ')} KiB`);
  });

  it('measures latency against in-Node inference (printed, not asserted)', async () => {
    const seven = drawnSeven();
    const body = png(seven.width, seven.height, seven.data);
    for (const name of ['seednet', 'alexmnist']) {
      const http = [];
      const node = [];
      const refused = [];
      // (after the load test: V8 has tiered both up from Liftoff to TurboFan)
      for (let b = 0; b < 3; b++) { // blocks of 20 in turn, so both see the same machine load
        for (let i = 0; i < 20; i++) {
          const t = performance.now();
          const res = await w.request('POST', `/api/v1/predict?model=${name}`, { headers: { 'Content-Type': 'image/png' }, body });
          http.push(performance.now() - t);
          assert.equal(res.status, 200);
        }
        for (let i = 0; i < 20; i++) {
          const t = performance.now();
          await engine[name].predict(seven);
          node.push(performance.now() - t);
        }
        for (let i = 0; i < 20; i++) { // refused before decoding: HTTP, glue and bridge alone
          const t = performance.now();
          assert.equal((await w.request('POST', `/api/v1/predict?model=${name}`, { headers: { 'Content-Type': 'image/gif' }, body })).status, 415);
          refused.push(performance.now() - t);
        }
      }
      const [h50, h99, n50] = [percentile(http, 50), percentile(http, 99), percentile(node, 50)];
      console.log(`# edge latency ${name} (PNG, sequential, keep-alive): median ${h50.toFixed(2)} ms, p99 ${h99.toFixed(2)} ms; featuremap.js in Node median ${n50.toFixed(2)} ms; difference ${(h50 - n50).toFixed(2)} ms; the same request refused before decoding (415) median ${percentile(refused, 50).toFixed(2)} ms`);
    }
  });
});

describe('edge Worker, debug configuration: budget, CORS, precompressed files, panics', () => {
  let w;
  let site;
  const hello = 'export const hello = "precompressed";\n'.repeat(20);
  before(async () => {
    site = mkdtempSync(join(tmpdir(), 'featuremap-edge-site-'));
    mkdirSync(join(site, 'models'));
    for (const name of ['seednet', 'alexmnist']) copyFileSync(modelFile(name), join(site, 'models', `${name}.safetensors`));
    writeFileSync(join(site, 'models', 'huge.safetensors'), '');
    truncateSync(join(site, 'models', 'huge.safetensors'), 100 * 2 ** 20); // sparse: never read
    writeFileSync(join(site, 'hello.js'), hello);
    writeFileSync(join(site, 'hello.js.br'), brotliCompressSync(hello));
    writeFileSync(join(site, 'hello.js.gz'), gzipSync(hello));
    w = await startWorkerd({
      siteDir: site,
      vars: { MODELS: 'seednet,alexmnist,huge,ghost', MODEL_BUDGET_MIB: '8', CORS_ORIGINS: 'https://app.example', EDGE_DEBUG: '1' },
    });
  });
  after(async () => {
    await w?.stop();
    rmSync(site, { recursive: true, force: true });
  });

  it('refuses models over the budget with a clear error', async () => {
    const { models } = json(await w.request('GET', '/api/v1/models'));
    assert.deepEqual(models.map((m) => [m.name, m.servable]), [['seednet', true], ['alexmnist', false], ['huge', false], ['ghost', false]]);
    assert.match(models[1].error, /model "alexmnist" needs about [\d.]+ MiB .* more than the [\d.]+ MiB left of this Worker's 8.0 MiB model budget/);
    assert.match(models[2].error, /model "huge" cannot be served: its weight file has 104857600 bytes/);
    assert.equal(models[3].error, 'model "ghost" cannot be served: its weight file /models/ghost.safetensors is not among the site\'s files');
    const x = Buffer.from(JSON.stringify({ shape: [28, 28, 1], data: new Array(784).fill(0) }));
    for (const name of ['alexmnist', 'huge', 'ghost']) {
      const res = await w.request('POST', `/api/v1/predict?model=${name}`, { headers: { 'Content-Type': 'application/json' }, body: x });
      assert.equal(res.status, 422);
      assert.equal(json(res).error, models.find((m) => m.name === name).error);
    }
    const ok = await w.request('POST', '/api/v1/predict?model=seednet', { headers: { 'Content-Type': 'application/json' }, body: x });
    assert.equal(ok.status, 200);
  });

  it('allows the configured CORS origin', async () => {
    const x = Buffer.from(JSON.stringify({ shape: [28, 28, 1], data: new Array(784).fill(0) }));
    const res = await w.request('POST', '/api/v1/predict?model=seednet', { headers: { 'Content-Type': 'application/json', Origin: 'https://app.example' }, body: x });
    assert.equal(res.headers['access-control-allow-origin'], 'https://app.example');
    const other = await w.request('POST', '/api/v1/predict?model=seednet', { headers: { 'Content-Type': 'application/json', Origin: 'https://evil.example' }, body: x });
    assert.equal(other.headers['access-control-allow-origin'], undefined);
    const pre = await w.request('OPTIONS', '/api/v1/predict?model=seednet', {
      headers: { Origin: 'https://app.example', 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type' },
    });
    assert.equal(pre.status, 204);
    assert.equal(pre.headers['access-control-allow-methods'], 'POST');
    assert.equal(pre.headers['access-control-allow-headers'], 'Content-Type');
    const bad = await w.request('DELETE', '/api/v1/predict?model=seednet');
    assert.equal(bad.headers.allow, 'POST, OPTIONS');
  });

  it('serves a precompressed file to clients that accept its encoding', async () => {
    for (const [accept, coding, decode] of [
      ['gzip, br', 'br', brotliDecompressSync],
      ['gzip', 'gzip', gunzipSync],
      ['br;q=0, gzip', 'gzip', gunzipSync],
      ['identity', undefined, (b) => b],
      [undefined, undefined, (b) => b],
    ]) {
      const res = await w.request('GET', '/hello.js', { headers: accept ? { 'Accept-Encoding': accept } : {} });
      assert.equal(res.status, 200);
      assert.equal(res.headers['content-encoding'], coding, accept);
      assert.equal(res.headers['content-type'], 'text/javascript; charset=utf-8');
      assert.equal(res.headers.vary, 'Accept-Encoding');
      assert.equal(res.headers['x-decoded-content-length'], coding && String(hello.length));
      assert.equal(decode(res.body).toString(), hello);
    }
  });

  it('survives a Go panic: that request gets a 500 with a JSON error, later ones succeed', async () => {
    const x = Buffer.from(JSON.stringify({ shape: [28, 28, 1], data: new Array(784).fill(0.5) }));
    const predict = () => w.request('POST', '/api/v1/predict?model=seednet', { headers: { 'Content-Type': 'application/json' }, body: x });
    const before = await predict();
    assert.equal(before.status, 200);
    const first = before.headers['x-edge-instance'];

    // A panic in the handler is recovered; the instance goes on.
    let res = await w.request('POST', '/api/v1/debug/panic?mode=handler');
    assert.equal(res.status, 500);
    assert.match(json(res).error, /^internal error \(please report it\): api: panic requested/);
    res = await predict();
    assert.equal(res.status, 200);
    assert.equal(res.headers['x-edge-instance'], first, 'the same instance');

    // A fatal panic ends the Go program: 500, then a new instance, with the
    // requests in flight at the time answered too.
    const inflight = Array.from({ length: 8 }, predict);
    res = await w.request('POST', '/api/v1/debug/panic?mode=fatal');
    assert.equal(res.status, 500);
    assert.match(json(res).error, /^internal error: the engine crashed \(exit code 2\); it has been restarted/);
    assert.equal(res.headers['content-security-policy'], CSP);
    for (const r of await Promise.all(inflight)) assert.ok(r.status === 200 || r.status === 500, `in flight: ${r.status}`);
    res = await predict();
    assert.equal(res.status, 200);
    assert.notEqual(res.headers['x-edge-instance'], first, 'a new instance');
    assert.deepEqual(json(res).top, json(before).top);
    assert.match(w.stderr(), /panic requested by POST \/api\/v1\/debug\/panic\?mode=fatal/);
  });
});

describe('edge Worker, as wrangler.jsonc deploys it (workerd bundles it with esbuild and serves its assets)', () => {
  let w;
  before(async () => { w = await startWorkerd({ wrangler: true }); });
  after(() => w?.stop());

  it('answers a burst of concurrent first requests (each fetches the weights itself)', async () => {
    const seven = drawnSeven();
    const body = png(seven.width, seven.height, seven.data);
    const want = { seednet: (await engine.seednet.predict(seven)).probs, alexmnist: (await engine.alexmnist.predict(seven)).probs };
    const names = Array.from({ length: 16 }, (_, i) => (i % 2 ? 'seednet' : 'alexmnist'));
    const answers = await Promise.all(names.map((name) => w.request('POST', `/api/v1/predict?model=${name}&top=10`, { headers: { 'Content-Type': 'image/png' }, body })));
    answers.forEach((res, i) => {
      assert.equal(res.status, 200, res.body.toString());
      checkPrediction(json(res), names[i], want[names[i]], 10);
    });
    assert.equal(w.stderr(), '', 'workerd logged nothing');
  });

  it('serves the site with its headers and the API', async () => {
    const page = await w.request('GET', '/');
    assert.equal(page.status, 200);
    assert.ok(page.body.equals(readFileSync(join(distSite, 'index.html'))));
    assert.equal(page.headers['content-security-policy'], CSP);
    assert.equal(page.headers['content-type'], 'text/html; charset=utf-8');
    const wasm = await w.request('GET', '/featuremap/featuremap.simd.wasm');
    assert.equal(wasm.headers['content-type'], 'application/wasm');
    const { models } = json(await w.request('GET', '/api/v1/models'));
    assert.deepEqual(models.map((m) => [m.name, m.servable]), [['seednet', true], ['alexmnist', true]]);
    const seven = drawnSeven();
    const res = await w.request('POST', '/api/v1/predict?model=alexmnist&top=10', {
      headers: { 'Content-Type': 'image/png' }, body: png(seven.width, seven.height, seven.data),
    });
    assert.equal(res.status, 200, res.body.toString());
    checkPrediction(json(res), 'alexmnist', (await engine.alexmnist.predict(seven)).probs, 10);
    const cors = await w.request('POST', '/api/v1/predict?model=seednet', { headers: { Origin: 'https://x.example' } });
    assert.equal(cors.status, 415);
    assert.equal(cors.headers['access-control-allow-origin'], undefined);
  });
});
