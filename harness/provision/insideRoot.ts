import { realpath, rm, rmdir } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';

/** A path kconn was about to remove lies outside the folder it owns. Nothing was removed. */
export class OutsideRootError extends Error {
  constructor(
    readonly root: string,
    readonly path: string,
    why: string,
  ) {
    super(`refusing to remove ${path}: ${why}; kconn only removes what lies inside ${root}`);
    this.name = 'OutsideRootError';
  }
}

/** True when `path` lies strictly below `root` (both absolute and normalised); the root itself is not inside. */
function strictlyBelow(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel !== '' && rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel);
}

/** realpath of `path`, or, for a path that does not exist (yet), realpath of its nearest existing ancestor joined with the rest. */
async function realpathOrAncestor(path: string): Promise<string> {
  try {
    return await realpath(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if ((code !== 'ENOENT' && code !== 'ENOTDIR') || dirname(path) === path) throw e;
    return join(await realpathOrAncestor(dirname(path)), basename(path));
  }
}

/**
 * Throws OutsideRootError unless `path` lies strictly inside `root`, both as written (`..` segments resolved) and after
 * every symbolic link is followed (a run folder that is a link to a folder elsewhere is outside). The root itself is
 * never "inside". Paths that do not exist yet are judged by their nearest existing ancestor.
 */
export async function assertInside(root: string, path: string): Promise<void> {
  const lexicalRoot = resolve(root);
  const lexical = resolve(path);
  if (!strictlyBelow(lexicalRoot, lexical)) throw new OutsideRootError(root, path, lexical === lexicalRoot ? 'it is the folder itself' : 'it is not inside that folder');
  const [realRoot, real] = await Promise.all([realpathOrAncestor(lexicalRoot), realpathOrAncestor(lexical)]);
  if (!strictlyBelow(realRoot, real)) throw new OutsideRootError(root, path, `it resolves to ${real} (through a symbolic link)`);
}

/** `rm -rf path`, only after assertInside(root, path). The only way kconn removes a folder tree. */
export async function removeInside(root: string, path: string): Promise<void> {
  await assertInside(root, path);
  await rm(path, { recursive: true, force: true });
}

/** `rmdir path` (empty folders only), only after assertInside(root, path). */
export async function removeEmptyDirInside(root: string, path: string): Promise<void> {
  await assertInside(root, path);
  await rmdir(path);
}
