// The three engines in Node behind one interface: open(engine, bytes,
// options) resolves to { predict, predictBatch, pool?, dispose } (see
// buildFM, buildTF, buildORT), all built from the same featuremap weight
// file. The peers' packages load only when asked for.
import { fileURLToPath } from 'node:url';
import { buildFM } from './featuremap.mjs';
import { buildORT, openONNX } from './ort.mjs';
import { buildTF } from './tfjs.mjs';
import { readHeader, readWeightFile } from './weights.mjs';

/** The engines, in the order the tables list them. */
export const ENGINES = ['featuremap', 'tfjs', 'ort'];

let tfReady;

/** loadTF returns tfjs-core on the wasm backend, one thread (set up once). */
export function loadTF() {
  tfReady ??= (async () => {
    const tf = await import('@tensorflow/tfjs-core');
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    wasm.setWasmPaths(fileURLToPath(new URL('node_modules/@tensorflow/tfjs-backend-wasm/dist/', import.meta.url)));
    wasm.setThreadsCount(1);
    if (!(await tf.setBackend('wasm'))) {
      throw new Error('bench: the TF.js wasm backend failed to initialise');
    }
    return tf;
  })();
  return tfReady;
}

/** loadORT returns onnxruntime-web. */
export const loadORT = () => import('onnxruntime-web');

/**
 * open builds engine's model of the weight file bytes. With onnx (the bytes
 * of buildONNX's model of the same file), ORT loads that instead, as its
 * users load an .onnx file: without the float32 weights and the encoding
 * in this process.
 */
export async function open(engine, bytes, { threads = 1, onnx } = {}) {
  switch (engine) {
    case 'featuremap':
      return buildFM(bytes);
    case 'tfjs':
      return buildTF(await loadTF(), readWeightFile(bytes));
    case 'ort':
      return onnx
        ? openONNX(await loadORT(), onnx, readHeader(bytes).arch.input, { threads })
        : buildORT(await loadORT(), readWeightFile(bytes), { threads });
  }
  throw new Error(`bench: unknown engine ${JSON.stringify(engine)} (known: ${ENGINES.join(', ')})`);
}
