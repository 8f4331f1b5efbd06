// ui.js loads the site's two WebAssembly programs, both relative to this
// file so that the pages and the embed widget work from any path: the
// featuremap engine, in a Web Worker (featuremap/featuremap.worker.js, a
// file, not a blob: URL), and the user interface (app.wasm, Go with
// honnef.co/go/js/dom/v2; site/app). Nothing here is inline or evaluated,
// so it runs under `script-src 'self' 'wasm-unsafe-eval'`.
import { init } from './featuremap/featuremap.js';

const base = new URL('./', import.meta.url);
let engine; // Promise of the WorkerFeatureMap, shared by every mount
let app; // Promise of the UI's exports, { mount }

/**
 * Builds a part of the site into root: 'demo' (the demo page), 'widget'
 * (a <featuremap-demo>) or 'explain'. options.model picks the demo's first
 * model. Resolves once the part is mounted; root.dataset.state then
 * becomes 'ready' or 'error' as it finishes loading.
 */
export async function mount(kind, root, options = {}) {
  engine ??= init({ worker: true });
  app ??= startApp();
  const [fm, ui] = await Promise.all([engine, app]);
  const err = ui.mount(kind, root, fm, { base: base.href, ...options });
  if (err instanceof Error) {
    throw err;
  }
}

// startApp runs app.wasm; its main stores its exports under a global
// name and keeps running.
async function startApp() {
  if (typeof globalThis.Go !== 'function') {
    await import(new URL('featuremap/wasm_exec.js', base).href);
  }
  const go = new globalThis.Go();
  const name = '__featuremap_ui'; // site/app's globalName
  const response = fetch(new URL('app.wasm', base));
  const { instance } = await WebAssembly.instantiateStreaming(response, go.importObject);
  go.run(instance);
  const ui = globalThis[name];
  delete globalThis[name];
  if (ui === undefined) {
    throw new Error('featuremap: app.wasm exited while starting (see the console)');
  }
  return ui;
}
