// Helpers of the byte and cross-origin browser tests (bytes.test.mjs,
// crossorigin.test.mjs) and of the start-up bench (bench/startup.mjs): a
// documentation page with a widget far below the fold, bytes on the wire
// per request, and the probe that times a visit of the demo.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { drawnSeven, png } from '../../wasm/js/testing/models.mjs';

/** docsPage is a documentation page with one widget far below the fold. */
export function docsPage(embedURL, model = 'seednet') {
  const filler = Array.from({ length: 40 }, (_, i) => `<p>Paragraph ${i + 1} of the documentation, before the example.</p>`).join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Docs with a widget</title>
<link rel="icon" href="favicon.svg">
<script type="module" src="${embedURL}"></script></head>
<body><h1>Someone's documentation</h1>
${filler}
<featuremap-demo model="${model}"></featuremap-demo>
</body></html>
`;
}

/**
 * recordBytes records every request page (and its workers) completes; the
 * returned function resolves to rows { path, bytes, encoding } in order.
 */
export function recordBytes(page, origin) {
  const pending = [];
  page.on('requestfinished', (r) => {
    pending.push(r.sizes().then(async (s) => ({
      path: r.url().startsWith(origin) ? r.url().slice(origin.length) || '/' : r.url(),
      bytes: s.responseHeadersSize + s.responseBodySize,
      encoding: (await r.response())?.headers()['content-encoding'] ?? '',
    })));
  });
  return () => Promise.all(pending);
}

/** table formats byte rows and their total as lines. */
export function table(title, rows) {
  const total = rows.reduce((n, r) => n + r.bytes, 0);
  const lines = rows.map((r) => `  ${String(r.bytes).padStart(9)}  ${r.encoding.padEnd(4)}  ${r.path}`);
  return [`${title}: ${total} bytes on the wire (${(total / 1e6).toFixed(3)} MB)`, ...lines];
}

// startupProbe runs in every page before its scripts: it notes when an
// element's data-state first becomes ready, gives the demo's upload input
// the PNG image png (base64) at that very moment (a visitor who draws at
// once: whatever the page still does then delays the prediction), notes
// when a top class is first shown after that, and the long tasks, all in
// ms since navigation started.
export function startupProbe(png) {
  const t = { longTasks: [] };
  window.__startup = t;
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) t.longTasks.push({ start: e.startTime, duration: e.duration });
  }).observe({ type: 'longtask', buffered: true });
  const upload = () => {
    const input = document.getElementById('upload');
    const files = new DataTransfer();
    files.items.add(new File([Uint8Array.from(atob(png), (c) => c.charCodeAt(0))], 'seven.png', { type: 'image/png' }));
    input.files = files.files;
    t.input = performance.now();
    input.dispatchEvent(new Event('change', { bubbles: true }));
  };
  new MutationObserver(() => {
    if (t.ready === undefined && document.querySelector('[data-state=ready]')) {
      t.ready = performance.now();
      upload();
    }
    const shown = document.querySelector('.fm-prediction:not(.fm-empty)');
    t.predicted ??= t.input !== undefined && shown ? performance.now() : undefined;
  }).observe(document, { subtree: true, attributes: true, attributeFilter: ['data-state', 'class'] });
}

// breakdown is what the page itself noted of its start-up (run in the
// page): ui.js's marks (fm:compiled, fm:engine, fm:ui, fm:model,
// fm:warmed) and app.wasm's and the weights' requests (start → end, in ms
// since navigation, and bytes transferred: a revalidation is ~300).
export function breakdown() {
  const marks = Object.fromEntries(performance.getEntriesByType('mark')
    .filter((m) => m.name.startsWith('fm:')).map((m) => [m.name.slice(3), m.startTime]));
  const requests = performance.getEntriesByType('resource')
    .filter((r) => /\.(wasm|safetensors)$/.test(r.name))
    .map((r) => ({ file: r.name.split('/').pop(), start: r.startTime, end: r.responseEnd, bytes: r.transferSize }));
  return { marks, requests };
}

// REVISIT_AFTER is how long the first visit's page stays open after its
// first prediction before the repeat visit: longer than V8's
// wasm_caching_timeout_ms (2 s), after which V8 hands a streamed module's
// optimised code to Chromium's code cache once no new code was optimised
// (for this site Chromium 156 never does: see site/static/ui.js's
// compile; the profile's count shows when that changes).
export const REVISIT_AFTER = 3000;

// wasmCodeCache counts the compiled modules in a profile's WebAssembly code
// cache (Chromium's "Code Cache/wasm", one file per entry besides its
// index) and their bytes.
export function wasmCodeCache(profile) {
  const dir = join(profile, 'Default', 'Code Cache', 'wasm');
  const files = existsSync(dir) ? readdirSync(dir).filter((f) => /^[0-9a-f]{16}_0$/.test(f)) : [];
  return { entries: files.length, bytes: files.reduce((n, f) => n + statSync(join(dir, f)).size, 0) };
}

// SEVEN is a PNG of a drawn 7, the demo's first input in the start-up
// timings.
export const SEVEN = png(56, 56, drawnSeven(56, 56, { opaque: true }).data);
