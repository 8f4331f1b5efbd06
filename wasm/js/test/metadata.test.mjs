// model.metadata(): the weight file's safetensors __metadata__, read in
// featuremap.js. The oracle is the shipped seednet with its __metadata__
// rewritten here (the safetensors layout: 8-byte little-endian header
// length, JSON header, tensor bytes) to hold a made-up training record.
// Run after `make build`.
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { loadModule } from '../testing/reference.mjs';

const { init } = await loadModule();

// withMetadata returns the weight file bytes with __metadata__ replaced by meta.
function withMetadata(bytes, meta) {
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true));
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
  header.__metadata__ = { ...header.__metadata__, ...meta };
  const json = new TextEncoder().encode(JSON.stringify(header));
  // Keep the tensors' offsets: they are relative to the end of the header.
  const out = new Uint8Array(8 + json.length + bytes.length - 8 - n);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(bytes.subarray(8 + n), 8 + json.length);
  return out;
}

describe('model.metadata()', () => {
  let fm;
  const file = (name) => readFileSync(new URL(`../../../site/models/${name}.safetensors`, import.meta.url));
  before(async () => {
    fm = await init();
  });

  it('returns every string of __metadata__, as a copy, in both modes', async () => {
    const history = [{ epoch: 1, loss: 0.5, test_acc: 0.9 }, { epoch: 2, loss: 0.25, test_acc: 0.95 }];
    const bytes = withMetadata(file('seednet'), { training: JSON.stringify({ history }) });
    for (const engine of [fm, await init({ worker: true })]) {
      const m = await engine.loadModel(bytes.slice());
      const meta = m.metadata();
      assert.deepEqual(Object.keys(meta).sort(), ['arch', 'format', 'training']);
      assert.equal(JSON.parse(meta.arch).name, 'seednet');
      assert.deepEqual(JSON.parse(meta.training).history, history);
      meta.training = 'changed';
      assert.notEqual(m.metadata().training, 'changed');
      m.dispose();
    }
  });

  it('the trained models carry their training history', async () => {
    for (const name of ['seednet', 'alexmnist']) {
      const m = await fm.loadModel(file(name));
      const t = JSON.parse(m.metadata().training);
      assert.equal(t.history.length, t.config.Epochs, name);
      assert.equal(t.accuracy_int8, JSON.parse(m.metadata().arch).accuracy, name);
      m.dispose();
    }
  });
});
