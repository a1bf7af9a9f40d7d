import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { expect } from 'chai';

// The rooms of harness/ and their floors (ARCHITECTURE.md): a file imports only from its own room or from a room on
// a lower floor, so data flows one way (cli -> session -> provision / run -> kube / probe -> model) and no two rooms
// need each other. Every import counts: static, `import type`, `export ... from` and dynamic `import()`.
const FLOORS: Readonly<Record<string, number>> = {
  cli: 9,
  session: 8,
  external: 7,
  report: 7,
  run: 6,
  provision: 5,
  load: 5,
  plan: 4,
  kube: 3,
  probe: 3,
  mesh: 3,
  cni: 3,
  gateway: 3,
  pki: 2,
  model: 1,
};

/** Most lines of one file of harness/: past it a file holds more than one concept (split by concept, not by count). */
const MAX_LINES = 300;

const ROOT = 'harness';

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? tsFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

/** Every relative import of a file, as the file it names (harness/room/...). */
function importsOf(file: string, text: string): string[] {
  const specs = [...text.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+)['"](\.{1,2}\/[^'"]+)['"]/gm)].map((m) => m[1]!);
  return specs.map((s) => normalize(join(dirname(file), s)).replace(/\.js$/, '.ts'));
}

const roomOf = (file: string): string => relative(ROOT, file).split('/')[0]!;

describe('architecture: rooms, floors and file sizes of harness/ (ARCHITECTURE.md)', () => {
  const files = tsFiles(ROOT);
  const edges = files.flatMap((file) => importsOf(file, readFileSync(file, 'utf8')).map((target) => ({ file, target })));

  it('reads every kind of import (the check can see what it must forbid)', () => {
    const sample = "import a from './a.js';\nimport type { B } from '../b/b.js';\nexport { c } from '../c/c.js';\nconst d = await import('../../d/d.js');\nimport './e.js';";
    expect(importsOf('harness/x/y/f.ts', sample)).to.deep.equal(['harness/x/y/a.ts', 'harness/x/b/b.ts', 'harness/x/c/c.ts', 'harness/d/d.ts', 'harness/x/y/e.ts']);
    expect(edges.length, 'the harness has imports').to.be.greaterThan(500);
  });

  it('every room has a floor, and every import stays in its room or goes down a floor', () => {
    const rooms = new Set(files.map(roomOf).filter((r) => !r.endsWith('.ts')));
    expect([...rooms].filter((r) => FLOORS[r] === undefined), 'rooms without a floor (add them to FLOORS and ARCHITECTURE.md)').to.deep.equal([]);
    const upward = edges
      .filter(({ file, target }) => roomOf(file) !== roomOf(target))
      .filter(({ file, target }) => (FLOORS[roomOf(target)] ?? 0) >= (FLOORS[roomOf(file)] ?? 0))
      .map(({ file, target }) => `${file} -> ${target}`);
    expect(upward, 'imports that go up a floor or sideways between rooms').to.deep.equal([]);
  });

  it('no cycle between rooms', () => {
    const next = new Map<string, Set<string>>();
    for (const { file, target } of edges) {
      const [a, b] = [roomOf(file), roomOf(target)];
      if (a !== b) next.set(a, (next.get(a) ?? new Set()).add(b));
    }
    const cycles: string[] = [];
    const walk = (room: string, path: string[]): void => {
      for (const n of next.get(room) ?? []) {
        if (n === path[0]) cycles.push([...path, n].join(' -> '));
        else if (!path.includes(n)) walk(n, [...path, n]);
      }
    };
    for (const room of next.keys()) walk(room, [room]);
    expect(cycles).to.deep.equal([]);
  });

  it('no cycle between files either (type imports included)', () => {
    const next = new Map<string, string[]>();
    for (const { file, target } of edges) next.set(file, [...(next.get(file) ?? []), target]);
    const cycles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const visit = (file: string, path: string[]): void => {
      state.set(file, 'open');
      for (const n of next.get(file) ?? []) {
        if (state.get(n) === 'open') cycles.push([...path.slice(path.indexOf(n)), n].join(' -> '));
        else if (!state.has(n)) visit(n, [...path, n]);
      }
      state.set(file, 'done');
    };
    for (const file of files) if (!state.has(file)) visit(file, [file]);
    expect(cycles).to.deep.equal([]);
  });

  it(`no file of harness/ is longer than ${MAX_LINES} lines`, () => {
    const long = files.map((f) => ({ f, n: readFileSync(f, 'utf8').split('\n').length - 1 })).filter(({ n }) => n > MAX_LINES);
    expect(long.map(({ f, n }) => `${f}: ${n}`)).to.deep.equal([]);
  });
});
