import type { RunReport, TestOutcome } from '../../../harness/model/runReport.js';
import { buildMatrix, compareWithBaseline, type BaselineDiff, type Cell } from '../../../harness/report/matrix.js';

type Suites = Record<string, Partial<TestOutcome>[]>;

function run(cni: string, version: string, suites: Suites, extra: Partial<RunReport> = {}): RunReport {
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

export function pageCells(list: readonly RunReport[]): Cell[] {
  const m = buildMatrix(list.map((r, i) => ({ origin: `o${i}`, report: r })));
  if (!m.ok) throw new Error(m.problem);
  return m.value;
}

/** Two cells with one of every result, a suite only one of them ran, timings in one of them. */
export function pageNow(): RunReport[] {
  return [
    run(
      'calico',
      'v3.32.1',
      {
        basic: [
          { status: 'pass' },
          { status: 'pass', flaky: true, attempts: 2 },
          { status: 'fail', expected: 'blocked', observed: 'connected', message: 'see <probes>', reproduce: 'kubectl exec c -- curl x', diagnostics: { path: 'reports/r/diagnostics/basic/t2' }, attempts: 3 },
          { status: 'error', message: 'exec failed' },
          { status: 'error', observed: 'error (no dig)' },
          { status: 'skip', message: 'requires multiNode' },
        ],
        netpol: [
          { status: 'expected-difference', expected: 'reachable', observed: 'timeout', difference: { id: 'cilium-ipblock-pod-ip', cni: 'calico v3.32.1', reason: 'odd <reason>', source: 'javascript:alert(1)' } },
          { status: 'pass' },
        ],
      },
      {
        timings: [
          { phase: 'create', cluster: 'main', ms: 30_000 },
          { phase: 'images', ms: 5_000 },
          { phase: 'create', cluster: 'other', ms: 1_000 },
          { phase: 'probe', suite: 'basic', ms: 2_500 },
        ],
      },
    ),
    run('cilium', '1.19.1', { basic: [{ status: 'pass' }, { status: 'pass' }, { status: 'fail' }, { status: 'expected-difference' }] }, { timings: [] }),
  ];
}

/** The baseline: calico's t0 and t2 failed (fixed and still failing now), a kindnet cell that is gone now. */
export function pageDiff(): BaselineDiff {
  const before = pageCells([
    run('calico', 'v3.32.1', { basic: [{ status: 'fail' }, { status: 'pass' }, { status: 'fail' }, { status: 'pass' }, { status: 'pass' }] }),
    run('kindnet', 'bundled', { basic: [{ status: 'pass' }] }),
  ]);
  return compareWithBaseline(pageCells(pageNow()), before);
}

/** One cell of no cluster with one error: singular words, no known difference. */
export function pageLone(): RunReport[] {
  return [run('none', '', { basic: [{ status: 'error', message: 'no cluster' }] }, { clusters: [] })];
}
