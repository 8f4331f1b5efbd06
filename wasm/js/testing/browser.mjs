// Helpers shared by the headless-Chromium tests (wasm/js/test, site/test):
// where Chromium is, how it is launched on this kind of machine, tools/serve
// on a free port, and a watcher for console errors and CSP violations.
import { spawn, execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const repo = fileURLToPath(new URL('../../../', import.meta.url));

/** Chromium's path: $CHROMIUM or Debian's /usr/bin/chromium. */
export const executablePath = process.env.CHROMIUM ?? '/usr/bin/chromium';

/** A describe() skip reason when Chromium is missing, else false. */
export const noChromium = !existsSync(executablePath) && `${executablePath} not found (apt-get install chromium)`;

// chromiumArgs are the flags this machine needs: no sandbox as root; no
// background networking, whose connections the closed network refuses;
// then $FM_CHROMIUM_ARGS (space-separated), for measurements under other
// settings, e.g. --js-flags=--wasm-caching-timeout-ms=0.
const chromiumArgs = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  ...(process.env.FM_CHROMIUM_ARGS ?? '').split(' ').filter(Boolean)];

/** launchChromium starts headless Chromium with chromiumArgs plus extra flags. */
export function launchChromium(...extra) {
  return chromium.launch({ executablePath, args: [...chromiumArgs, ...extra] });
}

/**
 * launchChromiumProfile starts headless Chromium as launchChromium does
 * (extra: more flags), on the profile directory dir (kept on disk, as a
 * visitor's browser keeps its HTTP cache, code cache and Cache API storage
 * between visits); it resolves to a Playwright BrowserContext (options:
 * newContext's, e.g. viewport).
 */
export function launchChromiumProfile(dir, options = {}, ...extra) {
  return chromium.launchPersistentContext(dir, { executablePath, args: [...chromiumArgs, ...extra], ...options });
}

/** buildServe builds tools/serve into dir and returns the binary's path. */
export function buildServe(dir) {
  const bin = join(dir, 'serve');
  execFileSync('go', ['build', '-o', bin, './tools/serve'], { cwd: repo, stdio: ['ignore', 'ignore', 'inherit'] });
  return bin;
}

/**
 * startServer starts the tools/serve binary on a free port over dir; it
 * resolves to the process and its base URL (from the line it prints).
 */
export async function startServer(bin, dir) {
  const proc = spawn(bin, ['-dir', dir, '-addr', '127.0.0.1:0'], { stdio: ['ignore', 'pipe', 'inherit'] });
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

/**
 * watch collects a page's console errors, uncaught errors and CSP
 * violations into the array it returns.
 */
export async function watch(page) {
  const problems = [];
  page.on('console', (msg) => msg.type() === 'error' && problems.push(`console: ${msg.text()} ${msg.location().url ?? ''}`.trim()));
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`));
  });
  return problems;
}
