import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { delimiter, isAbsolute, join } from 'node:path';

/** Finds an executable by name the way a POSIX shell would; injectable so callers can be tested without the machine. */
export type LookPath = (name: string, env: NodeJS.ProcessEnv) => Promise<string | undefined>;

/** True when `path` is a regular file (after symlinks) that this process may execute. */
export async function isExecutableFile(path: string): Promise<boolean> {
  try {
    if (!(await stat(path)).isFile()) return false;
    await access(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * First executable regular file called `name` in the directories of env.PATH, in order (what `command -v` answers,
 * without a shell). Empty and relative PATH entries are skipped: they mean "the current directory", and kconn never
 * runs a tool from wherever it happens to be started.
 */
export const lookPath: LookPath = async (name, env) => {
  if (name.includes('/')) throw new Error(`lookPath wants a bare command name, got ${JSON.stringify(name)}`);
  for (const dir of (env['PATH'] ?? '').split(delimiter)) {
    if (!dir || !isAbsolute(dir)) continue;
    const candidate = join(dir, name);
    if (await isExecutableFile(candidate)) return candidate;
  }
  return undefined;
};
