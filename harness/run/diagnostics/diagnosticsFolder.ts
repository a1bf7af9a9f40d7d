import { mkdir, realpath, writeFile } from 'node:fs/promises';
import { isAbsolute, join, relative, sep } from 'node:path';

/** Longest folder name made from a suite or test name. */
export const MAX_NAME_LENGTH = 80;

/** What a folder or file name made by safeName (or chosen by kconn) may look like: no separators, no dot names. */
const SAFE = /^[a-z0-9][a-z0-9._-]*$/;

/**
 * A suite or test name as a folder name that is safe on every filesystem: lowercase letters, digits, `.`, `_` and `-`
 * (anything else becomes one `-`), no leading dot or dash (so never `.` or `..`), at most MAX_NAME_LENGTH characters;
 * `unnamed` when nothing is left. `client reaches echo [east]` gives `client-reaches-echo-east`.
 */
export function safeName(name: string): string {
  const cut = name
    .normalize('NFKD')
    .replace(/\p{M}/gu, '') // accents go, their letters stay
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[-._]+/, '')
    .slice(0, MAX_NAME_LENGTH)
    .replace(/[-._]+$/, '');
  return cut || 'unnamed';
}

/** safeName, made unique among `used` (case-insensitively, as names are lowercased) with `-2`, `-3`...; adds it to `used`. */
export function uniqueSafeName(name: string, used: Set<string>): string {
  const base = safeName(name);
  let candidate = base;
  for (let n = 2; used.has(candidate); n++) candidate = `${base.slice(0, MAX_NAME_LENGTH - String(n).length - 1)}-${n}`;
  used.add(candidate);
  return candidate;
}

function strictlyBelow(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel !== '' && !rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel);
}

/**
 * One test's diagnostics folder, `<root>/<suite>/<test>`. Every segment and file name must be a safe name, the folder
 * must lie inside `root` once symbolic links are followed, and files are created, never overwritten (`wx`), so
 * nothing is ever written outside it.
 */
export class DiagnosticsFolder {
  private constructor(readonly path: string) {}

  static async create(root: string, segments: readonly string[]): Promise<DiagnosticsFolder> {
    for (const s of segments) if (!SAFE.test(s)) throw new Error(`unsafe diagnostics folder name ${JSON.stringify(s)}`);
    if (segments.length === 0) throw new Error('a diagnostics folder needs a name below its root');
    const path = join(root, ...segments);
    await mkdir(path, { recursive: true });
    const [realRoot, real] = await Promise.all([realpath(root), realpath(path)]);
    if (!strictlyBelow(realRoot, real)) throw new Error(`refusing to write diagnostics to ${path}: it resolves to ${real}, outside ${realRoot}`);
    return new DiagnosticsFolder(path);
  }

  /** Writes a new file of this folder; returns its path. */
  async write(file: string, content: string | Uint8Array): Promise<string> {
    if (!SAFE.test(file)) throw new Error(`unsafe diagnostics file name ${JSON.stringify(file)}`);
    const path = join(this.path, file);
    await writeFile(path, content, { flag: 'wx', mode: 0o644 });
    return path;
  }
}
