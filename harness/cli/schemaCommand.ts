import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SCHEMAS } from '../load/schemas.js';
import type { CommandIO } from '../session/commandIO.js';

export const SCHEMA_DIR = 'schema';

export function schemaFileName(kind: string): string {
  return `${kind.toLowerCase()}.v1alpha1.json`;
}

export function schemaText(kind: string): string {
  return `${JSON.stringify(SCHEMAS[kind], null, 2)}\n`;
}

/** `kconn schema [--check]`: writes (or checks) schema/*.json from the schemas the loader validates with. */
export async function schemaCommand(check: boolean, io: CommandIO): Promise<number> {
  let stale = 0;
  for (const kind of Object.keys(SCHEMAS)) {
    const file = join(SCHEMA_DIR, schemaFileName(kind));
    const want = schemaText(kind);
    if (check) {
      const have = await readFile(file, 'utf8').catch(() => '');
      if (have !== want) {
        io.err(`${file} is out of date: run npm run schema`);
        stale++;
      }
    } else {
      await writeFile(file, want);
      io.out(`wrote ${file}`);
    }
  }
  return stale ? 1 : 0;
}
