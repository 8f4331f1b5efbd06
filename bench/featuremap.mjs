// featuremap itself, through its public JS API (design.md, "JS API
// contract") from the built engine dist/featuremap/ (`make build`).
const dist = new URL('../dist/featuremap/', import.meta.url);

let engine;

/** initFM starts the engine once per process (the SIMD build where it runs). */
export function initFM() {
  engine ??= import(new URL('featuremap.js', dist).href).then(({ init }) => init({ simd: 'auto' }));
  return engine;
}

/**
 * buildFM returns { predict(Float32Array) -> Float32Array,
 * predictBatch(Float32Array[]) -> Float32Array[], pool, dispose(), build }
 * for a weight file's bytes. predictBatch runs the images one after another
 * in this thread; pool is model.predictBatch (the engine's worker pool on
 * all cores) when the API has it, else null.
 */
export async function buildFM(bytes) {
  const fm = await initFM();
  const model = await fm.loadModel(bytes);
  const predict = async (x) => (await model.predict(x)).probs;
  return {
    build: `${fm.version}, ${fm.simd ? 'SIMD' : 'portable (no SIMD)'} build`,
    predict,
    async predictBatch(xs) {
      const out = [];
      for (const x of xs) {
        out.push(await predict(x));
      }
      return out;
    },
    pool: typeof model.predictBatch === 'function'
      ? async (xs) => (await model.predictBatch(xs)).map((r) => r.probs ?? r)
      : null,
    dispose: () => model.dispose(),
  };
}
