// Bad arguments: every one throws an Error naming the argument, and the
// instance keeps working afterwards. Also init()'s options.
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { distPath, loadModule } from '../testing/reference.mjs';

const { init } = await loadModule();

const t = (shape, data = new Float32Array(shape.reduce((p, n) => p * n, 1)).fill(1)) => ({ shape, data });
const x = t([1, 4, 4, 3]);
const f = t([3, 3, 3, 8]);

// [call, message pattern]: the pattern names the argument and what was expected.
const cases = [
  [(o) => o.conv2d(undefined, f), /^conv2d: x must be a tensor \{ shape, data: Float32Array \}, got undefined$/],
  [(o) => o.conv2d({ shape: [1, 4, 4, 3], data: [1, 2] }, f), /^conv2d: x\.data must be a Float32Array, got \[1, 2\]$/],
  [(o) => o.conv2d({ shape: [1, 4, 4, 3], data: new Float64Array(48) }, f), /^conv2d: x\.data must be a Float32Array, got Float64Array\(48\)$/], // elements, not bytes
  [(o) => o.conv2d(t([1, 4, 4, 3], new Float32Array(47)), f), /^conv2d: x\.data has 47 elements but x\.shape \[1, 4, 4, 3\] needs 48$/],
  [(o) => o.conv2d({ shape: [1, 0, 4, 3], data: new Float32Array(0) }, f), /^conv2d: x\.shape must be an array of positive integers, got \[1, 0, 4, 3\]$/],
  [(o) => o.conv2d({ shape: 'NHWC', data: x.data }, f), /^conv2d: x\.shape must be an array of positive integers, got 'NHWC'$/],
  [(o) => o.conv2d({ shape: [1e5, 1e5, 1e5, 3], data: x.data }, f), /^conv2d: x\.shape \[100000, 100000, 100000, 3\] has more than \d+ elements$/],
  [(o) => o.conv2d(t([16, 3]), f), /^conv2d: x\.shape must be \[N, H, W, C\] or \[H, W, C\], got \[16, 3\]$/],
  [(o) => o.conv2d(x, t([3, 3, 8])), /^conv2d: filter\.shape must be \[KH, KW, C\/groups, OC\], got \[3, 3, 8\]$/],
  [(o) => o.conv2d(x, t([3, 3, 4, 8])), /^conv2d: filter\.shape \[3, 3, 4, 8\] needs x with 4 channels, got 3 \(x\.shape \[1, 4, 4, 3\]\)$/],
  [(o) => o.conv2d(t([1, 4, 4, 6]), t([3, 3, 2, 8]), { groups: 2 }), /^conv2d: filter\.shape \[3, 3, 2, 8\] with groups = 2 needs x with 4 channels, got 6/],
  [(o) => o.conv2d(t([1, 4, 4, 9]), t([3, 3, 3, 8]), { groups: 3 }), /^conv2d: groups = 3 must divide the filter's 8 output channels/],
  [(o) => o.conv2d(x, f, { groups: 0 }), /^conv2d: groups must be a positive integer, got 0$/],
  [(o) => o.conv2d(x, f, { strides: [0, 1] }), /^conv2d: strides must be a positive integer or \[sh, sw\], got \[0, 1\]$/],
  [(o) => o.conv2d(x, f, { strides: [1, 1, 1, 1] }), /^conv2d: strides must be a positive integer or \[sh, sw\], got \[1, 1, 1, 1\]$/],
  [(o) => o.conv2d(x, f, { dilations: 1.5 }), /^conv2d: dilations must be a positive integer or \[dh, dw\], got 1\.5$/],
  [(o) => o.conv2d(x, f, { padding: 'same' }), /^conv2d: padding must be 'SAME', 'VALID' or \[\[top, bottom\], \[left, right\]\] with non-negative integers, got 'same'$/],
  [(o) => o.conv2d(x, f, { padding: [[1, -1], [0, 0]] }), /^conv2d: padding must be .*got \[\[1, -1\], \[0, 0\]\]$/],
  [(o) => o.conv2d(x, f, { padding: [1, 1] }), /^conv2d: padding must be .*got \[1, 1\]$/],
  [(o) => o.conv2d(x, f, { bias: new Float32Array(7) }), /^conv2d: bias must be a Float32Array of length 8 \(one per output channel\) or a tensor of shape \[8\], got Float32Array\(7\)$/],
  [(o) => o.conv2d(x, f, { bias: t([2, 4]) }), /^conv2d: bias\.shape must be \[8\] \(one per output channel\), got \[2, 4\]$/],
  [(o) => o.conv2d(x, f, { stride: 2 }), /^conv2d: unknown option 'stride' \(known: strides, padding, dilations, groups, bias\)$/],
  [(o) => o.conv2d(x, f, 'SAME'), /^conv2d: options must be an object, got 'SAME'$/],
  [(o) => o.conv2d(x, f, { dilations: 2 }), /^conv2d: output is empty: the 3×3 filter with dilations \[2, 2\] does not fit x's 4×4 plane with padding 'VALID'$/],
  [(o) => o.maxPool(x), /^maxPool: size is required: a positive integer or \[kh, kw\]$/],
  [(o) => o.maxPool(x, { size: [2, 0] }), /^maxPool: size must be a positive integer or \[kh, kw\], got \[2, 0\]$/],
  [(o) => o.maxPool(x, { size: 2, padding: [[2, 0], [0, 0]] }), /^maxPool: padding \[\[2, 0\], \[0, 0\]\] must be smaller than size \[2, 2\]/],
  [(o) => o.maxPool(x, { size: 5 }), /^maxPool: output is empty: the 5×5 window does not fit x's 4×4 plane with padding 'VALID'$/],
  [(o) => o.avgPool(x, { size: 2, strides: 'x' }), /^avgPool: strides must be a positive integer or \[sh, sw\], got 'x'$/],
  [(o) => o.avgPool(x, { size: 2, pad: 'SAME' }), /^avgPool: unknown option 'pad'/],
  [(o) => o.dense(t([2, 5]), t([4, 3])), /^dense: w\.shape \[4, 3\] needs x with 4 features \(x\.shape \[N, 4\]\), got x\.shape \[2, 5\]$/],
  [(o) => o.dense(t([2, 2, 2]), t([4, 3])), /^dense: x\.shape must be \[N, K\], got \[2, 2, 2\]$/],
  [(o) => o.dense(t([2, 4]), t([4])), /^dense: w\.shape must be \[K, M\], got \[4\]$/],
  [(o) => o.dense(t([2, 4]), t([4, 3]), new Float32Array(4)), /^dense: bias must be a Float32Array of length 3/],
  [(o) => o.relu(null), /^relu: x must be a tensor \{ shape, data: Float32Array \}, got undefined$/],
  [(o) => o.relu({ shape: [4], data: new Int32Array(4) }), /^relu: x\.data must be a Float32Array, got Int32Array\(4\)$/],
  [(o) => o.relu(() => 1), /^relu: x must be a tensor .*, got function$/],
  [(o) => o.relu(10n), /^relu: x must be a tensor .*, got bigint$/],
  [(o) => o.relu({ shape: [4], data: new ArrayBuffer(16) }), /^relu: x\.data must be a Float32Array, got ArrayBuffer\(16\)$/],
  // User code runs before the engine reads anything: its exception passes through.
  [(o) => o.relu({ get shape() { throw new Error('boom'); } }), /^boom$/],
  [(o) => { const c = { shape: [4], data: [] }; c.data = c; return o.relu(c); }, /^relu: x\.data must be a Float32Array, got \{data: \{data: /],
  [(o) => o.softmax(t([])), /^softmax: x\.shape must have at least one axis, got \[\]$/],
  [(o) => o.lrn(x, { depthRadius: -1 }), /^lrn: depthRadius must be a non-negative integer, got -1$/],
  [(o) => o.lrn(x, { alpha: NaN }), /^lrn: alpha must be a finite number, got NaN$/],
  [(o) => o.lrn(x, { beta: '0.5' }), /^lrn: beta must be a finite number, got '0\.5'$/],
  [(o) => o.lrn(x, { radius: 2 }), /^lrn: unknown option 'radius' \(known: depthRadius, bias, alpha, beta\)$/],
  [(o) => o.concat(x), /^concat: tensors must be a non-empty array of tensors, got \{/],
  [(o) => o.concat([x, t([1, 4, 5, 2])]), /^concat: tensors\[1\]\.shape \[1, 4, 5, 2\] must match tensors\[0\]\.shape \[1, 4, 4, 3\] on every axis but axis 3$/],
  [(o) => o.concat([x, x], { axis: 4 }), /^concat: axis must be an integer in \[-4, 3\] for tensors of rank 4, got 4$/],
  // Options are own properties: a "__proto__" key (JSON.parse makes one) is an unknown option.
  [(o) => o.conv2d(x, f, JSON.parse('{"__proto__": {"strides": 2}}')), /^conv2d: unknown option '__proto__' \(known: strides, padding, dilations, groups, bias\)$/],
  [(o) => o.maxPool(x, JSON.parse('{"size": 2, "__proto__": {"strides": 1}}')), /^maxPool: unknown option '__proto__' \(known: size, strides, padding\)$/],
  [(o) => o.lrn(x, JSON.parse('{"__proto__": {"depthRadius": 1}}')), /^lrn: unknown option '__proto__' \(known: depthRadius, bias, alpha, beta\)$/],
  [(o) => o.dense(t([2, 4]), t([4, 3]), new Float64Array(3)), /^dense: bias must be a Float32Array of length 3 .*got Float64Array\(3\)$/],
];

for (const simd of [false, true]) {
  describe(`bad arguments, simd: ${simd}`, () => {
    let fm;
    before(async () => {
      fm = await init({ simd });
    });

    it('each throws an Error naming the argument; the next call works', (tc) => {
      for (const [call, pattern] of cases) {
        assert.throws(() => call(fm.ops), (err) => {
          assert.ok(err instanceof Error, `${pattern}: threw ${err}, not an Error`);
          assert.match(err.message, pattern);
          return true;
        });
        // The instance keeps working: a 1×1 convolution with a known answer.
        const y = fm.ops.conv2d(t([1, 1, 2, 1], new Float32Array([2, 3])), t([1, 1, 1, 1], new Float32Array([4])));
        assert.deepEqual(Array.from(y.data), [8, 12]);
      }
      tc.diagnostic(`${cases.length} bad-argument cases`);
    });
  });
}

describe('init', () => {
  it('rejects bad options with an Error naming them', async () => {
    await assert.rejects(init({ simd: 'yes' }), /^Error: init: simd must be 'auto', true or false, got "yes"$/);
    await assert.rejects(init({ worker: 'yes' }), /^Error: init: worker must be a boolean, got yes$/);
    await assert.rejects(init({ workers: 1 }), /^Error: init: unknown option 'workers' \(known: wasmURL, simd, worker, module\)$/);
    await assert.rejects(init({ wasmURL: 42 }), /^Error: init: wasmURL must be a string or a URL, got 42$/);
    await assert.rejects(init(null), /^Error: init: options must be an object, got null$/);
    await assert.rejects(init({ wasmURL: `${distPath}missing.wasm` }), /^Error: init: cannot load the engine file:.*missing\.wasm: ENOENT/);
  });

  it('checks that wasmURL is the build simd asks for', async () => {
    const portable = `${distPath}featuremap.wasm`;
    await assert.rejects(init({ wasmURL: portable, simd: true }), /^Error: init: simd: true, but .*featuremap\.wasm is the portable build$/);
    const fm = await init({ wasmURL: new URL(`file://${portable}`) });
    assert.equal(fm.simd, false);
  });

  it("picks the SIMD build by default where SIMD is supported (Node ≥ 20 has it)", async () => {
    const fm = await init();
    assert.equal(fm.simd, true);
  });
});
