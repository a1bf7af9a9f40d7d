import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { MAX_EXPANDED_VALUES, MAX_FILE_BYTES, parseYamlFile, readYamlFile, readYamlFileSync } from '../../../harness/load/yamlFile.js';

// YAML files to values with positions: which document a path is in, the text a value was written as, where a byte
// that is not UTF-8 sits, the limits exactly at their edge. Inputs are made inside each `it`.

async function withFile(name: string, bytes: Buffer | string, body: (path: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'kconn-yaml-'));
  try {
    writeFileSync(join(dir, name), bytes);
    await body(join(dir, name));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('YAML files: documents, positions, bytes and limits', () => {
  it('empty documents are skipped, and each kept document locates its own fields', () => {
    const parsed = parseYamlFile('f.yaml', '---\n# nothing\n---\na: 1\n---\n---\nb:\n  c: 0123\n  d:\n---\n');
    expect(parsed.errors).to.deep.equal([]);
    expect(parsed.documents.map((d) => d.value)).to.deep.equal([{ a: 1 }, { b: { c: 123, d: null } }]);
    expect(parsed.documents.map((d) => d.index)).to.deep.equal([0, 1]);
    const [first, second] = parsed.documents;
    expect(first!.diagnostic(['a'], 'm')).to.deep.equal({ file: 'f.yaml', line: 4, col: 4, path: 'a', message: 'm' });
    expect(second!.diagnostic(['b', 'c'], 'm')).to.include({ line: 8, col: 6, path: 'b.c' });
    expect(second!.diagnostic(['b', 'c'], 'm', { key: true })).to.include({ line: 8, col: 3 });
    // A missing field: its nearest parent.
    expect(second!.diagnostic(['b', 'nope', 'deeper'], 'm')).to.include({ line: 8, col: 3, path: 'b.nope.deeper' });
    // The text as written, not as read.
    expect(second!.sourceText(['b', 'c'])).to.equal('0123');
    expect(second!.sourceText(['b', 'nope'])).to.equal(undefined);
    expect(first!.sourceText(['a'])).to.equal('1');
  });

  it('sourceText: list items and quoted scalars, trimmed', () => {
    const [doc] = parseYamlFile('f.yaml', 'list:\n  - "x y"   # comment\n  - 1.10\n').documents;
    expect(doc!.sourceText(['list', 0])).to.equal('"x y"');
    expect(doc!.sourceText(['list', 1])).to.equal('1.10');
    expect(doc!.sourceText(['list', 2])).to.equal(undefined);
    expect(doc!.sourceText(['list', 'x'])).to.equal(undefined);
    expect(doc!.diagnostic(['list', 5], 'm')).to.include({ line: 2, col: 3 });
  });

  it('syntax errors: every one of the file, located, on one line each', () => {
    const parsed = parseYamlFile('f.yaml', 'a: [1, 2\nb: 1\nb: 2\n');
    expect(parsed.documents).to.deep.equal([]);
    expect(parsed.errors.length).to.be.greaterThan(0);
    for (const e of parsed.errors) {
      expect(e.file).to.equal('f.yaml');
      expect(e.message).to.match(/^YAML syntax error: [^\n]+$/);
      expect(e.message).to.not.match(/ at line \d+, column \d+/);
    }
    const dup = parseYamlFile('f.yaml', 'x: 1\nb: 1\nb: 2\n');
    expect(dup.errors).to.deep.equal([{ file: 'f.yaml', line: 3, col: 1, path: '', message: 'YAML syntax error: Map keys must be unique' }]);
  });

  it('a document of more than the limit of values once aliases are expanded is refused; one at the limit loads', () => {
    // A list of n items is n + 1 values.
    const list = (n: number) => `[${'1,'.repeat(n - 1)}1]\n`;
    expect(parseYamlFile('f.yaml', list(MAX_EXPANDED_VALUES - 1)).errors).to.deep.equal([]);
    expect(parseYamlFile('f.yaml', list(MAX_EXPANDED_VALUES)).errors).to.deep.equal([
      { file: 'f.yaml', line: 1, col: 1, path: '', message: `document too large once its aliases are expanded (more than ${MAX_EXPANDED_VALUES} values); write it without aliases` },
    ]);
  });

  it('a merge key is refused at the key', () => {
    const parsed = parseYamlFile('f.yaml', 'base: &b {x: 1}\nitem:\n  <<: *b\n  y: 2\n');
    expect(parsed.errors).to.deep.equal([{ file: 'f.yaml', line: 3, col: 3, path: 'item.<<', message: 'YAML merge keys (<<) are not supported; write the fields out' }]);
  });

  it('a byte that is not UTF-8 is located by line, column and offset, even right after a multi-byte character', async () => {
    const bytes = Buffer.concat([Buffer.from('a: 1\nb: é'), Buffer.from([0xff]), Buffer.from('\n')]);
    await withFile('x.yaml', bytes, async (path) => {
      const expected = { file: 'x.yaml', line: 2, col: 6, path: '', message: 'the file is not UTF-8 (invalid byte 0xff at byte 10); save it as UTF-8' };
      expect((await readYamlFile(path, 'x.yaml')).errors).to.deep.equal([expected]);
      expect(readYamlFileSync(path, 'x.yaml').errors).to.deep.equal([expected]);
    });
    // A lead byte with its continuation missing: the lead byte is named. A stray continuation byte first in the file.
    await withFile('y.yaml', Buffer.concat([Buffer.from('a: '), Buffer.from([0xc3, 0x41])]), async (path) => {
      expect((await readYamlFile(path, 'y.yaml')).errors[0]).to.include({ line: 1, col: 4, message: 'the file is not UTF-8 (invalid byte 0xc3 at byte 3); save it as UTF-8' });
    });
    await withFile('z.yaml', Buffer.from([0x80, 0x41]), async (path) => {
      expect((await readYamlFile(path, 'z.yaml')).errors[0]).to.include({ line: 1, col: 1, message: 'the file is not UTF-8 (invalid byte 0x80 at byte 0); save it as UTF-8' });
    });
  });

  it('a file that cannot be opened, or a folder, gives a message; a file at the size limit is read', async () => {
    expect((await readYamlFile('/nonexistent/kconn/x.yaml', 'x.yaml')).errors).to.deep.equal([{ file: 'x.yaml', line: 1, col: 1, path: '', message: 'cannot read the file: ENOENT' }]);
    expect(readYamlFileSync('/nonexistent/kconn/x.yaml', 'x.yaml').errors[0]!.message).to.equal('cannot read the file: ENOENT');
    expect(readYamlFileSync(tmpdir(), 'tmp').errors[0]!.message).to.equal('not a regular file (a directory): kconn reads only regular files');
    await withFile('big.yaml', `a: "${'x'.repeat(MAX_FILE_BYTES - 6)}"\n`, async (path) => {
      const parsed = await readYamlFile(path, 'big.yaml');
      expect(parsed.errors).to.deep.equal([]);
      expect(parsed.documents).to.have.length(1);
      expect(readYamlFileSync(path, 'big.yaml').errors).to.deep.equal([]);
    });
    await withFile('bigger.yaml', `a: "${'x'.repeat(MAX_FILE_BYTES - 5)}"\n`, async (path) => {
      expect(readYamlFileSync(path, 'bigger.yaml').errors[0]!.message).to.equal(`file too large: ${MAX_FILE_BYTES + 1} bytes (limit 4 MiB)`);
    });
  });
});
