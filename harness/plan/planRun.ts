import type { CniContext } from '../cni/cniPlugin.js';
import { decideKubeProxyMode } from '../cni/kubeProxyRule.js';
import { CNI_NAMES, findCni, RETIRED_CNIS } from '../cni/registry.js';
import type { MeshContext } from '../mesh/meshProvider.js';
import { findMesh } from '../mesh/registry.js';
import type { Capability } from '../model/capability.js';
import { locateMessage } from '../model/source.js';
import { FIXED_RESERVED_RANGES, type ReservedRange } from '../model/reservedRanges.js';
import { RUN_ID } from '../model/runId.js';
import type { ClusterPlan, Plan } from '../model/plan.js';
import type { Suite } from '../model/suite.js';
import type { CniRef, Topology } from '../model/topology.js';
import { traefikSteps } from '../gateway/traefik.js';
import { clusterSteps } from './clusterSteps.js';
import { renderKindConfig } from './kindConfig.js';
import { chooseNodeImage } from './nodeImageChoice.js';
import { KIND_VERSION } from './nodeImages.js';
import { allocateSubnets, SubnetConflictError } from './subnetAllocator.js';
import { selectSuites } from './suiteSelection.js';

export interface PlanOptions {
  /** Short id that makes cluster names unique per run: kconn-<runId>-<cluster>. */
  readonly runId: string;
  /** Overrides the CNI of every cluster (a CNI matrix reuses one topology). */
  readonly cni?: string;
  /** Only these suites (by metadata.name); all when empty. */
  readonly suites?: readonly string[];
  readonly cacheDir: string;
  /** Where per-run files (kind configs, kubeconfigs) go. */
  readonly stateDir: string;
  readonly arch: string;
  /** Subnet of the `kind` Docker network when known (docker network inspect kind). */
  readonly kindNetwork?: string;
  /** --node-image: a kind node image for every cluster instead of the topology's or the pinned one. */
  readonly nodeImage?: string;
}

export class PlanError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(problems.join('\n'));
    this.name = 'PlanError';
  }
}

/** kind's default service range and Docker's default bridge are always kept clear. */
export function reservedRanges(kindNetwork: string | undefined): ReservedRange[] {
  return [
    ...FIXED_RESERVED_RANGES,
    ...(kindNetwork ? [{ cidr: kindNetwork, reason: 'the kind Docker network' }] : []),
  ];
}

/** Turns a loaded topology and suites into the exact, ordered plan of a run. Pure: no I/O, same input => same plan. */
export function planRun(topology: Topology, suites: readonly Suite[], options: PlanOptions): Plan {
  const problems: string[] = [];
  if (!RUN_ID.test(options.runId)) problems.push(`run id "${options.runId}" must be 1-6 lowercase letters or digits`);
  if (options.cni !== undefined && !findCni(options.cni)) {
    const retired = RETIRED_CNIS[options.cni];
    problems.push(`--cni ${options.cni}: ${retired ? `${retired}; ` : 'unknown CNI; '}valid CNIs: ${CNI_NAMES.join(', ')}`);
  }
  const wanted = options.suites ?? [];
  const unknownSuites = wanted.filter((name) => !suites.some((s) => s.name === name));
  if (unknownSuites.length) {
    problems.push(`--suite ${unknownSuites.join(', ')}: no such suite; available: ${suites.map((s) => s.name).sort().join(', ') || '(none)'}`);
  }
  const selected = wanted.length ? suites.filter((s) => wanted.includes(s.name)) : suites;
  if (selected.length === 0 && problems.length === 0) problems.push('no suites to run: a run that matches zero tests is an error');
  const choice = chooseNodeImage(topology, options.nodeImage);
  if ('problem' in choice) problems.push(choice.problem);
  if (problems.length || 'problem' in choice) throw new PlanError(problems);

  const { image: nodeImage, kubernetesVersion: k8sVersion } = choice;
  const reserved = reservedRanges(options.kindNetwork);
  const joinedBy = topology.multicluster ? findMesh(topology.multicluster.provider) : undefined;
  const overlapAcrossClusters = joinedBy?.overlappingSubnets?.allowed(topology.multicluster?.options ?? {}) === true;
  let subnets: ReturnType<typeof allocateSubnets>;
  try {
    subnets = allocateSubnets(topology.clusters, reserved, { overlapAcrossClusters });
  } catch (e) {
    if (e instanceof SubnetConflictError) {
      const at = topology.clusters.find((c) => c.name === e.cluster)?.source ?? topology.source;
      throw new PlanError([locateMessage(at, e.message)]);
    }
    throw e;
  }

  const multi = topology.clusters.length > 1;
  const mesh = topology.multicluster ? findMesh(topology.multicluster.provider) : undefined;
  const clusters: ClusterPlan[] = topology.clusters.map((c) => {
    const ref: CniRef = options.cni ? { name: options.cni, options: {} } : (c.cni ?? topology.cni ?? { name: 'kindnet', options: {} });
    const plugin = findCni(ref.name)!;
    const decision = decideKubeProxyMode(plugin, ref.options, c.kubeProxyMode);
    if (!decision.ok) problems.push(locateMessage(c.source, `${decision.reason}${options.cni ? ` (with --cni ${options.cni})` : ''}`));
    const kindName = `kconn-${options.runId}-${c.name}`;
    const { podSubnet, serviceSubnet } = subnets.get(c.name)!;
    const dir = `${options.stateDir}/${c.name}`;
    const ctx: CniContext = {
      cluster: c.name,
      kindName,
      podSubnet,
      serviceSubnet,
      nodeCount: 1 + c.workers,
      version: ref.version ?? plugin.defaultVersion,
      options: ref.options,
      cacheDir: options.cacheDir,
      clusterDir: dir,
      arch: options.arch,
      kubeProxyMode: decision.ok ? decision.mode : 'iptables',
    };
    const contribution = plugin.kindConfig(ctx);
    const kubeProxyMode = decision.ok ? decision.mode : 'iptables';
    const declaredMode = c.kubeProxyMode ?? contribution.kubeProxyMode;
    const capabilities: Capability[] = [
      ...plugin.capabilities(ref.options),
      ...(c.workers >= 1 ? (['multiNode'] as const) : []),
      ...(multi ? (['multiCluster'] as const) : []),
      ...(mesh ? (mesh.capabilitiesFor?.(topology.multicluster?.options ?? {}) ?? mesh.capabilities) : []),
      ...(topology.gateway ? (['gateway'] as const) : []),
    ];
    return {
      name: c.name,
      kindName,
      cni: { name: plugin.name, version: ctx.version, options: ref.options },
      capabilities: [...new Set(capabilities)],
      podSubnet,
      serviceSubnet,
      kubeProxyMode,
      nodeImage,
      kindConfig: renderKindConfig({
        kindName,
        workers: c.workers,
        nodeImage,
        podSubnet,
        serviceSubnet,
        ...(declaredMode ? { kubeProxyMode: declaredMode } : {}),
        cni: contribution,
      }),
      steps: [
        ...clusterSteps(plugin, ctx, { kindConfig: `${dir}/kind-config.yaml`, kubeconfig: `${dir}/kubeconfig` }),
        ...(topology.gateway ? traefikSteps(topology.gateway.image) : []),
      ],
      diagnostics: [
        ...plugin.diagnostics(ctx),
        { summary: 'nodes', apiVersion: 'v1', kind: 'Node' },
        { summary: 'kube-system pods', apiVersion: 'v1', kind: 'Pod', namespace: 'kube-system' },
      ],
    };
  });

  let multicluster: Plan['multicluster'];
  if (topology.multicluster && mesh) {
    const ctx = meshContext(topology, clusters, mesh.defaultVersion, options);
    for (const p of mesh.incompatibilities(ctx)) {
      const override = options.cni ? ` (with --cni ${options.cni})` : '';
      problems.push(locateMessage(topology.multicluster.source ?? topology.source, `${p.concerns === 'options' ? '' : `cluster ${p.cluster}: `}${p.message}${override}; ${p.fix}`));
    }
    multicluster = {
      provider: mesh.name,
      version: ctx.version,
      options: ctx.options,
      kubeconfigs: Object.fromEntries(ctx.clusters.map((c) => [c.name, c.internalKubeconfig])),
      workDir: ctx.workDir,
      steps: mesh.steps(ctx),
      onFailure: mesh.failureCommands?.(ctx) ?? [],
    };
  }
  if (problems.length) throw new PlanError(problems);

  return {
    topology: topology.name,
    topologyFile: topology.source.file,
    runId: options.runId,
    kindVersion: KIND_VERSION,
    kubernetesVersion: k8sVersion,
    nodeImageOrigin: choice.origin,
    clusters,
    ...(multicluster ? { multicluster } : {}),
    suites: selectSuites(selected, clusters.map((c) => ({ name: c.name, cni: c.cni.name, capabilities: c.capabilities })), topology.name),
    reserved,
  };
}

/** What a multi-cluster provider is told about the planned clusters; kubeconfig paths are the run folder's. */
function meshContext(topology: Topology, clusters: readonly ClusterPlan[], defaultVersion: string, options: PlanOptions): MeshContext {
  const mc = topology.multicluster!;
  return {
    clusters: clusters.map((c) => ({
      name: c.name,
      kindName: c.kindName,
      cni: c.cni.name,
      cniOptions: c.cni.options,
      podSubnet: c.podSubnet,
      serviceSubnet: c.serviceSubnet,
      kubeProxyMode: c.kubeProxyMode,
      workers: topology.clusters.find((t) => t.name === c.name)?.workers ?? 0,
      kubeconfig: `${options.stateDir}/${c.name}/kubeconfig`,
      internalKubeconfig: `${options.stateDir}/${c.name}/kubeconfig-internal`,
    })),
    version: mc.version ?? defaultVersion,
    options: mc.options,
    workDir: `${options.stateDir}/multicluster`,
    ...(options.kindNetwork ? { kindNetwork: options.kindNetwork } : {}),
  };
}
