// What a visitor's browser downloads and how soon it predicts (issue 15),
// in headless Chromium on localhost, over a copy of dist/site served by
// tools/serve (precompressed, so brotli on the wire):
//   - the byte table per page, per file on the wire: the demo with
//     alexmnist, a documentation page with one seednet <featuremap-demo>
//     far below the fold (nothing but the placeholder loads until it is
//     scrolled near), and the explainer;
//   - start-up timings, two runs of a first and a repeat visit of the demo,
//     each run in a fresh browser profile kept on disk (a visitor's HTTP
//     cache, code cache and Cache API storage): navigation → first
//     prediction (an image of a 7 given to the upload input the moment the
//     page is ready → its top class shown), and the ready and classifying
//     parts of it; the main thread's long tasks (over 50 ms) until ready;
//     the page's own breakdown (ui.js's performance marks: module
//     compiled, engine running, UI running, model loaded, warm-up
//     prediction done; app.wasm's and the weights' requests); and how many
//     compiled modules V8 keeps in the profile's WebAssembly code cache
//     after the visits.
// Bytes per file are Chromium's Network.loadingFinished encodedDataLength
// (headers and body as received), which Playwright reports as
// request.sizes() for the page's requests and its workers' alike (a CDP
// session on the page alone misses the worker's). Only the byte totals are
// asserted, against the issue's targets: bytes are deterministic, times on
// a shared machine are not. The trained models (site/models) are part of
// the byte budget: without them the test skips.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildServe, launchChromium, launchChromiumProfile, noChromium, startServer, watch } from '../../wasm/js/testing/browser.mjs';
import { REVISIT_AFTER, SEVEN, breakdown, docsPage, recordBytes, startupProbe, table, wasmCodeCache } from './pages.mjs';
import { drawDigit } from './strokes.mjs';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const dist = join(repo, 'dist/site');
const noModels = !existsSync(join(dist, 'models/alexmnist.safetensors')) && 'dist/site/models lacks the trained models (site/models), which the byte targets include';

// The issue's targets, in bytes on the wire (1 MB = 10^6 bytes).
const TARGETS = { demo: 1.9e6, docs: 0.9e6, explainer: 0.9e6 };

// draw draws digit d on the canvas in root and waits for its prediction.
async function draw(page, root, d) {
  const before = await root.evaluate((e) => Number(e.dataset.predictions ?? 0));
  const canvas = root.locator('canvas.fm-canvas');
  await canvas.scrollIntoViewIfNeeded();
  await drawDigit(page, await canvas.boundingBox(), d);
  await page.waitForFunction(([e, n]) => Number(e.dataset.predictions ?? 0) > n && !e.hasAttribute('aria-busy'), [await root.elementHandle(), before]);
}

describe('bytes and start-up of the site', { skip: noChromium || noModels }, () => {
  let tmp, server, browser;
  before(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'featuremap-bytes-'));
    const root = join(tmp, 'root');
    cpSync(dist, root, { recursive: true });
    writeFileSync(join(root, 'docs.html'), docsPage('embed.js'));
    server = await startServer(buildServe(tmp), root);
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    server?.proc.kill();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  // visit opens url in page, waits for ready (selector), has a digit
  // predicted when asked (drawn; 'probe': startupProbe gives the demo an
  // image), and returns the byte rows and the start-up probe.
  async function visit(page, url, ready, predict) {
    const problems = await watch(page);
    const rows = recordBytes(page, server.url);
    await page.goto(url);
    const root = page.locator(ready);
    await page.waitForSelector(`${ready}[data-state=ready]`, { timeout: 60_000 });
    if (predict === 'probe') {
      await page.waitForSelector('#prediction:not(.fm-empty)');
    } else if (predict) {
      await draw(page, root, 3);
    }
    await page.waitForLoadState('networkidle');
    const startup = { ...await page.evaluate(() => window.__startup), ...await page.evaluate(breakdown) };
    assert.deepEqual(problems, [], url);
    return { rows: await rows(), startup };
  }

  it('prints the byte table of each page and meets the targets', async (t) => {
    const totals = {};
    const open = async (name, path, ready, predict, before) => {
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      const page = await context.newPage();
      let rows;
      if (before) {
        ({ rows } = await before(page));
      } else {
        ({ rows } = await visit(page, server.url + path, ready, predict));
      }
      totals[name] = rows.reduce((n, r) => n + r.bytes, 0);
      table(`${name} (/${path})`, rows).forEach((l) => t.diagnostic(l));
      await context.close();
    };
    await open('demo', '', '#app', true);
    await open('docs', 'docs.html', 'featuremap-demo', true, async (page) => {
      const problems = await watch(page);
      const rows = recordBytes(page, server.url);
      await page.goto(`${server.url}docs.html`);
      await page.waitForLoadState('networkidle');
      const early = await rows();
      assert.deepEqual(early.filter((r) => /\.wasm$|\.safetensors$/.test(r.path)), [], 'nothing heavy before the widget comes near');
      table('docs page before scrolling', early).forEach((l) => t.diagnostic(l));
      const widget = page.locator('featuremap-demo');
      assert.equal(await widget.getAttribute('data-state'), 'idle');
      await widget.scrollIntoViewIfNeeded();
      await page.waitForSelector('featuremap-demo[data-state=ready]', { timeout: 60_000 });
      await draw(page, widget, 3);
      await page.waitForLoadState('networkidle');
      assert.deepEqual(problems, []);
      return { rows: await rows() };
    });
    await open('explainer', 'explain.html', '#app', false);
    const over = Object.entries(TARGETS).filter(([name, target]) => !(totals[name] <= target));
    assert.deepEqual(over.map(([name, target]) => `${name}: ${totals[name]} bytes on the wire, target ${target}`), []);
  });

  it('prints start-up timings: first and repeat visits of the demo, two runs', async (t) => {
    const ms = (v) => (v === undefined ? '–' : `${Math.round(v)} ms`);
    for (let run = 1; run <= 2; run++) {
      const profile = mkdtempSync(join(tmp, 'profile-'));
      const context = await launchChromiumProfile(profile, { viewport: { width: 1280, height: 900 } });
      await context.addInitScript(startupProbe, SEVEN.toString('base64'));
      for (const kind of ['first visit', 'repeat visit']) {
        const page = await context.newPage();
        const { rows, startup: s } = await visit(page, server.url, '#app', 'probe');
        const latency = s.predicted - s.input;
        const long = s.longTasks.filter((l) => l.start < s.ready);
        t.diagnostic(`run ${run}, ${kind}: navigation → first prediction ${ms(s.predicted)} (ready ${ms(s.ready)}, then the image` +
          ` given at once is classified ${ms(latency)} later); ${rows.reduce((n, r) => n + r.bytes, 0)} bytes;` +
          ` main-thread tasks over 50 ms before ready: ${long.length ? long.map((l) => `${Math.round(l.duration)} ms at ${Math.round(l.start)}`).join(', ') : 'none'}`);
        const m = s.marks;
        t.diagnostic(`  ms since navigation: ${s.requests.map((r) => `${r.file} requested ${Math.round(r.start)}, received ${Math.round(r.end)} (${r.bytes} bytes)`).join('; ')};` +
          ` compiled ${ms(m.compiled)} (app.wasm's compile: ${ms(m.compiled - s.requests.find((r) => r.file.startsWith('app'))?.start)}), engine running ${ms(m.engine)}, UI running ${ms(m.ui)},` +
          ` model loaded ${ms(m.model)}, ready ${ms(s.ready)}, warm-up prediction done ${ms(m.warmed)}, first prediction shown ${ms(s.predicted)}`);
        await page.waitForTimeout(REVISIT_AFTER);
        await page.close();
      }
      const cache = wasmCodeCache(profile);
      t.diagnostic(`run ${run}: V8's WebAssembly code cache in the profile after both visits: ${cache.entries} modules, ${cache.bytes} bytes`);
      await context.close();
    }
  });
});
