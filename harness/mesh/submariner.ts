import type { Capability } from '../model/capability.js';
import type { MeshStep } from '../model/plan.js';
import type { MeshCluster, MeshContext, MeshIncompatibility, MeshProvider } from './meshProvider.js';
import { gatewaysConnected } from './submariner/gateways.js';
import { calicoIpPools } from './submariner/calicoPools.js';

/**
 * Submariner v0.22.0: `status: released` in submariner-io/releases releases/v0.22.0.yaml (commit 24b292d9); the
 * website's releases page lists v0.21.0 at the top (../shared/reference/multicluster.md 1.1), 0.23/0.24 were not seen
 * released in the sources read. subctl of this version deploys the images of the same version (quay.io/submariner).
 */
export const SUBMARINER_VERSION = '0.22.0';

/** Where the operator puts the gateway, route agent and Lighthouse (subctl's constants.OperatorNamespace). */
export const OPERATOR_NAMESPACE = 'submariner-operator';

/**
 * vxlan by default: kind nodes share one Docker bridge, so nothing needs encrypting, and unlike libreswan (the
 * upstream default, IPsec) it needs no IPsec support in the host kernel. kube-ovn's kind automation uses it
 * (multicluster.md 1.3), and Shipyard's own kind deployment has it (`make deploy using=vxlan`; `subctl show all` then
 * lists the connection `connected` with its RTT, so the gateway health check works over it). IPv4 only, as kconn's
 * kind clusters are (vxlan is not supported with IPv6, multicluster.md 1.1).
 */
const DEFAULT_CABLE_DRIVER = 'vxlan';

/** The node labelled as gateway before join, so that `subctl join` never asks which one (join.go askForGatewayNode). */
export function gatewayNode(c: MeshCluster): string {
  return c.workers >= 1 ? `${c.kindName}-worker` : `${c.kindName}-control-plane`;
}

function globalnet(options: Readonly<Record<string, unknown>>): boolean {
  return options['globalnet'] === true;
}

/**
 * The join, as subctl documents it for kind (https://submariner.io/getting-started/quickstart/kind/) and with the
 * flags of subctl's cmd/subctl/join.go and deploybroker.go (https://github.com/submariner-io/subctl): every value
 * subctl would otherwise discover or ask for (cluster ID, pod and service CIDRs, gateway node) is given, and the
 * kubeconfigs point at the control planes' addresses on the kind network, which is also the broker URL that
 * deploy-broker writes into broker-info.subm.
 */
function steps(ctx: MeshContext): MeshStep[] {
  const broker = ctx.clusters[0]!;
  const driver = String(ctx.options['cableDriver'] ?? DEFAULT_CABLE_DRIVER);
  const out: MeshStep[] = [];
  for (const c of ctx.clusters) {
    out.push({
      action: 'label',
      cluster: c.name,
      summary: `label ${gatewayNode(c)} as the Submariner gateway (before join, so that subctl never asks)`,
      apiVersion: 'v1',
      kind: 'Node',
      name: gatewayNode(c),
      labels: { 'submariner.io/gateway': 'true' },
    });
  }
  // Calico NATs traffic to addresses outside its pools before Submariner's rules see it: one disabled pool per remote
  // range tells it those are cluster addresses (https://submariner.io/operations/deployment/calico/).
  for (const c of ctx.clusters) {
    if (globalnet(ctx.options)) continue;
    for (const pool of calicoIpPools(c, ctx.clusters)) {
      out.push({ action: 'apply-object', cluster: c.name, summary: `create Calico IPPool ${pool.metadata.name} for ${pool.spec.cidr} (disabled, no NAT)`, object: pool });
    }
  }
  out.push({
    action: 'exec',
    cluster: broker.name,
    summary: `deploy the Submariner broker on ${broker.name}; it writes broker-info.subm (broker URL = ${broker.name}'s control plane on the kind network)`,
    argv: ['subctl', 'deploy-broker', '--kubeconfig', broker.internalKubeconfig, ...(globalnet(ctx.options) ? ['--globalnet'] : [])],
    cwd: ctx.workDir,
    timeout: '5m',
  });
  for (const c of ctx.clusters) {
    out.push({
      action: 'exec',
      cluster: c.name,
      summary: `join ${c.name} to the broker (cluster ID ${c.name}, ${driver} cable, no NAT traversal)`,
      argv: [
        'subctl', 'join',
        '--kubeconfig', c.internalKubeconfig,
        '--clusterid', c.name,
        // Every node sits on one Docker bridge: there is no NAT between the gateways.
        '--natt=false',
        // Labelled above: with none labelled and several workers, subctl would prompt for one.
        '--label-gateway=false',
        '--cable-driver', driver,
        // Given, so that subctl neither discovers (with a warning) nor prompts for them.
        '--clustercidr', c.podSubnet,
        '--servicecidr', c.serviceSubnet,
        'broker-info.subm',
      ],
      cwd: ctx.workDir,
      timeout: '10m',
    });
  }
  for (const c of ctx.clusters) {
    out.push({
      action: 'poll',
      cluster: c.name,
      summary: `wait until ${c.name}'s active gateway is connected to every other cluster`,
      check: 'gateways-connected',
      input: { namespace: OPERATOR_NAMESPACE, peers: ctx.clusters.filter((o) => o !== c).map((o) => o.name) },
      timeout: '10m',
    });
    for (const [kind, name] of [
      ['daemonset', 'submariner-routeagent'],
      ['deployment', 'submariner-lighthouse-agent'],
      ['deployment', 'submariner-lighthouse-coredns'],
    ] as const) {
      out.push({ action: 'wait', cluster: c.name, summary: `wait for the ${name} rollout`, resource: kind, namespace: OPERATOR_NAMESPACE, name, condition: 'rollout-complete', timeout: '10m' });
    }
  }
  return out;
}

function incompatibilities(ctx: MeshContext): MeshIncompatibility[] {
  return ctx.clusters.flatMap((c) => {
    const problems: MeshIncompatibility[] = [];
    if (c.cni === 'cilium') {
      problems.push({
        cluster: c.name,
        message: 'Submariner with Cilium is not supported upstream (https://github.com/submariner-io/submariner/issues/3168; subctl verify fails, traffic flows only between gateway nodes, submariner#3159)',
        fix: 'use istio, or a CNI other than cilium',
        concerns: 'cni',
      });
    }
    if (c.kubeProxyMode === 'ipvs') {
      problems.push({
        cluster: c.name,
        message: 'Submariner does not support kube-proxy in IPVS mode (submariner#3967; subctl diagnose kube-proxy-mode)',
        fix: 'use kubeProxyMode iptables or nftables, or istio',
        concerns: 'kubeProxyMode',
      });
    }
    return problems;
  });
}

export const submariner: MeshProvider = {
  name: 'submariner',
  description: 'Submariner: cross-cluster pod and service routing plus Lighthouse service discovery (clusterset.local)',
  defaultVersion: SUBMARINER_VERSION,
  versions: { pinned: SUBMARINER_VERSION, oldest: '0.18.0', spelling: 'plain', why: 'kconn drives subctl with the join flags of Submariner 0.18 and later' },
  optionsSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      cableDriver: { enum: ['libreswan', 'wireguard', 'vxlan'], description: `subctl join --cable-driver (default ${DEFAULT_CABLE_DRIVER})` },
      globalnet: {
        type: 'boolean',
        description: 'deploy the broker with Globalnet (subctl deploy-broker --globalnet): the clusters may then use overlapping pod and service subnets, reached through exported services only',
      },
    },
  },
  capabilities: ['crossClusterPodRouting', 'crossClusterServiceDiscovery', 'multiClusterServices'],
  capabilitiesFor: (options): Capability[] =>
    // Globalnet: remote pod IPs are not routable; only exported services are reached (through global IPs).
    globalnet(options) ? ['crossClusterServiceDiscovery', 'multiClusterServices'] : ['crossClusterPodRouting', 'crossClusterServiceDiscovery', 'multiClusterServices'],
  incompatibilities,
  steps,
  failureCommands: (ctx) =>
    ctx.clusters.flatMap((c) => [
      ['subctl', 'show', 'all', '--kubeconfig', c.internalKubeconfig],
      ['subctl', 'diagnose', 'all', '--kubeconfig', c.internalKubeconfig],
    ]),
  checks: { 'gateways-connected': gatewaysConnected },
  overlappingSubnets: {
    allowed: globalnet,
    fix: 'or set spec.multicluster.options.globalnet: true (Submariner Globalnet: overlapping ranges, each cluster reached through the global IPs of its exported services)',
  },
};
