import { access, chmod, copyFile, mkdir, mkdtemp, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { execa } from 'execa';
import { downloadVerified, type FetchLike } from './downloadVerified.js';
import { removeInside } from './insideRoot.js';
import type { DownloadStep } from './stepRunner.js';
import { applyToolMirror } from './toolMirror.js';

const DONE = '.kconn-complete';

const exists = (path: string): Promise<boolean> => access(path).then(() => true, () => false);

/**
 * A plan's download step: fetch the tarball, verify it (pinned sha256, else the `.sha256` file published next to it),
 * extract it into a temporary folder beside the target and rename it into place, so a complete folder appears at once
 * and is never changed again (parallel clusters and concurrent runs may read it). Then copy the files a cluster needs
 * into that cluster's own folder.
 */
export async function downloadAndExtract(step: DownloadStep, opts: { signal?: AbortSignal; fetch?: FetchLike; log?: (line: string) => void } = {}): Promise<void> {
  if (!(await exists(join(step.into, DONE)))) {
    await mkdir(dirname(step.into), { recursive: true });
    const work = await mkdtemp(`${step.into}.partial-`);
    try {
      const url = applyToolMirror(step.url);
      const file = join(work, 'archive.tgz');
      await downloadVerified(url, file, {
        ...(step.sha256 ? { sha256: step.sha256 } : { checksumUrl: `${url}.sha256` }),
        ...(opts.fetch ? { fetch: opts.fetch } : {}),
        ...(opts.signal ? { signal: opts.signal } : {}),
        ...(opts.log ? { log: opts.log } : {}),
      });
      const extracted = join(work, 'extracted');
      await mkdir(extracted);
      await execa('tar', ['-xzf', file, '-C', extracted], opts.signal ? { cancelSignal: opts.signal } : {});
      await writeFile(join(extracted, DONE), `${step.url}\n`);
      // Another process may have finished first: keep its complete folder, drop ours.
      if (!(await exists(join(step.into, DONE)))) await rename(extracted, step.into).catch(async (e: NodeJS.ErrnoException) => {
        if (!(await exists(join(step.into, DONE)))) throw e;
      });
    } finally {
      // The work folder is a sibling of step.into, inside the same cache folder.
      await removeInside(dirname(step.into), work);
    }
  }
  if (step.copy) {
    await mkdir(step.copy.to, { recursive: true });
    for (const f of step.copy.files) {
      await copyFile(join(step.into, f), join(step.copy.to, f));
      await chmod(join(step.copy.to, f), 0o755);
    }
  }
}
