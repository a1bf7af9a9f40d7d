import { mkdtempSync, mkdirSync, readFileSync, readdirSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { DiagnosticsFolder, MAX_NAME_LENGTH, safeName, uniqueSafeName } from '../../../../harness/run/diagnostics/diagnosticsFolder.js';
import { HOSTILE_RUN_IDS } from '../../../support/hostileRunIds.js';

const failure = (p: Promise<unknown>): Promise<string> => p.then(() => 'no error', (e: Error) => e.message);

describe('diagnostics folders: safe names, never outside the folder', () => {
  it('turns any test name into one safe folder name', () => {
    expect(safeName('client reaches echo over HTTP [east]')).to.equal('client-reaches-echo-over-http-east');
    expect(safeName('../../etc/passwd')).to.equal('etc-passwd');
    expect(safeName('..')).to.equal('unnamed');
    expect(safeName('.hidden')).to.equal('hidden');
    expect(safeName('a/b\\c:d*e?f"g<h>i|j\u0000k')).to.equal('a-b-c-d-e-f-g-h-i-j-k');
    expect(safeName('Ünïcödé naïve café')).to.equal('unicode-naive-cafe');
    expect(safeName('名前')).to.equal('unnamed');
    expect(safeName('x'.repeat(300))).to.have.length(MAX_NAME_LENGTH);
    for (const hostile of [...HOSTILE_RUN_IDS, '/', '.', '...', '-rf', ' ', '\n']) {
      const name = safeName(hostile);
      expect(name, JSON.stringify(hostile)).to.match(/^[a-z0-9][a-z0-9._-]*$/);
      expect(name).to.not.be.oneOf(['.', '..']);
    }
  });

  it('two tests whose names look alike get two folders', () => {
    const used = new Set<string>();
    expect(['a b', 'a/b', 'A B', 'a-b'].map((n) => uniqueSafeName(n, used))).to.deep.equal(['a-b', 'a-b-2', 'a-b-3', 'a-b-4']);
  });

  it('creates <root>/<suite>/<test> and writes new files only, with safe names only', async () => {
    const root = mkdtempSync(join(tmpdir(), 'kconn-diag-'));
    const folder = await DiagnosticsFolder.create(root, ['basic', 'echo']);
    expect(folder.path).to.equal(join(root, 'basic', 'echo'));
    await folder.write('summary.txt', 'one\n');
    expect(readFileSync(join(root, 'basic', 'echo', 'summary.txt'), 'utf8')).to.equal('one\n');
    expect(await failure(folder.write('summary.txt', 'two\n')), 'never overwrites').to.match(/EEXIST/);
    expect(await failure(folder.write('../escape.txt', 'x'))).to.equal('unsafe diagnostics file name "../escape.txt"');
    expect(await failure(folder.write('.profile', 'x'))).to.equal('unsafe diagnostics file name ".profile"');
    expect(await failure(DiagnosticsFolder.create(root, ['basic', '..']))).to.equal('unsafe diagnostics folder name ".."');
    expect(await failure(DiagnosticsFolder.create(root, ['a/b']))).to.equal('unsafe diagnostics folder name "a/b"');
    expect(readdirSync(root)).to.deep.equal(['basic']);
  });

  it('refuses a folder that a symbolic link leads outside the root', async () => {
    const root = mkdtempSync(join(tmpdir(), 'kconn-diag-'));
    const outside = mkdtempSync(join(tmpdir(), 'kconn-outside-'));
    mkdirSync(join(root, 'basic'));
    symlinkSync(outside, join(root, 'basic', 'echo'));
    expect(await failure(DiagnosticsFolder.create(root, ['basic', 'echo']))).to.match(/^refusing to write diagnostics to .*: it resolves to .*kconn-outside-.*, outside /);
    expect(readdirSync(outside)).to.deep.equal([]);
  });
});
