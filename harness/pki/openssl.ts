import { randomBytes } from 'node:crypto';
import { chmod, writeFile } from 'node:fs/promises';
import { execa } from 'execa';

// What every certificate kconn makes needs (the run's CA and the external endpoint's certificate in external/, the
// mesh CA of each cluster in mesh/istio/): openssl run with argument arrays, serials, private files.

/** A random positive 127-bit serial for openssl -set_serial (RFC 5280: unique per CA, at most 20 octets). */
export function randomSerial(): string {
  return `0x${(randomBytes(16)[0]! & 0x7f).toString(16).padStart(2, '0')}${randomBytes(15).toString('hex')}`;
}

/** Writes a file only its owner may read, whatever the umask (also when it existed). */
export async function writePrivate(path: string, content: string): Promise<void> {
  await writeFile(path, content, { mode: 0o600 });
  await chmod(path, 0o600); // mode applies only when the file is created
}

/** Runs openssl with an argument array (no shell) in `dir`; a missing openssl or a failure is one plain sentence. */
export async function openssl(dir: string, args: string[]): Promise<void> {
  try {
    await execa('openssl', args, { cwd: dir, stdin: 'ignore' });
  } catch (e) {
    const err = e as { code?: string; stderr?: string; shortMessage?: string };
    if (err.code === 'ENOENT') throw new Error('openssl is not on PATH: kconn signs the run\'s certificates (external endpoint, mesh CA) with it (Debian: apt-get install openssl)', { cause: e });
    throw new Error(`openssl ${args[0] ?? ''} failed: ${(err.stderr ?? err.shortMessage ?? String(e)).trim()}`, { cause: e });
  }
}
