import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FIXTURES } from '../../support/paths.js';

export const JUNIT_XSD = join(FIXTURES, 'junit', 'junit.xsd');

export const XMLLINT_MISSING =
  'xmllint is not installed, and the JUnit XML schema check needs it: install it (Debian/Ubuntu: apt-get install -y libxml2-utils); CI must install it too (.ci/run)';

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function run(args: readonly string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    execFile('xmllint', args, { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err && (err as NodeJS.ErrnoException).code === 'ENOENT') return reject(new Error(XMLLINT_MISSING));
      if (err && typeof err.code !== 'number') return reject(err);
      resolve({ code: err ? Number(err.code) : 0, stdout, stderr });
    });
  });
}

/** Runs xmllint on XML documents written to a private temporary folder. */
export class Xmllint {
  private dir: string | undefined;
  private n = 0;

  private async file(xml: string): Promise<string> {
    this.dir ??= await mkdtemp(join(tmpdir(), 'kconn-junit-'));
    const path = join(this.dir, `doc-${++this.n}.xml`);
    await writeFile(path, xml, 'utf8');
    return path;
  }

  /** Validates against the JUnit XSD; `output` holds xmllint's messages. */
  async validate(xml: string, xsd = JUNIT_XSD): Promise<{ valid: boolean; output: string }> {
    const r = await run(['--noout', '--schema', xsd, await this.file(xml)]);
    return { valid: r.code === 0, output: (r.stdout + r.stderr).trim() };
  }

  /** Evaluates an XPath expression with a string result (as a parser reads the document back). */
  async xpathString(xml: string, expression: string): Promise<string> {
    const r = await run(['--xpath', expression, await this.file(xml)]);
    if (r.code !== 0) throw new Error(`xmllint --xpath ${expression} failed (${r.code}): ${r.stderr}`);
    // xmllint prints the string followed by one newline.
    return r.stdout.endsWith('\n') ? r.stdout.slice(0, -1) : r.stdout;
  }

  async cleanup(): Promise<void> {
    if (this.dir) await rm(this.dir, { recursive: true, force: true });
    this.dir = undefined;
  }
}
