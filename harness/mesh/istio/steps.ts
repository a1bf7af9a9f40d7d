import type { MeshStep } from '../../model/plan.js';
import type { MeshCluster, MeshContext } from '../meshProvider.js';
import { metallbObjects, metallbSlices, type AddressSlice } from './loadBalancer.js';
import { crossNetworkGateway, istioNamespace, readerTokenSecret } from './objects.js';
import { istioOptions, networkOf, type IstioOptions } from './options.js';
import {
  CACERTS_SECRET,
  EASTWEST_GATEWAY,
  ISTIO_CHART_REPO,
  ISTIO_NAMESPACE,
  METALLB_NAMESPACE,
  METALLB_VERSION,
  metallbManifestUrl,
  READER_TOKEN_SECRET,
  REMOTE_SECRET_PREFIX,
} from './pins.js';

/**
 * The steps that join a topology's clusters into one Istio mesh, multi-primary on different networks
 * (https://istio.io/latest/docs/setup/install/multicluster/multi-primary_multi-network/), as plain data for `kconn
 * plan` and provision/meshStepRunner.ts. Pure. Per cluster, in order:
 *  1. LoadBalancer addresses: MetalLB's native manifest, its controller and speakers ready, then its own slice of the
 *     kind network (exact when the network's subnet is known at plan time, else computed from Docker's answer at run
 *     time); nothing with cloud-provider-kind, which runs on the host;
 *  2. locality labels on the nodes (region = the cluster's name), which locality failover needs (kind sets none);
 *  3. istio-system labelled with the cluster's network, and the `cacerts` secret (the run's root, the cluster's
 *     intermediate) before istiod starts;
 *  4. the base and istiod charts (meshID, clusterName, network), istiod ready;
 *  5. the east-west gateway chart (networkGateway), ready, with a LoadBalancer address, and the Gateway exposing the
 *     cluster's services on 15443;
 *  6. a token of istio-reader-service-account, issued.
 * Then every cluster gets a remote secret for every other one: a kubeconfig with that cluster's API at its control
 * plane's address on the kind network (https://<ip>:6443, istio/istio#58047) and its reader token.
 */
export function istioSteps(ctx: MeshContext): MeshStep[] {
  const options = istioOptions(ctx.options);
  const names = ctx.clusters.map((c) => c.name);
  const seed = sliceSeed(ctx);
  const known = options.loadBalancer === 'metallb' && ctx.kindNetwork ? metallbSlices(ctx.kindNetwork, names, seed) : undefined;
  const slices = known?.ok ? known.slices : undefined;
  const caDir = meshCaDir(ctx.workDir);
  return [
    ...ctx.clusters.flatMap((c) => [
      ...loadBalancerSteps(c, options, ctx, slices?.find((s) => s.cluster === c.name)),
      ...localitySteps(c),
      ...controlPlaneSteps(c, options, ctx, caDir),
      ...gatewaySteps(c, options, ctx.version),
    ]),
    ...ctx.clusters.flatMap((target) => ctx.clusters.filter((source) => source !== target).map((source) => remoteSecretStep(target, source))),
  ];
}

/** Where the run's mesh CA lives: the run folder, owner-only. */
export function meshCaDir(workDir: string): string {
  return `${workDir}/mesh-ca`;
}

/** What places a run's MetalLB slices: its clusters' kind names (they hold the run id). */
export function sliceSeed(ctx: MeshContext): string {
  return ctx.clusters.map((c) => c.kindName).join(',');
}

/** The run id in `kconn-<run>-<cluster>`. */
function runIdOf(c: MeshCluster): string {
  const prefix = 'kconn-';
  const suffix = `-${c.name}`;
  const fits = c.kindName.length > prefix.length + suffix.length && c.kindName.startsWith(prefix) && c.kindName.endsWith(suffix);
  return fits ? c.kindName.slice(prefix.length, -suffix.length) : c.kindName;
}

function loadBalancerSteps(c: MeshCluster, options: IstioOptions, ctx: MeshContext, slice: AddressSlice | undefined): MeshStep[] {
  if (options.loadBalancer !== 'metallb') return [];
  const on = { cluster: c.name };
  const pool: MeshStep[] = slice
    ? metallbObjects(slice).map((object) => ({
        ...on,
        action: 'apply-object' as const,
        summary: `MetalLB ${String(object['kind'])}: ${slice.first}-${slice.last} of the kind network ${ctx.kindNetwork ?? ''}`,
        object,
      }))
    : [
        {
          ...on,
          action: 'apply-computed',
          summary: "MetalLB IPAddressPool and L2Advertisement: this cluster's slice of the kind network, whose subnet Docker gives at run time",
          compute: 'metallb-pool',
          input: { kindNetwork: 'docker network inspect kind (IPv4 subnet)', clusters: ctx.clusters.map((x) => x.name), seed: sliceSeed(ctx), range: 'upper half of the subnet, at most 64 addresses per cluster' },
        },
      ];
  return [
    { ...on, action: 'apply', summary: `install MetalLB ${METALLB_VERSION} (layer 2, native manifest)`, url: metallbManifestUrl(), serverSide: true },
    { ...on, action: 'wait', summary: 'wait for the MetalLB controller', resource: 'deployment', namespace: METALLB_NAMESPACE, name: 'controller', condition: 'rollout-complete', timeout: '5m' },
    { ...on, action: 'wait', summary: 'wait for the MetalLB speakers', resource: 'daemonset', namespace: METALLB_NAMESPACE, name: 'speaker', condition: 'rollout-complete', timeout: '5m' },
    {
      ...on,
      action: 'poll',
      summary: "wait for MetalLB's webhook to answer (it checks every pool)",
      check: 'webhook-answers',
      input: { configuration: 'metallb-webhook-configuration' },
      timeout: '2m',
    },
    ...pool,
  ];
}

/** Node names kind gives a cluster: <kindName>-control-plane, -worker, -worker2, ... */
export function nodeNames(c: MeshCluster): string[] {
  return [`${c.kindName}-control-plane`, ...Array.from({ length: c.workers }, (_, i) => `${c.kindName}-worker${i === 0 ? '' : String(i + 1)}`)];
}

/** Region = the cluster's name, zone = <cluster>-a: Istio's locality (https://istio.io/latest/docs/tasks/traffic-management/locality-load-balancing/). */
export function localityLabels(cluster: string): Record<string, string> {
  return { 'topology.kubernetes.io/region': cluster, 'topology.kubernetes.io/zone': `${cluster}-a` };
}

function localitySteps(c: MeshCluster): MeshStep[] {
  return nodeNames(c).map((name) => ({
    cluster: c.name,
    action: 'label' as const,
    summary: `locality of node ${name} (region ${c.name})`,
    apiVersion: 'v1',
    kind: 'Node',
    name,
    labels: localityLabels(c.name),
  }));
}

function controlPlaneSteps(c: MeshCluster, options: IstioOptions, ctx: MeshContext, caDir: string): MeshStep[] {
  const on = { cluster: c.name };
  const network = networkOf(c.name);
  const chart = { repo: ISTIO_CHART_REPO, version: ctx.version, namespace: ISTIO_NAMESPACE };
  return [
    { ...on, action: 'apply-object', summary: `namespace ${ISTIO_NAMESPACE} on network ${network}`, object: istioNamespace(network) },
    {
      ...on,
      action: 'apply-computed',
      summary: `secret ${ISTIO_NAMESPACE}/${CACERTS_SECRET}: the run's root CA and ${c.name}'s intermediate, before istiod starts`,
      compute: 'cacerts',
      input: {
        runId: runIdOf(c),
        dir: caDir,
        clusters: ctx.clusters.map((x) => x.name),
        data: {
          'ca-cert.pem': `<intermediate CA of ${c.name}, signed by the run root>`,
          'ca-key.pem': `<its private key: never printed; file ${caDir}/${c.name}/ca-key.pem, mode 0600>`,
          'root-cert.pem': '<root CA of the run>',
          'cert-chain.pem': '<ca-cert.pem, then root-cert.pem>',
        },
      },
    },
    { ...on, action: 'helm-install', summary: `helm install istio-base ${ctx.version}`, release: 'istio-base', chart: 'base', ...chart, values: {} },
    {
      ...on,
      action: 'helm-install',
      summary: `helm install istiod ${ctx.version} (mesh ${options.meshID}, cluster ${c.name}, network ${network})`,
      release: 'istiod',
      chart: 'istiod',
      ...chart,
      values: { global: { meshID: options.meshID, multiCluster: { clusterName: c.name }, network } },
    },
    { ...on, action: 'wait', summary: 'wait for istiod', resource: 'deployment', namespace: ISTIO_NAMESPACE, name: 'istiod', condition: 'rollout-complete', timeout: '5m' },
  ];
}

function gatewaySteps(c: MeshCluster, options: IstioOptions, version: string): MeshStep[] {
  const on = { cluster: c.name };
  const network = networkOf(c.name);
  return [
    {
      ...on,
      action: 'helm-install',
      summary: `helm install the east-west gateway (network ${network}; ports 15021, 15443, 15012, 15017; Service type LoadBalancer)`,
      release: EASTWEST_GATEWAY,
      repo: ISTIO_CHART_REPO,
      chart: 'gateway',
      version,
      namespace: ISTIO_NAMESPACE,
      values: { name: EASTWEST_GATEWAY, networkGateway: network },
    },
    { ...on, action: 'wait', summary: 'wait for the east-west gateway', resource: 'deployment', namespace: ISTIO_NAMESPACE, name: EASTWEST_GATEWAY, condition: 'rollout-complete', timeout: '5m' },
    {
      ...on,
      action: 'poll',
      summary: `wait for the east-west gateway's LoadBalancer address (from ${options.loadBalancer})`,
      check: 'load-balancer-address',
      input: { namespace: ISTIO_NAMESPACE, service: EASTWEST_GATEWAY },
      timeout: options.loadBalancer === 'metallb' ? '3m' : '5m',
    },
    { ...on, action: 'apply-object', summary: 'expose every service to the other networks: TLS AUTO_PASSTHROUGH on 15443 for *.local', object: crossNetworkGateway() },
    { ...on, action: 'apply-object', summary: 'a token of istio-reader-service-account, for the other clusters\' istiod', object: readerTokenSecret() },
    {
      ...on,
      action: 'poll',
      summary: 'wait for the reader token to be issued',
      check: 'service-account-token',
      input: { namespace: ISTIO_NAMESPACE, secret: READER_TOKEN_SECRET },
      timeout: '2m',
    },
  ];
}

function remoteSecretStep(target: MeshCluster, source: MeshCluster): MeshStep {
  return {
    cluster: target.name,
    action: 'apply-computed',
    summary: `remote secret: ${target.name}'s istiod watches ${source.name}'s API at its address on the kind network`,
    compute: 'remote-secret',
    input: {
      source: source.name,
      secret: `${ISTIO_NAMESPACE}/${REMOTE_SECRET_PREFIX}${source.name}`,
      server: `{server:${source.name}}`,
      token: `<${ISTIO_NAMESPACE}/${READER_TOKEN_SECRET} of ${source.name}: never printed>`,
    },
  };
}
