import type { RunReport, TestOutcome } from '../../../harness/model/runReport.js';
import { buildMatrix, type Cell } from '../../../harness/report/matrix.js';

/** A one-cluster run of `cni` whose suites (name -> tests t0, t1... passing unless said otherwise) are given. */
export function runOf(cni: string, version: string, suites: Record<string, Partial<TestOutcome>[]>, extra: Partial<RunReport> = {}): RunReport {
  return {
    runId: 'r',
    topology: 'default',
    kindVersion: 'v0.33.0',
    kubernetesVersion: 'v1.35.8',
    clusters: [{ name: 'main', cni, cniVersion: version }],
    startedAt: '2026-01-01T00:00:00.000Z',
    finishedAt: '2026-01-01T00:01:00.000Z',
    suites: Object.entries(suites).map(([name, tests]) => ({
      name,
      file: `suites/${name}.yaml`,
      durationMs: 1,
      tests: tests.map((t, i) => ({ suite: name, name: `t${i}`, status: 'pass', durationMs: 1, attempts: 1, results: [], ...t })),
    })),
    ...extra,
  };
}

/** The cells of a matrix of these runs, in key order; a problem throws. */
export function cellsOf(reports: readonly RunReport[]): Cell[] {
  const m = buildMatrix(reports.map((r, i) => ({ origin: `o${i}/results.json`, report: r })));
  if (!m.ok) throw new Error(m.problem);
  return m.value;
}
