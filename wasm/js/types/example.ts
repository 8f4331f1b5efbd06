// A typed program that uses every function and type of featuremap.d.ts, so
// that `make check` (tsc --noEmit --strict -p wasm/js/types) fails when the
// declarations drift from the API. It is compiled, never run. Lines marked
// with ts-expect-error are misuses the declarations must reject: if one
// stops being an error, tsc reports the unused directive.
import {
  init, MODEL_CACHE, simdSupported, fetchModelFile,
  type Activation, type AsyncOps, type ConcatOptions, type Conv2DOptions, type FeatureMap, type InitOptions,
  type LayerWeights, type LoadOptions, type LoadProgress, type LRNOptions, type Model,
  type ModelInput, type ModelSource, type ModelSummary, type Ops, type Padding, type Pair,
  type Pixels, type PoolOptions, type Prediction, type PredictOptions, type SummaryLayer,
  type Tensor, type TopClass, type WorkerFeatureMap, type WorkerModel,
  type Inspection, type PixelRect, type PreprocessFlag, type PreprocessReport, type Verdict,
} from '../featuremap.js';

const tensor = (shape: number[]): Tensor => ({ shape, data: new Float32Array(shape.reduce((a, b) => a * b, 1)) });

// Every operator, with every option.
function runOps(ops: Ops): Tensor[] {
  const x = tensor([1, 4, 4, 3]);
  const stride: Pair = [1, 1];
  const same: Padding = 'SAME';
  const explicit: Padding = [[1, 1], [0, 2]];
  const conv: Conv2DOptions = { strides: stride, padding: same, dilations: 1, groups: 1, bias: new Float32Array(7) };
  const pool: PoolOptions = { size: 2, strides: [2, 2], padding: explicit };
  const lrn: LRNOptions = { depthRadius: 2, bias: 2, alpha: 1e-4, beta: 0.75 };
  const concat: ConcatOptions = { axis: -1 };
  // @ts-expect-error: concat takes an array of tensors.
  ops.concat(x, x);
  const y = ops.conv2d(x, tensor([3, 3, 3, 7]), conv);
  // @ts-expect-error: padding names are upper case, as in TensorFlow.
  ops.conv2d(x, tensor([3, 3, 3, 7]), { padding: 'same' });
  // @ts-expect-error: pooling needs a window size.
  ops.maxPool(y, {});
  return [
    y,
    ops.conv2d(x, tensor([3, 3, 3, 7])),
    ops.maxPool(y, pool),
    ops.avgPool(y, { size: [3, 3], padding: 'VALID' }),
    ops.dense(tensor([2, 5]), tensor([5, 3]), tensor([3])),
    ops.dense(tensor([2, 5]), tensor([5, 3])),
    ops.relu(y),
    ops.softmax(y),
    ops.lrn(y, lrn),
    ops.lrn(y),
    ops.concat([y, y], concat),
    ops.concat([x]),
  ];
}

// Worker ops: the same arguments, each returning a Promise.
async function runAsyncOps(ops: AsyncOps): Promise<Tensor> {
  const x = tensor([1, 4, 4, 3]);
  // @ts-expect-error: worker ops return Promises.
  const wrong: Tensor = ops.relu(x);
  void wrong;
  const pooled = await ops.avgPool(x, { size: 2 });
  await Promise.all([
    ops.conv2d(x, tensor([1, 1, 3, 2]), { padding: 'VALID' }), ops.maxPool(x, { size: 2 }),
    ops.dense(tensor([1, 2]), tensor([2, 2])), ops.softmax(x), ops.lrn(x, { depthRadius: 1 }),
    ops.concat([x, x], { axis: 0 }),
  ]);
  return pooled;
}

// A layer's parameters: the sizes of every named tensor.
function paramCount(params: LayerWeights): number {
  return params['weight']!.shape.length + Object.values(params).reduce((n, t) => n + t.data.length, 0);
}

// Everything a model offers but weights, which differ in worker mode.
async function useModel(model: Model | WorkerModel, input: ModelInput): Promise<number> {
  const name: string = model.name;
  const labels: readonly string[] = model.labels;
  const shape: readonly number[] = model.inputShape;
  const summary: ModelSummary = model.summary();
  const first: SummaryLayer = summary.layers[0]!;
  const options: PredictOptions = { topK: 3 };
  const prediction: Prediction = await model.predict(input, options);
  const best: TopClass = prediction.top[0]!;
  const activations: Activation[] = await model.activations(input);
  const batch: Prediction[] = await model.predictBatch([input, input], options);
  const seen: Inspection = await model.inspect(input, options);
  const looked = inspectionSize(seen);
  // @ts-expect-error: inspect's options are predict's.
  await model.inspect(input, { report: true });
  // @ts-expect-error: predictBatch takes an array of inputs.
  await model.predictBatch(input);
  // @ts-expect-error: a string is not an input.
  await model.predict('seven.png');
  // @ts-expect-error: the model's name is read-only.
  model.name = 'renamed';
  model.dispose();
  return name.length + labels.length + shape[0]! + first.params + summary.totalParams + summary.weights +
    summary.biases + best.index + best.label.length + best.p + prediction.probs[0]! + batch.length +
    activations.reduce((n, a) => n + a.name.length + a.type.length + a.shape.length + a.data.length, 0) +
    first.weights + first.biases + first.outputShape.length + first.name.length + first.type.length + looked;
}

// What model.inspect says: every field of the input, report and verdict.
function inspectionSize(seen: Inspection): number {
  const prediction: Prediction = seen;
  const input: Tensor = seen.input;
  let n = prediction.probs.length + seen.top.length + input.shape.length + input.data.length;
  const report: PreprocessReport | null = seen.report;
  if (report !== null) {
    const boxes: PixelRect[] = [report.content, report.ink];
    const flags: PreprocessFlag[] = report.flags;
    n += report.width + report.height + report.contrast + report.cell + report.components + report.kept +
      report.specks + report.border + report.apart + Number(report.lightPaper) + flags.length +
      boxes.reduce((m, b) => m + b.x0 + b.y0 + b.x1 + b.y1, 0);
    // @ts-expect-error: flags are the findings' names.
    const wrong: PreprocessFlag = 'smudge';
    void wrong;
  }
  const verdict: Verdict | null = seen.verdict;
  if (verdict !== null) {
    n += Number(verdict.digit) + verdict.reasons.length + verdict.index + verdict.label.length + verdict.p +
      verdict.margin + verdict.entropy + verdict.minMargin;
  }
  return n;
}

async function main(): Promise<void> {
  const fm: FeatureMap = await init({ wasmURL: new URL('../featuremap.wasm', import.meta.url), simd: 'auto' });
  const fmDefault: FeatureMap = await init();
  const fmPortable: FeatureMap = await init({ simd: false, worker: false });
  const compiling = WebAssembly.compileStreaming(fetch(simdSupported() ? 'featuremap.simd.wasm' : 'featuremap.wasm'));
  const fmCompiled: WorkerFeatureMap = await init({ module: compiling, worker: true });
  const fmLocal: FeatureMap = await init({ module: await compiling });
  void fmCompiled, fmLocal;
  const options: InitOptions = { worker: Math.random() < 0.5 };
  const either: FeatureMap | WorkerFeatureMap = await init(options);
  // @ts-expect-error: with options of unknown worker, init may give a worker.
  const notSure: FeatureMap = await init(options);
  void notSure;
  // @ts-expect-error: simd is 'auto' or a boolean.
  await init({ simd: 'yes' });
  // @ts-expect-error: only a worker can be terminated.
  fm.terminate();
  const version: string = fm.version;
  const simd: boolean = fm.simd;
  const bytes: number = fm.memoryBytes() + fmDefault.memoryBytes() + fmPortable.memoryBytes();
  const results = runOps(fm.ops);

  const progress: LoadProgress[] = [];
  const load: LoadOptions = { onProgress: (p: LoadProgress) => progress.push({ loaded: p.loaded, total: p.total ?? p.loaded }), cache: true };
  const sources: ModelSource[] = ['models/seednet.safetensors', new URL('https://example.com/m.safetensors'), new ArrayBuffer(8), new Uint8Array(8)];
  const model = await fm.loadModel(sources[0]!, load);
  const pixels: Pixels = { width: 28, height: 28, data: new Uint8ClampedArray(28 * 28 * 4) };
  const canvas = document.createElement('canvas');
  const inputs: ModelInput[] = [
    tensor([28, 28, 1]), new Float32Array(784), pixels, new ImageData(28, 28), canvas,
    new OffscreenCanvas(28, 28), new Image(), document.createElement('video'), await createImageBitmap(canvas),
  ];
  let total = 0;
  for (const input of inputs) {
    total += await useModel(model, input);
  }
  total += paramCount(model.weights('conv1'));
  // @ts-expect-error: the layer is named by a string.
  model.weights(0);

  const worker: WorkerFeatureMap = await init({ worker: true, simd: true, wasmURL: 'featuremap.simd.wasm' });
  const workerBytes: number = await worker.memoryBytes();
  const pooled = await runAsyncOps(worker.ops);
  const file: Uint8Array = await fetchModelFile(new URL('models/seednet.safetensors', import.meta.url), { cache: true, onProgress: (p) => progress.push(p) });
  // @ts-expect-error: fetchModelFile takes only cache and onProgress.
  void fetchModelFile('models/seednet.safetensors', { workers: 2 });
  const remote = await worker.loadModel(file);
  total += await useModel(remote, pixels);
  total += paramCount(await remote.weights('fc'));
  // @ts-expect-error: a worker model's weights are a Promise.
  paramCount(remote.weights('conv1'));
  worker.terminate();
  if ('terminate' in either) {
    either.terminate();
  }
  const cache: 'featuremap-models-v1' = MODEL_CACHE;
  console.log(version, simd, bytes, workerBytes, results.length, pooled.shape, progress.length, total, cache, await caches.has(MODEL_CACHE));
}

void main();
