// Single-image latency in headless Chromium: featuremap in the demo's Web
// Worker (init({ worker: true })) and each peer in a module worker, the
// engines alternating (page/page.mjs). A copy of page/, dist/featuremap,
// the bench's model builders, the peers' browser bundles and the weight
// files is served by tools/serve on a free port (the helpers of
// wasm/js/testing/browser.mjs), under its strict Content-Security-Policy.
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { quantile } from './stats.mjs';
import { readWeightFile } from './weights.mjs';

const here = (p) => fileURLToPath(new URL(p, import.meta.url));

/**
 * browserLatency returns, for models (weight files in dir), rows { model,
 * featuremap, tfjs, ort } with { median, p90, first } (ms) per engine, from
 * plan[model].rounds rounds of plan[model].calls calls per engine; or
 * { skip: reason } when Chromium is missing.
 */
export async function browserLatency(models, dir, plan) {
  const { buildServe, launchChromium, noChromium, startServer, watch } = await import('../wasm/js/testing/browser.mjs');
  if (noChromium) {
    return { skip: `skipped: ${noChromium}` };
  }
  const tmp = mkdtempSync(join(tmpdir(), 'featuremap-bench-'));
  let server;
  let browser;
  try {
    const www = join(tmp, 'www');
    const copy = (from, to) => cpSync(here(from), join(www, to), { recursive: true });
    copy('page', '.');
    copy('../dist/featuremap', 'featuremap');
    for (const f of ['weights.mjs', 'tfjs.mjs', 'onnx.mjs', 'ort.mjs']) copy(f, `bench/${f}`);
    const tfDist = 'node_modules/@tensorflow/tfjs-backend-wasm/dist/';
    copy('node_modules/@tensorflow/tfjs-core/dist/tf-core.min.js', 'tfjs/tf-core.min.js');
    for (const f of ['tf-backend-wasm.min.js', 'tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm']) copy(tfDist + f, `tfjs/${f}`);
    for (const f of ['ort.wasm.min.mjs', 'ort-wasm-simd-threaded.mjs', 'ort-wasm-simd-threaded.wasm']) copy(`node_modules/onnxruntime-web/dist/${f}`, `ort/${f}`);
    const sizes = {};
    for (const m of models) {
      const file = join(dir, `${m}.safetensors`);
      cpSync(file, join(www, 'models', `${m}.safetensors`));
      sizes[m] = readWeightFile(readFileSync(file)).arch.input.reduce((p, n) => p * n, 1);
    }
    server = await startServer(buildServe(tmp), www);
    browser = await launchChromium();
    const page = await browser.newPage();
    const problems = await watch(page);
    await page.goto(`${server.url}index.html`);
    await page.waitForFunction(() => typeof window.benchModel === 'function', null, { timeout: 60_000 });
    const rows = [];
    for (const m of models) {
      const { rounds, calls } = plan[m];
      const r = await page.evaluate((args) => window.benchModel(...args), [`models/${m}.safetensors`, sizes[m], rounds, calls]);
      const row = { model: m };
      for (const [e, samples] of Object.entries(r.samples)) {
        row[e] = { median: quantile(samples, 0.5), p90: quantile(samples, 0.9), first: r.first[e] };
      }
      rows.push(row);
    }
    const real = problems.filter((p) => !p.includes('/favicon.ico')); // the page has none
    if (real.length) {
      throw new Error(`bench: the page reported problems:\n${real.join('\n')}`);
    }
    return rows;
  } finally {
    await browser?.close();
    server?.proc.kill();
    rmSync(tmp, { recursive: true, force: true });
  }
}
