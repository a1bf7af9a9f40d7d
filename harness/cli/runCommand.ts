import { join } from 'node:path';
import Docker from 'dockerode';
import type { Plan } from '../model/plan.js';
import type { PhaseTiming, RunReport } from '../model/runReport.js';
import { formatTimings } from '../report/timingsText.js';
import { notRunOutcomes } from '../run/notRunOutcomes.js';
import { formatSummary, summarize } from '../report/summary.js';
import { writeReports } from '../report/writeReports.js';
import { imagesOf, preloadImages } from '../provision/imageLoader.js';
import { runSuitesWithMocha } from '../run/mochaRun.js';
import { readSuiteManifest } from '../run/suiteManifests.js';
import type { RunExternalEndpoint } from '../run/runOptions.js';
import { EXISTING_CLUSTER_REASON, externalImage, KIND_NETWORK, skipSuites, startRunEndpoint, suitesNeedingEndpoint } from '../external/runEndpoint.js';
import { clusterAccess } from './clusterAccess.js';
import { hostArch } from './environment.js';
import { openSession, type SessionFailure } from './clusterSession.js';
import { contextArgsUsage } from './contextMapping.js';
import { ExistingSessionFailure, openExistingSession } from './existingSession.js';
import type { Progress } from './progress.js';
import { timeoutMs } from './timeoutOption.js';
import type { CommandIO } from './commandIO.js';
import { UserInputError } from './loadAndPlan.js';

export interface RunOptions {
  readonly topology?: string;
  readonly cni?: string;
  /** --node-image: a kind node image for every cluster (validated when planning). */
  readonly nodeImage?: string;
  readonly suite?: readonly string[];
  readonly keep?: boolean;
  readonly reuse?: boolean;
  readonly timeout?: string;
  readonly reportsDir?: string;
  /** Run on the clusters of this kubeconfig instead of creating kind clusters. */
  readonly kubeconfig?: string;
  /** `--context NAME` / `--context cluster=context` (with kubeconfig). */
  readonly context?: readonly string[];
  /** Docker network of the run's external endpoint (default kind, where the nodes are; tests use their own). */
  readonly externalNetwork?: string;
}

export const DEFAULT_RUN_TIMEOUT = '60m';
const READY_TIMEOUT_MS = 5 * 60_000;

/** Even a run that died while provisioning leaves reports/<run-id>/junit.xml, with a failed test per cluster. */
async function reportNotRun(failure: SessionFailure, startedAt: string, reportsDir: string, io: CommandIO): Promise<void> {
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
function clusterInfo(plan: Plan, contexts?: ReadonlyMap<string, string>): RunReport['clusters'] {
  return plan.clusters.map((c) => {
    const where = contexts ? { context: contexts.get(c.name) ?? '' } : { kindName: c.kindName, nodeImage: c.nodeImage };
    return { name: c.name, ...where, cni: c.cni.name, cniVersion: c.cni.version };
  });
}

/**
 * `kconn run`: provision (or reuse), preload the suites' images, run every suite through mocha, write JUnit and
 * results.json to reports/<run-id>/, tear down unless --keep. Exit 0 only when every test passed or was skipped for
 * a declared reason.
 */
export async function runCommand(opts: RunOptions, io: CommandIO, progress: Progress): Promise<number> {
  const ms = timeoutMs(opts.timeout, DEFAULT_RUN_TIMEOUT, io);
  if (ms === undefined) return 2;
  // --kubeconfig: clusters the user already has; nothing to keep or reuse (main.ts refuses those combinations too).
  const contexts = contextArgsUsage(opts.context ?? []);
  const usage = [
    ...(opts.kubeconfig === undefined && contexts.args.length ? ['--context needs --kubeconfig: it names a context of that file'] : []),
    ...(opts.kubeconfig !== undefined && (opts.keep || opts.reuse) ? [`--kubeconfig cannot be used with ${opts.keep ? '--keep' : '--reuse'}: kconn neither creates nor removes those clusters`] : []),
    ...contexts.problems,
  ];
  if (usage.length) {
    for (const u of usage) io.err(`kconn run: ${u}`);
    return 2;
  }
  const startedAt = new Date().toISOString();
  const onFailure = (failure: SessionFailure): Promise<void> => reportNotRun(failure, startedAt, opts.reportsDir ?? 'reports', io);
  let session;
  try {
    session =
      opts.kubeconfig !== undefined
        ? await openExistingSession({ ...opts, kubeconfig: opts.kubeconfig, contexts: contexts.args, suites: opts.suite ?? [], timeoutMs: ms, io, progress, onFailure })
        : await openSession({ ...opts, suites: opts.suite ?? [], keep: opts.keep ?? false, reuse: opts.reuse ?? false, timeoutMs: ms, io, progress, onFailure });
  } catch (e) {
    io.err(e instanceof UserInputError ? e.message : `kconn run: ${opts.kubeconfig !== undefined ? '' : 'provisioning failed: '}${(e as Error).message}`);
    return 1;
  }
  const { plan, project } = session;
  let exitCode: number;
  try {
    const running = plan.suites.filter((s) => s.status === 'run').map((s) => project.suites.find((x) => x.name === s.name)!);
    const objects = (await Promise.all(running.flatMap((s) => s.manifests.map((m) => readSuiteManifest(m))))).flat();
    const timings: PhaseTiming[] = [...session.timings];
    if (!('existing' in session)) {
      // Only kind clusters are preloaded; existing clusters pull the images themselves.
      const imagesStarted = performance.now();
      const preload = await preloadImages({
        docker: new Docker(),
        kind: session.kind,
        images: imagesOf(objects),
        clusters: session.clusters.map((c) => c.kindName),
        arch: hostArch(),
        signal: session.signal,
        log: (line) => progress.line('images', line),
      }).catch((e: unknown) => ({ loaded: [], warnings: [`preloading failed: ${(e as Error).message}; the nodes pull every image themselves`] }));
      for (const w of preload.warnings) io.err(`warning: ${w}`);
      timings.push({ phase: 'images', ms: performance.now() - imagesStarted });
    }

    const clusters = 'existing' in session ? session.access : new Map(session.clusters.map((c) => [c.name, clusterAccess(c)]));
    // Suites of the external endpoint: it runs on the kind network, which clusters of --kubeconfig cannot reach.
    let planned = plan.suites;
    let external: RunExternalEndpoint | undefined;
    const needing = suitesNeedingEndpoint(plan.suites, project.suites);
    if (needing.length && 'existing' in session) {
      planned = skipSuites(plan.suites, needing, EXISTING_CLUSTER_REASON);
    } else if (needing.length && !('existing' in session)) {
      const endpointStarted = performance.now();
      external = await startRunEndpoint({
        network: opts.externalNetwork ?? process.env['KCONN_EXTERNAL_NETWORK'] ?? KIND_NETWORK,
        runId: session.runId,
        dir: session.runDir,
        image: externalImage(),
        clusters: [...clusters.values()],
        cleanup: session.cleanup,
        progress: (line) => progress.line('external', line),
      }).catch((e: unknown) => {
        // Its suites' tests become errors ("this run has none"); the rest of the run goes on.
        io.err(`kconn run: the external endpoint could not be set up (${needing.join(', ')} will error): ${(e as Error).message}`);
        return undefined;
      });
      timings.push({ phase: 'external endpoint', ms: performance.now() - endpointStarted });
    }

    const suites = await runSuitesWithMocha(planned, project.suites, plan.clusters.map((c) => c.name), {
      clusters,
      ...(external ? { external } : {}),
      runNamespace: `kconn-${session.runId}`,
      cleanup: session.cleanup,
      keep: opts.keep ?? false,
      signal: session.signal,
      progress: (line) => progress.line('run', line),
      readyTimeoutMs: READY_TIMEOUT_MS,
      onTiming: (t) => timings.push(t),
      diagnosticsDir: join(opts.reportsDir ?? 'reports', session.runId),
      cnis: new Map(plan.clusters.map((c) => [c.name, { name: c.cni.name, version: c.cni.version }])),
      topologyValues: new Map(plan.clusters.map((c) => [c.name, { podSubnet: c.podSubnet, serviceSubnet: c.serviceSubnet }])),
    });
    const report: RunReport = {
      runId: session.runId,
      topology: plan.topology,
      kindVersion: plan.kindVersion,
      kubernetesVersion: plan.kubernetesVersion,
      clusters: clusterInfo(plan, 'existing' in session ? session.contexts : undefined),
      startedAt,
      finishedAt: new Date().toISOString(),
      timings,
      suites,
    };
    const dir = join(opts.reportsDir ?? 'reports', session.runId);
    const files = await writeReports(report, dir);
    const counts = summarize(report);
    for (const line of formatTimings(timings)) io.err(line);
    io.err(`${formatSummary(counts)}; reports: ${files.junit}, ${files.results}`);
    if (counts.total === 0) io.err('no test ran: a run that matches zero tests is an error');
    exitCode = counts.failed === 0 && counts.errors === 0 && counts.total > 0 ? 0 : 1;
  } catch (e) {
    io.err(`kconn run failed: ${(e as Error).message}`);
    exitCode = 1;
  } finally {
    const failures = await session.close(opts.keep ?? false);
    for (const f of failures) io.err(f);
    if (opts.keep) io.err(`--keep: clusters kept; remove them with kconn down --run-id ${plan.runId}`);
  }
  return exitCode;
}
