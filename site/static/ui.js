// ui.js starts the site: one WebAssembly module, app.wasm (or
// app.simd.wasm), is both the user interface (site/app: Go with
// honnef.co/go/js/dom/v2) and the featuremap engine (site/app/engine.go).
// It is downloaded and compiled once, streaming, then instantiated twice:
// here for the UI and, posted as a WebAssembly.Module, in the engine's Web
// Worker (featuremap/featuremap.worker.js, a file, not a blob: URL). The
// first model's weights download (or are read from the model cache) while
// it compiles. Where a module worker cannot start (the widget loaded from
// another origin: workers must be same-origin), the engine runs in a
// second instance on this thread. The first model loads into the engine
// as soon as it runs, while the UI starts, and is warmed up by one
// prediction (warmUp) while the UI finishes.
// Every file is resolved against this one's URL, so the pages and the
// widget work from any path and any origin that sends CORS headers, and
// nothing is inline or evaluated: it runs under
// `script-src 'self' 'wasm-unsafe-eval'`.
import { init, simdSupported, fetchModelFile } from './featuremap/featuremap.js';

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
  program ??= marked('fm:compiled', compile(simdFor(kind, options)));
  engine ??= marked('fm:engine', startEngine(program));
  if (kind === 'demo' || kind === 'widget') {
    startModel(new URL(`models/${options.model ?? DEFAULT_MODEL}.safetensors`, base).href);
  }
  // The UI starts once the engine runs (it needs it anyway), while the
  // first model loads: its go.run on this thread then finds the Go
  // runtime's functions compiled already (V8 compiles wasm functions lazily,
  // on first call, once for every instance of the module), which keeps this
  // thread's tasks short.
  app ??= marked('fm:ui', engine.then(() => program).then(startApp));
  const [fm, ui] = await Promise.all([engine, app]);
  const err = ui.mount(kind, root, fm, { ...options, base: base.href, loadModel: (url, onProgress) => loadModel(fm, url, onProgress) });
  if (err instanceof Error) {
    throw err;
  }
}

// marked returns promise, noting on the page's performance timeline
// (performance.mark) when it resolves: fm:compiled, fm:engine, fm:ui,
// fm:model, fm:warmed; site/test/bytes.test.mjs prints them as the
// start-up's breakdown.
function marked(name, promise) {
  promise.then(() => performance.mark(name), () => {});
  return promise;
}

// compile downloads and compiles app.simd.wasm (simd) or app.wasm while
// it streams in (the pages preload the one they take: simdFor).
// Compiling validates the module; V8 compiles functions on their first
// call (Liftoff) and optimises the hot ones (TurboFan).
// Chromium can keep a streamed module's optimised code in its code cache
// for the next visit (a 304 revalidation keeps it), but in Chromium 156 it
// never does for this site: V8 hands the code over only once no function
// was optimised for wasm_caching_timeout_ms (2 s), and a site whose
// optimising goes on past its first check (here: for about a second after
// it) gets its next check scheduled in seconds where milliseconds were
// meant. Nor would a cached module be used while the page preloads the
// file: a fetch that takes over a <link rel=preload> response gets no code
// cache (site/test/bytes.test.mjs counts the profile's entries; the rest
// was measured with Chromium's trace events; `make bench-startup` times
// a repeat visit with the cache kept: README "Start-up of the site").
async function compile(simd) {
  const url = new URL(simd ? 'app.simd.wasm' : 'app.wasm', base);
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

// DEFAULT_MODEL is the demo's and a widget's first model when options.model
// names none.
const DEFAULT_MODEL = 'alexmnist';

// LIGHT_MODELS need so little arithmetic (seednet: 1.2 MFLOP an image)
// that the portable build classifies a digit well within a frame (about
// 2 ms instead of 0.1 ms in Node), for about 25 KB less on the wire
// (brotli) than the SIMD build's.
const LIGHT_MODELS = new Set(['seednet']);

// simdFor reports whether the page's first part takes app.simd.wasm
// (where the browser has WebAssembly SIMD): everything but the explainer
// (seednet, and fm.ops on small tensors) and a seednet widget, which take
// app.wasm. Later parts of the page share the first one's module.
function simdFor(kind, options) {
  const light = kind === 'explain' || (kind === 'widget' && LIGHT_MODELS.has(options.model ?? DEFAULT_MODEL));
  return simdSupported() && !light;
}

// startModel starts loading the model at url: its file is read from the
// model cache, or else downloaded (and cached), at once, while the engine
// starts (fetchModelFile), and goes into the engine as soon as it runs.
function startModel(url) {
  if (early.has(url)) {
    return;
  }
  const entry = { progress: new Set(), last: undefined };
  const onProgress = (p) => {
    entry.last = p;
    entry.progress.forEach((f) => f(p));
  };
  const bytes = fetchModelFile(url, { cache: true, onProgress });
  entry.model = marked('fm:model', Promise.all([engine, bytes]).then(([fm, b]) => fm.loadModel(b)));
  entry.model.then((m) => queueMicrotask(() => warmUp(m)), () => {}); // a failure is the UI's to report
  early.set(url, entry);
}

// warmUp has model classify a drawn stroke once and drops the result. It
// is asked for right after the UI's own first calls on the loaded model
// (the UI's continuation is queued before this microtask, and asks the
// engine for conv1's weights at once), so the page is ready no later; the
// engine's worker runs it while this thread still builds the page. V8
// compiles each WebAssembly function on its first call (and optimises the
// hot ones after a while), so otherwise the visitor's first prediction
// would pay for compiling the whole path from pixels to probabilities. The
// engine answers in order: a prediction asked for meanwhile waits for this
// one.
function warmUp(model) {
  const side = 28;
  const pixels = new ImageData(side, side);
  for (let i = 0; i < side * side; i++) {
    const [x, y] = [i % side, Math.floor(i / side)];
    const v = x >= 12 && x < 16 && y >= 5 && y < 23 ? 0 : 255; // a "1", black on white
    pixels.data.set([v, v, v, 255], 4 * i);
  }
  marked('fm:warmed', model.inspect(pixels, { topK: 1 })).catch(() => {});
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
