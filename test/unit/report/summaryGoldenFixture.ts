import type { RunReport, TestOutcome } from '../../../harness/model/runReport.js';
import { compareWithBaseline, type BaselineDiff, type Cell } from '../../../harness/report/matrix.js';
import { cellsOf, runOf } from './cellsFixture.js';

const run = (cni: string, version: string, tests: Partial<TestOutcome>[]): RunReport => runOf(cni, version, { 'net|pol': tests });
const cells = (...reports: RunReport[]): Cell[] => cellsOf(reports);

const LONG = `expected reachable, observed ${'x'.repeat(200)}`;

/** Now: calico with one of each result (a long detail, a name with markup and a line break), flannel passing or not supported. */
export function summaryNow(): Cell[] {
  return cells(
    run('calico', 'v3.32.1', [
      { status: 'pass' },
      { status: 'pass', flaky: true, attempts: 2 },
      { status: 'fail', expected: 'blocked', observed: 'connected' },
      { status: 'fail', name: 'a <b>\nc', expected: 'reachable', observed: LONG.slice(20) },
      { status: 'error', message: 'exec | failed' },
      { status: 'skip', message: 'requires x' },
      { status: 'pass' },
    ]),
    run('flannel', 'v0.28.9', [{ status: 'pass' }, { status: 'skip', skipKind: 'unsupported', message: 'requires networkPolicy (flannel on cluster main lacks it)' }]),
  );
}

/**
 * The baseline: calico's t2 failed already, t6 failed and is fixed now; flannel's t1 failed and is not supported now
 * (neither fixed nor still failing); a cilium cell that is gone now.
 */
export function summaryDiff(): BaselineDiff {
  const before = cells(
    run('calico', 'v3.32.1', [{ status: 'pass' }, { status: 'pass' }, { status: 'fail' }, { status: 'pass' }, { status: 'pass' }, { status: 'skip' }, { status: 'fail' }]),
    run('cilium', '1.19.1', [{ status: 'pass' }]),
    run('flannel', 'v0.28.9', [{ status: 'pass' }, { status: 'fail' }]),
  );
  return compareWithBaseline(summaryNow(), before);
}
