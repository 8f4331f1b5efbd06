// fm.ops.* on both builds against TensorFlow.js (tfjs-core, CPU backend) over
// seeded random cases. Run after `make build`: node --test wasm/js/test/
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { tf, rng, toTF, abs, assertClose, sumTol, tfPad, naiveConv2D, U, loadModule } from '../testing/reference.mjs';

/** Random cases per op and build (FEATUREMAP_CASES overrides). */
const CASES = Number(process.env.FEATUREMAP_CASES ?? 300);
const { init } = await loadModule();

const pair = (r, lo, hi) => [r.int(lo, hi), r.int(lo, hi)];
// asOption writes [a, a] as a single number half of the time, as users may.
const asOption = (r, p) => (p[0] === p[1] && r.next() < 0.5 ? p[0] : p);

function randomPadding(r, kh, kw) {
  switch (r.int(0, 2)) {
    case 0: return 'SAME';
    case 1: return 'VALID';
  }
  // Explicit, asymmetric; pools need each side smaller than the window.
  return [[r.int(0, kh - 1), r.int(0, kh - 1)], [r.int(0, kw - 1), r.int(0, kw - 1)]];
}

// convCase draws a conv2d whose output is not empty.
function convCase(r) {
  for (;;) {
    const groups = r.pick([1, 1, 1, 2, 3]);
    const ci = r.int(1, 4);
    const oc = r.int(1, 4) * groups;
    const rank3 = r.next() < 0.2;
    const [n, h, w] = [rank3 ? 1 : r.int(1, 2), r.int(1, 10), r.int(1, 10)];
    const [kh, kw] = pair(r, 1, 5);
    const dilations = r.next() < 0.3 ? pair(r, 1, 3) : [1, 1];
    // Mostly strides 1 with dilations, as TF.js requires (see below).
    const strides = dilations.some((d) => d > 1) && r.next() < 0.7 ? [1, 1] : pair(r, 1, 3);
    const padding = randomPadding(r, kh + 1, kw + 1);
    const x = r.tensor([n, h, w, ci * groups]);
    const filter = r.tensor([kh, kw, ci, oc]);
    const bias = r.next() < 0.5 ? r.tensor([oc]).data : undefined;
    const want = naiveConv2D(x, filter, { strides, dilations, padding, groups, bias });
    if (want.shape[1] < 1 || want.shape[2] < 1) {
      continue;
    }
    return { x, filter, rank3, options: { strides, dilations, padding, groups, bias }, want };
  }
}

// tfConv2D is the reference: TF.js has no groups, so x and the filter are
// split by channel groups and the results concatenated (as AlexNet's two
// GPUs did).
function tfConv2D(x, filter, { strides, dilations, padding, groups, bias }) {
  const xs = tf.split(toTF(x), groups, 3);
  const fs = tf.split(toTF(filter), groups, 3);
  const ys = xs.map((xg, g) => tf.conv2d(xg, fs[g], strides, tfPad(padding), 'NHWC', dilations));
  const y = groups > 1 ? tf.concat(ys, 3) : ys[0];
  return bias ? tf.add(y, tf.tensor1d(bias)) : y;
}

// squeeze3 drops the batch axis of a rank-3 case's expected result.
const squeeze3 = (t, rank3) => (rank3 ? tf.reshape(t, t.shape.slice(1)) : t);
const hwc = (t) => ({ shape: t.shape.slice(1), data: t.data });

for (const simd of [false, true]) {
  describe(`fm.ops vs TensorFlow.js, simd: ${simd}`, () => {
    let fm;
    before(async () => {
      fm = await init({ simd });
    });

    it('runs the requested build', () => {
      assert.equal(fm.simd, simd);
      assert.match(fm.version, /^\d+\.\d+\.\d+/);
    });

    it('conv2d', (t) => {
      const r = rng(1);
      let viaNaive = 0;
      for (let i = 0; i < CASES; i++) {
        const c = convCase(r);
        const o = c.options;
        const options = { strides: asOption(r, o.strides), dilations: asOption(r, o.dilations), padding: o.padding };
        if (o.groups > 1 || r.next() < 0.5) options.groups = o.groups;
        if (o.bias) options.bias = r.next() < 0.5 ? o.bias : { shape: [o.bias.length], data: o.bias };
        const got = fm.ops.conv2d(c.rank3 ? hwc(c.x) : c.x, c.filter, options);
        const what = `conv2d case ${i} ${JSON.stringify({ x: c.x.shape, f: c.filter.shape, ...options, bias: !!o.bias })}`;
        const k = c.filter.shape[0] * c.filter.shape[1] * c.filter.shape[2] + 1;
        if (o.strides.some((s) => s > 1) && o.dilations.some((d) => d > 1)) {
          // TF.js rejects dilations > 1 together with strides > 1 (TensorFlow
          // allows it): check those against the naive reference.
          viaNaive++;
          const want = c.rank3 ? hwc(c.want) : c.want;
          assertClose(got, want, c.want.absSum.map((s) => sumTol(k, s)), what);
          continue;
        }
        tf.tidy(() => {
          const want = squeeze3(tfConv2D(c.x, c.filter, o), c.rank3);
          const absBias = o.bias && o.bias.map(Math.abs);
          const sums = tfConv2D(abs(c.x), abs(c.filter), { ...o, bias: absBias }).dataSync();
          assertClose(got, want, sums.map((s) => sumTol(k, s)), what);
        });
      }
      t.diagnostic(`conv2d: ${CASES} random cases (${CASES - viaNaive} vs TF.js, ${viaNaive} strided+dilated vs the naive reference)`);
    });

    for (const [name, tfPool] of [['maxPool', tf.maxPool], ['avgPool', tf.avgPool]]) {
      it(name, (t) => {
        const r = rng(name === 'maxPool' ? 2 : 3);
        for (let i = 0; i < CASES; i++) {
          const rank3 = r.next() < 0.2;
          const size = pair(r, 1, 4);
          const x = r.tensor([rank3 ? 1 : r.int(1, 2), r.int(size[0], 10), r.int(size[1], 10), r.int(1, 6)]);
          const strides = r.next() < 0.2 ? undefined : pair(r, 1, 4);
          const padding = r.next() < 0.1 ? undefined : randomPadding(r, size[0], size[1]);
          const options = { size: asOption(r, size), padding };
          if (strides) options.strides = asOption(r, strides);
          const got = fm.ops[name](rank3 ? hwc(x) : x, options);
          const what = `${name} case ${i} ${JSON.stringify({ x: x.shape, ...options })}`;
          tf.tidy(() => {
            const pool = (v) => squeeze3(tfPool(toTF(v), size, strides ?? size, tfPad(padding ?? 'VALID')), rank3);
            // A maximum is exact; a mean of k cells is a sum of k terms.
            const tol = name === 'maxPool' ? 0 : pool(abs(x)).dataSync().map((s) => sumTol(size[0] * size[1], s));
            assertClose(got, pool(x), tol, what);
          });
        }
        t.diagnostic(`${name}: ${CASES} random cases vs TF.js`);
      });
    }

    it('dense', (t) => {
      const r = rng(4);
      for (let i = 0; i < CASES; i++) {
        const [n, k, m] = [r.int(1, 4), r.int(1, 80), r.int(1, 20)];
        const x = r.tensor([n, k]);
        const w = r.tensor([k, m]);
        const b = r.next() < 0.6 ? r.tensor([m]) : undefined;
        const got = fm.ops.dense(x, w, b && (r.next() < 0.5 ? b.data : b));
        tf.tidy(() => {
          const ref = (xx, ww, bb) => (bb ? tf.add(tf.matMul(toTF(xx), toTF(ww)), toTF(bb)) : tf.matMul(toTF(xx), toTF(ww)));
          const sums = ref(abs(x), abs(w), b && abs(b)).dataSync();
          assertClose(got, ref(x, w, b), sums.map((s) => sumTol(k + 1, s)), `dense case ${i} [${n}, ${k}] x [${k}, ${m}]`);
        });
      }
      t.diagnostic(`dense: ${CASES} random cases vs TF.js`);
    });

    it('relu', (t) => {
      const r = rng(5);
      for (let i = 0; i < CASES; i++) {
        const x = r.tensor(Array.from({ length: r.int(0, 4) }, () => r.int(1, 6)));
        tf.tidy(() => assertClose(fm.ops.relu(x), tf.relu(toTF(x)), 0, `relu case ${i} ${JSON.stringify(x.shape)}`));
      }
      t.diagnostic(`relu: ${CASES} random cases vs TF.js`);
    });

    it('softmax', (t) => {
      const r = rng(6);
      for (let i = 0; i < CASES; i++) {
        const shape = Array.from({ length: r.int(1, 3) }, () => r.int(1, 6));
        shape[shape.length - 1] = r.int(1, 40);
        const x = r.tensor(shape, r.pick([1, 5, 20]));
        const m = shape[shape.length - 1];
        tf.tidy(() => {
          const want = tf.softmax(toTF(x));
          // Per implementation, p's relative error is at most (2·range + m + 4)·u:
          // the shift x − max, exp, a sum of m terms and a division.
          const p = want.dataSync();
          const tol = p.map((v, j) => {
            const row = x.data.subarray(j - (j % m), j - (j % m) + m);
            const range = Math.max(...row) - Math.min(...row);
            return 2 * (2 * range + m + 4) * U * v;
          });
          assertClose(fm.ops.softmax(x), want, tol, `softmax case ${i} ${JSON.stringify(shape)}`);
        });
      }
      t.diagnostic(`softmax: ${CASES} random cases vs TF.js`);
    });

    it('lrn', (t) => {
      const r = rng(7);
      for (let i = 0; i < CASES; i++) {
        const rank3 = r.next() < 0.2;
        const shape = [rank3 ? 1 : r.int(1, 2), r.int(1, 4), r.int(1, 4), r.int(1, 16)];
        const x = r.tensor(shape, r.pick([1, 3]));
        const defaults = r.next() < 0.15;
        const p = defaults
          ? { depthRadius: 5, bias: 1, alpha: 1, beta: 0.5 }
          : { depthRadius: r.int(0, 6), bias: 0.5 + r.next() * 1.5, alpha: r.pick([1e-4, 0.01, 0.5, 1]), beta: r.pick([0.25, 0.5, 0.75, 1]) };
        const got = fm.ops.lrn(rank3 ? hwc(x) : x, defaults ? undefined : p);
        tf.tidy(() => {
          const want = squeeze3(tf.localResponseNormalization(toTF(x), p.depthRadius, p.bias, p.alpha, p.beta), rank3);
          // A sum of at most W = 2r+1 squares, raised to beta, then a division.
          const window = Math.min(2 * p.depthRadius + 1, shape[3]);
          const tol = want.dataSync().map((v) => 2 * (p.beta * (window + 3) + 4) * U * Math.abs(v));
          assertClose(got, want, tol, `lrn case ${i} ${JSON.stringify({ shape, ...p })}`);
        });
      }
      t.diagnostic(`lrn: ${CASES} random cases vs TF.js`);
    });

    it('concat', (t) => {
      const r = rng(8);
      for (let i = 0; i < CASES; i++) {
        const rank = r.int(1, 4);
        const shape = Array.from({ length: rank }, () => r.int(1, 4));
        const axis = r.int(-rank, rank - 1);
        const a = (axis + rank) % rank;
        const xs = Array.from({ length: r.int(1, 4) }, () => {
          const s = shape.slice();
          s[a] = r.int(1, 5);
          return r.tensor(s);
        });
        const byDefault = a === rank - 1 && r.next() < 0.5;
        const got = fm.ops.concat(xs, byDefault ? undefined : { axis });
        // Copies: exact.
        tf.tidy(() => assertClose(got, tf.concat(xs.map(toTF), axis), 0, `concat case ${i} ${JSON.stringify({ shapes: xs.map((x) => x.shape), axis })}`));
      }
      t.diagnostic(`concat: ${CASES} random cases vs TF.js`);
    });

    it('reads Float32Array views at an offset and leaves inputs unchanged', () => {
      const backing = new Float32Array([9, 9, 1, -2, 3, -4, 9]);
      const x = { shape: [2, 2], data: backing.subarray(2, 6) };
      const w = { shape: [2, 1], data: new Float32Array([1, 10]) };
      const y = fm.ops.dense(x, w);
      assert.deepEqual(Array.from(y.data), [1 * 1 + -2 * 10, 3 * 1 + -4 * 10]);
      assert.deepEqual(Array.from(backing), [9, 9, 1, -2, 3, -4, 9]);
      assert.notEqual(y.data.buffer, backing.buffer);
    });
  });
}
