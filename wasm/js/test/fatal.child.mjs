// Run by hostile.test.mjs in a child process whose wasm memories are capped
// at 256 MiB (node --wasm-max-mem-pages=4096, as a phone's browser caps them
// lower than a desktop's):
//
//	node --wasm-max-mem-pages=4096 fatal.child.mjs local|worker MODEL INPUT.f32
//
// It loads MODEL and predicts INPUT, then makes the Go runtime die with one
// fm.ops.conv2d whose output (2^27 floats, 512 MiB) passes every argument
// check (the engine allows tensors of up to 2^27 elements) but does not fit
// the capped memory: Go's allocator cannot grow the memory and the runtime
// stops with "fatal error: out of memory", as it would on any device for a
// large enough request. It records how that call, the calls pending at the
// time and later calls settle, then predicts with a fresh engine from
// init(). The Go runtime's own output (its goroutine dump) goes to stdout
// too, so the result is the last line, after "RESULT ".
import { readFileSync } from 'node:fs';

const { init, EngineStoppedError } = await import(new URL('../../../dist/featuremap/featuremap.js', import.meta.url).href);
const [mode, modelPath, inputPath] = process.argv.slice(2);
const worker = mode === 'worker';
const x = new Float32Array(new Uint8Array(readFileSync(inputPath)).buffer);

// settle runs f and describes how it ended.
const settle = (f) => Promise.resolve().then(f).then(
  (v) => ({ ok: true, type: typeof v }),
  (e) => ({ ok: false, stopped: e instanceof EngineStoppedError, name: e?.name, message: e?.message }),
);

const start = performance.now();
const out = {};
const fm = await init({ worker });
const model = await fm.loadModel(modelPath);
out.before = Array.from((await model.predict(x)).probs);

const ones = (shape) => ({ shape, data: new Float32Array(shape.reduce((p, n) => p * n, 1)).fill(1) });
const pendingLoad = settle(() => fm.loadModel(modelPath)); // reads the file first
const fatal = settle(() => fm.ops.conv2d(ones([1, 1, 4096, 1]), ones([1, 1, 1, 32768])));
const pendingPredict = settle(() => model.predict(x)); // behind the fatal call
out.fatal = await fatal;
out.fatalMs = performance.now() - start;
out.pending = [await pendingPredict, await pendingLoad];
out.later = [
  await settle(() => fm.ops.relu(ones([1]))),
  await settle(() => model.predict(x)),
  await settle(() => model.activations(x)),
  await settle(() => fm.memoryBytes()),
  await settle(() => fm.loadModel(modelPath)),
];
fm.terminate?.();

const fresh = await init({ worker });
const again = await fresh.loadModel(modelPath);
out.after = Array.from((await again.predict(x)).probs);
fresh.terminate?.();
out.maxRSSKiB = process.resourceUsage().maxRSS;
out.totalMs = performance.now() - start;
console.log(`RESULT ${JSON.stringify(out)}`);
