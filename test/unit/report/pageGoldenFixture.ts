import type { RunReport } from '../../../harness/model/runReport.js';
import { compareWithBaseline, type BaselineDiff } from '../../../harness/report/matrix.js';
import { cellsOf, runOf as run } from './cellsFixture.js';

/** The cells of a matrix of these runs. */
export const pageCells = cellsOf;

/**
 * Two cells with one of every result, a suite only one of them ran, timings in one of them; in cilium, a suite of one
 * not supported test (the cluster does not enforce NetworkPolicy) and one plain skip.
 */
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
    run(
      'cilium',
      '1.19.1',
      {
        basic: [{ status: 'pass' }, { status: 'pass' }, { status: 'fail' }, { status: 'expected-difference' }],
        policy: [
          { status: 'skip', skipKind: 'unsupported', message: 'cluster main: this cluster does not enforce <NetworkPolicy>' },
          { status: 'skip', message: 'SCTP probes are not supported yet' },
        ],
      },
      { timings: [] },
    ),
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
