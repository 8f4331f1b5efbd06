// The three engines behind one interface: open(engine, bytes, options)
// resolves to { predict, predictBatch, pool?, dispose } (see buildFM,
// buildTF, buildORT), all built from the same featuremap weight file.
import { buildFM } from './featuremap.mjs';
import { readWeightFile } from './weights.mjs';

/** The engines, in the order the tables list them. */
export const ENGINES = ['featuremap', 'tfjs', 'ort'];

/** open builds engine's model of the weight file bytes. */
export async function open(engine, bytes, { threads = 1 } = {}) {
  switch (engine) {
    case 'featuremap':
      return buildFM(bytes);
    case 'tfjs': {
      const { buildTF } = await import('./tfjs.mjs');
      return buildTF(readWeightFile(bytes));
    }
    case 'ort': {
      const { buildORT } = await import('./ort.mjs');
      return buildORT(readWeightFile(bytes), { threads });
    }
  }
  throw new Error(`bench: unknown engine ${JSON.stringify(engine)} (known: ${ENGINES.join(', ')})`);
}
