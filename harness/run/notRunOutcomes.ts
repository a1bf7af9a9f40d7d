import type { SuitePlan } from '../model/plan.js';
import type { SuiteOutcome, TestOutcome } from '../model/runReport.js';
import type { Suite } from '../model/suite.js';
import type { ClusterOutcome } from '../provision/provisioningFailure.js';
import { expandTests } from './expandTests.js';

/** Name of the report suite that holds one test per cluster when provisioning fails. */
export const PROVISIONING_SUITE = 'provisioning';

const MAX_DIAGNOSTIC_LINES = 60;

/**
 * The suites of a run whose clusters did not all come up: one test per cluster ("cluster X comes up": a failure with
 * the reason and its diagnostics when it did not, a pass when it did), then every planned suite with each test skipped
 * as not run (or with the plan's own skip reason and kind), so a CI job shows a red test instead of a missing report.
 */
export function notRunOutcomes(
  topologyFile: string,
  clusters: readonly ClusterOutcome[],
  planned: readonly SuitePlan[],
  suites: readonly Suite[],
  reason: string,
): SuiteOutcome[] {
  const provisioning: TestOutcome[] = clusters.map((c) => {
    const base = { suite: PROVISIONING_SUITE, name: `cluster ${c.name} comes up`, cluster: c.name, durationMs: 0, attempts: 1, results: [] };
    if (c.status === 'ready') return { ...base, status: 'pass' };
    const diagnostics = c.diagnostics?.length
      ? `\ndiagnostics:\n${c.diagnostics.slice(0, MAX_DIAGNOSTIC_LINES).join('\n')}${c.diagnostics.length > MAX_DIAGNOSTIC_LINES ? `\n... ${c.diagnostics.length - MAX_DIAGNOSTIC_LINES} more lines in diagnostics-${c.name}.txt` : ''}`
      : '';
    return {
      ...base,
      status: 'fail',
      expected: 'the cluster is provisioned and ready',
      observed: c.status === 'failed' ? `failed: ${c.message ?? reason}${diagnostics}` : `not ready: stopped by ${reason}${c.message && !reason.includes(c.message) ? ` (it was at: ${c.message})` : ''}${diagnostics}`,
    };
  });
  const clusterNames = clusters.map((c) => c.name);
  const notRun = planned.map((p): SuiteOutcome => {
    const suite = suites.find((s) => s.name === p.name);
    const message = p.status === 'skip' ? p.reason : `not run: provisioning failed (${reason})`;
    const tests = (suite ? expandTests(suite, clusterNames) : []).map(
      (t): TestOutcome => ({ suite: p.name, name: t.name, cluster: t.fromCluster, status: 'skip', ...(message ? { message } : {}), ...(p.skipKind ? { skipKind: p.skipKind } : {}), durationMs: 0, attempts: 0, results: [] }),
    );
    return { name: p.name, file: p.file, tests, durationMs: 0 };
  });
  return [{ name: PROVISIONING_SUITE, file: topologyFile, tests: provisioning, durationMs: 0 }, ...notRun];
}
