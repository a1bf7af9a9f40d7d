import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { expect } from 'chai';
import { formatDiagnostic, isError, type Diagnostic } from '../../../harness/load/diagnostic.js';
import { loadProject } from '../../../harness/load/loadProject.js';
import { FIXTURES, REPO_ROOT } from '../../support/paths.js';

/**
 * Each bad-input fixture states the diagnostics it must produce in `# expect: LINE[:COL] TEXT` comments:
 * a diagnostic at that line (and column) whose `path: message` contains TEXT. Every diagnostic must be expected,
 * and every expectation met, so a fixture also proves that nothing spurious is reported.
 */
/** `[warning: ]path: message`, what an expectation's TEXT is matched against. */
const tail = (d: Diagnostic): string => formatDiagnostic(d).replace(/^[^:]*:\d+:\d+: /, '');

interface Expectation {
  line: number;
  col?: number;
  text: string;
}

function expectationsOf(file: string): Expectation[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .map((l) => /^# expect: (\d+)(?::(\d+))? (.+)$/.exec(l))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ line: Number(m[1]), ...(m[2] ? { col: Number(m[2]) } : {}), text: m[3]! }));
}

const cases: { name: string; target: string; files: string[] }[] = [
  ...readdirSync(join(FIXTURES, 'invalid'))
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => ({ name: f, target: join(FIXTURES, 'invalid', f), files: [join(FIXTURES, 'invalid', f)] })),
  {
    name: 'cross (suite names clusters the topology lacks)',
    target: join(FIXTURES, 'cross'),
    files: readdirSync(join(FIXTURES, 'cross')).map((f) => join(FIXTURES, 'cross', f)),
  },
  {
    name: 'truth-table (a suite and the policy files its truth table names, problems located in each)',
    target: join(FIXTURES, 'truth-table'),
    files: readdirSync(join(FIXTURES, 'truth-table')).map((f) => join(FIXTURES, 'truth-table', f)),
  },
];

describe('loader: bad input gets a precise error', () => {
  for (const c of cases) {
    it(`${c.name}`, async () => {
      const project = await loadProject([c.target], { cwd: REPO_ROOT });
      const expected = c.files.filter((f) => statSync(f).isFile()).flatMap((f) => expectationsOf(f).map((e) => ({ ...e, file: relative(REPO_ROOT, f) })));
      expect(expected.length, 'fixture declares no expectations').to.be.greaterThan(0);
      const shown = project.diagnostics.map(formatDiagnostic).join('\n');
      for (const e of expected) {
        const hit = project.diagnostics.find(
          (d) => d.file === e.file && d.line === e.line && (e.col === undefined || d.col === e.col) && tail(d).includes(e.text),
        );
        expect(hit, `expected ${e.file}:${e.line}${e.col ? `:${e.col}` : ''} "${e.text}" in:\n${shown}`).to.not.equal(undefined);
      }
      for (const d of project.diagnostics) {
        const wanted = expected.some(
          (e) => d.file === e.file && d.line === e.line && (e.col === undefined || d.col === e.col) && tail(d).includes(e.text),
        );
        // yaml reports a broken flow collection twice (map and sequence); both sit on the expected line.
        expect(wanted || (c.name === 'yaml-syntax.yaml' && d.line === expected[0]!.line), `unexpected diagnostic: ${formatDiagnostic(d)}`).to.equal(true);
      }
      const broken = new Set(project.diagnostics.filter(isError).map((d) => d.file));
      const models = [...project.topologies, ...project.suites].filter((m) => broken.has(m.source.file));
      expect(models.map((m) => m.name), 'a file with problems yields no model').to.deep.equal([]);
    });
  }

  it('reports problems in every file, sorted by file and line', async () => {
    const project = await loadProject([join(FIXTURES, 'invalid')], { cwd: REPO_ROOT });
    const files = new Set(project.diagnostics.map((d) => d.file));
    expect(files.size).to.equal(readdirSync(join(FIXTURES, 'invalid')).length);
    const keys = project.diagnostics.map((d) => [d.file, d.line] as const);
    const sorted = [...keys].sort((a, b) => a[0].localeCompare(b[0]) || a[1] - b[1]);
    expect(keys).to.deep.equal(sorted);
  });

  it('a missing path is reported, not ignored', async () => {
    const project = await loadProject(['does/not/exist.yaml'], { cwd: REPO_ROOT });
    expect(project.diagnostics.map(formatDiagnostic)).to.deep.equal(['does/not/exist.yaml:1:1: no such file or directory']);
  });
});
