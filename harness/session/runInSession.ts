import { join } from 'node:path';
import Docker from 'dockerode';
import type { PhaseTiming, RunReport } from '../model/runReport.js';
import { formatTimings } from '../report/timingsText.js';
import { formatSummary, summarize } from '../report/summary.js';
import { writeReports } from '../report/writeReports.js';
import { imagesOf, preloadImages } from '../provision/imageLoader.js';
import { runSuitesWithMocha } from '../run/mochaRun.js';
import { readSuiteManifest } from '../run/suiteManifests.js';
import type { RunExternalEndpoint } from '../run/runOptions.js';
import { EXISTING_CLUSTER_REASON, externalImage, KIND_NETWORK, skipSuites, startRunEndpoint, suitesNeedingEndpoint } from '../external/runEndpoint.js';
import { clusterAccess } from './clusterAccess.js';
import type { Session } from './clusterSession.js';
import type { CommandIO } from './commandIO.js';
import { hostArch } from './environment.js';
import type { ExistingSession } from './existingSession.js';
import { clusterInfo } from './notRunReport.js';
import type { Progress } from './progress.js';

/** What a run in an open session takes from the command line. */
export interface RunInSessionOptions {
  readonly keep?: boolean;
  readonly reportsDir?: string;
  /** Docker network of the run's external endpoint (default kind, where the nodes are; tests use their own). */
  readonly externalNetwork?: string;
}

const READY_TIMEOUT_MS = 5 * 60_000;

/**
 * One `kconn run` in an open session (kind clusters or the user's own): preload the suites' images (kind only), start
 * the external endpoint when a suite needs it, run every suite through mocha, write JUnit and results.json to
 * reports/<run-id>/ and print the summary. Exit 0 only when every test passed or was skipped for a declared reason.
 * The caller closes the session.
 */
export async function runInSession(session: Session | ExistingSession, opts: RunInSessionOptions, startedAt: string, io: CommandIO, progress: Progress): Promise<number> {
  const { plan, project } = session;
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
  return counts.failed === 0 && counts.errors === 0 && counts.total > 0 ? 0 : 1;
}
