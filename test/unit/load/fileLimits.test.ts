import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { formatDiagnostic } from '../../../harness/load/diagnostic.js';
import { loadProject } from '../../../harness/load/loadProject.js';
import { MAX_FILE_BYTES } from '../../../harness/load/yamlFile.js';

describe('loader: files that are not plain YAML text give a message, never a hang', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'kconn-files-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const shown = async (...paths: string[]): Promise<string[]> => (await loadProject(paths, { cwd: dir })).diagnostics.map(formatDiagnostic);

  it('a FIFO named x.yaml, given directly, in a folder, or behind a symlink, is refused at once', async function () {
    this.timeout(5000);
    execFileSync('mkfifo', [join(dir, 'x.yaml')]);
    symlinkSync(join(dir, 'x.yaml'), join(dir, 'link.yaml'));
    expect(await shown('x.yaml')).to.deep.equal(['x.yaml:1:1: not a regular file (a FIFO): kconn reads only regular files']);
    expect(await shown('.')).to.deep.equal([
      'link.yaml:1:1: not a regular file (a FIFO): kconn reads only regular files',
      'x.yaml:1:1: not a regular file (a FIFO): kconn reads only regular files',
    ]);
  });

  it('a file over the size limit is refused without being parsed', async () => {
    writeFileSync(join(dir, 'big.yaml'), `a: "${'x'.repeat(MAX_FILE_BYTES)}"\n`);
    expect(await shown('big.yaml')).to.deep.equal([`big.yaml:1:1: file too large: ${MAX_FILE_BYTES + 6} bytes (limit 4 MiB)`]);
  });

  it('a folder named like a YAML file is not read as one', async () => {
    mkdirSync(join(dir, 'clusters.yaml'));
    writeFileSync(join(dir, 'clusters.yaml', 'ok.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n');
    expect(await shown('.')).to.deep.equal([]);
  });

  it('an aliased document within the limits loads', async () => {
    writeFileSync(join(dir, 'a.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, labels: &l {x: y}}\ndata: {b: "1"}\nextra: *l\n');
    expect(await shown('a.yaml')).to.deep.equal([]);
  });

  it('more than 100 aliases in a document are refused', async () => {
    const aliases = Array.from({ length: 101 }, (_, i) => `  k${i}: *v`).join('\n');
    writeFileSync(join(dir, 'a.yaml'), `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\nv: &v x\ndata:\n${aliases}\n`);
    const lines = await shown('a.yaml');
    expect(lines).to.have.length(1);
    expect(lines[0]).to.match(/^a\.yaml:\d+:\d+: too many aliases \(limit 100 per document\)$/);
  });
});
