import type { KubeApi } from '../kube/kubeApi.js';
import type { SuitePlan } from '../model/plan.js';
import { needsExternalEndpoint } from '../model/needsExternalEndpoint.js';
import type { Suite } from '../model/suite.js';
import type { CleanupRegistry } from '../provision/cleanup.js';
import { LOCAL_PROBE_IMAGES } from '../probe/probeImages.js';
import type { RunExternalEndpoint } from '../run/runOptions.js';
import { forwardZoneToEndpoint } from './coreDnsForward.js';
import { startExternalEndpoint, type ExternalEndpoint } from './externalEndpoint.js';

/** Docker network of kind's nodes: where a run's endpoint goes, so that pods reach it through their node. */
export const KIND_NETWORK = 'kind';

/** Why suites of the endpoint are skipped on clusters kconn did not create. */
export const EXISTING_CLUSTER_REASON =
  "needs the run's external endpoint, which kconn runs on the kind Docker network: a cluster of --kubeconfig cannot reach it";

/** The image of the endpoint (kconn-echo-server and dnsmasq): KCONN_EXTERNAL_IMAGE, else kconn/probe-server. */
export function externalImage(env: NodeJS.ProcessEnv = process.env): string {
  return env['KCONN_EXTERNAL_IMAGE'] || LOCAL_PROBE_IMAGES.server;
}

/** Names of the planned-to-run suites that need the endpoint. */
export function suitesNeedingEndpoint(planned: readonly SuitePlan[], suites: readonly Suite[]): string[] {
  return planned
    .filter((p) => p.status === 'run')
    .filter((p) => {
      const suite = suites.find((s) => s.name === p.name);
      // A suite's certificates are issued by the run's CA, which the endpoint's start makes.
      return suite !== undefined && (suite.tests.some(needsExternalEndpoint) || (suite.certificates?.length ?? 0) > 0);
    })
    .map((p) => p.name);
}

/** The plan's suites with those named skipped for `reason` (a run that cannot give them the endpoint). */
export function skipSuites(planned: readonly SuitePlan[], names: readonly string[], reason: string): SuitePlan[] {
  return planned.map((p) => (p.status === 'run' && names.includes(p.name) ? { ...p, status: 'skip', reason } : p));
}

export interface RunEndpointOptions {
  readonly network: string;
  readonly runId: string;
  /** The run's state folder: the CA and keys go to <dir>/external/. */
  readonly dir: string;
  readonly image: string;
  readonly clusters: readonly { readonly name: string; readonly api: KubeApi }[];
  readonly cleanup: CleanupRegistry;
  readonly progress: (line: string) => void;
}

/**
 * Starts the run's external endpoint on `network` and makes every cluster's CoreDNS forward kconn.test to it. The
 * endpoint's removal and each Corefile's restore are registered in the run's cleanup as soon as they exist (run end,
 * failure, --timeout, Ctrl-C; restores run first). Whether a cluster's DNS answers the name yet is checked from a
 * source pod before the first test of the name (harness/run/externalPrep.ts).
 */
export async function startRunEndpoint(opts: RunEndpointOptions): Promise<RunExternalEndpoint> {
  opts.progress(`starting the external endpoint on the Docker network ${opts.network}`);
  const endpoint = await startExternalEndpoint({ network: opts.network, runId: opts.runId, dir: opts.dir, images: { server: opts.image } });
  opts.cleanup.add(`external endpoint ${endpoint.containerName}`, () => endpoint.stop());
  for (const c of opts.clusters) {
    const forward = await forwardZoneToEndpoint(c.api, endpoint.ip);
    opts.cleanup.add(`CoreDNS forward of kconn.test on cluster ${c.name}`, () => forward.restore());
  }
  opts.progress(`external endpoint ${endpoint.name} at ${endpoint.ip}; CoreDNS of ${opts.clusters.map((c) => c.name).join(', ')} forwards kconn.test to it`);
  return asRunEndpoint(endpoint);
}

/** What the suites see of the endpoint: its address, name and CA, and its CA's issuing (every option passed on). */
export function asRunEndpoint(endpoint: Pick<ExternalEndpoint, 'ip' | 'name' | 'caPem' | 'issue'>): RunExternalEndpoint {
  return { ip: endpoint.ip, name: endpoint.name, caPem: endpoint.caPem, issue: (names, opts) => endpoint.issue(names, opts) };
}
