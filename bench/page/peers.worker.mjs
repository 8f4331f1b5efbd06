// A module worker running one peer, TF.js (wasm backend) or ORT-web (wasm),
// on a featuremap weight file, for page.mjs: it answers { id, load: {
// engine, url } } and { id, predict: Float32Array } with { id, result } or
// { id, error }. The models are built by the same code as in Node
// (bench/tfjs.mjs, bench/onnx.mjs), from the packages' browser bundles.
import { buildORT } from './bench/ort.mjs';
import { buildTF } from './bench/tfjs.mjs';
import { readWeightFile } from './bench/weights.mjs';

let model;

async function load(engine, url) {
  const parsed = readWeightFile(new Uint8Array(await (await fetch(url)).arrayBuffer()));
  if (engine === 'tfjs') {
    await import('./tfjs/tf-core.min.js'); // UMD bundles: they set globalThis.tf
    await import('./tfjs/tf-backend-wasm.min.js');
    const { tf } = globalThis;
    tf.wasm.setWasmPaths(new URL('tfjs/', import.meta.url).href);
    tf.wasm.setThreadsCount(1);
    if (!(await tf.setBackend('wasm'))) {
      throw new Error('the TF.js wasm backend failed to initialise');
    }
    model = buildTF(tf, parsed);
  } else {
    const ort = await import('./ort/ort.wasm.min.mjs');
    ort.env.wasm.wasmPaths = new URL('ort/', import.meta.url).href;
    model = await buildORT(ort, parsed);
  }
}

onmessage = async ({ data: { id, load: what, predict } }) => {
  try {
    const result = what ? await load(what.engine, what.url) : await model.predict(predict);
    postMessage({ id, result });
  } catch (err) {
    postMessage({ id, error: String(err?.stack ?? err) });
  }
};
