// Shared test support: the built engine, TensorFlow.js (CPU backend) as the
// reference, a seeded generator, a naive convolution for the cases TF.js
// does not accept, and tolerances derived from the reduction length.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { fileURLToPath } from 'node:url';

/** dist/featuremap/, built by `make build`. */
export const distDir = new URL('../../../dist/featuremap/', import.meta.url);
export const distPath = fileURLToPath(distDir);

/** Loads featuremap.js from dist/featuremap/. */
export async function loadModule() {
  return import(new URL('featuremap.js', distDir).href);
}

await tf.setBackend('cpu');
export { tf };

/** The unit roundoff of float32. */
export const U = 2 ** -24;

/** A seeded generator (mulberry32) with the helpers the tests draw from. */
export function rng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const r = {
    next,
    /** An integer in [lo, hi]. */
    int: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)),
    pick: (items) => items[Math.floor(next() * items.length)],
    /** A tensor of the given shape with values uniform in [-scale, scale). */
    tensor(shape, scale = 1) {
      const data = new Float32Array(shape.reduce((p, n) => p * n, 1));
      for (let i = 0; i < data.length; i++) {
        data[i] = (2 * next() - 1) * scale;
      }
      return { shape, data };
    },
  };
  return r;
}

/** A tf.Tensor of a featuremap tensor. */
export const toTF = (t) => tf.tensor(t.data, t.shape, 'float32');

/** |t|, elementwise: the tolerances come from the same op applied to |x|. */
export const abs = (t) => ({ shape: t.shape, data: t.data.map(Math.abs) });

/**
 * Asserts that got (a featuremap tensor) has want's shape and that every
 * element is within tol[i] (a Float32Array or a number) of want's. want is
 * a tf.Tensor or a featuremap tensor.
 */
export function assertClose(got, want, tol, what) {
  const shape = want.shape;
  const data = want instanceof tf.Tensor ? want.dataSync() : want.data;
  if (JSON.stringify(got.shape) !== JSON.stringify(shape)) {
    throw new Error(`${what}: shape ${JSON.stringify(got.shape)}, want ${JSON.stringify(shape)}`);
  }
  if (!(got.data instanceof Float32Array) || got.data.length !== data.length) {
    throw new Error(`${what}: data is not a Float32Array of ${data.length} elements`);
  }
  for (let i = 0; i < data.length; i++) {
    const t = typeof tol === 'number' ? tol : tol[i];
    const d = Math.abs(got.data[i] - data[i]);
    if (!(d <= t) && !(Number.isNaN(got.data[i]) && Number.isNaN(data[i]))) {
      throw new Error(`${what}: element ${i} = ${got.data[i]}, want ${data[i]} (difference ${d}, tolerance ${t})`);
    }
  }
}

/**
 * The tolerance of a sum of k products whose absolute values sum to s:
 * each of two float32 implementations is within k·u·s of the exact value
 * (Higham, "Accuracy and Stability of Numerical Algorithms", §3.1), plus one
 * rounding of the result.
 */
export const sumTol = (k, s) => (2 * k + 1) * U * s + Number.MIN_VALUE;

/**
 * TensorFlow padding as TF.js conv2d/pools take it: 'same', 'valid' or
 * [[0, 0], [t, b], [l, r], [0, 0]].
 */
export function tfPad(padding) {
  if (padding === 'SAME' || padding === 'VALID') {
    return padding.toLowerCase();
  }
  return [[0, 0], padding[0], padding[1], [0, 0]];
}

/** TF's one-dimension padding (design.md), for the naive reference. */
function padOf(padding, inSize, k, s, d) {
  if (padding === 'VALID') {
    return [0, 0];
  }
  if (padding === 'SAME') {
    const out = Math.ceil(inSize / s);
    const total = Math.max((out - 1) * s + (k - 1) * d + 1 - inSize, 0);
    return [Math.floor(total / 2), total - Math.floor(total / 2)];
  }
  return padding;
}

/**
 * A naive grouped conv2d, written from tf.nn.conv2d's definition, for the
 * cases TF.js rejects (dilations > 1 together with strides > 1). x is NHWC
 * rank 4, filter HWIO; returns { shape, data } and the |x|·|w| sums.
 */
export function naiveConv2D(x, f, { strides = [1, 1], dilations = [1, 1], padding = 'VALID', groups = 1, bias }) {
  const [n, h, w, c] = x.shape;
  const [kh, kw, ci, oc] = f.shape;
  const [sh, sw] = strides;
  const [dh, dw] = dilations;
  const [top, bottom] = padOf(Array.isArray(padding) ? padding[0] : padding, h, kh, sh, dh);
  const [left, right] = padOf(Array.isArray(padding) ? padding[1] : padding, w, kw, sw, dw);
  const oh = Math.floor((h + top + bottom - (kh - 1) * dh - 1) / sh) + 1;
  const ow = Math.floor((w + left + right - (kw - 1) * dw - 1) / sw) + 1;
  const ocg = oc / groups;
  const data = new Float32Array(n * Math.max(oh, 0) * Math.max(ow, 0) * oc);
  const absSum = new Float64Array(data.length);
  for (let b = 0; b < n; b++) {
    for (let oy = 0; oy < oh; oy++) {
      for (let ox = 0; ox < ow; ox++) {
        for (let o = 0; o < oc; o++) {
          const g = Math.floor(o / ocg);
          let sum = bias ? bias[o] : 0;
          let abssum = bias ? Math.abs(bias[o]) : 0;
          for (let ky = 0; ky < kh; ky++) {
            const iy = oy * sh - top + ky * dh;
            if (iy < 0 || iy >= h) continue;
            for (let kx = 0; kx < kw; kx++) {
              const ix = ox * sw - left + kx * dw;
              if (ix < 0 || ix >= w) continue;
              for (let i = 0; i < ci; i++) {
                const p = x.data[((b * h + iy) * w + ix) * c + g * ci + i] * f.data[((ky * kw + kx) * ci + i) * oc + o];
                sum += p;
                abssum += Math.abs(p);
              }
            }
          }
          const at = ((b * oh + oy) * ow + ox) * oc + o;
          data[at] = sum;
          absSum[at] = abssum;
        }
      }
    }
  }
  return { shape: [n, oh, ow, oc], data, absSum };
}
