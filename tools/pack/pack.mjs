// pack.mjs writes featuremap's npm package, DIST/featuremap-VERSION.tgz,
// from the engine's build (DIST/featuremap, `make build-engine-files`):
//
//	node tools/pack/pack.mjs [-dist dist]
//
// The package holds every file of that build, which is what featuremap.js
// loads at run time (the two wasm builds, wasm_exec.js, the worker file)
// and its TypeScript declarations, at the package's root, so that
// featuremap.js finds them next to itself (import.meta.url) wherever the
// package is installed or served; precompressed copies (.br, .gz) and
// dot-files are left out. Its package.json (package.template.json here,
// with the file list and the version filled in) maps the bare specifier
// 'featuremap' to featuremap.js for Node and browsers (`exports`), and its
// README is tools/pack/README.md. The version is the one the engine
// reports as fm.version (wasm/engine), read from the build by starting
// it. npm pack writes the tarball; the staging directory is DIST/pack.
// It prints the tarball's path.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { runtimeFiles } from './files.mjs';

const here = new URL('.', import.meta.url);
const args = process.argv.slice(2);
const dist = resolve(args[0] === '-dist' && args[1] ? args[1] : 'dist');
const build = join(dist, 'featuremap');
const stage = join(dist, 'pack');

const files = runtimeFiles(build);
if (!files.includes('featuremap.js')) {
  throw new Error(`pack: ${join(build, 'featuremap.js')} is missing: run make build-engine-files first`);
}

// The version: what the built engine reports (one place: wasm/engine).
const { init } = await import(pathToFileURL(join(build, 'featuremap.js')).href);
const { version } = await init({ simd: false });
if (!/^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/.test(version)) {
  throw new Error(`pack: the engine reports version ${JSON.stringify(version)}, which is not semver`);
}

const pkg = JSON.parse(readFileSync(new URL('package.template.json', here), 'utf8'));
pkg.version = version;
pkg.files = files;

rmSync(stage, { recursive: true, force: true });
mkdirSync(stage, { recursive: true });
for (const f of files) {
  copyFileSync(join(build, f), join(stage, f));
}
copyFileSync(new URL('README.md', here), join(stage, 'README.md'));
writeFileSync(join(stage, 'package.json'), `${JSON.stringify(pkg, null, 2)}\n`);
const out = execFileSync('npm', ['pack', '--pack-destination', dist, '--json'], { cwd: stage, encoding: 'utf8' });
const [{ filename, size, unpackedSize, files: packed }] = JSON.parse(out);
for (const f of packed) {
  console.log(`${String(f.size).padStart(9)}  ${f.path}`);
}
console.log(`${join(dist, filename)}: ${packed.length} files, ${size} bytes (${unpackedSize} unpacked)`);
process.exit(0); // the engine started for its version keeps Node alive
