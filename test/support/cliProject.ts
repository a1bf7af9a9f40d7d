import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Result, ResultPromise } from 'execa';

/** A fresh project folder for CLI tests, with `files` (relative path -> content) written in it. */
export function makeProject(prefix: string, files: Readonly<Record<string, string>>): string {
  const project = mkdtempSync(join(tmpdir(), prefix));
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(project, path)), { recursive: true });
    writeFileSync(join(project, path), content);
  }
  return project;
}

/** Sends SIGINT to a running kconn once its stderr shows `text` (or after `waitMs`), and returns how it ended. */
export async function interruptWhen(child: ResultPromise, text: string, waitMs = 60_000): Promise<Result> {
  let seen = '';
  child.stderr?.on('data', (d: Buffer) => (seen += d.toString()));
  const deadline = Date.now() + waitMs;
  while (!seen.includes(text) && Date.now() < deadline) await new Promise((res) => setTimeout(res, 100));
  child.kill('SIGINT');
  return child;
}
