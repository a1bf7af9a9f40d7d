// @ts-check
// Compiles harness/ to dist/ (tsc -p tsconfig.build.json, incremental) and records which sources it compiled, so
// that bin/kconn.js runs dist/ only while it matches them.
//   node scripts/build.js             compile (the `build` and `prepare` scripts)
//   node scripts/build.js --if-stale  compile only when dist/ is missing or older than the sources (the npm scripts
//                                     that run kconn: a no-op of about 0.1 s when nothing changed)
// Type errors do not stop the build (the output is plain transpilation; `npm run typecheck` is the gate for them):
// they are printed and dist/ is still recorded as current. All output goes to stderr, so that stdout stays kconn's.
import { rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { distState, sourceFingerprint, STAMP, writeStamp } from './distState.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const ifStale = process.argv.includes('--if-stale');

if (ifStale) {
  const state = distState(root);
  if (state.run === 'dist') process.exit(0);
  process.stderr.write(`kconn: ${'reason' in state ? state.reason : 'dist/ is stale'}: compiling harness/ to dist/ (tsc, incremental)\n`);
}

let tsc;
try {
  tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
} catch {
  process.stderr.write('kconn: cannot build dist/: typescript is not installed (npm ci installs it)\n');
  process.exit(1);
}

// Taken before tsc reads anything: a source edited while it compiles makes the record differ, so dist/ counts as stale.
const sources = sourceFingerprint(root);
// Until tsc has finished, dist/ may hold half-written files: no record means nobody runs it meanwhile.
rmSync(join(root, STAMP), { force: true });
const result = await execa(process.execPath, [tsc, '-p', 'tsconfig.build.json', '--pretty', 'false'], { cwd: root, reject: false, all: true });
if (result.all) process.stderr.write(`${result.all}\n`);
// tsc exit codes: 0 success, 2 errors but every output written, anything else (1) outputs skipped.
if (result.exitCode === 0 || result.exitCode === 2) {
  writeStamp(root, sources);
  if (result.exitCode === 2) process.stderr.write('kconn: dist/ built, but with the type errors above (npm run typecheck)\n');
  process.exit(0);
}
process.stderr.write(`kconn: tsc failed (exit ${result.exitCode ?? result.signal}); dist/ is not usable\n`);
process.exit(1);
