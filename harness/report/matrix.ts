import { isRecord } from '../model/isRecord.js';
import type { RunReport, TestOutcome } from '../model/runReport.js';
import { countTests, skipMessage, type RunCounts } from './summary.js';

/**
 * The matrix side of reports: cells' results.json (one run each, possibly from separate CI jobs) merged into one
 * matrix, and compared with an earlier matrix. Pure: text and plain values in, plain values out.
 */

/** What a cell is: its topology, CNI(s) and Kubernetes version, as its results.json says. */
export interface CellId {
  readonly topology: string;
  /** `calico v3.32.1`, or per cluster when they differ: `east=calico v3.32.1, west=flannel v0.28.9`. */
  readonly cni: string;
  readonly kubernetesVersion: string;
}

export interface Cell {
  readonly id: CellId;
  /** `topology / cni / kubernetesVersion`: unique within a matrix, stable across runs (baselines match on it). */
  readonly key: string;
  /** Where it was read from (for messages). */
  readonly origin: string;
  readonly report: RunReport;
  readonly counts: RunCounts;
}

function cniOf(report: RunReport): string {
  const each = report.clusters.map((c) => `${c.cni} ${c.cniVersion}`.trim());
  const distinct = [...new Set(each)];
  if (distinct.length === 1) return distinct[0]!;
  if (distinct.length === 0) return 'unknown';
  return report.clusters.map((c, i) => `${c.name}=${each[i]}`).join(', ');
}

export function cellIdOf(report: RunReport): CellId {
  return { topology: report.topology, cni: cniOf(report), kubernetesVersion: report.kubernetesVersion };
}

export function cellKey(id: CellId): string {
  return `${id.topology} / ${id.cni} / ${id.kubernetesVersion}`;
}

export type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly problem: string };

const STATUSES = new Set(['pass', 'fail', 'error', 'skip', 'expected-difference']);

/**
 * Reads a results.json as written by harness/report/resultsJson.ts, checking the fields the merge relies on (and
 * nothing else, so fields added later pass through). `origin` names the file in problems.
 */
export function parseResultsJson(text: string, origin: string): Parsed<RunReport> {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    return { ok: false, problem: `${origin}: not JSON (${(e as Error).message})` };
  }
  const bad = (where: string, what: string): Parsed<RunReport> => ({ ok: false, problem: `${origin}: ${where}: ${what}` });
  if (!isRecord(doc)) return bad('(top)', 'expected an object, as kconn writes results.json');
  if (doc['schemaVersion'] !== 1) return bad('schemaVersion', `expected 1, found ${JSON.stringify(doc['schemaVersion'])} (a results.json of another kconn version?)`);
  for (const k of ['runId', 'topology', 'kubernetesVersion', 'startedAt', 'finishedAt']) {
    if (typeof doc[k] !== 'string') return bad(k, 'expected a string');
  }
  const clusters = doc['clusters'];
  if (!Array.isArray(clusters)) return bad('clusters', 'expected a list');
  for (const [i, c] of clusters.entries()) {
    if (!isRecord(c) || typeof c['name'] !== 'string' || typeof c['cni'] !== 'string' || typeof c['cniVersion'] !== 'string') {
      return bad(`clusters[${i}]`, 'expected name, cni and cniVersion strings');
    }
  }
  const suites = doc['suites'];
  if (!Array.isArray(suites)) return bad('suites', 'expected a list');
  for (const [i, s] of suites.entries()) {
    if (!isRecord(s) || typeof s['name'] !== 'string' || !Array.isArray(s['tests'])) return bad(`suites[${i}]`, 'expected a name and a list of tests');
    for (const [j, t] of (s['tests'] as unknown[]).entries()) {
      const where = `suites[${i}].tests[${j}]`;
      if (!isRecord(t) || typeof t['name'] !== 'string') return bad(where, 'expected a test with a name');
      if (typeof t['status'] !== 'string' || !STATUSES.has(t['status'])) {
        return bad(`${where}.status`, `expected pass, fail, error, skip or expected-difference, found ${JSON.stringify(t['status'])}`);
      }
      // skipKind came later within version 1 (older files have none): only on a skip, and only a kind this kconn knows.
      if (t['skipKind'] !== undefined && (t['status'] !== 'skip' || t['skipKind'] !== 'unsupported')) {
        return bad(`${where}.skipKind`, `expected "unsupported" on a skipped test, found ${JSON.stringify(t['skipKind'])} on a test with status ${JSON.stringify(t['status'])}`);
      }
      if (t['status'] === 'expected-difference') {
        const d = t['difference'];
        if (!isRecord(d) || !['id', 'cni', 'reason', 'source'].every((k) => typeof d[k] === 'string')) {
          return bad(`${where}.difference`, 'an expected difference needs its id, cni, reason and source (strings)');
        }
      }
      if (!Array.isArray(t['results'])) return bad(`${where}.results`, 'expected a list');
    }
  }
  return { ok: true, value: doc as unknown as RunReport };
}

export interface CellInput {
  readonly origin: string;
  readonly report: RunReport;
}

/** Cells in a stable order (by key). Two inputs of one cell are a problem: which one counts would be a guess. */
export function buildMatrix(inputs: readonly CellInput[]): Parsed<Cell[]> {
  const byKey = new Map<string, Cell>();
  for (const input of inputs) {
    const id = cellIdOf(input.report);
    const key = cellKey(id);
    const other = byKey.get(key);
    if (other) return { ok: false, problem: `two results for cell ${key}: ${other.origin} and ${input.origin}` };
    byKey.set(key, { id, key, origin: input.origin, report: input.report, counts: countTests(input.report.suites.flatMap((s) => s.tests)) });
  }
  return { ok: true, value: [...byKey.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)) };
}

/** One test of one cell, as the summary and the baseline comparison name it. */
export interface TestRef {
  readonly cell: string;
  readonly suite: string;
  readonly test: string;
  readonly status: TestOutcome['status'];
  /** One line: expected vs observed, or the error or skip message (`not supported: <reason>` for a capability the cluster lacks). */
  readonly detail?: string;
}

function failing(t: TestOutcome): boolean {
  return t.status === 'fail' || t.status === 'error';
}

/** `cilium-ipblock-pod-ip (cilium 1.19.1): <reason>; observed <observed>; source <url>`. */
export function differenceText(t: TestOutcome): string {
  const d = t.difference;
  const what = d ? `${d.id} (${d.cni}): ${d.reason}` : 'expected difference (not recorded)';
  return `${what}; observed ${t.observed ?? '(not recorded)'}${d ? `; source ${d.source}` : ''}`;
}

function detailOf(t: TestOutcome): string | undefined {
  if (t.status === 'fail') return `expected ${t.expected ?? '(not recorded)'}, observed ${t.observed ?? '(not recorded)'}`;
  if (t.status === 'error') return t.message ?? t.observed;
  if (t.status === 'skip') return skipMessage(t);
  if (t.status === 'expected-difference') return differenceText(t);
  if (t.flaky) return `passed after ${t.attempts} attempts`;
  return undefined;
}

function refsOf(cells: readonly Cell[]): Map<string, TestRef & { outcome: TestOutcome }> {
  const refs = new Map<string, TestRef & { outcome: TestOutcome }>();
  for (const cell of cells) {
    for (const suite of cell.report.suites) {
      for (const t of suite.tests) {
        const ref = { cell: cell.key, suite: suite.name, test: t.name, status: t.status, detail: detailOf(t), outcome: t };
        refs.set(JSON.stringify([cell.key, suite.name, t.name]), ref);
      }
    }
  }
  return refs;
}

const plain = ({ cell, suite, test, status, detail }: TestRef): TestRef => (detail === undefined ? { cell, suite, test, status } : { cell, suite, test, status, detail });

/** Every failing (fail or error), every flaky test and every expected difference of the matrix, in cell order. */
export function failuresOf(cells: readonly Cell[]): { failing: TestRef[]; flaky: TestRef[]; differences: TestRef[] } {
  const all = [...refsOf(cells).values()];
  return {
    failing: all.filter((r) => failing(r.outcome)).map(plain),
    flaky: all.filter((r) => r.outcome.status === 'pass' && r.outcome.flaky === true).map(plain),
    differences: all.filter((r) => r.outcome.status === 'expected-difference').map(plain),
  };
}

/** Every test of the matrix that is an expected difference, with its cell and suite, in cell order. */
export function expectedDifferencesOf(cells: readonly Cell[]): { cell: Cell; suite: string; test: TestOutcome }[] {
  return cells.flatMap((cell) => cell.report.suites.flatMap((s) => s.tests.filter((t) => t.status === 'expected-difference').map((test) => ({ cell, suite: s.name, test }))));
}

/** How this matrix compares with an earlier one; tests are matched by cell key, suite and test name. */
export interface BaselineDiff {
  /** Failing now, not failing in the baseline (passed, skipped, or not there). */
  readonly newFailures: readonly TestRef[];
  /** Failing in the baseline, passing now. */
  readonly fixed: readonly TestRef[];
  readonly stillFailing: readonly TestRef[];
  /** Passed after a retry now. */
  readonly flaky: readonly TestRef[];
  /** Cells of the baseline that this matrix does not have (their tests are in none of the lists above). */
  readonly missingCells: readonly string[];
}

export function compareWithBaseline(current: readonly Cell[], baseline: readonly Cell[]): BaselineDiff {
  const now = refsOf(current);
  const before = refsOf(baseline);
  const newFailures: TestRef[] = [];
  const fixed: TestRef[] = [];
  const stillFailing: TestRef[] = [];
  const flaky: TestRef[] = [];
  for (const [k, ref] of now) {
    const old = before.get(k);
    const wasFailing = old !== undefined && failing(old.outcome);
    if (failing(ref.outcome)) (wasFailing ? stillFailing : newFailures).push(plain(ref));
    else if (ref.outcome.status === 'pass' && wasFailing) fixed.push(plain(ref));
    if (ref.outcome.status === 'pass' && ref.outcome.flaky === true) flaky.push(plain(ref));
  }
  const keys = new Set(current.map((c) => c.key));
  return { newFailures, fixed, stillFailing, flaky, missingCells: baseline.map((c) => c.key).filter((k) => !keys.has(k)) };
}

/** A file or folder name for a cell: lowercase letters, digits, dots and dashes only. */
export function cellSlug(key: string): string {
  return (
    key
      .toLowerCase()
      .replace(/[^a-z0-9.]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 100) || 'cell'
  );
}
