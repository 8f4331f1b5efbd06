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
  /** Web Worker mode is not available yet: true rejects with an Error. */
  worker?: boolean;
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
}

export interface FeatureMap {
  /** The engine's version. */
  readonly version: string;
  /** Whether the SIMD build (featuremap.simd.wasm) is running. */
  readonly simd: boolean;
  readonly ops: Ops;
}

/** Loads and starts a new engine instance. */
export function init(options?: InitOptions): Promise<FeatureMap>;
