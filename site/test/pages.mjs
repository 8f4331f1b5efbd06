// Helpers of the byte and cross-origin browser tests (bytes.test.mjs,
// crossorigin.test.mjs): a documentation page with a widget far below the
// fold, and bytes on the wire per request.

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
