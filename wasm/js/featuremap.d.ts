// TypeScript declarations for featuremap.js (design.md, "JS API contract").

/** A row-major tensor; images are NHWC. data.length is the product of shape. */
export interface Tensor {
  shape: number[];
  data: Float32Array;
}

/** A single number means the same value for both spatial dimensions. */
export type Pair = number | [number, number];

/**
 * TensorFlow padding: 'SAME' (out = ceil(in / stride), the odd extra cell
 * after), 'VALID' (none), or explicit cells [[top, bottom], [left, right]].
 */
export type Padding = 'SAME' | 'VALID' | [[number, number], [number, number]];

export interface InitOptions {
  /**
   * URL of the engine file to load (a relative string resolves against the
   * page, or the current directory in Node). Default: featuremap.simd.wasm or
   * featuremap.wasm next to featuremap.js, as `simd` decides.
   */
  wasmURL?: string | URL;
  /** Which build: 'auto' (default) uses SIMD where the runtime supports it. */
  simd?: 'auto' | boolean;
  /**
   * Run the engine in a module Web Worker (featuremap.worker.js, next to
   * featuremap.js; in Node a worker_threads Worker) so that inference never
   * blocks this thread. init then resolves to a WorkerFeatureMap, whose ops
   * return Promises. Default false.
   */
  worker?: boolean;
  /**
   * A compiled module (or a promise of one) to run instead of fetching
   * wasmURL: featuremap.wasm, featuremap.simd.wasm or a program that links
   * the engine (such as the site's app.wasm). With worker: true it is posted
   * to the worker, which then neither downloads nor compiles anything, and
   * which starts loading its scripts while a promised module compiles. Not
   * with wasmURL.
   */
  module?: WebAssembly.Module | PromiseLike<WebAssembly.Module>;
}

export interface Conv2DOptions {
  /** Default 1. */
  strides?: Pair;
  /** Default 'VALID'. */
  padding?: Padding;
  /** Default 1. */
  dilations?: Pair;
  /** Grouped convolution: C and OC split into equal parts. Default 1. */
  groups?: number;
  /** One value per output channel. */
  bias?: Float32Array | Tensor;
}

export interface PoolOptions {
  /** Window [kh, kw]. Required. */
  size: Pair;
  /** Default: size. */
  strides?: Pair;
  /** Default 'VALID'. Explicit padding must be smaller than the window. */
  padding?: Padding;
}

/** tf.nn.local_response_normalization's arguments and defaults. */
export interface LRNOptions {
  /** Default 5. */
  depthRadius?: number;
  /** Default 1. */
  bias?: number;
  /** Default 1 (per element, as TensorFlow; ONNX/Caffe divide by 2r+1). */
  alpha?: number;
  /** Default 0.5. */
  beta?: number;
}

export interface ConcatOptions {
  /** The axis to join along; negative values count from the end. Default -1, the last. */
  axis?: number;
}

/**
 * TensorFlow-semantics operators. Each returns a new tensor; each throws an
 * Error naming the bad argument, after which the instance keeps working.
 */
export interface Ops {
  /** tf.nn.conv2d: x [N, H, W, C] or [H, W, C], filter [KH, KW, C/groups, OC]. */
  conv2d(x: Tensor, filter: Tensor, options?: Conv2DOptions): Tensor;
  /** tf.nn.max_pool over x [N, H, W, C] or [H, W, C]; padding cells never win. */
  maxPool(x: Tensor, options: PoolOptions): Tensor;
  /** tf.nn.avg_pool; the mean over the real (non-padding) cells. */
  avgPool(x: Tensor, options: PoolOptions): Tensor;
  /** x [N, K] times w [K, M], plus bias [M]. */
  dense(x: Tensor, w: Tensor, bias?: Float32Array | Tensor): Tensor;
  /** max(x, 0), elementwise. */
  relu(x: Tensor): Tensor;
  /** Softmax over the last axis. */
  softmax(x: Tensor): Tensor;
  /** Local response normalization over the last axis. */
  lrn(x: Tensor, options?: LRNOptions): Tensor;
  /** tf.concat: tensors of one rank that agree on every axis but options.axis, joined along it. */
  concat(tensors: Tensor[], options?: ConcatOptions): Tensor;
}

/** Ops in worker mode: the same functions, each returning a Promise. */
export type AsyncOps = {
  [K in keyof Ops]: (...args: Parameters<Ops[K]>) => Promise<ReturnType<Ops[K]>>;
};

export interface LoadProgress {
  /** Bytes received so far. */
  loaded: number;
  /**
   * The file's size, or undefined while unknown (no Content-Length; or a
   * compressed transfer without X-Decoded-Content-Length, which
   * tools/serve sends). The last call has total === loaded.
   */
  total?: number;
}

export interface LoadOptions {
  /** Called as the file arrives, and once more when it is complete. */
  onProgress?: (progress: LoadProgress) => void;
  /**
   * Keep the file in the Cache API cache MODEL_CACHE, keyed by its URL, and
   * load it from there next time without touching the network. Version a
   * model's URL when its content changes. Ignored where there is no Cache
   * API (Node) and for bytes. Default false.
   */
  cache?: boolean;
  /**
   * The weight files of a TensorFlow.js model.json given as bytes, by the
   * paths its weightsManifest lists ('group1-shard1of2.bin': bytes, …).
   * Without it a model.json loaded by URL fetches them beside itself.
   */
  weights?: Record<string, Uint8Array | ArrayBuffer>;
  /**
   * The number of engine workers (Web Workers; worker_threads in Node) that
   * Model.predictBatch spreads batches over, from 1 to 64. Default: the
   * number of cores (navigator.hardwareConcurrency,
   * os.availableParallelism()), at most 8.
   */
  workers?: number;
}

/**
 * A featuremap weight file, an ONNX model (.onnx) or a TensorFlow.js layers
 * model.json (told apart by content, not by name) is loaded from a URL (a string resolves against the page;
 * in Node a string without a scheme is a file path, and file: URLs are
 * read from disk) or from its bytes. ONNX and TensorFlow.js models are
 * converted first by featuremap.convert.wasm, fetched from beside the
 * engine's .wasm file the first time a model needs it.
 */
export type ModelSource = string | URL | ArrayBuffer | Uint8Array;

/**
 * RGBA pixels, as ImageData has them (non-premultiplied, row-major);
 * data.length === width * height * 4.
 */
export interface Pixels {
  width: number;
  height: number;
  data: Uint8ClampedArray | Uint8Array;
}

/**
 * A model input: one example as a Tensor of shape inputShape or
 * [1, ...inputShape], or a Float32Array of inputShape's product (both used
 * as they are), or an image, preprocessed as the weight file says (MNIST
 * digit normalisation, or a bilinear resize with scale/mean/std). Browser
 * images are drawn to a canvas to read their pixels; an <img> is awaited
 * until decoded; cross-origin images need CORS.
 */
export type ModelInput =
  | Tensor
  | Float32Array
  | Pixels
  | ImageData
  | HTMLCanvasElement
  | OffscreenCanvas
  | HTMLImageElement
  | HTMLVideoElement
  | ImageBitmap;

/** One row of Model.summary(), like Keras' model.summary(). */
export interface SummaryLayer {
  name: string;
  type: string;
  /** Without the batch dimension. */
  outputShape: number[];
  weights: number;
  biases: number;
  /** weights + biases */
  params: number;
}

export interface ModelSummary {
  name: string;
  /** [H, W, C] */
  inputShape: number[];
  layers: SummaryLayer[];
  weights: number;
  biases: number;
  totalParams: number;
}

export interface TopClass {
  index: number;
  /** labels[index], or '' when the model has no labels. */
  label: string;
  /** probs[index] */
  p: number;
}

export interface Prediction {
  /** The last layer's output: class probabilities for a softmax model. */
  probs: Float32Array;
  /** The topK largest, largest first (ties in index order). */
  top: TopClass[];
}

export interface PredictOptions {
  /** How many classes `top` lists. Default 5. */
  topK?: number;
}

/**
 * One layer's output, or (the first of activations(), name and type
 * 'input') the network's input: the image after preprocessing.
 */
export interface Activation {
  name: string;
  type: string;
  /** [1, H, W, C] or [1, K]: the summary's outputShape (the input: inputShape) with the batch. */
  shape: number[];
  data: Float32Array;
}

/** A rectangle of image pixels [x0, x1) × [y0, y1), (0, 0) the top-left pixel. */
export interface PixelRect {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

/**
 * A finding of MNIST preprocessing. 'blank', 'dot', 'line' and 'several'
 * mean the image does not look like one digit; 'letterbox',
 * 'uneven-light' and 'dropped' say what was cleaned away.
 */
export type PreprocessFlag = 'blank' | 'letterbox' | 'uneven-light' | 'dropped' | 'dot' | 'line' | 'several';

/** What MNIST preprocessing found in an image (Go: model/preprocess.Report). */
export interface PreprocessReport {
  /** The image's size in pixels. */
  width: number;
  height: number;
  /** The image without letterbox bars. */
  content: PixelRect;
  /** The ink's box, scaled to 20×20 (empty when blank). */
  ink: PixelRect;
  /** The background was lighter than the ink (so the image was inverted). */
  lightPaper: boolean;
  /** The largest ink-to-paper difference, in [0, 1]. */
  contrast: number;
  /** Pixels per cell of the working grid, each way. */
  cell: number;
  /** Ink components found, and kept as the digit. */
  components: number;
  kept: number;
  /** Components dropped: specks, marks touching the border, marks apart from the digit. */
  specks: number;
  border: number;
  apart: number;
  flags: PreprocessFlag[];
}

/**
 * Whether an answer deserves trust (Go: model/confidence.Judge). A softmax
 * always sums to 1, so it names some class even for a scribble: the
 * verdict combines the input's findings with the top-1 margin.
 */
export interface Verdict {
  /** false: "this does not look like a digit". */
  digit: boolean;
  /** Why not: the report's 'blank' | 'dot' | 'line' | 'several', then 'uncertain' (margin under minMargin). */
  reasons: string[];
  /** The most likely class, its label and probability. */
  index: number;
  label: string;
  p: number;
  /** p minus the second largest probability. */
  margin: number;
  /** The distribution's entropy in bits (at most log2 of the number of classes). */
  entropy: number;
  /** The smallest margin taken as a digit (tuned on held-out MNIST and non-digits). */
  minMargin: number;
}

/** model.inspect's result: a prediction with what the network saw and how far to trust it. */
export interface Inspection extends Prediction {
  /** The network's input, [H, W, C]: for an image, what preprocessing made of it. */
  input: Tensor;
  /** What MNIST preprocessing found; null for tensors and for models not preprocessed as MNIST. */
  report: PreprocessReport | null;
  /** null for models not preprocessed as MNIST (the threshold was tuned on digits). */
  verdict: Verdict | null;
}

/**
 * One layer's parameters, float32 as the engine computes with them (an
 * int8 file's weights dequantised).
 */
/**
 * A layer's parameters by name, as float32 tensors: conv2d and dense have
 * `weight` (conv2d [KH, KW, C/groups, OC], HWIO as tf.nn.conv2d's filter;
 * dense [K, M]) and `bias` ([OC] or [M]); batchnorm has `gamma`, `beta`,
 * `mean` and `variance` ([C] each).
 */
export interface LayerWeights {
  readonly [param: string]: Tensor;
}

/**
 * A loaded weight file. Calls on a disposed model throw (reject with) an
 * Error saying "model is disposed"; bad inputs throw an Error naming the
 * problem, and the model keeps working.
 */
export interface Model {
  readonly name: string;
  readonly labels: readonly string[];
  /** [H, W, C] of one example. */
  readonly inputShape: readonly number[];
  /** A fresh copy of the parameter table. */
  summary(): ModelSummary;
  /**
   * A copy of the weight file's safetensors `__metadata__` (string → string):
   * `format`, `arch` (JSON) and, for models trained by tools/train,
   * `training` (JSON: accuracies, config and the per-epoch `history`).
   * `{}` for ONNX and TensorFlow.js models.
   */
  metadata(): Record<string, string>;
  predict(input: ModelInput, options?: PredictOptions): Promise<Prediction>;
  /**
   * predict on every input, in input order: the inputs are split into one
   * contiguous chunk per engine worker (LoadOptions.workers), each run in
   * batches. The workers start, and load the model, on the first call (no
   * cross-origin isolation needed); dispose stops them. A bad input
   * rejects the call with an Error naming it ("predictBatch: inputs[3]:
   * …"). The model keeps its file (a copy of bytes, or its URL) for them.
   */
  predictBatch(inputs: ModelInput[], options?: PredictOptions): Promise<Prediction[]>;
  /**
   * The network's input (name and type 'input': what the network sees,
   * the image after preprocessing), then every layer's output, in layer
   * order.
   */
  activations(input: ModelInput): Promise<Activation[]>;
  /**
   * predict, plus the network's input and, for MNIST models, what
   * preprocessing found in an image and the verdict on the answer ("does
   * not look like a digit"). predict stays the fast call for
   * probabilities alone.
   */
  inspect(input: ModelInput, options?: PredictOptions): Promise<Inspection>;
  /**
   * The parameters of the conv2d or dense layer layerName (a name in
   * summary().layers); throws an Error listing the layers that have
   * weights for any other name.
   */
  weights(layerName: string): LayerWeights;
  /** Frees the model's memory in the engine. Calling it again does nothing. */
  dispose(): void;
}

/** A model in a worker (WorkerFeatureMap.loadModel): as Model, but weights returns a Promise. */
export interface WorkerModel extends Omit<Model, 'weights'> {
  /** Model.weights, from the worker. */
  weights(layerName: string): Promise<LayerWeights>;
}

export interface FeatureMap {
  /** The engine's version. */
  readonly version: string;
  /** Whether the SIMD build (featuremap.simd.wasm) is running. */
  readonly simd: boolean;
  readonly ops: Ops;
  /**
   * Loads a weight file or an ONNX model; rejects with an Error naming what
   * is wrong with it (for ONNX: the node, its op and the attribute).
   */
  loadModel(source: ModelSource, options?: LoadOptions): Promise<Model>;
  /**
   * The size of the engine's WebAssembly memory in bytes. It grows when the
   * engine needs more and never shrinks (Go reuses it): watch it to see
   * whether memory use keeps growing.
   */
  memoryBytes(): number;
}

/**
 * An engine running in a worker (init({ worker: true })): as FeatureMap,
 * but every op returns a Promise. Arguments are copied to the worker
 * (structured clone): a value that cannot be cloned, such as a function,
 * rejects with an Error.
 */
export interface WorkerFeatureMap extends Omit<FeatureMap, 'ops' | 'memoryBytes' | 'loadModel'> {
  readonly ops: AsyncOps;
  /** Loads a weight file into the worker (FeatureMap.loadModel). */
  loadModel(source: ModelSource, options?: LoadOptions): Promise<WorkerModel>;
  /** The worker engine's WebAssembly memory size in bytes (FeatureMap.memoryBytes). */
  memoryBytes(): Promise<number>;
  /** Stops the worker; later calls reject. */
  terminate(): void;
}

/** The name of the Cache API cache that loadModel's cache option uses. */
export const MODEL_CACHE: 'featuremap-models-v1';

/**
 * Reads a model file as loadModel reads a URL (from the model cache with
 * cache: true, reporting onProgress), without an engine: a page can start
 * the download while the engine starts, then pass the bytes to loadModel.
 */
export function fetchModelFile(source: string | URL, options?: Pick<LoadOptions, 'cache' | 'onProgress'>): Promise<Uint8Array>;

/**
 * What every call of an engine throws or rejects with once its Go runtime
 * has stopped (a fatal error such as running out of memory, or an escaped
 * panic); the message says why. Call init() again for a fresh engine.
 */
export class EngineStoppedError extends Error {
  name: 'EngineStoppedError';
}

/** Loads and starts a new engine instance, in this thread or a worker. */
/**
 * Whether this runtime supports WebAssembly SIMD: what simd: 'auto' picks
 * featuremap.simd.wasm by, for callers that compile a module themselves.
 */
export function simdSupported(): boolean;

export function init(options: InitOptions & { worker: true }): Promise<WorkerFeatureMap>;
export function init(options?: InitOptions & { worker?: false }): Promise<FeatureMap>;
export function init(options?: InitOptions): Promise<FeatureMap | WorkerFeatureMap>;
