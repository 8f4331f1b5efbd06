// The page bench/browser.mjs opens in headless Chromium: featuremap in a
// Web Worker, as the demo runs it (init({ worker: true })), and each peer in
// a module worker of its own (peers.worker.mjs), so every engine's time
// includes one worker round trip. window.benchModel(url, size, rounds,
// calls) times single-image predictions (inputs of size values) on the
// weight file at url: the time to the first result, then `rounds` rounds
// of `calls` calls per engine in rotating order.
import { init } from './featuremap/featuremap.js';

const fm = await init({ worker: true });

// peer starts peers.worker.mjs; call(message) resolves with its result.
function peer() {
  const worker = new Worker(new URL('peers.worker.mjs', import.meta.url), { type: 'module' });
  const pending = new Map();
  let next = 0;
  worker.onmessage = ({ data: { id, result, error } }) => {
    const { resolve, reject } = pending.get(id);
    pending.delete(id);
    if (error === undefined) resolve(result); else reject(new Error(error));
  };
  worker.onerror = (e) => pending.forEach(({ reject }) => reject(new Error(`peers.worker.mjs: ${e.message}`)));
  const call = (msg) => new Promise((resolve, reject) => {
    const id = next++;
    pending.set(id, { resolve, reject });
    worker.postMessage({ id, ...msg });
  });
  return { call, stop: () => worker.terminate() };
}

const ENGINES = ['featuremap', 'tfjs', 'ort'];

// open loads the weight file at url in engine's worker: { predict(x), stop() }.
async function open(engine, url) {
  if (engine === 'featuremap') {
    const model = await fm.loadModel(url);
    return { predict: (x) => model.predict(x), stop: () => model.dispose() };
  }
  const p = peer();
  await p.call({ load: { engine, url } });
  return { predict: (x) => p.call({ predict: x }), stop: p.stop };
}

window.benchModel = async (url, size, rounds, calls) => {
  const x = Float32Array.from({ length: size }, (_, i) => ((i * 2654435761) % 256) / 255); // pixels in [0, 1]
  const engines = {};
  const first = {};
  for (const e of ENGINES) {
    const t0 = performance.now();
    engines[e] = await open(e, url);
    await engines[e].predict(x);
    first[e] = performance.now() - t0;
  }
  const samples = Object.fromEntries(ENGINES.map((e) => [e, []]));
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < ENGINES.length; i++) {
      const e = ENGINES[(i + r) % ENGINES.length];
      for (let c = 0; c < calls; c++) {
        const t = performance.now();
        await engines[e].predict(x);
        samples[e].push(performance.now() - t);
      }
    }
  }
  ENGINES.forEach((e) => engines[e].stop());
  return { first, samples, simd: fm.simd };
};
