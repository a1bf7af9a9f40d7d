import type { MeshIncompatibility, MeshProvider } from './meshProvider.js';

/** Latest GA listed on submariner.io's releases page; pin exactly, never "latest". */
const SUBMARINER_VERSION = '0.21.0';

export const submariner: MeshProvider = {
  name: 'submariner',
  description: 'Submariner: cross-cluster pod and service routing plus Lighthouse service discovery (clusterset.local)',
  defaultVersion: SUBMARINER_VERSION,
  versions: { pinned: SUBMARINER_VERSION, oldest: '0.18.0', spelling: 'plain', why: 'kconn drives subctl with the join flags of Submariner 0.18 and later' },
  optionsSchema: {
    type: 'object',
    additionalProperties: false,
    properties: { cableDriver: { enum: ['libreswan', 'wireguard', 'vxlan'], description: 'subctl join --cable-driver' } },
  },
  capabilities: ['crossClusterPodRouting', 'crossClusterServiceDiscovery'],
  incompatibilities: (ctx) =>
    ctx.clusters.flatMap((c) => {
      const problems: MeshIncompatibility[] = [];
      if (c.cni === 'cilium') {
        problems.push({
          cluster: c.name,
          message: 'Submariner does not support Cilium (https://github.com/submariner-io/submariner/issues/3168)',
          fix: 'use istio, or a CNI other than cilium',
          concerns: 'cni',
        });
      }
      if (c.kubeProxyMode === 'ipvs') {
        problems.push({
          cluster: c.name,
          message: 'Submariner does not support kube-proxy in IPVS mode (subctl diagnose kube-proxy-mode)',
          fix: 'use kubeProxyMode iptables or nftables, or istio',
          concerns: 'kubeProxyMode',
        });
      }
      return problems;
    }),
  steps: (ctx) => {
    const broker = ctx.clusters[0]!;
    const driver = String(ctx.options['cableDriver'] ?? 'libreswan');
    return [
      ...ctx.clusters.map((c) => ({
        action: 'exec' as const,
        summary: `label ${c.kindName}-worker as the Submariner gateway (so join never prompts)`,
        argv: ['label-node', c.kindName, `${c.kindName}-worker`, 'submariner.io/gateway=true'],
      })),
      {
        action: 'exec',
        summary: `deploy the broker on ${broker.name} (kubeconfig server = control-plane IP on the kind network)`,
        argv: ['subctl', 'deploy-broker', '--kubeconfig', `<kubeconfig:${broker.name}:internal>`],
      },
      ...ctx.clusters.map((c) => ({
        action: 'exec' as const,
        summary: `join ${c.name} to the broker`,
        // --natt=false: all kind nodes share one Docker bridge; CIDRs passed explicitly so subctl never prompts.
        argv: [
          'subctl', 'join', 'broker-info.subm', '--kubeconfig', `<kubeconfig:${c.name}:internal>`,
          '--clusterid', c.name, '--natt=false', '--label-gateway=false', '--cable-driver', driver,
          '--clustercidr', c.podSubnet, '--servicecidr', c.serviceSubnet,
        ],
      })),
      {
        action: 'wait',
        summary: 'wait for every gateway connection to be connected',
        resource: 'gateways.submariner.io',
        namespace: 'submariner-operator',
        condition: 'connections-connected',
        timeout: '10m',
      },
    ];
  },
};
