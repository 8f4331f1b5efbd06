// Browser tests of the site (dist/site, built by `make build`) in headless
// Chromium, served by tools/serve under the site's Content-Security-Policy:
// the demo's hooks, drawing, feature maps, parameter table and weight
// cache; the embed widget from another path (the explainer's own tests are
// in explain.test.mjs); no console errors and no CSP violations on any
// page; screenshots of every page at 1280 and 360 px in out/screenshots.
// The accuracy tests (stroke templates of all ten digits, MNIST test
// images) need the trained models and skip while
// site/models/alexmnist.safetensors is absent; the other tests use random
// weights (`fm init`) for any model that dist/site lacks.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { buildServe, launchChromium, noChromium, startServer, watch } from '../../wasm/js/testing/browser.mjs';
import { png } from '../../wasm/js/testing/models.mjs';
import { drawDigit } from './strokes.mjs';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const dist = join(repo, 'dist/site');
const trained = existsSync(join(repo, 'site/models/alexmnist.safetensors'));
const untrained = !trained && 'site/models/alexmnist.safetensors is absent: the accuracy tests need the trained models';
const screenshots = join(repo, 'out/screenshots');
// OTHER is where a second copy of the site is served, for the embed test.
const OTHER = '/deep/path/featuremap/';
const MODELS = ['seednet', 'alexmnist'];

// predictions reads a demo root's count of complete predictions.
const predictions = (root) => root.evaluate((e) => Number(e.dataset.predictions ?? 0));

// settle waits until the demo at root has finished more than `before`
// predictions and is not busy.
async function settle(page, root, before) {
  await page.waitForFunction(([e, n]) => Number(e.dataset.predictions ?? 0) > n && !e.hasAttribute('aria-busy'), [await root.elementHandle(), before]);
}

// draw draws digit d on the canvas in root and waits for the prediction.
async function draw(page, root, d) {
  const before = await predictions(root);
  await drawDigit(page, await root.locator('canvas.fm-canvas').boundingBox(), d);
  await settle(page, root, before);
}

// mnist reads the first n MNIST test images (28×28 bytes) and labels from
// the GoMNIST module's copy.
function mnist(n) {
  const modcache = execFileSync('go', ['env', 'GOMODCACHE'], { encoding: 'utf8' }).trim();
  const data = join(modcache, 'github.com/petar/!go!m!n!i!s!t@v0.0.0-20150320212226-2fbe10d0fa63/data');
  const images = gunzipSync(readFileSync(join(data, 't10k-images-idx3-ubyte.gz')));
  const labels = gunzipSync(readFileSync(join(data, 't10k-labels-idx1-ubyte.gz')));
  return Array.from({ length: n }, (_, i) => ({
    label: labels[8 + i],
    pixels: images.subarray(16 + i * 784, 16 + (i + 1) * 784),
  }));
}

describe('the site in headless Chromium', { skip: noChromium }, () => {
  let tmp, root, server, browser, fmBin;
  before(async () => {
    assert.ok(existsSync(join(dist, 'app.simd.wasm')), 'dist/site/app.simd.wasm is missing: run `make build`');
    tmp = mkdtempSync(join(tmpdir(), 'featuremap-site-'));
    root = join(tmp, 'root');
    cpSync(dist, root, { recursive: true });
    cpSync(dist, join(root, OTHER), { recursive: true });
    const build = (pkg, name) => {
      const bin = join(tmp, name);
      execFileSync('go', ['build', '-o', bin, pkg], { cwd: repo, stdio: ['ignore', 'ignore', 'inherit'] });
      return bin;
    };
    fmBin = build('./tools/fm', 'fm');
    for (const dir of [root, join(root, OTHER)]) {
      mkdirSync(join(dir, 'models'), { recursive: true });
      for (const name of MODELS) {
        const file = join(dir, 'models', `${name}.safetensors`);
        if (!existsSync(file)) {
          execFileSync(fmBin, ['init', '-arch', name, '-seed', '1', '-int8', file], { stdio: 'ignore' });
        }
      }
    }
    mkdirSync(join(root, 'host'));
    cpSync(join(dist, 'favicon.svg'), join(root, 'host/favicon.svg'));
    writeFileSync(join(root, 'host/page.html'), `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>A documentation page</title>
<link rel="icon" href="favicon.svg">
<script type="module" src="${OTHER}embed.js"></script></head>
<body><h1>Someone's docs</h1><featuremap-demo model="seednet"></featuremap-demo></body></html>
`);
    server = await startServer(buildServe(tmp), root);
    browser = await launchChromium();
    mkdirSync(screenshots, { recursive: true });
  });
  after(async () => {
    await browser?.close();
    server?.proc.kill();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  // openDemo opens the demo page in a new context (an empty cache) and
  // waits for its model.
  async function openDemo(width = 1280) {
    const context = await browser.newContext({ viewport: { width, height: 900 } });
    const page = await context.newPage();
    const problems = await watch(page);
    const t0 = Date.now();
    const response = await page.goto(server.url);
    assert.match(response.headers()['content-security-policy'], /script-src 'self' 'wasm-unsafe-eval'/);
    await page.waitForSelector('#app[data-state=ready]');
    return { context, page, problems, t0, app: page.locator('#app') };
  }

  it('demo: hooks, drawing, top-k, feature maps, filters, parameter table, model switch', async (t) => {
    const { context, page, problems, t0, app } = await openDemo();
    assert.equal(await page.locator('canvas#draw').count(), 1);
    assert.equal(await page.locator('input#upload[type=file]').count(), 1);
    assert.deepEqual(await page.locator('select#model option').evaluateAll((os) => os.map((o) => o.value)), MODELS);
    assert.equal(await page.inputValue('#model'), 'alexmnist');
    await draw(page, app, 7);
    t.diagnostic(`navigation to first prediction (load, draw a 7, predict, feature maps): ${Date.now() - t0} ms`);
    assert.match(await page.textContent('#prediction'), /^\d — \d+\.\d%$/);
    assert.equal(await page.locator('.fm-bar').count(), 5);
    assert.match(await page.textContent('.fm-timing'), /^Inference \d+\.\d ms/);

    // The engine's own view of the model, loaded here for comparison: its
    // summary and the value range of conv1's first two filters.
    const engineView = (name) => page.evaluate(async (url) => {
      const { init } = await import('./featuremap/featuremap.js');
      const fm = await init();
      const m = await fm.loadModel(url);
      const { shape, data } = m.weights('conv1').weight; // [KH, KW, 1, OC]
      const oc = shape[3];
      const range = (c) => {
        const v = data.filter((_, i) => i % oc === c);
        return [Math.min(...v), Math.max(...v)];
      };
      return { s: m.summary(), ranges: [range(0), range(1)] };
    }, `models/${name}.safetensors`);
    // num formats as ui.Num: at most three decimals, no negative zero.
    const num = (v) => String(Math.round(v * 1000) / 1000 || 0);
    const check = async (name) => {
      const { s, ranges } = await engineView(name);
      const shown = s.layers.filter((l) => l.type !== 'flatten' && l.type !== 'dropout' && l.type !== 'lrn'); // lrn: folded into its conv
      assert.deepEqual(await page.locator('.fm-layers figcaption').allTextContents(),
        shown.map((l) => `${l.name} (${l.type}) · ${l.outputShape.join('×')}`));
      const rows = await page.locator('.fm-params tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.cells].map((c) => c.textContent)));
      assert.deepEqual(rows, s.layers.map((l) => [l.name, l.type, l.outputShape.join('×'),
        l.weights.toLocaleString('en-US'), l.biases.toLocaleString('en-US'), l.params.toLocaleString('en-US')]));
      assert.equal(await page.textContent('.fm-params tfoot td:last-child'), s.totalParams.toLocaleString('en-US'));
      const conv1 = s.layers[0];
      const [oc, k] = [conv1.outputShape[2], Math.sqrt(conv1.weights / conv1.outputShape[2])];
      assert.equal(await page.textContent('.fm-filters figcaption'), `${oc} filters of ${k}×${k}`);
      // The filter tiles hold model.weights('conv1'): enlarge the first two.
      await page.locator('.fm-filters canvas').focus();
      await page.keyboard.press('Enter');
      for (const [c, [lo, hi]] of ranges.entries()) {
        assert.equal(await page.textContent('.fm-zoom-caption'), `conv1 filter ${c + 1} of ${oc} · ${k}×${k} · values ${num(lo)} to ${num(hi)}`);
        await page.keyboard.press('ArrowRight');
      }
      await page.keyboard.press('Escape');
    };
    await check('alexmnist');

    // Enlarge a tile with the keyboard, step with the arrow keys, close.
    await page.locator('.fm-layers canvas').first().focus();
    await page.keyboard.press('Enter');
    assert.match(await page.textContent('.fm-zoom-caption'), /^conv1 1 of 48 · 28×28 · values /);
    await page.keyboard.press('ArrowRight');
    assert.match(await page.textContent('.fm-zoom-caption'), /^conv1 2 of 48/);
    await page.keyboard.press('Escape');
    assert.equal(await page.locator('dialog.fm-zoom[open]').count(), 0);

    // Switching the model keeps the drawing and recomputes everything.
    const before = await predictions(app);
    await page.selectOption('#model', 'seednet');
    await settle(page, app, before);
    await check('seednet');
    // Undo empties the pad.
    await page.click('#app button:text("Undo")');
    await page.waitForFunction(() => document.getElementById('prediction').textContent === 'Draw a digit');
    assert.deepEqual(problems, []);
    await context.close();
  });

  it('demo: a reload loads the weights from the Cache API, not the network', async () => {
    const { context, page, problems } = await openDemo();
    const fetched = [];
    page.on('request', (r) => r.url().endsWith('.safetensors') && fetched.push(r.url()));
    await page.reload();
    await page.waitForSelector('#app[data-state=ready]');
    assert.deepEqual(fetched, []);
    assert.ok(await page.evaluate(async () => (await caches.open('featuremap-models-v1')).match(new URL('models/alexmnist.safetensors', location.href).href)) !== undefined);
    assert.deepEqual(problems, []);
    await context.close();
  });

  it('demo: no long task (> 50 ms) on the page while drawing', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await page.addInitScript(() => {
      globalThis.longTasks = [];
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) globalThis.longTasks.push({ start: e.startTime, duration: e.duration });
      }).observe({ type: 'longtask' });
    });
    await page.goto(server.url);
    await page.waitForSelector('#app[data-state=ready]');
    const app = page.locator('#app');
    await draw(page, app, 3); // warm up: first feature maps drawn
    const box = await page.locator('#draw').boundingBox();
    const start = await page.evaluate(() => performance.now());
    await page.mouse.move(box.x + 40, box.y + 40);
    await page.mouse.down();
    for (let i = 0; i < 60; i++) {
      await page.mouse.move(box.x + 40 + (i % 20) * 10, box.y + 40 + Math.floor(i / 20) * 60, { steps: 2 });
    }
    const end = await page.evaluate(() => performance.now());
    await page.mouse.up();
    const long = await page.evaluate(([s, e]) => globalThis.longTasks.filter((t) => t.start < e && t.start + t.duration > s), [start, end]);
    assert.deepEqual(long, [], 'long tasks while drawing');
    await context.close();
  });

  it('embed: the widget works from another path, with every file from beside embed.js', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const problems = await watch(page);
    const requests = [];
    page.on('request', (r) => requests.push(new URL(r.url()).pathname));
    await page.goto(`${server.url}host/page.html`);
    const widget = page.locator('featuremap-demo');
    await page.waitForSelector('featuremap-demo[data-state=ready]');
    assert.equal(await widget.locator('select').inputValue(), 'seednet');
    await draw(page, widget, 1);
    assert.match(await widget.locator('.fm-prediction').textContent(), /^\d — /);
    const assets = requests.filter((p) => !p.startsWith('/host/'));
    for (const want of ['embed.js', 'fm.css', 'ui.js', 'app.wasm', 'featuremap/featuremap.worker.js', 'models/seednet.safetensors']) {
      assert.ok(assets.includes(OTHER + want), `${OTHER}${want} requested (got ${assets.join(', ')})`);
    }
    assert.deepEqual(assets.filter((p) => !p.startsWith(OTHER)), [], 'requests outside the widget\'s directory');
    assert.deepEqual(problems, []);
    await context.close();
  });

  it('screenshots of every page at 1280 and 360 px, without console errors', async () => {
    for (const width of [1280, 360]) {
      for (const [file, ready] of [['index.html', '#app'], ['explain.html', '#app'], ['embed.html', 'featuremap-demo']]) {
        const context = await browser.newContext({ viewport: { width, height: 900 } });
        const page = await context.newPage();
        const problems = await watch(page);
        await page.goto(server.url + file);
        await page.waitForSelector(`${ready}[data-state=ready]`);
        if (file === 'index.html') {
          await draw(page, page.locator('#app'), 4);
        }
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
        assert.equal(overflow, 0, `${file} at ${width} px scrolls sideways`);
        await page.screenshot({ path: join(screenshots, `${file.replace('.html', '')}-${width}.png`), fullPage: true });
        assert.deepEqual(problems, [], `${file} at ${width} px`);
        await context.close();
      }
    }
  });

  it('accuracy: mouse strokes of all ten digits, at least 9 right', { skip: untrained }, async (t) => {
    const { context, page, app } = await openDemo();
    const got = [];
    for (let d = 0; d <= 9; d++) {
      if (d > 0) await page.click('#app button:text("Clear")'); // disabled while the pad is empty
      await draw(page, app, d);
      got.push(Number((await page.textContent('#prediction'))[0]));
    }
    t.diagnostic(`drawn 0-9 read as ${got.join(' ')}`);
    assert.ok(got.filter((v, d) => v === d).length >= 9, `drawn 0-9 read as ${got.join(' ')}`);
    await context.close();
  });

  it('accuracy: uploaded MNIST test images are classified right', { skip: untrained }, async (t) => {
    const { context, page, app } = await openDemo();
    const images = mnist(20);
    let right = 0;
    for (const [i, { label, pixels }] of images.entries()) {
      const rgba = new Uint8Array(784 * 4);
      pixels.forEach((v, j) => rgba.set([v, v, v, 255], j * 4));
      const before = await predictions(app);
      await page.setInputFiles('#upload', { name: `mnist-${i}.png`, mimeType: 'image/png', buffer: png(28, 28, rgba) });
      await settle(page, app, before);
      right += Number((await page.textContent('#prediction'))[0]) === label;
    }
    t.diagnostic(`${right} of ${images.length} MNIST test images right`);
    assert.ok(right >= images.length - 1, `${right} of ${images.length} MNIST test images right`);
    await context.close();
  });
});
