// ui.js starts the site: one WebAssembly module, app.wasm (or
// app.simd.wasm), is both the user interface (site/app: Go with
// honnef.co/go/js/dom/v2) and the featuremap engine (site/app/engine.go).
// It is downloaded and compiled once, streaming, then instantiated twice:
// here for the UI and, posted as a WebAssembly.Module, in the engine's Web
// Worker (featuremap/featuremap.worker.js, a file, not a blob: URL). The
// first model's weights download while it compiles. Where a module worker
// cannot start (the widget loaded from another origin: workers must be
// same-origin), the engine runs in a second instance on this thread. The
// first model loads into the engine as soon as it runs, while the UI
// starts.
// Every file is resolved against this one's URL, so the pages and the
// widget work from any path and any origin that sends CORS headers, and
// nothing is inline or evaluated: it runs under
// `script-src 'self' 'wasm-unsafe-eval'`.
import { init, simdSupported, MODEL_CACHE } from './featuremap/featuremap.js';

const base = new URL('./', import.meta.url);
// The globals that app.wasm's main stores its exports under: the UI's
// (site/app's globalName) and the engine's (package enginejs).
const UI_GLOBAL = '__featuremap_ui';
const ENGINE_GLOBAL = '__featuremap_engine';

let program; // Promise of the compiled app.wasm
let engine; // Promise of the featuremap.js instance, shared by every mount
let app; // Promise of the UI's exports, { mount }
// Models whose loading started before the UI asked for them: URL →
// { model (Promise), progress (listeners), last (the last progress) }.
const early = new Map();

/**
 * Builds a part of the site into root: 'demo' (the demo page), 'widget'
 * (a <featuremap-demo>), 'explain' or 'snippet'. options.model picks the
 * demo's first model. Resolves once the part is mounted; root.dataset.state
 * then becomes 'ready' or 'error' as it finishes loading.
 */
export async function mount(kind, root, options = {}) {
  program ??= compile();
  engine ??= startEngine(program);
  if (kind === 'demo' || kind === 'widget') {
    startModel(new URL(`models/${options.model ?? 'alexmnist'}.safetensors`, base).href);
  }
  // The UI starts once the engine runs (it needs it anyway), while the
  // first model loads: its go.run on this thread then finds the Go
  // runtime's functions compiled already (V8 compiles wasm functions lazily,
  // on first call, once for every instance of the module).
  app ??= engine.then(() => program).then(startApp);
  const [fm, ui] = await Promise.all([engine, app]);
  const err = ui.mount(kind, root, fm, { ...options, base: base.href, loadModel: (url, onProgress) => loadModel(fm, url, onProgress) });
  if (err instanceof Error) {
    throw err;
  }
}

// compile downloads and compiles app.wasm (the SIMD build where the
// browser has WebAssembly SIMD) while it streams in (the pages preload
// app.simd.wasm). Chromium would keep the compiled code of a streamed
// module with its cached response for the next visit, but only once
// enough of it has been optimised, which a visit of this site does not
// reach: a repeat visit revalidates the file (304) and compiles again.
async function compile() {
  const url = new URL(simdSupported() ? 'app.simd.wasm' : 'app.wasm', base);
  let response;
  try {
    response = await fetch(url);
  } catch (err) {
    throw new Error(`cannot download ${url}: ${err.message}`, { cause: err });
  }
  if (!response.ok) {
    throw new Error(`cannot download ${url}: HTTP ${response.status} ${response.statusText}`);
  }
  return WebAssembly.compileStreaming(response);
}

// startModel starts loading the model at url: its weights download at
// once (preload) and go into the engine as soon as it runs.
function startModel(url) {
  if (early.has(url)) {
    return;
  }
  preload(url);
  const entry = { progress: new Set(), last: undefined };
  const onProgress = (p) => {
    entry.last = p;
    entry.progress.forEach((f) => f(p));
  };
  entry.model = engine.then((fm) => fm.loadModel(url, { cache: true, onProgress }));
  entry.model.catch(() => {}); // reported when the UI asks for the model
  early.set(url, entry);
}

// loadModel is the UI's fm.loadModel(url, { cache: true, onProgress }):
// it takes over a load that startModel began, once.
function loadModel(fm, url, onProgress) {
  const entry = early.get(url);
  if (entry === undefined) {
    return fm.loadModel(url, { cache: true, onProgress });
  }
  early.delete(url);
  if (entry.last !== undefined) {
    onProgress(entry.last);
  }
  entry.progress.add(onProgress);
  const done = () => entry.progress.delete(onProgress);
  entry.model.then(done, done);
  return entry.model;
}

// preload starts downloading a model's weights with a <link rel=preload>,
// unless the model cache (featuremap.js's Cache API cache) has them: the
// later fetch in loadModel then takes the preloaded response, so the
// weights arrive while app.wasm compiles.
async function preload(url) {
  try {
    if (await (await caches.open(MODEL_CACHE)).match(url)) {
      return;
    }
  } catch {
    // No Cache API here (an opaque origin, storage off): loadModel fetches anyway.
  }
  const link = document.createElement('link');
  link.rel = 'preload';
  link.as = 'fetch';
  link.crossOrigin = 'anonymous'; // as fetch() asks: mode cors, same-origin credentials
  link.href = url;
  document.head.append(link);
}

// startApp runs the UI: app.wasm's main stores its exports under global
// names and keeps running; the engine's exports of this instance are not
// used.
async function startApp(module) {
  await loadGo();
  const go = new globalThis.Go();
  const instance = await WebAssembly.instantiate(module, go.importObject);
  go.run(instance);
  const ui = globalThis[UI_GLOBAL];
  delete globalThis[UI_GLOBAL];
  delete globalThis[ENGINE_GLOBAL];
  if (ui === undefined) {
    throw new Error('app.wasm exited while starting (see the console)');
  }
  return ui;
}

// startEngine runs the engine of app.wasm in a module worker, which
// starts while the module still compiles, or, where a worker cannot
// start, on this thread.
async function startEngine(program) {
  try {
    return await init({ worker: true, module: program });
  } catch (err) {
    await program; // a failed download is not the worker's fault: report it
    console.warn(`featuremap: the engine runs on the page (${err.message})`);
  }
  await loadGo();
  const fm = await init({ module: program });
  delete globalThis[UI_GLOBAL]; // this instance's UI exports, unused
  return fm;
}

// loadGo loads Go's wasm_exec.js (it defines globalThis.Go).
async function loadGo() {
  if (typeof globalThis.Go !== 'function') {
    await import(new URL('featuremap/wasm_exec.js', base).href);
  }
}
