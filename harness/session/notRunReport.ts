import { join } from 'node:path';
import type { Plan } from '../model/plan.js';
import type { RunReport } from '../model/runReport.js';
import { formatSummary, summarize } from '../report/summary.js';
import { writeReports } from '../report/writeReports.js';
import { notRunOutcomes } from '../run/notRunOutcomes.js';
import type { SessionFailure } from './sessionFailure.js';
import type { CommandIO } from './commandIO.js';
import { ExistingSessionFailure } from './existingSession.js';

/** Even a run that died while provisioning leaves reports/<run-id>/junit.xml, with a failed test per cluster. */
export async function reportNotRun(failure: SessionFailure, startedAt: string, reportsDir: string, io: CommandIO): Promise<void> {
  const { plan } = failure;
  const report: RunReport = {
    runId: failure.runId,
    topology: plan.topology,
    kindVersion: plan.kindVersion,
    kubernetesVersion: plan.kubernetesVersion,
    clusters: clusterInfo(plan, failure instanceof ExistingSessionFailure ? failure.contexts : undefined),
    startedAt,
    finishedAt: new Date().toISOString(),
    suites: notRunOutcomes(plan.topologyFile, failure.clusters, plan.suites, failure.project.suites, failure.message),
  };
  try {
    const files = await writeReports(report, join(reportsDir, failure.runId));
    io.err(`${formatSummary(summarize(report))}; reports: ${files.junit}, ${files.results}`);
  } catch (e) {
    io.err(`could not write the reports of run ${failure.runId}: ${(e as Error).message}`);
  }
}

/** Each cluster of the report: its kind name, or the kubeconfig context of a cluster kconn did not create. */
export function clusterInfo(plan: Plan, contexts?: ReadonlyMap<string, string>): RunReport['clusters'] {
  return plan.clusters.map((c) => {
    const where = contexts ? { context: contexts.get(c.name) ?? '' } : { kindName: c.kindName, nodeImage: c.nodeImage };
    return { name: c.name, ...where, cni: c.cni.name, cniVersion: c.cni.version };
  });
}

