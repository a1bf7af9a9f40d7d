import { CNI_NAMES } from '../cni/registry.js';
import { MESH_NAMES } from '../mesh/registry.js';
import { KUBE_PROXY_MODES } from '../model/topology.js';
import { KUBERNETES_VERSIONS } from '../plan/nodeImages.js';
import { dnsLabel, envelope, strictObject, version, type Schema } from './schemaParts.js';

/** The JSON Schema of a Topology file (see schemas.ts). */
const cniRef: Schema = {
  description: `CNI: a name (${CNI_NAMES.join(', ')}) or {name, version, options}`,
  if: { type: 'string' },
  then: { enum: [...CNI_NAMES] },
  else: strictObject({ name: { enum: [...CNI_NAMES] }, version, options: { type: 'object' } }, ['name']),
};

export const topologySchema: Schema = envelope(
  'Topology',
  strictObject(
    {
      kubernetesVersion: { enum: [...KUBERNETES_VERSIONS], description: 'a Kubernetes version kconn pins a kindest/node digest for' },
      nodeImage: {
        type: 'string',
        format: 'image-reference',
        description: 'a kind node image of your own for every cluster ([registry/]name:tag or @sha256:digest), instead of the pinned kindest/node; --node-image overrides it',
      },
      cni: cniRef,
      clusters: {
        type: 'array',
        minItems: 1,
        items: strictObject(
          {
            name: dnsLabel,
            workers: { type: 'integer', minimum: 0, maximum: 20, default: 1 },
            cni: cniRef,
            podSubnet: { type: 'string', format: 'cidr' },
            serviceSubnet: { type: 'string', format: 'cidr' },
            kubeProxyMode: { enum: [...KUBE_PROXY_MODES] },
          },
          ['name'],
        ),
      },
      multicluster: strictObject({ provider: { enum: [...MESH_NAMES] }, version, options: { type: 'object' } }, ['provider']),
      gateway: strictObject(
        {
          provider: { enum: ['traefik'], description: 'the controller: traefik (Gateway API standard channel and Ingress, GatewayClass and IngressClass kconn)' },
          image: { type: 'string', format: 'image-reference', description: "the controller's image instead of the pinned upstream one (a mirror, a local build)" },
        },
        ['provider'],
        'a Gateway API and Ingress controller kconn up installs in every cluster, after its CNI',
      ),
    },
    ['clusters'],
  ),
  'kind clusters, their CNI and how they are joined',
);
