// The engine's size (issue: at most 600 KiB brotli on the wire): both
// builds in dist/featuremap, as `make build` writes them, compressed as
// tools/size and tools/precompress do (brotli quality 11). The bytes are
// deterministic, so this is a plain bound, not a measurement. The
// converter (featuremap.convert.wasm, loaded only to convert ONNX or
// TF.js models) is reported, not bounded. `make size` shows where the
// bytes go.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync } from 'node:zlib';
import { distPath } from '../testing/reference.mjs';

const LIMIT = 600 * 1024;

const brotli = (file) => brotliCompressSync(readFileSync(join(distPath, file))).length;
const kib = (n) => `${(n / 1024).toFixed(1)} KiB`;

it(`each engine build is at most ${kib(LIMIT)} brotli`, (t) => {
  for (const file of ['featuremap.wasm', 'featuremap.simd.wasm']) {
    const n = brotli(file);
    t.diagnostic(`${file}: ${kib(n)} brotli`);
    assert.ok(n <= LIMIT, `${file} is ${kib(n)} brotli, more than ${kib(LIMIT)}: see \`make size\``);
  }
  t.diagnostic(`featuremap.convert.wasm (not bounded): ${kib(brotli('featuremap.convert.wasm'))} brotli`);
});
