import { CNI_WAIT_TIMEOUT, podsOf, type CniContext, type CniPlugin } from './cniPlugin.js';

/** https://github.com/flannel-io/flannel/releases (v0.28.9, 2026-08-07). */
const FLANNEL_VERSION = 'v0.28.9';
/**
 * kind nodes ship only host-local, loopback, ptp and portmap in /opt/cni/bin; flannel delegates to `bridge`, so pods
 * stay ContainerCreating without it (https://github.com/flannel-io/flannel/issues/1847). Flannel's own kind e2e mounts
 * the upstream plugin tarball over /opt/cni/bin; the tarball also holds the four plugins kind ships.
 */
const CNI_PLUGINS_VERSION = 'v1.9.1';

/**
 * sha256 of the plugin tarballs (several independent public pins agree; containernetworking's release.sh also
 * publishes a .sha256 file next to each tgz, which kconn uses for any architecture not pinned here).
 */
const CNI_PLUGINS_SHA256: Readonly<Record<string, string>> = {
  amd64: 'b98f74a0f8522f0a83867178729c1aa70f2158f90c45a2ca8fa791db1c76b303',
  arm64: '56171987d3947707c3563db2f4001bccaf50fd63468611b9f3cbecb1375ee7ec',
};

function pluginsDir(ctx: CniContext): string {
  return `${ctx.cacheDir}/cni-plugins-${CNI_PLUGINS_VERSION}-linux-${ctx.arch}`;
}

/**
 * The folder mounted over /opt/cni/bin on every node of one cluster: read-write, because flannel's install-cni-plugin
 * init container copies its own `flannel` binary into it; one per cluster, so no cluster writes into another's.
 */
function nodeCniBin(ctx: CniContext): string {
  return `${ctx.clusterDir}/cni-bin`;
}

/** kind's own plugins (the mount hides the node's copies) plus the `bridge` flannel delegates to. */
const NODE_PLUGINS = ['bridge', 'host-local', 'loopback', 'portmap', 'ptp'];

function backend(ctx: CniContext): string {
  return String(ctx.options['backend'] ?? 'vxlan');
}

export const flannel: CniPlugin = {
  name: 'flannel',
  description: 'Flannel (VXLAN overlay); enforces no NetworkPolicy',
  defaultVersion: FLANNEL_VERSION,
  versions: {
    pinned: FLANNEL_VERSION,
    oldest: 'v0.25.0',
    spelling: 'v-prefixed',
    why: 'kconn applies kube-flannel.yml from the release assets and patches its kube-flannel namespace, as laid out from v0.25 on',
  },
  optionsSchema: {
    type: 'object',
    additionalProperties: false,
    properties: { backend: { enum: ['vxlan', 'host-gw'], description: 'Flannel backend (net-conf.json Backend.Type)' } },
  },
  capabilities: () => [],
  kindConfig: (ctx) => ({
    disableDefaultCNI: true,
    extraMounts: [{ hostPath: nodeCniBin(ctx), containerPath: '/opt/cni/bin' }],
  }),
  preCreateSteps: (ctx) => [
    {
      action: 'download',
      summary: `fetch containernetworking plugins ${CNI_PLUGINS_VERSION} (flannel needs the bridge plugin kind lacks)`,
      url: `https://github.com/containernetworking/plugins/releases/download/${CNI_PLUGINS_VERSION}/cni-plugins-linux-${ctx.arch}-${CNI_PLUGINS_VERSION}.tgz`,
      ...(CNI_PLUGINS_SHA256[ctx.arch] ? { sha256: CNI_PLUGINS_SHA256[ctx.arch] } : {}),
      into: pluginsDir(ctx),
      copy: { to: nodeCniBin(ctx), files: NODE_PLUGINS },
    },
  ],
  installSteps: (ctx) => [
    {
      action: 'apply',
      summary: `apply kube-flannel.yml ${ctx.version} with net-conf.json Network=${ctx.podSubnet}`,
      url: `https://github.com/flannel-io/flannel/releases/download/${ctx.version}/kube-flannel.yml`,
      // Network must equal kind's podSubnet (flannel README; flannel reads node spec.podCIDR from it).
      patches: [
        {
          summary: `ConfigMap kube-flannel/kube-flannel-cfg net-conf.json: Network=${ctx.podSubnet}, Backend.Type=${backend(ctx)}`,
          kind: 'ConfigMap',
          namespace: 'kube-flannel',
          name: 'kube-flannel-cfg',
          dataKey: 'net-conf.json',
          merge: { Network: ctx.podSubnet, Backend: { Type: backend(ctx) } },
        },
      ],
      serverSide: true,
    },
  ],
  diagnostics: () => [podsOf('flannel pods', 'kube-flannel', 'app=flannel')],
  readinessSteps: () => [
    {
      action: 'wait',
      summary: 'wait for the kube-flannel DaemonSet rollout',
      resource: 'daemonset',
      namespace: 'kube-flannel',
      name: 'kube-flannel-ds',
      condition: 'rollout-complete',
      timeout: CNI_WAIT_TIMEOUT,
    },
  ],
};
