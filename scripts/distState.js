// @ts-check
// Whether dist/ (the compiled CLI) matches the TypeScript sources it was built from. Shared by scripts/build.js, which
// records what it compiled, and bin/launch.js, which runs dist/ only when it is current. Plain JavaScript: it must run
// before anything is compiled.
import { existsSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import process from 'node:process';

/** The compiled entry point, relative to the repository root. */
export const DIST_MAIN = join('dist', 'harness', 'cli', 'main.js');
/** The TypeScript entry point, relative to the repository root. */
export const SOURCE_MAIN = join('harness', 'cli', 'main.ts');
/** Written by scripts/build.js after a successful compile: the sources it compiled (path -> size and mtime). */
export const STAMP = join('dist', '.kconn-build.json');
/** What tsc reads besides harness/: a change to either changes the output. */
const CONFIG_FILES = ['tsconfig.json', 'tsconfig.build.json'];

/**
 * Size and modification time of every file under harness/ and of the tsc configs, keyed by path relative to `root`
 * (with `/`). Any edit, added, removed or renamed file changes it. About 2 ms for the ~110 files of harness/.
 * @param {string} root
 * @returns {Record<string, string>}
 */
export function sourceFingerprint(root) {
  /** @type {Record<string, string>} */
  const files = {};
  const add = (/** @type {string} */ path) => {
    const s = statSync(path);
    files[relative(root, path).split(sep).join('/')] = `${s.size}:${s.mtimeMs}`;
  };
  for (const entry of readdirSync(join(root, 'harness'), { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) add(join(entry.parentPath, entry.name));
  }
  for (const name of CONFIG_FILES) if (existsSync(join(root, name))) add(join(root, name));
  return files;
}

/**
 * @typedef {{ run: 'dist' } | { run: 'sources', reason: string } | { run: 'none', reason: string }} DistState
 * `dist`: dist/ matches the sources (or there are no sources, as in a copy that ships only dist/); `sources`: dist/ is
 * missing or older than the sources, which must run instead; `none`: neither can run.
 */

/**
 * @param {string} root repository root
 * @returns {DistState}
 */
export function distState(root) {
  const hasDist = existsSync(join(root, DIST_MAIN));
  if (!existsSync(join(root, SOURCE_MAIN))) {
    return hasDist ? { run: 'dist' } : { run: 'none', reason: `neither ${DIST_MAIN} nor ${SOURCE_MAIN} exists` };
  }
  if (!hasDist) return { run: 'sources', reason: 'dist/ is not built' };
  /** @type {Record<string, string>} */
  let built;
  try {
    built = JSON.parse(readFileSync(join(root, STAMP), 'utf8')).sources;
  } catch {
    return { run: 'sources', reason: 'dist/ has no build record (an interrupted or failed build)' };
  }
  const changed = firstDifference(built, sourceFingerprint(root));
  return changed === undefined ? { run: 'dist' } : { run: 'sources', reason: `dist/ is older than ${changed}` };
}

/**
 * First path whose entry differs between two fingerprints, in sorted order; undefined when they are equal.
 * @param {Record<string, string> | undefined} a
 * @param {Record<string, string>} b
 * @returns {string | undefined}
 */
function firstDifference(a, b) {
  if (a === null || typeof a !== 'object') return 'the sources (unreadable build record)';
  const paths = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
  return paths.find((p) => a[p] !== b[p]);
}

/**
 * Records `sources` (a fingerprint taken before the compile started, so that an edit made during the compile
 * counts as a change) as what dist/ was built from. Atomic: a reader sees the old record or the new one.
 * @param {string} root
 * @param {Record<string, string>} sources
 */
export function writeStamp(root, sources) {
  const tmp = join(root, `${STAMP}.${process.pid}.tmp`);
  writeFileSync(tmp, `${JSON.stringify({ sources }, null, 1)}\n`);
  renameSync(tmp, join(root, STAMP));
}
