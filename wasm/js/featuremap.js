// featuremap.js: loads the featuremap WebAssembly engine (Go, js/wasm) and
// exposes its operators and models, in this thread or in a worker
// (featuremap.worker.js). One ES module for browsers and Node ≥ 20; see
// featuremap.d.ts for the API and design.md for its contract.
//
// Loading, and why it works under `script-src 'self' 'wasm-unsafe-eval'`:
// Go's wasm_exec.js is a classic script whose only effect is to define
// globalThis.Go. It has no exports and uses no `require`, so it is loaded with
// a dynamic import() of the file itself, next to this module: no eval, no
// <script> injection, no blob: URLs. The engine is then compiled with
// WebAssembly.instantiate(Streaming), which 'wasm-unsafe-eval' permits.

// A module whose one function uses v128 (i8x16.splat, i8x16.popcnt): it
// validates only where WebAssembly SIMD is supported.
const SIMD_PROBE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version
  0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b, // type: () -> v128
  0x03, 0x02, 0x01, 0x00, // function 0 has type 0
  0x0a, 0x0a, 0x01, 0x08, 0x00, 0x41, 0x00, 0xfd, 0x0f, 0xfd, 0x62, 0x0b, // code
]);

const INIT_OPTIONS = ['wasmURL', 'simd', 'worker', 'module'];
const isNode = typeof process === 'object' && typeof process.versions?.node === 'string';

// internals maps the objects this module returns to their engine: a
// local FeatureMap to { backend }, a model to { backend, handle, info }.
const internals = new WeakMap();

// Brand checks that hold across realms (node:vm contexts, iframes), where
// instanceof does not: the %TypedArray% toStringTag getter returns a typed
// array's type name and undefined for anything else; ArrayBuffer's
// byteLength getter throws unless called on an ArrayBuffer.
const typedArrayTag = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(Uint8Array.prototype), Symbol.toStringTag).get;
const typedArrayName = (v) => typedArrayTag.call(v);
const arrayBufferLength = Object.getOwnPropertyDescriptor(ArrayBuffer.prototype, 'byteLength').get;
const isArrayBuffer = (v) => {
  try {
    arrayBufferLength.call(v);
    return true;
  } catch {
    return false;
  }
};

// own returns obj's own property key, never an inherited one.
const own = (obj, key) => (Object.hasOwn(obj, key) ? obj[key] : undefined);

/**
 * The Error every call of an engine rejects with (or throws) once its Go
 * runtime has stopped: a fatal error such as running out of memory, or a
 * panic that escaped. The message says why; the engine cannot be resumed,
 * so call init() again for a fresh one.
 */
export class EngineStoppedError extends Error {
  name = 'EngineStoppedError';
}

// stopReason summarises what a Go runtime printed on stderr as it died
// ("runtime: out of memory: cannot allocate …; fatal error: out of
// memory"), without the goroutine dump, or gives its exit code.
function stopReason(stderr, code) {
  const lines = stderr.split('\n');
  const first = lines.findIndex((l) => /^(fatal error|panic|runtime: )/.test(l));
  if (first < 0) {
    return `exit code ${code}`;
  }
  const end = lines.indexOf('', first);
  return lines.slice(first, end < 0 ? undefined : end).join('; ').slice(0, 500);
}

/**
 * simdSupported reports whether this runtime supports WebAssembly SIMD
 * (what simd: 'auto' picks the SIMD build by), for callers that compile a
 * module themselves and pass it to init as options.module.
 * @returns {boolean}
 */
export const simdSupported = () => WebAssembly.validate(SIMD_PROBE);

/**
 * Loads and starts an engine. Each call starts a new, independent instance:
 * in this thread, or with worker: true in a module Web Worker (Node: a
 * worker_threads Worker), where every operation returns a Promise.
 * @param {import('./featuremap.d.ts').InitOptions} [options]
 * @returns {Promise<import('./featuremap.d.ts').FeatureMap | import('./featuremap.d.ts').WorkerFeatureMap>}
 */
export async function init(options = {}) {
  const opts = checkInitOptions(options);
  return opts.worker ? initWorker(opts) : initLocal(opts);
}

// OP_NAMES are the functions under fm.ops (featuremap.d.ts, Ops): the keys
// of the Go table ops.Ops, which a Go test (wasm/internal/ops) checks.
const OP_NAMES = ['conv2d', 'maxPool', 'avgPool', 'dense', 'relu', 'softmax', 'lrn', 'concat'];

// initLocal starts the engine in this thread: from module when given (a
// compiled WebAssembly.Module or a promise of one), else from wasmURL or
// the build next to this file.
async function initLocal({ wasmURL, simd, module }) {
  const wantSimd = simd === 'auto' ? simdSupported() : simd;
  if (simd === true && !simdSupported()) {
    throw new Error('init: simd: true, but this runtime does not support WebAssembly SIMD; pass simd: \'auto\' or false');
  }
  const compiled = module === undefined ? undefined : await compiledModule(module);
  // url is where the engine's files are (with a module: next to this file);
  // engineName names the engine in messages.
  const url = wasmURL === undefined ? new URL(wantSimd ? 'featuremap.simd.wasm' : 'featuremap.wasm', import.meta.url)
    : await resolveURL(wasmURL);
  const engineName = module !== undefined ? 'module (init\'s module option)' : url.href;

  if (typeof globalThis.Go !== 'function') {
    await import(new URL('wasm_exec.js', import.meta.url).href);
  }
  const go = new globalThis.Go();
  const name = '__featuremap_engine'; // wasm/engine's globalName
  go.env = {};
  let instance;
  // What the runtime prints on stderr (fd 2: its fatal errors and panics),
  // up to 4 KiB, and its exit code, for the Error that says why it stopped.
  // The output still goes where wasm_exec.js sends it (the console).
  let stderr = '';
  let exitCode;
  const write = go.importObject.gojs['runtime.wasmWrite'];
  go.importObject.gojs['runtime.wasmWrite'] = (sp) => {
    // func wasmWrite(fd uintptr, p unsafe.Pointer, n int32), laid out on
    // Go's stack as wasm_exec.js reads it.
    const mem = new DataView(instance.exports.mem.buffer);
    const at = sp >>> 0;
    if (mem.getUint32(at + 8, true) === 2 && stderr.length < 4096) {
      const p = mem.getUint32(at + 16, true) + mem.getUint32(at + 20, true) * 2 ** 32;
      const n = Math.min(mem.getInt32(at + 24, true), 4096 - stderr.length);
      stderr += new TextDecoder().decode(new Uint8Array(mem.buffer, p, n));
    }
    write(sp);
  };
  const exit = go.exit;
  go.exit = (code) => {
    exitCode = code;
    exit.call(go, code);
  };
  try {
    ({ instance } = module !== undefined
      ? { instance: await WebAssembly.instantiate(compiled, go.importObject) }
      : await instantiate(url, go.importObject));
  } catch (err) {
    throw new Error(`init: cannot load the engine ${engineName}: ${err.message}`, { cause: err });
  }
  // Go's main runs synchronously up to its first block: by then it has
  // stored its exports under globalThis[name].
  go.run(instance);
  const engine = globalThis[name];
  delete globalThis[name];
  if (engine === undefined) {
    throw new Error(`init: the engine ${engineName} exited while starting: ${stopReason(stderr, exitCode)}`);
  }
  if (typeof simd === 'boolean' && engine.simd !== simd) {
    throw new Error(`init: simd: ${simd}, but ${engineName} is the ${engine.simd ? 'SIMD' : 'portable'} build`);
  }

  // stopped is the reason once Go has exited (during a call, or at any
  // time); then every call throws an EngineStoppedError, and the instance
  // (and its memory) is let go.
  let stopped = null;
  const checkStopped = () => {
    if (go.exited) {
      stopped ??= `featuremap: the engine stopped (${stopReason(stderr, exitCode)}); call init() again`;
      instance = null;
      go.mem = null; // wasm_exec.js's view of the memory, unused once Go has exited
    }
    if (stopped) {
      throw new EngineStoppedError(stopped);
    }
  };
  // call invokes an engine function: it returns a value or an Error to
  // throw. A call during which Go dies returns nothing from Go: it throws.
  const call = (fn, ...args) => {
    checkStopped();
    const result = fn(...args.map((a) => plain(a, 0)));
    checkStopped();
    if (result instanceof Error) {
      throw result;
    }
    return result;
  };
  const op = engine.ops;
  const m = engine.model;
  // fast calls the engine's WebAssembly export name, one of its fast path
  // (jsbridge.Staged, wasm/engine/exports.go): numbers in, an address out,
  // or -1 and then the Error from m.stagedError.
  const fast = (name, ...args) => {
    checkStopped();
    const result = instance.exports[name](...args);
    checkStopped();
    if (result === -1) {
      throw m.stagedError();
    }
    return result;
  };
  const memory = () => instance.exports.mem.buffer;
  // stage copies an input the fast path takes (fastInput) into the
  // engine; the next run, place or runActivations call places it.
  const stage = (opCode, handle, x) => {
    const addr = fast('featuremap_stage', opCode, handle, x.kind, x.data.length, x.width, x.height);
    const bytes = x.data.byteLength;
    new Uint8Array(memory(), addr, bytes).set(new Uint8Array(x.data.buffer, x.data.byteOffset, bytes));
  };
  // outputs copies n examples' outputs of length k out of wasm memory.
  const outputs = (addr, n, k) => {
    const all = new Float32Array(memory(), addr, n * k);
    return Array.from({ length: n }, (_, j) => all.slice(j * k, (j + 1) * k));
  };
  const backend = {
    load: async (bytes, _transfer, shards) => call(m.loadModel, await weightFile(bytes, shards, url)),
    predict: async (handle, input, options, info) => {
      const x = fastInput(input.value, info.inputShape);
      const k = fastTopK(options);
      if (x === null || k === null) {
        return call(m.predict, handle, input.value, options);
      }
      stage(OP_PREDICT, handle, x);
      const [probs] = outputs(fast('featuremap_run', OP_PREDICT, handle, 1, 0), 1, info.outputs);
      return { probs, top: top(probs, k, info.labels) };
    },
    activations: async (handle, input, info) => {
      const x = fastInput(input.value, info.inputShape);
      if (x === null) {
        return call(m.activations, handle, input.value);
      }
      stage(OP_ACTIVATIONS, handle, x);
      // The network's input (what it sees) comes first, then every layer.
      const layers = [{ name: 'input', type: 'input', outputShape: info.inputShape }, ...info.summary.layers];
      const table = fast('featuremap_runActivations', handle); // before memory(): the call may grow it
      const addrs = new Uint32Array(memory(), table, layers.length).slice();
      return layers.map((l, i) => ({
        name: l.name,
        type: l.type,
        shape: [1, ...l.outputShape],
        data: new Float32Array(memory(), addrs[i], size(l.outputShape)).slice(),
      }));
    },
    // inspect stages what the fast path takes, as predict does; the
    // engine returns the result object itself (models.Table.Inspect),
    // without report or verdict where there is none.
    inspect: async (handle, input, options, info) => {
      const x = fastInput(input.value, info.inputShape);
      let r;
      if (x === null) {
        r = call(m.inspect, handle, input.value, options);
      } else {
        stage(OP_INSPECT, handle, x);
        r = call(m.inspectStaged, handle, options);
      }
      return { ...r, report: r.report ?? null, verdict: r.verdict ?? null };
    },
    // predictChunk predicts inputs[i] as inputs number offset+i of a
    // predictBatch call, in batches of at most BATCH examples.
    predictChunk: async (handle, inputs, options, offset, info) => {
      const k = fastTopK(options);
      const results = [];
      for (let start = 0; start < inputs.length; start += BATCH) {
        const part = inputs.slice(start, start + BATCH);
        const xs = part.map((input) => fastInput(input, info.inputShape));
        if (k === null || xs.includes(null)) { // one at a time, for the errors
          for (const [j, input] of part.entries()) {
            results.push(await batchItem(offset + start + j, () => call(m.predict, handle, input, options)));
          }
          continue;
        }
        for (const [j, x] of xs.entries()) {
          await batchItem(offset + start + j, () => {
            stage(OP_BATCH, handle, x);
            fast('featuremap_place', OP_BATCH, handle, j, xs.length);
          });
        }
        const probs = outputs(fast('featuremap_run', OP_BATCH, handle, xs.length, -1), xs.length, info.outputs);
        results.push(...probs.map((p) => ({ probs: p, top: top(p, k, info.labels) })));
      }
      return results;
    },
    weights: (handle, layerName) => call(m.weights, handle, layerName),
    dispose: (handle) => {
      call(m.dispose, handle);
    },
  };
  const fm = Object.freeze({
    version: engine.version,
    simd: engine.simd,
    ops: Object.freeze(Object.fromEntries(OP_NAMES.map((n) => [n, (...args) => call(op[n], ...args)]))),
    loadModel: (source, options) => loadModel(backend, source, options, { wasmURL: wasmURL === undefined ? undefined : url.href, simd, module }),
    memoryBytes: () => {
      checkStopped();
      return instance.exports.mem.buffer.byteLength;
    },
  });
  internals.set(fm, { backend });
  return fm;
}

/**
 * loadWorkerModel is featuremap.worker.js's loadModel: bytes (its own
 * copy) loaded into fm, a local engine, keeping nothing for a
 * predictBatch pool. Not part of the API.
 */
export function loadWorkerModel(fm, bytes, weights) {
  return loadModel(internals.get(fm).backend, bytes, weights ? { weights } : {}, null);
}

// initWorker starts the engine in a module worker (featuremap.worker.js, a
// file next to this one: CSPs without blob: allow it) and proxies the API
// to it with postMessage. Arguments are copied (structured clone); buffers
// this module made itself (fetched files, pixels read from a canvas) and
// results are transferred.
async function initWorker({ wasmURL, simd, module }) {
  const { rpc, info, backend, engineURL } = await startWorker({ wasmURL, simd, module });
  const ops = Object.fromEntries(OP_NAMES.map((n) => [n, (...args) => rpc.call('op', [n, ...args.map((a) => plain(a, 0))])]));
  return Object.freeze({
    version: info.version,
    simd: info.simd,
    ops: Object.freeze(ops),
    loadModel: (source, options) => loadModel(backend, source, options, { wasmURL: engineURL, simd, module }),
    memoryBytes: () => rpc.call('memoryBytes', []),
    terminate: () => rpc.terminate(),
  });
}

// startWorker starts an engine in a worker: it resolves to its RPC channel
// (connect), the engine's { version, simd }, the model backend and the
// engine's URL. A module (WebAssembly.Module) is posted to the worker, which
// instantiates it without fetching or compiling anything; the worker starts
// loading its scripts while a promised module still compiles.
async function startWorker({ wasmURL, simd, module }) {
  const url = new URL('featuremap.worker.js', import.meta.url);
  if (!isNode && typeof Worker !== 'function') {
    throw new Error('init: worker: true, but this runtime has no Worker; omit worker or pass false');
  }
  let worker;
  try {
    worker = isNode
      ? new (await import('node:worker_threads')).Worker(url)
      : new Worker(url, { type: 'module' });
  } catch (err) { // e.g. featuremap.js imported from another origin
    throw new Error(`init: cannot start the worker ${url}: ${err.message}`, { cause: err });
  }
  const rpc = connect(worker);
  const engineURL = wasmURL === undefined ? undefined : (await resolveURL(wasmURL)).href;
  let info;
  try {
    info = await rpc.call('init', [module === undefined ? { wasmURL: engineURL, simd } : { simd, module: await compiledModule(module) }]);
  } catch (err) {
    rpc.terminate();
    throw err;
  }
  const backend = {
    load: (bytes, transfer, shards) => rpc.call('loadModel', shards ? [bytes, shards] : [bytes], transfer),
    predict: (handle, input, options) => rpc.call('predict', [handle, input.value, plain(options, 0)], input.transfer),
    activations: (handle, input) => rpc.call('activations', [handle, input.value], input.transfer),
    inspect: (handle, input, options) => rpc.call('inspect', [handle, input.value, plain(options, 0)], input.transfer),
    predictChunk: (handle, inputs, options, offset) => rpc.call('predictChunk', [handle, inputs.map((x) => x.value), plain(options, 0), offset], inputs.flatMap((x) => x.transfer)),
    weights: (handle, layerName) => rpc.call('weights', [handle, layerName]),
    dispose: (handle) => {
      // Only a stopped worker rejects this, and then it holds nothing to free.
      rpc.call('dispose', [handle]).catch(() => {});
    },
  };
  return { rpc, info, backend, engineURL };
}

// connect returns an RPC channel to worker: call(method, args, transfer)
// resolves with the worker's result or rejects with an Error carrying its
// message. In Node the worker keeps the process alive only while calls are
// pending.
function connect(worker) {
  const pending = new Map();
  let nextID = 0;
  let stopped = null; // the Error that stopped the worker
  const idle = () => {
    if (isNode) {
      if (pending.size === 0) worker.unref(); else worker.ref();
    }
  };
  const fail = (err) => {
    stopped ??= err;
    for (const p of pending.values()) {
      p.reject(stopped);
    }
    pending.clear();
    idle();
  };
  // A reply with engineStopped: the worker's engine died; this call, every
  // pending one and every later one reject with its reason, and the worker
  // (and its memory) goes. The next init() starts a fresh one.
  const onMessage = ({ id, ok, value, message, engineStopped }) => {
    const p = pending.get(id);
    pending.delete(id);
    idle();
    if (ok) {
      p?.resolve(value);
    } else if (engineStopped) {
      const err = new EngineStoppedError(message);
      p?.reject(err);
      fail(err);
      worker.terminate();
    } else {
      p?.reject(new Error(message));
    }
  };
  if (isNode) {
    worker.on('message', onMessage);
    worker.on('error', (err) => fail(new Error(`featuremap: the worker failed: ${err.message}`, { cause: err })));
    worker.on('exit', (code) => fail(new Error(`featuremap: the worker exited (code ${code}); call init() again`)));
  } else {
    worker.addEventListener('message', (e) => onMessage(e.data));
    worker.addEventListener('error', (e) => {
      e.preventDefault();
      fail(new Error(`featuremap: the worker failed: ${e.message ?? 'could not start featuremap.worker.js'}`));
    });
    worker.addEventListener('messageerror', () => fail(new Error('featuremap: a worker message could not be read')));
  }
  idle();
  return {
    call(method, args, transfer = []) {
      if (stopped) {
        return Promise.reject(stopped);
      }
      const id = ++nextID;
      return new Promise((resolve, reject) => {
        try {
          worker.postMessage({ id, method, args }, transfer);
        } catch (err) {
          // DataCloneError: an argument (such as a function) cannot be sent.
          reject(new Error(`${method === 'op' ? args[0] : method}: cannot send the arguments to the worker: ${err.message}`, { cause: err }));
          return;
        }
        pending.set(id, { resolve, reject });
        idle();
      });
    },
    terminate() {
      fail(new Error('featuremap: the worker was terminated; call init() again'));
      worker.terminate();
    },
  };
}

// FETCH_OPTIONS are fetchModelFile's options, which loadModel takes too.
const FETCH_OPTIONS = ['onProgress', 'cache'];
const LOAD_OPTIONS = [...FETCH_OPTIONS, 'weights', 'workers'];

// The most engine workers a model's predictBatch pool starts by default.
const MAX_DEFAULT_WORKERS = 8;

/** The Cache API cache that loadModel(url, { cache: true }) uses. */
export const MODEL_CACHE = 'featuremap-models-v1';

// loadModel reads a weight file or an ONNX model from source (URL, path or
// bytes; told apart by content, and converted by weightFile) and loads
// it with backend (this thread's engine or the worker's). A TensorFlow.js
// model.json (it starts with "{") also needs the weight files its
// weightsManifest lists: from options.weights (path → bytes), else fetched
// relative to the model.json's URL. engine holds the init options
// ({ wasmURL, simd }) that predictBatch's workers start with.
async function loadModel(backend, source, options = {}, engine) {
  const { onProgress, cache } = fetchOptions('loadModel', options, LOAD_OPTIONS);
  const weights = own(options, 'weights');
  if (weights !== undefined && (weights === null || typeof weights !== 'object')) {
    throw new Error(`loadModel: weights must be an object mapping weight file paths to bytes, got ${describe(weights)}`);
  }
  const workers = own(options, 'workers');
  if (workers !== undefined && !(Number.isInteger(workers) && workers >= 1 && workers <= 64)) {
    throw new Error(`loadModel: workers must be an integer from 1 to 64, got ${String(workers)}`);
  }
  let bytes, url;
  let owned = true; // whether bytes may be transferred (not the caller's buffer)
  if (typedArrayName(source) === 'Uint8Array') { // also another realm's, and Node's Buffer
    [bytes, owned] = [source, false];
  } else if (isArrayBuffer(source)) {
    [bytes, owned] = [new Uint8Array(source), false];
  } else if (typeof source === 'string' || source instanceof URL) {
    url = await resolveSource(source);
    bytes = await fetchModel('loadModel', url, onProgress, cache);
  } else {
    throw new Error(`loadModel: source must be a URL (string or URL), an ArrayBuffer or a Uint8Array, got ${describe(source)}`);
  }
  const groups = tfjsWeightPaths(bytes);
  let shards = null; // a model.json's weight files: path → Uint8Array
  if (groups) {
    shards = {};
    for (const p of groups.flat()) {
      const given = weights?.[p];
      if (given instanceof Uint8Array || given instanceof ArrayBuffer) {
        shards[p] = new Uint8Array(given);
      } else if (given !== undefined) {
        throw new Error(`loadModel: weights['${p}'] must be a Uint8Array or ArrayBuffer, got ${describe(given)}`);
      } else if (url) {
        if (p.split('/').some((s) => s === '' || s === '.' || s === '..') || /[\\:?#]/.test(p)) {
          throw new Error(`loadModel: model.json lists the weight file '${p}', which is not a plain relative path`);
        }
        shards[p] = await fetchModel('loadModel', new URL(p, url), onProgress, cache);
      } else {
        throw new Error(`loadModel: this TensorFlow.js model.json needs its weight file '${p}': load the model.json by URL, or pass weights: { '${p}': bytes, … }`);
      }
    }
  } else if (weights !== undefined) {
    throw new Error('loadModel: weights is only for a TensorFlow.js model.json (this is a weight file or an ONNX model)');
  }
  // What predictBatch's workers load, later: the file again from its URL,
  // or a copy of the caller's bytes (which the caller may change), with a
  // model.json's weight files; nothing for the models of
  // featuremap.worker.js (engine null).
  const file = engine === null ? null : owned && !shards ? url : bytes.slice();
  const metadata = safetensorsMetadata(bytes); // before load transfers bytes
  const info = await backend.load(bytes, owned ? [bytes.buffer] : [], shards);
  return newModel({ ...info, metadata }, backend, { ...engine, file, shards, cache, workers });
}

// MAX_METADATA_HEADER bounds the safetensors header safetensorsMetadata
// decodes (the safetensors format's own limit is 100 MB).
const MAX_METADATA_HEADER = 100 << 20;

// safetensorsMetadata returns the string values of a safetensors file's
// "__metadata__" (8-byte little-endian header length, then the JSON
// header), or {} when bytes is not such a file (ONNX, TensorFlow.js) or
// has none. The engine validates the file itself; this only reads.
function safetensorsMetadata(bytes) {
  if (bytes.length < 8) {
    return {};
  }
  const n = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
  if (n > BigInt(Math.min(bytes.length - 8, MAX_METADATA_HEADER)) || bytes[8] !== 0x7b) {
    return {};
  }
  let meta;
  try {
    meta = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + Number(n))))?.__metadata__;
  } catch {
    return {};
  }
  const out = {};
  if (meta !== null && typeof meta === 'object') {
    for (const [k, v] of Object.entries(meta)) {
      if (typeof v === 'string') out[k] = v;
    }
  }
  return out;
}

// tfjsWeightPaths returns the weight file paths of each weightsManifest
// group when bytes is a TensorFlow.js model.json (it starts with "{"),
// null otherwise.
function tfjsWeightPaths(bytes) {
  const first = bytes.findIndex((b) => b !== 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d);
  if (bytes[first] !== 0x7b) {
    return null;
  }
  let json;
  try {
    json = JSON.parse(new TextDecoder().decode(bytes));
  } catch (err) {
    throw new Error(`loadModel: the file starts like a TensorFlow.js model.json but is not JSON: ${err.message}`, { cause: err });
  }
  const manifest = json?.weightsManifest;
  if (!Array.isArray(manifest) || !manifest.every((g) => Array.isArray(g?.paths) && g.paths.every((p) => typeof p === 'string'))) {
    throw new Error('loadModel: model.json needs a weightsManifest: [{ paths: [string, …], weights: […] }, …]');
  }
  return manifest.map((g) => g.paths);
}

// tfjsGroups joins a model.json's weight files into the converter's second
// argument: one [first path, bytes] pair per weightsManifest
// group, its files concatenated in order.
function tfjsGroups(bytes, shards) {
  return tfjsWeightPaths(bytes).map((paths) => {
    const parts = paths.map((p) => shards[p]);
    const joined = new Uint8Array(parts.reduce((n, b) => n + b.length, 0));
    let at = 0;
    for (const b of parts) {
      joined.set(b, at);
      at += b.length;
    }
    return [paths[0] ?? '', joined];
  });
}

// Models to convert: the engine reads featuremap weight files only. An
// ONNX model or a TensorFlow.js model.json (with its weight files) goes
// first through featuremap.convert.wasm (wasm/converter), a second Go
// module beside the engine's file holding the importers, which would
// otherwise make up a third of the engine. It is fetched and compiled the
// first time a thread converts (then kept compiled); each conversion runs
// in a fresh instance, let go afterwards, so that the memory it took (the
// model twice over) goes with it. predictBatch's workers convert again.
const CONVERTER_FILE = 'featuremap.convert.wasm';
const CONVERTER_NAME = '__featuremap_converter'; // wasm/converter's globalName
const converters = new Map(); // converter URL → Promise of its WebAssembly.Module

// isONNX reports whether bytes start like an ONNX ModelProto and not like
// a weight file (whose JSON header opens at byte 8), as model/convert's
// Load tells them apart: by the key of a field exporters write first
// (ir_version, producer_name, producer_version, graph or opset_import).
const isONNX = (bytes) => !(bytes.length > 8 && bytes[8] === 0x7b) && [0x08, 0x12, 0x1a, 0x3a, 0x42].includes(bytes[0]);

// weightFile returns bytes as the engine loads them: a weight file (or
// anything else the engine will report on) as it is, an ONNX model or a
// model.json with its weight files (shards, path → bytes) converted by the
// converter next to engineURL.
async function weightFile(bytes, shards, engineURL) {
  if (!shards && !isONNX(bytes)) {
    return bytes;
  }
  const url = new URL(CONVERTER_FILE, engineURL);
  if (!converters.has(url.href)) {
    const compiled = compileModule(url);
    converters.set(url.href, compiled);
    compiled.catch(() => converters.delete(url.href)); // try again next time
  }
  let module;
  try {
    module = await converters.get(url.href);
  } catch (err) {
    throw new Error(`loadModel: cannot load the model converter ${url}: ${err.message}`, { cause: err });
  }
  const go = new globalThis.Go();
  go.env = {};
  let exitCode;
  const exit = go.exit;
  go.exit = (code) => {
    exitCode = code;
    exit.call(go, code);
  };
  go.run(await WebAssembly.instantiate(module, go.importObject));
  const converter = globalThis[CONVERTER_NAME];
  delete globalThis[CONVERTER_NAME];
  const result = converter?.convert(bytes, shards ? tfjsGroups(bytes, shards) : undefined);
  if (go.exited) { // out of memory, say: the runtime printed why on the console
    throw new Error(`loadModel: the model converter ${url} stopped (exit code ${exitCode})`);
  }
  if (result instanceof Error) {
    throw result;
  }
  return result;
}

// compileModule compiles the WebAssembly module at url: from the file
// system for file: URLs (Node), else with fetch, streaming when the server
// sends application/wasm.
async function compileModule(url) {
  if (url.protocol === 'file:') {
    const { readFile } = await import('node:fs/promises');
    return WebAssembly.compile(await readFile(url));
  }
  const response = await fetch(url);
  if (!response.ok) {
    throw new Error(`HTTP ${response.status} ${response.statusText}`);
  }
  const type = response.headers.get('Content-Type') ?? '';
  if (typeof WebAssembly.compileStreaming === 'function' && type.split(';')[0].trim() === 'application/wasm') {
    return WebAssembly.compileStreaming(response);
  }
  return WebAssembly.compile(await response.arrayBuffer());
}

// newModel is the model object of a loaded file: info comes from the
// engine's loadModel ({ handle, name, labels, inputShape, summary }); pool
// says how predictBatch starts its workers ({ wasmURL, simd, file, cache,
// workers }).
function newModel(info, backend, pool) {
  let disposed = false;
  const { handle } = info;
  const local = { ...info, outputs: size(info.summary.layers.at(-1).outputShape) };
  let workers = null; // predictBatch's pool: a Promise of startPool's engines
  const stopPool = () => {
    const started = workers;
    workers = null;
    started?.then((ws) => ws.forEach((w) => w.terminate()), () => {});
  };
  const model = Object.freeze({
    name: info.name,
    labels: Object.freeze([...info.labels]),
    inputShape: Object.freeze([...info.inputShape]),
    summary() {
      if (disposed) {
        throw new Error('summary: model is disposed (load it again to use it)');
      }
      return structuredClone(info.summary);
    },
    metadata() {
      return { ...info.metadata };
    },
    async predict(input, options) {
      return backend.predict(handle, await engineInput('predict', input), options, local);
    },
    async activations(input) {
      return backend.activations(handle, await engineInput('activations', input), local);
    },
    async inspect(input, options) {
      return backend.inspect(handle, await engineInput('inspect', input), options, local);
    },
    async predictBatch(inputs, options) {
      if (disposed) {
        throw new Error('predictBatch: model is disposed (load it again to use it)');
      }
      if (!Array.isArray(inputs)) {
        throw new Error(`predictBatch: inputs must be an array of inputs, got ${describe(inputs)}`);
      }
      const topK = batchTopK(options);
      const xs = [];
      for (const [i, input] of inputs.entries()) {
        xs.push(await engineInput(`predictBatch: inputs[${i}]`, input));
      }
      if (pool.file === null) {
        throw new Error('predictBatch: not available in an engine worker');
      }
      workers ??= startPool(pool);
      const ws = await workers.catch((err) => {
        workers = null;
        throw err;
      });
      // Chunks of BATCH inputs, each taken by the next worker that is free
      // (one chunk at a time per worker), so that a worker slowed down by
      // other work on its core does not hold the rest up, as fixed shares
      // would; the results go back in input order.
      const results = [];
      let next = 0;
      let failed = false;
      const work = async (w) => {
        while (!failed && next < xs.length) {
          const offset = next;
          next += BATCH;
          try {
            results[offset / BATCH] = await w.backend.predictChunk(w.handle, xs.slice(offset, offset + BATCH), { topK }, offset);
          } catch (err) {
            failed = true;
            throw err;
          }
        }
      };
      try {
        await Promise.all(ws.map(work));
        return results.flat();
      } catch (err) {
        if (err instanceof EngineStoppedError) {
          stopPool(); // the next call starts a fresh pool
        }
        throw err;
      }
    },
    // Sync in this thread (like summary), a Promise in worker mode.
    weights(layerName) {
      return backend.weights(handle, layerName);
    },
    dispose() {
      disposed = true;
      stopPool();
      backend.dispose(handle);
    },
  });
  internals.set(model, { backend, handle, info: local });
  return model;
}


/**
 * predictChunk is featuremap.worker.js's side of predictBatch: it predicts
 * inputs (engine inputs, as engineInput makes them) with model in one
 * engine, in batches, naming input i of the whole batch as offset+i in
 * errors. Not part of the API.
 */
export function predictChunk(model, inputs, options, offset) {
  const { backend, handle, info } = internals.get(model);
  return backend.predictChunk(handle, inputs, options, offset, info);
}

// startPool starts pool.workers (default: the number of cores, at most
// MAX_DEFAULT_WORKERS) engines in workers and loads the model into each;
// it resolves to [{ backend, handle, terminate }].
async function startPool({ wasmURL, simd, module, file, shards, cache, workers }) {
  let n = workers;
  if (n === undefined) {
    const cores = isNode ? (await import('node:os')).availableParallelism() : globalThis.navigator?.hardwareConcurrency;
    n = Math.min(Math.max(cores || 1, 1), MAX_DEFAULT_WORKERS);
  }
  const fail = (err) => new Error(`predictBatch: cannot start the engine workers: ${err.message}`, { cause: err });
  const bytes = file instanceof URL ? await fetchModel('predictBatch', file, undefined, cache) : file;
  const started = await Promise.allSettled(Array.from({ length: n }, () => startWorker({ wasmURL, simd, module })));
  const engines = started.filter((r) => r.status === 'fulfilled').map((r) => r.value);
  const failed = started.find((r) => r.status === 'rejected');
  if (failed) {
    engines.forEach((e) => e.rpc.terminate());
    throw fail(failed.reason);
  }
  try {
    const infos = await Promise.all(engines.map((e) => e.backend.load(bytes, [], shards))); // each a copy
    return engines.map((e, i) => ({ backend: e.backend, handle: infos[i].handle, terminate: () => e.rpc.terminate() }));
  } catch (err) {
    engines.forEach((e) => e.rpc.terminate());
    throw fail(err);
  }
}

// engineInput turns a predict or activations input into what the engine
// reads: tensors and Float32Arrays as they are, images (ImageData, canvas,
// <img>, ImageBitmap, <video>) as RGBA pixels { width, height, data }. It
// returns { value, transfer }: the buffers this function made, which worker
// mode transfers.
async function engineInput(op, input) {
  const is = (name) => typeof globalThis[name] === 'function' && input instanceof globalThis[name];
  if (is('ImageData')) {
    return { value: { width: input.width, height: input.height, data: input.data }, transfer: [] };
  }
  let width, height;
  if (is('HTMLImageElement')) {
    if (!input.complete || input.naturalWidth === 0) {
      try {
        await input.decode();
      } catch (err) {
        throw new Error(`${op}: the <img> ${input.currentSrc || input.src} cannot be decoded: ${err.message}`, { cause: err });
      }
    }
    [width, height] = [input.naturalWidth, input.naturalHeight];
  } else if (is('HTMLVideoElement')) {
    [width, height] = [input.videoWidth, input.videoHeight];
  } else if (is('HTMLCanvasElement') || is('OffscreenCanvas') || is('ImageBitmap')) {
    [width, height] = [input.width, input.height];
  } else {
    return { value: input, transfer: [] };
  }
  if (!(width > 0 && height > 0)) {
    throw new Error(`${op}: the ${input.constructor.name} is empty (${width}×${height} pixels)`);
  }
  const canvas = typeof OffscreenCanvas === 'function'
    ? new OffscreenCanvas(width, height)
    : Object.assign(document.createElement('canvas'), { width, height });
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  ctx.drawImage(input, 0, 0);
  let data;
  try {
    ({ data } = ctx.getImageData(0, 0, width, height));
  } catch (err) {
    throw new Error(`${op}: cannot read the ${input.constructor.name}'s pixels (a cross-origin image needs CORS): ${err.message}`, { cause: err });
  }
  return { value: { width, height, data }, transfer: [data.buffer] };
}

// Op codes of the engine's fast path (models.OpNames) and its input kinds
// (models.KindFloats, KindPixels).
const [OP_PREDICT, OP_ACTIVATIONS, OP_BATCH, OP_INSPECT] = [0, 1, 2, 3];
const [KIND_FLOATS, KIND_PIXELS] = [0, 1];
// BATCH is the number of examples an engine runs at once in predictBatch
// (at most models.MaxBatch), and the chunk a pool worker takes at a time.
const BATCH = 8;
// MAX_SIDE bounds image widths and heights, as the engine's integers.
const MAX_SIDE = 2 ** 24;

// size is the product of shape.
const size = (shape) => shape.reduce((a, b) => a * b, 1);

// fastInput returns what the engine's fast path reads of an input (as
// engineInput returns it): { kind, data, width, height } for a
// Float32Array, a tensor { shape, data } of the model's input shape
// ([H, W, C] or [1, H, W, C]) and pixels { width, height, data:
// Uint8ClampedArray | Uint8Array }, or null for anything else, which the
// engine's generic path reads (and mostly reports as wrong). Like plain,
// it reads own properties only. The engine checks sizes and limits either
// way.
function fastInput(input, inputShape) {
  if (typedArrayName(input) === 'Float32Array') {
    return { kind: KIND_FLOATS, data: input, width: 0, height: 0 };
  }
  if (input === null || typeof input !== 'object' || typedArrayName(input) !== undefined || Array.isArray(input)) {
    return null;
  }
  const keys = Object.keys(input);
  if (keys.includes('shape')) {
    const [shape, data] = [own(input, 'shape'), own(input, 'data')];
    const n = size(inputShape);
    const ok = Array.isArray(shape) && typedArrayName(data) === 'Float32Array' && data.length === n &&
      [inputShape, [1, ...inputShape]].some((want) => shape.length === want.length && shape.every((d, i) => d === want[i]));
    return ok ? { kind: KIND_FLOATS, data, width: 0, height: 0 } : null;
  }
  if (keys.includes('width')) {
    const [width, height, data] = [own(input, 'width'), own(input, 'height'), own(input, 'data')];
    const side = (v) => Number.isInteger(v) && v >= 1 && v <= MAX_SIDE;
    const name = typedArrayName(data);
    const ok = side(width) && side(height) && (name === 'Uint8ClampedArray' || name === 'Uint8Array');
    return ok ? { kind: KIND_PIXELS, data, width, height } : null;
  }
  return null;
}

// fastTopK returns topK from predict's options, or null when the options
// are not plainly valid (then the engine's generic path reports them).
function fastTopK(options) {
  if (options === undefined) {
    return DEFAULT_TOP_K;
  }
  if (options === null || typeof options !== 'object' || Array.isArray(options) || typedArrayName(options) !== undefined) {
    return null;
  }
  const keys = Object.keys(options);
  if (keys.some((k) => k !== 'topK')) {
    return null;
  }
  const k = own(options, 'topK');
  if (k === undefined) {
    return DEFAULT_TOP_K;
  }
  return Number.isInteger(k) && k >= 1 && k <= MAX_SIDE ? k : null;
}

// batchTopK returns topK from predictBatch's options, as predict reads
// them, or throws an Error naming what is wrong.
function batchTopK(options) {
  const k = fastTopK(options);
  if (k !== null) {
    return k;
  }
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new Error(`predictBatch: options must be an object, got ${describe(options)}`);
  }
  const unknown = Object.keys(options).find((key) => key !== 'topK');
  if (unknown !== undefined) {
    throw new Error(`predictBatch: unknown option '${unknown}' (known: topK)`);
  }
  throw new Error(`predictBatch: topK must be a positive integer, got ${describe(own(options, 'topK'))}`);
}

// DEFAULT_TOP_K is models.DefaultTopK.
const DEFAULT_TOP_K = 5;

// compare orders numbers as Go's cmp.Compare orders float32s: NaN first.
const compare = (x, y) => {
  if (Number.isNaN(x) || Number.isNaN(y)) {
    return Number.isNaN(x) ? (Number.isNaN(y) ? 0 : -1) : 1;
  }
  return x < y ? -1 : x > y ? 1 : 0;
};

// top is model.Net.Top: the k largest probabilities, largest first, ties
// in index order, as [{ index, label, p }] (label '' past the labels).
function top(probs, k, labels) {
  const idx = Array.from(probs.keys()).sort((a, b) => compare(probs[b], probs[a])); // a stable sort
  return idx.slice(0, k).map((index) => ({ index, label: labels[index] ?? '', p: probs[index] }));
}

// batchItem runs fn for predictBatch's input i, naming it in fn's errors
// ("predict: …" or "predictBatch: …" becomes "predictBatch: inputs[i]: …").
async function batchItem(i, fn) {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof EngineStoppedError || !(err instanceof Error)) {
      throw err;
    }
    throw new Error(err.message.replace(/^(predict|predictBatch): /, `predictBatch: inputs[${i}]: `), { cause: err });
  }
}

// resolveSource resolves a model URL: relative to the page in browsers; in
// Node, a string without a scheme is a file path.
async function resolveSource(source) {
  if (source instanceof URL) {
    return source;
  }
  if (isNode && !/^[a-z][a-z0-9+.-]+:/i.test(source)) {
    const { pathToFileURL } = await import('node:url');
    const { resolve } = await import('node:path');
    return pathToFileURL(resolve(source));
  }
  return resolveURL(source);
}

/**
 * fetchModelFile reads a model file as loadModel reads a URL (the model
 * cache with cache: true, progress with onProgress), without an engine:
 * a page can start the download while the engine still starts, then
 * pass the bytes to loadModel.
 * @param {string | URL} source
 * @param {{ cache?: boolean, onProgress?: (p: import('./featuremap.d.ts').LoadProgress) => void }} [options]
 * @returns {Promise<Uint8Array>}
 */
export async function fetchModelFile(source, options = {}) {
  const { onProgress, cache } = fetchOptions('fetchModelFile', options, FETCH_OPTIONS);
  if (typeof source !== 'string' && !(source instanceof URL)) {
    throw new Error(`fetchModelFile: source must be a URL (string or URL), got ${describe(source)}`);
  }
  return fetchModel('fetchModelFile', await resolveSource(source), onProgress, cache);
}

// fetchOptions checks the options of op (loadModel, fetchModelFile): an
// object with only the known keys, and returns its onProgress (a function
// or undefined) and cache (a boolean, default false).
function fetchOptions(op, options, known) {
  if (options === null || typeof options !== 'object') {
    throw new Error(`${op}: options must be an object, got ${String(options)}`);
  }
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) {
      throw new Error(`${op}: unknown option '${key}' (known: ${known.join(', ')})`);
    }
  }
  const onProgress = own(options, 'onProgress');
  const cache = own(options, 'cache') ?? false;
  if (onProgress !== undefined && typeof onProgress !== 'function') {
    throw new Error(`${op}: onProgress must be a function, got ${String(onProgress)}`);
  }
  if (typeof cache !== 'boolean') {
    throw new Error(`${op}: cache must be a boolean, got ${String(cache)}`);
  }
  return { onProgress, cache };
}

// fetchModel reads the file at url for op (which its errors name): file:
// URLs from disk (Node), others with fetch, reporting progress, and with
// cache through the Cache API where there is one (browsers and their
// workers; Node has none).
async function fetchModel(op, url, onProgress, cache) {
  if (url.protocol === 'file:') {
    const { readFile } = await import('node:fs/promises');
    let bytes;
    try {
      bytes = new Uint8Array(await readFile(url));
    } catch (err) {
      throw new Error(`${op}: cannot read ${url}: ${err.message}`, { cause: err });
    }
    onProgress?.({ loaded: bytes.length, total: bytes.length });
    return bytes;
  }
  const store = cache && typeof caches === 'object' ? await caches.open(MODEL_CACHE) : null;
  const hit = await store?.match(url.href);
  if (hit) {
    return readBody(hit, onProgress);
  }
  let response;
  try {
    response = await fetch(url);
  } catch (err) {
    throw new Error(`${op}: cannot fetch ${url}: ${err.message}`, { cause: err });
  }
  if (!response.ok) {
    throw new Error(`${op}: cannot fetch ${url}: HTTP ${response.status} ${response.statusText}`);
  }
  const bytes = await readBody(response, onProgress);
  if (store) {
    const headers = { 'Content-Type': 'application/octet-stream', 'Content-Length': String(bytes.length) };
    try {
      await store.put(url.href, new Response(bytes, { headers }));
    } catch (err) {
      console.warn(`featuremap: cannot cache ${url} (${err.message}); it will be downloaded again next time`);
    }
  }
  return bytes;
}

// readBody reads a response's body, calling onProgress({ loaded, total })
// after every chunk; total is undefined while unknown and equals loaded on
// the last call. The body arrives decoded, so total is Content-Length for
// an identity response and, for a compressed one (Content-Encoding), the
// decoded size that tools/serve sends as X-Decoded-Content-Length.
async function readBody(response, onProgress) {
  const encoded = (response.headers.get('Content-Encoding') ?? 'identity') !== 'identity';
  const length = Number(response.headers.get(encoded ? 'X-Decoded-Content-Length' : 'Content-Length'));
  const total = Number.isSafeInteger(length) && length > 0 ? length : undefined;
  if (!response.body) {
    const bytes = new Uint8Array(await response.arrayBuffer());
    onProgress?.({ loaded: bytes.length, total: bytes.length });
    return bytes;
  }
  const reader = response.body.getReader();
  const chunks = [];
  let loaded = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) {
      break;
    }
    chunks.push(value);
    loaded += value.length;
    if (onProgress && loaded < (total ?? Infinity)) {
      onProgress({ loaded, total });
    }
  }
  const bytes = new Uint8Array(loaded);
  let off = 0;
  for (const c of chunks) {
    bytes.set(c, off);
    off += c.length;
  }
  onProgress?.({ loaded, total: loaded });
  return bytes;
}

// describe names a value's type for messages.
function describe(v) {
  if (v === null || typeof v !== 'object') {
    return typeof v === 'string' ? JSON.stringify(v) : String(v);
  }
  return v.constructor?.name ?? 'Object';
}

// plain copies the arrays and objects of an argument into plain data (own
// enumerable properties only; typed arrays and buffers by reference) before
// the engine sees it, so that user code such as a throwing getter runs
// here, in JavaScript, and never while Go is reading. Keys are defined, not
// assigned, so an own "__proto__" key (as JSON.parse makes) stays a key
// that the engine reports as unknown instead of becoming the copy's
// prototype. The engine bounds what it reads (a depth of 6, 64 array
// elements); copying stops a little deeper, which also breaks cycles.
function plain(v, depth) {
  if (v === null || typeof v !== 'object' || ArrayBuffer.isView(v) || isArrayBuffer(v) || depth > 8) {
    return v;
  }
  if (Array.isArray(v)) {
    return v.length > 64 ? v : v.map((e) => plain(e, depth + 1));
  }
  return Object.fromEntries(Object.keys(v).map((key) => [key, plain(v[key], depth + 1)]));
}

function checkInitOptions(options) {
  if (options === null || typeof options !== 'object') {
    throw new Error(`init: options must be an object, got ${String(options)}`);
  }
  for (const key of Object.keys(options)) {
    if (!INIT_OPTIONS.includes(key)) {
      throw new Error(`init: unknown option '${key}' (known: ${INIT_OPTIONS.join(', ')})`);
    }
  }
  const wasmURL = own(options, 'wasmURL');
  const simd = own(options, 'simd') ?? 'auto';
  const worker = own(options, 'worker') ?? false;
  if (simd !== 'auto' && simd !== true && simd !== false) {
    throw new Error(`init: simd must be 'auto', true or false, got ${JSON.stringify(simd) ?? String(simd)}`);
  }
  if (typeof worker !== 'boolean') {
    throw new Error(`init: worker must be a boolean, got ${String(worker)}`);
  }
  if (wasmURL !== undefined && typeof wasmURL !== 'string' && !(wasmURL instanceof URL)) {
    throw new Error(`init: wasmURL must be a string or a URL, got ${String(wasmURL)}`);
  }
  const module = own(options, 'module');
  if (module !== undefined && !(module instanceof WebAssembly.Module) && typeof module?.then !== 'function') {
    throw new Error(`init: module must be a WebAssembly.Module or a Promise of one, got ${describe(module)}`);
  }
  if (module !== undefined && wasmURL !== undefined) {
    throw new Error('init: pass wasmURL or module, not both');
  }
  return { wasmURL, simd, worker, module };
}

// compiledModule awaits init's module option: a WebAssembly.Module or a
// promise of one.
async function compiledModule(module) {
  let m;
  try {
    m = await module;
  } catch (err) {
    throw new Error(`init: module: ${err.message}`, { cause: err });
  }
  if (!(m instanceof WebAssembly.Module)) {
    throw new Error(`init: module must resolve to a WebAssembly.Module, got ${describe(m)}`);
  }
  return m;
}

// resolveURL resolves a relative wasmURL against the page (browsers and
// workers) or the current directory (Node).
async function resolveURL(u) {
  if (u instanceof URL) {
    return u;
  }
  let base = globalThis.document?.baseURI ?? globalThis.location?.href;
  if (base === undefined && isNode) {
    const { pathToFileURL } = await import('node:url');
    base = pathToFileURL(`${process.cwd()}/`);
  }
  return new URL(u, base);
}

// instantiate compiles and instantiates the module at url: from the file
// system for file: URLs (Node), else with fetch, streaming when the server
// sends application/wasm.
async function instantiate(url, imports) {
  if (url.protocol === 'file:') {
    const { readFile } = await import('node:fs/promises');
    return WebAssembly.instantiate(await readFile(url), imports);
  }
  const response = await fetch(url);
  if (!response.ok) {
    throw new Error(`HTTP ${response.status} ${response.statusText}`);
  }
  const type = response.headers.get('Content-Type') ?? '';
  if (typeof WebAssembly.instantiateStreaming === 'function' && type.split(';')[0].trim() === 'application/wasm') {
    return WebAssembly.instantiateStreaming(response, imports);
  }
  return WebAssembly.instantiate(await response.arrayBuffer(), imports);
}
