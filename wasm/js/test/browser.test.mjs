// The minimal page (site/static) in headless Chromium, served by tools/serve
// under the site's Content-Security-Policy: the seed's 4×4×3 * 3×3×3×7 SAME
// example must show the numbers of a naive convolution of the tables it
// shows, with no console errors and no CSP violations. Needs `make build`
// and /usr/bin/chromium (CHROMIUM overrides the path).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { naiveConv2D } from '../testing/reference.mjs';

const repo = fileURLToPath(new URL('../../../', import.meta.url));
const executablePath = process.env.CHROMIUM ?? '/usr/bin/chromium';

// startServer builds and starts tools/serve on a free port; it resolves to
// the server process and its base URL.
async function startServer(dir) {
  const bin = join(dir, 'serve');
  execFileSync('go', ['build', '-o', bin, './tools/serve'], { cwd: repo, stdio: 'inherit' });
  const proc = spawn(bin, ['-dir', join(repo, 'dist/site'), '-addr', '127.0.0.1:0'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise((resolve, reject) => {
    let out = '';
    proc.stdout.on('data', (chunk) => {
      out += chunk;
      const m = out.match(/at (http:\/\/\S+)\n/);
      if (m) resolve(m[1]);
    });
    proc.on('exit', (code) => reject(new Error(`tools/serve exited with ${code}: ${out}`)));
  });
  return { proc, url };
}

describe('site/static in headless Chromium', { skip: !existsSync(executablePath) && `${executablePath} not found (apt-get install chromium)` }, () => {
  let tmp, server, browser;
  before(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'featuremap-browser-'));
    server = await startServer(tmp);
    browser = await chromium.launch({
      executablePath,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  });
  after(async () => {
    await browser?.close();
    server?.proc.kill();
    rmSync(tmp, { recursive: true, force: true });
  });

  it('shows the seed example computed live, under the CSP, without errors', async () => {
    const page = await browser.newPage();
    const problems = [];
    page.on('console', (msg) => msg.type() === 'error' && problems.push(`console: ${msg.text()} ${msg.location().url ?? ''}`));
    page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
    await page.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (e) => console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`));
    });
    const response = await page.goto(server.url);
    assert.match(response.headers()['content-security-policy'], /script-src 'self' 'wasm-unsafe-eval'/);
    await page.waitForSelector('body[data-state]');
    assert.equal(await page.getAttribute('body', 'data-state'), 'ready', await page.textContent('#status'));
    assert.match(await page.textContent('#status'), /SIMD build: output shape \[1, 4, 4, 7\]/);

    // Read the tables back: tensor name -> index -> rows of numbers.
    const tables = await page.$$eval('table[data-tensor]', (ts) => ts.map((t) => ({
      tensor: t.dataset.tensor,
      index: Number(t.dataset.index),
      rows: Array.from(t.rows, (r) => Array.from(r.cells, (c) => Number(c.textContent))),
    })));
    const planes = (name) => tables.filter((t) => t.tensor === name).sort((a, b) => a.index - b.index).map((t) => t.rows);
    const [xs, fs, ys] = [planes('x'), planes('filter'), planes('y')];
    assert.equal(xs.length, 3);
    assert.equal(fs.length, 21);
    assert.equal(ys.length, 7);

    const x = { shape: [1, 4, 4, 3], data: new Float32Array(48) };
    xs.forEach((rows, c) => rows.forEach((row, h) => row.forEach((v, w) => { x.data[(h * 4 + w) * 3 + c] = v; })));
    const f = { shape: [3, 3, 3, 7], data: new Float32Array(189) };
    fs.forEach((rows, i) => rows.forEach((row, ky) => row.forEach((v, kx) => {
      const [o, c] = [Math.floor(i / 3), i % 3];
      f.data[((ky * 3 + kx) * 3 + c) * 7 + o] = v;
    })));
    // The seed's filter: 1s on the diagonal.
    assert.deepEqual(fs[0], [[1, 0, 0], [0, 1, 0], [0, 0, 1]]);
    const want = naiveConv2D(x, f, { padding: 'SAME' });
    ys.forEach((rows, o) => rows.forEach((row, h) => row.forEach((v, w) => {
      assert.equal(v, want.data[(h * 4 + w) * 7 + o], `output [${h}, ${w}, ${o}]`);
    })));
    assert.ok(want.data.some((v) => v !== 0), 'the example has non-zero outputs');

    // The portable build loads under the same CSP and agrees.
    const portable = await page.evaluate(async (input) => {
      const { init } = await import('./featuremap/featuremap.js');
      const fm = await init({ simd: false });
      const y = fm.ops.conv2d({ shape: input.xs, data: new Float32Array(input.x) }, { shape: input.fs, data: new Float32Array(input.f) }, { padding: 'SAME' });
      return { simd: fm.simd, shape: y.shape, data: Array.from(y.data) };
    }, { xs: x.shape, x: Array.from(x.data), fs: f.shape, f: Array.from(f.data) });
    assert.equal(portable.simd, false);
    assert.deepEqual(portable.shape, [1, 4, 4, 7]);
    assert.deepEqual(portable.data, Array.from(want.data));

    assert.deepEqual(problems, []);
    await page.close();
  });
});
