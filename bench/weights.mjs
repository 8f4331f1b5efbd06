// Reads a featuremap weight file (model/file.go): the safetensors layout
// (8-byte little-endian header length, JSON header, raw tensor bytes) whose
// __metadata__.arch is the architecture (model/arch.go) and whose tensors
// are "<layer>.weight" (F32, or I8 with an F32 "<layer>.weight_scale" of one
// scale per output channel, the last axis) and "<layer>.bias" (F32).
//
// Int8 weights are dequantised exactly as featuremap does (model/quant:
// w[i] = float32(q[i]) * scale[i % channels], one float32 multiplication),
// so the peers' models built from this reader hold the same float32 values.

/**
 * readHeader returns the safetensors header of a featuremap weight file
 * (its tensors' dtypes, shapes and offsets), the architecture in
 * header.arch, and where the tensor data starts; it reads no tensor.
 */
export function readHeader(file) {
  const bytes = new Uint8Array(file.buffer, file.byteOffset, file.byteLength);
  if (bytes.byteLength < 8) {
    throw new Error(`weight file: ${bytes.byteLength} bytes, too short for a safetensors header`);
  }
  const headerLen = Number(new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true));
  if (headerLen > bytes.byteLength - 8) {
    throw new Error(`weight file: header length ${headerLen} exceeds the file's ${bytes.byteLength} bytes`);
  }
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLen)));
  const meta = header.__metadata__ ?? {};
  if (meta.format !== 'featuremap/1') {
    throw new Error(`weight file: __metadata__.format is ${JSON.stringify(meta.format)}, want "featuremap/1"`);
  }
  return { header, arch: JSON.parse(meta.arch), dataStart: 8 + headerLen };
}

/**
 * readWeightFile returns { arch, layers }: the architecture and, in layer
 * order, every layer with its input and output shapes (without the batch
 * dimension) and its parameters { weight, bias } as { shape, data:
 * Float32Array } (weight HWIO for conv2d, [K, M] for dense).
 */
export function readWeightFile(file) {
  const bytes = new Uint8Array(file.buffer, file.byteOffset, file.byteLength); // not a Buffer: slice copies
  const { header, arch, dataStart } = readHeader(bytes);
  const tensor = (name) => {
    const t = header[name];
    if (t === undefined) {
      throw new Error(`weight file: tensor ${JSON.stringify(name)} is missing`);
    }
    const [begin, end] = t.data_offsets;
    if (!(begin <= end && dataStart + end <= bytes.byteLength)) {
      throw new Error(`weight file: tensor ${JSON.stringify(name)}: data_offsets ${t.data_offsets} outside the file`);
    }
    const raw = bytes.slice(dataStart + begin, dataStart + end); // a copy: aligned
    switch (t.dtype) {
      case 'F32': return { shape: t.shape, data: new Float32Array(raw.buffer) };
      case 'I8': return { shape: t.shape, data: new Int8Array(raw.buffer) };
      default: throw new Error(`weight file: tensor ${JSON.stringify(name)}: dtype ${t.dtype}, the bench reads F32 and I8`);
    }
  };
  const param = (name) => {
    const t = tensor(name);
    if (t.data instanceof Float32Array) {
      return t;
    }
    const scales = tensor(`${name}_scale`).data;
    const w = new Float32Array(t.data.length);
    for (let i = 0; i < w.length; i++) {
      w[i] = Math.fround(t.data[i] * scales[i % scales.length]);
    }
    return { shape: t.shape, data: w };
  };
  return { arch, layers: resolveLayers(arch, param) };
}

const pair = (v, dflt) => (v && (v[0] || v[1]) ? v : [dflt, dflt]);
const one = (v) => v || 1;

/**
 * samePads returns TensorFlow SAME padding for one spatial dimension
 * (design.md, "Numerics contract"): [before, after], the extra cell after.
 */
export function samePads(size, k, stride, dilation) {
  const out = Math.ceil(size / stride);
  const total = Math.max((out - 1) * stride + (k - 1) * dilation + 1 - size, 0);
  return [Math.floor(total / 2), total - Math.floor(total / 2)];
}

// resolveLayers gives every layer its inputs (layer indices, -1 for the
// network input), input and output shapes, explicit pads [top, bottom,
// left, right] for windowed layers, and its parameters (read with param).
function resolveLayers(arch, param) {
  const index = new Map();
  const layers = [];
  arch.layers.forEach((l, i) => {
    const inputs = (l.inputs?.length ? l.inputs : [i === 0 ? 'input' : arch.layers[i - 1].name])
      .map((name) => (name === 'input' ? -1 : index.get(name)));
    const inShapes = inputs.map((j) => (j === -1 ? arch.input : layers[j].shape));
    const inShape = inShapes[0];
    const r = { ...l, index: i, inputs, inShape };
    switch (l.type) {
      case 'conv2d':
      case 'maxpool':
      case 'avgpool': {
        const [kh, kw] = l.kernel;
        const [sh, sw] = pair(l.strides, 1);
        const [dh, dw] = pair(l.dilations, 1);
        r.strides = [sh, sw];
        r.dilations = [dh, dw];
        r.groups = one(l.groups);
        if (l.padding === 'SAME') {
          r.pads = [...samePads(inShape[0], kh, sh, dh), ...samePads(inShape[1], kw, sw, dw)];
        } else if (l.padding === 'EXPLICIT') {
          r.pads = l.pads;
        } else {
          r.pads = [0, 0, 0, 0];
        }
        const out = (n, k, s, d, p0, p1) => Math.floor((n + p0 + p1 - ((k - 1) * d + 1)) / s) + 1;
        r.shape = [
          out(inShape[0], kh, sh, dh, r.pads[0], r.pads[1]),
          out(inShape[1], kw, sw, dw, r.pads[2], r.pads[3]),
          l.type === 'conv2d' ? l.filters : inShape[2],
        ];
        if (l.type === 'conv2d') {
          r.weight = param(`${l.name}.weight`);
          r.bias = param(`${l.name}.bias`);
        }
        break;
      }
      case 'dense':
        r.shape = [l.units];
        r.weight = param(`${l.name}.weight`);
        r.bias = param(`${l.name}.bias`);
        break;
      case 'flatten':
        r.shape = [inShape.reduce((p, n) => p * n, 1)];
        break;
      case 'concat':
        r.inShapes = inShapes;
        r.shape = [...inShape.slice(0, -1), inShapes.reduce((s, sh) => s + sh.at(-1), 0)];
        break;
      case 'lrn':
      case 'relu':
      case 'dropout':
      case 'softmax':
        r.shape = inShape;
        break;
      default:
        throw new Error(`weight file: layer ${l.name}: type ${l.type} is not supported by the bench`);
    }
    index.set(l.name, i);
    layers.push(r);
  });
  return layers;
}

/** A seeded generator (mulberry32) of floats in [0, 1). */
export function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * randomInputs returns n network inputs (Float32Arrays of H*W*C values)
 * like the model's real ones: pixels in [0, 1] for MNIST-style models
 * (scale 1/255), else pixel values in [0, 255] minus the arch's mean.
 */
export function randomInputs(arch, n, seed = 1) {
  const next = rng(seed);
  const [h, w, c] = arch.input;
  const pre = arch.preprocess ?? {};
  const scale = pre.scale || 1;
  const mean = pre.mean ?? [];
  const std = pre.std ?? [];
  return Array.from({ length: n }, () => {
    const x = new Float32Array(h * w * c);
    for (let i = 0; i < x.length; i++) {
      const ch = i % c;
      const m = mean.length ? mean[mean.length === 1 ? 0 : ch] : 0;
      const s = std.length ? std[std.length === 1 ? 0 : ch] : 1;
      x[i] = (Math.floor(next() * 256) * scale - m) / s;
    }
    return x;
  });
}
