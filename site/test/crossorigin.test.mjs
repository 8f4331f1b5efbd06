// The <featuremap-demo> widget embedded from another origin, in headless
// Chromium: origin A is tools/serve over a copy of dist/site (the site's
// headers, CORS included); origin B is a plain Node server on another port
// whose page loads A's embed.js under its own Content-Security-Policy,
// which allows A. A module worker must come from the page's origin, so the
// engine falls back to B's main thread. Checked: nothing but embed.js and
// fm.css is fetched before the widget is scrolled near (a static
// placeholder shows); then it loads, classifies a drawn digit, and nothing
// comes from anywhere but A; and a widget whose files are missing says so.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildServe, launchChromium, noChromium, startServer, watch } from '../../wasm/js/testing/browser.mjs';
import { docsPage } from './pages.mjs';
import { drawDigit } from './strokes.mjs';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const dist = join(repo, 'dist/site');

// serveB serves pages (path → HTML) and a favicon on a free port of
// 127.0.0.1 with csp.
async function serveB(pages, csp) {
  const icon = readFileSync(join(dist, 'favicon.svg'));
  const server = createServer((req, res) => {
    const path = new URL(req.url, 'http://b').pathname;
    if (path === '/favicon.svg') {
      res.writeHead(200, { 'Content-Type': 'image/svg+xml' }).end(icon);
    } else if (Object.hasOwn(pages, path)) {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Content-Security-Policy': csp }).end(pages[path]);
    } else {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${server.address().port}/` };
}

describe('the widget on another origin', { skip: noChromium }, () => {
  let tmp, a, b, browser;
  before(async () => {
    assert.ok(existsSync(join(dist, 'app.simd.wasm')), 'dist/site/app.simd.wasm is missing: run `make build`');
    tmp = mkdtempSync(join(tmpdir(), 'featuremap-crossorigin-'));
    const root = join(tmp, 'root');
    cpSync(dist, join(root, 'site'), { recursive: true });
    const seednet = join(root, 'site/models/seednet.safetensors');
    if (!existsSync(seednet)) {
      mkdirSync(join(root, 'site/models'), { recursive: true });
      execFileSync('go', ['run', './tools/fm', 'init', '-arch', 'seednet', '-seed', '1', '-int8', seednet], { cwd: repo, stdio: 'ignore' });
    }
    // A copy without its WebAssembly, for the failure message.
    cpSync(dist, join(root, 'broken'), { recursive: true, filter: (src) => !/\.wasm(\.br|\.gz)?$/.test(src) });
    a = await startServer(buildServe(tmp), root);
    const origin = new URL(a.url).origin;
    const csp = `default-src 'self'; script-src 'self' ${origin} 'wasm-unsafe-eval'; style-src 'self' ${origin}; connect-src 'self' ${origin}`;
    b = await serveB({
      '/docs.html': docsPage(`${a.url}site/embed.js`),
      '/broken.html': docsPage(`${a.url}broken/embed.js`).replace('<featuremap-demo ', '<featuremap-demo loading="eager" '),
    }, csp);
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    a?.proc.kill();
    b?.server.close();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('loads only when scrolled near, runs on the page and classifies a drawn digit', async (t) => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    const problems = await watch(page);
    const warnings = [];
    page.on('console', (m) => m.type() === 'warning' && warnings.push(m.text()));
    const requests = [];
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(`${b.url}docs.html`);
    await page.waitForLoadState('networkidle');
    const fromA = () => requests.filter((u) => u.startsWith(a.url)).map((u) => u.slice(a.url.length));
    assert.deepEqual(fromA().sort(), ['site/embed.js', 'site/fm.css'], 'before scrolling');
    const widget = page.locator('featuremap-demo');
    assert.equal(await widget.getAttribute('data-state'), 'idle');
    assert.match(await widget.textContent(), /Start the digit classifier/);

    await widget.scrollIntoViewIfNeeded();
    await page.waitForSelector('featuremap-demo[data-state=ready]', { timeout: 60_000 });
    const canvas = widget.locator('canvas.fm-canvas');
    await canvas.scrollIntoViewIfNeeded();
    await drawDigit(page, await canvas.boundingBox(), 1);
    await page.waitForFunction((e) => Number(e.dataset.predictions ?? 0) > 0 && !e.hasAttribute('aria-busy'), await widget.elementHandle());
    const prediction = await widget.locator('.fm-prediction').textContent();
    t.diagnostic(`a drawn 1 read as: ${prediction}`);
    assert.match(prediction, /^\d — /);
    assert.ok(fromA().includes('site/app.wasm') && fromA().includes('site/models/seednet.safetensors'), fromA().join(', '));
    assert.deepEqual(requests.filter((u) => !u.startsWith(a.url) && !u.startsWith(b.url)), [], 'requests to a third origin');
    assert.ok(warnings.some((w) => w.includes('the engine runs on the page')), `the worker fallback was taken: ${warnings.join('; ')}`);
    assert.deepEqual(problems, []);
    await context.close();
  });

  it('says why when its files cannot be loaded', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const problems = await watch(page);
    await page.goto(`${b.url}broken.html`);
    await page.waitForSelector('featuremap-demo[data-state=error]', { timeout: 60_000 });
    assert.match(await page.locator('featuremap-demo [role=alert]').textContent(), /could not start: cannot download .*app\.(simd\.)?wasm: HTTP 404/);
    // The 404 itself and the error logged with it, nothing else.
    assert.ok(problems.every((p) => /404|could not start|cannot download/.test(p)), problems.join('\n'));
    await context.close();
  });
});
