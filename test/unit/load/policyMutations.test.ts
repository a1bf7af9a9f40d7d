import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { expect } from 'chai';
import * as jsYaml from 'js-yaml';
import { formatDiagnostic, isError } from '../../../harness/load/diagnostic.js';
import { loadProject } from '../../../harness/load/loadProject.js';
import { evaluateTruthTable } from '../../../harness/plan/netpol/evaluate.js';
import { REPO_ROOT } from '../../support/paths.js';

type Path = (string | number)[];

function pathsOf(value: unknown, path: Path = []): Path[] {
  const out: Path[] = [path];
  if (Array.isArray(value)) value.forEach((v, i) => out.push(...pathsOf(v, [...path, i])));
  else if (typeof value === 'object' && value !== null) for (const [k, v] of Object.entries(value)) out.push(...pathsOf(v, [...path, k]));
  return out;
}

function edit(root: unknown, path: Path, change: { value?: unknown; remove?: boolean }): unknown {
  if (path.length === 0) return change.remove ? null : change.value;
  const copy = structuredClone(root);
  let parent = copy as Record<string | number, unknown>;
  for (const part of path.slice(0, -1)) parent = parent[part] as Record<string | number, unknown>;
  const last = path.at(-1)!;
  if (change.remove) {
    if (Array.isArray(parent)) parent.splice(last as number, 1);
    else delete parent[last];
  } else parent[last] = change.value;
  return copy;
}

const VALUES: unknown[] = [null, 'x', 7, [1], { a: 1 }, [], '', 'serve-80-tcp', 0, 70000, 'TCP', '10.0.0.0/8'];

/** Which shipped suite names each policy file (a policy file is loaded through the suite that lists it). */
const POLICY_FILES = readdirSync(join(REPO_ROOT, 'manifests', 'policies')).filter((f) => f.endsWith('.yaml'));
const suiteOf = (policy: string): string =>
  readdirSync(join(REPO_ROOT, 'suites')).find((s) => readFileSync(join(REPO_ROOT, 'suites', s), 'utf8').includes(`manifests/policies/${policy}`))!;

describe('loader: any shape of a shipped policy file gets located messages, and what loads evaluates', function () {
  this.timeout(120_000);
  let work: string;
  before(() => {
    work = mkdtempSync(join(tmpdir(), 'kconn-policy-mutations-'));
    for (const dir of ['suites', 'manifests']) cpSync(join(REPO_ROOT, dir), join(work, dir), { recursive: true });
  });
  after(() => rmSync(work, { recursive: true, force: true }));

  it('every policy file is listed by a shipped suite', () => {
    expect(POLICY_FILES.length).to.be.greaterThan(0);
    for (const f of POLICY_FILES) expect(suiteOf(f), f).to.be.a('string');
  });

  for (const policy of POLICY_FILES) {
    it(`manifests/policies/${policy}: delete or replace every value`, async () => {
      const file = join(work, 'manifests', 'policies', policy);
      const suite = join(work, 'suites', suiteOf(policy));
      const original = readFileSync(file, 'utf8');
      const docs: unknown[] = [];
      jsYaml.loadAll(original, (d) => docs.push(d));
      let tried = 0;
      let rejected = 0;
      try {
        for (let di = 0; di < docs.length; di++) {
          for (const path of pathsOf(docs[di])) {
            for (const change of [{ remove: true }, ...VALUES.map((value) => ({ value }))] as { value?: unknown; remove?: boolean }[]) {
              const name = `${path.join('.') || '(root)'} ${change.remove ? 'deleted' : `= ${JSON.stringify(change.value)}`}`;
              const mutated = docs.map((d, i) => (i === di ? edit(d, path, change) : d));
              writeFileSync(file, mutated.map((d) => jsYaml.dump(d)).join('---\n'));
              const project = await loadProject([suite], { cwd: work });
              tried++;
              if (project.diagnostics.some(isError)) rejected++;
              for (const d of project.diagnostics) {
                const shown = formatDiagnostic(d);
                expect(d.line, `${name}: ${shown}`).to.be.at.least(1);
                expect(d.col, `${name}: ${shown}`).to.be.at.least(1);
                expect(relative(work, join(work, d.file)), `${name}: ${shown}`).to.not.match(/^\.\./);
                expect(shown, name).to.not.match(/internal error|TypeError|is not a function|Cannot read prop|undefined \(reading/);
              }
              // The loader's checks are the evaluator's preconditions: whatever loads must evaluate.
              for (const s of project.suites) if (s.truthTable) expect(() => evaluateTruthTable(s.truthTable!), name).to.not.throw();
            }
          }
        }
      } finally {
        writeFileSync(file, original);
      }
      expect(tried, 'mutations tried').to.be.greaterThan(50);
      expect(rejected, 'most mutations of a policy must be rejected').to.be.greaterThan(tried / 2);
    });
  }
});
