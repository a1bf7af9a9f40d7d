import type { MeshProvider } from './meshProvider.js';

/** https://istio.io/latest/news/releases/ (1.30.4, 2026-08-27). */
const ISTIO_VERSION = '1.30.4';

export const istio: MeshProvider = {
  name: 'istio',
  description: 'Istio multi-primary on different networks, with east-west gateways',
  defaultVersion: ISTIO_VERSION,
  versions: { pinned: ISTIO_VERSION, oldest: '1.24.0', spelling: 'plain', why: 'kconn installs the base and istiod charts with the multi-network values of Istio 1.24 and later' },
  optionsSchema: { type: 'object', additionalProperties: false, properties: {} },
  capabilities: ['crossClusterServiceDiscovery', 'mtls'],
  incompatibilities: () => [],
  steps: (ctx) =>
    ctx.clusters.flatMap((c, i) => [
      {
        action: 'helm-install' as const,
        cluster: c.name,
        summary: `helm install istio-base ${ctx.version} on ${c.name}`,
        release: 'istio-base',
        repo: 'https://istio-release.storage.googleapis.com/charts',
        chart: 'base',
        version: ctx.version,
        namespace: 'istio-system',
        values: {},
      },
      {
        action: 'helm-install' as const,
        cluster: c.name,
        summary: `helm install istiod ${ctx.version} on ${c.name} (mesh1, network${i + 1})`,
        release: 'istiod',
        repo: 'https://istio-release.storage.googleapis.com/charts',
        chart: 'istiod',
        version: ctx.version,
        namespace: 'istio-system',
        values: { global: { meshID: 'mesh1', multiCluster: { clusterName: c.name }, network: `network${i + 1}` } },
      },
      {
        action: 'helm-install' as const,
        cluster: c.name,
        summary: `helm install the east-west gateway on ${c.name}`,
        release: 'istio-eastwestgateway',
        repo: 'https://istio-release.storage.googleapis.com/charts',
        chart: 'gateway',
        version: ctx.version,
        namespace: 'istio-system',
        values: { name: 'istio-eastwestgateway', networkGateway: `network${i + 1}` },
      },
    ]),
};
