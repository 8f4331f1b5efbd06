// The npm package as a user gets it: `make pack`'s tarball installed
// offline into an empty project, then `import { init } from 'featuremap'`
// in Node (in this thread and in a worker) and in headless Chromium through
// an import map to /node_modules/featuremap/featuremap.js, served by a
// static server on a free port, all without any path configuration. The
// predictions of the shipped seednet on a drawn 7 must be a 7 and equal, to
// the bit, what the build itself (dist/featuremap) gives. Needs `make pack`
// (and /usr/bin/chromium for the browser part; CHROMIUM overrides it).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runtimeFiles } from '../files.mjs';
import { launchChromium, noChromium, watch } from '../../../wasm/js/testing/browser.mjs';
import { drawnSeven } from '../../../wasm/js/testing/models.mjs';

const repo = fileURLToPath(new URL('../../../', import.meta.url));
const build = join(repo, 'dist/featuremap');
const weights = join(repo, 'site/models/seednet.safetensors');

// The input: a drawn 7, RGBA pixels as a drawing canvas gives them, which
// the engine preprocesses as the weight file says.
const seven = drawnSeven();

// The predicting script, the same in Node and in the page: it prints or
// returns the probabilities in this thread and in a worker.
const script = (load) => `
import { init } from 'featuremap';
const input = { width: ${seven.width}, height: ${seven.height}, data: new Uint8ClampedArray(${JSON.stringify(Array.from(seven.data))}) };
const bytes = await ${load};
const out = { simd: [], probs: [] };
for (const worker of [false, true]) {
  const fm = await init({ worker });
  const model = await fm.loadModel(bytes.slice());
  const { probs, top } = await model.predict(input);
  out.simd.push(fm.simd);
  out.probs.push(Array.from(probs));
  out.top = top[0].label;
  out.version = fm.version;
  model.dispose();
}
`;

describe('the npm package', () => {
  let dir, tarball, want;
  before(async () => {
    const { init } = await import(join(build, 'featuremap.js'));
    const fm = await init();
    tarball = join(repo, 'dist', `featuremap-${fm.version}.tgz`);
    assert.ok(existsSync(tarball), `${tarball} is missing: run make pack`);
    const model = await fm.loadModel(readFileSync(weights));
    want = { version: fm.version, simd: fm.simd, probs: Array.from((await model.predict(seven)).probs) };
    dir = mkdtempSync(join(tmpdir(), 'featuremap-pack-'));
    writeFileSync(join(dir, 'package.json'), '{ "name": "pack-test", "private": true, "type": "module" }\n');
    execFileSync('npm', ['install', '--offline', '--no-audit', '--no-fund', '--no-package-lock', tarball], { cwd: dir, stdio: ['ignore', 'ignore', 'inherit'] });
  });
  after(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('holds the build\'s files, its package.json and README, at its root', () => {
    const pkgDir = join(dir, 'node_modules/featuremap');
    const pkg = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'));
    assert.equal(pkg.version, want.version);
    assert.deepEqual(pkg.files, runtimeFiles(build));
    assert.deepEqual(runtimeFiles(pkgDir), [...pkg.files, 'README.md', 'package.json'].sort());
    for (const f of pkg.files) {
      assert.ok(readFileSync(join(pkgDir, f)).equals(readFileSync(join(build, f))), `${f} differs from the build's`);
    }
    assert.equal(pkg.exports['.'].types, './featuremap.d.ts');
  });

  it('predicts in Node with import { init } from \'featuremap\'', () => {
    writeFileSync(join(dir, 'predict.mjs'), `import { readFileSync } from 'node:fs';
${script(`readFileSync(${JSON.stringify(weights)})`)}
console.log(JSON.stringify(out));
process.exit(0);
`);
    const got = JSON.parse(execFileSync('node', ['predict.mjs'], { cwd: dir, encoding: 'utf8' }));
    assert.equal(got.version, want.version);
    assert.equal(got.top, '7');
    assert.deepEqual(got.simd, [want.simd, want.simd]);
    assert.deepEqual(got.probs, [want.probs, want.probs]);
  });

  it('predicts in Chromium through an import map', { skip: noChromium }, async () => {
    copyFileSync(weights, join(dir, 'seednet.safetensors'));
    writeFileSync(join(dir, 'index.html'), `<!doctype html>
<link rel="icon" href="data:,">
<script type="importmap">{ "imports": { "featuremap": "/node_modules/featuremap/featuremap.js" } }</script>
<script type="module" src="/predict.page.mjs"></script>
`);
    writeFileSync(join(dir, 'predict.page.mjs'), `${script("fetch('/seednet.safetensors').then((r) => r.arrayBuffer()).then((b) => new Uint8Array(b))")}
globalThis.result = out;
`);
    const { server, url } = await serve(dir);
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      const problems = await watch(page);
      await page.goto(url);
      const got = await (await page.waitForFunction(() => globalThis.result, null, { timeout: 60_000 })).jsonValue();
      assert.equal(got.top, '7');
      assert.deepEqual(got.simd, [want.simd, want.simd]);
      assert.deepEqual(got.probs, [want.probs, want.probs]);
      assert.deepEqual(problems, []);
    } finally {
      await browser.close();
      server.close();
    }
  });
});

const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm', '.json': 'application/json' };

// serve serves the files under root over HTTP on a free port (GET only);
// it resolves to the server and its base URL.
function serve(root) {
  const server = createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url, 'http://x').pathname));
    const file = join(root, path === '/' ? 'index.html' : path);
    if (req.method !== 'GET' || !file.startsWith(root) || !existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(readFileSync(file));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, url: `http://127.0.0.1:${server.address().port}/` })));
}
