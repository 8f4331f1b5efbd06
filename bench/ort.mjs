// The network of a featuremap weight file in ONNX Runtime Web (wasm
// execution provider, SIMD build), from the ONNX model of onnx.mjs. The
// caller passes the ort namespace (the npm module in Node, its ES module
// bundle in a browser worker).
import { buildONNX } from './onnx.mjs';

/**
 * buildORT returns { predict(Float32Array) -> Float32Array,
 * predictBatch(Float32Array[]) -> Float32Array[], dispose() } for the
 * layers of readWeightFile, on `threads` wasm threads.
 */
export function buildORT(ort, model, options) {
  return openONNX(ort, buildONNX(model), model.arch.input, options);
}

/**
 * openONNX is buildORT for the bytes of buildONNX's model of a network
 * whose input is [H, W, C] = input. ORT reads its thread count once per
 * process, at the first session.
 */
export async function openONNX(ort, onnx, input, { threads = 1 } = {}) {
  ort.env.wasm.numThreads = threads;
  ort.env.logLevel = 'error';
  const [h, w, c] = input;
  const session = await ort.InferenceSession.create(onnx, {
    executionProviders: ['wasm'],
    graphOptimizationLevel: 'all',
  });
  const run = async (data, n) => {
    const input = new ort.Tensor('float32', data, [n, h, w, c]);
    const { output } = await session.run({ input });
    const d = output.data;
    output.dispose();
    return d;
  };
  return {
    predict: (x) => run(x, 1),
    async predictBatch(xs) {
      const flat = new Float32Array(xs.length * h * w * c);
      xs.forEach((x, i) => flat.set(x, i * x.length));
      const d = await run(flat, xs.length);
      const m = d.length / xs.length;
      return xs.map((_, i) => d.slice(i * m, (i + 1) * m));
    },
    dispose: () => session.release(),
  };
}
