import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { expect } from 'chai';
import * as jsYaml from 'js-yaml';
import { formatDiagnostic, isError } from '../../../harness/load/diagnostic.js';
import { loadProject } from '../../../harness/load/loadProject.js';
import { PlanError, planRun } from '../../../harness/plan/planRun.js';
import { PLAN_OPTIONS } from '../../support/planFixtures.js';
import { REPO_ROOT } from '../../support/paths.js';

type Path = (string | number)[];
type Mutation = { name: string; apply: (root: unknown) => unknown };

/**
 * Every path to a value inside a YAML value, the root included. List items past the second repeat the shapes of the
 * first two (every test of a suite has the same fields), so only the first two items of a list are walked: every
 * kind of field is still mutated, at every depth, and the check stays fast enough for `npm run check`.
 */
function pathsOf(value: unknown, path: Path = []): Path[] {
  const out: Path[] = [path];
  if (Array.isArray(value)) value.slice(0, 2).forEach((v, i) => out.push(...pathsOf(v, [...path, i])));
  else if (typeof value === 'object' && value !== null) for (const [k, v] of Object.entries(value)) out.push(...pathsOf(v, [...path, k]));
  return out;
}

function clone<T>(v: T): T {
  return structuredClone(v);
}

/** Replaces (or, with `undefined`, deletes; with `rename`, renames) the value at `path`. */
function edit(root: unknown, path: Path, change: { value?: unknown; remove?: boolean; rename?: string }): unknown {
  if (path.length === 0) return change.remove ? null : change.value;
  const copy = clone(root);
  let parent = copy as Record<string | number, unknown>;
  for (const part of path.slice(0, -1)) parent = parent[part] as Record<string | number, unknown>;
  const last = path.at(-1)!;
  if (change.rename !== undefined && !Array.isArray(parent)) {
    // Keep the key order so that line numbers stay meaningful.
    const entries = Object.entries(parent).map(([k, v]) => [k === last ? change.rename! : k, v] as const);
    for (const k of Object.keys(parent)) delete parent[k];
    for (const [k, v] of entries) parent[k] = v;
  } else if (change.remove) {
    if (Array.isArray(parent)) parent.splice(last as number, 1);
    else delete parent[last];
  } else parent[last] = change.value;
  return copy;
}

function mutationsAt(path: Path): Mutation[] {
  const at = path.join('.') || '(root)';
  const last = path.at(-1);
  const list: Mutation[] = [
    { name: `delete ${at}`, apply: (r) => edit(r, path, { remove: true }) },
    { name: `${at} = null`, apply: (r) => edit(r, path, { value: null }) },
    { name: `${at} = "x"`, apply: (r) => edit(r, path, { value: 'x' }) },
    { name: `${at} = 7`, apply: (r) => edit(r, path, { value: 7 }) },
    { name: `${at} = [1]`, apply: (r) => edit(r, path, { value: [1] }) },
    { name: `${at} = {a: 1}`, apply: (r) => edit(r, path, { value: { a: 1 } }) },
    { name: `${at} = []`, apply: (r) => edit(r, path, { value: [] }) },
  ];
  if (typeof last === 'string') list.push({ name: `rename ${at}`, apply: (r) => edit(r, path, { rename: `${last.slice(1)}${last[0]}` }) });
  return list;
}

const SHIPPED = ['clusters', 'suites', 'manifests'].flatMap((dir) =>
  readdirSync(join(REPO_ROOT, dir))
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => `${dir}/${f}`),
);

describe('loader: any shape of a shipped file gets located messages, never a crash', function () {
  this.timeout(120_000);
  let work: string;
  before(() => {
    work = mkdtempSync(join(tmpdir(), 'kconn-mutations-'));
    for (const dir of ['clusters', 'suites', 'manifests', 'schema']) cpSync(join(REPO_ROOT, dir), join(work, dir), { recursive: true });
  });
  after(() => rmSync(work, { recursive: true, force: true }));

  for (const file of SHIPPED) {
    it(`${file}: every mutation (delete, null, string, number, list, map, rename at every path)`, async () => {
      const original = readFileSync(join(REPO_ROOT, file), 'utf8');
      const docs: unknown[] = [];
      jsYaml.loadAll(original, (d) => docs.push(d));
      let tried = 0;
      let rejected = 0;
      try {
        for (let di = 0; di < docs.length; di++) {
          for (const path of pathsOf(docs[di])) {
            for (const m of mutationsAt(path)) {
              const mutated = docs.map((d, i) => (i === di ? m.apply(d) : d));
              writeFileSync(join(work, file), mutated.map((d) => jsYaml.dump(d)).join('---\n'));
              const project = await loadProject([join(work, file)], { cwd: work });
              tried++;
              const errors = project.diagnostics.filter(isError);
              if (errors.length) rejected++;
              for (const d of project.diagnostics) {
                const shown = formatDiagnostic(d);
                expect(d.line, `${m.name}: ${shown}`).to.be.at.least(1);
                expect(d.col, `${m.name}: ${shown}`).to.be.at.least(1);
                expect(relative(work, join(work, d.file)), `${m.name}: ${shown}`).to.not.match(/^\.\./);
                expect(shown, `${m.name}`).to.not.match(/internal error|TypeError|is not a function|Cannot read prop|undefined \(reading/);
              }
              // A file that loads must also plan (or fail with a PlanError, which the CLI prints as located lines).
              for (const t of project.topologies) {
                try {
                  planRun(t, project.suites.length ? project.suites : [], { ...PLAN_OPTIONS });
                } catch (e) {
                  if (!(e instanceof PlanError)) throw new Error(`${m.name}: plan crashed: ${(e as Error).stack}`, { cause: e });
                }
              }
            }
          }
        }
      } finally {
        writeFileSync(join(work, file), original);
      }
      expect(tried, 'mutations tried').to.be.greaterThan(20);
      // kconn files are checked field by field; a manifest only for what apply needs (apiVersion, kind, metadata.name).
      if (!file.startsWith('manifests/')) expect(rejected, 'most mutations of a kconn file must be rejected').to.be.greaterThan(tried / 2);
      else expect(rejected, 'mutations of the object header must be rejected').to.be.greaterThan(0);
    });
  }
});
