import { access, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { downloadVerified, type FetchLike } from './downloadVerified.js';
import type { DownloadStep } from './stepRunner.js';
import { applyToolMirror } from './toolMirror.js';

const DONE = '.kconn-complete';

/**
 * A plan's download step: fetch the tarball, verify it (pinned sha256, else the `.sha256` file published next to it),
 * extract it into the step's folder, and mark the folder complete. A complete folder is reused by every later run.
 */
export async function downloadAndExtract(step: DownloadStep, opts: { signal?: AbortSignal; fetch?: FetchLike; log?: (line: string) => void } = {}): Promise<void> {
  if (await access(join(step.into, DONE)).then(() => true, () => false)) return;
  const work = await mkdtemp(join(tmpdir(), 'kconn-download-'));
  try {
    const url = applyToolMirror(step.url);
    const file = join(work, 'archive.tgz');
    await downloadVerified(url, file, {
      ...(step.sha256 ? { sha256: step.sha256 } : { checksumUrl: `${url}.sha256` }),
      ...(opts.fetch ? { fetch: opts.fetch } : {}),
      ...(opts.signal ? { signal: opts.signal } : {}),
      ...(opts.log ? { log: opts.log } : {}),
    });
    await rm(step.into, { recursive: true, force: true });
    await mkdir(step.into, { recursive: true });
    await execa('tar', ['-xzf', file, '-C', step.into], opts.signal ? { cancelSignal: opts.signal } : {});
    await writeFile(join(step.into, DONE), `${step.url}\n`);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
