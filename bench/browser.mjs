// featuremap's single-image latency in headless Chromium, in the demo's Web
// Worker (init({ worker: true })): a copy of dist/featuremap, the weight
// files and page/ served by tools/serve on a free port (the helpers of
// wasm/js/testing/browser.mjs).
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = (p) => fileURLToPath(new URL(p, import.meta.url));

/**
 * browserLatency returns [{ model, median, p90, first }] (ms) for models,
 * whose weight files are in dir, with plan[model].rounds × calls timed
 * calls; or { skip: reason } when Chromium is missing.
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
    cpSync(here('page'), www, { recursive: true });
    cpSync(here('../dist/featuremap'), join(www, 'featuremap'), { recursive: true });
    for (const m of models) {
      cpSync(join(dir, `${m}.safetensors`), join(www, 'models', `${m}.safetensors`));
    }
    server = await startServer(buildServe(tmp), www);
    browser = await launchChromium();
    const page = await browser.newPage();
    const problems = await watch(page);
    await page.goto(`${server.url}index.html`);
    await page.waitForFunction(() => typeof window.benchModel === 'function', null, { timeout: 60_000 });
    const rows = [];
    for (const m of models) {
      const calls = plan[m].rounds * plan[m].calls;
      const r = await page.evaluate(([url, n]) => window.benchModel(url, n), [`models/${m}.safetensors`, calls]);
      const s = r.samples.sort((a, b) => a - b);
      const q = (p) => s[Math.max(0, Math.ceil(p * s.length) - 1)];
      rows.push({ model: m, median: q(0.5), p90: q(0.9), first: r.first });
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
