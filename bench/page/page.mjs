// The page bench/browser.mjs opens in headless Chromium: featuremap in a
// Web Worker, as the demo runs it. window.benchModel(url, calls) loads the
// weight file at url and times `calls` single-image predictions after the
// first.
import { init } from './featuremap/featuremap.js';

const fm = await init({ worker: true });

window.benchModel = async (url, calls) => {
  const t0 = performance.now();
  const model = await fm.loadModel(url);
  const [h, w, c] = model.inputShape;
  const x = new Float32Array(h * w * c);
  for (let i = 0; i < x.length; i++) {
    x[i] = ((i * 2654435761) % 256) / 255; // deterministic pixels in [0, 1]
  }
  await model.predict(x);
  const first = performance.now() - t0;
  const samples = [];
  for (let i = 0; i < calls; i++) {
    const t = performance.now();
    await model.predict(x);
    samples.push(performance.now() - t);
  }
  model.dispose();
  return { first, samples, simd: fm.simd };
};
