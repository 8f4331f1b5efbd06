// The files of the engine's build (dist/featuremap) that go into the npm
// package, shared by pack.mjs and its test.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/**
 * runtimeFiles lists the files of the build directory dir, sorted: all but
 * dot-files and precompressed copies (.br, .gz).
 */
export function runtimeFiles(dir) {
  return readdirSync(dir)
    .filter((f) => !f.startsWith('.') && !/\.(br|gz)$/.test(f) && statSync(join(dir, f)).isFile())
    .sort();
}
