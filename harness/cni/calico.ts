import { CNI_WAIT_TIMEOUT, podsOf, type CniPlugin } from './cniPlugin.js';

/** https://github.com/projectcalico/calico/releases (v3.32.1, 2026-06-24; operator v1.42.3). */
const CALICO_VERSION = 'v3.32.1';
const MANIFESTS = (version: string): string => `https://raw.githubusercontent.com/projectcalico/calico/${version}/manifests`;

export const calico: CniPlugin = {
  name: 'calico',
  description: 'Calico through the Tigera operator, VXLAN encapsulation; enforces NetworkPolicy',
  defaultVersion: CALICO_VERSION,
  versions: {
    pinned: CALICO_VERSION,
    oldest: 'v3.30.0',
    spelling: 'v-prefixed',
    why: 'kconn applies manifests/operator-crds.yaml and manifests/tigera-operator.yaml of the release tag, the operator install of Calico 3.30 and later',
  },
  optionsSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      encapsulation: {
        enum: ['VXLAN', 'VXLANCrossSubnet', 'IPIP', 'IPIPCrossSubnet', 'None'],
        description: 'IP pool encapsulation (default VXLAN)',
      },
      apiServer: { type: 'boolean', description: 'also install the Calico API server (needed by Submariner to manage IP pools)' },
    },
  },
  capabilities: () => ['networkPolicy'],
  kindConfig: () => ({ disableDefaultCNI: true }),
  preCreateSteps: () => [],
  installSteps: (ctx) => {
    // In v3.32 tigera-operator.yaml holds no CRDs; operator-crds.yaml holds them and is too big for client-side apply.
    const steps: ReturnType<CniPlugin['installSteps']> = [
      {
        action: 'apply',
        summary: `apply Calico ${ctx.version} operator CRDs`,
        url: `${MANIFESTS(ctx.version)}/operator-crds.yaml`,
        serverSide: true,
      },
      {
        action: 'apply',
        summary: `apply the Tigera operator for Calico ${ctx.version}`,
        url: `${MANIFESTS(ctx.version)}/tigera-operator.yaml`,
        serverSide: true,
      },
      {
        action: 'wait',
        summary: 'wait for the Installation CRD to be established',
        resource: 'customresourcedefinition',
        name: 'installations.operator.tigera.io',
        condition: 'Established',
        timeout: '2m',
      },
      {
        action: 'apply-object',
        summary: `create Installation default with IP pool ${ctx.podSubnet} (= podSubnet)`,
        object: {
          apiVersion: 'operator.tigera.io/v1',
          kind: 'Installation',
          metadata: { name: 'default' },
          spec: {
            calicoNetwork: {
              // Calico must use the data plane kube-proxy uses: with kube-proxy in nftables mode the default iptables
              // data plane breaks Services (https://docs.tigera.io/calico/latest/getting-started/kubernetes/nftables,
              // kubernetes-sigs/kubespray#12198); Nftables is in the Installation CRD's linuxDataplane enum in v3.32.
              ...(ctx.kubeProxyMode === 'nftables' ? { linuxDataplane: 'Nftables' } : {}),
              ipPools: [
                {
                  name: 'default-ipv4-ippool',
                  blockSize: 26,
                  cidr: ctx.podSubnet,
                  encapsulation: String(ctx.options['encapsulation'] ?? 'VXLAN'),
                  natOutgoing: 'Enabled',
                  nodeSelector: 'all()',
                },
              ],
            },
          },
        },
      },
    ];
    if (ctx.options['apiServer'] === true) {
      steps.push({
        action: 'apply-object',
        summary: 'create APIServer default',
        object: { apiVersion: 'operator.tigera.io/v1', kind: 'APIServer', metadata: { name: 'default' }, spec: {} },
      });
    }
    return steps;
  },
  diagnostics: () => [
    { summary: 'TigeraStatus', apiVersion: 'operator.tigera.io/v1', kind: 'TigeraStatus' },
    podsOf('Tigera operator pods', 'tigera-operator', 'k8s-app=tigera-operator'),
    { summary: 'calico-system pods', apiVersion: 'v1', kind: 'Pod', namespace: 'calico-system' },
  ],
  readinessSteps: () => [
    // TigeraStatus objects appear only after the operator reconciles: poll for existence first, then for Available.
    {
      action: 'wait',
      summary: 'wait for TigeraStatus calico to exist and be Available',
      resource: 'tigerastatus',
      name: 'calico',
      condition: 'Available',
      timeout: CNI_WAIT_TIMEOUT,
    },
    {
      action: 'wait',
      summary: 'wait for the calico-node DaemonSet rollout',
      resource: 'daemonset',
      namespace: 'calico-system',
      name: 'calico-node',
      condition: 'rollout-complete',
      timeout: CNI_WAIT_TIMEOUT,
    },
  ],
};
