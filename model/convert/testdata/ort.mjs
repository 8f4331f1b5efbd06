// ort.mjs: the ONNX Runtime Web oracle for model/convert's tests.
//
//   node ort.mjs JOBS.json
//
// JOBS.json is a JSON array of {model, input, dims}: an .onnx file, a file
// of little-endian float32 values and the input's dims [N, C, H, W]. Each
// model runs in onnxruntime-web (wasm, one thread) on its input; the
// first output's values are written, as little-endian float32, to
// model + '.out', and its dims are printed as a JSON array of arrays.
import fs from 'node:fs';

const ort = await import('onnxruntime-web');
ort.env.wasm.numThreads = 1;
const jobs = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const dims = [];
for (const job of jobs) {
  try {
    await run(job);
  } catch (err) {
    process.stderr.write(`${job.model}: ${err.message}\n`);
    process.exit(1);
  }
}
process.stdout.write(JSON.stringify(dims));

async function run(job) {
  const session = await ort.InferenceSession.create(fs.readFileSync(job.model));
  const buf = fs.readFileSync(job.input);
  const data = new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
  const feeds = { [session.inputNames[0]]: new ort.Tensor('float32', data, job.dims) };
  const out = (await session.run(feeds))[session.outputNames[0]];
  fs.writeFileSync(job.model + '.out', Buffer.from(out.data.buffer, out.data.byteOffset, out.data.byteLength));
  dims.push(out.dims);
  await session.release();
}
