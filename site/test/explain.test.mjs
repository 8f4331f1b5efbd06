// Browser tests of the explainer (dist/site/explain.html, built by `make
// build`) in headless Chromium at 1280 and 390 px, served by tools/serve
// under the site's Content-Security-Policy. Each number is checked against
// a value worked by hand or recomputed here with plain loops from the
// numbers the page shows (cs231n's example, the study note's 189 / 576 +
// 64 / 125,440 + 10, AlexNet's shapes and 60,965,224 parameters, output
// sizes from the formula, exp(z) / Σ exp(z)), never with the engine's own
// helpers. Screenshots go to out/screenshots/explain-*.png.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildServe, launchChromium, noChromium, startServer, watch } from '../../wasm/js/testing/browser.mjs';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const dist = join(repo, 'dist/site');
const screenshots = join(repo, 'out/screenshots');

// grid reads the table [data-tensor=name] as rows of numbers (an input
// cell's value, or the text).
const grid = (page, name) => page.locator(`[data-tensor="${name}"]`).evaluate((t) =>
  [...t.rows].map((r) => [...r.cells].map((c) => Number(c.querySelector('input')?.value ?? c.textContent))));

// padded reports which cells of [data-tensor=name] are shaded as padding.
const padded = (page, name) => page.locator(`[data-tensor="${name}"]`).evaluate((t) =>
  [...t.rows].map((r) => [...r.cells].map((c) => c.classList.contains('ex-pad'))));

// conv is a plain 2-D cross-correlation of one-channel rows with kernel k
// (rows), zero padding [top, left] … and stride s; out × out outputs.
function conv(x, k, { pad = 0, stride = 1, out }) {
  const h = x.length;
  const y = [];
  for (let oy = 0; oy < out; oy++) {
    const row = [];
    for (let ox = 0; ox < out; ox++) {
      let sum = 0;
      k.forEach((kr, ky) => kr.forEach((kv, kx) => {
        const iy = oy * stride + ky - pad;
        const ix = ox * stride + kx - pad;
        if (iy >= 0 && iy < h && ix >= 0 && ix < h) sum += x[iy][ix] * kv;
      }));
      row.push(sum);
    }
    y.push(row);
  }
  return y;
}

const value = (page, name) => page.textContent(`[data-value="${name}"]`);

describe('the explainer in headless Chromium', { skip: noChromium }, () => {
  let tmp, server, browser;
  before(async () => {
    assert.ok(existsSync(join(dist, 'app.wasm')), 'dist/site/app.wasm is missing: run `make build`');
    tmp = mkdtempSync(join(tmpdir(), 'featuremap-explain-'));
    const root = join(tmp, 'root');
    cpSync(dist, root, { recursive: true });
    mkdirSync(join(root, 'models'), { recursive: true });
    for (const name of ['seednet', 'alexmnist']) {
      const file = join(root, 'models', `${name}.safetensors`);
      if (!existsSync(file)) {
        execFileSync('go', ['run', './tools/fm', 'init', '-arch', name, '-seed', '1', '-int8', file], { cwd: repo, stdio: 'ignore' });
      }
    }
    server = await startServer(buildServe(tmp), root);
    browser = await launchChromium();
    mkdirSync(screenshots, { recursive: true });
  });
  after(async () => {
    await browser?.close();
    server?.proc.kill();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  async function open(width, options = {}) {
    const context = await browser.newContext({ viewport: { width, height: 900 }, ...options });
    const page = await context.newPage();
    const problems = await watch(page);
    const response = await page.goto(`${server.url}explain.html`);
    assert.match(response.headers()['content-security-policy'], /script-src 'self' 'wasm-unsafe-eval'/);
    await page.waitForSelector('#app[data-state=ready]');
    return { context, page, problems };
  }

  it('the UI links neither the engine\'s kernel nor its model package', () => {
    const deps = execFileSync('go', ['list', '-deps', './site/app'], { cwd: repo, encoding: 'utf8', env: { ...process.env, GOOS: 'js', GOARCH: 'wasm' } });
    assert.deepEqual(deps.split('\n').filter((p) => /^github\.com\/featuremap\/featuremap\/(kernel|model)(\/|$)/.test(p)), []);
  });

  it('the UI binary does not link package time\'s formatting (21 KB of brotli)', () => {
    // The linker's reachability graph of app.wasm as `make build` links it:
    // an element converted to dom/v2's Node interface (its AppendChild)
    // would bring Event.Timestamp's time.Time and its String method.
    const r = spawnSync('go', ['build', '-trimpath', '-tags', 'fmengine', '-gcflags=github.com/featuremap/featuremap/site/...=-l', '-ldflags=-dumpdep',
      '-o', join(tmp, 'app.wasm'), './site/app'], { cwd: repo, encoding: 'utf8', maxBuffer: 256 << 20, env: { ...process.env, GOOS: 'js', GOARCH: 'wasm' } });
    assert.equal(r.status, 0, r.stderr.slice(-2000));
    assert.match(r.stderr, /-> main\.appendChild\b/, 'the graph was printed');
    assert.doesNotMatch(r.stderr, /-> time\.Time\.(String|Format)\b/, 'use appendChild (site/app/js.go), not AppendChild');
  });

  it('1280 px: worked examples equal the values worked by hand', async () => {
    const { context, page, problems } = await open(1280);

    // cs231n's classic example.
    assert.deepEqual(await grid(page, 'conv-in'), [[1, 1, 1, 0, 0], [0, 1, 1, 1, 0], [0, 0, 1, 1, 1], [0, 0, 1, 1, 0], [0, 1, 1, 0, 0]]);
    assert.deepEqual(await grid(page, 'filter'), [[1, 0, 1], [0, 1, 0], [1, 0, 1]]);
    assert.deepEqual(await grid(page, 'conv-out'), [[4, 3, 4], [2, 4, 3], [2, 3, 4]]);
    assert.equal(await page.textContent('[data-fm="conv"] .fm-window'),
      'Window 1 of 9 (row 1, column 1): 1·1 + 1·0 + 1·1 + 0·0 + 1·1 + 1·0 + 0·1 + 0·0 + 1·1 = 4');
    await page.click('[data-fm="conv"] button:text("Next ▶")');
    assert.match(await page.textContent('[data-fm="conv"] .fm-window'), /^Window 2 of 9 \(row 1, column 2\): .* = 3$/);

    // The note's 1-D padding example: the padding cells shaded, the data's
    // own values not; 1 2 -1 1 -3 summed in threes.
    assert.deepEqual(await grid(page, 'seq-padded'), [[0, 1, 2, -1, 1, -3, 0]]);
    assert.deepEqual(await padded(page, 'seq-padded'), [[true, false, false, false, false, false, true]]);
    assert.deepEqual(await grid(page, 'seq-valid'), [[2, 2, -3]]);
    assert.deepEqual(await grid(page, 'seq-same'), [[3, 2, 2, -3, -2]]);
    const border = (n) => Array.from({ length: n }, (_, y) => Array.from({ length: n }, (_, x) => y === 0 || x === 0 || y === n - 1 || x === n - 1));
    assert.deepEqual(await padded(page, 'pad2d-padded'), border(7), 'only the border is padding (the data has zeros of its own)');
    assert.deepEqual(await grid(page, 'pad2d-same'), conv(await grid(page, 'conv-in'), await grid(page, 'filter'), { pad: 1, out: 5 }));

    // Stride: output sizes from the formula, worked by hand.
    const formula = (name) => page.locator(`[data-formula="${name}"]`).evaluate((li) => [Number(li.dataset.value), li.textContent]);
    const [v2, v2text] = await formula('stride-VALID-2');
    assert.equal(v2, 3, '7 cells, 3×3 filter, VALID, stride 2: ⌊(7 − 3) / 2⌋ + 1 = 3, not half of 7');
    assert.match(v2text, /⌊\(7 − 3\) \/ 2⌋ \+ 1 = 3/);
    assert.equal((await formula('stride-VALID-1'))[0], 5);
    assert.equal((await formula('stride-SAME-1'))[0], 7);
    const [s2, s2text] = await formula('stride-SAME-2');
    assert.equal(s2, 4, 'SAME, stride 2: ⌈7 / 2⌉ = 4');
    assert.match(s2text, /⌈7 \/ 2⌉ = 4; .* = 2: 1 before, 1 after/);
    assert.equal((await grid(page, 'stride-2')).length, 3);
    assert.deepEqual(await grid(page, 'stride-2'), conv(await grid(page, 'stride-in'), await grid(page, 'filter'), { stride: 2, out: 3 }));
    assert.doesNotMatch(await page.textContent('#app'), /✓|✗|kernel's output has|halves the output/);

    // Pooling, recomputed from the shown map.
    const pin = await grid(page, 'pool-in');
    const pool = (f) => [0, 1, 2].map((y) => [0, 1, 2].map((x) => f([pin[2 * y][2 * x], pin[2 * y][2 * x + 1], pin[2 * y + 1][2 * x], pin[2 * y + 1][2 * x + 1]])));
    assert.deepEqual(await grid(page, 'pool-max'), pool((v) => Math.max(...v)));
    assert.deepEqual(await grid(page, 'pool-avg'), pool((v) => Math.round((v[0] + v[1] + v[2] + v[3]) / 4 * 1000) / 1000));

    // The note's 4×4×3 input and 7 filters of 3×3×3 with biases: every map
    // recomputed here from the shown planes, slices and biases.
    const planes = await Promise.all(['R', 'G', 'B'].map((c) => grid(page, `rgb-in-${c}`)));
    for (let o = 1; o <= 7; o++) {
      const bias = Number(await value(page, `rgb-bias-${o}`));
      let want = [[0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]].map((r) => r.map(() => bias));
      for (const [c, name] of ['R', 'G', 'B'].entries()) {
        const part = conv(planes[c], await grid(page, `rgb-filter-${o}-${name}`), { pad: 1, out: 4 });
        want = want.map((r, y) => r.map((v, x) => v + part[y][x]));
      }
      assert.deepEqual(await grid(page, `rgb-out-${o}`), want, `map ${o}`);
    }
    assert.equal(await value(page, 'seed-out'), '4×4×7');
    assert.equal(await value(page, 'rgb-maps'), '7');
    assert.equal(await value(page, 'seed-weights'), '189');
    assert.equal(await value(page, 'rgb-biases'), '7');
    assert.equal(await value(page, 'rgb-params'), '196');
    // Map 3 is one tab stop; the arrow keys reach row 2, column 3.
    await page.locator('[data-tensor="rgb-out-3"] td[tabindex="0"]').focus();
    for (const key of ['ArrowDown', 'ArrowRight', 'ArrowRight']) await page.keyboard.press(key);
    const cell = page.locator('[data-tensor="rgb-out-3"] tr:nth-child(2) td:nth-child(3)');
    assert.equal(await cell.getAttribute('tabindex'), '0');
    const work = await page.textContent('[data-fm="channels"] .fm-window');
    assert.match(work, /^Map 3, row 2, column 3 = \(R: .*\) \+ \(G: .*\) \+ \(B: .*\) \+ bias -?\d+ = /);
    assert.equal(work.match(/= (-?\d+)\. /)[1], await cell.textContent());

    // seednet's parameters, as the note counts them.
    assert.deepEqual(await Promise.all(['conv1-weights', 'conv1-biases', 'fc-weights', 'fc-biases', 'seednet-total'].map((n) => value(page, n))),
      ['576', '64', '125,440', '10', '126,090']);

    // AlexNet: kernel, stride, padding, groups; shapes and parameters as
    // published (Krizhevsky et al. 2012 with the 227×227 input).
    const rows = await page.locator('[data-fm="alexnet"] tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.cells].map((c) => c.textContent)));
    const col = (i) => rows.map((r) => r[i]);
    assert.deepEqual(col(0), ['conv1', 'lrn1', 'pool1', 'conv2', 'lrn2', 'pool2', 'conv3', 'conv4', 'conv5', 'pool5', 'fc6', 'fc7', 'fc8']);
    assert.deepEqual(col(5), ['55×55×96', '55×55×96', '27×27×96', '27×27×256', '27×27×256', '13×13×256', '13×13×384', '13×13×384', '13×13×256', '6×6×256', '4096', '4096', '1000']);
    assert.deepEqual(col(1).filter(Boolean), ['11×11', '3×3', '5×5', '3×3', '3×3', '3×3', '3×3', '3×3']);
    assert.deepEqual(col(2).filter(Boolean), ['4', '2', '1', '2', '1', '1', '1', '2']);
    assert.deepEqual(col(4).filter(Boolean), ['1', '2', '1', '2', '2']);
    assert.equal(rows[3][3], 'SAME (2+2)');
    assert.deepEqual(col(8), ['34,944', '0', '0', '307,456', '0', '0', '885,120', '663,936', '442,624', '0', '37,752,832', '16,781,312', '4,097,000']);
    assert.equal(await value(page, 'alexnet-total'), '60,965,224');
    const [c1, c1text] = await formula('alexnet-conv1');
    assert.equal(c1, 55);
    assert.match(c1text, /\(227 − 11\) \/ 4⌋ \+ 1 = 55/);
    assert.equal((await formula('alexnet-pool1'))[0], 27);
    assert.match((await formula('alexnet-conv2'))[1], /⌈27 \/ 1⌉ = 27; .* = 4: 2 before, 2 after/);

    // Editing the filter recomputes the parts that use it.
    const updates = await page.getAttribute('#app', 'data-updates');
    await page.fill('[data-tensor="filter"] tr:nth-child(2) td:nth-child(1) input', '-2');
    await page.waitForFunction((n) => document.getElementById('app').dataset.updates !== n, updates);
    const f = await grid(page, 'filter');
    assert.deepEqual(f, [[1, 0, 1], [-2, 1, 0], [1, 0, 1]]);
    assert.deepEqual(await grid(page, 'conv-out'), conv(await grid(page, 'conv-in'), f, { out: 3 }));
    // SAME over 6 with stride 2: ⌈6/2⌉ = 3, padding (3 − 1)·2 + 3 − 6 = 1, all of it after.
    assert.deepEqual(await grid(page, 'pool-conv'), conv(pin, f, { stride: 2, out: 3 }));

    assert.deepEqual(problems, []);
    await page.screenshot({ path: join(screenshots, 'explain-full-1280.png'), fullPage: true });
    await context.close();
  });

  it('1280 px: the playground works out sizes, shades padding, explains invalid settings and animates', async () => {
    const { context, page, problems } = await open(1280);
    const pg = page.locator('[data-fm="playground"]');
    const size = () => pg.locator('[data-formula="playground"]').evaluate((p) => [Number(p.dataset.value), p.textContent]);
    const set = async (name, v) => {
      const before = await pg.locator('[data-formula="playground"]').textContent();
      if (name === 'padding') await pg.locator('select[name=padding]').selectOption(v);
      else await pg.locator(`input[name=${name}]`).fill(String(v));
      await page.waitForFunction((b) => document.querySelector('[data-formula="playground"]').textContent !== b, before);
    };
    // Default: 5×5, 3×3, SAME, stride 2 → ⌈5/2⌉ = 3, one padding cell around.
    assert.deepEqual((await size())[0], 3);
    const input = await grid(page, 'play-in');
    assert.equal(input.length, 7);
    assert.equal((await padded(page, 'play-in')).flat().filter(Boolean).length, 49 - 25);
    const shaded = (await padded(page, 'play-in')).flat();
    assert.ok(input.flat().some((v, i) => v === 0 && !shaded[i]), 'the data has zeros of its own, not shaded');
    assert.deepEqual(await grid(page, 'play-out'), conv(input, [[1, 1, 1], [1, 1, 1], [1, 1, 1]], { stride: 2, out: 3 }));
    await pg.locator('button:text("Next ▶")').click();
    assert.match(await pg.locator('.fm-window').textContent(), /^Window 2 of 9 \(row 1, column 2\)/);

    // VALID, stride 2 over 7: 3.
    await set('padding', 'VALID');
    await set('in', 7);
    const [n, text] = await size();
    assert.equal(n, 3);
    assert.match(text, /⌊\(7 − 3\) \/ 2⌋ \+ 1 = 3/);
    assert.deepEqual(await grid(page, 'play-out'), conv(await grid(page, 'play-in'), [[1, 1, 1], [1, 1, 1], [1, 1, 1]], { stride: 2, out: 3 }));
    // SAME over 6 with stride 2: 3, the one padding cell after (bottom and right).
    await set('padding', 'SAME');
    await set('in', 6);
    assert.equal((await size())[0], 3);
    const shade = await padded(page, 'play-in');
    assert.equal(shade.length, 7);
    assert.deepEqual([shade[0][0], shade[6][6], shade[0][6]], [false, true, true]);
    // Dilation 2: a 3-cell kernel spans 5 cells; ⌊(9 − 5) / 1⌋ + 1 = 5 with VALID.
    await set('padding', 'VALID');
    await set('stride', 1);
    await set('in', 9);
    await set('dilation', 2);
    assert.match((await size())[1], /= 2·\(3 − 1\) \+ 1 = 5; .*⌊\(9 − 5\) \/ 1⌋ \+ 1 = 5/);
    await set('dilation', 1);

    // A kernel larger than the input: explained, no output.
    await set('in', 5);
    await set('kernel', 7);
    assert.equal((await size())[0], 0);
    const status = await pg.locator('.ex-status').textContent();
    assert.match(status, /The 7-cell kernel is larger than the input \(5 cells\): not one window fits/);
    assert.match(status, /The engine \(fm\.ops\.conv2d\) refuses it too: /);
    assert.equal(await pg.locator('[data-tensor="play-out"]').count(), 0);
    // Explicit padding of 1 on each side makes it fit: 5 + 2 − 7 + 1 = 1.
    await set('padding', 'EXPLICIT');
    assert.match((await size())[1], /⌊\(5 \+ 1 \+ 1 − 7\) \/ 1⌋ \+ 1 = 1$/);
    await set('pad', 9);
    assert.match(await pg.locator('.ex-status').textContent(), /Padding cells: choose a whole number from 0 to 3/);
    await set('pad', 1);
    await set('kernel', 3);

    // Play animates the window; Pause stops it.
    const windowText = () => pg.locator('.fm-window').textContent();
    const first = await windowText();
    await pg.locator('button:text("▶ Play")').click();
    await page.waitForFunction((t) => document.querySelector('[data-fm="playground"] .fm-window').textContent !== t, first);
    await pg.locator('button:text("❚❚ Pause")').click();
    assert.deepEqual(problems, []);
    await pg.screenshot({ path: join(screenshots, 'explain-playground-1280.png') });
    await context.close();

    // With prefers-reduced-motion, Play is off and the step buttons remain.
    const reduced = await open(1280, { reducedMotion: 'reduce' });
    const rp = reduced.page.locator('[data-fm="playground"]');
    assert.ok(await rp.locator('button:text("▶ Play")').isDisabled());
    assert.ok(await rp.locator('button:text("Next ▶")').isEnabled());
    assert.match(await rp.locator('.fm-note').textContent(), /reduced motion/);
    await reduced.context.close();
  });

  // ran scrolls to the digit section and waits for its first complete run.
  const ran = async (page) => {
    const digit = page.locator('[data-fm="digit"]');
    await digit.scrollIntoViewIfNeeded();
    await page.waitForSelector('[data-fm="digit"][data-runs]');
    return digit;
  };

  it('1280 px: ReLU and softmax follow the learner\'s digit', async () => {
    const { context, page, problems } = await open(1280);
    // Nothing runs before the section comes near.
    assert.equal(await page.getAttribute('[data-fm="digit"]', 'data-runs'), null);
    assert.match(await page.textContent('[data-fm="softmax"]'), /^This section runs seednet on the drawing above once you scroll to it or draw\.$/);
    const digit = await ran(page);
    const softmax = async () => {
      const rows = await page.locator('[data-tensor="softmax"] tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.cells].map((c) => c.textContent)));
      const logits = rows.map((r) => Number(r[1]));
      const shown = rows.map((r) => Number(r[4]));
      const exps = logits.map((z) => Math.exp(z));
      const sum = exps.reduce((a, b) => a + b, 0);
      return { logits, shown, want: exps.map((e) => e / sum), rows };
    };
    const check = async () => {
      const { shown, want } = await softmax();
      assert.equal(shown.length, 10);
      // Shown logits have 3 decimals and p 4 significant digits.
      shown.forEach((p, i) => assert.ok(Math.abs(p - want[i]) <= 3e-3 * want[i] + 1e-12, `p[${i}] shown ${p}, exp(z)/Σ ${want[i]}`));
      assert.ok(Math.abs(shown.reduce((a, b) => a + b, 0) - 1) < 1e-3);
      assert.equal(await value(page, 'softmax-sum-p'), '1');
      const top = want.indexOf(Math.max(...want));
      assert.equal(await value(page, 'softmax-top'), String(top));
    };
    await check();

    // ReLU on seednet's conv1: the shown row after = max(0, before), the
    // zeroed cells marked; before equal to conv1's weighted sums worked here
    // with plain loops (3×3, SAME: one cell of zeros around) from the
    // network's input and conv1's weights and bias, and after equal to the
    // model's own conv1 output, both from an engine on the main thread.
    const reluCheck = async () => {
      const [before] = await grid(page, 'relu-before-row');
      const [afterRow] = await grid(page, 'relu-after-row');
      assert.deepEqual(afterRow, before.map((v) => Math.max(0, v) || 0));
      const marked = await page.locator('[data-tensor="relu-after-row"] td').evaluateAll((tds) => tds.map((td) => td.classList.contains('ex-zeroed')));
      assert.deepEqual(marked, before.map((v) => v < 0));
      const channel = Number(await page.inputValue('input[name=channel]')) - 1;
      const model = await page.evaluate(async (c) => {
        const { init } = await import('./featuremap/featuremap.js');
        const fm = await init();
        const m = await fm.loadModel('models/seednet.safetensors');
        const acts = await m.activations(document.querySelector('[data-fm="digit"] canvas'));
        const [input, a] = [acts[0], acts.find((l) => l.name === 'conv1')];
        const { weight, bias } = m.weights('conv1');
        const [, h, w, cs] = a.shape;
        const [kh, kw] = weight.shape;
        const row = Math.floor(h / 2);
        const sums = Array.from({ length: w }, (_, x) => {
          let sum = bias.data[c];
          for (let ky = 0; ky < kh; ky++) {
            for (let kx = 0; kx < kw; kx++) {
              const [iy, ix] = [row + ky - (kh - 1) / 2, x + kx - (kw - 1) / 2];
              if (iy >= 0 && iy < h && ix >= 0 && ix < w) sum += input.data[iy * w + ix] * weight.data[(ky * kw + kx) * cs + c];
            }
          }
          return sum;
        });
        return { type: input.type, sums, after: Array.from({ length: w }, (_, x) => a.data[(row * w + x) * cs + c]) };
      }, channel);
      assert.equal(model.type, 'input');
      model.sums.forEach((v, i) => assert.ok(Math.abs(v - before[i]) < 1e-3, `conv1 sum ${i}: worked here ${v}, shown ${before[i]}`));
      model.after.forEach((v, i) => assert.ok(Math.abs(v - afterRow[i]) < 1e-3, `conv1 row value ${i}: model ${v}, shown ${afterRow[i]}`));
      const zeroed = Number(await value(page, 'relu-zeroed'));
      assert.ok(zeroed >= before.filter((v) => v < 0).length && zeroed <= Number(await value(page, 'relu-total')));
    };
    await reluCheck();
    await page.locator('[data-fm="digit"]').screenshot({ path: join(screenshots, 'explain-digit-1280.png') });
    await page.locator('#relu').screenshot({ path: join(screenshots, 'explain-relu-1280.png') });
    await page.locator('#softmax').screenshot({ path: join(screenshots, 'explain-softmax-1280.png') });

    // A non-digit still gets a full 100 % spread over the digits.
    const runs = Number(await digit.getAttribute('data-runs'));
    await digit.locator('button:text("a line (not a digit)")').click();
    await page.waitForFunction((n) => Number(document.querySelector('[data-fm="digit"]').dataset.runs) > n, runs);
    await check();
    // One short announcement per drawing.
    assert.match(await digit.locator('[role=status]').textContent(),
      new RegExp(`^Sections 8 and 9 now show this drawing: the network answers ${await value(page, 'softmax-top')} with \\d+\\.\\d%\\.$`));
    await reluCheck();
    // Choosing another channel redraws the ReLU maps.
    await page.fill('input[name=channel]', '1');
    await page.waitForFunction(() => document.querySelector('.ex-relu figcaption') !== null);
    await reluCheck();
    // Clear empties both sections.
    const cleared = Number(await digit.getAttribute('data-runs'));
    await digit.locator('button:text("Clear")').click();
    await page.waitForFunction((n) => Number(document.querySelector('[data-fm="digit"]').dataset.runs) > n, cleared);
    assert.equal(await page.textContent('[data-fm="softmax"]'), 'Draw a digit above to see this.');
    assert.equal(await page.locator('[data-tensor="softmax"]').count(), 0);
    assert.deepEqual(problems, []);
    await context.close();
  });

  it('390 px: fits the width, every part computed, no console errors', async () => {
    const { context, page, problems } = await open(390);
    assert.deepEqual(await grid(page, 'conv-out'), [[4, 3, 4], [2, 4, 3], [2, 3, 4]]);
    assert.equal(await value(page, 'alexnet-total'), '60,965,224');
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.equal(overflow, 0, 'the page scrolls sideways at 390 px');
    await page.locator('[data-fm="playground"] select[name=padding]').selectOption('EXPLICIT');
    await page.waitForSelector('[data-fm="playground"] input[name=pad]:not([disabled])');
    await page.locator('[data-fm="playground"] input[name=in]').fill('4');
    await page.locator('[data-fm="playground"] input[name=kernel]').fill('7');
    await page.waitForSelector('[data-fm="playground"] .ex-invalid');
    assert.match(await page.textContent('[data-fm="playground"] .ex-invalid'), /The 7-cell kernel is larger than the padded input \(4 \+ 2 = 6 cells\)/);
    await page.screenshot({ path: join(screenshots, 'explain-full-390.png'), fullPage: true });
    await ran(page);
    for (const id of ['channels', 'playground', 'relu', 'softmax', 'alexnet']) {
      await page.locator(`#${id}`).screenshot({ path: join(screenshots, `explain-${id}-390.png`) });
    }
    assert.deepEqual(problems, []);
    await context.close();
  });
});
