// precompress.mjs writes FILE.br (brotli) and FILE.gz (gzip -9)
// next to each compressible file under a directory, for tools/serve (and any
// static host that serves precompressed files) to send with
// Content-Encoding:
//
//	node tools/precompress/precompress.mjs dist/site
//
// Compressible: .html .css .js .mjs .json .svg .wasm .ts .map .txt .bin, and
// weight files (.safetensors, .onnx). A variant is kept only when it saves
// at least MIN_SAVING of the file (int8 weights barely compress, and an
// almost-as-large copy only costs disk); otherwise a stale one is removed.
// Variants newer than their file are kept as they are, so a rebuild only
// recompresses what changed. Brotli runs at quality 11 except on weight
// files, where quality 10 is as small (seednet: 92,880 bytes at 10, 92,942
// at 11, 94,695 at 9) in half the time (alexmnist: 0.9 s instead of 2 s).
//
// Node's built-in zlib is used rather than the brotli command-line tool:
// Node is already needed by the build and tests, so nothing has to be
// installed, and the output is the same on every machine.
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { extname, join } from 'node:path';

const WEIGHTS = new Set(['.safetensors', '.onnx']);
const COMPRESSIBLE = new Set(['.html', '.css', '.js', '.mjs', '.json', '.svg', '.wasm', '.ts', '.map', '.txt', '.bin', ...WEIGHTS]);
const MIN_SAVING = 0.03;

const encoders = {
  '.br': (b, ext) => brotliCompressSync(b, {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: WEIGHTS.has(ext) ? 10 : 11,
      [constants.BROTLI_PARAM_LGWIN]: 24,
      [constants.BROTLI_PARAM_SIZE_HINT]: b.length,
    },
  }),
  '.gz': (b) => gzipSync(b, { level: 9 }),
};

// files lists the regular files under dir, skipping dotfiles.
function* files(dir) {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.name.startsWith('.')) continue;
    const p = join(dir, e.name);
    if (e.isDirectory()) yield* files(p);
    else if (e.isFile()) yield p;
  }
}

const dir = process.argv[2];
if (process.argv.length !== 3) {
  console.error('usage: node precompress.mjs DIR');
  process.exit(2);
}
let before = 0;
let after = { '.br': 0, '.gz': 0 };
for (const file of [...files(dir)]) {
  if (!COMPRESSIBLE.has(extname(file))) continue;
  const stat = statSync(file);
  let data;
  for (const [suffix, encode] of Object.entries(encoders)) {
    const out = file + suffix;
    let fresh;
    try {
      fresh = statSync(out).mtimeMs >= stat.mtimeMs;
    } catch {
      fresh = false;
    }
    if (fresh) {
      after[suffix] += statSync(out).size;
      continue;
    }
    data ??= readFileSync(file);
    const z = encode(data, extname(file));
    if (z.length <= data.length * (1 - MIN_SAVING)) {
      writeFileSync(out, z);
      after[suffix] += z.length;
    } else {
      rmSync(out, { force: true });
      after[suffix] += data.length;
    }
  }
  before += stat.size;
}
const kib = (n) => `${(n / 1024).toFixed(0)} KiB`;
console.log(`precompress: ${dir}: ${kib(before)} compressible, ${kib(after['.br'])} as brotli, ${kib(after['.gz'])} as gzip`);
