// A fresh Node process running one engine on one weight file, started by
// bench.mjs:
//
//	node child.mjs cold ENGINE FILE [ONNXFILE]
//	    loads (ORT: from ONNXFILE, the bench's ONNX model of FILE, as ORT's
//	    users load an .onnx file; this process then reads only FILE's
//	    header), predicts one input, prints one JSON line { ms, rssMiB } and
//	    exits: ms is the time from this process's start to the first result,
//	    rssMiB its peak resident set size: VmHWM of /proc/self/status, not
//	    getrusage's ru_maxrss, which Linux carries over from the parent
//	    through fork and exec (it would report the bench's own size).
//	node child.mjs serve ENGINE FILE THREADS     (with an IPC channel)
//	    loads once, then answers { batch: n } messages with { ms } for one
//	    predictBatch of n inputs; exits when the parent disconnects.
import { closeSync, existsSync, openSync, readFileSync, readSync } from 'node:fs';
import { open } from './engines.mjs';
import { randomInputs, readHeader } from './weights.mjs';

const [mode, engine, file, arg] = process.argv.slice(2);
const onnxFile = mode === 'cold' ? arg : undefined;
const threads = mode === 'serve' ? Number(arg) : 1;
const bytes = onnxFile ? headerOf(file) : readFileSync(file);
const onnx = onnxFile && readFileSync(onnxFile);
const model = await open(engine, bytes, { threads, onnx });
const { arch } = readHeader(bytes);

if (mode === 'cold') {
  const [x] = randomInputs(arch, 1);
  await model.predict(x);
  const ms = performance.now();
  console.log(JSON.stringify({ ms, rssMiB: peakRSSKiB() / 1024 }));
  process.exit(0); // ORT's and the engine's workers would keep the process alive
} else if (mode === 'serve') {
  process.on('disconnect', () => process.exit(0));
  process.on('message', async ({ batch }) => {
    const xs = randomInputs(arch, batch, 7);
    const t0 = performance.now();
    await model.predictBatch(xs);
    process.send({ ms: performance.now() - t0 });
  });
  process.send({ ready: true });
} else {
  throw new Error(`child.mjs: unknown mode ${JSON.stringify(mode)} (cold or serve)`);
}

// peakRSSKiB returns this process's peak resident set size in KiB.
function peakRSSKiB() {
  const status = '/proc/self/status';
  const m = existsSync(status) && readFileSync(status, 'utf8').match(/^VmHWM:\s+(\d+) kB$/m);
  if (!m) {
    throw new Error(`child.mjs: no VmHWM line in ${status}: the peak RSS needs Linux`);
  }
  return Number(m[1]);
}

// headerOf returns the first bytes of the safetensors file at path: the
// header's length and the header, which is all readHeader needs.
function headerOf(path) {
  const fd = openSync(path, 'r');
  try {
    const len = Buffer.alloc(8);
    readSync(fd, len, 0, 8, 0);
    const out = Buffer.alloc(8 + Number(len.readBigUInt64LE(0)));
    readSync(fd, out, 0, out.length, 0);
    return out;
  } finally {
    closeSync(fd);
  }
}
