// make bench-startup: how soon the demo predicts, as shipped and with two
// of V8's start-up costs taken away, side by side in one run (issue 15's
// targets: navigation → first prediction ≤ 700 ms on a first visit and
// ≤ 350 ms on a repeat visit).
//
//	node bench/startup.mjs [-rounds=5]
//
// Every round visits the demo with each setup in a fresh Chromium profile
// kept on disk: a first visit, then a repeat visit REVISIT_AFTER later,
// timed as site/test/bytes.test.mjs times them (the probe gives the upload
// input a drawn 7 the moment the page is ready and notes when its top class
// shows). The setups, each round in rotated order because the machine's
// speed swings within seconds:
//   - shipped: dist/site as it is;
//   - TurboFan off: Chromium with --js-flags=--liftoff-only, so V8 never
//     optimises a function on its background threads (the page's and the
//     worker's own work is the same, at baseline-compiler speed);
//   - code cache: --js-flags=--wasm-caching-timeout-ms=0 (V8 hands its
//     optimised code to Chromium's code cache at once, instead of after a
//     2 s quiet spell whose re-check it schedules in seconds where it meant
//     milliseconds), on a copy of the site whose pages do not preload the
//     module (a fetch that takes over a preload never reads a cached
//     module), so that a repeat visit starts from compiled code.
// It prints each setup's median, range and every value, the marks of
// ui.js (module compiled, engine running, model loaded, warm-up done), and
// how many modules the profiles' WebAssembly code caches hold.
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildServe, launchChromiumProfile, noChromium, startServer } from '../wasm/js/testing/browser.mjs';
import { REVISIT_AFTER, SEVEN, breakdown, startupProbe, wasmCodeCache } from '../site/test/pages.mjs';
import { median } from './stats.mjs';

const repo = fileURLToPath(new URL('../', import.meta.url));
const dist = join(repo, 'dist/site');

const SETUPS = [
  { name: 'shipped', site: 'site', flags: [] },
  { name: 'TurboFan off', site: 'site', flags: ['--js-flags=--liftoff-only'] },
  { name: 'code cache', site: 'no-preload', flags: ['--js-flags=--wasm-caching-timeout-ms=0'] },
];
const MARKS = ['compiled', 'engine', 'model', 'warmed'];

function parseArgs(argv) {
  const args = { rounds: 5 };
  for (const a of argv) {
    const [k, v] = a.replace(/^--?/, '').split('=');
    if (k === 'rounds' && Number.isInteger(Number(v)) && Number(v) > 0) {
      args.rounds = Number(v);
    } else {
      throw new Error(`startup.mjs: unknown or bad argument ${a} (usage: node bench/startup.mjs [-rounds=N], N ≥ 1)`);
    }
  }
  return args;
}

// withoutPreload copies site into dir, its pages without the
// <link rel=preload> of the module (and without their precompressed
// copies, which would still hold it: tools/serve then sends them as they
// are).
function withoutPreload(site, dir) {
  cpSync(site, dir, { recursive: true });
  for (const f of readdirSync(dir).filter((f) => f.endsWith('.html'))) {
    const page = readFileSync(join(dir, f), 'utf8');
    const stripped = page.replace(/^<link rel="preload" href="app(\.simd)?\.wasm"[^>]*>\n/m, '');
    if (stripped === page) {
      continue;
    }
    writeFileSync(join(dir, f), stripped);
    rmSync(join(dir, `${f}.br`), { force: true });
    rmSync(join(dir, `${f}.gz`), { force: true });
  }
}

// visitTwice runs a first and a repeat visit of url in a fresh profile and
// returns their probes and the profile's code-cache count.
async function visitTwice(tmp, url, flags) {
  const profile = mkdtempSync(join(tmp, 'profile-'));
  const context = await launchChromiumProfile(profile, { viewport: { width: 1280, height: 900 } }, ...flags);
  try {
    await context.addInitScript(startupProbe, SEVEN.toString('base64'));
    const visits = [];
    for (let i = 0; i < 2; i++) {
      const page = await context.newPage();
      await page.goto(url);
      await page.waitForSelector('#app[data-state=ready]', { timeout: 60_000 });
      await page.waitForSelector('#prediction:not(.fm-empty)', { timeout: 60_000 });
      visits.push({ ...await page.evaluate(() => window.__startup), ...await page.evaluate(breakdown) });
      await page.waitForTimeout(REVISIT_AFTER);
      await page.close();
    }
    return { first: visits[0], repeat: visits[1], cache: wasmCodeCache(profile).entries };
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }
}

async function main() {
  const { rounds } = parseArgs(process.argv.slice(2));
  if (noChromium) {
    throw new Error(`startup.mjs: ${noChromium}`);
  }
  const tmp = mkdtempSync(join(tmpdir(), 'featuremap-startup-'));
  const servers = [];
  try {
    cpSync(dist, join(tmp, 'site'), { recursive: true });
    withoutPreload(dist, join(tmp, 'no-preload'));
    const bin = buildServe(tmp);
    const urls = {};
    for (const site of ['site', 'no-preload']) {
      const server = await startServer(bin, join(tmp, site));
      servers.push(server);
      urls[site] = server.url;
    }
    const results = Object.fromEntries(SETUPS.map((s) => [s.name, []]));
    for (let r = 0; r < rounds; r++) {
      for (let i = 0; i < SETUPS.length; i++) {
        const setup = SETUPS[(r + i) % SETUPS.length];
        const v = await visitTwice(tmp, urls[setup.site], setup.flags);
        results[setup.name].push(v);
        console.log(`round ${r + 1}, ${setup.name}: first visit ${Math.round(v.first.predicted)} ms, repeat visit ${Math.round(v.repeat.predicted)} ms; code cache ${v.cache} modules`);
      }
    }
    report(results, rounds);
  } finally {
    servers.forEach((s) => s.proc.kill());
    rmSync(tmp, { recursive: true, force: true });
  }
}

// report prints, per setup and visit, the median, range and values of
// navigation → first prediction and the medians of ready and ui.js's marks.
function report(results, rounds) {
  const r = (x) => String(Math.round(x));
  console.log(`\nNavigation → first prediction, ms (median of ${rounds} rounds, [min–max], values); headless Chromium, localhost, ${new Date().toISOString()}`);
  console.log(`\n| setup | visit | first prediction | range | ready | ${MARKS.join(' | ')} | code cache (modules) | values |`);
  console.log(`| --- | --- | ---: | --- | ---: | ${MARKS.map(() => '---:').join(' | ')} | ---: | --- |`);
  for (const [name, vs] of Object.entries(results)) {
    for (const visit of ['first', 'repeat']) {
      const xs = vs.map((v) => v[visit].predicted);
      const marks = MARKS.map((m) => r(median(vs.map((v) => v[visit].marks[m]))));
      console.log(`| ${name} | ${visit} | **${r(median(xs))}** | ${r(Math.min(...xs))}–${r(Math.max(...xs))} | ${r(median(vs.map((v) => v[visit].ready)))} |` +
        ` ${marks.join(' | ')} | ${visit === 'repeat' ? median(vs.map((v) => v.cache)) : ''} | ${xs.map(r).join(', ')} |`);
    }
  }
}

try {
  await main();
} catch (err) {
  console.error(err.message);
  process.exitCode = 1;
}
