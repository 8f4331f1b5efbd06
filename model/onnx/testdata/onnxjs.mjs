// onnxjs.mjs: the independent ONNX oracle for model/onnx's tests. It
// encodes and decodes ModelProto with onnx-proto (protobufjs static code
// generated from the real onnx.proto) and runs models in onnxruntime-web.
//
//   node onnxjs.mjs fixtures DIR      write DIR/NAME.onnx and DIR/NAME.json (what
//                                     onnx-proto decodes from NAME.onnx)
//   node onnxjs.mjs decode FILE...    print a JSON array: each file decoded
//   node onnxjs.mjs tensor FILE...    print a JSON array: each serialized TensorProto
//                                     as {dims, dataType, values} (FLOAT or INT64)
//   node onnxjs.mjs ort MODEL INPUT   run MODEL in onnxruntime-web (wasm, one
//                                     thread) on INPUT (a JSON {name, dims, data}),
//                                     print {dims, data} of the first output
//   node onnxjs.mjs ortpb MODEL DIR...  the same for each MODEL DIR pair, with the
//                                     graph's inputs that are not initializers read
//                                     from DIR/input_N.pb in order; prints an array
//
// JSON follows protobufjs toObject: camelCase names, int64 as decimal
// strings, bytes as base64, enums as numbers, absent fields omitted.
import fs from 'node:fs';
import path from 'node:path';
import onnxProto from 'onnx-proto';
import protobuf from 'protobufjs/minimal.js';

const { onnx } = onnxProto;
const { Writer } = protobuf;
const toObjectOptions = { longs: String, enums: Number, bytes: String, defaults: false };

function decode(bytes) {
  return onnx.ModelProto.toObject(onnx.ModelProto.decode(bytes), toObjectOptions);
}

// field appends a length-delimited field NUM holding bytes to base (a
// serialized message), which is how a message is extended with fields its
// object form cannot express.
function field(base, num, bytes) {
  const w = Writer.create();
  w.uint32((num << 3) | 2).bytes(bytes);
  return Buffer.concat([Buffer.from(base), Buffer.from(w.finish())]);
}

function floatBytes(values) {
  return Buffer.from(new Float32Array(values).buffer);
}

function int64Bytes(values) {
  return Buffer.from(new BigInt64Array(values.map(BigInt)).buffer);
}

function valueInfo(name, elemType, dims) {
  return {
    name,
    type: { tensorType: { elemType, shape: { dim: dims.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d })) } } },
  };
}

const A = onnx.AttributeProto.AttributeType;
const T = onnx.TensorProto.DataType;

// cnn: a small CNN graph with every field featuremap reads, tensors in
// raw_data and in each typed field, negative integers, float16 bits.
function cnn() {
  const model = {
    irVersion: 8,
    producerName: 'onnxjs.mjs',
    producerVersion: '1.0',
    opsetImport: [{ domain: '', version: 13 }, { domain: 'com.example', version: 2 }],
    metadataProps: [{ key: 'labels', value: 'zero,one' }, { key: 'note', value: 'ü ✓' }],
    graph: {
      name: 'cnn',
      input: [valueInfo('x', T.FLOAT, ['N', 1, 5, 5])],
      output: [valueInfo('probs', T.FLOAT, ['N', 2])],
      valueInfo: [valueInfo('conv_out', T.FLOAT, ['N', 3, 5, 5]), { name: 'untyped' }],
      initializer: [
        { name: 'w', dims: [3, 1, 3, 3], dataType: T.FLOAT, floatData: Array.from({ length: 27 }, (_, i) => (i - 13) / 8) },
        { name: 'b', dims: [3], dataType: T.FLOAT, rawData: floatBytes([0.5, -0.25, 1e-3]) },
        { name: 'fc_w', dims: [12, 2], dataType: T.FLOAT, rawData: floatBytes(Array.from({ length: 24 }, (_, i) => Math.sin(i))) },
        { name: 'fc_b', dims: [2], dataType: T.DOUBLE, doubleData: [0.1, -0.2] },
        { name: 'shape', dims: [2], dataType: T.INT64, int64Data: [-1, 12] },
        { name: 'shape_raw', dims: [2], dataType: T.INT64, rawData: int64Bytes([-1, 12]) },
        { name: 'half', dims: [4], dataType: T.FLOAT16, int32Data: [0x3c00, 0xc000, 0x3555, 0x7bff] },
        { name: 'ints', dims: [3], dataType: T.INT32, int32Data: [-7, 0, 2147483647] },
        { name: 'scalar', dims: [], dataType: T.FLOAT, floatData: [2.5] },
      ],
      node: [
        {
          name: 'conv1', opType: 'Conv', input: ['x', 'w', 'b'], output: ['conv_out'],
          attribute: [
            { name: 'kernel_shape', type: A.INTS, ints: [3, 3] },
            { name: 'pads', type: A.INTS, ints: [1, 1, 1, 1] },
            { name: 'strides', type: A.INTS, ints: [1, 1] },
            { name: 'group', type: A.INT, i: 1 },
            { name: 'auto_pad', type: A.STRING, s: Buffer.from('NOTSET') },
          ],
        },
        { name: 'relu1', opType: 'Relu', input: ['conv_out'], output: ['r'] },
        {
          name: 'lrn1', opType: 'LRN', input: ['r'], output: ['n'],
          attribute: [
            { name: 'size', type: A.INT, i: 5 },
            { name: 'alpha', type: A.FLOAT, f: 1e-4 },
            { name: 'beta', type: A.FLOAT, f: 0.75 },
            { name: 'bias', type: A.FLOAT, f: 2 },
          ],
        },
        {
          name: 'pool1', opType: 'MaxPool', input: ['n'], output: ['p'],
          attribute: [{ name: 'kernel_shape', type: A.INTS, ints: [2, 2] }, { name: 'strides', type: A.INTS, ints: [2, 2] }],
        },
        { name: 'flat', opType: 'Reshape', input: ['p', 'shape'], output: ['f'] },
        {
          name: 'fc', opType: 'Gemm', input: ['f', 'fc_w', 'fc_b'], output: ['logits'],
          attribute: [{ name: 'transB', type: A.INT, i: 0 }, { name: 'alpha', type: A.FLOAT, f: 1 }],
        },
        { name: 'drop', opType: 'Dropout', input: ['logits', '', ''], output: ['d'] },
        { name: 'sm', opType: 'Softmax', input: ['d'], output: ['probs'], domain: '', attribute: [{ name: 'axis', type: A.INT, i: -1 }] },
        {
          name: 'const', opType: 'Constant', output: ['c'],
          attribute: [{ name: 'value', type: A.TENSOR, t: { name: 'cv', dims: [2, 2], dataType: T.FLOAT, floatData: [1, 2, 3, 4] } }],
        },
        {
          name: 'custom', opType: 'Custom', domain: 'com.example', input: ['c'], output: ['u'],
          attribute: [
            { name: 'scales', type: A.FLOATS, floats: [0.5, -1.5, 3.25] },
            { name: 'modes', type: A.STRINGS, strings: [Buffer.from('a'), '', Buffer.from('ünï')] },
            { name: 'big', type: A.INTS, ints: ['-9223372036854775808', '9223372036854775807', '-1'] },
          ],
        },
      ],
    },
  };
  return onnx.ModelProto.encode(onnx.ModelProto.fromObject(model)).finish();
}

// skipped: fields outside featuremap's subset, which the decoder must skip
// (also unknown field numbers of every wire type, a group among them).
function skipped() {
  const graph = onnx.GraphProto.encode(onnx.GraphProto.fromObject({
    name: 'g',
    docString: 'graph docs',
    node: [{
      name: 'if', opType: 'If', input: ['cond'], output: ['y'], docString: 'node docs',
      attribute: [
        { name: 'then_branch', type: A.GRAPH, g: { name: 'then', node: [{ opType: 'Identity', input: ['a'], output: ['y'] }] }, docString: 'attr docs' },
        { name: 'tensors', type: A.TENSORS, tensors: [{ dims: [1], dataType: T.FLOAT, floatData: [1] }] },
      ],
    }],
    initializer: [
      { name: 'names', dims: [2], dataType: T.STRING, stringData: [Buffer.from('x'), Buffer.from('y')], docString: 'tensor docs' },
    ],
    input: [
      { name: 'seq', type: { sequenceType: { elemType: { tensorType: { elemType: T.FLOAT } } } }, docString: 'vi docs' },
      { name: 'cond', type: { tensorType: { elemType: T.BOOL, shape: { dim: [{ dimValue: 1, denotation: 'DATA_BATCH' }] } }, denotation: 'TENSOR' } },
    ],
    quantizationAnnotation: [{ tensorName: 'x', quantParameterTensorNames: [{ key: 'SCALE_TENSOR', value: 's' }] }],
  })).finish();
  const unknown = Writer.create();
  unknown.uint32((100 << 3) | 0).uint64('18446744073709551615'); // varint, 10 bytes
  unknown.uint32((101 << 3) | 1).fixed64(7);
  unknown.uint32((102 << 3) | 5).fixed32(9);
  unknown.uint32((103 << 3) | 2).bytes(Buffer.from('unknown'));
  unknown.uint32((104 << 3) | 3); // group 104 holding a varint and a nested group
  unknown.uint32((1 << 3) | 0).uint32(5);
  unknown.uint32((2 << 3) | 3).uint32((3 << 3) | 5).fixed32(1).uint32((2 << 3) | 4);
  unknown.uint32((104 << 3) | 4);
  const extra = Buffer.from(unknown.finish());
  const model = onnx.ModelProto.encode(onnx.ModelProto.fromObject({
    irVersion: 7,
    opsetImport: [{ version: 11 }],
    docString: 'model docs',
    domain: 'org.example',
    modelVersion: 3,
    trainingInfo: [{ initialization: { name: 'init' } }],
    functions: [{ name: 'f', domain: 'local', input: ['a'], output: ['b'], node: [{ opType: 'Relu', input: ['a'], output: ['b'] }] }],
  })).finish();
  return field(Buffer.concat([Buffer.from(model), extra]), 7, Buffer.concat([Buffer.from(graph), extra]));
}

// unpacked: attribute ints and floats, tensor dims and float_data written
// one key per value. onnx-proto writes every repeated number packed; the
// reference implementation (C++ protobuf, used by PyTorch's and onnx's
// exporters) writes the fields onnx.proto does not declare [packed = true]
// (dims, floats, ints) unpacked, and parsers must accept both forms.
function unpacked() {
  const attr = (name, type, num, write) => {
    const w = Writer.create();
    w.uint32((1 << 3) | 2).string(name).uint32((20 << 3) | 0).int32(type);
    write(w, num);
    return w.finish();
  };
  let node = onnx.NodeProto.encode({ name: 'n', opType: 'Conv', input: ['x', 'w'], output: ['y'] }).finish();
  node = field(node, 5, attr('pads', A.INTS, 8, (w, num) => [0, 1, 300, -2].forEach((v) => w.uint32(num << 3).int64(v))));
  node = field(node, 5, attr('scales', A.FLOATS, 7, (w, num) => [0.5, -2, 1e10].forEach((v) => w.uint32((num << 3) | 5).float(v))));
  const tensor = Writer.create();
  [2, 3].forEach((v) => tensor.uint32(1 << 3).int64(v));
  tensor.uint32((2 << 3) | 0).int32(T.FLOAT);
  tensor.uint32((8 << 3) | 2).string('w');
  [1, 2, 3, 4, 5, 6].forEach((v) => tensor.uint32((4 << 3) | 5).float(v));
  let graph = field(onnx.GraphProto.encode({ name: 'unpacked' }).finish(), 1, node);
  graph = field(graph, 5, tensor.finish());
  return field(onnx.ModelProto.encode({ irVersion: 9, opsetImport: [{ version: 21 }] }).finish(), 7, graph);
}

const fixtures = { cnn, skipped, unpacked };

// tensorValues returns a TensorProto's dims, type and values (FLOAT from
// float_data or raw_data, INT64 from int64_data or raw_data).
function tensorValues(t) {
  const dims = t.dims.map(Number);
  const raw = t.rawData && t.rawData.length ? new Uint8Array(t.rawData).buffer : null; // copied: aligned
  let values;
  switch (t.dataType) {
    case T.FLOAT:
      values = raw ? new Float32Array(raw) : Float32Array.from(t.floatData);
      break;
    case T.INT64:
      values = raw ? new BigInt64Array(raw) : BigInt64Array.from(t.int64Data.map((v) => BigInt(v.toString())));
      break;
    default:
      throw new Error(`tensor ${t.name}: data type ${t.dataType} not supported here`);
  }
  return { dims, dataType: t.dataType, values };
}

function readTensor(file) {
  return tensorValues(onnx.TensorProto.decode(fs.readFileSync(file)));
}

async function ort(modelFile, feedsFor) {
  const ortWeb = await import('onnxruntime-web');
  ortWeb.env.wasm.numThreads = 1;
  ortWeb.env.logLevel = 'error';
  const session = await ortWeb.InferenceSession.create(fs.readFileSync(modelFile));
  const feeds = feedsFor(ortWeb);
  const out = await session.run(feeds);
  const y = out[session.outputNames[0]];
  return { dims: Array.from(y.dims), data: Array.from(y.data) };
}

const [mode, ...args] = process.argv.slice(2);
switch (mode) {
  case 'fixtures':
    for (const [name, make] of Object.entries(fixtures)) {
      const bytes = make();
      fs.writeFileSync(path.join(args[0], name + '.onnx'), bytes);
      fs.writeFileSync(path.join(args[0], name + '.json'), JSON.stringify(decode(bytes), null, 1) + '\n');
    }
    break;
  case 'decode':
    process.stdout.write(JSON.stringify(args.map((f) => decode(fs.readFileSync(f)))));
    break;
  case 'tensor':
    process.stdout.write(JSON.stringify(args.map((f) => {
      const t = readTensor(f);
      return { dims: t.dims, dataType: t.dataType, values: Array.from(t.values, Number) };
    })));
    break;
  case 'ort':
    process.stdout.write(JSON.stringify(await ort(args[0], (ortWeb) => {
      const input = JSON.parse(fs.readFileSync(args[1], 'utf8'));
      return { [input.name]: new ortWeb.Tensor('float32', Float32Array.from(input.data), input.dims) };
    })));
    break;
  case 'ortpb': {
    const results = [];
    for (let k = 0; k < args.length; k += 2) {
      const [model, dir] = args.slice(k, k + 2);
      results.push(await ort(model, (ortWeb) => {
        const graph = onnx.ModelProto.decode(fs.readFileSync(model)).graph;
        const initialized = new Set(graph.initializer.map((t) => t.name));
        const feeds = {};
        graph.input.filter((v) => !initialized.has(v.name)).forEach((v, i) => {
          const t = readTensor(path.join(dir, `input_${i}.pb`));
          feeds[v.name] = new ortWeb.Tensor(t.dataType === T.FLOAT ? 'float32' : 'int64', t.values, t.dims);
        });
        return feeds;
      }));
    }
    process.stdout.write(JSON.stringify(results));
    break;
  }
  default:
    console.error('usage: node onnxjs.mjs fixtures DIR | decode FILE... | tensor FILE... | ort MODEL INPUT | ortpb MODEL DIR');
    process.exit(2);
}
