// The edge Worker's glue: one Go instance (wasm/edge, built with
// github.com/syumai/workers' runtime) per isolate, kept across requests
// together with the models it has decoded.
//
// Every I/O happens here, in the context of the request it belongs to:
// reading the request body (bounded), fetching weight files from the
// ASSETS binding, serving the site's files with its headers. Go is called
// synchronously (binding.serve), so no Go goroutine ever touches another
// request's streams or promises, and concurrent requests simply take
// turns on the isolate's one thread. When the Go program ends (a fatal
// error: a panic outside the request's handler, or running out of
// memory), the request in flight gets a 500 with a JSON error and the
// next request starts a new instance.
import './wasm_exec.js'; // syumai/workers' copy of Go's: go.run(instance, context)
import wasmModule from './app.wasm';
import precompressed from './precompressed.json';

let current; // { go, binding, generation, dead }
let generation = 0;
let commonHeaders = {}; // the site's headers, from the last instance started

// start instantiates the module and runs Go's main until it calls
// workers.Ready, which happens synchronously inside go.run.
function start(env, ctx) {
  const go = new globalThis.Go();
  go.argv = ['edge'];
  let ready = false;
  const instance = new WebAssembly.Instance(wasmModule, {
    ...go.importObject,
    workers: { ready: () => { ready = true; } },
  });
  const inst = { go, binding: {}, generation: ++generation, dead: false };
  go.exit = (code) => {
    inst.dead = true;
    inst.exitCode = code;
  };
  go.run(instance, { env, ctx, binding: inst.binding }).finally(() => { inst.dead = true; });
  if (!ready || inst.dead) {
    throw new Error(`the Go program ended before it was ready (exit code ${inst.exitCode})`);
  }
  if (inst.binding.error) {
    inst.dead = true;
    throw new Error(inst.binding.error);
  }
  const { 'Cache-Control': _, ...common } = inst.binding.config.staticHeaders;
  commonHeaders = common;
  return inst;
}

function instance(env, ctx) {
  if (!current || current.dead) {
    current = undefined;
    current = start(env, ctx);
  }
  return current;
}

function json(status, value) {
  return new Response(JSON.stringify(value) + '\n', {
    status,
    headers: { ...commonHeaders, 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' },
  });
}

// crashed answers for an instance whose Go program has ended.
function crashed(inst) {
  if (current === inst) current = undefined;
  console.error(`edge: the Go engine (instance ${inst.generation}) ended with exit code ${inst.exitCode}; a new one starts with the next request`);
  return json(500, { error: `internal error: the engine crashed (exit code ${inst.exitCode}); it has been restarted, please retry` });
}

// provideModels fetches the weight files Go still lacks and hands them
// over. Concurrent first requests each fetch their own copy (promises are
// not shared across requests); Go keeps the first.
async function provideModels(inst, names, env, base) {
  const cfg = inst.binding.config;
  for (const name of names) {
    const path = cfg.modelPath.replace('NAME', name);
    const res = await env.ASSETS.fetch(new Request(new URL(path, base)));
    if (res.status === 404) { // a deployment without this file: a lasting refusal
      await res.body?.cancel();
      if (!inst.dead) inst.binding.refuse(name, `its weight file ${path} is not among the site's files`);
      continue;
    }
    if (!res.ok) { // maybe passing: answer 503 and try again with the next request
      await res.body?.cancel();
      throw new Error(`cannot fetch the weight file ${path} of model "${name}": HTTP ${res.status}`);
    }
    const declared = Number(res.headers.get('Content-Length') ?? NaN);
    if (declared > cfg.maxFileBytes) {
      await res.body?.cancel();
      if (!inst.dead) inst.binding.refuse(name, `its weight file has ${declared} bytes, and a file over ${cfg.maxFileBytes} bytes cannot fit this Worker's model budget (each parameter takes at most 4 bytes of the file and 8 of memory); run it with featuremap.js in a browser or in Node instead`);
      continue;
    }
    const bytes = new Uint8Array(await res.arrayBuffer());
    if (inst.dead) return;
    inst.binding.provide(name, bytes);
  }
}

// readBody reads at most limit bytes of a body stream: a longer body is cut
// there (Go answers 413 for it) and the rest is not read.
async function readBody(stream, limit) {
  const reader = stream.getReader();
  const chunks = [];
  let n = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    n += value.byteLength;
    if (n >= limit) {
      await reader.cancel();
      break;
    }
  }
  const out = new Uint8Array(Math.min(n, limit));
  let off = 0;
  for (const c of chunks) {
    const take = Math.min(c.byteLength, out.length - off);
    out.set(c.subarray(0, take), off);
    off += take;
  }
  return out;
}

// requestBody reads a request's body: one whose declared length is over
// maxBody is not read (Go answers 413 from the header), one with a length
// within it is read in one go, one without (chunked) up to just over
// maxBody.
async function requestBody(request, maxBody) {
  if (!request.body) return undefined;
  const length = request.headers.get('Content-Length');
  if (length === null) return readBody(request.body, maxBody + 1);
  if (Number(length) <= maxBody) return new Uint8Array(await request.arrayBuffer());
  return undefined;
}

async function serveAPI(request, env, ctx, cfg) {
  const body = await requestBody(request, cfg.maxBody);
  for (let attempt = 0; ; attempt++) {
    const inst = instance(env, ctx);
    const missing = inst.binding.needs(request.url);
    if (missing.length > 0) {
      try {
        await provideModels(inst, missing, env, request.url);
      } catch (e) {
        return json(503, { error: e.message });
      }
    }
    if (inst.dead) {
      // Another request's crash ended this instance while we awaited.
      if (attempt < 1) continue;
      return crashed(inst);
    }
    let res;
    try {
      res = inst.binding.serve({ method: request.method, url: request.url, headers: [...request.headers], body });
    } catch (e) {
      inst.dead = true;
      inst.exitCode ??= e.message;
    }
    if (inst.dead || res === undefined) return crashed(inst);
    const headers = new Headers(res.headers);
    if (inst.binding.debug) headers.set('X-Edge-Instance', String(inst.generation));
    const nobody = request.method === 'HEAD' || res.status === 204 || res.status === 304;
    return new Response(nobody ? null : res.body, { status: res.status, headers });
  }
}

function extname(path) {
  const slash = path.lastIndexOf('/');
  const dot = path.lastIndexOf('.');
  return dot > slash ? path.slice(dot) : '';
}

// accepts reports whether an Accept-Encoding header lists coding with a
// non-zero quality.
function accepts(header, coding) {
  for (const part of (header ?? '').split(',')) {
    const [name, ...params] = part.trim().split(';');
    if (name.trim().toLowerCase() === coding) {
      const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
      return !q || Number(q.slice(2)) > 0;
    }
  }
  return false;
}

// notFound is the answer for paths outside the site's files.
function notFound(url, cfg) {
  return new Response(`${url.pathname}: no such file\n`, {
    status: 404,
    headers: { ...cfg.staticHeaders, 'Content-Type': 'text/plain; charset=utf-8' },
  });
}

// serveAsset serves one of the site's files from the ASSETS binding with
// the site's headers (wasm/edge's config, from package siteheaders), as
// tools/serve does: GET and HEAD only; a path ending in "/" is its
// index.html; only files with a known type, and nothing under a name that
// starts with "." (so no directory listings either); the build's
// precompressed .br or .gz sibling when the manifest lists one and the
// client accepts it, with X-Decoded-Content-Length (the file's own size,
// which featuremap.js's download progress uses as its total). Nothing is
// compressed on the fly.
async function serveAsset(request, url, env, cfg) {
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    return new Response(`${request.method} ${url.pathname}: method not allowed, use GET or HEAD\n`, {
      status: 405,
      headers: { ...cfg.staticHeaders, Allow: 'GET, HEAD', 'Content-Type': 'text/plain; charset=utf-8' },
    });
  }
  let path = url.pathname;
  if (path.endsWith('/')) path += 'index.html';
  const type = cfg.contentTypes[extname(path)];
  if (!type || path.split('/').some((segment) => segment.startsWith('.'))) return notFound(url, cfg);
  const forward = (p) => {
    const u = new URL(url);
    u.pathname = p;
    u.search = '';
    return new Request(u, { method: request.method, headers: request.headers });
  };
  const variants = precompressed[path];
  const acceptEncoding = request.headers.get('Accept-Encoding');
  let res;
  let encoding;
  for (const [coding, suffix] of [['br', '.br'], ['gzip', '.gz']]) {
    if (variants?.codings.includes(coding) && accepts(acceptEncoding, coding)) {
      res = await env.ASSETS.fetch(forward(path + suffix));
      if (res.ok) {
        encoding = coding;
        break;
      }
      await res.body?.cancel();
      res = undefined;
    }
  }
  res ??= await env.ASSETS.fetch(forward(path));
  if (res.status === 404) {
    await res.body?.cancel();
    return notFound(url, cfg);
  }
  const headers = new Headers(res.headers);
  for (const [k, v] of Object.entries(cfg.staticHeaders)) headers.set(k, v);
  headers.set('Content-Type', type);
  if (variants) headers.append('Vary', 'Accept-Encoding');
  if (!encoding) return new Response(res.body, { status: res.status, headers });
  headers.set('Content-Encoding', encoding);
  headers.set('X-Decoded-Content-Length', String(variants.size));
  return new Response(res.body, { status: res.status, headers, encodeBody: 'manual' });
}

export default {
  async fetch(request, env, ctx) {
    let inst;
    try {
      inst = instance(env, ctx);
    } catch (e) {
      return json(500, { error: `internal error: the engine did not start: ${e.message}` });
    }
    const url = new URL(request.url);
    if (!url.pathname.startsWith(inst.binding.config.apiPrefix)) {
      return serveAsset(request, url, env, inst.binding.config);
    }
    return serveAPI(request, env, ctx, inst.binding.config);
  },
};
