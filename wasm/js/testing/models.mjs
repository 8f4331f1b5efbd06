// Test support for the model API: weight files made by the `fm` command
// (tools/fm) with random weights, the native Go references (`fm summary`,
// `fm predict`, wasm/internal/modelref), and a PNG writer for images both
// sides read.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { crc32, deflateSync } from 'node:zlib';

const repo = fileURLToPath(new URL('../../../', import.meta.url));

/**
 * Builds tools/fm and wasm/internal/modelref into a new temporary directory
 * and writes seednet with random weights (seed 1) as float32 and int8
 * files there. remove() deletes the directory.
 */
export function makeModels() {
  const dir = mkdtempSync(join(tmpdir(), 'featuremap-models-'));
  const build = (pkg, name) => {
    const bin = join(dir, name);
    execFileSync('go', ['build', '-o', bin, pkg], { cwd: repo, stdio: ['ignore', 'ignore', 'inherit'] });
    return bin;
  };
  const fmBin = build('./tools/fm', 'fm');
  const refBin = build('./wasm/internal/modelref', 'modelref');
  const fm = (...args) => execFileSync(fmBin, args, { encoding: 'utf8' });
  const files = {
    float32: join(dir, 'seednet.safetensors'),
    int8: join(dir, 'seednet.int8.safetensors'),
  };
  fm('init', '-arch', 'seednet', '-seed', '1', files.float32);
  fm('init', '-arch', 'seednet', '-seed', '1', '-int8', files.int8);
  return {
    dir,
    files,
    /** `fm summary file`, parsed (see parseSummary). */
    summary: (file) => parseSummary(fm('summary', file)),
    /** `fm predict -model file image`: its top 5 as [{ label, p }]. */
    predict: (file, image) => parsePredict(fm('predict', '-model', file, image)),
    /** modelref's { probs, activations, params } for a Float32Array input. */
    reference(file, input) {
      const raw = join(dir, 'input.f32');
      writeFileSync(raw, new Uint8Array(input.buffer, input.byteOffset, input.byteLength));
      return JSON.parse(execFileSync(refBin, ['-model', file, '-input', raw], { encoding: 'utf8', maxBuffer: 1 << 28 }));
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

const count = (s) => Number(s.replaceAll(',', ''));

/**
 * Parses the table `fm summary` prints (model.Summary.String) into the
 * shape of model.summary(): { layers, weights, biases, totalParams }.
 */
export function parseSummary(text) {
  const layers = [];
  for (const line of text.split('\n')) {
    const m = line.match(/^(\S+) \((\w+)\)\s+\(None, ([\d, ]+)\)\s+([\d,]+)\s+([\d,]+)\s+([\d,]+)$/);
    if (m) {
      layers.push({
        name: m[1], type: m[2], outputShape: m[3].split(', ').map(Number),
        weights: count(m[4]), biases: count(m[5]), params: count(m[6]),
      });
    }
  }
  const t = text.match(/^Total params: ([\d,]+) \(weights ([\d,]+), biases ([\d,]+)\)$/m);
  if (!t || layers.length === 0) {
    throw new Error(`cannot parse fm summary's output:\n${text}`);
  }
  return { layers, totalParams: count(t[1]), weights: count(t[2]), biases: count(t[3]) };
}

/** Parses `fm predict`'s ranked lines "1. label  0.1234". */
export function parsePredict(text) {
  const top = [...text.matchAll(/^\d+\. (\S+)\s+([\d.]+)$/gm)].map((m) => ({ label: m[1], p: Number(m[2]) }));
  if (top.length === 0) {
    throw new Error(`cannot parse fm predict's output:\n${text}`);
  }
  return top;
}

/** A PNG file (8-bit RGBA, no filtering) of width×height RGBA pixels. */
export function png(width, height, rgba) {
  const chunk = (type, data) => {
    const out = Buffer.alloc(12 + data.length);
    out.writeUInt32BE(data.length, 0);
    out.write(type, 4, 'latin1');
    data.copy(out, 8);
    out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
    return out;
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 6, 0, 0, 0], 8); // bit depth 8, RGBA, deflate, no filter, no interlace
  const rows = Buffer.alloc(height * (1 + 4 * width));
  for (let y = 0; y < height; y++) {
    Buffer.from(rgba.buffer, rgba.byteOffset + y * 4 * width, 4 * width).copy(rows, y * (1 + 4 * width) + 1);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr), chunk('IDAT', deflateSync(rows)), chunk('IEND', Buffer.alloc(0)),
  ]);
}

/**
 * A drawn "7", anti-aliased: RGBA pixels { width, height, data } of a
 * black stroke on a transparent background (as a drawing canvas), or on
 * white when opaque.
 */
export function drawnSeven(width = 56, height = 56, { opaque = false } = {}) {
  const segs = [[0.2, 0.2, 0.8, 0.2], [0.8, 0.2, 0.45, 0.85]].map((s) => s.map((v, i) => v * (i % 2 ? height : width)));
  const data = new Uint8ClampedArray(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const d = Math.min(...segs.map(([x0, y0, x1, y1]) => {
        const [dx, dy] = [x1 - x0, y1 - y0];
        const t = Math.max(0, Math.min(1, ((x + 0.5 - x0) * dx + (y + 0.5 - y0) * dy) / (dx * dx + dy * dy)));
        return Math.hypot(x + 0.5 - x0 - t * dx, y + 0.5 - y0 - t * dy);
      }));
      const ink = Math.max(0, Math.min(1, 3.5 - d)); // a stroke 6 pixels wide, 1 pixel of fringe
      const i = 4 * (y * width + x);
      if (opaque) {
        data.fill(Math.round(255 * (1 - ink)), i, i + 3);
        data[i + 3] = 255;
      } else {
        data[i + 3] = Math.round(255 * ink);
      }
    }
  }
  return { width, height, data };
}
