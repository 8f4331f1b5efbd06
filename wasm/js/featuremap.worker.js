// featuremap.worker.js: the module worker behind init({ worker: true }) (a
// Web Worker in browsers, a worker_threads Worker in Node). It runs an
// engine with featuremap.js in this thread and answers the main thread's
// messages { id, method, args } with { id, ok: true, value } or
// { id, ok: false, message }, transferring the result buffers. It is a file
// next to featuremap.js, not a blob: URL, so that it loads under the site's
// Content-Security-Policy.
import { init, EngineStoppedError, loadWorkerModel, predictChunk } from './featuremap.js';

// port is where messages come from and go to: the worker's global scope in
// browsers, worker_threads' parentPort in Node.
const port = typeof WorkerGlobalScope === 'function'
  ? { post: (msg, transfer) => globalThis.postMessage(msg, transfer), listen: (fn) => globalThis.addEventListener('message', (e) => fn(e.data)) }
  : await (async () => {
    const { parentPort } = await import('node:worker_threads');
    return { post: (msg, transfer) => parentPort.postMessage(msg, transfer), listen: (fn) => parentPort.on('message', fn) };
  })();

let fm;
// models maps the handles this worker gave out to its model objects; a
// disposed model stays, so that using it reports "model is disposed".
const models = new Map();

// model returns the model with handle h.
function model(op, h) {
  const m = models.get(h);
  if (m === undefined) {
    throw new Error(`${op}: no model has handle ${h}`);
  }
  return m;
}

// Each method returns [value, buffers to transfer].
const methods = {
  async init([options]) {
    fm = await init(options);
    return [{ version: fm.version, simd: fm.simd }, []];
  },
  op([name, ...args]) {
    const y = fm.ops[name](...args);
    return [y, [y.data.buffer]];
  },
  async loadModel([bytes, weights]) {
    const m = await loadWorkerModel(fm, bytes, weights);
    const handle = models.size + 1;
    models.set(handle, m);
    const info = { handle, name: m.name, labels: m.labels, inputShape: m.inputShape, summary: m.summary() };
    return [info, []];
  },
  async predict([handle, input, options]) {
    const y = await model('predict', handle).predict(input, options);
    return [y, [y.probs.buffer]];
  },
  // A chunk of a predictBatch call (featuremap.js's pool): inputs from
  // number offset on.
  async predictChunk([handle, inputs, options, offset]) {
    const ys = await predictChunk(model('predictBatch', handle), inputs, options, offset);
    return [ys, ys.map((y) => y.probs.buffer)];
  },
  async inspect([handle, input, options]) {
    const y = await model('inspect', handle).inspect(input, options);
    return [y, [y.probs.buffer, y.input.data.buffer]];
  },
  async activations([handle, input]) {
    const acts = await model('activations', handle).activations(input);
    return [acts, acts.map((a) => a.data.buffer)];
  },
  weights([handle, layerName]) {
    const params = model('weights', handle).weights(layerName);
    return [params, Object.values(params).map((t) => t.data.buffer)];
  },
  dispose([handle]) {
    model('dispose', handle).dispose();
    return [undefined, []];
  },
  memoryBytes() {
    return [fm.memoryBytes(), []];
  },
};

// Calls run one at a time, in order, as they would in the main thread. An
// EngineStoppedError is flagged (engineStopped): the main thread then
// rejects every call and ends this worker.
let queue = Promise.resolve();
port.listen(({ id, method, args }) => {
  queue = queue.then(async () => {
    try {
      const [value, transfer] = await methods[method](args);
      port.post({ id, ok: true, value }, transfer);
    } catch (err) {
      port.post({ id, ok: false, message: err instanceof Error ? err.message : String(err), engineStopped: err instanceof EngineStoppedError });
    }
  });
});
