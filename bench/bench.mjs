// make bench: featuremap beside TensorFlow.js (wasm backend, XNNPACK) and
// ONNX Runtime Web (wasm) on the same weight files: their agreement, then
// single-image latency (one thread), batch throughput (one thread, the
// pool, ORT on 2 threads), cold start and peak RSS in fresh processes, all
// in Node, and latency in headless Chromium workers (browser.mjs).
//
//	node bench/bench.mjs -weights=DIR [-models=seednet,alexmnist,alexnet] [-browser=false]
//
// DIR holds MODEL.safetensors for every model (`fm init -arch MODEL -seed 1
// -int8`); the bench writes MODEL.onnx beside it. The machine's speed
// swings between phases, so every measurement alternates the engines within
// the run (rounds of k calls per engine, rotating which goes first) and the
// tables compare engines of one run.
import { fork, execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ENGINES, open } from './engines.mjs';
import { buildONNX } from './onnx.mjs';
import { median, quantile } from './stats.mjs';
import { randomInputs, readWeightFile } from './weights.mjs';

// How much of each measurement a model gets: latency rounds × calls per
// round, inputs compared for agreement, batch rounds, cold processes per
// engine. alexnet (~1.4 GFLOP a call) gets few, to keep `make bench` in
// minutes.
const PLAN = {
  seednet: { rounds: 10, calls: 40, agree: 4, batchRounds: 5, cold: 5 },
  alexmnist: { rounds: 10, calls: 8, agree: 4, batchRounds: 5, cold: 5 },
  alexnet: { rounds: 6, calls: 2, agree: 2, batchRounds: 1, cold: 3 },
};
const BATCH = 64;
const NAMES = { featuremap: 'featuremap', tfjs: 'TF.js wasm', ort: 'ORT-web wasm' };

function parseArgs(argv) {
  const args = { models: Object.keys(PLAN), weights: null, browser: true };
  for (const a of argv) {
    const [k, v] = a.replace(/^--?/, '').split('=');
    if (k === 'models') {
      args.models = v.split(',').filter(Boolean);
      const bad = args.models.filter((m) => !PLAN[m]);
      if (bad.length) throw new Error(`bench: -models: unknown ${bad.join(', ')} (known: ${Object.keys(PLAN).join(', ')})`);
    } else if (k === 'weights') {
      args.weights = v;
    } else if (k === 'browser') {
      args.browser = v !== 'false' && v !== '0';
    } else {
      throw new Error(`bench: unknown argument ${a} (known: -models=a,b -weights=DIR -browser=false)`);
    }
  }
  if (!args.weights) throw new Error('bench: -weights=DIR is required');
  return args;
}

const rotate = (xs, r) => xs.map((_, i) => xs[(i + r) % xs.length]);
const maxAbsDiff = (a, b) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);
const fmt = (v, digits = 2) => (v === undefined || v === null || Number.isNaN(v) ? 'n/a' : v.toFixed(digits));
const ms = (v) => fmt(v, v < 10 ? 2 : v < 100 ? 1 : 0);

function table(head, rows) {
  const lines = [head, head.map((_, i) => (i === 0 ? '---' : '---:')), ...rows];
  return lines.map((r) => `| ${r.join(' | ')} |`).join('\n');
}

async function time(f) {
  const t0 = performance.now();
  await f();
  return performance.now() - t0;
}

// agreement returns the max |difference| of the probabilities between every
// pair of engines over `n` inputs, and between featuremap's pool
// (model.predictBatch) and its predict when the API has it.
async function agreement(engines, arch, n) {
  const xs = randomInputs(arch, n, 3);
  const out = {};
  for (const e of ENGINES) {
    out[e] = [];
    for (const x of xs) out[e].push(await engines[e].predict(x));
  }
  if (engines.featuremap.pool) {
    out.pool = await engines.featuremap.pool(xs);
  }
  const d = (a, b) => Math.max(...xs.map((_, i) => maxAbsDiff(out[a][i], out[b][i])));
  return {
    fmTF: d('featuremap', 'tfjs'), fmORT: d('featuremap', 'ort'), tfORT: d('tfjs', 'ort'),
    pool: out.pool ? d('pool', 'featuremap') : undefined,
  };
}

// latency times single-image predictions: `rounds` rounds, each giving
// every engine `calls` calls in a rotating order.
async function latency(engines, arch, { rounds, calls }) {
  const xs = randomInputs(arch, calls, 5);
  const samples = Object.fromEntries(ENGINES.map((e) => [e, []]));
  for (const e of ENGINES) await engines[e].predict(xs[0]); // warm-up
  for (let r = 0; r < rounds; r++) {
    for (const e of rotate(ENGINES, r)) {
      for (const x of xs) samples[e].push(await time(() => engines[e].predict(x)));
    }
  }
  return Object.fromEntries(ENGINES.map((e) => [e, { median: median(samples[e]), p90: quantile(samples[e], 0.9) }]));
}

// startORT2 starts ORT with 2 threads in its own process (ORT reads its
// thread count once per process); its batch(n) resolves to the ms of one
// predictBatch of n inputs.
async function startORT2(file) {
  const child = fork(fileURLToPath(new URL('child.mjs', import.meta.url)), ['serve', 'ort', file, '2'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  let pending = null; // the reply awaited
  child.on('message', (msg) => pending?.resolve(msg));
  child.on('exit', (code) => pending?.reject(new Error(`bench: the ORT 2-thread process exited (${code})`)));
  const reply = () => new Promise((resolve, reject) => { pending = { resolve, reject }; });
  await reply(); // { ready: true }
  return {
    batch: async (n) => {
      const r = reply();
      child.send({ batch: n });
      return (await r).ms;
    },
    stop: () => child.kill(),
  };
}

// throughput measures images/s on batches of BATCH inputs: every engine on
// one thread, featuremap's worker pool (model.predictBatch) when the API
// has it, and ORT on 2 threads; `rounds` rounds in rotating order.
async function throughput(engines, arch, file, { batchRounds }) {
  const xs = randomInputs(arch, BATCH, 7);
  const runs = Object.fromEntries(ENGINES.map((e) => [e, () => engines[e].predictBatch(xs)]));
  if (engines.featuremap.pool) {
    runs.pool = () => engines.featuremap.pool(xs);
  }
  let ort2 = null;
  try {
    ort2 = await startORT2(file);
    await ort2.batch(BATCH); // warm-up
  } catch (err) {
    console.log(`(ORT with 2 threads: ${err.message})`);
    ort2 = null;
  }
  for (const run of Object.values(runs)) await run(); // warm-up at this batch size
  const kinds = [...Object.keys(runs), ...(ort2 ? ['ort2'] : [])];
  const samples = Object.fromEntries(kinds.map((k) => [k, []]));
  // CPU time of this process (all its threads: the pool's workers are
  // worker_threads) per batch of featuremap and of its pool: unlike the
  // wall time, it does not depend on how much of the machine other
  // processes take, so their ratio says how the pool would scale on idle
  // cores.
  const cpu = { featuremap: [], pool: [] };
  for (let r = 0; r < batchRounds; r++) {
    for (const k of rotate(kinds, r)) {
      const c0 = process.cpuUsage();
      samples[k].push(k === 'ort2' ? await ort2.batch(BATCH) : await time(runs[k]));
      const c = process.cpuUsage(c0);
      cpu[k]?.push((c.user + c.system) / 1000);
    }
  }
  ort2?.stop();
  const out = Object.fromEntries(kinds.map((k) => [k, (1000 * BATCH) / median(samples[k])]));
  out.cpuMs = Object.fromEntries(Object.entries(cpu).filter(([, v]) => v.length).map(([k, v]) => [k, median(v) / BATCH]));
  return out;
}

// coldStart runs `cold` fresh processes per engine (rotating order) that
// load the model and predict once; medians of their time to the first
// result and of their peak RSS. ORT loads the .onnx file written here.
function coldStart(file, bytes, { cold }) {
  const child = fileURLToPath(new URL('child.mjs', import.meta.url));
  const onnxFile = `${file.replace(/\.safetensors$/, '')}.onnx`;
  writeFileSync(onnxFile, buildONNX(readWeightFile(bytes)));
  const samples = Object.fromEntries(ENGINES.map((e) => [e, []]));
  for (let r = 0; r < cold; r++) {
    for (const e of rotate(ENGINES, r)) {
      const args = [child, 'cold', e, file, ...(e === 'ort' ? [onnxFile] : [])];
      const out = execFileSync(process.execPath, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
      samples[e].push(JSON.parse(out.trim().split('\n').at(-1)));
    }
  }
  return Object.fromEntries(ENGINES.map((e) => [e, {
    ms: median(samples[e].map((s) => s.ms)),
    rssMiB: median(samples[e].map((s) => s.rssMiB)),
  }]));
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const startedAt = performance.now();
  console.log(`featuremap bench: Node ${process.version}, ${cpus()[0]?.model ?? 'unknown CPU'}, ${availableParallelism()} cores, ${new Date().toISOString()}`);
  console.log('one thread unless stated; engines alternate within this run; medians. Compare engines within one run: the machine\'s speed varies between runs.\n');

  const results = {};
  let build;
  for (const m of args.models) {
    const file = join(args.weights, `${m}.safetensors`);
    const bytes = readFileSync(file);
    const { arch } = readWeightFile(bytes);
    const plan = PLAN[m];
    process.stderr.write(`bench: ${m}: loading the engines\n`);
    const engines = {};
    for (const e of ENGINES) engines[e] = await open(e, bytes);
    build = engines.featuremap.build;
    process.stderr.write(`bench: ${m}: agreement, latency\n`);
    const agree = await agreement(engines, arch, plan.agree);
    const lat = await latency(engines, arch, plan);
    process.stderr.write(`bench: ${m}: batch ${BATCH}\n`);
    const thr = await throughput(engines, arch, file, plan);
    for (const e of ENGINES) engines[e].dispose();
    process.stderr.write(`bench: ${m}: cold start\n`);
    const coldRes = coldStart(file, bytes, plan);
    results[m] = { agree, lat, thr, cold: coldRes, hasPool: !!engines.featuremap.pool };
  }

  console.log(`featuremap ${build}\n`);
  console.log('Agreement: max |difference| of the output probabilities on random inputs (same int8 weights, dequantised identically)');
  console.log(table(['model', 'featuremap − TF.js', 'featuremap − ORT', 'TF.js − ORT', 'featuremap pool − featuremap'],
    args.models.map((m) => [m, ...['fmTF', 'fmORT', 'tfORT', 'pool'].map((k) => results[m].agree[k]?.toExponential(1) ?? 'n/a')])));

  console.log('\nSingle-image latency, one thread (ms, median / p90)');
  console.log(table(['model', ...ENGINES.map((e) => NAMES[e]), 'featuremap / best peer'],
    args.models.map((m) => {
      const l = results[m].lat;
      return [m, ...ENGINES.map((e) => `${ms(l[e].median)} / ${ms(l[e].p90)}`),
        `${fmt(l.featuremap.median / Math.min(l.tfjs.median, l.ort.median))}×`];
    })));

  const cores = availableParallelism();
  console.log(`\nBatch-${BATCH} throughput (images/s)`);
  console.log(table(['model', ...ENGINES.map((e) => `${NAMES[e]}, 1 thread`), 'featuremap / best peer', `featuremap pool, ${cores} cores`, 'ORT-web, 2 threads'],
    args.models.map((m) => {
      const t = results[m].thr;
      return [m, ...ENGINES.map((e) => fmt(t[e], 1)), `${fmt(Math.max(t.tfjs, t.ort) / t.featuremap)}×`,
        results[m].hasPool ? fmt(t.pool, 1) : 'n/a (no model.predictBatch)', fmt(t.ort2, 1)];
    })));
  console.log(`featuremap's CPU time per image, all threads (ms; the pool's over one thread's, ~1 when the pool would scale with idle cores): ${
    args.models.map((m) => {
      const c = results[m].thr.cpuMs;
      return `${m} ${fmt(c.featuremap, 3)} (1 thread), ${fmt(c.pool, 3)} (pool): ${fmt(c.pool / c.featuremap)}`;
    }).join('; ')}`);

  console.log('\nCold start: fresh Node process → first result (ms), and the process\'s peak RSS (MiB); medians');
  console.log(table(['model', ...ENGINES.map((e) => `${NAMES[e]} ms`), ...ENGINES.map((e) => `${NAMES[e]} MiB`)],
    args.models.map((m) => {
      const c = results[m].cold;
      return [m, ...ENGINES.map((e) => fmt(c[e].ms, 0)), ...ENGINES.map((e) => fmt(c[e].rssMiB, 0))];
    })));

  if (args.browser) {
    const { browserLatency } = await import('./browser.mjs');
    process.stderr.write('bench: headless Chromium\n');
    const rows = await browserLatency(args.models, args.weights, PLAN);
    console.log('\nHeadless Chromium: single-image latency, one thread, each engine in a Web Worker (featuremap: init({ worker: true }), as the demo)');
    console.log('(ms, median / p90, in steps of 0.1 ms: the page\'s timer resolution without cross-origin isolation; "first": from loading the weight file to the first result)');
    console.log(rows.skip ?? table(['model', ...ENGINES.map((e) => NAMES[e]), 'featuremap / best peer', ...ENGINES.map((e) => `${NAMES[e]} first`)],
      rows.map((r) => [r.model, ...ENGINES.map((e) => `${ms(r[e].median)} / ${ms(r[e].p90)}`),
        `${fmt(r.featuremap.median / Math.min(r.tfjs.median, r.ort.median))}×`, ...ENGINES.map((e) => ms(r[e].first))])));
  }
  console.log(`\n(bench took ${((performance.now() - startedAt) / 1000).toFixed(0)} s)`);
}

try {
  await main();
  process.exit(0); // engine and ORT workers would keep the process alive
} catch (err) {
  console.error(err.stack ?? err.message);
  process.exit(1);
}
