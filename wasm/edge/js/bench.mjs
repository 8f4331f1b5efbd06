// Measures the edge Worker under workerd (after `make edge-build`): bundle
// size, cold start (process start → first 200) over fresh processes, and
// sequential predict latency per model against featuremap.js in this Node
// process, in alternating blocks so both see the same machine.
//
//	node wasm/edge/js/bench.mjs [-runs 5] [-n 200]
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { startWorkerd, json, percentile, repo, distEdge } from './testing/workerd.mjs';
import { png, drawnSeven } from '../../js/testing/models.mjs';

const flag = (name, def) => {
  const i = process.argv.indexOf(`-${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
};
const runs = flag('runs', 5);
const n = flag('n', 200);

const files = ['app.wasm', 'wasm_exec.js', 'worker.mjs'].map((f) => readFileSync(join(distEdge, f)));
const raw = files.reduce((s, f) => s + f.length, 0);
const gz = files.reduce((s, f) => s + gzipSync(f, { level: 9 }).length, 0);
console.log(`bundle (app.wasm + wasm_exec.js + worker.mjs): ${(raw / 2 ** 20).toFixed(2)} MiB raw, ${(gz / 2 ** 20).toFixed(2)} MiB gzip -9`);

const cold = { page: [], api: [], predict: [] };
const seven = drawnSeven();
const body = png(seven.width, seven.height, seven.data);
for (let r = 0; r < runs; r++) {
  for (const [kind, method, path, opts] of [
    ['page', 'GET', '/', {}],
    ['api', 'GET', '/api/v1/models', {}],
    ['predict', 'POST', '/api/v1/predict?model=alexmnist', { headers: { 'Content-Type': 'image/png' }, body }],
  ]) {
    const w = await startWorkerd();
    const res = await w.request(method, path, opts);
    cold[kind].push(performance.now() - w.startedAt);
    if (res.status !== 200) throw new Error(`${path}: ${res.status}`);
    await w.stop();
  }
}
for (const [kind, v] of Object.entries(cold)) {
  console.log(`cold start → first 200 of ${kind}: median ${percentile(v, 50).toFixed(0)} ms (${v.map((x) => x.toFixed(0)).join(' ')})`);
}

const { init } = await import(pathToFileURL(join(repo, 'dist/featuremap/featuremap.js')).href);
const fm = await init({ simd: true });
const w = await startWorkerd();
for (const name of ['seednet', 'alexmnist']) {
  const model = await fm.loadModel(readFileSync(join(repo, 'site/models', `${name}.safetensors`)));
  const t = { http: [], inner: [], node: [], diff: [], refused: [] };
  // Blocks of 20 of each kind in turn: the machine's load swings over
  // seconds, and within a block neither process goes idle between calls.
  const block = 20;
  const warmup = 200; // V8 tiers the Go code up from Liftoff to TurboFan meanwhile
  for (let i = 0; i < warmup; i++) {
    await w.request('POST', `/api/v1/predict?model=${name}`, { headers: { 'Content-Type': 'image/png' }, body });
    await model.predict(seven);
  }
  for (let done = 0; done < n; done += block) {
    for (let i = 0; i < block; i++) {
      const t0 = performance.now();
      const res = await w.request('POST', `/api/v1/predict?model=${name}`, { headers: { 'Content-Type': 'image/png' }, body });
      const dt = performance.now() - t0;
      t.http.push(dt);
      t.inner.push(json(res).ms);
      t.diff.push(dt - json(res).ms);
    }
    for (let i = 0; i < block; i++) {
      const t0 = performance.now();
      await model.predict(seven);
      t.node.push(performance.now() - t0);
    }
    for (let i = 0; i < block; i++) { // refused before any decoding: HTTP, glue and Go bridge alone
      const t0 = performance.now();
      await w.request('POST', `/api/v1/predict?model=${name}`, { headers: { 'Content-Type': 'image/gif' }, body });
      t.refused.push(performance.now() - t0);
    }
  }
  const [h50, h99, in50, n50] = [percentile(t.http, 50), percentile(t.http, 99), percentile(t.inner, 50), percentile(t.node, 50)];
  console.log(`${name}: predict (PNG) median ${h50.toFixed(2)} ms, p99 ${h99.toFixed(2)} ms; in the Worker (ms field, whole ms) median ${in50}; featuremap.js in Node median ${n50.toFixed(2)} ms; overhead vs in-Node inference ${(h50 - n50).toFixed(2)} ms, median of (latency − ms field) ${percentile(t.diff, 50).toFixed(2)} ms; the same request refused before decoding (415): median ${percentile(t.refused, 50).toFixed(2)} ms`);
}
console.log(`workerd RSS after: ${(w.rssKiB() / 1024).toFixed(0)} MiB`);
await w.stop();
