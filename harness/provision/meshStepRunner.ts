/**
 * Runs the multi-cluster steps of a plan (plan.multicluster.steps), in order, once every cluster is up.
 *
 * How a provider adds an action. First use what exists; each is plain data that `kconn plan` prints:
 *  - `exec`: a host command. argv[0] is a tool (a pinned one, see toolCache.ts, is found or downloaded; others come from
 *    PATH); `{server:<cluster>}` / `{address:<cluster>}` are filled with the control plane's address on the kind
 *    network; kubeconfigs are files named in plan.multicluster.kubeconfigs (server = that address, mode 0600, written
 *    here before the first step); `applyStdoutTo` applies what the command prints to a cluster.
 *  - `apply`, `apply-object`, `helm-install`, `wait` with `cluster`: run on that cluster by stepRunner.ts exactly as a
 *    CNI's steps are.
 *  - `label`: labels on one object (a gateway node, a namespace).
 *  - `poll`: a readiness check of the provider's own (MeshProvider.checks[name]), polled through the API, never slept.
 *  - `apply-computed`: objects only the run can build (MeshProvider.compute[name]), e.g. certificates; never printed.
 * A new kind of step: add its variant to MeshStep (model/plan.ts), a case to runMeshStep below and to renderStep in
 * cli/renderPlan.ts; both switches are exhaustive, so the compiler names every place that must learn it.
 *
 * When a step fails, the plan's onFailure commands (e.g. `subctl show all`) run and their output goes, with the failed
 * command's own output, into reports/<run>/diagnostics-multicluster.txt and the provisioning failure.
 */
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { KubernetesObject } from '@kubernetes/client-node';
import { dump, load } from 'js-yaml';
import type { KubeApi } from '../kube/kubeApi.js';
import { parseManifest } from '../kube/manifest.js';
import { pollUntil } from '../kube/poll.js';
import type { MeshProvider, MeshRuntime } from '../mesh/meshProvider.js';
import { isRecord } from '../model/isRecord.js';
import { parseDuration } from '../model/duration.js';
import type { MeshStep, MulticlusterPlan, Plan } from '../model/plan.js';
import type { PhaseTiming } from '../model/runReport.js';
import { execaHostCommand, HostCommandError, runExecStep, type ExecStepRuntime, type HostCommandRunner } from './hostCommand.js';
import type { ProvisionOptions } from './provisioner.js';
import { ProvisioningFailure } from './provisioningFailure.js';
import type { ClusterState } from './runState.js';
import { runClusterStep, type ClusterRuntime } from './stepRunner.js';

/** The same tools and I/O the clusters were provisioned with (kind, helm, downloads, the API), and the run folder. */
export interface MeshRunOptions extends Pick<ProvisionOptions, 'runDir' | 'kind' | 'helm' | 'download' | 'fetchText' | 'kubeFor' | 'signal' | 'progress'> {
  readonly plan: Plan & { readonly multicluster: MulticlusterPlan };
  readonly provider: MeshProvider;
  /** The clusters as provisioning left them (kubeconfig, internalServer). */
  readonly clusters: readonly ClusterState[];
  /** Path of a tool an exec step names. */
  readonly tool: (name: string) => Promise<string>;
  readonly run?: HostCommandRunner;
  /** reports/<run>/: where diagnostics-multicluster.txt goes. */
  readonly diagnosticsDir: string;
  /** Told, once joined, how long the join took on each cluster (phase "multicluster join"; host steps count for theirs). */
  readonly onTiming?: (timing: PhaseTiming) => void;
}

/** Scope of progress lines and of the failure's diagnostics. */
const SCOPE = 'multicluster';
/**
 * How long each onFailure command may take: `subctl diagnose all` includes the intra-cluster firewall check, which
 * waits up to its --validation-timeout (default 90 s, subctl cmd/subctl/diagnose.go).
 */
const FAILURE_COMMAND_TIMEOUT_MS = 150_000;

/**
 * The kubeconfig kind wrote for the host, with every cluster's server set to the control plane's address on the kind
 * network (`https://<ip>:6443`): the address other clusters' pods reach (the host's 127.0.0.1 port is not; subctl#93,
 * istio#31081). The API server's certificate names that address (kubeadm puts the advertise address in its SANs).
 * Not `kind get kubeconfig --internal`: its server is `https://<name>-control-plane:6443`, a name only Docker's DNS on
 * the kind network resolves (not the host, nor every pod), which is why Istio's kind scripts swap it for the container
 * IP (istio#31081); the address is known here already (ClusterState.internalServer), so no extra kind call is needed.
 */
export function internalKubeconfig(hostKubeconfig: string, internalServer: string): string {
  const doc = load(hostKubeconfig);
  if (!isRecord(doc) || !Array.isArray(doc['clusters'])) throw new Error('the kubeconfig kind wrote has no clusters');
  const clusters = doc['clusters'].map((c: unknown) =>
    isRecord(c) && isRecord(c['cluster']) ? { ...c, cluster: { ...c['cluster'], server: internalServer } } : c,
  );
  return dump({ ...doc, clusters });
}

/** Writes each cluster's internal kubeconfig where the plan names it, owner-only. */
export async function writeInternalKubeconfigs(mc: MulticlusterPlan, clusters: readonly ClusterState[]): Promise<void> {
  for (const c of clusters) {
    const target = mc.kubeconfigs[c.name];
    if (!target) continue;
    if (!c.internalServer) {
      throw new Error(
        `cluster ${c.name}: the address of ${c.kindName}-control-plane on the kind Docker network is unknown, and the other clusters can reach its API only there`,
      );
    }
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, internalKubeconfig(await readFile(c.kubeconfig, 'utf8'), c.internalServer), { mode: 0o600 });
    // Client credentials: owner-only, whatever the umask or an earlier file's mode.
    await chmod(target, 0o600);
  }
}

function clusterOf(opts: MeshRunOptions, name: string): ClusterState {
  const c = opts.clusters.find((x) => x.name === name);
  if (!c) throw new Error(`multi-cluster step names cluster "${name}", which this run does not have`);
  return c;
}

/** Runs every multi-cluster step; a failure is a ProvisioningFailure carrying the diagnostics. */
export async function runMeshSteps(opts: MeshRunOptions): Promise<void> {
  const mc = opts.plan.multicluster;
  const apis = new Map<string, KubeApi>();
  const kube = (name: string): KubeApi => {
    let api = apis.get(name);
    if (!api) {
      api = opts.kubeFor(clusterOf(opts, name).kubeconfig);
      apis.set(name, api);
    }
    return api;
  };
  const address = (name: string): string => {
    const server = clusterOf(opts, name).internalServer;
    if (!server) throw new Error(`cluster ${name}: its control plane's address on the kind network is unknown`);
    return new URL(server).hostname;
  };
  const run = opts.run ?? execaHostCommand;
  const host: ExecStepRuntime = {
    tool: opts.tool,
    run,
    placeholders: { address },
    defaultCwd: mc.workDir,
    signal: opts.signal,
    progress: (line) => opts.progress(SCOPE, line),
  };
  const ctx: StepContext = { opts, kube, address, host };

  await writeInternalKubeconfigs(mc, opts.clusters);
  await mkdir(mc.workDir, { recursive: true });
  const spent = new Map<string, number>();
  for (const [i, step] of mc.steps.entries()) {
    opts.signal.throwIfAborted();
    opts.progress(SCOPE, `[${i + 1}/${mc.steps.length}] ${step.cluster ? `${step.cluster}: ` : ''}${step.summary}`);
    const started = performance.now();
    try {
      await runMeshStep(step, ctx);
      const owner = step.cluster ?? opts.clusters[0]?.name ?? SCOPE;
      spent.set(owner, (spent.get(owner) ?? 0) + performance.now() - started);
    } catch (e) {
      if (opts.signal.aborted) throw e;
      const diagnostics = await failureDiagnostics(opts, host, e);
      const message = `${mc.provider}: ${step.summary}: ${(e as Error).message}`;
      throw new ProvisioningFailure(
        message,
        opts.clusters.map((c) =>
          !step.cluster || step.cluster === c.name ? { name: c.name, status: 'failed', message, diagnostics } : { name: c.name, status: 'ready' },
        ),
        { cause: e },
      );
    }
  }
  for (const [cluster, ms] of spent) opts.onTiming?.({ phase: 'multicluster join', cluster, ms });
  opts.progress(SCOPE, `${mc.provider} ${mc.version}: ${opts.clusters.map((c) => c.name).join(', ')} joined`);
}

interface StepContext {
  readonly opts: MeshRunOptions;
  readonly kube: (cluster: string) => KubeApi;
  readonly address: (cluster: string) => string;
  readonly host: ExecStepRuntime;
}

function clusterRuntime(ctx: StepContext, name: string): ClusterRuntime {
  const { opts } = ctx;
  const plan = opts.plan.clusters.find((c) => c.name === name);
  const state = clusterOf(opts, name);
  if (!plan) throw new Error(`multi-cluster step names cluster "${name}", which the plan does not have`);
  const dir = join(opts.runDir, name);
  return {
    plan,
    kubeconfig: state.kubeconfig,
    kindConfigFile: join(dir, 'kind-config.yaml'),
    kind: opts.kind,
    helm: opts.helm,
    download: opts.download,
    fetchText: opts.fetchText,
    kube: () => ctx.kube(name),
    signal: opts.signal,
    progress: (line) => opts.progress(name, line),
    dir,
    host: ctx.host,
  };
}

function meshRuntime(ctx: StepContext, cluster: string): MeshRuntime {
  return { cluster, kube: ctx.kube, address: ctx.address, workDir: ctx.opts.plan.multicluster.workDir, signal: ctx.opts.signal };
}

async function runMeshStep(step: MeshStep, ctx: StepContext): Promise<void> {
  const { opts } = ctx;
  switch (step.action) {
    case 'apply':
    case 'apply-object':
    case 'helm-install':
    case 'wait':
      await runClusterStep(step, clusterRuntime(ctx, step.cluster));
      return;
    case 'exec': {
      const stdout = await runExecStep(step, ctx.host);
      if (step.applyStdoutTo) {
        for (const o of parseManifest(stdout, `output of ${step.argv[0]}`)) {
          opts.signal.throwIfAborted();
          await ctx.kube(step.applyStdoutTo).apply(o);
        }
      }
      return;
    }
    case 'label':
      await ctx.kube(step.cluster).apply({
        apiVersion: step.apiVersion,
        kind: step.kind,
        metadata: { name: step.name, ...(step.namespace ? { namespace: step.namespace } : {}), labels: { ...step.labels } },
      });
      return;
    case 'poll': {
      const check = opts.provider.checks?.[step.check];
      if (!check) throw new Error(`${opts.provider.name} has no readiness check "${step.check}"`);
      const rt = meshRuntime(ctx, step.cluster);
      await pollUntil(`${step.cluster}: ${step.summary}`, () => check(step.input, rt), {
        timeoutMs: parseDuration(step.timeout) ?? 300_000,
        signal: opts.signal,
        onProgress: (d) => opts.progress(step.cluster, d),
      });
      return;
    }
    case 'apply-computed': {
      const compute = opts.provider.compute?.[step.compute];
      if (!compute) throw new Error(`${opts.provider.name} has no object builder "${step.compute}"`);
      // The objects may hold private keys: applied, never printed or written.
      for (const o of await compute(step.input, meshRuntime(ctx, step.cluster))) {
        opts.signal.throwIfAborted();
        await ctx.kube(step.cluster).apply(o as KubernetesObject);
      }
      return;
    }
  }
}

/** What the failed command printed and what the provider's onFailure commands say; written to a file, best effort. */
async function failureDiagnostics(opts: MeshRunOptions, host: ExecStepRuntime, e: unknown): Promise<string[]> {
  const lines: string[] = [];
  if (e instanceof HostCommandError) {
    lines.push(`# ${e.message.split(' failed')[0] ?? 'command'}: output`);
    lines.push(...`${e.result.stdout}\n${e.result.stderr}`.trim().split('\n'));
  }
  for (const argv of opts.plan.multicluster.onFailure) {
    const [name, ...args] = argv;
    if (!name) continue;
    // Ctrl-C or the run's timeout while collecting: what was collected is kept, the rest is skipped.
    if (opts.signal.aborted) break;
    lines.push(`# ${argv.join(' ')}`);
    try {
      const file = await host.tool(name);
      const r = await host.run(file, args, { cwd: opts.plan.multicluster.workDir, timeoutMs: FAILURE_COMMAND_TIMEOUT_MS, signal: opts.signal });
      lines.push(...`${r.stdout}\n${r.stderr}`.trim().split('\n'));
      if (!r.ok) lines.push(`(${r.message ?? `exit ${r.exitCode}`})`);
    } catch (err) {
      lines.push(`(could not run: ${(err as Error).message})`);
    }
  }
  const file = join(opts.diagnosticsDir, `diagnostics-${SCOPE}.txt`);
  await mkdir(dirname(file), { recursive: true })
    .then(() => writeFile(file, `${lines.join('\n')}\n`))
    .catch(() => undefined);
  opts.progress(SCOPE, `diagnostics (also in ${file}):`);
  for (const line of lines.slice(0, 40)) opts.progress(SCOPE, `  ${line}`);
  if (lines.length > 40) opts.progress(SCOPE, `  ... ${lines.length - 40} more lines in ${file}`);
  return lines;
}
