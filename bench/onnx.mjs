// The network of a featuremap weight file as an ONNX model (opset 13),
// encoded by hand: the few messages of onnx.proto it needs are written
// with the protobuf wire format (field numbers from onnx/onnx.proto).
//
// Translations from featuremap's TensorFlow semantics (design.md,
// "Numerics contract"):
//   - the input stays NHWC [N, H, W, C]; a Transpose makes it NCHW;
//   - conv filters HWIO [KH, KW, C/G, OC] become OIHW [OC, C/G, KH, KW];
//   - SAME padding becomes explicit pads (the extra cell after, as TF);
//   - LRN: ONNX divides alpha by size = 2r+1, so alpha' = alpha * size;
//   - Flatten of NCHW orders the features C, H, W where featuremap's NHWC
//     flatten orders them H, W, C: the rows of the dense layer reading it
//     are permuted to match, so no Transpose runs back to NHWC;
//   - AveragePool's default count_include_pad = 0 divides by real cells, as TF.

// Protobuf wire format: varint (0), 64-bit (1), length-delimited (2), 32-bit (5).
class Writer {
  constructor() {
    this.parts = [];
    this.len = 0;
  }

  push(bytes) {
    this.parts.push(bytes);
    this.len += bytes.length;
  }

  varint(v) {
    const out = [];
    let n = BigInt.asUintN(64, BigInt(v));
    do {
      let b = Number(n & 0x7fn);
      n >>= 7n;
      if (n) b |= 0x80;
      out.push(b);
    } while (n);
    this.push(Uint8Array.from(out));
  }

  tag(field, wire) {
    this.varint((field << 3) | wire);
  }

  int(field, v) {
    this.tag(field, 0);
    this.varint(v);
  }

  float(field, v) {
    this.tag(field, 5);
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, v, true);
    this.push(b);
  }

  bytes(field, b) {
    this.tag(field, 2);
    this.varint(b.length);
    this.push(b);
  }

  string(field, s) {
    this.bytes(field, new TextEncoder().encode(s));
  }

  // message writes a nested message without copying its bytes: its parts
  // (weights among them) are copied once, by the outermost finish.
  message(field, fill) {
    const w = new Writer();
    fill(w);
    this.tag(field, 2);
    this.varint(w.len);
    w.parts.forEach((p) => this.push(p));
  }

  finish() {
    const out = new Uint8Array(this.len);
    let off = 0;
    for (const p of this.parts) {
      out.set(p, off);
      off += p.length;
    }
    return out;
  }
}

const FLOAT = 1; // TensorProto.DataType
const ATTR = { FLOAT: 1, INT: 2, INTS: 7 }; // AttributeProto.AttributeType

// TensorProto (float32): dims 1, data_type 2, name 8, raw_data 9 (little-endian).
function tensorProto(w, name, dims, data) {
  dims.forEach((d) => w.int(1, d));
  w.int(2, FLOAT);
  w.string(8, name);
  w.bytes(9, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
}

/** float marks an attribute value as a FLOAT (numbers are INTs otherwise). */
const float = (v) => ({ float: v });

// AttributeProto: name 1, f 2, i 3, ints 8, type 20.
function attribute(w, name, value) {
  w.string(1, name);
  if (Array.isArray(value)) {
    value.forEach((v) => w.int(8, v));
    w.int(20, ATTR.INTS);
  } else if (typeof value === 'object') {
    w.float(2, value.float);
    w.int(20, ATTR.FLOAT);
  } else {
    w.int(3, value);
    w.int(20, ATTR.INT);
  }
}

// ValueInfoProto: name 1, type 2 (TypeProto: tensor_type 1 (elem_type 1,
// shape 2 (TensorShapeProto: dim 1 (dim_value 1 | dim_param 2)))).
function valueInfo(w, name, dims) {
  w.string(1, name);
  w.message(2, (t) => t.message(1, (tt) => {
    tt.int(1, FLOAT);
    tt.message(2, (s) => dims.forEach((d) => s.message(1, (dim) => (typeof d === 'string' ? dim.string(2, d) : dim.int(1, d)))));
  }));
}

/** hwioToOIHW returns a conv filter [KH, KW, I, O] as [O, I, KH, KW]. */
function hwioToOIHW({ shape: [kh, kw, ci, co], data }) {
  const out = new Float32Array(data.length);
  for (let h = 0; h < kh; h++) {
    for (let x = 0; x < kw; x++) {
      for (let i = 0; i < ci; i++) {
        for (let o = 0; o < co; o++) {
          out[((o * ci + i) * kh + h) * kw + x] = data[((h * kw + x) * ci + i) * co + o];
        }
      }
    }
  }
  return out;
}

/** chwRows reorders dense weights [H*W*C, M] (rows in HWC order) to CHW order. */
function chwRows([h, w, c], { shape: [k, m], data }) {
  const out = new Float32Array(data.length);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      for (let ch = 0; ch < c; ch++) {
        const from = ((y * w + x) * c + ch) * m;
        out.set(data.subarray(from, from + m), ((ch * h + y) * w + x) * m);
      }
    }
  }
  if (h * w * c !== k) {
    throw new Error(`onnx: dense rows ${k} ≠ ${h}×${w}×${c}`);
  }
  return out;
}

/**
 * buildONNX returns the bytes of an ONNX model equivalent to the layers of
 * readWeightFile: input "input" [N, H, W, C], output "output" [N, classes].
 */
export function buildONNX({ arch, layers }) {
  const nodes = [];
  const inits = [];
  const node = (op, inputs, outputs, attrs = {}) => nodes.push({ op, inputs, outputs, attrs, name: outputs[0] });
  const init = (name, dims, data) => {
    inits.push({ name, dims, data });
    return name;
  };
  node('Transpose', ['input'], ['input_nchw'], { perm: [0, 3, 1, 2] });
  const names = []; // ONNX tensor name of each layer's output
  const hwcOf = []; // for a flatten output (and ReLU or dropout of one): the [H, W, C] it flattened
  const nameOf = (j) => (j === -1 ? 'input_nchw' : names[j]);
  const onnxPads = (p) => [p[0], p[2], p[1], p[3]]; // [t, b, l, r] -> [t, l, b, r]
  for (const l of layers) {
    const ins = l.inputs.map(nameOf);
    let out = l.name;
    switch (l.type) {
      case 'conv2d': {
        const w = init(`${l.name}.weight`, [l.filters, l.weight.shape[2], ...l.kernel], hwioToOIHW(l.weight));
        const b = init(`${l.name}.bias`, [l.filters], l.bias.data);
        const conv = l.activation === 'relu' ? `${l.name}.conv` : out;
        node('Conv', [ins[0], w, b], [conv], {
          kernel_shape: l.kernel, strides: l.strides, dilations: l.dilations, group: l.groups, pads: onnxPads(l.pads),
        });
        if (conv !== out) node('Relu', [conv], [out]);
        break;
      }
      case 'maxpool':
      case 'avgpool':
        node(l.type === 'maxpool' ? 'MaxPool' : 'AveragePool', ins, [out], {
          kernel_shape: l.kernel, strides: l.strides, pads: onnxPads(l.pads),
        });
        break;
      case 'lrn': {
        const size = 2 * (l.depth_radius ?? 0) + 1;
        node('LRN', ins, [out], {
          size, alpha: float((l.alpha ?? 0) * size), beta: float(l.beta ?? 0), bias: float(l.bias),
        });
        break;
      }
      case 'relu':
        node('Relu', ins, [out]);
        hwcOf[l.index] = hwcOf[l.inputs[0]]; // elementwise: the order stays
        break;
      case 'dropout':
        out = ins[0];
        hwcOf[l.index] = hwcOf[l.inputs[0]];
        break;
      case 'flatten':
        node('Flatten', ins, [out], { axis: 1 });
        hwcOf[l.index] = l.inShape.length === 3 ? l.inShape : null;
        break;
      case 'dense': {
        const hwc = hwcOf[l.inputs[0]];
        const rows = hwc ? chwRows(hwc, l.weight) : l.weight.data;
        const w = init(`${l.name}.weight`, l.weight.shape, rows);
        const b = init(`${l.name}.bias`, [l.units], l.bias.data);
        const gemm = l.activation === 'relu' ? `${l.name}.gemm` : out;
        node('Gemm', [ins[0], w, b], [gemm]);
        if (gemm !== out) node('Relu', [gemm], [out]);
        break;
      }
      case 'softmax':
        node('Softmax', ins, [out], { axis: l.inShape.length === 3 ? 1 : -1 });
        break;
      case 'concat':
        node('Concat', ins, [out], { axis: l.inShape.length === 3 ? 1 : -1 });
        break;
      default:
        throw new Error(`onnx: layer ${l.name}: type ${l.type}`);
    }
    l.inputs.forEach((j) => {
      if (j !== -1 && hwcOf[j] && !['dense', 'relu', 'dropout'].includes(l.type)) {
        throw new Error(`onnx: layer ${l.name} reads the flattened ${layers[j].name}: only dense layers may (feature order)`);
      }
    });
    names[l.index] = out;
  }
  const last = layers.at(-1);
  if (last.shape.length !== 1) {
    throw new Error(`onnx: the output layer ${last.name} has shape ${last.shape}, the bench needs a flat one`);
  }
  node('Identity', [names[last.index]], ['output']);

  const w = new Writer();
  w.int(1, 8); // ir_version
  w.string(2, 'featuremap-bench'); // producer_name
  w.message(7, (g) => { // graph
    for (const n of nodes) {
      g.message(1, (nw) => { // NodeProto: input 1, output 2, name 3, op_type 4, attribute 5
        n.inputs.forEach((s) => nw.string(1, s));
        n.outputs.forEach((s) => nw.string(2, s));
        nw.string(3, n.name);
        nw.string(4, n.op);
        for (const [k, v] of Object.entries(n.attrs)) {
          nw.message(5, (a) => attribute(a, k, v));
        }
      });
    }
    g.string(2, arch.name); // name
    inits.forEach((t) => g.message(5, (tw) => tensorProto(tw, t.name, t.dims, t.data))); // initializer
    g.message(11, (v) => valueInfo(v, 'input', ['N', ...arch.input])); // input
    g.message(12, (v) => valueInfo(v, 'output', ['N', last.shape[0]])); // output
  });
  w.message(8, (o) => { // opset_import: domain 1, version 2
    o.string(1, '');
    o.int(2, 13);
  });
  return w.finish();
}
