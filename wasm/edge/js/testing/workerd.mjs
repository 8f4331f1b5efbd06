// Test support for the edge Worker: starts workerd (npm package "workerd")
// on 127.0.0.1 with an ephemeral port, with a config generated from the
// repo's build by config.mjs, and a keep-alive HTTP client for it.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import workerdPackage from 'workerd';
import { writeConfig } from '../config.mjs';

export const repo = fileURLToPath(new URL('../../../../', import.meta.url));
export const distEdge = join(repo, 'dist/edge');
export const distSite = join(repo, 'dist/site');

// The workerd binary's path (the package's CommonJS default export).
const workerdBinary = () => workerdPackage.default ?? workerdPackage;

/**
 * Starts workerd serving the Worker in dist/edge with the site files in
 * siteDir and the given text bindings (or, with wrangler, as wrangler.jsonc
 * says). Resolves once workerd reports its
 * port on the control descriptor: { url, pid, startedAt, stderr(), rssKiB(), stop() }.
 */
export async function startWorkerd({ siteDir = distSite, vars = {}, wrangler = false } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'featuremap-edge-'));
  // With wrangler, workerd reads the deployment config (wrangler.jsonc),
  // bundling its main with esbuild and serving its assets as Cloudflare does.
  const args = wrangler
    ? ['serve', '--experimental', join(repo, 'wrangler.jsonc'), '--socket-addr=http=127.0.0.1:0']
    : ['serve', writeConfig({ edgeDir: distEdge, siteDir, outDir: dir, address: '127.0.0.1:0', vars })];
  const startedAt = performance.now();
  const proc = spawn(workerdBinary(), [...args, '--control-fd=3'], {
    cwd: repo,
    env: { ...process.env, WORKERD_ESBUILD: join(repo, 'node_modules/.bin/esbuild') },
    stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  proc.stdout.on('data', (d) => { stderr += d; });
  proc.stderr.on('data', (d) => { stderr += d; });
  const port = await new Promise((resolve, reject) => {
    let buf = '';
    const timer = setTimeout(() => reject(new Error(`workerd did not report a port in 60 s:\n${stderr}`)), 60_000);
    proc.stdio[3].on('data', (d) => {
      buf += d;
      for (const line of buf.split('\n').slice(0, -1)) {
        const msg = JSON.parse(line);
        if (msg.event === 'listen' && msg.socket === 'http') {
          clearTimeout(timer);
          resolve(msg.port);
        }
      }
      buf = buf.slice(buf.lastIndexOf('\n') + 1);
    });
    proc.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`workerd exited with ${code}:\n${stderr}`));
    });
  });
  const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
  return {
    url: `http://127.0.0.1:${port}`,
    pid: proc.pid,
    startedAt,
    stderr: () => stderr,
    /** The resident set size of the workerd process, in KiB. */
    rssKiB() {
      const m = readFileSync(`/proc/${proc.pid}/status`, 'utf8').match(/^VmRSS:\s+(\d+) kB$/m);
      return Number(m[1]);
    },
    /**
     * declareOnly(method, path, headers) sends only a request's head (which
     * may declare a Content-Length) and resolves with the answer's status
     * and body text, read until the server closes or 10 s pass.
     */
    declareOnly: (method, path, headers) => declareOnly(port, method, path, headers),
    /** request(method, path, { headers, body }) → { status, headers, body: Buffer }; no decompression. */
    request: (method, path, opts = {}) => request(agent, `http://127.0.0.1:${port}${path}`, method, opts),
    async stop() {
      agent.destroy();
      if (proc.exitCode === null) {
        const exited = new Promise((r) => proc.once('exit', r));
        proc.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

// request sends one request. A server may answer before it has read the
// whole body (a 413) and close the connection: the write then fails with
// EPIPE or ECONNRESET while the answer is still on its way, so such errors
// wait a moment for it, and bodies over 1 MiB go on a connection of their
// own, which no later request reuses.
function request(agent, url, method, { headers = {}, body } = {}) {
  if (body?.length > 2 ** 20) {
    agent = false;
    headers = { ...headers, Connection: 'close' };
  }
  return new Promise((resolve, reject) => {
    let answered = false;
    const req = http.request(url, { method, agent, headers }, (res) => {
      answered = true;
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', (e) => {
      if (e.code === 'EPIPE' || e.code === 'ECONNRESET') setTimeout(() => answered || reject(e), 1000);
      else reject(e);
    });
    req.end(body);
  });
}

/** The JSON of a response body. */
export const json = (res) => JSON.parse(res.body.toString('utf8'));

/** The p-th percentile (0–100) of values. */
export function percentile(values, p) {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

function declareOnly(port, method, path, headers) {
  return new Promise((resolve, reject) => {
    const sock = net.connect(port, '127.0.0.1');
    let data = '';
    const timer = setTimeout(() => sock.destroy(), 10_000);
    sock.setEncoding('latin1');
    sock.on('data', (d) => {
      data += d;
      if (/\r\n\r\n[\s\S]*\n$/.test(data)) sock.end(); // the JSON answer ends with a newline
    });
    sock.on('error', () => {});
    sock.on('close', () => {
      clearTimeout(timer);
      const m = data.match(/^HTTP\/1\.1 (\d{3})[^]*?\r\n\r\n([^]*)$/);
      if (m) resolve({ status: Number(m[1]), body: m[2] });
      else reject(new Error(`no HTTP answer: ${JSON.stringify(data)}`));
    });
    const head = Object.entries({ Host: `127.0.0.1:${port}`, Connection: 'close', ...headers }).map(([k, v]) => `${k}: ${v}\r\n`).join('');
    sock.write(`${method} ${path} HTTP/1.1\r\n${head}\r\n`);
  });
}
